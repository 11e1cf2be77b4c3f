"""Console pages of the review queue, for keys with the ``reviewer`` role only: the
held outputs, one side by side with its sources and flags, and the decisions.

Decisions go through the API's ReviewService (one transaction that moves the job
and appends its event), so a decision made here reaches the requester's stream and
webhooks exactly as one made with POST /v1/reviews/{id}/approve, and other open
consoles see it on the tenant stream.
"""

from __future__ import annotations

import json
import math
from datetime import UTC
from typing import Annotated, Any, TypeVar
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from pydantic import ValidationError

from app.client_input import JsonTooDeep, refuse_unstorable_json
from app.console import filters
from app.console.csrf import InvalidConsoleForm, checked_form
from app.console.pages import SECURITY_HEADERS, json_text, render
from app.console.reads import ConsoleReads, provide_reads
from app.console.session import Viewer
from app.errors import BadRequestError, InvalidRequestError, PublicError
from app.keys.auth import ReviewerRequired
from app.review.controllers import provide_review_service
from app.review.schemas import ApproveRequest, RejectRequest
from app.review.service import ReviewService

PAGE_SIZE = 50
_Decision = TypeVar("_Decision", ApproveRequest, RejectRequest)

DEPENDENCIES = {
    "reviews": Provide(provide_review_service, sync_to_thread=False),
    "reads": Provide(provide_reads, sync_to_thread=False),
}


def _reviewer(viewer: Viewer) -> Viewer:
    # The same refusal (403) the API gives a key without the role.
    if not viewer.is_reviewer:
        raise ReviewerRequired()
    return viewer


