"""Job kinds for tests: ``sleepy`` sleeps ``ms`` milliseconds and echoes ``label``;
``llm_echo`` asks an OpenAI-compatible server (the fake, ``tests/fakes/openai_server.py``,
whose address is in the job's input) through the real SDK and returns its answer;
``email_reply_large`` and ``email_reply_uncached`` are ``email_reply`` starting at the
large tier and with the model cache off; ``draft_then_polish`` makes two model steps.

Registered beside the real kinds only in tests: in-process through ``TEST_KINDS``
(the ``job_kinds`` fixture), and in worker subprocesses through
``python -m tests.support.worker_with_test_kinds``.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.jobs.kinds import Kind, KindRegistry, KindResult
from app.llm.openai_client import openai_client
from app.llm.openai_errors import calling_provider
from app.llm.provider import GenerationRequest, Provider, Source, Usage
from tasks.kinds import KINDS
from tasks.kinds.email_reply import EmailReplyDraft, EmailReplyInput
from tasks.kinds.email_reply.handler import compose_draft, draft_email_reply, refuse


class SleepyInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ms: int = Field(ge=0, le=600_000)
    label: str = Field(default="", max_length=100)


class SleepyOutput(BaseModel):
    label: str
    slept_ms: int


async def sleep_then_echo(job: SleepyInput, provider: Provider) -> KindResult:
    await asyncio.sleep(job.ms / 1000)
    return KindResult(
        output=SleepyOutput(label=job.label, slept_ms=job.ms),
        model="sleepy",
        prompt_version="sleepy/1",
    )


SLEEPY = Kind(
    name="sleepy",
    input_model=SleepyInput,
    output_model=SleepyOutput,
    handler=sleep_then_echo,
    default_deadline=timedelta(minutes=10),
    prompt_version="sleepy/1",
)


class LlmEchoInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(
        max_length=200, description="The fake's ``url``, e.g. http://127.0.0.1:41234"
    )
    prompt: str = Field(max_length=1000)


class LlmEchoOutput(BaseModel):
    content: str


async def ask_the_model(job: LlmEchoInput, provider: Provider) -> KindResult:
    async with openai_client(base_url=job.base_url + "/v1", api_key="test", timeout=5) as client:
        with calling_provider():
            answer = await client.chat.completions.create(
                model="fake-model", messages=[{"role": "user", "content": job.prompt}]
            )
    usage = (
        Usage(input_tokens=answer.usage.prompt_tokens, output_tokens=answer.usage.completion_tokens)
        if answer.usage
        else Usage()
    )
    return KindResult(
        output=LlmEchoOutput(content=answer.choices[0].message.content or ""),
        model=answer.model,
        prompt_version="llm_echo/1",
        usage=usage,
    )


LLM_ECHO = Kind(
    name="llm_echo",
    input_model=LlmEchoInput,
    output_model=LlmEchoOutput,
    handler=ask_the_model,
    default_deadline=timedelta(minutes=10),
    prompt_version="llm_echo/1",
)

EMAIL_REPLY_LARGE = replace(KINDS["email_reply"], name="email_reply_large", tier="large")
"""``email_reply`` whose steps start at the large tier, as a high-risk job's would."""
EMAIL_REPLY_UNCACHED = replace(KINDS["email_reply"], name="email_reply_uncached", cache=False)
"""``email_reply`` whose answers must be fresh: never read from or put in the model cache."""

POLISH_PROMPT_VERSION = "draft_then_polish/1"
POLISH_MARK = "Draft to polish:"
POLISH_INSTRUCTIONS = (
    "You improve a draft reply to an e-mail thread. Use only what the thread says; "
    "cite the messages you use."
)
"""Begins the question of the ``polish`` step: tells its model calls from the draft's."""


async def draft_then_polish(job: EmailReplyInput, provider: Provider) -> KindResult:
    """Two model steps of one job: ``generate`` drafts the reply (as ``email_reply``
    does), then ``polish`` asks for a better one given that draft."""
    draft = await draft_email_reply(job, provider)
    polished = await provider.generate(
        GenerationRequest(
            prompt_version=POLISH_PROMPT_VERSION,
            instructions=POLISH_INSTRUCTIONS,
            question=f"{POLISH_MARK} {draft.output.model_dump_json()}\n\n{job.question}",
            sources=[Source(id=f"m{i}", text=m.body) for i, m in enumerate(job.thread)],
            output_model=EmailReplyDraft,
            compose_extractive=partial(compose_draft, job),
            compose_refusal=partial(refuse, job),
            step="polish",
        )
    )
    return KindResult(
        output=polished.output,
        model=polished.model,
        prompt_version=POLISH_PROMPT_VERSION,
        usage=Usage(
            input_tokens=draft.usage.input_tokens + polished.usage.input_tokens,
            output_tokens=draft.usage.output_tokens + polished.usage.output_tokens,
            in_job_totals=draft.usage.in_job_totals and polished.usage.in_job_totals,
        ),
    )


DRAFT_THEN_POLISH = Kind(
    name="draft_then_polish",
    input_model=EmailReplyInput,
    output_model=EmailReplyDraft,
    handler=draft_then_polish,
    default_deadline=timedelta(minutes=15),
    prompt_version=POLISH_PROMPT_VERSION,
)

TEST_KINDS = {
    **KINDS,
    SLEEPY.name: SLEEPY,
    LLM_ECHO.name: LLM_ECHO,
    EMAIL_REPLY_LARGE.name: EMAIL_REPLY_LARGE,
    EMAIL_REPLY_UNCACHED.name: EMAIL_REPLY_UNCACHED,
    DRAFT_THEN_POLISH.name: DRAFT_THEN_POLISH,
}


def stalling_kinds(release: asyncio.Event) -> KindRegistry:
    """The test kinds, with a ``sleepy`` handler that stalls until ``release`` is set
    and then answers "late": an execution that never notices a cancel or a deadline."""

    async def handler(job_input: Any, provider: Any) -> KindResult:
        await release.wait()
        return KindResult(
            output=SleepyOutput(label="late", slept_ms=0), model="m", prompt_version="p"
        )

    return {**TEST_KINDS, "sleepy": replace(TEST_KINDS["sleepy"], handler=handler)}
