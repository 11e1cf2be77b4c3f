"""Documents and retrieval: ingestion (:class:`DocumentService`), search as a
principal (:class:`Retrieval`), and citations checked against what was retrieved.

The interface a job kind uses (docs/retrieval.md):

* ``await retrieval.search(principal, query, k)`` → :class:`RetrievedChunk` list:
  the chunks of documents ``principal`` may see now (row level security decides,
  in the database), best first, each with its document id, chunk id, document
  version and text. In a worker the principal is the job's requester (the groups
  recorded at intake), through :func:`retrieve_for_job`.
* :meth:`RetrievedChunk.as_source` → the :class:`~app.llm.provider.Source` a prompt
  gives the model (id ``doc:<document id>:<chunk id>``, version = document version
  and content hash, which the model cache keys on).
* :func:`retrieved_documents` → the chunks as a kind's rules check citations against
  (:class:`app.llm.rules.Grounded`): an output citing any other chunk is invalid.

Every read and write runs in a transaction on behalf of a principal: as the
requester for search and for citations shown to a reader, tenant wide (every
group) for an admin key managing the tenant's documents and for the embedding jobs.
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import procrastinate

from app.db import ActingPrincipal, Conflict, Connection, Database, NotFound
from app.errors import NotFoundError
from app.llm.errors import ProviderError
from app.llm.provider import Source
from app.retrieval.chunking import chunk_text
from app.retrieval.embeddings import (
    HASHED_MODEL,
    Embedders,
    EmbedderUnavailable,
    vector_literal,
)
from app.retrieval.schemas import (
    CitationView,
    Document,
    DocumentIn,
    DocumentIngested,
    DocumentPage,
    IngestOutcome,
)

log = logging.getLogger("courier.retrieval")

EMBED_TASK = "courier.embed_chunks"
EMBED_QUEUE = "jobs"
EMBED_PRIORITY = -50
"""Below live jobs (priority 0 and up): a bulk ingest never delays an answer."""

_SOURCE_ID = re.compile(r"^doc:(?P<document>[0-9a-f-]{36}):(?P<chunk>\d+)$")
_SOURCE_IN_TEXT = re.compile(r"doc:[0-9a-f-]{36}:\d+")
WITHHELD_SOURCE = "doc:withheld"


class DocumentNotFound(NotFoundError):
    """No such document for this tenant."""


@dataclass(frozen=True)
class TenantScope:
    """Acting for a whole tenant: an admin key's document management, the embedding jobs."""

    tenant_id: UUID


@dataclass(frozen=True)
class RetrievedChunk:
    document_id: UUID
    chunk_id: int
    document_version: int
    ordinal: int
    text: str
    title: str
    url: str | None
    score: float

    @property
    def source_id(self) -> str:
        return source_id(self.document_id, self.chunk_id)

    def as_source(self) -> Source:
        """The chunk as a prompt's source: marked data with its id; its version names
        the document's version and the chunk's content, for the model cache key."""
        digest = hashlib.sha256(self.text.encode()).hexdigest()[:16]
        return Source(
            id=self.source_id,
            text=self.text,
            version=f"v{self.document_version}:{digest}",
            title=self.title,
        )


@runtime_checkable
class Retrieving(Protocol):
    """A kind handler's provider that can search documents as the job's requester
    (app/llm/steps.py ``JobSteps``)."""

    async def retrieve(self, query: str, k: int) -> list[RetrievedChunk]: ...


async def retrieve_for_job(provider: object, query: str, k: int = 6) -> list[RetrievedChunk]:
    """What a grounded kind's handler calls: the chunks the job's requester may see
    that best match ``query``; none when its provider cannot retrieve (a handler run
    outside a worker, with a bare provider)."""
    if not isinstance(provider, Retrieving):
        return []
    return await provider.retrieve(query, k)


def source_id(document_id: UUID, chunk_id: int) -> str:
    """How a prompt and a citation name a chunk: ``doc:<document id>:<chunk id>``."""
    return f"doc:{document_id}:{chunk_id}"


