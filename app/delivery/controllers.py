"""HTTP endpoints for delivery: webhook endpoints, deliveries, the tenant-wide
event stream, and a small page that watches a job in the browser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from app.delivery.schemas import (
    CallbackSecret,
    DeliveryList,
    StreamLink,
    TestDelivery,
    WebhookEndpoint,
    WebhookEndpointList,
    WebhookEndpointRequest,
    WebhookEndpointWithSecret,
)
from app.delivery.sse import EventStreams
from app.delivery.tokens import InvalidStreamToken, StreamGrant, StreamTokens
from app.delivery.webhooks import WebhookService
from app.jobs.schemas import JobState
from app.keys.auth import admin_only, authenticated, provide_principal
from app.keys.service import Principal
from app.problems import problem_responses

_WATCH_PAGE = (Path(__file__).parent / "watch.html").read_text()


async def provide_stream_grant(request: Request, state: State) -> StreamGrant:
    """Who may read a stream: a ``?token=`` stream link (while the key that made it is
    live), else the Bearer API key."""
    token = request.query_params.get("token")
    if token is not None:
        return await state.services.stream_links.verify(token)
    principal = await state.services.keys.authenticate(request.headers.get("authorization"))
    return StreamGrant(tenant_id=principal.tenant_id, key_id=principal.key_id)


def provide_webhooks(state: State) -> WebhookService:
    return state.services.webhooks


def provide_streams(state: State) -> EventStreams:
    return state.services.streams


def sse_response(stream: AsyncIterator[ServerSentEventMessage]) -> ServerSentEvent:
    return ServerSentEvent(stream, headers={"Cache-Control": "no-store"})


class WebhookController(Controller):
    path = "/v1/webhooks"
    tags = ["webhooks"]
    security = [{"BearerAuth": []}]
    guards = [authenticated, admin_only]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "webhooks": Provide(provide_webhooks, sync_to_thread=False),
    }

    @post(
        "/",
        operation_id="CreateWebhookEndpoint",
        responses=problem_responses(400, 401, 403, 422, 503),
        summary="Register a webhook endpoint",
        status_code=201,
    )
    async def create(
        self,
        data: JSONBody[WebhookEndpointRequest],
        principal: NamedDependency[Principal],
        webhooks: NamedDependency[WebhookService],
    ) -> WebhookEndpointWithSecret:
        return await webhooks.create(principal.tenant_id, data)

    @get(
        "/",
        operation_id="ListWebhookEndpoints",
        responses=problem_responses(400, 401, 403, 503),
        summary="The tenant's webhook endpoints",
    )
    async def list_endpoints(
        self, principal: NamedDependency[Principal], webhooks: NamedDependency[WebhookService]
    ) -> WebhookEndpointList:
        return WebhookEndpointList(items=await webhooks.list(principal.tenant_id))

    @get(
        "/{endpoint_id:uuid}",
        operation_id="GetWebhookEndpoint",
        responses=problem_responses(400, 401, 403, 404, 503),
        summary="One webhook endpoint",
    )
    async def read(
        self,
        endpoint_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        webhooks: NamedDependency[WebhookService],
    ) -> WebhookEndpoint:
        return await webhooks.get(principal.tenant_id, endpoint_id)

    @delete(
        "/{endpoint_id:uuid}",
        operation_id="DeleteWebhookEndpoint",
        responses=problem_responses(400, 401, 403, 404, 503),
        summary="Delete a webhook endpoint",
    )
    async def remove(
        self,
        endpoint_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        webhooks: NamedDependency[WebhookService],
    ) -> None:
        await webhooks.delete(principal.tenant_id, endpoint_id)

    @post(
        "/{endpoint_id:uuid}/rotate-secret",
        operation_id="RotateWebhookSecret",
        responses=problem_responses(400, 401, 403, 404, 503),
        status_code=200,
        summary="Replace the signing secret; the old one also signs until the overlap ends",
    )
    async def rotate(
        self,
        endpoint_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        webhooks: NamedDependency[WebhookService],
    ) -> WebhookEndpointWithSecret:
        return await webhooks.rotate_secret(principal.tenant_id, endpoint_id)

    @post(
        "/{endpoint_id:uuid}/test",
        operation_id="SendTestWebhook",
        responses=problem_responses(400, 401, 403, 404, 409, 503),
        status_code=202,
        summary="Queue a webhook.test event for the endpoint",
    )
    async def send_test(
        self,
        endpoint_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        webhooks: NamedDependency[WebhookService],
    ) -> TestDelivery:
        return await webhooks.send_test(principal.tenant_id, endpoint_id)

    @get(
        "/{endpoint_id:uuid}/deliveries",
        operation_id="ListWebhookDeliveries",
        responses=problem_responses(400, 401, 403, 404, 503),
        summary="Deliveries to the endpoint, newest first, with every attempt",
    )
    async def deliveries(
        self,
        endpoint_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        webhooks: NamedDependency[WebhookService],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> DeliveryList:
        return DeliveryList(
            items=await webhooks.deliveries(principal.tenant_id, endpoint_id, limit)
        )

    @get(
        "/callback-secret",
        operation_id="GetCallbackSecret",
        responses=problem_responses(400, 401, 403, 503),
        summary="The secret that signs webhooks to jobs' callback_url",
    )
    async def callback_secret(
        self, principal: NamedDependency[Principal], webhooks: NamedDependency[WebhookService]
    ) -> CallbackSecret:
        return await webhooks.callback_secret(principal.tenant_id)

    @post(
        "/callback-secret/rotate",
        operation_id="RotateCallbackSecret",
        responses=problem_responses(400, 401, 403, 503),
        status_code=200,
        summary="Replace the callback secret; the old one also signs until the overlap ends",
    )
    async def rotate_callback_secret(
        self, principal: NamedDependency[Principal], webhooks: NamedDependency[WebhookService]
    ) -> CallbackSecret:
        return await webhooks.rotate_callback_secret(principal.tenant_id)


class JobDeliveryController(Controller):
    path = "/v1/jobs/{job_id:uuid}/deliveries"
    tags = ["webhooks"]
    security = [{"BearerAuth": []}]
    guards = [authenticated]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "webhooks": Provide(provide_webhooks, sync_to_thread=False),
    }

    @get(
        "/",
        operation_id="ListJobDeliveries",
        responses=problem_responses(400, 401, 404, 503),
        summary="Webhook deliveries of a job's events, with every attempt",
    )
    async def deliveries(
        self,
        job_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        webhooks: NamedDependency[WebhookService],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> DeliveryList:
        return DeliveryList(items=await webhooks.job_deliveries(principal.tenant_id, job_id, limit))


class TenantEventController(Controller):
    path = "/v1/events"
    tags = ["events"]
    security = [{"BearerAuth": []}]
    dependencies = {"streams": Provide(provide_streams, sync_to_thread=False)}

    @get(
        "/",
        operation_id="StreamTenantEvents",
        media_type="text/event-stream",
        responses=problem_responses(400, 401, 429, 503),
        dependencies={"grant": Provide(provide_stream_grant)},
        summary="Every event of the tenant's jobs as server-sent events (for dashboards)",
        description=(
            "Resumable with Last-Event-ID; accepts the Bearer key or a `?token=` from "
            "CreateTenantStreamLink. Ends when that key is revoked. Capped per tenant (429) "
            "and per API process (503), both with Retry-After."
        ),
    )
    async def stream(
        self,
        grant: NamedDependency[StreamGrant],
        streams: NamedDependency[EventStreams],
        kind: Annotated[str | None, QueryParameter(max_length=100)] = None,
        state_filter: Annotated[JobState | None, QueryParameter(name="state")] = None,
        last_event_id: Annotated[
            str | None, HeaderParameter(name="Last-Event-ID", max_length=60)
        ] = None,
    ) -> ServerSentEvent:
        if grant.job_id is not None:
            raise InvalidStreamToken("this stream link is for one job, not the tenant-wide stream")
        return sse_response(
            await streams.open_tenant_stream(
                grant.tenant_id, last_event_id, kind=kind, state=state_filter, key_id=grant.key_id
            )
        )

    @post(
        "/links",
        operation_id="CreateTenantStreamLink",
        responses=problem_responses(400, 401, 503),
        status_code=201,
        dependencies={"principal": Provide(provide_principal, sync_to_thread=False)},
        guards=[authenticated],
        summary="A short-lived link to the tenant-wide stream, for a browser's EventSource",
    )
    async def link(self, principal: NamedDependency[Principal], request: Request) -> StreamLink:
        tokens: StreamTokens = request.app.state.services.stream_tokens
        expires_at = datetime.now(UTC) + timedelta(hours=1)
        token = tokens.issue(StreamGrant(principal.tenant_id, principal.key_id), expires_at)
        return StreamLink(
            url=f"{request.app.state.services.base_url}/v1/events?token={token}",
            expires_at=expires_at,
        )


@get(
    "/watch",
    operation_id="WatchPage",
    tags=["events"],
    include_in_schema=False,
    media_type="text/html",
)
async def watch_page() -> Response[str]:
    """A page that follows one event stream with EventSource:
    /watch?events=<links.events of a job>."""
    return Response(_WATCH_PAGE, media_type="text/html", headers={"Cache-Control": "no-store"})
