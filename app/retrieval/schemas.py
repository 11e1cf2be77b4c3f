"""The shapes of documents and citations on the HTTP API."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

MAX_METADATA_BYTES = 16_384
"""A document's ``metadata`` as compact JSON (UTF-8) may take at most this many bytes."""


def _sorted_groups(groups: list[str]) -> list[str]:
    # A set: the same groups in another order, or twice, are the same ACL (no new version).
    return sorted(set(groups))


AclGroup = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:@-]{1,100}$")]
AclGroups = Annotated[
    list[AclGroup],
    Field(
        min_length=1,
        max_length=100,
        description=(
            "Groups that may read the document: a reader needs at least one of them "
            "(a set: stored sorted, without repeats)."
        ),
    ),
    AfterValidator(_sorted_groups),
]


def _no_nul(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold U+0000: refuse it with the field's name
    # (and, in `courier ingest`, the line's number) before anything is written.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return value


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
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description=f"Descriptive fields, at most {MAX_METADATA_BYTES} bytes as JSON.",
    )

    @field_validator("title", "text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank (only whitespace)")
        return _no_nul(value)

    @field_validator("source", "external_id")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        return None if value is None else _no_nul(value)

    @field_validator("metadata")
    @classmethod
    def _bounded(cls, value: dict[str, Any]) -> dict[str, Any]:
        encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        if len(encoded.encode()) > MAX_METADATA_BYTES:
            raise ValueError(f"must take at most {MAX_METADATA_BYTES} bytes as JSON")
        if _holds_nul(value):
            raise ValueError("must not contain the NUL character (\\u0000)")
        return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


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


IngestOutcome = Literal["created", "replaced", "acl_changed", "metadata_changed", "unchanged"]


class DocumentIngested(BaseModel):
    id: UUID
    version: int
    outcome: IngestOutcome
    """created: new; replaced: content changed (re-chunked, re-embedded); acl_changed:
    groups changed (and perhaps url or metadata), not the content; metadata_changed: only
    url or metadata; unchanged: nothing to do."""


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
