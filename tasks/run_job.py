"""The procrastinate task that executes one Courier job."""

from __future__ import annotations

from uuid import UUID

from procrastinate import JobContext

from app.jobs.execution import JobExecutor


async def run_job(context: JobContext, job_id: str) -> None:
    executor: JobExecutor = context.additional_context["executor"]
    await executor.execute(UUID(job_id))
