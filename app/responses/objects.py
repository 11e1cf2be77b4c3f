"""A response job as OpenAI's objects: the Response, and its stream of events.

Pure functions of the job's row (``response_get`` in sql/responses.sql) and its
events, so every reader builds the same thing: a poll, a stream, its replay.

The stream is derived from the job's event log (``job_events``), never kept on its
own: :class:`ResponseEvents` turns each job event, in ``seq`` order, into zero or
more Responses events numbered from 0 (``sequence_number``). Only the job's first
``queued`` and first ``running`` (or ``needs_review``) event and its terminal event
become Responses events (a retry's second ``running`` says nothing new to a
Responses client), and the output's text is cut into deltas of a fixed size. So the
numbering depends on nothing but the log, which only grows: a replay, or a resume
``starting_after`` N, sees the same events under the same numbers, each once.
"""

from __future__ import annotations

import json
from typing import Any

from app.jobs.schemas import JobState
from app.responses.ids import message_id, response_id

STATUS = {
    JobState.queued: "queued",
    JobState.running: "in_progress",
    # Waiting for a human: nothing is visible before the reviewer decides.
    JobState.needs_review: "in_progress",
    JobState.succeeded: "completed",
    JobState.failed: "failed",
    JobState.cancelled: "cancelled",
    JobState.expired: "incomplete",
}
TERMINAL_EVENTS = {
    JobState.succeeded: "response.completed",
    JobState.failed: "response.failed",
    JobState.cancelled: "response.cancelled",
    JobState.expired: "response.incomplete",
}
DELTA_CHARS = 80
"""Characters of output text per ``response.output_text.delta``: coarse, and fixed, so
a replay cuts the same deltas."""
# Courier's error codes in OpenAI's vocabulary (ResponseError.code); the message keeps ours.
_ERROR_CODES = {"budget_exceeded": "rate_limit_exceeded", "rate_limited": "rate_limit_exceeded"}


def response_object(row: dict[str, Any], *, status: str | None = None) -> dict[str, Any]:
    """The Response of a job row (as ``response_get`` reads it); ``status`` shows it as
    it was at an earlier point of its stream (no output, usage or error then)."""
    job_input = row["input"] or {}
    shown = status or STATUS[JobState(row["state"])]
    finished = status is None and shown not in ("queued", "in_progress")
    completed = finished and shown == "completed"
    return {
        "id": response_id(row["id"]),
        "object": "response",
        "created_at": int(row["created_at"].timestamp()),
        "status": shown,
        "background": bool(job_input.get("background", False)),
        "completed_at": int(row["finished_at"].timestamp())
        if completed and row["finished_at"]
        else None,
        "error": _error(row["error"]) if finished and shown == "failed" else None,
        "incomplete_details": {"reason": "expired"} if finished and shown == "incomplete" else None,
        "instructions": job_input.get("instructions"),
        "max_output_tokens": job_input.get("max_output_tokens"),
        "metadata": job_input.get("metadata") or {},
        # The model that answered, once known; the name asked for until then.
        "model": (row["model"] if finished and row["model"] else None)
        or job_input.get("model", ""),
        "output": [_message(row, "completed")] if completed and row["result"] else [],
        "parallel_tool_calls": False,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": True,
        "temperature": job_input.get("temperature"),
        "text": {"format": _format(job_input.get("format"))},
        "tool_choice": "none",
        "tools": [],
        "top_p": None,
        "truncation": "disabled",
        "usage": _usage(row) if finished else None,
        "user": None,
    }


def _format(stored: dict[str, Any] | None) -> dict[str, Any]:
    if not stored or stored.get("type") != "json_schema":
        return {"type": "text"}
    return {
        "type": "json_schema",
        "name": stored["name"],
        "schema": stored["json_schema"],
        "description": stored.get("description"),
        "strict": stored.get("strict"),
    }


def _error(error: dict[str, Any] | None) -> dict[str, str]:
    code = (error or {}).get("code") or "server_error"
    message = (error or {}).get("message") or "the response failed"
    return {"code": _ERROR_CODES.get(code, "server_error"), "message": f"{code}: {message}"}


def _usage(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "input_tokens": row["input_tokens"],
        "input_tokens_details": {"cached_tokens": row["cached_input_tokens"]},
        "output_tokens": row["output_tokens"],
        "output_tokens_details": {"reasoning_tokens": row["reasoning_tokens"]},
        "total_tokens": row["input_tokens"] + row["output_tokens"],
    }


def _part(row: dict[str, Any], *, empty: bool = False) -> dict[str, Any]:
    result = row["result"] or {}
    if result.get("refusal") is not None:
        return {"type": "refusal", "refusal": "" if empty else result["refusal"]}
    return {
        "type": "output_text",
        "text": "" if empty else result.get("text") or "",
        "annotations": [],
        "logprobs": [],
    }


def _message(row: dict[str, Any], status: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": message_id(row["id"]),
        "status": status,
        "role": "assistant",
        "content": [_part(row)] if status == "completed" else [],
    }


class ResponseEvents:
    """The Responses events of one response job, numbered as they are produced: feed
    it the job's events in ``seq`` order (:meth:`after`), each with the job row as it
    is once that event is written (a terminal event needs the result and usage)."""

    def __init__(self) -> None:
        self.next_number = 0
        self._created = self._queued = self._in_progress = False

    def after(self, state: JobState, row: dict[str, Any]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if not self._created:
            self._created = True
            events.append(self._event("response.created", response=_shown(row, "queued")))
        if state == JobState.queued and not self._queued:
            self._queued = True
            events.append(self._event("response.queued", response=_shown(row, "queued")))
        elif state in (JobState.running, JobState.needs_review) and not self._in_progress:
            self._in_progress = True
            events.append(self._event("response.in_progress", response=_shown(row, "in_progress")))
        elif state in TERMINAL_EVENTS:
            if state == JobState.succeeded and row["result"]:
                events += self._output(row)
            events.append(self._event(TERMINAL_EVENTS[state], response=response_object(row)))
        return events

    def _output(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        item = {"item_id": message_id(row["id"]), "output_index": 0}
        part = {**item, "content_index": 0}
        full = _part(row)
        events = [
            self._event(
                "response.output_item.added", output_index=0, item=_message(row, "in_progress")
            ),
            self._event("response.content_part.added", **part, part=_part(row, empty=True)),
        ]
        if full["type"] == "refusal":
            text, kind = full["refusal"], "refusal"
            done = {"refusal": text}
        else:
            text, kind = full["text"], "output_text"
            done = {"text": text, "logprobs": []}
        for start in range(0, len(text), DELTA_CHARS):
            delta: dict[str, Any] = {"delta": text[start : start + DELTA_CHARS]}
            if kind == "output_text":
                delta["logprobs"] = []
            events.append(self._event(f"response.{kind}.delta", **part, **delta))
        events += [
            self._event(f"response.{kind}.done", **part, **done),
            self._event("response.content_part.done", **part, part=full),
            self._event(
                "response.output_item.done", output_index=0, item=_message(row, "completed")
            ),
        ]
        return events

    def _event(self, type_: str, **fields: Any) -> dict[str, Any]:
        event = {"type": type_, "sequence_number": self.next_number, **fields}
        self.next_number += 1
        return event


def _shown(row: dict[str, Any], status: str) -> dict[str, Any]:
    return response_object(row, status=status)


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)
