"""The expiry sweeper: ends queued and running jobs whose deadline has passed."""

from __future__ import annotations

from datetime import datetime

from app.db import Connection, Database
from app.jobs.queue import JobQueue
from tasks.maintenance.service import MaintenanceService


class ExpirySweeper(MaintenanceService):
    """Each pass expires open jobs past ``expires_at`` and, in the same transaction,
    cancels their queue entries (a running one's worker is asked to abort; the
    fence refuses whatever it was about to write)."""

    duty = "expiry"

    def __init__(
        self, db: Database, queue: JobQueue, *, interval: float, batch_size: int = 500
    ) -> None:
        super().__init__(db, interval=interval)
        self.queue = queue
        self.batch_size = batch_size

    async def work(self, conn: Connection, now: datetime | None) -> int:
        await self.db.execute(
            "job_transaction_context", conn, actor="courier:expiry", lock_timeout="1s"
        )
        await self.db.execute("job_transaction_reason", conn, reason="deadline passed")
        expired = await self.db.fetch_all("job_expire_due", conn, now=now, limit=self.batch_size)
        for job in expired:
            if job["queue_job_id"] is not None:
                await self.queue.withdraw(conn, job["queue_job_id"])
        return len(expired)
