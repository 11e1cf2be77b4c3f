"""Chat completions on an OpenAI-compatible server (OpenAI, vLLM, Ollama, a gateway)
through the ``openai`` SDK, asking for the kind's output model as a strict JSON schema.

One call is one request: the SDK retries nothing (app/llm/openai_client.py) and the
step runner (app/llm/steps.py) decides what follows a failure. Calls wait on the
network, not on a thread: a semaphore bounds how many one process has in flight.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Generic

import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from app.llm.ledger import TokenUsage
from app.llm.messages import Message, chat_messages
from app.llm.openai_client import openai_client
from app.llm.openai_errors import calling_provider
from app.llm.provider import GenerationRequest, OutputT
from app.llm.rules import describe
from app.llm.structured import InvalidAnswer, parse_answer, response_format


@dataclass(frozen=True)
class ModelAnswer(Generic[OutputT]):
    """What one call returned: a valid output, or the text and what is wrong with it."""

    model: str
    usage: TokenUsage
    text: str
    output: OutputT | None
    problem: str | None = None
    """Why ``text`` is not a valid output (for the repair), or None when it is."""
    refusal: str | None = None
    """The model's refusal, when it refused (``output`` is then the kind's refused outcome)."""
    rejected: OutputT | None = None
    """An answer that matches the schema but breaks the kind's rules (``problem`` says
    which): what the kind may prune after the repair (app/llm/rules.py)."""


class OpenAIProvider:
    """One OpenAI-compatible endpoint; ``name`` identifies it (its pause is shared by
    every process calling that endpoint)."""

    def __init__(self, client: openai.AsyncOpenAI, *, name: str, max_concurrent_calls: int) -> None:
        self.client = client
        self.name = name
        self._slots = asyncio.Semaphore(max_concurrent_calls)
        self.in_flight = 0
        """Calls waiting on the provider right now."""

    @classmethod
    def connect(
        cls, *, api_key: str, base_url: str | None, timeout: float, max_concurrent_calls: int
    ) -> OpenAIProvider:
        client = openai_client(base_url=base_url, api_key=api_key, timeout=timeout)
        return cls(
            client,
            name=f"openai:{str(client.base_url).rstrip('/')}",
            max_concurrent_calls=max_concurrent_calls,
        )

    async def close(self) -> None:
        await self.client.close()

    async def answer(
        self,
        request: GenerationRequest[OutputT],
        model: str,
        *,
        max_output_tokens: int,
        repair: ModelAnswer[Any] | None = None,
    ) -> ModelAnswer[OutputT]:
        """Ask ``model``; raises :class:`~app.llm.errors.ProviderError` when the call
        fails, returns the answer (valid, refused, or invalid with its problem) otherwise."""
        messages = chat_messages(
            request, (repair.text, repair.problem or "") if repair is not None else None
        )
        async with self._slots:
            self.in_flight += 1
            try:
                with calling_provider():
                    completion = await self.client.post(
                        "/chat/completions",
                        body=chat_completion_body(
                            model,
                            messages,
                            request.output_model,
                            max_output_tokens,
                            temperature=request.temperature,
                        ),
                        cast_to=ChatCompletion,
                        options=_AUTHENTICATED,
                    )
            finally:
                self.in_flight -= 1
        usage = token_usage(completion)
        message = completion.choices[0].message if completion.choices else None
        text = (message.content if message else None) or ""
        refusal = message.refusal if message else None
        answered_by = completion.model or model
        if refusal:
            if request.compose_refusal is None:
                return ModelAnswer(
                    answered_by, usage, text, None, problem="refusals are not an outcome here"
                )
            return ModelAnswer(
                answered_by, usage, text, request.compose_refusal(refusal), refusal=refusal
            )
        try:
            output = parse_answer(request.output_model, text)
        except InvalidAnswer as exc:
            return ModelAnswer(answered_by, usage, text, None, problem=exc.problem)
        if request.rules is not None and (problems := request.rules.problems(output)):
            return ModelAnswer(
                answered_by, usage, text, None, problem=describe(problems), rejected=output
            )
        return ModelAnswer(answered_by, usage, text, output)


_AUTHENTICATED: openai.RequestOptions = {"security": {"bearer_auth": True}}
"""What ``chat.completions.create`` asks of the client besides the body: the API key
as a Bearer token."""


def chat_completion_body(
    model: str,
    messages: list[Message],
    output_model: type[BaseModel],
    max_output_tokens: int,
    *,
    temperature: float | None = None,
) -> dict[str, Any]:
    """The body of a chat completion asking for ``output_model`` strictly.

    Posted through the SDK's own ``client.post``, as ``chat.completions.create`` posts
    it (same client, auth, timeout, errors and ``ChatCompletion`` parsing) but without
    its params transform: that walks every member of every union the params are typed
    with (85 calls per request, ~0.5 ms of CPU each time, the largest single cost of a
    busy worker's call) to rename aliased keys and format dates and files, of which a
    body of plain JSON text has none: it comes out unchanged
    (tests/unit/test_openai_request_body.py holds the SDK to that)."""
    body = {
        "model": model,
        "messages": messages,
        "response_format": response_format(output_model),
        "max_completion_tokens": max_output_tokens,
    }
    if temperature is not None:  # only when the kind chose one: some servers refuse it
        body["temperature"] = temperature
    return body


def token_usage(completion: Any) -> TokenUsage:
    """The completion's token counts; zeros when the server reports none."""
    usage = completion.usage
    if usage is None:
        return TokenUsage()
    cached = getattr(usage.prompt_tokens_details, "cached_tokens", None) or 0
    reasoning = getattr(usage.completion_tokens_details, "reasoning_tokens", None) or 0
    return TokenUsage(
        input_tokens=usage.prompt_tokens or 0,
        cached_input_tokens=cached,
        output_tokens=usage.completion_tokens or 0,
        reasoning_tokens=reasoning,
    )
