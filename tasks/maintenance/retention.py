"""The retention pruner: a worker's background duty that keeps history lean.

* Job inputs and results are purged once a job has been finished for longer than
  its tenant's retention (``tenants.retention_days``, else ``COURIER_RETENTION_DAYS``).
  The job row, its events and its audit columns (who, what kind, states, model,
  tokens, cost) stay; ``purged_at`` says when. The model answers checkpointed for
  those jobs (``llm_checkpoints``) and the outputs their reviews kept (``reviews``)
  go with them; expired entries of the model
  answer cache (``llm_cache``) are deleted.
* Finished procrastinate queue entries are deleted: succeeded ones at once by the
  worker (``delete_jobs="successful"``), failed, cancelled and aborted ones here
  after ``COURIER_RETENTION_QUEUE_HOURS``. Our ``jobs`` table is the history, so
  the live queue stays small.

Every worker runs one; they share the work safely (``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import procrastinate

from app.db import Database
from app.settings import RetentionSettings
from tasks.maintenance.service import PeriodicDuty

log = logging.getLogger("courier.retention")


@dataclass(frozen=True)
class RetentionPass:
    purged_jobs: int


class RetentionPruner(PeriodicDuty):
    duty = "retention"

    def __init__(
        self, db: Database, queue_app: procrastinate.App, config: RetentionSettings
    ) -> None:
        super().__init__(interval=config.interval_seconds)
        self.db = db
        self.queue_app = queue_app
        self.config = config

    async def tick(self) -> int:
        return (await self.run_once()).purged_jobs

    async def run_once(self, *, now: datetime | None = None) -> RetentionPass:
        """One pass: purge every job that is due (in batches, each its own transaction),
        then delete old finished queue entries."""
        purged = 0
        while True:
            rows = await self.db.fetch_all(
                "job_purge_expired",
                default_days=self.config.days,
                limit=self.config.batch_size,
                now=now,
            )
            purged += len(rows)
            if not rows:
                break
            purged_ids = [row["id"] for row in rows]
            await self.db.execute("llm_checkpoint_purge", job_ids=purged_ids)
            await self.db.execute("review_purge", job_ids=purged_ids, now=now)
        while await self.db.execute(
            "llm_cache_purge_expired", limit=self.config.batch_size, now=now
        ):
            pass
        await self.queue_app.job_manager.delete_old_jobs(
            nb_hours=self.config.queue_hours,
            include_failed=True,
            include_cancelled=True,
            include_aborted=True,
        )
        if purged:
            log.info(
                "job inputs and results purged", extra={"event": "retention_purged", "jobs": purged}
            )
        return RetentionPass(purged_jobs=purged)
