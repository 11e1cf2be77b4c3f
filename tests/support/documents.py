"""Documents for retrieval tests: a corpus put in through the real services, embedded
by the real embedding job's code (no worker needed), searched as principals."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from uuid import UUID

import psycopg

from app.db import Database
from app.jobs.queue import create_queue_app
from app.retrieval.embeddings import Embedders
from app.retrieval.schemas import DocumentIn
from app.retrieval.service import DocumentService, EmbeddingQueue, Retrieval
from tasks.embed import ChunkEmbedding


@dataclass(frozen=True)
class Reader:
    """A principal as row level security sees it (app.db.ActingPrincipal)."""

    id: UUID
    tenant_id: UUID
    acl_groups: tuple[str, ...]


@dataclass
class Corpus:
    db: Database
    admin: Database
    documents: DocumentService
    embedding: ChunkEmbedding
    retrieval: Retrieval

    async def tenant(self, slug: str | None = None) -> UUID:
        row = await self.admin.fetch_one("tenant_ensure", slug=slug or f"t-{uuid.uuid4().hex[:8]}")
        return row["id"]

    async def add(
        self,
        tenant_id: UUID,
        text: str,
        groups: Sequence[str],
        *,
        title: str = "A document",
        external_id: str | None = None,
        url: str | None = None,
    ) -> UUID:
        ingested = await self.documents.ingest(
            tenant_id,
            DocumentIn(
                title=title,
                text=text,
                acl_groups=list(groups),
                external_id=external_id,
                url=url,  # type: ignore[arg-type]
            ),
        )
        return ingested.id

    async def embed_all(self, tenant_id: UUID) -> int:
        return await self.embedding.embed(tenant_id, None)


@contextlib.asynccontextmanager
async def corpus_on(
    db: Database, admin: Database, embedders: Embedders | None = None
) -> AsyncIterator[Corpus]:
    queue_app = create_queue_app()
    await queue_app.open_async(pool=db.pool)
    embedders = embedders or Embedders()
    try:
        embedding = ChunkEmbedding(db, embedders, batch=32)
        await embedding.prepare(EmbeddingQueue(queue_app))
        yield Corpus(
            db,
            admin,
            DocumentService(db, EmbeddingQueue(queue_app), chunk_words=40, chunk_overlap_words=8),
            embedding,
            Retrieval(db, embedders),
        )
    finally:
        await queue_app.close_async()


def act_tenant_wide(conn: psycopg.Connection, tenant_id: UUID) -> None:
    """For the rest of ``conn``'s transaction act for every group of one tenant, with
    the settings a DBA would set in psql (docs/retrieval-dba.md)."""
    conn.execute(
        "SELECT set_config('courier.tenant_id', %s::text, true), "
        "set_config('courier.scope', 'tenant', true)",
        (tenant_id,),
    )
