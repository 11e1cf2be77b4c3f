"""Managing a tenant's webhook endpoints and reading what was delivered."""

from __future__ import annotations

import builtins
from datetime import timedelta
from typing import Any
from uuid import UUID

from app.db import ConstraintViolation, Database, NotFound
from app.delivery.schemas import (
    CallbackSecret,
    Delivery,
    TestDelivery,
    WebhookEndpoint,
    WebhookEndpointRequest,
    WebhookEndpointWithSecret,
)
from app.delivery.ssrf import DestinationGuard
from app.errors import ConflictError, InvalidRequestError, NotFoundError


class WebhookNotFound(NotFoundError):
    """No such webhook endpoint."""


class WebhookEndpointDisabled(ConflictError):
    """The endpoint is disabled (its receiver answered 410 Gone); nothing is sent to it."""


class InvalidWebhookRequest(InvalidRequestError):
    """The webhook endpoint request is invalid."""


class WebhookService:
    def __init__(
        self, db: Database, guard: DestinationGuard, *, rotation_overlap: timedelta
    ) -> None:
        self.db = db
        self.guard = guard
        self.rotation_overlap = rotation_overlap

    async def create(
        self, tenant_id: UUID, request: WebhookEndpointRequest
    ) -> WebhookEndpointWithSecret:
        """Register an endpoint after checking its URL (DestinationRefused when not allowed)."""
        await self.guard.check(request.url)
        try:
            row = await self.db.fetch_one(
                "webhook_endpoint_insert",
                tenant_id=tenant_id,
                url=request.url,
                description=request.description,
                event_types=request.event_types,
                include_result=request.include_result,
            )
        except ConstraintViolation as exc:
            raise InvalidWebhookRequest(f"refused by the database ({exc.constraint})") from exc
        return WebhookEndpointWithSecret.model_validate(row)

    async def list(self, tenant_id: UUID) -> list[WebhookEndpoint]:
        return [
            WebhookEndpoint.model_validate(r)
            for r in await self.db.fetch_all("webhook_endpoint_list", tenant_id=tenant_id)
        ]

    async def get(self, tenant_id: UUID, endpoint_id: UUID) -> WebhookEndpoint:
        return WebhookEndpoint.model_validate(
            await self._one("webhook_endpoint_get", tenant_id, endpoint_id)
        )

    async def delete(self, tenant_id: UUID, endpoint_id: UUID) -> None:
        """Delete an endpoint and cancel what was still to be sent to it."""
        async with self.db.transaction() as conn:
            await self._one("webhook_endpoint_delete", tenant_id, endpoint_id, conn=conn)
            await self.db.execute(
                "outbox_cancel_for_endpoint",
                conn,
                endpoint_id=endpoint_id,
                reason="the endpoint was deleted",
            )

    async def rotate_secret(self, tenant_id: UUID, endpoint_id: UUID) -> WebhookEndpointWithSecret:
        row = await self._one(
            "webhook_endpoint_rotate_secret", tenant_id, endpoint_id, overlap=self.rotation_overlap
        )
        return WebhookEndpointWithSecret.model_validate(row)

    async def send_test(self, tenant_id: UUID, endpoint_id: UUID) -> TestDelivery:
        """Queue a ``webhook.test`` event for the endpoint; the relay sends it like any other."""
        endpoint = await self.get(tenant_id, endpoint_id)
        if endpoint.disabled_at is not None:
            raise WebhookEndpointDisabled(
                f"endpoint {endpoint_id} was disabled at {endpoint.disabled_at.isoformat()}: "
                f"{endpoint.disabled_reason}; register it again to resume"
            )
        return TestDelivery.model_validate(
            await self.db.fetch_one(
                "outbox_test_insert", tenant_id=tenant_id, endpoint_id=endpoint_id
            )
        )

    async def deliveries(
        self, tenant_id: UUID, endpoint_id: UUID, limit: int
    ) -> builtins.list[Delivery]:
        await self.get(tenant_id, endpoint_id)
        rows = await self.db.fetch_all(
            "outbox_list_for_endpoint", tenant_id=tenant_id, endpoint_id=endpoint_id, limit=limit
        )
        return [Delivery.model_validate(r) for r in rows]

    async def job_deliveries(
        self, tenant_id: UUID, job_id: UUID, limit: int
    ) -> builtins.list[Delivery]:
        rows = await self.db.fetch_all(
            "outbox_list_for_job", tenant_id=tenant_id, job_id=job_id, limit=limit
        )
        return [Delivery.model_validate(r) for r in rows]

    async def callback_secret(self, tenant_id: UUID) -> CallbackSecret:
        return CallbackSecret.model_validate(
            await self.db.fetch_one("callback_secret_ensure", tenant_id=tenant_id)
        )

    async def rotate_callback_secret(self, tenant_id: UUID) -> CallbackSecret:
        await self.callback_secret(tenant_id)
        row = await self.db.fetch_one(
            "callback_secret_rotate", tenant_id=tenant_id, overlap=self.rotation_overlap
        )
        return CallbackSecret.model_validate(row)

    async def _one(
        self, query: str, tenant_id: UUID, endpoint_id: UUID, conn: Any = None, **params: Any
    ) -> dict[str, Any]:
        try:
            return await self.db.fetch_one(
                query, conn, tenant_id=tenant_id, endpoint_id=endpoint_id, **params
            )
        except NotFound as exc:
            raise WebhookNotFound(f"no webhook endpoint {endpoint_id}") from exc
