"""The rules of webhook delivery from the outbox, kept free of I/O so the API,
the relay (tasks/relay.py) and tests share one copy.

* What a request carries: :func:`payload` (thin: what happened and links to read
  more, unless the endpoint asked for the result).
* How it is signed: :func:`sign`, Standard Webhooks (``v1,<sig>`` per secret, the
  previous secret too during a rotation).
* What an attempt's answer means: :func:`decide` turns an :class:`Attempt` (what the
  relay saw) into a :class:`Decision` (what to record, and when to try again, by
  :func:`retry_delay`: the one backoff (app/retries.py) within the delivery settings'
  bounds).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from standardwebhooks import Webhook

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
class Decision:
    """What an attempt means for its delivery: the row's new status, the attempt's
    outcome (``outbox_attempts.outcome``) and, while pending, when to try again."""

    status: Status
    outcome: Outcome
    next_attempt_at: datetime | None = None


def decide(
    settings: DeliverySettings,
    attempt: Attempt,
    *,
    number: int,
    created_at: datetime,
    now: datetime,
    rng: random.Random | None = None,
) -> Decision:
    """The decision on attempt ``number`` (from 1) of a delivery queued at ``created_at``:
    2xx delivered; 410 Gone failed for good (the relay disables the endpoint); anything
    else tried again after :func:`retry_delay`, unless that is past the retry window."""
    code = attempt.status_code
    if code is not None and 200 <= code < 300:
        return Decision("delivered", "delivered")
    if code == 410:
        return Decision("failed", "gone")
    delay = retry_delay(settings, number, rng, retry_after=attempt.retry_after)
    next_attempt_at = now + timedelta(seconds=delay)
    if next_attempt_at > created_at + timedelta(seconds=settings.retry_window_seconds):
        return Decision("failed", "failed")
    return Decision("pending", "refused" if attempt.refused else "retry", next_attempt_at)


def sign(secrets: list[str], event_id: str, timestamp: datetime, body: str) -> str:
    """The webhook-signature header: one ``v1,<sig>`` per secret, space-separated."""
    return " ".join(Webhook(secret).sign(event_id, timestamp, body) for secret in secrets)


def payload(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The request body for a claimed outbox row (``outbox_claim`` in sql/outbox.sql).

    It describes the job as it was at the event, whenever it is sent: the event's
    state and attempt, the error recorded with that event, and the result only on
    the ``succeeded`` event (a result is final then; a ``running`` event retried
    after the job finished does not carry it, nor does ``needs_review``, whose draft
    waits for a reviewer)."""
    if row["job_id"] is None:
        return {
            "type": row["event_type"],
            "timestamp": row["created_at"].isoformat(),
            "data": {
                "endpoint_id": str(row["endpoint_id"]),
                "message": "A test event from Courier.",
            },
        }
    path = f"{base_url}/v1/jobs/{row['job_id']}"
    data: dict[str, Any] = {
        "job_id": str(row["job_id"]),
        "kind": row["kind"],
        "seq": row["seq"],
        "state": str(row["state"]),
        "attempt": row["job_attempt"],
        "links": {"self": path, "events": f"{path}/events"},
    }
    if row["include_result"]:
        data["result"] = row["result"]
        data["error"] = row["error"]
    return {
        "type": row["event_type"],
        "timestamp": row["event_created_at"].isoformat(),
        "data": data,
    }
