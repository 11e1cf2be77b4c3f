"""What the console reads beyond the API's services: where the tenant stream stands
(so a page and its live updates meet without a gap), a job's model calls, and the
passages a held output cites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar.datastructures import State

from app.db import Database
from app.keys.service import Principal
from app.retrieval.service import Retrieval, parse_source_id
from app.safety.guards import cited_sources


@dataclass(frozen=True)
class CitedPassage:
    """A document chunk an output cites, as its reader may see it now: title, URL and
    the chunk's text where the reader's groups reach the document, else only that it
    is withheld."""

    source: str
    withheld: bool
    title: str | None = None
    url: str | None = None
    text: str | None = None


class ConsoleReads:
    def __init__(self, db: Database, retrieval: Retrieval | None = None) -> None:
        self.db = db
        self.retrieval = retrieval

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

    async def cited_passages(self, reader: Principal, output: Any) -> list[CitedPassage]:
        """The document chunks ``output`` cites (what a grounded job's
        ``search_documents`` retrieved and its output names), resolved for ``reader``
        as the API resolves a result's citations (Retrieval.resolve_citations), with
        the text of each chunk the reader may read."""
        sources = [s for s in cited_sources(output or {}) if parse_source_id(s) is not None]
        if not sources or self.retrieval is None:
            return []
        views = await self.retrieval.resolve_citations(reader, sources)
        readable = [v for v in views if not v.withheld and v.chunk_id is not None]
        texts: dict[tuple[UUID, int], str] = {}
        if readable:
            async with self.db.transaction(on_behalf_of=reader) as conn:
                rows = await self.db.fetch_all(
                    "chunk_text_visible_many", conn, ids=[v.chunk_id for v in readable]
                )
            texts = {(row["document_id"], row["id"]): row["body"] for row in rows}
        return [
            CitedPassage(source=v.source, withheld=True)
            if v.withheld
            else CitedPassage(
                source=v.source,
                withheld=False,
                title=v.title,
                url=v.url,
                text=texts.get((v.document_id, v.chunk_id))
                if v.document_id is not None and v.chunk_id is not None
                else None,
            )
            for v in views
        ]


def provide_reads(state: State) -> ConsoleReads:
    return ConsoleReads(state.services.db, state.services.retrieval)
