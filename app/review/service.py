"""The review queue and the decisions on it.

A decision is one transaction (sql/reviews.sql): the held job is locked, the
decision recorded as a ``reviews`` row with the reviewer, and the job leaves
``needs_review`` — approved: ``succeeded`` with the output (or the reviewer's
edit, validated against the kind's output model); rejected: ``failed`` with
``rejected_in_review``. The jobs trigger appends the job's event and its outbox
rows in the same transaction, so the result is delivered (polling, SSE, webhooks)
exactly as any other, and only now. Two reviewers deciding the same job at once:
the second waits for the first's lock, finds the job no longer held, and gets 409.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from app import metrics
from app.db import Database, LockTimeout
from app.errors import ConflictError, ForbiddenError, InvalidRequestError, NotFoundError
from app.jobs.kinds import KindRegistry
from app.jobs.schemas import JobState
from app.keys.service import Principal
from app.retrieval.service import (
    Retrieval,
    parse_source_id,
    sources_named_in,
    withhold_sources,
)
from app.review.schemas import (
    HeldJob,
    Review,
    ReviewDecision,
    ReviewLinks,
    ReviewReasonView,
)
from app.safety.guards import cited_sources
from app.safety.redaction import redact

log = logging.getLogger("courier.review")

REJECTED_IN_REVIEW = "rejected_in_review"


class ReviewNotFound(NotFoundError):
    """No job of this tenant was held for review with this id."""


class ReviewNotPending(ConflictError):
    """The job is not waiting for review (decided by another reviewer, or expired)."""

    def __init__(self, state: str) -> None:
        super().__init__(f"the job is {state}; only a job in needs_review can be decided")
        self.state = state

    def extra(self) -> dict[str, Any]:
        return {"state": self.state}


class OutputWithheldFromReviewer(ForbiddenError):
    """The held output cites a document this reviewer may not read."""

    def __init__(self) -> None:
        super().__init__(
            "the held output cites a document your key's groups do not reach, so it is "
            "withheld from you; a reviewer who may read it decides"
        )


class InvalidEditedOutput(InvalidRequestError):
    """The edited output is not a valid output of the job's kind."""

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors

    def extra(self) -> dict[str, Any]:
        return {"errors": self.errors}