def parse_source_id(value: str) -> tuple[UUID, int] | None:
    """(document id, chunk id) of a chunk's source id; None for any other source."""
    match = _SOURCE_ID.match(value)
    if match is None:
        return None
    try:
        return UUID(match["document"]), int(match["chunk"])
    except ValueError:
        return None


def sources_named_in(text: str) -> list[str]:
    """The chunk source ids ``text`` names (a safety flag's field, a reason's detail),
    in order, once each."""
    return list(dict.fromkeys(_SOURCE_IN_TEXT.findall(text)))


def withhold_sources(text: str, keep: Collection[str] = ()) -> str:
    """``text`` with every chunk source id not in ``keep`` replaced by
    :data:`WITHHELD_SOURCE`: where a reader's groups are unknown or do not reach a
    document, not even its id is shown."""
    return _SOURCE_IN_TEXT.sub(
        lambda match: match.group() if match.group() in keep else WITHHELD_SOURCE, text
    )


def retrieved_documents(chunks: Iterable[RetrievedChunk]) -> dict[str, str]:
    """The chunks by source id, as :class:`app.llm.rules.Grounded` holds them: the
    document citations a grounded kind's answer may make, with the text a quote must
    come from."""
    return {chunk.source_id: chunk.text for chunk in chunks}


def content_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()


class EmbeddingQueue:
    """Defers embedding jobs (``courier.embed_chunks``) in the caller's transaction, so
    a document and the request to embed it commit together or not at all."""

    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    async def defer(self, conn: Connection, tenant_id: UUID, document_id: UUID | None) -> None:
        deferrer = self.app.configure_task(
            EMBED_TASK, queue=EMBED_QUEUE, priority=EMBED_PRIORITY, connection=conn
        )
        await deferrer.defer_async(
            tenant_id=str(tenant_id), document_id=str(document_id) if document_id else None
        )


@dataclass
class IngestProgress:
    """How far a bulk ingest got (``courier ingest``)."""

    total: int
    seen: int = 0
    created: int = 0
    replaced: int = 0
    existing: int = 0
    skipped: int = 0


