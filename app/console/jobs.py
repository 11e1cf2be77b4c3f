"""Console pages of jobs: the live table, a job's page, its summary for the table's
script, the tenant stream for the browser, and the cancel and replay forms.

Everything goes through the API's own services (JobService, EventStreams,
WebhookService), so the console shows and does exactly what the API would for the
signed-in key: the same tenant, the same citation resolution, the same errors.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, QueryParameter
from litestar.response import Redirect, ServerSentEvent

from app.console import filters
from app.console.csrf import checked_form
from app.console.pages import SECURITY_HEADERS, render
from app.console.reads import ConsoleReads, provide_reads
from app.console.session import Viewer
from app.delivery.controllers import provide_streams, provide_webhooks, sse_response
from app.delivery.sse import EventStreams, Session
from app.delivery.webhooks import WebhookService
from app.jobs.controllers import provide_job_service
from app.jobs.schemas import CANCELLABLE_STATES, TERMINAL_STATES, Job, JobState
from app.jobs.service import JobService

PAGE_SIZE = 50
# Unbounded here: each is checked by app/console/filters.py, whose refusal is the
# console's HTML error page (a length bound would answer the API's problem+json).
_Text = Annotated[str | None, QueryParameter()]

DEPENDENCIES = {
    "jobs": Provide(provide_job_service, sync_to_thread=False),
    "reads": Provide(provide_reads, sync_to_thread=False),
    "streams": Provide(provide_streams, sync_to_thread=False),
    "webhooks": Provide(provide_webhooks, sync_to_thread=False),
}


def job_row(job: Job) -> dict[str, Any]:
    """One row of the live table, as the page renders it and its script receives it."""
    return {
        "id": str(job.id),
        "kind": job.kind,
        "state": job.state.value,
        "attempt": job.attempt,
        "model": job.model,
        "cost_usd": str(job.usage.cost_usd),
        "created_at": job.created_at.isoformat(),
    }


@get("/jobs", dependencies=DEPENDENCIES)
async def jobs_page(
    viewer: NamedDependency[Viewer],
    jobs: NamedDependency[JobService],
    reads: NamedDependency[ConsoleReads],
    state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
    kind: _Text = None,
    cursor: _Text = None,
) -> Response[str]:
    state = filters.job_state(state_filter)
    kind_name = filters.kind(kind, set(jobs.kinds))
    before = filters.cursor(cursor)
    # Taken before the rows are read: the live stream starts here, so no job is missed.
    since = await reads.stream_position()
    items, next_cursor = await jobs.list(
        viewer.principal, state=state, kind=kind_name, limit=PAGE_SIZE, cursor=before
    )
    return render(
        "jobs.html",
        viewer=viewer,
        nav="jobs",
        jobs=items,
        states=[s.value for s in JobState],
        kinds=sorted(jobs.kinds),
        state=state.value if state else "",
        kind=kind_name or "",
        first_page=before is None,
        next_cursor=next_cursor,
        since=since,
    )


@get("/jobs/{job_id:str}", dependencies=DEPENDENCIES)
async def job_page(
    job_id: FromPath[str],
    viewer: NamedDependency[Viewer],
    jobs: NamedDependency[JobService],
    reads: NamedDependency[ConsoleReads],
    webhooks: NamedDependency[WebhookService],
) -> Response[str]:
    jid = filters.path_id(job_id)
    job = await jobs.get(viewer.principal, jid)  # 404 for another tenant's job
    events = await jobs.events(viewer.principal, jid)
    return render(
        "job.html",
        viewer=viewer,
        nav="jobs",
        job=job,
        events=events,
        job_input=await reads.job_input(viewer.principal, jid),
        fallbacks=[e for e in events if e.type == "model_fallback"],
        calls=await reads.model_calls(viewer.principal, jid),
        deliveries=await webhooks.job_deliveries(viewer.principal.tenant_id, jid, 100),
        cancellable=job.state in CANCELLABLE_STATES,
        replayable=job.state in TERMINAL_STATES and job.purged_at is None,
        replay_token=str(uuid.uuid4()),
    )


@get("/jobs/{job_id:str}/summary", dependencies=DEPENDENCIES)
async def job_summary(
    job_id: FromPath[str], viewer: NamedDependency[Viewer], jobs: NamedDependency[JobService]
) -> Response[dict[str, Any]]:
    """A row of the live table, for its script (a job it has not shown yet, or whose
    model and cost the stream's events do not carry)."""
    jid = filters.path_id(job_id)
    job = await jobs.get(viewer.principal, jid)
    return Response(job_row(job), headers=SECURITY_HEADERS)


@get("/events", dependencies=DEPENDENCIES)
async def tenant_events(
    viewer: NamedDependency[Viewer],
    streams: NamedDependency[EventStreams],
    jobs: NamedDependency[JobService],
    after: _Text = None,
    kind: _Text = None,
    last_event_id: Annotated[
        str | None, HeaderParameter(name="Last-Event-ID", max_length=60)
    ] = None,
) -> ServerSentEvent:
    """The tenant stream for the signed-in browser (EventSource sends the session
    cookie, so no token is needed): from ``after`` (the page's position) on first
    connect, from Last-Event-ID on every reconnect. It ends when the key is revoked and
    when the session ends (signed out, or at its expiry)."""
    resume = last_event_id or filters.stream_cursor(after)
    return sse_response(
        await streams.open_tenant_stream(
            viewer.principal.tenant_id,
            resume,
            kind=filters.kind(kind, set(jobs.kinds)),
            state=None,
            key_id=viewer.principal.key_id,
            session=Session(viewer.session_id, viewer.expires_at),
        )
    )


@post("/jobs/{job_id:str}/cancel", dependencies=DEPENDENCIES, status_code=303)
async def cancel_job(
    job_id: FromPath[str],
    request: Request,
    viewer: NamedDependency[Viewer],
    jobs: NamedDependency[JobService],
) -> Redirect:
    jid = filters.path_id(job_id)
    await checked_form(request, viewer)
    await jobs.cancel(viewer.principal, jid)
    return Redirect(f"/console/jobs/{jid}", status_code=303)


@post("/jobs/{job_id:str}/replay", dependencies=DEPENDENCIES, status_code=303)
async def replay_job(
    job_id: FromPath[str],
    request: Request,
    viewer: NamedDependency[Viewer],
    jobs: NamedDependency[JobService],
) -> Redirect:
    jid = filters.path_id(job_id)
    form = await checked_form(request, viewer)
    # The page's one-time token is the Idempotency-Key: a double click makes one replay.
    token = form.get("replay_token") or None
    if token is not None:
        filters.uuid_field("replay_token", token)  # a UUID, as the page made it
        token = f"console-replay:{token}"
    intake = await jobs.replay(viewer.principal, jid, token)
    return Redirect(f"/console/jobs/{intake.job.id}", status_code=303)


JOB_HANDLERS = [jobs_page, job_page, job_summary, tenant_events, cancel_job, replay_job]
