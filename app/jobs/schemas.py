"""The shapes of jobs on the HTTP API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, RootModel, create_model

from app.client_input import Int32
from app.jobs.kinds import KindRegistry
from app.retrieval.schemas import CitationView


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    needs_review = "needs_review"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"
    expired = "expired"


TERMINAL_STATES = frozenset(
    {JobState.succeeded, JobState.failed, JobState.cancelled, JobState.expired}
)
# The states a cancel takes a job out of (job_cancel, sql/jobs.sql): a held job
# (needs_review) is decided by a reviewer, not cancelled.
CANCELLABLE_STATES = frozenset({JobState.queued, JobState.running})


class JobRequest(BaseModel):
    """A request to run a job. ``input`` is validated by the model of ``kind``; the
    HTTP body is one of the per-kind subclasses made by :func:`job_request_body`."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=100, examples=["email_reply"])
    input: Any
    priority: int = Field(default=0, ge=-100, le=100, description="Higher runs first.")
    expires_in: Int32 | None = Field(
        default=None,
        ge=1,
        description="Seconds until the job expires if not finished; default per kind.",
    )
    callback_url: AnyHttpUrl | None = Field(
        default=None, description="Receives a webhook per state change."
    )


def kind_schema_name(kind: str, suffix: str) -> str:
    """The OpenAPI schema name of a kind's model: ``email_reply`` + ``Result`` is
    ``EmailReplyResult``."""
    return "".join(part.title() for part in kind.split("_")) + suffix


def job_request_body(kinds: KindRegistry) -> Any:
    """The body of ``POST /v1/jobs``: one model per kind, told apart by ``kind``, so the
    OpenAPI document shows each kind's input schema and validation names the field."""
    models = [
        create_model(
            kind_schema_name(kind.name, "JobRequest"),
            __base__=JobRequest,
            kind=(Literal[kind.name], Field(description="The job kind.")),  # type: ignore[arg-type]
            input=(kind.input_model, ...),
        )
        for kind in kinds.values()
    ]
    if len(models) == 1:
        return models[0]
    # Litestar's signature model takes one pydantic type per parameter: wrap the union.
    variants: Any = Annotated[Union[tuple(models)], Field(discriminator="kind")]  # noqa: UP007 (a Union of a runtime tuple has no X | Y spelling)
    return create_model("JobRequestBody", __base__=RootModel[variants])


class JobError(BaseModel):
    code: str
    message: str


class JobUsage(BaseModel):
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal


class JobLinks(BaseModel):
    self: str
    events: str
    cancel: str = Field(description="POST here to cancel the job.")
    replay: str = Field(description="POST here to run the job's input again as a new job.")


class Job(BaseModel):
    """A job as a client sees it; ``version`` changes on every change (the ETag)."""

    id: UUID
    kind: str
    state: JobState
    priority: int
    attempt: int
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime
    retry_at: datetime | None = Field(
        description=(
            "While the job waits to be retried after a transient error: when its next attempt "
            "may start."
        )
    )
    purged_at: datetime | None = Field(
        default=None,
        description=(
            "When retention removed this job's input and result (they are then null); the rest "
            "stays."
        ),
    )
    result: dict[str, Any] | None
    result_withheld: bool = Field(
        default=False,
        description=(
            "The result cites a document this API key may not read now: it is withheld "
            "(null), and so is each such citation in `citations`."
        ),
    )
    citations: list[CitationView] | None = Field(
        default=None,
        description="The documents the result cites, as this API key may see them now.",
    )
    error: JobError | None
    model: str | None
    prompt_version: str | None
    usage: JobUsage
    version: int
    replay_of: UUID | None = Field(description="The job this one replays, if it is a replay.")
    replayed_by: str | None = Field(
        description=(
            "Who asked for this replay: the user (their id in your system, as their API key "
            "names it). Null for an original job, and for a replay an operator made with "
            "`courier backfill`."
        )
    )
    callback_url: str | None
    links: JobLinks


class JobPage(BaseModel):
    items: list[Job]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page."
    )


class JobEvent(BaseModel):
    seq: int
    type: str
    state: JobState
    attempt: int
    data: dict[str, Any]
    created_at: datetime


class JobEventList(BaseModel):
    job_id: UUID
    events: list[JobEvent]
