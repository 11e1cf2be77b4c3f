"""The procrastinate queue that carries "run this job" requests to workers.

Courier's own ``jobs`` table is the state of record; a procrastinate job is
only the request to execute one of ours, deferred in the intake transaction.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import procrastinate

from app.db import Connection, connection_configurer

RUN_JOB_TASK = "courier.run_job"


def create_queue_app() -> procrastinate.App:
    """A procrastinate app without a pool: open it with ``open_async(pool=...)``
    to share the process's pool. The connection procrastinate opens beside the pool
    (its worker's LISTEN) runs as the runtime role too."""
    return procrastinate.App(
        connector=procrastinate.PsycopgConnector(configure=connection_configurer())
    )


class JobQueue:
    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    async def enqueue(
        self,
        conn: Connection,
        *,
        job_id: UUID,
        queue: str,
        priority: int,
        schedule_at: datetime | None = None,
    ) -> int:
        """Defer the execution of ``job_id`` inside the caller's transaction (not before
        ``schedule_at`` if given); returns the queue entry id."""
        deferrer = self.app.configure_task(
            RUN_JOB_TASK, queue=queue, priority=priority, connection=conn, schedule_at=schedule_at
        )
        return await deferrer.defer_async(job_id=str(job_id))

    async def withdraw(self, conn: Connection, queue_job_id: int) -> bool:
        """Inside the caller's transaction: cancel a waiting queue entry, or ask the
        worker running it to abort (its task gets ``CancelledError``). False when the
        entry is already finished."""
        return await self.app.job_manager.cancel_job_by_id_async(
            queue_job_id, abort=True, connection=conn
        )
