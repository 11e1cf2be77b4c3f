"""A response job as OpenAI's objects (app/responses/objects.py): the event sequence is
a function of the job's event log alone, so a replay or a resume numbers it the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from app.jobs.schemas import JobState
from app.responses.model_names import ModelNames, ModelNotAllowed
from app.responses.objects import DELTA_CHARS, ResponseEvents, response_object

Q, R, NR, S = JobState.queued, JobState.running, JobState.needs_review, JobState.succeeded


def _row(state: JobState, result=None, error=None) -> dict:
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    return {
        "id": uuid.UUID(int=7),
        "input": {"model": "courier-small", "tier": "small", "messages": [], "background": True},
        "state": state,
        "created_at": now,
        "finished_at": now,
        "result": result,
        "error": error,
        "model": "fake-small",
        "input_tokens": 7,
        "cached_input_tokens": 2,
        "output_tokens": 3,
        "reasoning_tokens": 1,
    }


def _sequence(states: list[JobState], final: dict) -> list[dict]:
    events = ResponseEvents()
    out = []
    for state in states:
        out += events.after(state, final if state == states[-1] else _row(state))
    return out


def test_events__a_retried_job_adds_nothing_and_numbers_run_from_zero():
    text = "x" * (DELTA_CHARS * 2 + 5)
    events = _sequence([Q, R, Q, R, NR, S], _row(S, result={"text": text}))

    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert [e["type"] for e in events] == [
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert "".join(e["delta"] for e in events if e["type"].endswith(".delta")) == text
    assert events[-1]["response"]["usage"]["total_tokens"] == 10


def test_events__a_prefix_of_the_log_gives_a_prefix_of_the_sequence():
    whole = _sequence([Q, R, S], _row(S, result={"text": "done"}))
    early = _sequence([Q, R], _row(R))

    assert early == whole[: len(early)]


@pytest.mark.parametrize(
    ("state", "terminal", "status"),
    [
        (JobState.cancelled, "response.cancelled", "cancelled"),
        (JobState.expired, "response.incomplete", "incomplete"),
    ],
)
def test_events__a_queued_job_that_ends_unrun(state, terminal, status):
    events = _sequence([Q, state], _row(state))

    assert [e["type"] for e in events] == ["response.created", "response.queued", terminal]
    assert events[-1]["response"]["status"] == status and events[-1]["response"]["output"] == []


def test_events__a_refusal_streams_as_a_refusal_part():
    events = _sequence([Q, R, S], _row(S, result={"refusal": "No."}))

    types = [e["type"] for e in events]
    assert "response.refusal.done" in types and "response.output_text.done" not in types
    assert events[-1]["response"]["output"][0]["content"] == [{"type": "refusal", "refusal": "No."}]


def test_response__failed_shows_the_error_in_openais_codes():
    failed = response_object(
        _row(JobState.failed, error={"code": "budget_exceeded", "message": "over budget"})
    )

    assert failed["status"] == "failed"
    assert failed["error"] == {
        "code": "rate_limit_exceeded",
        "message": "budget_exceeded: over budget",
    }


def test_model_names__tier_models_and_aliases_accepted_others_refused():
    names = ModelNames.configured(
        small="fake-small", large="fake-large", aliases={"gpt-4o": "large"}
    )

    assert [names.tier(m) for m in ("fake-small", "fake-large", "gpt-4o", "courier-large")] == [
        "small",
        "large",
        "large",
        "large",
    ]
    with pytest.raises(ModelNotAllowed, match="gpt-5"):
        names.tier("gpt-5")
