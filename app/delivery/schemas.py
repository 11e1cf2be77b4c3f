"""The shapes of webhooks, deliveries and stream links on the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

EventType = Literal[
    "job.queued",
    "job.running",
    "job.needs_review",
    "job.succeeded",
    "job.failed",
    "job.cancelled",
    "job.expired",
    # OpenAI's events of a response (app/responses/), sent only to endpoints naming them.
    "response.completed",
    "response.failed",
    "response.cancelled",
    "response.incomplete",
]


class WebhookEndpointRequest(BaseModel):
    """A webhook destination to register."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1, max_length=2000, examples=["https://example.com/courier-webhooks"]
    )
    description: str = Field(default="", max_length=500)
    event_types: list[EventType] | None = Field(
        default=None,
        min_length=1,
        description=(
            "Event types to receive; omit for every job.* type. response.* types (OpenAI's "
            "webhook events of /v1/responses) come only when named."
        ),
    )
    include_result: bool = Field(
        default=False,
        description=(
            "Send the job's result (or error) in the payload, not only its state and links."
        ),
    )


class WebhookEndpoint(BaseModel):
    id: UUID
    url: str
    description: str
    event_types: list[EventType] | None
    include_result: bool
    created_at: datetime
    disabled_at: datetime | None = Field(
        description="Set when the receiver answered 410 Gone; nothing more is sent."
    )
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation, until when the old secret also signs."
    )


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(
        description=(
            "The whsec_ signing secret (Standard Webhooks). Shown on creation and rotation only."
        )
    )


class WebhookEndpointList(BaseModel):
    items: list[WebhookEndpoint]


class CallbackSecret(BaseModel):
    """The secret that signs webhooks sent to jobs' callback_url."""

    secret: str
    previous_secret_expires_at: datetime | None


class DeliveryAttempt(BaseModel):
    attempt: int
    started_at: datetime
    latency_ms: int
    status_code: int | None
    outcome: str
    error: str | None


class Delivery(BaseModel):
    id: int
    event_id: str = Field(description="The webhook-id header, the same on every attempt.")
    event_type: str
    job_id: UUID | None
    seq: int | None
    endpoint_id: UUID | None = Field(description="Null for the job's callback_url.")
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    attempt_log: list[DeliveryAttempt]


class DeliveryList(BaseModel):
    items: list[Delivery]


class TestDelivery(BaseModel):
    id: int
    event_id: str
    event_type: str
    status: str


class StreamLink(BaseModel):
    url: str = Field(description="Open with EventSource; no Authorization header needed.")
    expires_at: datetime
