"""HTTP endpoints for jobs: intake, polling, listing and history."""

# No `from __future__ import annotations`: the intake body type is made per
# registry inside create_job_controller, and Litestar must see it as an object.

import hashlib
import json
import re
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import ServerSentEvent
from pydantic import RootModel

from app.delivery.controllers import provide_stream_grant, provide_streams, sse_response
from app.delivery.sse import EventStreams, StreamFinished, StreamJobNotFound
from app.delivery.tokens import StreamGrant
from app.errors import MissingIdempotencyKey
from app.jobs.kinds import KindRegistry
from app.jobs.schemas import TERMINAL_STATES, Job, JobEventList, JobPage, JobState, job_request_body
from app.jobs.service import Intake, JobService
from app.keys.auth import authenticated, provide_principal
from app.keys.service import Principal
from app.problems import problem_responses

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def provide_job_service(state: State) -> JobService:
    return state.services.jobs


def provide_job_service_after_principal(
    state: State, principal: NamedDependency[Principal]
) -> JobService:
    """The job service, for endpoints that also take the ``principal`` dependency: it
    names the principal only to be resolved after it. Litestar resolves two
    dependencies of one level concurrently, in an anyio task group (two tasks per
    request: a tenth of the API's CPU at intake, bench/PROFILES.md); one after the
    other, each is a plain call."""
    del principal
    return state.services.jobs


def _etag(job: Job) -> str:
    """A strong validator of the job as this reader sees it. The job's ``version`` covers
    the row; a result citing documents is also shown as the documents' ACLs and titles
    resolve for the reader *now* (app/jobs/service.py ``_as_reader``), which can change
    while the row does not (an ACL PATCH): so those citations join the tag, or a client
    revalidating with If-None-Match would keep a stale result or citation (a 304). A
    result withheld for a document the job retrieved without citing it carries
    ``citations`` too (possibly empty), so withholding it changes the tag."""
    if job.citations is None:
        return f'"{job.version}"'
    seen = json.dumps(
        {
            "withheld": job.result_withheld,
            "citations": [view.model_dump(mode="json") for view in job.citations],
        },
        sort_keys=True,
    )
    return f'"{job.version}.{hashlib.sha256(seen.encode()).hexdigest()[:16]}"'