class DocumentService:
    """A tenant's documents, managed tenant wide (an admin key), under row level security."""

    def __init__(
        self,
        db: Database,
        queue: EmbeddingQueue,
        *,
        chunk_words: int = 160,
        chunk_overlap_words: int = 32,
    ) -> None:
        self.db = db
        self.queue = queue
        self.chunk_words = chunk_words
        self.chunk_overlap_words = chunk_overlap_words

    async def ingest(self, tenant_id: UUID, document: DocumentIn) -> DocumentIngested:
        """Create, replace or leave a document (idempotent; see :class:`DocumentIn`)."""
        try:
            return await self._ingest(tenant_id, document)
        except Conflict:
            # The same document ingested at the same moment: the other one is there now.
            return await self._ingest(tenant_id, document)

    async def ingest_many(
        self,
        tenant_id: UUID,
        documents: Sequence[DocumentIn],
        on_progress: Callable[[IngestProgress], None] | None = None,
    ) -> IngestProgress:
        """Ingest documents one transaction each (a crash keeps what was done; running
        the same file again changes only what is missing)."""
        progress = IngestProgress(total=len(documents))
        for document in documents:
            outcome = (await self.ingest(tenant_id, document)).outcome
            progress.seen += 1
            if outcome == "created":
                progress.created += 1
            elif outcome == "unchanged":
                progress.existing += 1
            else:
                progress.replaced += 1
            if on_progress is not None:
                on_progress(progress)
        return progress

    async def _ingest(self, tenant_id: UUID, document: DocumentIn) -> DocumentIngested:
        digest = content_hash(document.title, document.text)
        fields: dict[str, Any] = {
            "title": document.title,
            "url": str(document.url) if document.url is not None else None,
            "body": document.text,
            "metadata": document.metadata,
            "acl_groups": document.acl_groups,  # sorted, without repeats (schemas.py)
            "content_hash": digest,
        }
        async with self._tenant_transaction(tenant_id) as conn:
            found = await self.db.fetch_optional(
                "document_find_for_update",
                conn,
                tenant_id=tenant_id,
                source=document.source,
                external_id=document.external_id,
                content_hash=digest,
            )
            if found is None:
                row = await self.db.fetch_one(
                    "document_insert",
                    conn,
                    tenant_id=tenant_id,
                    source=document.source,
                    external_id=document.external_id,
                    **fields,
                )
                await self._replace_chunks(conn, tenant_id, row["id"], document)
                return DocumentIngested(id=row["id"], version=row["version"], outcome="created")
            same_content = found["content_hash"] == digest
            # Groups are a set (rows written before they were kept sorted may not be).
            same_groups = sorted(set(found["acl_groups"])) == fields["acl_groups"]
            same_fields = all(found[name] == fields[name] for name in ("url", "metadata"))
            if same_content and same_groups and same_fields:
                return DocumentIngested(
                    id=found["id"], version=found["version"], outcome="unchanged"
                )
            row = await self.db.fetch_one("document_update", conn, id=found["id"], **fields)
            if not same_content:
                await self._replace_chunks(conn, tenant_id, row["id"], document)
            outcome: IngestOutcome = (
                "replaced"
                if not same_content
                else "acl_changed"
                if not same_groups
                else "metadata_changed"
            )
            return DocumentIngested(id=row["id"], version=row["version"], outcome=outcome)

    async def _replace_chunks(
        self, conn: Connection, tenant_id: UUID, document_id: UUID, document: DocumentIn
    ) -> None:
        await self.db.execute("chunk_delete_for_document", conn, document_id=document_id)
        bodies = chunk_text(
            document.title,
            document.text,
            size=self.chunk_words,
            overlap=self.chunk_overlap_words,
        )
        await self.db.execute(
            "chunk_insert_many", conn, document_id=document_id, tenant_id=tenant_id, bodies=bodies
        )
        await self.queue.defer(conn, tenant_id, document_id)

    async def get(self, tenant_id: UUID, document_id: UUID) -> Document:
        async with self._tenant_transaction(tenant_id) as conn:
            try:
                row = await self.db.fetch_one("document_get", conn, id=document_id)
            except NotFound as exc:
                raise DocumentNotFound(f"no document {document_id}") from exc
        return Document.model_validate(row | {"text": row["body"]})

    async def list(
        self, tenant_id: UUID, *, after: UUID | None, source: str | None, limit: int
    ) -> DocumentPage:
        async with self._tenant_transaction(tenant_id) as conn:
            rows = await self.db.fetch_all(
                "document_list", conn, after=after, source=source, limit=limit + 1
            )
        page = [Document.model_validate(row) for row in rows[:limit]]
        return DocumentPage(documents=page, next_after=page[-1].id if len(rows) > limit else None)

    async def delete(self, tenant_id: UUID, document_id: UUID) -> None:
        async with self._tenant_transaction(tenant_id) as conn:
            if await self.db.fetch_optional("document_delete", conn, id=document_id) is None:
                raise DocumentNotFound(f"no document {document_id}")

    async def set_acl(
        self, tenant_id: UUID, document_id: UUID, groups: builtins.list[str]
    ) -> Document:
        async with self._tenant_transaction(tenant_id) as conn:
            row = await self.db.fetch_optional(
                "document_acl_set", conn, id=document_id, acl_groups=sorted(set(groups))
            )
        if row is None:
            raise DocumentNotFound(f"no document {document_id}")
        return Document.model_validate(row)

    def _tenant_transaction(self, tenant_id: UUID) -> AbstractAsyncContextManager[Connection]:
        return tenant_transaction(self.db, tenant_id)


@asynccontextmanager
async def tenant_transaction(db: Database, tenant_id: UUID) -> AsyncIterator[Connection]:
    """A transaction acting for every group of one tenant (and nothing of another)."""
    async with db.transaction() as conn:
        await db.execute("session_act_for_tenant", conn, tenant_id=tenant_id)
        yield conn


