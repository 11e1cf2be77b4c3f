"""A job kind for tests: ``sleepy`` sleeps ``ms`` milliseconds and echoes ``label``.

Registered beside the real kinds only in tests: in-process through ``TEST_KINDS``,
and in worker subprocesses through ``python -m tests.worker_with_test_kinds``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from app.jobs.kinds import Kind, KindResult
from app.llm.provider import Provider
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
    return KindResult(output=SleepyOutput(label=job.label, slept_ms=job.ms), model="sleepy", prompt_version="sleepy/1")


SLEEPY = Kind(
    name="sleepy",
    input_model=SleepyInput,
    output_model=SleepyOutput,
    handler=sleep_then_echo,
    default_deadline=timedelta(minutes=10),
    prompt_version="sleepy/1",
)

TEST_KINDS = {**KINDS, SLEEPY.name: SLEEPY}
