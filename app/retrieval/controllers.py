"""HTTP endpoints for documents (an admin key manages its tenant's documents, every
group) and for search as the calling key (its own groups)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import BaseModel, ConfigDict, Field

from app.keys.auth import admin_only, authenticated, provide_principal
from app.keys.service import Principal
from app.problems import problem_responses
from app.retrieval.schemas import (
    Document,
    DocumentAclPatch,
    DocumentIn,
    DocumentIngested,
    DocumentPage,
)
from app.retrieval.service import DocumentService, Retrieval

DOCUMENT_MAX_BODY_BYTES = 8_000_000


def provide_documents(state: State) -> DocumentService:
    return state.services.documents


def provide_retrieval(state: State) -> Retrieval:
    return state.services.retrieval


class DocumentController(Controller):
    path = "/v1/documents"
    tags = ["documents"]
    security = [{"BearerAuth": []}]
    guards = [authenticated, admin_only]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "documents": Provide(provide_documents, sync_to_thread=False),
    }

    @post(
        "/",
        operation_id="IngestDocument",
        summary="Ingest a document",
        description=(
            "Creates the document (201), or, for the same (source, external_id), replaces its "
            "content (re-chunked and re-embedded in the background) or its groups, or changes "
            "nothing when all is the same (200). Needs an admin key."
        ),
        status_code=201,
        # A document may be long (text up to 500,000 characters, escaped in JSON up to
        # 12 bytes each): above the API's body limit for job requests.
        request_max_body_size=DOCUMENT_MAX_BODY_BYTES,
        responses={
            200: ResponseSpec(DocumentIngested, description="The document existed already."),
            **problem_responses(400, 401, 403, 413, 422, 503),
        },
    )
    async def ingest(
        self,
        data: JSONBody[DocumentIn],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
    ) -> Response[DocumentIngested]:
        ingested = await documents.ingest(principal.tenant_id, data)
        return Response(ingested, status_code=201 if ingested.outcome == "created" else 200)

    @get(
        "/",
        operation_id="ListDocuments",
        summary="List the tenant's documents",
        responses=problem_responses(400, 401, 403, 503),
    )
    async def list_documents(
        self,
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
        after: Annotated[
            UUID | None, QueryParameter(description="next_after of the previous page")
        ] = None,
        source: Annotated[str | None, QueryParameter(min_length=1, max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> DocumentPage:
        return await documents.list(principal.tenant_id, after=after, source=source, limit=limit)

    @get(
        "/{document_id:uuid}",
        operation_id="GetDocument",
        summary="Read a document",
        responses=problem_responses(400, 401, 403, 404, 503),
    )
    async def read(
        self,
        document_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
    ) -> Document:
        return await documents.get(principal.tenant_id, document_id)

    @patch(
        "/{document_id:uuid}",
        operation_id="SetDocumentAcl",
        summary="Change a document's ACL groups",
        description="Applies to search at once; nothing is re-embedded.",
        responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
    )
    async def set_acl(
        self,
        document_id: FromPath[UUID],
        data: JSONBody[DocumentAclPatch],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
    ) -> Document:
        return await documents.set_acl(principal.tenant_id, document_id, data.acl_groups)

    @delete(
        "/{document_id:uuid}",
        operation_id="DeleteDocument",
        summary="Delete a document",
        description="It is gone from search when this answers.",
        responses=problem_responses(400, 401, 403, 404, 503),
    )
    async def remove(
        self,
        document_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
    ) -> None:
        await documents.delete(principal.tenant_id, document_id)


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=2_000)
    k: int = Field(default=8, ge=1, le=50)


class SearchHit(BaseModel):
    document_id: UUID
    chunk_id: int
    document_version: int
    title: str
    url: str | None
    text: str
    score: float


class SearchResults(BaseModel):
    hits: list[SearchHit]


class SearchController(Controller):
    path = "/v1/search"
    tags = ["documents"]
    security = [{"BearerAuth": []}]
    guards = [authenticated]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "retrieval": Provide(provide_retrieval, sync_to_thread=False),
    }

    @post(
        "/",
        operation_id="SearchDocuments",
        summary="Search the documents this key may read",
        description="Hybrid (vector and full-text) search over the documents of the key's tenant "
        "whose groups overlap the key's.",
        status_code=200,
        responses=problem_responses(400, 401, 413, 422, 503),
    )
    async def search(
        self,
        data: JSONBody[SearchRequest],
        principal: NamedDependency[Principal],
        retrieval: NamedDependency[Retrieval],
    ) -> SearchResults:
        chunks = await retrieval.search(principal, data.query, data.k)
        return SearchResults(
            hits=[
                SearchHit(
                    document_id=c.document_id,
                    chunk_id=c.chunk_id,
                    document_version=c.document_version,
                    title=c.title,
                    url=c.url,
                    text=c.text,
                    score=c.score,
                )
                for c in chunks
            ]
        )
