"""Intake and reading of jobs: what a client may ask of the jobs it owns."""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from pydantic import ValidationError

from app import metrics
from app.db import Database, LockTimeout, NotFound
from app.delivery.ssrf import DestinationGuard, DestinationRefused
from app.delivery.tokens import StreamGrant, StreamTokens
from app.errors import ConflictError, InvalidRequestError, NotFoundError
from app.jobs.kinds import Kind, KindRegistry
from app.jobs.queue import RUN_JOB_TASK, JobQueue
from app.jobs.schemas import Job, JobEvent, JobRequest, JobState
from app.keys.service import Principal
from app.retrieval.service import ReaderDocuments, Retrieval, parse_source_id
from app.safety.guards import cited_sources
from app.tenants.admission import NOT_ADMITTED, Admission
from app.tenants.rate_limit import RateLimited

log = logging.getLogger("courier.jobs")


class JobNotFound(NotFoundError):
    """No such job."""


class InvalidJobRequest(InvalidRequestError):
    """The job request is invalid."""

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors

    def extra(self) -> dict[str, Any]:
        return {"errors": self.errors}


class IdempotencyKeyReused(InvalidRequestError):
    """This Idempotency-Key was already used with a different request body."""


class IdempotencyKeyInFlight(ConflictError):
    """A request with this Idempotency-Key is still being processed; retry shortly."""

    retry_after = 1


class JobAlreadyFinished(ConflictError):
    """The job is neither queued nor running, so it cannot be cancelled."""

    def __init__(self, state: str) -> None:
        super().__init__(f"the job is {state}; only queued or running jobs can be cancelled")
        self.state = state

    def extra(self) -> dict[str, Any]:
        return {"state": self.state}


class JobNotReplayable(ConflictError):
    """The job cannot be replayed."""


@dataclass(frozen=True)
class BackfillProgress:
    """How far a backfill got: originals seen, replays created, replays that already
    existed, and originals skipped (their replay could not be made now; a new run of
    the same backfill tries them again)."""

    total: int
    seen: int = 0
    created: int = 0
    existing: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class Intake:
    job: Job
    created: bool


