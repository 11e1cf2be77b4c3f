"""HTTP endpoints for jobs: intake, polling, listing and history."""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from app.jobs.schemas import TERMINAL_STATES, Job, JobEventList, JobPage, JobState, job_request_body
from app.jobs.service import JobService
from app.keys.service import Principal
from app.problems import MissingIdempotencyKey, problem_responses
from tasks.kinds import KINDS

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
# The registry is static, so the body's schema (one variant per kind) is built once.
CreateJobBody = job_request_body(KINDS)


async def authenticated(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: the caller presents a live API key. Runs before parameters are
    validated, so an anonymous caller learns nothing but 401."""
    services = connection.app.state.services
    connection.state.principal = await services.keys.authenticate(connection.headers.get("authorization"))


def provide_principal(request: Request) -> Principal:
    return request.state.principal


def provide_job_service(state: State) -> JobService:
    return state.services.jobs


def _etag(job: Job) -> str:
    return f'"{job.version}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


class JobController(Controller):
    path = "/v1/jobs"
    tags = ["jobs"]
    security = [{"BearerAuth": []}]
    guards = [authenticated]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "jobs": Provide(provide_job_service, sync_to_thread=False),
    }

    @post(
        "/",
        operation_id="CreateJob",
        summary="Submit a job",
        description=(
            "Validates `input` against the kind's model and queues the job. A retry with the same "
            "Idempotency-Key and body returns the same job (200); a different body is refused (422)."
        ),
        status_code=202,
        responses={
            200: ResponseSpec(Job, description="The job this Idempotency-Key already created (a retry)."),
            **problem_responses(400, 401, 409, 413, 422, 429, 503),
        },
    )
    async def create(
        self,
        data: JSONBody[CreateJobBody],  # type: ignore[valid-type]
        principal: NamedDependency[Principal],
        jobs: NamedDependency[JobService],
        idempotency_key: Annotated[
            str,
            HeaderParameter(
                name="Idempotency-Key",
                required=True,
                min_length=1,
                max_length=255,
                pattern=IDEMPOTENCY_KEY_PATTERN,
                description="Unique per logical request (e.g. a UUID); send it unchanged when you retry.",
            ),
        ],
    ) -> Response[Job]:
        if not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise MissingIdempotencyKey()
        intake = await jobs.submit(principal, data, idempotency_key)
        return Response(
            intake.job,
            status_code=202 if intake.created else 200,
            headers={"Location": intake.job.links.self, "ETag": _etag(intake.job)},
        )

    @get("/{job_id:uuid}", operation_id="GetJob", summary="Read a job (poll)",
         responses=problem_responses(400, 401, 404, 503))
    async def read(
        self,
        job_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        jobs: NamedDependency[JobService],
        request: Request,
        if_none_match: Annotated[str | None, HeaderParameter(name="If-None-Match")] = None,
    ) -> Response[Job | None]:
        job = await jobs.get(principal, job_id)
        headers = {"ETag": _etag(job), "Cache-Control": "private, no-cache"}
        if job.state not in TERMINAL_STATES:
            headers["Retry-After"] = str(request.app.state.settings.api.poll_after_seconds)
        if _matches(if_none_match, headers["ETag"]):
            return Response(None, status_code=304, headers=headers)
        return Response(job, headers=headers)

    @get("/", operation_id="ListJobs", summary="List the tenant's jobs, newest first",
         responses=problem_responses(400, 401, 503))
    async def list_jobs(
        self,
        principal: NamedDependency[Principal],
        jobs: NamedDependency[JobService],
        state_filter: Annotated[JobState | None, QueryParameter(name="state")] = None,
        kind: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        cursor: Annotated[UUID | None, QueryParameter(description="next_cursor of the previous page")] = None,
    ) -> JobPage:
        items, next_cursor = await jobs.list(principal, state=state_filter, kind=kind, limit=limit, cursor=cursor)
        return JobPage(items=items, next_cursor=next_cursor)

    @get("/{job_id:uuid}/events", operation_id="ListJobEvents", summary="A job's history",
         responses=problem_responses(400, 401, 404, 503))
    async def events(self, job_id: FromPath[UUID], principal: NamedDependency[Principal], jobs: NamedDependency[JobService]) -> JobEventList:
        return JobEventList(job_id=job_id, events=await jobs.events(principal, job_id))
