"""The rules of webhook delivery from the outbox, kept free of I/O so the API,
the relay (tasks/relay.py) and tests share one copy.

* What a request carries: :func:`payload` (thin: what happened and links to read
  more, unless the endpoint asked for the result).
* How it is signed: :func:`sign`, Standard Webhooks (``v1,<sig>`` per secret, the
  previous secret too during a rotation).
* When a failed one is tried again: :func:`retry_delay`, the one backoff
  (app/retries.py) within the delivery settings' bounds.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

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


def sign(secrets: list[str], event_id: str, timestamp: datetime, body: str) -> str:
    """The webhook-signature header: one ``v1,<sig>`` per secret, space-separated."""
    return " ".join(Webhook(secret).sign(event_id, timestamp, body) for secret in secrets)


def payload(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The request body for a claimed outbox row (``outbox_claim`` in sql/outbox.sql)."""
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
