"""HTTP endpoints of the review queue: list held jobs, read one, approve or reject it.
Only keys with the ``reviewer`` role; a requester reads their job at /v1/jobs (its
output hidden while it waits)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from app.keys.auth import authenticated, provide_principal, reviewer_only
from app.keys.service import Principal
from app.problems import problem_responses
from app.review.schemas import ApproveRequest, RejectRequest, Review, ReviewQueuePage
from app.review.service import ReviewService


def provide_review_service(state: State) -> ReviewService:
    return state.services.reviews


class ReviewController(Controller):
    path = "/v1/reviews"
    tags = ["reviews"]
    security = [{"BearerAuth": []}]
    guards = [authenticated, reviewer_only]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "reviews": Provide(provide_review_service, sync_to_thread=False),
    }

    @get(
        "/",
        operation_id="ListReviews",
        summary="The review queue: the tenant's held jobs, oldest first",
        description=(
            "Jobs whose output the kind's risk policy or a guard held (`needs_review`), with "
            "the reasons and the review deadline (`expires_at`)."
        ),
        responses=problem_responses(400, 401, 403, 503),
    )
    async def list_held(
        self,
        principal: NamedDependency[Principal],
        reviews: NamedDependency[ReviewService],
        kind: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        cursor: Annotated[
            UUID | None, QueryParameter(description="next_cursor of the previous page")
        ] = None,
    ) -> ReviewQueuePage:
        items, next_cursor = await reviews.queue(principal, kind=kind, limit=limit, cursor=cursor)
        return ReviewQueuePage(items=items, next_cursor=next_cursor)

    @get(
        "/{job_id:uuid}",
        operation_id="GetReview",
        summary="A held job: its output, its input (sources), why it was held, its decision",
        responses=problem_responses(400, 401, 403, 404, 503),
    )
    async def read(
        self,
        job_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        reviews: NamedDependency[ReviewService],
    ) -> Review:
        return await reviews.get(principal, job_id)

    @post(
        "/{job_id:uuid}/approve",
        operation_id="ApproveReview",
        summary="Approve a held output, optionally edited: the job succeeds and is delivered",
        description=(
            "With `{}` the held output is delivered as it is; with `output`, your version "
            "(validated against the kind's output model) is, and both are kept. A job already "
            "decided or expired gets 409 with its `state`. A reviewer from whom the output is "
            "withheld (`output_withheld`: it cites a document their groups do not reach) gets "
            "403: a reviewer who may read it decides."
        ),
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
    )
    async def approve(
        self,
        job_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        reviews: NamedDependency[ReviewService],
        data: JSONBody[ApproveRequest],
    ) -> Review:
        return await reviews.approve(principal, job_id, edited_output=data.output, note=data.note)

    @post(
        "/{job_id:uuid}/reject",
        operation_id="RejectReview",
        summary="Reject a held output: the job fails with rejected_in_review",
        description=(
            "A job already decided or expired gets 409 with its `state`; a reviewer from whom "
            "the output is withheld (`output_withheld`) gets 403."
        ),
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
    )
    async def reject(
        self,
        job_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        reviews: NamedDependency[ReviewService],
        data: JSONBody[RejectRequest],
    ) -> Review:
        return await reviews.reject(principal, job_id, reason=data.reason)
