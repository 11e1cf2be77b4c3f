"""The procrastinate queue that carries "run this job" requests to workers.

Courier's own ``jobs`` table is the state of record; a procrastinate job is
only the request to execute one of ours, deferred in the intake transaction.
"""

from __future__ import annotations

from uuid import UUID

import procrastinate

from app.db import Connection

RUN_JOB_TASK = "courier.run_job"


def create_queue_app() -> procrastinate.App:
    """A procrastinate app without a pool: open it with ``open_async(pool=...)``
    to share the process's pool."""
    return procrastinate.App(connector=procrastinate.PsycopgConnector())


class JobQueue:
    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    async def enqueue(self, conn: Connection, *, job_id: UUID, queue: str, priority: int) -> int:
        """Defer the execution of ``job_id`` inside the caller's transaction; returns the queue entry id."""
        deferrer = self.app.configure_task(RUN_JOB_TASK, queue=queue, priority=priority, connection=conn)
        return await deferrer.defer_async(job_id=str(job_id))
