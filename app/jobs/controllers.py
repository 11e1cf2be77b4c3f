"""HTTP endpoints for jobs: intake, polling, listing and history."""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import ServerSentEvent

from app.delivery.controllers import provide_stream_grant, provide_streams, sse_response
from app.delivery.sse import EventStreams, StreamFinished, StreamJobNotFound
from app.delivery.tokens import StreamGrant

from app.jobs.schemas import TERMINAL_STATES, Job, JobEventList, JobPage, JobRequest, JobState
from app.jobs.service import JobService
from app.keys.service import Principal
from app.problems import MissingIdempotencyKey

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


async def provide_principal(request: Request, state: State) -> Principal:
    return await state.services.keys.authenticate(request.headers.get("authorization"))


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
    dependencies = {
        "principal": Provide(provide_principal),
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
    )
    async def create(
        self,
        data: JSONBody[JobRequest],
        principal: NamedDependency[Principal],
        jobs: NamedDependency[JobService],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(name="Idempotency-Key", description="Unique per logical request; reuse it to retry."),
        ] = None,
    ) -> Response[Job]:
        if idempotency_key is None or not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise MissingIdempotencyKey()
        intake = await jobs.submit(principal, data, idempotency_key)
        return Response(
            intake.job,
            status_code=202 if intake.created else 200,
            headers={"Location": intake.job.links.self, "ETag": _etag(intake.job)},
        )

    @get("/{job_id:uuid}", operation_id="GetJob", summary="Read a job (poll)")
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

    @get("/", operation_id="ListJobs", summary="List the tenant's jobs, newest first")
    async def list_jobs(
        self,
        principal: NamedDependency[Principal],
        jobs: NamedDependency[JobService],
        state_filter: Annotated[JobState | None, QueryParameter(name="state")] = None,
        kind: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> JobPage:
        items, next_cursor = await jobs.list(principal, state=state_filter, kind=kind, limit=limit, cursor=cursor)
        return JobPage(items=items, next_cursor=next_cursor)

    @get(
        "/{job_id:uuid}/events",
        operation_id="ListJobEvents",
        summary="A job's history, or its live event stream",
        description=(
            "JSON history by default. With `Accept: text/event-stream`: server-sent events, each with "
            "`id:` = the event's seq; reconnect with `Last-Event-ID` to get only later events; the stream "
            "ends after the terminal event (204 when nothing is left). Accepts the Bearer key or the "
            "`?token=` that `links.events` carries."
        ),
        dependencies={"grant": Provide(provide_stream_grant), "streams": Provide(provide_streams, sync_to_thread=False)},
    )
    async def events(
        self,
        job_id: FromPath[UUID],
        grant: NamedDependency[StreamGrant],
        streams: NamedDependency[EventStreams],
        accept: Annotated[str | None, HeaderParameter(name="Accept")] = None,
        last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID", max_length=60)] = None,
    ) -> Response[JobEventList | None] | ServerSentEvent:
        if not grant.allows_job(job_id):
            raise StreamJobNotFound(f"no job {job_id}")
        if accept and "text/event-stream" in accept:
            try:
                return sse_response(await streams.open_job_stream(grant.tenant_id, job_id, last_event_id))
            except StreamFinished:
                return Response(None, status_code=204)
        return Response(JobEventList(job_id=job_id, events=await streams.history(grant.tenant_id, job_id)))
