"""Request bodies and headers: for the HTTP API (``email_reply_request``, ``sleepy``,
``auth``) and for the job service directly (``request_for``)."""

from __future__ import annotations

from typing import Any

from app.jobs.schemas import JobRequest


def email_reply_request(
    question: str = "When will the refund arrive?", **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "email_reply",
        "input": {
            "thread": [
                {
                    "sender": "a@example.com",
                    "sent_at": "2026-11-20T09:00:00Z",
                    "body": "Please refund invoice 7. It was charged twice.",
                },
                {
                    "sender": "b@example.com",
                    "sent_at": "2026-11-20T10:00:00Z",
                    "body": "The refund will arrive within 5 business days. Sorry for the trouble.",
                },
            ],
            "question": question,
        },
    }
    body.update(overrides)
    return body


def sleepy(ms: int, label: str = "", **overrides: Any) -> dict[str, Any]:
    """A body for the ``sleepy`` test kind (tests/support/kinds.py)."""
    return {"kind": "sleepy", "input": {"ms": ms, "label": label}} | overrides


def request_for(ms: int, **overrides: Any) -> JobRequest:
    """A ``sleepy`` request, as the job service takes it."""
    return JobRequest.model_validate(sleepy(ms, **overrides))


def auth(key: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return headers
