"""The provider posts a chat completion through the SDK's ``client.post`` without the
params transform of ``chat.completions.create``: that is only right while the
transform leaves Courier's bodies unchanged and both send the same request."""

from __future__ import annotations

from openai._utils import async_maybe_transform
from openai.types.chat import completion_create_params

from app.llm.messages import chat_messages
from app.llm.openai_provider import chat_completion_body
from app.llm.provider import GenerationRequest, Source
from app.llm.structured import response_format
from tasks.kinds.email_reply import EmailReplyDraft
from tests.support.steps import fake_provider


def _request() -> GenerationRequest[EmailReplyDraft]:
    return GenerationRequest(
        prompt_version="email_reply/1",
        instructions="Draft «a» reply; quote nothing.",
        question='When will the refund arrive? "Soon", they said 🙂',
        sources=[Source(id="m0", text="Refunds take 5 business days.\n\tThanks!")],
        output_model=EmailReplyDraft,
        compose_extractive=lambda extracts: None,  # type: ignore[arg-type,return-value]
    )


async def test_chat_completion_body__the_sdks_params_transform_leaves_it_unchanged():
    request = _request()
    repair = chat_messages(request, ('{"subject": 1}', "subject: Input should be a string"))
    for messages in (chat_messages(request), repair):
        body = chat_completion_body("gpt-4.1-mini", messages, EmailReplyDraft, 2048)

        transformed = await async_maybe_transform(
            body, completion_create_params.CompletionCreateParamsNonStreaming
        )

        assert transformed == body


async def test_answer__sends_the_request_chat_completions_create_sends(fake_openai):
    request = _request()
    provider = fake_provider(fake_openai.url)
    try:
        answer = await provider.answer(request, "fake-small", max_output_tokens=512)
        await provider.client.chat.completions.create(
            model="fake-small",
            messages=chat_messages(request),  # type: ignore[arg-type]
            response_format=response_format(EmailReplyDraft),  # type: ignore[arg-type]
            max_completion_tokens=512,
        )
    finally:
        await provider.close()

    ours, sdks = fake_openai.requests
    assert (ours.method, ours.path, ours.body) == (sdks.method, sdks.path, sdks.body)
    assert ours.headers["authorization"] == sdks.headers["authorization"] == "Bearer test"
    assert ours.headers["content-type"] == sdks.headers["content-type"]
    assert answer.output is not None and answer.model == "fake-small"
