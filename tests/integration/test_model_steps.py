"""The step runner over the real ``openai`` SDK against the fake server: strict
structured outputs, one repair, refusals, the fallback chain with its job events,
provider pauses shared through PostgreSQL, checkpoints, budgets, calls in flight."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from app.llm.errors import InvalidModelOutput, ProviderPaused
from app.llm.ledger import BudgetExceeded
from app.llm.pauses import ProviderPauses
from tasks.kinds.email_reply import EmailReplyDraft, EmailReplyInput, draft_email_reply
from tests.fakes.openai_server import (
    error,
    invalid_json,
    refusal,
    schema_answer,
    together,
)
from tests.support.jobs import events
from tests.support.recording_ledger import RecordingLedger
from tests.support.steps import context_of, fake_provider, openai_steps


def _thread() -> EmailReplyInput:
    return EmailReplyInput(
        thread=[
            {
                "sender": "customer@example.com",
                "sent_at": datetime(2026, 11, 20, tzinfo=UTC),
                "body": "PRIVATE-THREAD-TEXT: my refund? It takes 5 days, you said.",
            }
        ],
        question="When will the refund arrive?",
    )


async def _draft(steps, job, *, tier="small"):
    return await draft_email_reply(_thread(), steps.for_job(context_of(job, tier=tier)))


async def test_step__sends_the_output_model_as_a_strict_schema_and_returns_its_answer(
    db, job_factory, fake_openai, provider, ledger
):
    job = await job_factory(state="running")

    result = await _draft(openai_steps(db, provider, ledger), job)

    assert isinstance(result.output, EmailReplyDraft)
    assert (result.output.subject, result.output.outcome, result.model) == (
        "fake text",
        "drafted",
        "fake-small",
    )
    assert (result.usage.input_tokens, result.usage.output_tokens) == (7, 3)
    (sent,) = fake_openai.requests
    assert sent.body["model"] == "fake-small"
    assert sent.body["response_format"]["type"] == "json_schema"
    assert sent.body["response_format"]["json_schema"]["strict"] is True
    assert sent.body["max_completion_tokens"] == 2048
    assert ledger.calls() == [("generate", "fake-small", "ok")]
    settled = ledger.settled[0]
    assert (settled.usage.cached_input_tokens, settled.usage.reasoning_tokens) == (2, 1)
    assert settled.answer == {
        "model": "fake-small",
        "output": result.output.model_dump(),
        "prompt_version": "email_reply/v2",
    }
    assert len(settled.call.prompt_hash) == 64
    assert "PRIVATE-THREAD-TEXT" not in repr(ledger.reserved)


async def test_step__invalid_json_gets_one_repair_that_sends_the_problem_back(
    db, job_factory, fake_openai, provider, ledger
):
    job = await job_factory(state="running")
    fake_openai.script(invalid_json(), schema_answer())

    result = await _draft(openai_steps(db, provider, ledger), job)

    assert result.output.outcome == "drafted"
    first, repair = fake_openai.requests
    assert repair.body["messages"][:2] == first.body["messages"]
    assert repair.body["messages"][2]["role"] == "assistant"
    assert "not valid JSON" in repair.body["messages"][3]["content"]
    assert ledger.calls() == [
        ("generate", "fake-small", "invalid_output"),
        ("generate.repair", "fake-small", "ok"),
    ]
    assert (result.usage.input_tokens, result.usage.output_tokens) == (14, 6)  # both paid


async def test_step__schema_breaking_answer_twice_is_invalid_model_output_without_fallback(
    db, job_factory, fake_openai, provider, ledger
):
    job = await job_factory(state="running")
    # Valid JSON, valid schema, but a refusal without its reason breaks the model's rule.
    fake_openai.script(schema_answer(outcome="refused"), schema_answer(citations="none"))

    with pytest.raises(InvalidModelOutput):
        await _draft(openai_steps(db, provider, ledger), job)

    assert len(fake_openai.requests) == 2
    assert "refusal_reason" in fake_openai.requests[1].body["messages"][3]["content"]
    assert ledger.calls() == [
        ("generate", "fake-small", "invalid_output"),
        ("generate.repair", "fake-small", "invalid_output"),
    ]


async def test_step__a_model_refusal_is_the_kinds_refused_outcome_with_its_reason(
    db, job_factory, fake_openai, provider, ledger
):
    job = await job_factory(state="running")
    fake_openai.script(refusal("I cannot write this reply."))

    result = await _draft(openai_steps(db, provider, ledger), job)

    assert (result.output.outcome, result.output.refusal_reason) == (
        "refused",
        "I cannot write this reply.",
    )
    assert ledger.calls() == [("generate", "fake-small", "refused")]


async def test_step__provider_errors_fall_back_large_small_extractive_each_once_and_noted(
    db, job_factory, fake_openai, provider, ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(error(500), error(503))

    result = await _draft(openai_steps(db, provider, ledger), job, tier="large")

    assert result.model == "extractive"
    assert fake_openai.models() == ["fake-large", "fake-small"]
    assert ledger.calls() == [
        ("generate", "fake-large", "provider_error"),
        ("generate", "fake-small", "provider_error"),
        ("generate", "extractive", "ok"),
    ]
    notes = [(state, data) for _, state, _, data, _ in events(sql_conn, job["id"])][-2:]
    assert notes == [
        (
            "running",
            {
                "step": "generate",
                "from_model": "fake-large",
                "to_model": "fake-small",
                "error": "provider_unavailable",
            },
        ),
        (
            "running",
            {
                "step": "generate",
                "from_model": "fake-small",
                "to_model": "extractive",
                "error": "provider_unavailable",
            },
        ),
    ]
    types = [
        row[0]
        for row in sql_conn.execute(
            "SELECT type FROM job_events WHERE job_id = %s ORDER BY seq", (job["id"],)
        )
    ]
    assert types[-2:] == ["model_fallback", "model_fallback"]


async def test_step__small_answers_after_large_fails(
    db, job_factory, fake_openai, provider, ledger
):
    job = await job_factory(state="running")
    fake_openai.script(error(500))

    result = await _draft(openai_steps(db, provider, ledger), job, tier="large")

    assert (result.model, fake_openai.models()) == ("fake-small", ["fake-large", "fake-small"])


async def test_step__429_pauses_the_provider_in_postgres_and_the_call_waits_it_out(
    db, job_factory, fake_openai, provider, ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(error(429, headers={"retry-after-ms": "1500", "Retry-After": "30"}))

    result = await _draft(openai_steps(db, provider, ledger), job)

    assert result.model == "fake-small"  # no fallback: waiting is not failing
    first, second = fake_openai.requests
    assert second.received_at - first.received_at >= 1.5  # retry-after-ms wins
    assert ledger.calls() == [
        ("generate", "fake-small", "provider_error"),
        ("generate", "fake-small", "ok"),
    ]
    (row,) = sql_conn.execute("SELECT provider, reason FROM provider_pauses").fetchall()
    assert row == (provider.name, "rate_limited")


async def test_pause__written_by_one_process_holds_back_the_calls_of_another(
    db, job_factory, fake_openai, provider, ledger
):
    """Two step runners with their own clients share only the database, as two worker
    processes do: the pause one of them records delays the other's call."""
    job = await job_factory(state="running")
    paused_at = time.monotonic()
    await ProviderPauses(db).pause(provider.name, 1.0)
    other_process = fake_provider(fake_openai.url)
    try:
        await _draft(openai_steps(db, other_process, RecordingLedger()), job)
    finally:
        await other_process.close()

    (sent,) = fake_openai.requests
    assert sent.received_at - paused_at >= 1.0


