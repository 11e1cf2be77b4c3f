"""The stalled-job rescuer: gives the jobs of dead workers to live ones.

procrastinate leaves a job ``doing`` forever when its worker dies (kill -9, lost
connection); this duty takes such jobs over once their worker's heartbeat is older
than ``stalled_after`` seconds (a draining worker keeps beating: tasks/worker.py).
A takeover acts only on the job's current queue entry: that entry is closed
(failed) and the job gets a new one, in one transaction. The new execution takes
the lease over, so the stalled one, should it wake up, can no longer write to the
job, and whatever it does to its own closed entry (finish it, abort it) cannot
touch the new owner's. A stale entry (its job finished or moved on to another
entry) is only closed, never run again.

It also re-queues *orphans*: open Courier jobs with no live queue entry, e.g.
an execution whose end could not be recorded because the database was down.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.db import Connection, Database
from app.jobs.queue import JobQueue
from tasks.maintenance.service import MaintenanceService

log = logging.getLogger("courier.maintenance")


class StalledJobRescuer(MaintenanceService):
    duty = "rescuer"

    def __init__(
        self,
        db: Database,
        queue: JobQueue,
        *,
        interval: float,
        stalled_after: float,
        orphan_grace: float,
        batch_size: int = 500,
        restart_grace: float | None = None,
    ) -> None:
        super().__init__(db, interval=interval)
        self.queue = queue
        self.stalled_after = stalled_after
        # How long after a PostgreSQL start heartbeats are not trusted (default: stalled_after).
        self.restart_grace = stalled_after if restart_grace is None else restart_grace
        self.orphan_grace = timedelta(seconds=orphan_grace)
        self.batch_size = batch_size

    async def work(self, conn: Connection, now: datetime | None) -> int:
        return await self._rescue_stalled(conn) + await self._rescue_orphans(conn, now)

    async def _rescue_stalled(self, conn: Connection) -> int:
        uptime = (await self.db.fetch_one("maintenance_server_uptime", conn))["seconds"]
        if uptime < self.restart_grace:
            # PostgreSQL restarted: every heartbeat is stale because no one could beat,
            # not because workers died. Re-queueing now would run live jobs twice.
            return 0
        manager = self.queue.app.job_manager
        # Dead workers' rows go; their jobs keep status doing with no worker, which
        # get_stalled_jobs returns too.
        await manager.prune_stalled_workers(self.stalled_after)
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=self.stalled_after))
        rescued = 0
        for entry in stalled:
            assert entry.id is not None
            job_id = entry.task_kwargs.get("job_id")
            if await self._take_over(conn, entry.id, job_id if isinstance(job_id, str) else None):
                rescued += 1
        return rescued

    async def _take_over(self, conn: Connection, queue_job_id: int, job_id: str | None) -> bool:
        """Close a stalled queue entry and, if it is still its job's current entry,
        give the job a new one; True when a job was given back to the queue."""
        job = await self.db.fetch_optional(
            "job_lock_for_takeover", conn, job_id=job_id, queue_job_id=queue_job_id
        )
        closed = await self.db.fetch_optional(
            "queue_entry_fail_stalled", conn, queue_job_id=queue_job_id
        )
        if closed is None:
            return False  # its worker finished it after all
        if job is None:
            log.info(
                "stale queue entry closed",
                extra={
                    "event": "queue_job_stale_closed",
                    "queue_job_id": queue_job_id,
                    "job_id": job_id,
                },
            )
            return False
        new_entry = await self.queue.enqueue(
            conn, job_id=job["id"], queue=job["queue"], priority=job["priority"]
        )
        await self.db.fetch_one("job_set_queue_job", conn, job_id=job["id"], queue_job_id=new_entry)
        log.info(
            "stalled job re-queued",
            extra={
                "event": "queue_job_rescued",
                "queue_job_id": queue_job_id,
                "new_queue_job_id": new_entry,
                "job_id": job_id,
            },
        )
        return True

    async def _rescue_orphans(self, conn: Connection, now: datetime | None) -> int:
        orphans = await self.db.fetch_all(
            "job_list_orphaned", conn, now=now, grace=self.orphan_grace, limit=self.batch_size
        )
        rescued = 0
        for orphan in orphans:
            job = await self.db.fetch_optional("job_lock_orphaned", conn, job_id=orphan["id"])
            if job is None:  # it moved on since the list was read
                continue
            queue_job_id = await self.queue.enqueue(
                conn, job_id=job["id"], queue=job["queue"], priority=job["priority"]
            )
            await self.db.fetch_one(
                "job_set_queue_job", conn, job_id=job["id"], queue_job_id=queue_job_id
            )
            log.warning(
                "orphaned job re-queued",
                extra={"event": "job_orphan_rescued", "job_id": str(job["id"])},
            )
            rescued += 1
        return rescued
