"""The procrastinate task ``courier.run_job`` (``RUN_JOB_TASK`` in app/jobs/queue.py):
each queue entry the intake defers is one execution of a Courier job by a
:class:`tasks.execution.JobExecutor`."""

from __future__ import annotations

from uuid import UUID

import procrastinate

from app.jobs.queue import RUN_JOB_TASK
from tasks.execution import JobExecutor


def register_run_job(queue_app: procrastinate.App, executor: JobExecutor) -> None:
    """Declare ``courier.run_job`` on a worker's queue app, bound to ``executor``."""

    async def run_job(context: procrastinate.JobContext, job_id: str) -> None:
        # The entry's id goes along: only the job's current entry may start an execution.
        await executor.execute(UUID(job_id), queue_job_id=context.job.id)

    queue_app.task(name=RUN_JOB_TASK, pass_context=True)(run_job)
