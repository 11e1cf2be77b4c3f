"""The fake OpenAI server as the benchmarks run it: a default answer for every
request, usage counted from what was sent and answered, kept-alive connections
and counters, driven by the real SDK."""

from __future__ import annotations

import json
import math

import httpx

from app.llm.openai_client import openai_client
from app.llm.structured import response_format
from tasks.kinds.email_reply import EmailReplyDraft
from tests.fakes.openai_server import CHARS_PER_TOKEN, FakeOpenAI, Reply

MESSAGES = [
    {"role": "system", "content": "Draft a reply. " * 20},
    {"role": "user", "content": "Question: when will the refund arrive? " * 30},
]


async def test_fake__counted_usage_bills_the_messages_and_the_schema_and_the_answer():
    fmt = response_format(EmailReplyDraft)
    patch = {"body": "Within five business days. " * 10}
    with FakeOpenAI(default=Reply(patch=patch), counted_usage=True, keep_alive=True) as fake:
        async with openai_client(base_url=fake.url + "/v1", api_key="t", timeout=5) as sdk:
            completions = [
                await sdk.chat.completions.create(
                    model="gpt-4.1-mini",
                    messages=MESSAGES,  # type: ignore[arg-type]
                    response_format=fmt,  # type: ignore[arg-type]
                )
                for _ in range(3)
            ]
        stats = httpx.get(fake.url + "/_fake/stats").json()

    sent = sum(len(m["content"]) for m in MESSAGES) + len(json.dumps(fmt["json_schema"]["schema"]))
    for completion in completions:
        assert completion.usage is not None
        content = completion.choices[0].message.content or ""
        assert EmailReplyDraft.model_validate_json(content).body == patch["body"]
        assert completion.usage.prompt_tokens == math.ceil(sent / CHARS_PER_TOKEN)
        assert completion.usage.completion_tokens == math.ceil(len(content) / CHARS_PER_TOKEN)
        assert completion.usage.prompt_tokens_details is not None
        assert completion.usage.prompt_tokens_details.cached_tokens == 0
    assert stats["requests"] == 3 and stats["max_in_flight"] == 1


async def test_fake__reset_counts_from_zero_again():
    with FakeOpenAI(keep_requests=False) as fake:
        async with openai_client(base_url=fake.url + "/v1", api_key="t", timeout=5) as sdk:
            await sdk.chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]
        assert fake.stats()["requests"] == 1 and fake.requests == []
        reset = httpx.post(fake.url + "/_fake/reset").json()

    assert reset["requests"] == 0 and reset["max_in_flight"] == 0
