"""The shapes of documents and citations on the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

AclGroup = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:@-]{1,100}$")]
AclGroups = Annotated[
    list[AclGroup],
    Field(
        min_length=1,
        max_length=100,
        description="Groups that may read the document: a reader needs at least one of them.",
    ),
]


class DocumentIn(BaseModel):
    """A document to ingest. The same (source, external_id) again replaces the
    document when its content changed and changes nothing when it did not; without an
    external_id the content is its identity."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=500_000)
    acl_groups: AclGroups
    url: AnyHttpUrl | None = None
    source: str = Field(default="api", min_length=1, max_length=100)
    external_id: str | None = Field(default=None, min_length=1, max_length=500)
    metadata: dict[str, Any] = Field(default_factory=dict)


class DocumentAclPatch(BaseModel):
    """A change of a document's ACL groups: applies to search at once, re-embeds nothing."""

    model_config = ConfigDict(extra="forbid")

    acl_groups: AclGroups


class Document(BaseModel):
    id: UUID
    source: str
    external_id: str | None
    title: str
    url: str | None
    acl_groups: list[str]
    metadata: dict[str, Any]
    content_hash: str
    version: int = Field(description="Bumped on every change of content or ACL.")
    chunk_count: int
    created_at: datetime
    updated_at: datetime
    text: str | None = Field(default=None, description="The body (on GET of one document).")


class DocumentIngested(BaseModel):
    id: UUID
    version: int
    outcome: Literal["created", "replaced", "acl_changed", "unchanged"]
    """created: new; replaced: content changed (re-chunked, re-embedded); acl_changed:
    groups or descriptive fields only; unchanged: nothing to do."""


class DocumentPage(BaseModel):
    documents: list[Document]
    next_after: UUID | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class CitationView(BaseModel):
    """A citation of a job's result as the reader may see it now: the document's title
    and URL when the reader's groups reach it, otherwise only that a source was withheld."""

    source: str
    document_id: UUID | None = None
    chunk_id: int | None = None
    title: str | None = None
    url: str | None = None
    withheld: bool = False
