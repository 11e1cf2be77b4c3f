"""The procrastinate task ``courier.embed_chunks``: embed a tenant's chunks that lack
an embedding of some model (one document's, or all of them), as worker jobs, so a
large ingest neither blocks the API nor loses work on a crash.

Each job embeds in batches with no database connection held during the embedder's
call, for every model that is not retired: the active one, and a building one while
a change of model is filled in. When a building model has every chunk of every
tenant it becomes the active one (search switches in one transaction: no gap). A
job is idempotent (embeddings already stored are kept), so a retry or a second job
for the same document only finishes what is missing. At start a worker defers one
catch-up job per tenant: whatever a crashed worker left unembedded is done then.
"""

from __future__ import annotations

import logging
from uuid import UUID

import procrastinate

from app.db import Conflict, Database, DatabaseUnavailable
from app.llm.errors import TransientProviderError
from app.retrieval.embeddings import DIMENSIONS, Embedders, EmbedderUnavailable, vector_literal
from app.retrieval.service import EMBED_TASK, EmbeddingQueue, tenant_transaction

log = logging.getLogger("courier.embeddings")


class ChunkEmbedding:
    def __init__(self, db: Database, embedders: Embedders, *, batch: int = 64) -> None:
        self.db = db
        self.embedders = embedders
        self.batch = batch

    async def prepare(self, queue: EmbeddingQueue) -> str:
        """Register the configured model (active at once on a new installation,
        building otherwise) and defer a catch-up job per tenant; returns its state."""
        try:
            row = await self.db.fetch_one(
                "embedding_model_ensure", model=self.embedders.configured, dimensions=DIMENSIONS
            )
        except Conflict:
            # Another worker made its model active at the same moment: this one builds.
            row = await self.db.fetch_one(
                "embedding_model_ensure", model=self.embedders.configured, dimensions=DIMENSIONS
            )
        async with self.db.transaction() as conn:
            for tenant in await self.db.fetch_all("tenant_list_ids", conn):
                await queue.defer(conn, tenant["id"], None)
        log.info(
            "embedding model",
            extra={"event": "embedding_model", "model": row["model"], "state": row["state"]},
        )
        return str(row["state"])

    async def embed(self, tenant_id: UUID, document_id: UUID | None) -> int:
        """Embed what is missing for ``tenant_id`` (one document, or all); returns how
        many embeddings were stored."""
        stored = 0
        building = False
        for model in await self.db.fetch_all("embedding_model_list"):
            building |= model["state"] == "building"
            try:
                embedder = self.embedders.get(model["model"])
            except EmbedderUnavailable:
                log.warning(
                    "cannot embed with this model here",
                    extra={"event": "embedding_model_unavailable", "model": model["model"]},
                )
                continue
            while True:
                async with tenant_transaction(self.db, tenant_id) as conn:
                    batch = await self.db.fetch_all(
                        "chunk_unembedded",
                        conn,
                        document_id=document_id,
                        model=embedder.model,
                        limit=self.batch,
                    )
                if not batch:
                    break
                vectors = await embedder.embed([row["body"] for row in batch])
                async with tenant_transaction(self.db, tenant_id) as conn:
                    await self.db.execute(
                        "chunk_embedding_insert_many",
                        conn,
                        model=embedder.model,
                        chunk_ids=[row["id"] for row in batch],
                        embeddings=[vector_literal(v) for v in vectors],
                    )
                stored += len(batch)
        if building:
            await self.activate_complete()
        return stored

    async def activate_complete(self) -> list[str]:
        """Make a building model active once no chunk of any tenant lacks it."""
        activated = []
        for model in await self.db.fetch_all("embedding_model_list"):
            if model["state"] != "building" or not await self._complete(model["model"]):
                continue
            async with self.db.transaction() as conn:
                await self.db.execute("embedding_model_retire_active", conn, model=model["model"])
                if await self.db.fetch_optional(
                    "embedding_model_activate", conn, model=model["model"]
                ):
                    activated.append(model["model"])
            log.info(
                "embedding model active",
                extra={"event": "embedding_model_activated", "model": model["model"]},
            )
        return activated

    async def _complete(self, model: str) -> bool:
        for tenant in await self.db.fetch_all("tenant_list_ids"):
            async with tenant_transaction(self.db, tenant["id"]) as conn:
                missing = await self.db.fetch_all(
                    "chunk_unembedded", conn, document_id=None, model=model, limit=1
                )
            if missing:
                return False
        return True


def register_embed_chunks(queue_app: procrastinate.App, embedding: ChunkEmbedding) -> None:
    """Declare ``courier.embed_chunks`` on a worker's queue app, bound to ``embedding``."""

    async def embed_chunks(tenant_id: str, document_id: str | None = None) -> None:
        await embedding.embed(UUID(tenant_id), UUID(document_id) if document_id else None)

    queue_app.task(
        name=EMBED_TASK,
        retry=procrastinate.RetryStrategy(
            max_attempts=10,
            exponential_wait=2,
            retry_exceptions={TransientProviderError, DatabaseUnavailable},
        ),
    )(embed_chunks)
