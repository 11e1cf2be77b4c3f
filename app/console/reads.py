"""What the console reads beyond the API's services: where the tenant stream stands
(so a page and its live updates meet without a gap) and a job's model calls."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.datastructures import State

from app.db import Database
from app.keys.service import Principal


class ConsoleReads:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def stream_position(self) -> str:
        """A tenant-stream cursor taken before a page reads its rows: the page's stream
        resumes after it (as after a reconnect), so nothing committed while the page was
        rendered is missed. Seen twice at worst, which the page tolerates."""
        start = await self.db.fetch_one("job_event_stream_start")
        return f"{start['xid']}.0"

    async def job_input(self, principal: Principal, job_id: UUID) -> Any:
        """The job's input as it was submitted (None once retention purged it)."""
        row = await self.db.fetch_one("job_get", job_id=job_id, tenant_id=principal.tenant_id)
        return row["input"]

    async def model_calls(self, principal: Principal, job_id: UUID) -> list[dict[str, Any]]:
        """The job's model calls, oldest first (the caller has checked it may see the job)."""
        return await self.db.fetch_all(
            "llm_call_list_for_job", job_id=job_id, tenant_id=principal.tenant_id
        )


def provide_reads(state: State) -> ConsoleReads:
    return ConsoleReads(state.services.db)
