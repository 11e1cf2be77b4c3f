"""Executing a job: lease, handler, fenced completion.

At-least-once execution (a worker may die, a job may be taken over) becomes
exactly-once visible because only the execution holding the current lease can
finish the job, and only while it is running (``job_finish`` in sql/jobs.sql).

The handler gets the job's model steps (app/llm/steps.py) as its provider: they
route the job to a tier, fall back from model to model and record every call.

Failures: a transient provider error puts the job back in the queue with a
next-attempt time (exponential backoff with jitter, at least the provider's
Retry-After) until the kind's retry budget is spent; a permanent one fails the
job at once; an answer that stays invalid after its repair fails it with
``invalid_model_output``, a budget that cannot cover a call with ``budget_exceeded``.
A cancelled execution (the job was cancelled or expired, or the
worker is shutting down) gives its job back to the queue if it still holds it.

Safety (app/safety/): a job whose steps flagged a suspected injection, or whose
answer still broke an output guard, finishes in ``needs_review`` with its output held
in ``jobs.held_result`` (never ``result``) and the reasons in ``jobs.review_reasons``,
when its kind has review (``Kind.review``); otherwise a guard-breaking answer is
replaced by the kind's refusal (or fails the job with ``unsafe_output``). Error
messages are redacted (app/safety/redaction.py) before they are stored.

Review (app/review/): a kind's risk policy holds a valid output too (a high-risk
kind or input, low confidence, an escalation); its reasons join the safety checks'.
A held job's deadline moves to at least now + the policy's review window.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from app import metrics
from app.db import Database
from app.jobs.kinds import Kind, KindRegistry, KindResult
from app.jobs.queue import JobQueue
from app.llm.errors import (
    InvalidModelOutput,
    PermanentProviderError,
    ProviderPaused,
    TransientProviderError,
)
from app.llm.ledger import BudgetExceeded
from app.llm.provider import Usage
from app.llm.routing import RoutingSignals, route
from app.llm.steps import CacheScope, JobContext, Requester, StepRunner
from app.prompts.experiments import chosen_version
from app.retries import Backoff
from app.review.policy import ReviewReason
from app.safety.redaction import redact
from app.safety.screening import SafetyRecord
from app.safety.trust import trusted_text

log = logging.getLogger("courier.execution")


@dataclass(frozen=True)
class Lease:
    """One execution's hold on a job (``job_lease_take``): the fencing token ``lease``
    and what the execution needs; every later write names the token."""

    id: UUID
    tenant_id: UUID
    requester_id: UUID
    acl_groups: list[str] | None
    """The groups the job was submitted with; None: submitted before they were recorded."""
    kind: str
    input: dict[str, Any] | None
    attempt: int
    lease: UUID
    expires_at: datetime
    queue: str
    priority: int
    pickup_seconds: float | None
    tenant_tier: str
    """The tenant's commercial tier when the execution started (routing reads it)."""
    prompt_policy: dict[str, Any] | None = None
    """The tenant's prompt policy for the kind, read with the lease (None: none)."""
    prompt_version: str | None = None
    """The prompt version this execution runs with (app/prompts/experiments.py), once chosen."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Lease:
        return cls(**{field.name: row[field.name] for field in fields(cls) if field.name in row})


class JobExecutor:
    def __init__(
        self,
        db: Database,
        kinds: KindRegistry,
        steps: StepRunner,
        worker_name: str,
        *,
        queue: JobQueue | None = None,
        backoff: Backoff | None = None,
        review_window: timedelta = timedelta(hours=24),
    ) -> None:
        self.db = db
        # Every held job's reviewer gets at least this long (a kind may ask for more):
        # a kind's own deadline (minutes, for a draft) is no time for a person.
        self.review_window = review_window
        self.kinds = kinds
        self.steps = steps
        self.actor = f"worker:{worker_name}"
        # Without a queue (tests of the fence alone) a requeued job gets its queue
        # entry from the stalled-job rescuer's orphan pass.
        self.queue = queue
        self.backoff = backoff or Backoff()

    async def execute(self, job_id: UUID, queue_job_id: int | None = None) -> str | None:
        """Run one execution of a job for its queue entry ``queue_job_id`` (None: any);
        returns the state it ended in, or None when there was nothing to do (already
        finished, or the entry is no longer the job's own) or the execution was fenced off."""
        lease = await self._take_lease(job_id, queue_job_id)
        if lease is None:
            return None
        context = {
            "job_id": str(job_id),
            "tenant_id": str(lease.tenant_id),
            "kind": lease.kind,
            "attempt": lease.attempt,
        }
        log.info("execution started", extra={"event": "job_started", **context})
        metrics.observe_execution_started(
            self._kind_label(lease), lease.attempt, lease.pickup_seconds
        )
        kind = self.kinds.get(lease.kind)
        if kind is None:
            return await self._finish(
                lease, context, "failed", error=_error("unknown_kind", "no handler for this kind")
            )
        try:
            job_input = kind.input_model.model_validate(lease.input)
        except ValidationError:
            return await self._finish(
                lease,
                context,
                "failed",
                error=_error("invalid_input", "stored input no longer matches the kind's model"),
            )
        prompt_version = chosen_version(kind, lease.tenant_id, lease.id, lease.prompt_policy)
        models = self.steps.for_job(self._job_context(lease, kind, job_input, prompt_version))
        lease = replace(lease, prompt_version=prompt_version)
        try:
            outcome = await kind.handler(job_input, models)
        except asyncio.CancelledError:
            # Cancelled, expired (then the job is no longer running and this changes
            # nothing) or the worker is shutting down: give the job back.
            await asyncio.shield(
                self._requeue(lease, context, reason="execution interrupted (worker stopping)")
            )
            raise
        except TransientProviderError as exc:
            return await self._retry_or_fail(lease, context, kind, exc)
        except PermanentProviderError as exc:
            log.warning(
                "provider refused",
                extra={"event": "job_provider_refused", "code": exc.code, **context},
            )
            return await self._finish(lease, context, "failed", error=_error(exc.code, exc.message))
        except InvalidModelOutput as exc:
            return await self._finish(
                lease, context, "failed", error=_error(InvalidModelOutput.code, exc.message)
            )
        except BudgetExceeded:
            log.warning("over budget", extra={"event": "job_budget_exceeded", **context})
            return await self._finish(
                lease,
                context,
                "failed",
                error=_error("budget_exceeded", "the tenant's budget cannot cover a model call"),
            )
        except ValidationError as exc:
            # Where the output was wrong, never what it said (it may quote the input).
            log.error(
                "output failed validation",
                extra={
                    "event": "job_output_invalid",
                    **context,
                    "problems": [
                        {"field": ".".join(map(str, e["loc"])), "type": e["type"]}
                        for e in exc.errors()
                    ],
                },
            )
            return await self._finish(
                lease,
                context,
                "failed",
                error=_error(
                    "invalid_output", "the model's answer did not match the output schema"
                ),
            )
        except Exception as exc:
            # Logs and the stored error name the exception type and where it was
            # raised, never its message: that may quote the input (PII).
            log.error(
                "handler raised",
                extra={
                    "event": "job_handler_error",
                    **context,
                    "error_type": type(exc).__name__,
                    "stack": _frames(exc),
                },
            )
            return await self._finish(
                lease,
                context,
                "failed",
                error=_error("handler_error", f"the handler raised {type(exc).__name__}"),
            )
        policy = _policy_reasons(kind, job_input, outcome)
        if models.safety.flags or models.safety.violations:
            return await self._finish_checked(lease, context, kind, outcome, models.safety, policy)
        if policy:
            return await self._finish(
                lease,
                context,
                "needs_review",
                outcome=outcome,
                review_reasons=[reason.as_json() for reason in policy],
                reason="held for review: " + ", ".join(reason.code for reason in policy),
            )
        return await self._finish(lease, context, "succeeded", outcome=outcome)

    async def _finish_checked(
        self,
        lease: Lease,
        context: dict[str, Any],
        kind: Kind,
        outcome: KindResult,
        safety: SafetyRecord,
        policy: list[ReviewReason],
    ) -> str | None:
        """Finish a job its safety checks stopped: held for a reviewer when the kind has
        review (a suspected injection always is, so a person sees the attempt), with the
        safety checks' reasons and its risk policy's (``policy``); else a guard-breaking
        answer is refused, and a flagged input's clean answer delivered."""
        codes = sorted({reason["code"] for reason in safety.reasons()})
        log.warning(
            "safety checks stopped the answer",
            extra={
                "event": "job_safety_stop",
                "codes": codes,
                "review": kind.review is not None,
                **context,
            },
        )
        if kind.review is not None:
            return await self._finish(
                lease,
                context,
                "needs_review",
                outcome=outcome,
                safety=safety,
                review_reasons=safety.reasons() + [reason.as_json() for reason in policy],
                reason="held for review: "
                + ", ".join([*codes, *(reason.code for reason in policy)]),
            )
        if not safety.violations:
            return await self._finish(lease, context, "succeeded", outcome=outcome, safety=safety)
        if safety.refusal is not None and isinstance(safety.refusal, kind.output_model):
            refused = replace(outcome, output=safety.refusal)
            return await self._finish(lease, context, "succeeded", outcome=refused, safety=safety)
        return await self._finish(
            lease,
            context,
            "failed",
            error=_error("unsafe_output", "the answer broke Courier's output safety rules"),
            usage=outcome.usage,
            safety=safety,
        )

    async def _retry_or_fail(
        self,
        lease: Lease,
        context: dict[str, Any],
        kind: Kind,
        exc: TransientProviderError,
    ) -> str | None:
        # A job waiting out a rate-limited provider's pause is not failing: it spends
        # no retry budget (the provider said when to come back, and we do).
        if lease.attempt >= kind.max_attempts and not isinstance(exc, ProviderPaused):
            log.warning(
                "retry budget spent",
                extra={"event": "job_retries_exhausted", "code": exc.code, **context},
            )
            return await self._finish(
                lease,
                context,
                "failed",
                error=_error(
                    "retries_exhausted",
                    f"gave up after {lease.attempt} attempts; last error: {exc.message}",
                ),
            )
        delay = self.backoff.delay(lease.attempt, exc.retry_after)
        requeued = await self._requeue(
            lease,
            context,
            reason=f"transient error: {exc.code}",
            error=_error(exc.code, exc.message),
            retry_in=timedelta(seconds=delay),
        )
        if requeued:
            log.info(
                "retry scheduled",
                extra={
                    "event": "job_retry_scheduled",
                    "code": exc.code,
                    "retry_in_seconds": round(delay, 3),
                    **context,
                },
            )
            return "queued"
        return None

    async def _requeue(
        self,
        lease: Lease,
        context: dict[str, Any],
        *,
        reason: str,
        error: dict[str, str] | None = None,
        retry_in: timedelta | None = None,
    ) -> bool:
        """Back to ``queued`` with a new queue entry, in one transaction, if this
        execution still holds the job; False (nothing written) otherwise."""
        async with self.db.transaction() as conn:
            await self._label(conn)
            await self.db.execute("job_transaction_reason", conn, reason=reason)
            row = await self.db.fetch_optional(
                "job_requeue",
                conn,
                job_id=lease.id,
                lease=lease.lease,
                error=error,
                retry_in=retry_in,
            )
            if row is None:  # fenced off: no longer ours to give back
                return False
            if self.queue is not None:
                queue_job_id = await self.queue.enqueue(
                    conn,
                    job_id=row["id"],
                    queue=row["queue"],
                    priority=row["priority"],
                    schedule_at=row["retry_at"],
                )
                await self.db.fetch_one(
                    "job_set_queue_job", conn, job_id=row["id"], queue_job_id=queue_job_id
                )
        log.info("job requeued", extra={"event": "job_requeued", "reason": reason, **context})
        return True

    async def _take_lease(self, job_id: UUID, queue_job_id: int | None) -> Lease | None:
        row = await self.db.fetch_optional(
            "job_lease_take", actor=self.actor, job_id=job_id, queue_job_id=queue_job_id
        )
        if row is None:
            log.info(
                "no lease: the job is finished or this queue entry is no longer its own",
                extra={
                    "event": "job_lease_refused",
                    "job_id": str(job_id),
                    "queue_job_id": queue_job_id,
                },
            )
            return None
        return Lease.from_row(row)

    async def _finish(
        self,
        lease: Lease,
        context: dict[str, Any],
        state: str,
        *,
        outcome: KindResult | None = None,
        error: dict[str, str] | None = None,
        usage: Usage | None = None,
        safety: SafetyRecord | None = None,
        review_reasons: list[dict[str, Any]] | None = None,
        reason: str | None = None,
    ) -> str | None:
        """End the execution in ``state``; with it the safety checks' findings
        (``safety``) and why the job is held or refused (``review_reasons``; default:
        the safety checks' own reasons)."""
        usage = outcome.usage if outcome else usage
        if review_reasons is None and safety is not None:
            review_reasons = safety.reasons()
        # The call ledger may have added every call to the job as it settled: not twice.
        totals = None if usage is None or usage.in_job_totals else usage
        # One statement, one commit (job_finish): the label, the safety record, the
        # finish with its event and outbox rows, and the purge of the job's checkpoints.
        finished = await self.db.fetch_optional(
            "job_finish",
            actor=self.actor,
            reason=reason,
            job_id=lease.id,
            lease=lease.lease,
            state=state,
            # A held job's reviewer gets at least the review window (its kind's, if longer).
            review_window=_review_window(self.kinds.get(lease.kind), self.review_window),
            result=outcome.output.model_dump(mode="json") if outcome else None,
            error=error,
            record_safety=safety is not None or bool(review_reasons),
            # JSON arrays, as text: the seam sends a list as a PostgreSQL array.
            safety_flags=_json_array(safety.flags_json() if safety else []),
            review_reasons=_json_array(review_reasons or []),
            model=outcome.model if outcome else None,
            # Also on a failure: an experiment counts the jobs each version failed.
            prompt_version=(outcome.prompt_version if outcome else None)
            or lease.prompt_version
            or None,
            input_tokens=totals.input_tokens if totals else 0,
            output_tokens=totals.output_tokens if totals else 0,
            cost_usd=totals.cost_usd if totals else 0,
        )
        if finished is None:
            # Our lease was taken over, or the job was cancelled or expired meanwhile.
            log.warning(
                "completion fenced off", extra={"event": "job_completion_fenced", **context}
            )
            metrics.COMPLETIONS_FENCED.labels(self._kind_label(lease)).inc()
            return None
        if finished["state"] != state:
            log.warning(
                "completion after the deadline: the job expired, its result dropped",
                extra={"event": "job_completion_expired", **context},
            )
            state = finished["state"]
        run_seconds = finished.get("run_seconds")
        log.info(
            "execution finished",
            extra={
                "event": "job_finished",
                "state": state,
                **context,
                "run_ms": round(run_seconds * 1000, 1) if run_seconds is not None else None,
            },
        )
        metrics.observe_execution_finished(
            self._kind_label(lease),
            state,
            run_seconds,
            model=outcome.model if outcome else None,
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            cost_usd=float(usage.cost_usd) if usage else 0.0,
        )
        if outcome is not None and state in ("succeeded", "needs_review"):
            metrics.observe_output(
                self._kind_label(lease),
                outcome.prompt_version or lease.prompt_version,
                getattr(outcome.output, "outcome", None),
                [reason["code"] for reason in review_reasons or ()]
                if state == "needs_review"
                else (),
            )
        return state

    def _job_context(
        self, lease: Lease, kind: Kind, job_input: BaseModel, prompt_version: str
    ) -> JobContext:
        signals = RoutingSignals(
            high_risk=bool(kind.high_risk and kind.high_risk(job_input)),
            tenant_tier=lease.tenant_tier,
        )
        # Answers are shared only between jobs whose requesters had the same groups: a
        # job that did not record its groups neither reads nor fills the cache.
        cache = (
            CacheScope(input=job_input.model_dump(mode="json"), acl_groups=tuple(lease.acl_groups))
            if kind.cache and lease.acl_groups is not None
            else None
        )
        return JobContext(
            job_id=lease.id,
            tenant_id=lease.tenant_id,
            attempt=lease.attempt,
            lease=lease.lease,
            kind=kind.name,
            prompt_version=prompt_version,
            tier=route(kind.tier, signals),
            actor=self.actor,
            cache=cache,
            # Where its answer's contacts may come from: the fields its kind trusts.
            trusted=trusted_text(job_input),
            # A job submitted before groups were recorded retrieves nothing rather than
            # guess whose documents it may read.
            requester=(
                Requester(lease.requester_id, lease.tenant_id, tuple(lease.acl_groups))
                if lease.acl_groups is not None
                else None
            ),
        )

    def _kind_label(self, lease: Lease) -> str:
        return lease.kind if lease.kind in self.kinds else "unknown"

    async def _label(self, conn: Any) -> None:
        await self.db.execute("job_transaction_context", conn, actor=self.actor, lock_timeout="0")


def _policy_reasons(kind: Kind, job_input: BaseModel, outcome: KindResult) -> list[ReviewReason]:
    """Why the kind's risk policy (app/review/policy.py) holds the output for a
    reviewer; none (or no review): deliver it, unless the safety checks stopped it."""
    if kind.review is None:
        return []
    high_risk = bool(kind.high_risk and kind.high_risk(job_input))
    return kind.review.reasons(high_risk_input=high_risk, output=outcome.output)


def _review_window(kind: Kind | None, default: timedelta) -> timedelta:
    own = kind.review.window if kind is not None and kind.review is not None else None
    return max(own, default) if own is not None else default


def _frames(exc: BaseException) -> list[str]:
    """Where an exception was raised: file, line and function of each frame, no values."""
    return [
        f"{frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(exc.__traceback__)
    ]


def _json_array(items: list[dict[str, Any]]) -> str | None:
    return json.dumps(items) if items else None


def _error(code: str, message: str) -> dict[str, str]:
    """A stored error: its message redacted (a provider's message may quote the prompt)."""
    return {"code": code, "message": redact(message)}