def request_hash(request: JobRequest, normalised_input: dict[str, Any]) -> str:
    body = request.model_dump(mode="json", exclude={"input"}) | {"input": normalised_input}
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


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
        admission: Admission | None = None,
        citations: Retrieval | None = None,
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
        self.admission = admission or Admission()
        self.citations = citations
        """Resolves the documents a result cites for its reader; None: results are shown
        as stored (no documents are cited where there is no retrieval)."""

    async def submit(
        self, principal: Principal, request: JobRequest, idempotency_key: str
    ) -> Intake:
        """Create the job for this Idempotency-Key, or return the one it already made.

        The job row, its ``queued`` event and the procrastinate queue entry are
        written in one transaction: either the job exists and will run, or nothing
        was written. A valid request is first admitted (:class:`Admission`: one token
        of the tenant's rate limit, :class:`RateLimited` when none is left). The job
        records the principal's ACL groups (its key's): it runs with them, and the
        model cache keys on them.
        """
        started = time.perf_counter()
        outcome = "error"
        try:
            intake = await self._submit(principal, request, idempotency_key)
            outcome = "created" if intake.created else "existing"
            return intake
        except RateLimited:
            outcome = "rate_limited"
            raise
        except (InvalidJobRequest, IdempotencyKeyReused):
            outcome = "invalid"
            raise
        except IdempotencyKeyInFlight:
            outcome = "in_flight"
            raise
        finally:
            # Only registered kinds become label values: a client cannot grow the label set.
            kind_label = request.kind if request.kind in self.kinds else "unknown"
            metrics.INTAKE_REQUESTS.labels(kind_label, outcome).inc()
            metrics.INTAKE_SECONDS.labels(outcome).observe(time.perf_counter() - started)

    async def _submit(
        self, principal: Principal, request: JobRequest, idempotency_key: str
    ) -> Intake:
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
        expires_in = (
            timedelta(seconds=request.expires_in) if request.expires_in else kind.default_deadline
        )
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
                    f"callback_url is not allowed: {exc}",
                    [{"field": "callback_url", "message": str(exc)}],
                ) from exc
        digest = request_hash(request, normalised)
        return await self._insert(
            admitted=(principal, "submit"),
            actor=principal.actor,
            tenant_id=principal.tenant_id,
            requester_id=principal.id,
            acl_groups=principal.acl_groups,
            kind=kind.name,
            job_input=normalised,
            idempotency_key=idempotency_key,
            digest=digest,
            priority=request.priority,
            queue=kind.queue,
            expires_in=expires_in,
            callback_url=str(request.callback_url) if request.callback_url else None,
            key_id=principal.key_id,
        )

    async def _insert(
        self,
        *,
        actor: str,
        tenant_id: UUID,
        requester_id: UUID,
        acl_groups: Sequence[str] | None,
        kind: str,
        job_input: dict[str, Any],
        idempotency_key: str,
        digest: str,
        priority: int,
        queue: str,
        expires_in: timedelta,
        callback_url: str | None,
        replay_of: UUID | None = None,
        replayed_by_id: UUID | None = None,
        backfill_batch: str | None = None,
        key_id: str | None = None,
        admitted: tuple[Principal, Literal["submit", "replay"]] | None = None,
    ) -> Intake:
        """Admit the job (``admitted``: for whom and why; None: an operator's backfill,
        not admitted), then insert it, its ``queued`` event and its queue entry; or find
        the job this Idempotency-Key (or, for a backfill, this batch's replay of the
        original) already made. One statement, one transaction (``job_submit``): either
        the job exists and will run, or nothing was written. ``key_id``: the API key
        whose caller gets the job (its stream link follows that key)."""
        try:
            row = await self.db.fetch_one(
                "job_submit",
                actor=actor,
                lock_timeout=f"{int(self.idempotency_wait.total_seconds() * 1000)}ms",
                **(self.admission.terms() if admitted else NOT_ADMITTED),
                task_name=RUN_JOB_TASK,
                tenant_id=tenant_id,
                requester_id=requester_id,
                acl_groups=None if acl_groups is None else list(acl_groups),
                kind=kind,
                input=job_input,
                idempotency_key=idempotency_key,
                request_hash=digest,
                priority=priority,
                queue=queue,
                expires_in=expires_in,
                callback_url=callback_url,
                replay_of=replay_of,
                replayed_by_id=replayed_by_id,
                backfill_batch=backfill_batch,
            )
        except LockTimeout as exc:
            raise IdempotencyKeyInFlight() from exc
        if admitted is not None:
            principal, action = admitted
            self.admission.check(principal, row, kind=kind, action=action)
        created = row["outcome"] == "created"
        if not created and (
            row["id"] is None or (backfill_batch is None and row["request_hash"] != digest)
        ):
            # Another body under this key; for a backfill: its (random) key met another job's.
            raise IdempotencyKeyReused()
        if created:
            log.info(
                "job submitted",
                extra={
                    "event": "job_submitted",
                    "job_id": str(row["id"]),
                    "tenant_id": str(tenant_id),
                    "kind": kind,
                    "replay_of": str(replay_of) if replay_of else None,
                },
            )
        job = self.view(row, key_id)
        if not created and admitted is not None:
            # The job this key already made may have finished: its result is shown as to
            # any reader (a key of the same tenant with other groups may send the same
            # key and body, and the requester's own groups may have lost a document).
            job = await self._as_reader(job, admitted[0])
        return Intake(job=job, created=created)

    async def cancel(self, principal: Principal, job_id: UUID) -> Job:
        """Cancel a queued job at once, or a running one (its execution is aborted and
        whatever it was about to write is refused by the completion fence). Cancelling
        a cancelled job answers the same; any other finished job is refused."""
        async with self.db.transaction() as conn:
            await self.db.execute(
                "job_transaction_context", conn, actor=principal.actor, lock_timeout="5s"
            )
            await self.db.execute("job_transaction_reason", conn, reason="cancel requested")
            # No row: finished already, or not this tenant's (get() below tells which).
            cancelled = await self.db.fetch_optional(
                "job_cancel", conn, job_id=job_id, tenant_id=principal.tenant_id
            )
            if cancelled is not None and cancelled["queue_job_id"] is not None:
                # In the same transaction: the queue entry goes (or its abort is
                # requested) exactly when the job is cancelled.
                await self.queue.withdraw(conn, cancelled["queue_job_id"])
        job = await self.get(principal, job_id)
        if cancelled is None and job.state != JobState.cancelled:
            raise JobAlreadyFinished(job.state.value)
        if cancelled is not None:
            log.info(
                "job cancelled",
                extra={
                    "event": "job_cancelled",
                    "job_id": str(job_id),
                    "tenant_id": str(principal.tenant_id),
                    "previous_state": str(cancelled["previous_state"]),
                },
            )
        return job

    async def replay(
        self, principal: Principal, job_id: UUID, idempotency_key: str | None = None
    ) -> Intake:
        """A new job with the original's input, run with the kind's current prompt; the
        original is untouched. A replay is admitted like a submission (:class:`Admission`)
        and records who asked for it. Without an Idempotency-Key every call makes a new
        replay."""
        try:
            original = await self.db.fetch_one(
                "job_get", job_id=job_id, tenant_id=principal.tenant_id
            )
        except NotFound as exc:
            raise JobNotFound(f"no job {job_id}") from exc
        kind = self._replayable(original)
        idempotency_key = idempotency_key or f"replay:{job_id}:{uuid.uuid4()}"
        return await self._insert_replay(
            original,
            kind,
            admitted=(principal, "replay"),
            actor=principal.actor,
            idempotency_key=idempotency_key,
            replayed_by_id=principal.id,
            key_id=principal.key_id,
        )

    def _replayable(self, original: dict[str, Any]) -> Kind:
        kind = self.kinds.get(original["kind"])
        if kind is None:
            raise JobNotReplayable(f"kind {original['kind']!r} is no longer known")
        if original["input"] is None:
            raise JobNotReplayable("the job's input was removed by retention")
        return kind

    async def _insert_replay(
        self,
        original: dict[str, Any],
        kind: Kind,
        *,
        actor: str,
        idempotency_key: str,
        replayed_by_id: UUID | None = None,
        backfill_batch: str | None = None,
        queue: str | None = None,
        priority: int | None = None,
        key_id: str | None = None,
        admitted: tuple[Principal, Literal["submit", "replay"]] | None = None,
    ) -> Intake:
        body = {"replay_of": str(original["id"]), "kind": kind.name, "input": original["input"]}
        digest = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        return await self._insert(
            actor=actor,
            tenant_id=original["tenant_id"],
            requester_id=original["requester_id"],
            # A replay runs on behalf of its original's requester, with the same groups.
            acl_groups=original["acl_groups"],
            kind=kind.name,
            job_input=original["input"],
            idempotency_key=idempotency_key,
            digest=digest,
            priority=original["priority"] if priority is None else priority,
            queue=queue or kind.queue,
            expires_in=kind.default_deadline,
            callback_url=original["callback_url"],
            replay_of=original["id"],
            replayed_by_id=replayed_by_id,
            backfill_batch=backfill_batch,
            key_id=key_id,
            admitted=admitted,
        )

    async def backfill(
        self,
        *,
        kind: str,
        since: datetime,
        state: JobState | None,
        batch: str | None,
        queue: str,
        priority: int,
        on_progress: Callable[[BackfillProgress], None] | None = None,
        page_size: int = 500,
    ) -> BackfillProgress:
        """Replay every original job of ``kind`` created since ``since`` (optionally
        only those in ``state``) on a low-priority queue, as an operator: not admitted
        per tenant (:mod:`app.tenants.admission` says why).

        A batch (default: the kind's current prompt version) replays each original at
        most once, so running the same backfill again creates nothing new. That is the
        batch's own uniqueness (``jobs_backfill_once``), not an Idempotency-Key: no key
        a tenant chooses can pre-empt a backfill's replay or collide with it. An
        original whose replay cannot be made now (another run of the same batch is
        making it) is skipped and logged; the run goes on.
        """
        known = self.kinds.get(kind)
        if known is None:
            raise InvalidJobRequest(
                f"unknown kind {kind!r}; known kinds: {', '.join(sorted(self.kinds))}",
                [{"field": "kind", "message": "unknown kind"}],
            )
        batch = batch or known.prompt_version or "default"
        if not 1 <= len(batch) <= 200:
            raise InvalidJobRequest(
                "batch must be 1-200 characters",
                [{"field": "batch", "message": "must be 1-200 characters"}],
            )
        total = (
            await self.db.fetch_one("job_count_for_backfill", kind=kind, since=since, state=state)
        )["total"]
        progress = BackfillProgress(total=total)
        if on_progress:
            on_progress(progress)
        after_id = None
        while True:
            page = await self.db.fetch_all(
                "job_list_for_backfill",
                kind=kind,
                since=since,
                state=state,
                after_id=after_id,
                limit=page_size,
            )
            if not page:
                break
            for original in page:
                try:
                    intake = await self._insert_replay(
                        original,
                        known,
                        actor="cli:backfill",
                        idempotency_key=f"backfill:{batch}:{uuid.uuid4()}",
                        backfill_batch=batch,
                        queue=queue,
                        priority=priority,
                    )
                except (IdempotencyKeyInFlight, IdempotencyKeyReused) as exc:
                    log.warning(
                        "backfill skipped a job",
                        extra={
                            "event": "backfill_replay_skipped",
                            "job_id": str(original["id"]),
                            "tenant_id": str(original["tenant_id"]),
                            "kind": kind,
                            "batch": batch,
                            "reason": type(exc).__name__,
                        },
                    )
                    progress = replace(
                        progress, seen=progress.seen + 1, skipped=progress.skipped + 1
                    )
                else:
                    progress = replace(
                        progress,
                        seen=progress.seen + 1,
                        created=progress.created + intake.created,
                        existing=progress.existing + (not intake.created),
                    )
                if on_progress:
                    on_progress(progress)
            after_id = page[-1]["id"]
        return progress

    async def get(self, principal: Principal, job_id: UUID) -> Job:
        try:
            row = await self.db.fetch_one("job_get", job_id=job_id, tenant_id=principal.tenant_id)
        except NotFound as exc:
            raise JobNotFound(f"no job {job_id}") from exc
        return await self._as_reader(self.view(row, principal.key_id), principal)

    async def _as_reader(self, job: Job, reader: Principal) -> Job:
        """The job as ``reader`` may see it now (:meth:`_as_readers`)."""
        return (await self._as_readers([job], reader))[0]

    async def _as_readers(self, jobs: Sequence[Job], reader: Principal) -> builtins.list[Job]:
        """The jobs as ``reader`` may see them now: the documents each result cites
        resolved to title and URL, and a result withheld when the reader's groups do not
        reach a document it cites or one the job retrieved (a model may use a chunk's
        text without citing it). One statement for all of them
        (:meth:`Retrieval.reader_documents`), none when no job has a result."""
        finished = [job for job in jobs if job.result is not None]
        if not finished or self.citations is None:
            return list(jobs)
        # Wherever the kind names a source (citations[].source, fields[].source, ...).
        cited = {
            job.id: [s for s in cited_sources(job.result) if parse_source_id(s) is not None]
            for job in finished
        }
        documents = await self.citations.reader_documents(
            reader, [job.id for job in finished], (s for sources in cited.values() for s in sources)
        )
        return [
            job if job.id not in cited else _as_seen(job, cited[job.id], documents) for job in jobs
        ]

    async def list(
        self,
        principal: Principal,
        *,
        state: JobState | None,
        kind: str | None,
        limit: int,
        cursor: UUID | None,
    ) -> tuple[list[Job], str | None]:
        """A page of the tenant's jobs, newest first, and the cursor of the next page
        (the last id of this page: ids are time-ordered UUIDv7, so this is keyset pagination)."""
        rows = await self.db.fetch_all(
            "job_list",
            tenant_id=principal.tenant_id,
            state=state,
            kind=kind,
            before_id=cursor,
            limit=limit + 1,
        )
        page = await self._as_readers(
            [self.view(row, principal.key_id) for row in rows[:limit]], principal
        )
        next_cursor = str(page[-1].id) if len(rows) > limit else None
        return page, next_cursor

    async def events(
        self, principal: Principal, job_id: UUID, after_seq: int | None = None
    ) -> builtins.list[JobEvent]:
        await self.get(principal, job_id)  # 404 for a job of another tenant
        rows = await self.db.fetch_all(
            "job_event_list",
            job_id=job_id,
            tenant_id=principal.tenant_id,
            after_seq=after_seq,
            limit=10_000,
        )
        return [JobEvent.model_validate(row) for row in rows]

    def view(self, row: dict[str, Any], key_id: str | None) -> Job:
        """The job as its API shows it to the caller with the API key ``key_id``: its
        ``links.events`` carries a stream link that works while that key is live (None: a
        link without a token, for callers without a key such as the backfill)."""
        path = f"{self.base_url}/v1/jobs/{row['id']}"
        events = f"{path}/events"
        if self.stream_tokens is not None and key_id is not None:
            # A read-only link to this job's events that a browser's EventSource can open.
            grant = StreamGrant(tenant_id=row["tenant_id"], key_id=key_id, job_id=row["id"])
            events += "?token=" + self.stream_tokens.issue(
                grant, row["expires_at"] + self.stream_token_margin
            )
        return Job.model_validate(
            row
            | {
                "usage": {
                    "input_tokens": row["input_tokens"],
                    "output_tokens": row["output_tokens"],
                    "cost_usd": row["cost_usd"],
                },
                "links": {
                    "self": path,
                    "events": events,
                    "cancel": f"{path}/cancel",
                    "replay": f"{path}/replay",
                },
            }
        )


def _as_seen(job: Job, cited: Sequence[str], documents: ReaderDocuments) -> Job:
    """``job``, whose result cites ``cited``, as the reader of ``documents`` sees it."""
    views = documents.citations(cited) if cited else None
    if any(view.withheld for view in views or ()):
        return job.model_copy(update={"result": None, "result_withheld": True, "citations": views})
    if not documents.reads_every_retrieved(job.id):
        return job.model_copy(
            update={"result": None, "result_withheld": True, "citations": views or []}
        )
    return job if views is None else job.model_copy(update={"citations": views})


def _field_errors(exc: ValidationError, prefix: str) -> list[dict[str, Any]]:
    # Name the field and say what is wrong, but never echo the submitted value.
    return [
        {
            "field": ".".join([prefix, *(str(part) for part in error["loc"])]),
            "message": error["msg"],
        }
        for error in exc.errors(include_url=False, include_input=False)
    ]
