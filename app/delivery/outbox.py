"""The rules of webhook delivery from the outbox, kept free of I/O so the API,
the relay (tasks/relay.py) and tests share one copy.

* What a request carries: :func:`payload` (thin: what happened and links to read
  more, unless the endpoint asked for the result; a response's ``response.*`` event
  is OpenAI's own shape, app/responses/webhooks.py).
* How it is signed: :func:`sign`, Standard Webhooks (``v1,<sig>`` per secret, the
  previous secret too during a rotation).
* What an attempt's answer means: :func:`decide` turns an :class:`Attempt` (what the
  relay saw) into a :class:`Decision` (what to record, and when to try again, by
  :func:`retry_delay`: the one backoff (app/retries.py) within the delivery settings'
  bounds).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from standardwebhooks import Webhook

from app.responses.webhooks import response_webhook
from app.retries import backoff_delay
from app.settings import DeliverySettings


def retry_delay(
    settings: DeliverySettings,
    attempt: int,
    rng: random.Random | None = None,
    *,
    retry_after: float | None = None,
) -> float:
    """Seconds before the attempt after ``attempt``: :func:`app.retries.backoff_delay`
    within the delivery settings' bounds, so receivers are not hit in waves, and not
    before the receiver's ``Retry-After``."""
    return backoff_delay(
        attempt,
        settings.retry_base_seconds,
        settings.retry_max_delay_seconds,
        retry_after=retry_after,
        rng=rng,
    )


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt saw: the receiver's status, or why there was none."""

    started_at: datetime
    latency_ms: int
    status_code: int | None = None
    retry_after: float | None = None
    error: str | None = None
    failure: str | None = None
    """Why it failed, as ``courier_webhook_failures`` counts it (timeout, connection_error,
    refused_url, http_4xx, ...); None when it was delivered."""

    @property
    def refused(self) -> bool:
        return self.failure == "refused_url"


Status = Literal["delivered", "pending", "failed"]
Outcome = Literal["delivered", "retry", "failed", "gone", "refused"]


@dataclass(frozen=True)
class Pause:
    """A failing destination's pause: the failed row (the probe) is tried again at
    ``probe_at``; the destination's other rows wait until ``until``, when the probe
    has had its answer (sql/outbox.sql ``outbox_destination_failing``)."""

    probe_at: datetime
    until: datetime


@dataclass(frozen=True)
class Decision:
    """What an attempt means for its delivery and its destination: the row's new
    status, the attempt's outcome (``outbox_attempts.outcome``), when a pending row is
    tried again, and whether the destination answered (``recovered``) or failed
    (``pause``: its rows wait for the probe)."""

    status: Status
    outcome: Outcome
    next_attempt_at: datetime | None = None
    recovered: bool = False
    pause: Pause | None = None


def decide(
    settings: DeliverySettings,
    attempt: Attempt,
    *,
    number: int,
    created_at: datetime,
    now: datetime,
    destination_failures: int = 0,
    rng: random.Random | None = None,
) -> Decision:
    """The decision on attempt ``number`` (from 1) of a delivery queued at ``created_at``
    to a destination that has failed ``destination_failures`` probes in a row.

    2xx: delivered, and the destination answers again. 410 Gone: failed for good (the
    relay disables the endpoint). Another 4xx (but 408 and 429) is about this request,
    not the receiver: the row alone is tried again after :func:`retry_delay`. Anything
    else (no answer, refused, 408, 429, 5xx, a redirect) means the destination is
    failing: the row is tried again after the destination's backoff (it grows with its
    failures) and the destination is paused so its other rows wait for that probe.
    A row whose next try would fall past the retry window fails for good."""
    code = attempt.status_code
    if code is not None and 200 <= code < 300:
        return Decision("delivered", "delivered", recovered=True)
    if code == 410:
        return Decision("failed", "gone")
    about_the_request = code is not None and 400 <= code < 500 and code not in (408, 429)
    backoff = number if about_the_request else max(number, destination_failures + 1)
    delay = retry_delay(settings, backoff, rng, retry_after=attempt.retry_after)
    retry_at = now + timedelta(seconds=delay)
    pause = None if about_the_request else Pause(retry_at, retry_at + _probe_answer(settings))
    if retry_at > created_at + timedelta(seconds=settings.retry_window_seconds):
        return Decision("failed", "failed", pause=pause)
    return Decision("pending", "refused" if attempt.refused else "retry", retry_at, pause=pause)


def _probe_answer(settings: DeliverySettings) -> timedelta:
    """How long a paused destination's other rows wait after its probe is due: the
    attempt deadline, so the probe has answered (or timed out) before they go."""
    return timedelta(seconds=settings.timeout_seconds)


def sign(secrets: list[str], event_id: str, timestamp: datetime, body: str) -> str:
    """The webhook-signature header: one ``v1,<sig>`` per secret, space-separated."""
    return " ".join(Webhook(secret).sign(event_id, timestamp, body) for secret in secrets)


@dataclass(frozen=True)
class OutboxClaim:
    """One relay's claim on an outbox row (``outbox_claim`` in sql/outbox.sql): the
    claim token every later write names, where it goes, how it is signed, and the job
    as it was at the event."""

    id: int
    claim: UUID
    tenant_id: UUID
    event_id: str
    event_type: str
    job_id: UUID | None
    seq: int | None
    endpoint_id: UUID | None
    attempts: int
    created_at: datetime
    destination_id: int
    destination_failures: int
    url: str | None
    destination_live: bool
    include_result: bool
    secret: str | None
    previous_secret: str | None
    kind: str | None
    result: dict[str, Any] | None
    error: Any
    state: str | None
    job_attempt: int | None
    event_created_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OutboxClaim:
        return cls(**{field.name: row[field.name] for field in fields(cls)})


def payload(row: OutboxClaim, base_url: str) -> dict[str, Any]:
    """The request body for a claimed outbox row (``outbox_claim`` in sql/outbox.sql).

    It describes the job as it was at the event, whenever it is sent: the event's
    state and attempt, the error recorded with that event, and the result only on
    the ``succeeded`` event (a result is final then; a ``running`` event retried
    after the job finished does not carry it, nor does ``needs_review``, whose draft
    waits for a reviewer)."""
    if row.event_type.startswith("response.") and row.job_id is not None:
        return response_webhook(row.event_id, row.event_type, row.job_id, row.event_created_at)
    if row.job_id is None:
        return {
            "type": row.event_type,
            "timestamp": row.created_at.isoformat(),
            "data": {
                "endpoint_id": str(row.endpoint_id),
                "message": "A test event from Courier.",
            },
        }
    path = f"{base_url}/v1/jobs/{row.job_id}"
    data: dict[str, Any] = {
        "job_id": str(row.job_id),
        "kind": row.kind,
        "seq": row.seq,
        "state": str(row.state),
        "attempt": row.job_attempt,
        "links": {"self": path, "events": f"{path}/events"},
    }
    if row.include_result:
        data["result"] = row.result
        data["error"] = row.error
    return {
        "type": row.event_type,
        "timestamp": (row.event_created_at or row.created_at).isoformat(),
        "data": data,
    }