@dataclass(frozen=True)
class SearchTuning:
    ef_search: int = 400
    max_scan_tuples: int = 20_000
    candidates: int = 40
    exact_limit: int = 50_000
    """Readers who may see at most this many embeddings get the exact path (through the
    ACL index); others the HNSW index (sql/chunks.sql ``chunk_search_path``)."""
    shortlist_above: int = 10_000
    """On the exact path, a reader who may see more embeddings than this gets a
    shortlist by code (below) instead of a scan of them all (sql/chunks.sql
    ``chunk_search_vector``)."""
    rerank: int = 700
    """The shortlist: the visible embeddings whose codes are nearest (the query's
    heavier dimensions weighing twice), then ranked by their true distance
    (migrations/0034, 0035; recall@10 0.970 of 27,400 visible on the bench's data,
    bench/RESULTS.md)."""
    coded_models: frozenset[str] = frozenset({HASHED_MODEL})
    """Models whose embeddings the shortlist was measured on. The code tells a zero from
    a sign; a dense model's embeddings have no zeros, so their codes are plain sign
    bits, and on a dense proxy of the bench's data a shortlist of 1,000 kept recall@10
    at 0.93 only (docs/retrieval-dba.md): other models are scanned whole."""

    def rerank_for(self, embeddings: int, k: int, model: str | None) -> int:
        """The shortlist for a reader who may see ``embeddings`` of ``model`` (0: scan
        them all)."""
        if model not in self.coded_models or embeddings <= self.shortlist_above:
            return 0
        return max(self.rerank, self.candidates, k)


class Retrieval:
    """Hybrid search as a principal (see the module docstring)."""

    def __init__(
        self, db: Database, embedders: Embedders, tuning: SearchTuning | None = None
    ) -> None:
        self.db = db
        self.embedders = embedders
        self.tuning = tuning or SearchTuning()

    async def search(
        self, principal: ActingPrincipal, query: str, k: int = 8
    ) -> list[RetrievedChunk]:
        """The ``k`` best chunks for ``query`` among those ``principal`` may see now.

        One statement first (``chunk_search_scope``): a reader who can see no chunk
        (a tenant without documents) is answered with none, with no embedding of the
        query and no search transaction; a reader who can see no embedding gets the
        full-text half alone."""
        groups = list(principal.acl_groups)
        scope = await self.db.fetch_one(
            "chunk_search_scope",
            tenant_id=principal.tenant_id,
            user_id=principal.id,
            groups=groups,
            exact_limit=self.tuning.exact_limit,
        )
        if not scope["searchable"]:
            return []
        model = scope["model"]
        embedding = await self._query_embedding(model, query) if scope["vectors"] else None
        # The reader and the path's settings in one statement (session_act_for and
        # session_search_tuning together); row level security reads them as ever.
        async with self.db.transaction() as conn:
            await self.db.execute(
                "session_act_for_search",
                conn,
                tenant_id=principal.tenant_id,
                user_id=principal.id,
                groups=groups,
                ef_search=self.tuning.ef_search,
                max_scan_tuples=self.tuning.max_scan_tuples,
                exact=scope["exact"],
            )
            rows = await self.db.fetch_all(
                "chunk_search_hybrid",
                conn,
                embedding=embedding,
                model=model,
                text=query,
                candidates=max(self.tuning.candidates, k),
                exact=scope["exact"],
                rerank=self.tuning.rerank_for(scope["embeddings"], k, scope["model"]),
                k=k,
            )
        return [
            RetrievedChunk(
                document_id=row["document_id"],
                chunk_id=row["chunk_id"],
                document_version=row["document_version"],
                ordinal=row["ordinal"],
                text=row["body"],
                title=row["title"],
                url=row["url"],
                score=row["score"],
            )
            for row in rows
        ]

    async def _query_embedding(self, model: str | None, query: str) -> str | None:
        """The query's embedding by the active ``model``; None when no model is active
        or its embedder fails: full-text search alone still answers."""
        if model is None:
            return None
        try:
            [vector] = await self.embedders.get(model).embed([query])
        except (ProviderError, EmbedderUnavailable) as exc:
            log.warning(
                "query embedding failed: full-text search only",
                extra={
                    "event": "retrieval_embedding_failed",
                    "model": model,
                    "error": type(exc).__name__,
                },
            )
            return None
        return vector_literal(vector)

    async def reads_every_retrieved(self, reader: ActingPrincipal, job_id: UUID) -> bool:
        """Whether ``reader`` may read now every document the job's steps retrieved
        (sql/job_sources.sql): a result may use a chunk's text without citing it, so
        whoever reads the result must reach each of them. The caller has scoped the job
        to the reader's tenant."""
        retrieved = {
            row["document_id"]
            for row in await self.db.fetch_all("job_source_documents", job_id=job_id)
        }
        if not retrieved:
            return True
        async with self.db.transaction(on_behalf_of=reader) as conn:
            rows = await self.db.fetch_all("document_visible_many", conn, ids=sorted(retrieved))
        return retrieved <= {row["id"] for row in rows}

    async def resolve_citations(
        self, reader: ActingPrincipal, sources: Sequence[str]
    ) -> list[CitationView]:
        """The citations ``sources`` as ``reader`` may see them now: title and URL of the
        documents the reader's groups reach, "withheld" for the others."""
        ids = sorted({chunk[0] for chunk in map(parse_source_id, sources) if chunk is not None})
        visible: dict[UUID, dict[str, Any]] = {}
        if ids:
            async with self.db.transaction(on_behalf_of=reader) as conn:
                rows = await self.db.fetch_all("document_visible_many", conn, ids=ids)
            visible = {row["id"]: row for row in rows}
        return citation_views(sources, visible)

    async def reader_documents(
        self, reader: ActingPrincipal, job_ids: Sequence[UUID], sources: Iterable[str]
    ) -> ReaderDocuments:
        """What ``reader`` may see now of the documents a page of jobs cite (``sources``)
        or retrieved (sql/job_sources.sql), in one autocommitted statement acting for
        the reader: the per-job :meth:`resolve_citations` and
        :meth:`reads_every_retrieved` at once.
        The caller has scoped the jobs to the reader's tenant."""
        cited = sorted({chunk[0] for chunk in map(parse_source_id, sources) if chunk is not None})
        rows = await self.db.fetch_all(
            "job_reader_documents",
            tenant_id=reader.tenant_id,
            user_id=reader.id,
            groups=list(reader.acl_groups),
            job_ids=list(job_ids),
            cited_ids=cited,
        )
        retrieved: dict[UUID, set[UUID]] = {}
        for row in rows:
            for job_id in row["retrieved_by"]:
                retrieved.setdefault(job_id, set()).add(row["id"])
        return ReaderDocuments(
            visible={row["id"]: row for row in rows if row["visible"]}, retrieved=retrieved
        )