class ReviewService:
    def __init__(
        self,
        db: Database,
        kinds: KindRegistry,
        *,
        base_url: str = "",
        citations: Retrieval | None = None,
    ) -> None:
        self.db = db
        self.kinds = kinds
        self.base_url = base_url.rstrip("/")
        self.citations = citations
        """Resolves the documents an output cites for its reviewer; None: no documents."""

    async def queue(
        self, principal: Principal, *, kind: str | None, limit: int, cursor: UUID | None
    ) -> tuple[list[HeldJob], str | None]:
        """A page of the tenant's held jobs, oldest first, and the next page's cursor."""
        rows = await self.db.fetch_all(
            "review_list",
            tenant_id=principal.tenant_id,
            kind=kind,
            after_id=cursor,
            limit=limit + 1,
        )
        named = sources_named_in(json.dumps([row["review_reasons"] for row in rows[:limit]]))
        visible = await self._visible(principal, named)
        page = [
            HeldJob(
                job_id=row["id"],
                kind=row["kind"],
                created_at=row["created_at"],
                held_at=row["finished_at"] or row["updated_at"],
                expires_at=row["expires_at"],
                reasons=_reasons(row["review_reasons"], visible),
                model=row["model"],
                prompt_version=row["prompt_version"],
                links=self._links(row["id"]),
            )
            for row in rows[:limit]
        ]
        return page, (str(page[-1].job_id) if len(rows) > limit else None)

    async def get(self, principal: Principal, job_id: UUID) -> Review:
        row = await self.db.fetch_optional(
            "review_get", job_id=job_id, tenant_id=principal.tenant_id
        )
        if row is None:
            raise ReviewNotFound(f"no job {job_id} was held for review")
        return await self._as_reviewer(self._view(row), row["review_reasons"], principal)

    async def _as_reviewer(
        self, review: Review, raw_reasons: list[dict[str, Any]] | None, reviewer: Principal
    ) -> Review:
        """The review as ``reviewer`` may see it now, as a job's result is shown to its
        reader (app/jobs/service.py ``_as_reader``): an output citing or grounded in (the
        job retrieved it) a document the reviewer's groups do not reach is withheld, and
        the reasons do not name such a
        document (a safety flag names the chunk it was found in)."""
        cited = [
            source
            for source in cited_sources([review.output or {}, review.edited_output or {}])
            if parse_source_id(source) is not None
        ]
        named = sources_named_in(json.dumps(raw_reasons or []))
        update: dict[str, Any] = {}
        if cited or named:
            visible = await self._visible(reviewer, [*cited, *named])
            update["reasons"] = _reasons(raw_reasons, visible)
            if any(source not in visible for source in cited):
                update |= {"output": None, "edited_output": None, "output_withheld": True}
        has_output = review.output is not None or review.edited_output is not None
        if has_output and "output_withheld" not in update and self.citations is not None:
            if not await self.citations.reads_every_retrieved(reviewer, review.job_id):
                update |= {"output": None, "edited_output": None, "output_withheld": True}
        return review.model_copy(update=update) if update else review

    async def _visible(self, reviewer: Principal, sources: Sequence[str]) -> set[str]:
        """Which of the chunk ``sources`` name documents ``reviewer`` may read now."""
        if not sources or self.citations is None:
            return set()
        views = await self.citations.resolve_citations(reviewer, sources)
        return {view.source for view in views if not view.withheld}

    async def approve(
        self,
        principal: Principal,
        job_id: UUID,
        *,
        edited_output: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> Review:
        """Deliver the held output, or the reviewer's edit of it (both are kept)."""
        return await self._decide(
            principal, job_id, "approved", reason=note, edited_output=edited_output
        )

    async def reject(self, principal: Principal, job_id: UUID, *, reason: str) -> Review:
        """Fail the job with ``rejected_in_review``; its output is never delivered."""
        return await self._decide(principal, job_id, "rejected", reason=reason)

    async def _decide(
        self,
        principal: Principal,
        job_id: UUID,
        decision: str,
        *,
        reason: str | None,
        edited_output: dict[str, Any] | None = None,
    ) -> Review:
        await self._may_see_output(principal, job_id)
        # A reviewer's words outlive the job's input (reviews, jobs.error, job events):
        # redacted like every other stored text (app/safety/redaction.py). An edited
        # output is the job's result and is stored as given.
        reason = redact(reason) if reason is not None else None
        try:
            async with self.db.transaction() as conn:
                await self.db.execute(
                    "job_transaction_context", conn, actor=principal.actor, lock_timeout="5s"
                )
                await self.db.execute(
                    "job_transaction_reason", conn, reason=f"{decision} in review"
                )
                held = await self.db.fetch_optional(
                    "review_lock_held", conn, job_id=job_id, tenant_id=principal.tenant_id
                )
                if held is not None:
                    if edited_output is not None:
                        edited_output = self._validated(held["kind"], edited_output)
                    review = await self.db.fetch_one(
                        "review_insert",
                        conn,
                        job_id=job_id,
                        tenant_id=principal.tenant_id,
                        reviewer_id=principal.id,
                        reviewer_key_id=principal.key_id,
                        decision=decision,
                        reason=reason,
                        review_reasons=json.dumps(held["review_reasons"]),
                        original_output=held["held_result"],
                        edited_output=edited_output,
                    )
                    await self.db.execute(
                        "review_transaction_context",
                        conn,
                        review=json.dumps(
                            {
                                "id": str(review["id"]),
                                "decision": decision,
                                "edited": edited_output is not None,
                            }
                        ),
                    )
                    rejected = decision == "rejected"
                    await self.db.fetch_one(
                        "review_end_job",
                        conn,
                        job_id=job_id,
                        state="failed" if rejected else "succeeded",
                        result=edited_output,
                        error={
                            "code": REJECTED_IN_REVIEW,
                            "message": f"rejected in review: {reason}",
                        }
                        if rejected
                        else None,
                    )
                    if rejected:
                        # Its answers are not reused either (llm_cache_get also skips them).
                        await self.db.execute(
                            "llm_cache_evict_job",
                            conn,
                            tenant_id=principal.tenant_id,
                            job_id=job_id,
                        )
        except LockTimeout as exc:
            raise ReviewNotPending("being decided by another reviewer") from exc
        current = await self.get(principal, job_id)  # 404 for a job never held
        if held is None:
            raise ReviewNotPending(current.state.value)
        label = "edited" if edited_output is not None else decision
        metrics.observe_review_decision(
            held["kind"] if held["kind"] in self.kinds else "unknown",
            current.prompt_version,
            label,
        )
        log.info(
            "review decided",
            extra={
                "event": "review_decided",
                "job_id": str(job_id),
                "tenant_id": str(principal.tenant_id),
                "kind": held["kind"],
                "decision": label,
                "reviewer_id": str(principal.id),
            },
        )
        return current

    async def _may_see_output(self, principal: Principal, job_id: UUID) -> None:
        """A reviewer from whom the held output is withheld (it cites a document their
        groups do not reach) decides nothing about it, neither approves nor rejects what
        they cannot see: 403. A decided job is left to the 409 of :meth:`_decide`."""
        held = await self.get(principal, job_id)  # 404 for a job never held
        if held.state == JobState.needs_review and held.output_withheld:
            raise OutputWithheldFromReviewer()

    def _validated(self, kind_name: str, output: dict[str, Any]) -> dict[str, Any]:
        kind = self.kinds.get(kind_name)
        if kind is None:
            raise ReviewNotPending(f"of kind {kind_name!r}, which is no longer known")
        try:
            return kind.output_model.model_validate(output).model_dump(mode="json")
        except ValidationError as exc:
            raise InvalidEditedOutput(
                f"output is not a valid {kind_name} output",
                [
                    {
                        "field": ".".join(["output", *(str(part) for part in error["loc"])]),
                        "message": error["msg"],
                    }
                    for error in exc.errors(include_url=False, include_input=False)
                ],
            ) from exc

    def _view(self, row: dict[str, Any]) -> Review:
        decided = row["review_id"] is not None
        return Review(
            job_id=row["id"],
            kind=row["kind"],
            state=row["state"],
            reasons=_reasons(row["review_reasons"]),
            output=row["original_output"] if decided else row["held_result"],
            edited_output=row["edited_output"],
            input=row["input"],
            model=row["model"],
            prompt_version=row["prompt_version"],
            expires_at=row["expires_at"],
            decision=ReviewDecision(
                id=row["review_id"],
                decision=row["decision"],
                edited=row["edited"],
                reason=row["reason"],
                reviewer=row["reviewer"],
                decided_at=row["decided_at"],
            )
            if decided
            else None,
            links=self._links(row["id"]),
        )

    def _links(self, job_id: UUID) -> ReviewLinks:
        path = f"{self.base_url}/v1/reviews/{job_id}"
        return ReviewLinks(
            self=path,
            approve=f"{path}/approve",
            reject=f"{path}/reject",
            job=f"{self.base_url}/v1/jobs/{job_id}",
        )


def _reasons(
    raw: list[dict[str, Any]] | None, visible: Collection[str] = ()
) -> list[ReviewReasonView]:
    """The reasons, naming only the document chunks in ``visible``."""
    return [
        ReviewReasonView(code=r["code"], detail=withhold_sources(_detail(r), visible))
        for r in raw or []
    ]


def _detail(reason: dict[str, Any]) -> str:
    """The policy's own detail; for a safety check's reason, what it recorded (where,
    which guard or signals: redacted, never the value)."""
    if "detail" in reason:
        return str(reason["detail"])
    return "; ".join(
        f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in reason.items()
        if key != "code"
    )
