"""A response's webhook as OpenAI sends it, so ``client.webhooks.unwrap(body,
headers, secret=...)`` verifies it (the relay signs every webhook the Standard
Webhooks way, as OpenAI does) and returns its typed event (``response.completed``,
...). Thin, like OpenAI's: the receiver reads the response by its id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from app.responses.ids import response_id


def response_webhook(
    event_id: str, event_type: str, job_id: UUID, happened_at: datetime | None
) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created_at": int((happened_at or datetime.now(UTC)).timestamp()),
        "data": {"id": response_id(job_id)},
    }