async def test_pause__longer_than_a_job_may_wait_gives_the_job_back_to_the_queue(
    db, job_factory, fake_openai, provider, ledger
):
    job = await job_factory(state="running")
    await ProviderPauses(db).pause(provider.name, 120)

    with pytest.raises(ProviderPaused) as paused:
        await _draft(openai_steps(db, provider, ledger, max_pause_wait=5), job)

    assert paused.value.code == "rate_limited" and paused.value.retry_after > 100
    assert fake_openai.requests == [] and ledger.calls() == []


async def test_pause__never_shortened_by_a_later_shorter_429(db, provider):
    pauses = ProviderPauses(db)

    await pauses.pause(provider.name, 60)
    await pauses.pause(provider.name, 1)

    assert await pauses.remaining(provider.name) > 50


async def test_step__a_committed_checkpoint_is_reused_without_a_call(
    db, job_factory, fake_openai, provider, ledger
):
    job = await job_factory(state="running")
    await _draft(openai_steps(db, provider, ledger), job)

    again = await _draft(openai_steps(db, provider, ledger), job)

    assert len(fake_openai.requests) == 1
    assert (again.model, again.output.subject) == ("fake-small", "fake text")


async def test_step__over_budget_makes_no_call(db, job_factory, fake_openai, provider):
    job = await job_factory(state="running")

    with pytest.raises(BudgetExceeded):
        await _draft(openai_steps(db, provider, RecordingLedger(refuse_reservations=True)), job)

    assert fake_openai.requests == []


async def test_steps__hundreds_of_calls_in_flight_on_ten_database_connections(
    db, job_factory, fake_openai, provider, ledger
):
    """The fake answers only once all 200 calls are in flight at once; the pool of
    the ``db`` fixture has 10 connections: no call holds one while it waits."""
    n = 200
    jobs = [await job_factory(state="running") for _ in range(n)]
    fake_openai.script(*[together(n)] * n)
    steps = openai_steps(db, provider, ledger)

    results = await asyncio.gather(*(_draft(steps, job) for job in jobs))

    assert fake_openai.max_in_flight == n
    assert db.pool.max_size == 10
    assert {r.model for r in results} == {"fake-small"} and len(ledger.calls()) == n
