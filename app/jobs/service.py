"""Intake and reading of jobs: what a client may ask of the jobs it owns."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from app.db import Database, LockTimeout, NotFound
from app.delivery.ssrf import DestinationGuard, DestinationRefused
from app.delivery.tokens import StreamGrant, StreamTokens
from app.errors import CourierError
from app.jobs.kinds import KindRegistry
from app.jobs.queue import JobQueue
from app.jobs.schemas import Job, JobEvent, JobRequest, JobState
from app.keys.service import Principal

log = logging.getLogger("courier.jobs")


class JobNotFound(CourierError):
    """No such job."""


class InvalidJobRequest(CourierError):
    """The job request is invalid."""

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors


class IdempotencyKeyReused(CourierError):
    """This Idempotency-Key was already used with a different request body."""


class IdempotencyKeyInFlight(CourierError):
    """A request with this Idempotency-Key is still being processed; retry shortly."""


class InvalidCursor(CourierError):
    """The cursor is not one this API gave out."""


@dataclass(frozen=True)
class Intake:
    job: Job
    created: bool


def request_hash(request: JobRequest, normalised_input: dict[str, Any]) -> str:
    body = request.model_dump(mode="json") | {"input": normalised_input}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class JobService:
    def __init__(
        self,
        db: Database,
        queue: JobQueue,
        kinds: KindRegistry,
        *,
        max_expires_in: timedelta,
        idempotency_wait: timedelta,
        base_url: str = "",
        stream_tokens: StreamTokens | None = None,
        stream_token_margin: timedelta = timedelta(hours=1),
        callback_guard: DestinationGuard | None = None,
    ) -> None:
        self.db = db
        self.queue = queue
        self.kinds = kinds
        self.max_expires_in = max_expires_in
        self.idempotency_wait = idempotency_wait
        self.base_url = base_url.rstrip("/")
        self.stream_tokens = stream_tokens
        self.stream_token_margin = stream_token_margin
        self.callback_guard = callback_guard

    async def submit(self, principal: Principal, request: JobRequest, idempotency_key: str) -> Intake:
        """Create the job for this Idempotency-Key, or return the one it already made.

        The job row, its ``queued`` event and the procrastinate queue entry are
        written in one transaction: either the job exists and will run, or nothing
        was written.
        """
        kind = self.kinds.get(request.kind)
        if kind is None:
            known = ", ".join(sorted(self.kinds))
            raise InvalidJobRequest(
                f"unknown kind {request.kind!r}; known kinds: {known}",
                [{"field": "kind", "message": f"must be one of: {known}"}],
            )
        try:
            normalised = kind.input_model.model_validate(request.input).model_dump(mode="json")
        except ValidationError as exc:
            raise InvalidJobRequest(
                f"input is not a valid {kind.name} input", _field_errors(exc, prefix="input")
            ) from exc
        expires_in = timedelta(seconds=request.expires_in) if request.expires_in else kind.default_deadline
        if expires_in > self.max_expires_in:
            limit = int(self.max_expires_in.total_seconds())
            raise InvalidJobRequest(
                f"expires_in may be at most {limit} seconds",
                [{"field": "expires_in", "message": f"must be <= {limit}"}],
            )
        if request.callback_url is not None and self.callback_guard is not None:
            try:
                await self.callback_guard.check(str(request.callback_url))
            except DestinationRefused as exc:
                raise InvalidJobRequest(
                    f"callback_url is not allowed: {exc}", [{"field": "callback_url", "message": str(exc)}]
                ) from exc
        digest = request_hash(request, normalised)
        try:
            async with self.db.transaction() as conn:
                await self.db.execute(
                    "job_transaction_context", conn, actor=principal.actor,
                    lock_timeout=f"{int(self.idempotency_wait.total_seconds() * 1000)}ms",
                )
                inserted = await self.db.fetch_all(
                    "job_insert", conn,
                    tenant_id=principal.tenant_id, requester_id=principal.id, kind=kind.name,
                    input=normalised, idempotency_key=idempotency_key, request_hash=digest,
                    priority=request.priority, queue=kind.queue, expires_in=expires_in,
                    callback_url=str(request.callback_url) if request.callback_url else None,
                    replay_of=None,
                )
                if inserted:
                    job_id = inserted[0]["id"]
                    queue_job_id = await self.queue.enqueue(
                        conn, job_id=job_id, queue=kind.queue, priority=request.priority
                    )
                    await self.db.fetch_one("job_set_queue_job", conn, job_id=job_id, queue_job_id=queue_job_id)
                row = await self.db.fetch_one(
                    "job_get_by_idempotency_key", conn,
                    tenant_id=principal.tenant_id, idempotency_key=idempotency_key,
                )
        except LockTimeout as exc:
            raise IdempotencyKeyInFlight() from exc
        if not inserted and row["request_hash"] != digest:
            raise IdempotencyKeyReused()
        if inserted:
            log.info("job submitted", extra={"event": "job_submitted", "job_id": str(row["id"]),
                                             "tenant_id": str(principal.tenant_id), "kind": kind.name})
        return Intake(job=self.view(row), created=bool(inserted))

    async def get(self, principal: Principal, job_id: UUID) -> Job:
        try:
            row = await self.db.fetch_one("job_get", job_id=job_id, tenant_id=principal.tenant_id)
        except NotFound as exc:
            raise JobNotFound(f"no job {job_id}") from exc
        return self.view(row)

    async def list(
        self, principal: Principal, *, state: JobState | None, kind: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Job], str | None]:
        """A page of the tenant's jobs, newest first, and the cursor of the next page."""
        before_id = _parse_cursor(cursor)
        rows = await self.db.fetch_all(
            "job_list", tenant_id=principal.tenant_id, state=state, kind=kind,
            before_id=before_id, limit=limit + 1,
        )
        page = [self.view(row) for row in rows[:limit]]
        next_cursor = str(page[-1].id) if len(rows) > limit else None
        return page, next_cursor

    async def events(self, principal: Principal, job_id: UUID, after_seq: int | None = None) -> list[JobEvent]:
        await self.get(principal, job_id)  # 404 for a job of another tenant
        rows = await self.db.fetch_all(
            "job_event_list", job_id=job_id, tenant_id=principal.tenant_id, after_seq=after_seq, limit=10_000
        )
        return [JobEvent.model_validate(row) for row in rows]

    def view(self, row: dict[str, Any]) -> Job:
        path = f"{self.base_url}/v1/jobs/{row['id']}"
        events = f"{path}/events"
        if self.stream_tokens is not None:
            # A read-only link to this job's events that a browser's EventSource can open.
            grant = StreamGrant(tenant_id=row["tenant_id"], job_id=row["id"])
            events += "?token=" + self.stream_tokens.issue(grant, row["expires_at"] + self.stream_token_margin)
        return Job.model_validate(
            row
            | {
                "usage": {
                    "input_tokens": row["input_tokens"],
                    "output_tokens": row["output_tokens"],
                    "cost_usd": row["cost_usd"],
                },
                "links": {"self": path, "events": events},
            }
        )


def _parse_cursor(cursor: str | None) -> UUID | None:
    if cursor is None:
        return None
    try:
        return UUID(cursor)
    except ValueError as exc:
        raise InvalidCursor() from exc


def _field_errors(exc: ValidationError, prefix: str) -> list[dict[str, Any]]:
    # Name the field and say what is wrong, but never echo the submitted value.
    return [
        {"field": ".".join([prefix, *(str(part) for part in error["loc"])]), "message": error["msg"]}
        for error in exc.errors(include_url=False, include_input=False)
    ]