@dataclass(frozen=True)
class ReaderDocuments:
    """The documents of a page of jobs as one reader may see them now
    (:meth:`Retrieval.reader_documents`)."""

    visible: dict[UUID, dict[str, Any]]
    """The documents the reader may see, by id, with their title and url."""
    retrieved: dict[UUID, set[UUID]]
    """The documents each job's steps retrieved, by job id (none: absent)."""

    def citations(self, sources: Sequence[str]) -> list[CitationView]:
        """As :meth:`Retrieval.resolve_citations`."""
        return citation_views(sources, self.visible)

    def reads_every_retrieved(self, job_id: UUID) -> bool:
        """As :meth:`Retrieval.reads_every_retrieved`."""
        return self.retrieved.get(job_id, set()) <= self.visible.keys()


def citation_views(
    sources: Sequence[str], visible: dict[UUID, dict[str, Any]]
) -> list[CitationView]:
    """Each distinct source of ``sources``, in order, as a reader sees it: title and URL
    of the documents in ``visible`` (those the reader's groups reach), "withheld" for
    other documents, the source alone where it names no document."""
    views = []
    for source in dict.fromkeys(sources):
        chunk = parse_source_id(source)
        if chunk is None:
            views.append(CitationView(source=source))
        elif chunk[0] in visible:
            row = visible[chunk[0]]
            views.append(
                CitationView(
                    source=source,
                    document_id=chunk[0],
                    chunk_id=chunk[1],
                    title=row["title"],
                    url=row["url"],
                )
            )
        else:
            views.append(CitationView(source="withheld", withheld=True))
    return views
