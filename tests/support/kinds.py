"""Job kinds for tests: ``sleepy`` sleeps ``ms`` milliseconds and echoes ``label``;
``llm_echo`` asks an OpenAI-compatible server (the fake, ``tests/fakes/openai_server.py``,
whose address is in the job's input) through the real SDK and returns its answer.

Registered beside the real kinds only in tests: in-process through ``TEST_KINDS``
(the ``job_kinds`` fixture), and in worker subprocesses through
``python -m tests.support.worker_with_test_kinds``.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.jobs.kinds import Kind, KindRegistry, KindResult
from app.llm.openai_client import openai_client
from app.llm.openai_errors import calling_provider
from app.llm.provider import Provider, Usage
from tasks.kinds import KINDS


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

TEST_KINDS = {**KINDS, SLEEPY.name: SLEEPY, LLM_ECHO.name: LLM_ECHO}


def stalling_kinds(release: asyncio.Event) -> KindRegistry:
    """The test kinds, with a ``sleepy`` handler that stalls until ``release`` is set
    and then answers "late": an execution that never notices a cancel or a deadline."""

    async def handler(job_input: Any, provider: Any) -> KindResult:
        await release.wait()
        return KindResult(
            output=SleepyOutput(label="late", slept_ms=0), model="m", prompt_version="p"
        )

    return {**TEST_KINDS, "sleepy": replace(TEST_KINDS["sleepy"], handler=handler)}
