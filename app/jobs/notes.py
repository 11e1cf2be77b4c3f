"""Notes in a running job's history: events that record what happened inside an
execution (a model fallback) without changing the job's state. Written like state
events (same gapless ``seq``, the same outbox and SSE fan-out), and fenced like a
completion: an execution that lost its lease writes nothing. A note's data is
redacted before it is written (app/safety/redaction.py): events outlive the job's
input and are read by every client of the job and every webhook."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.db import Database
from app.safety.redaction import redact_value


class JobNotes:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self, job_id: UUID, lease: UUID, note: str, data: dict[str, Any], *, actor: str
    ) -> int | None:
        """Append note ``note`` with ``data``; its seq, or None when the lease is lost."""
        async with self.db.transaction() as conn:
            await self.db.execute("job_transaction_context", conn, actor=actor, lock_timeout="5s")
            row = await self.db.fetch_one(
                "job_event_note",
                conn,
                job_id=job_id,
                lease=lease,
                type=note,
                data=redact_value(data),
            )
        seq = row["seq"]
        return int(seq) if seq is not None else None