def _intake_response(intake: Intake) -> Response[Job]:
    """202 for a new job, 200 for the one an Idempotency-Key already made."""
    return Response(
        intake.job,
        status_code=202 if intake.created else 200,
        headers={"Location": intake.job.links.self, "ETag": _etag(intake.job)},
    )


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def create_job_controller(kinds: KindRegistry) -> type[Controller]:
    """The jobs controller for a kind registry: the intake body has one variant per
    kind, so the OpenAPI document shows each kind's input schema."""
    CreateJobBody: Any = job_request_body(kinds)

    class JobController(Controller):
        path = "/v1/jobs"
        tags = ["jobs"]
        security = [{"BearerAuth": []}]
        guards = [authenticated]
        dependencies = {
            "principal": Provide(provide_principal, sync_to_thread=False),
            "jobs": Provide(provide_job_service_after_principal, sync_to_thread=False),
        }

        @post(
            "/",
            operation_id="CreateJob",
            summary="Submit a job",
            description=(
                "Validates `input` against the kind's model and queues the job. A retry with the "
                "same Idempotency-Key and body returns the same job (200); a different body is "
                "refused (422)."
            ),
            status_code=202,
            responses={
                200: ResponseSpec(
                    Job, description="The job this Idempotency-Key already created (a retry)."
                ),
                **problem_responses(400, 401, 409, 413, 422, 429, 503),
            },
        )
        async def create(
            self,
            data: JSONBody[CreateJobBody],
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
                    description=(
                        "Unique per logical request (e.g. a UUID); send it unchanged when you "
                        "retry."
                    ),
                ),
            ],
        ) -> Response[Job]:
            if not _IDEMPOTENCY_KEY.match(idempotency_key):
                raise MissingIdempotencyKey()
            request = data.root if isinstance(data, RootModel) else data
            intake = await jobs.submit(principal, request, idempotency_key)
            return _intake_response(intake)

        @get(
            "/{job_id:uuid}",
            operation_id="GetJob",
            summary="Read a job (poll)",
            responses=problem_responses(400, 401, 404, 503),
        )
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

        @get(
            "/",
            operation_id="ListJobs",
            summary="List the tenant's jobs, newest first",
            description="`?state=failed` lists the dead-letter set (SQL: the `dead_letters` view).",
            responses=problem_responses(400, 401, 503),
        )
        async def list_jobs(
            self,
            principal: NamedDependency[Principal],
            jobs: NamedDependency[JobService],
            state_filter: Annotated[JobState | None, QueryParameter(name="state")] = None,
            kind: Annotated[str | None, QueryParameter(max_length=100)] = None,
            limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
            cursor: Annotated[
                UUID | None, QueryParameter(description="next_cursor of the previous page")
            ] = None,
        ) -> JobPage:
            items, next_cursor = await jobs.list(
                principal, state=state_filter, kind=kind, limit=limit, cursor=cursor
            )
            return JobPage(items=items, next_cursor=next_cursor)

        @post(
            "/{job_id:uuid}/cancel",
            operation_id="CancelJob",
            summary="Cancel a job",
            description=(
                "A queued job is cancelled at once; a running one too, and its execution is "
                "aborted (whatever it was about to write is discarded). Cancelling a cancelled job "
                "answers the same again; any other finished job gets 409 with its `state`."
            ),
            status_code=200,
            responses=problem_responses(400, 401, 404, 409, 503),
        )
        async def cancel(
            self,
            job_id: FromPath[UUID],
            principal: NamedDependency[Principal],
            jobs: NamedDependency[JobService],
        ) -> Response[Job]:
            job = await jobs.cancel(principal, job_id)
            return Response(job, headers={"ETag": _etag(job)})

        @post(
            "/{job_id:uuid}/replay",
            operation_id="ReplayJob",
            summary="Run a job's input again as a new job",
            description=(
                "Creates a new job (`replay_of` = this one) with the same input, run with the "
                "kind's current prompt; the original and its result never change. With an "
                "Idempotency-Key, a retried request returns the same replay (200)."
            ),
            status_code=202,
            responses={
                200: ResponseSpec(
                    Job, description="The replay this Idempotency-Key already created (a retry)."
                ),
                **problem_responses(400, 401, 404, 409, 422, 503),
            },
        )
        async def replay(
            self,
            job_id: FromPath[UUID],
            principal: NamedDependency[Principal],
            jobs: NamedDependency[JobService],
            idempotency_key: Annotated[
                str | None,
                HeaderParameter(
                    name="Idempotency-Key",
                    description="Optional; reuse it to retry the same replay.",
                ),
            ] = None,
        ) -> Response[Job]:
            if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
                raise MissingIdempotencyKey()
            intake = await jobs.replay(principal, job_id, idempotency_key)
            return _intake_response(intake)

        @get(
            "/{job_id:uuid}/events",
            operation_id="ListJobEvents",
            summary="A job's history, or its live event stream",
            description=(
                "JSON history by default. With `Accept: text/event-stream`: server-sent events, "
                "each with `id:` = the event's seq; reconnect with `Last-Event-ID` to get only "
                "later events; the stream ends after the terminal event (204 when nothing is "
                "left). Accepts the Bearer key or the `?token=` that `links.events` carries; "
                "the stream ends when that key is revoked. Streams are capped per tenant (429) "
                "and per API process (503), both with Retry-After."
            ),
            dependencies={
                "grant": Provide(provide_stream_grant),
                "streams": Provide(provide_streams, sync_to_thread=False),
            },
            # A browser's EventSource cannot send a key: this endpoint also takes the link's token.
            opt={"stream_token": True},
            responses=problem_responses(400, 401, 404, 429, 503),
        )
        async def events(
            self,
            job_id: FromPath[UUID],
            grant: NamedDependency[StreamGrant],
            streams: NamedDependency[EventStreams],
            accept: Annotated[str | None, HeaderParameter(name="Accept")] = None,
            last_event_id: Annotated[
                str | None, HeaderParameter(name="Last-Event-ID", max_length=60)
            ] = None,
        ) -> Response[JobEventList | None] | ServerSentEvent:
            if not grant.allows_job(job_id):
                raise StreamJobNotFound(f"no job {job_id}")
            if accept and "text/event-stream" in accept:
                try:
                    return sse_response(
                        await streams.open_job_stream(
                            grant.tenant_id, job_id, last_event_id, key_id=grant.key_id
                        )
                    )
                except StreamFinished:
                    return Response(None, status_code=204)
            return Response(
                JobEventList(job_id=job_id, events=await streams.history(grant.tenant_id, job_id))
            )

    return JobController
