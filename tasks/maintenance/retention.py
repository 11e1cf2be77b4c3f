"""The retention pruner: a worker's background duty that keeps history lean.

* Job inputs and results are purged once a job has been finished for longer than
  its tenant's retention (``tenants.retention_days``, else ``COURIER_RETENTION_DAYS``).
  The job row, its events and its audit columns (who, what kind, states, model,
  tokens, cost) stay; ``purged_at`` says when. The model answers checkpointed for
  those jobs (``llm_checkpoints``) and the outputs their reviews kept (``reviews``)
  go with them; expired entries of the model
  answer cache (``llm_cache``) are deleted.
* The embeddings of a retired embedding model (replaced by a change of
  ``COURIER_EMBEDDING_MODEL``: search reads only the active model's) are deleted
  tenant by tenant, in batches; then the model is marked purged and skipped.
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
from uuid import UUID

import procrastinate

from app.db import Database
from app.retrieval.service import tenant_transaction
from app.settings import RetentionSettings
from tasks.maintenance.service import PeriodicDuty

log = logging.getLogger("courier.retention")


@dataclass(frozen=True)
class RetentionPass:
    purged_jobs: int
    purged_embeddings: int = 0


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
        done = await self.run_once()
        return done.purged_jobs + done.purged_embeddings

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
        return RetentionPass(purged_jobs=purged, purged_embeddings=await self.purge_embeddings())

    async def purge_embeddings(self) -> int:
        """Delete the embeddings of every retired model not yet purged; mark a model
        purged once no tenant has one left (rows another pruner holds count as left)."""
        purged = 0
        for model in await self.db.fetch_all("embedding_model_retired_unpurged"):
            remains = False
            for tenant in await self.db.fetch_all("tenant_list_ids"):
                purged += await self._purge_tenant(tenant["id"], model["model"])
                async with tenant_transaction(self.db, tenant["id"]) as conn:
                    row = await self.db.fetch_one(
                        "chunk_embedding_remains", conn, model=model["model"]
                    )
                remains |= row["remains"]
            if not remains:
                await self.db.execute("embedding_model_purged", model=model["model"])
        if purged:
            log.info(
                "retired embeddings purged",
                extra={"event": "retention_embeddings_purged", "embeddings": purged},
            )
        return purged

    async def _purge_tenant(self, tenant_id: UUID, model: str) -> int:
        purged = 0
        while True:
            # A batch per transaction: a large tenant never holds its rows locked for long.
            async with tenant_transaction(self.db, tenant_id) as conn:
                deleted = await self.db.execute(
                    "chunk_embedding_purge_model",
                    conn,
                    model=model,
                    limit=self.config.batch_size,
                )
            purged += deleted
            if deleted < self.config.batch_size:
                return purged