@get("/reviews", dependencies=DEPENDENCIES)
async def reviews_page(
    viewer: NamedDependency[Viewer],
    reviews: NamedDependency[ReviewService],
    reads: NamedDependency[ConsoleReads],
    cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Response[str]:
    _reviewer(viewer)
    after = filters.cursor(cursor)
    since = await reads.stream_position()
    items, next_cursor = await reviews.queue(
        viewer.principal, kind=None, limit=PAGE_SIZE, cursor=after
    )
    return render(
        "reviews.html",
        viewer=viewer,
        nav="reviews",
        held=items,
        next_cursor=next_cursor,
        since=since,
    )


@get("/reviews/{job_id:str}", dependencies=DEPENDENCIES)
async def review_page(
    job_id: FromPath[str],
    viewer: NamedDependency[Viewer],
    reviews: NamedDependency[ReviewService],
    reads: NamedDependency[ConsoleReads],
) -> Response[str]:
    _reviewer(viewer)
    return await _review(viewer, reviews, reads, filters.path_id(job_id))


@get("/reviews/{job_id:str}/summary", dependencies=DEPENDENCIES)
async def review_summary(
    job_id: FromPath[str],
    viewer: NamedDependency[Viewer],
    reviews: NamedDependency[ReviewService],
) -> Response[dict[str, Any]]:
    """A queue row for the queue page's script (a job held after the page was read):
    its reasons as this reviewer may read them, and its deadline."""
    _reviewer(viewer)
    review = await reviews.get(viewer.principal, filters.path_id(job_id))
    row = {
        "id": str(review.job_id),
        "kind": review.kind,
        "state": review.state.value,
        "reasons": [reason.model_dump() for reason in review.reasons],
        # In UTC, so the script shows it as the page does.
        "expires_at": review.expires_at.astimezone(UTC).isoformat(),
    }
    return Response(row, headers=SECURITY_HEADERS)


async def _review(
    viewer: Viewer,
    reviews: ReviewService,
    reads: ConsoleReads,
    job_id: UUID,
    *,
    refused: PublicError | None = None,
    form: dict[str, str] | None = None,
) -> Response[str]:
    """The review page; after a ``refused`` decision, with what the reviewer sent
    (``form``) back in its fields and the refusal beside them, at the refusal's status."""
    since = await reads.stream_position()
    review = await reviews.get(viewer.principal, job_id)
    sent = form or {}
    if "output" in sent:
        edit = sent["output"]
    else:
        edit = json_text(review.output) if review.output is not None else ""
    return render(
        "review.html",
        viewer=viewer,
        nav="reviews",
        status_code=refused.describe().status if refused else 200,
        review=review,
        since=since,
        passages=await reads.cited_passages(viewer.principal, review.output),
        output_json=edit,
        sent=sent,
        error=_refusal(refused) if refused else None,
        refused_form=_form_of(sent) if refused else None,
    )


def _form_of(sent: dict[str, str]) -> str:
    """Which form was sent: the edit (it has an output field), reject, or approve as is."""
    return "edit" if "output" in sent else "reject" if "reason" in sent else "approve"


def _refusal(error: PublicError) -> str:
    described = error.describe()
    fields = (described.extra or {}).get("errors") or []
    details = "; ".join(f"{f['field']}: {f['message']}" for f in fields if "field" in f)
    return f"{described.detail}: {details}" if details else described.detail


@post("/reviews/{job_id:str}/approve", dependencies=DEPENDENCIES, status_code=303)
async def approve_review(
    job_id: FromPath[str],
    request: Request,
    viewer: NamedDependency[Viewer],
    reviews: NamedDependency[ReviewService],
    reads: NamedDependency[ConsoleReads],
) -> Response[Any]:
    _reviewer(viewer)
    job = filters.path_id(job_id)
    form = await checked_form(request, viewer)
    try:
        decision = _valid(
            ApproveRequest,
            {"note": form.get("note") or None, "output": _edited_output(form.get("output"))},
        )
        if decision.output is not None:
            # The edit form starts with the held output: sent back unchanged, it is no edit.
            held = await reviews.get(viewer.principal, job)
            if decision.output == held.output:
                decision = decision.model_copy(update={"output": None})
        await reviews.approve(
            viewer.principal, job, edited_output=decision.output, note=decision.note
        )
    except (BadRequestError, InvalidRequestError) as refused:
        # The reviewer's edit is not lost: the page comes back with it and why.
        return await _review(viewer, reviews, reads, job, refused=refused, form=form)
    return Redirect(f"/console/reviews/{job}", status_code=303)


@post("/reviews/{job_id:str}/reject", dependencies=DEPENDENCIES, status_code=303)
async def reject_review(
    job_id: FromPath[str],
    request: Request,
    viewer: NamedDependency[Viewer],
    reviews: NamedDependency[ReviewService],
    reads: NamedDependency[ConsoleReads],
) -> Response[Any]:
    _reviewer(viewer)
    job = filters.path_id(job_id)
    form = await checked_form(request, viewer)
    form.setdefault("reason", "")
    try:
        decision = _valid(RejectRequest, {"reason": form["reason"].strip()})
        await reviews.reject(viewer.principal, job, reason=decision.reason)
    except (BadRequestError, InvalidRequestError) as refused:
        return await _review(viewer, reviews, reads, job, refused=refused, form=form)
    return Redirect(f"/console/reviews/{job}", status_code=303)


def _edited_output(text: str | None) -> dict[str, Any] | None:
    """The reviewer's edit, when the form's output field holds one (empty: approve as is)."""
    if text is None or not text.strip():
        return None
    try:
        output = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError as exc:
        raise JsonTooDeep() from exc
    except ValueError as exc:
        raise InvalidConsoleForm(f"the edited output is not JSON: {exc}") from exc
    if not isinstance(output, dict):
        raise InvalidConsoleForm("the edited output must be a JSON object")
    # What the API refuses in a JSON body (too deep, NUL) is refused here as well.
    refuse_unstorable_json(output)
    return output


def _valid(model: type[_Decision], fields: dict[str, Any]) -> _Decision:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_url=False, include_input=False)
        )
        raise InvalidConsoleForm(problems) from exc


def _no_constant(name: str) -> Any:
    raise InvalidConsoleForm(f"the edited output holds {name}, which JSON does not allow")


def _finite(text: str) -> float:
    # 1e999 parses as infinity, which jsonb cannot store.
    number = float(text)
    if not math.isfinite(number):
        raise InvalidConsoleForm(f"the edited output holds {text[:40]}, too large a number")
    return number


REVIEW_HANDLERS = [reviews_page, review_page, review_summary, approve_review, reject_review]
