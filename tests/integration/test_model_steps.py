"""The step runner over the real ``openai`` SDK against the fake server: strict
structured outputs, one repair, refusals, the fallback chain with its job events,
provider pauses shared through PostgreSQL, checkpoints, the exact-match cache, budgets,
calls in flight; every call as the real ledger records it in ``llm_calls``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.llm.errors import InvalidModelOutput, ProviderPaused
from app.llm.ledger import BudgetExceeded
from app.llm.messages import estimated_tokens
from app.llm.pauses import ProviderPauses
from app.llm.steps import CacheScope
from tasks.kinds.email_reply import EmailReplyDraft, EmailReplyInput, draft_email_reply
from tests.fakes.openai_server import (
    counted_usage,
    error,
    invalid_json,
    refusal,
    schema_answer,
    together,
)
from tests.support.jobs import events, job_row
from tests.support.ledger import TEST_PRICES, call_outcomes, calls
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


def _scope(groups: Sequence[str] = ("support",)) -> CacheScope:
    """The cache scope of a job of ``_thread()`` submitted with ``groups``."""
    return CacheScope(input=_thread().model_dump(mode="json"), acl_groups=tuple(groups))


async def _draft(steps, job, *, tier="small", cache=None):
    context = context_of(job, tier=tier, cache=cache)
    return await draft_email_reply(_thread(), steps.for_job(context))


async def test_step__sends_the_output_model_as_a_strict_schema_and_returns_its_answer(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")

    result = await _draft(openai_steps(db, provider, call_ledger), job)

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
    [call] = calls(sql_conn, job["id"])
    assert (call["step"], call["model"], call["outcome"]) == ("generate", "fake-small", "ok")
    assert (call["input_tokens"], call["cached_input_tokens"]) == (7, 2)
    assert (call["output_tokens"], call["reasoning_tokens"]) == (3, 1)
    assert call["cost_usd"] > 0 and len(call["prompt_hash"]) == 64
    assert await call_ledger.checkpoint(job["id"], "generate") == {
        "model": "fake-small",
        "output": result.output.model_dump(mode="json"),
        "prompt_version": "email_reply/v2",
    }
    recorded = sql_conn.execute(
        "SELECT string_agg(r::text, ' ') FROM (SELECT row_to_json(c) AS r FROM llm_calls c "
        "UNION ALL SELECT row_to_json(b) FROM budget_reservations b) AS rows"
    ).fetchone()[0]
    assert "PRIVATE-THREAD-TEXT" not in recorded


async def test_step__the_reservation_covers_the_schema_the_provider_bills_as_input(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")

    await _draft(openai_steps(db, provider, call_ledger), job)

    (sent,) = fake_openai.requests
    # What a provider bills as the prompt: the messages and the schema of response_format.
    billed = counted_usage(sent.body, "")["prompt_tokens"]
    (reserved,) = sql_conn.execute(
        "SELECT amount_usd FROM budget_reservations WHERE job_id = %s", (job["id"],)
    ).fetchone()
    price = TEST_PRICES["fake-small"]
    reserved_input = (reserved * 1_000_000 - 2048 * price.output_per_mtok) / price.input_per_mtok
    # The premise: an estimate of the messages alone falls short of what is billed.
    assert estimated_tokens(sent.body["messages"]) < billed
    assert reserved_input >= billed


async def test_step__invalid_json_gets_one_repair_that_sends_the_problem_back(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(invalid_json(), schema_answer())

    result = await _draft(openai_steps(db, provider, call_ledger), job)

    assert result.output.outcome == "drafted"
    first, repair = fake_openai.requests
    assert repair.body["messages"][:2] == first.body["messages"]
    assert repair.body["messages"][2]["role"] == "assistant"
    assert "not valid JSON" in repair.body["messages"][3]["content"]
    assert call_outcomes(sql_conn, job["id"]) == [
        ("generate", "fake-small", "invalid_output"),
        ("generate.repair", "fake-small", "ok"),
    ]
    assert (result.usage.input_tokens, result.usage.output_tokens) == (14, 6)  # both paid


async def test_step__schema_breaking_answer_twice_is_invalid_model_output_without_fallback(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    # Valid JSON, valid schema, but a refusal without its reason breaks the model's rule.
    fake_openai.script(schema_answer(outcome="refused"), schema_answer(citations="none"))

    with pytest.raises(InvalidModelOutput):
        await _draft(openai_steps(db, provider, call_ledger), job)

    assert len(fake_openai.requests) == 2
    assert "refusal_reason" in fake_openai.requests[1].body["messages"][3]["content"]
    assert call_outcomes(sql_conn, job["id"]) == [
        ("generate", "fake-small", "invalid_output"),
        ("generate.repair", "fake-small", "invalid_output"),
    ]


async def test_step__a_model_refusal_is_the_kinds_refused_outcome_with_its_reason(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(refusal("I cannot write this reply."))

    result = await _draft(openai_steps(db, provider, call_ledger), job)

    assert (result.output.outcome, result.output.refusal_reason) == (
        "refused",
        "I cannot write this reply.",
    )
    assert call_outcomes(sql_conn, job["id"]) == [("generate", "fake-small", "refused")]


async def test_step__provider_errors_fall_back_large_small_extractive_each_once_and_noted(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    # Each model keeps failing: two tries each (COURIER_LLM_TRIES_PER_MODEL), then the next.
    fake_openai.script(error(500), error(502), error(503), error(504))

    result = await _draft(openai_steps(db, provider, call_ledger), job, tier="large")

    assert result.model == "extractive"
    assert fake_openai.models() == ["fake-large", "fake-large", "fake-small", "fake-small"]
    assert call_outcomes(sql_conn, job["id"]) == [
        ("generate", "fake-large", "provider_error"),
        ("generate", "fake-large", "provider_error"),
        ("generate", "fake-small", "provider_error"),
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


async def test_step__small_answers_after_large_keeps_failing(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(error(500), error(500))

    result = await _draft(openai_steps(db, provider, call_ledger), job, tier="large")

    assert (result.model, fake_openai.models()) == (
        "fake-small",
        ["fake-large", "fake-large", "fake-small"],
    )


async def test_step__one_transient_error_is_tried_again_on_the_same_model_not_fallen_back(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(error(503))

    result = await _draft(openai_steps(db, provider, call_ledger), job, tier="large")

    assert (result.model, fake_openai.models()) == ("fake-large", ["fake-large", "fake-large"])
    assert call_outcomes(sql_conn, job["id"]) == [
        ("generate", "fake-large", "provider_error"),  # paid for, so recorded
        ("generate", "fake-large", "ok"),
    ]
    types = [
        row[0]
        for row in sql_conn.execute(
            "SELECT type FROM job_events WHERE job_id = %s ORDER BY seq", (job["id"],)
        )
    ]
    assert "model_fallback" not in types


async def test_step__429_pauses_the_provider_in_postgres_and_the_call_waits_it_out(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    fake_openai.script(error(429, headers={"retry-after-ms": "1500", "Retry-After": "30"}))

    result = await _draft(openai_steps(db, provider, call_ledger), job)

    assert result.model == "fake-small"  # no fallback: waiting is not failing
    first, second = fake_openai.requests
    assert second.received_at - first.received_at >= 1.5  # retry-after-ms wins
    assert call_outcomes(sql_conn, job["id"]) == [
        ("generate", "fake-small", "provider_error"),
        ("generate", "fake-small", "ok"),
    ]
    (row,) = sql_conn.execute("SELECT provider, reason FROM provider_pauses").fetchall()
    assert row == (provider.name, "rate_limited")


async def test_pause__written_by_one_process_holds_back_the_calls_of_another(
    db, job_factory, fake_openai, provider, call_ledger
):
    """Two step runners with their own clients share only the database, as two worker
    processes do: the pause one of them records delays the other's call."""
    job = await job_factory(state="running")
    paused_at = time.monotonic()
    await ProviderPauses(db).pause(provider.name, 1.0)
    other_process = fake_provider(fake_openai.url)
    try:
        await _draft(openai_steps(db, other_process, call_ledger), job)
    finally:
        await other_process.close()

    (sent,) = fake_openai.requests
    assert sent.received_at - paused_at >= 1.0


async def test_pause__longer_than_a_job_may_wait_gives_the_job_back_to_the_queue(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    await ProviderPauses(db).pause(provider.name, 120)

    with pytest.raises(ProviderPaused) as paused:
        await _draft(openai_steps(db, provider, call_ledger, max_pause_wait=5), job)

    assert paused.value.code == "rate_limited" and paused.value.retry_after > 100
    assert fake_openai.requests == [] and call_outcomes(sql_conn, job["id"]) == []


async def test_pause__never_shortened_by_a_later_shorter_429(db, provider):
    pauses = ProviderPauses(db)

    await pauses.pause(provider.name, 60)
    await pauses.pause(provider.name, 1)

    assert await pauses.remaining(provider.name) > 50


async def test_step__a_committed_checkpoint_is_reused_without_a_call(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    job = await job_factory(state="running")
    await _draft(openai_steps(db, provider, call_ledger), job)

    again = await _draft(openai_steps(db, provider, call_ledger), job)

    assert len(fake_openai.requests) == 1
    assert (again.model, again.output.subject) == ("fake-small", "fake text")
    assert call_outcomes(sql_conn, job["id"]) == [("generate", "fake-small", "ok")]


# --- The exact-match cache ---------------------------------------------------------


async def test_cache__an_identical_request_of_the_tenant_is_answered_at_zero_cost_without_a_call(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    first = await job_factory(tenant="acme", state="running")
    second = await job_factory(tenant="acme", state="running")
    steps = openai_steps(db, provider, call_ledger)
    answered = await _draft(steps, first, cache=_scope())

    # The same groups, in another order and repeated: the same set.
    reused = await _draft(steps, second, cache=_scope(["support", "support"]))

    assert len(fake_openai.requests) == 1
    assert (reused.model, reused.output) == (answered.model, answered.output)
    [hit] = calls(sql_conn, second["id"])
    assert (hit["step"], hit["model"], hit["outcome"]) == ("generate", "fake-small", "cache_hit")
    assert (hit["cost_usd"], hit["input_tokens"], hit["output_tokens"]) == (0, 0, 0)
    assert job_row(sql_conn, second["id"])["cost_usd"] == 0
    assert await call_ledger.checkpoint(second["id"], "generate") is not None


@pytest.mark.parametrize(
    ("tenant", "scope"),
    [("globex", _scope()), ("acme", _scope(["support", "legal"])), ("acme", None)],
    ids=["another_tenant", "other_acl_groups", "cache_off"],
)
async def test_cache__is_never_shared_across_tenants_or_acl_sets_nor_used_when_off(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn, tenant, scope
):
    first = await job_factory(tenant="acme", state="running")
    second = await job_factory(tenant=tenant, state="running")
    steps = openai_steps(db, provider, call_ledger)
    await _draft(steps, first, cache=_scope())

    await _draft(steps, second, cache=scope)

    assert len(fake_openai.requests) == 2
    assert call_outcomes(sql_conn, second["id"]) == [("generate", "fake-small", "ok")]


async def test_cache__without_a_scope_a_job_leaves_nothing_in_the_cache(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    await _draft(openai_steps(db, provider, call_ledger), await job_factory(state="running"))

    assert sql_conn.execute("SELECT count(*) FROM llm_cache").fetchone() == (0,)


async def test_cache__an_entry_the_output_model_no_longer_accepts_is_a_miss(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    first = await job_factory(tenant="acme", state="running")
    second = await job_factory(tenant="acme", state="running")
    steps = openai_steps(db, provider, call_ledger)
    await _draft(steps, first, cache=_scope())
    sql_conn.execute("""UPDATE llm_cache SET answer = '{"model": "fake-small", "output": {}}'""")

    again = await _draft(steps, second, cache=_scope())

    assert len(fake_openai.requests) == 2 and again.output.outcome == "drafted"
    assert call_outcomes(sql_conn, second["id"]) == [("generate", "fake-small", "ok")]


# --- Budgets ----------------------------------------------------------------------
# The worst case of a call of _thread() with 2,048 output tokens: $0.0034 on the small
# tier (priced as gpt-4.1-mini), $0.0167 on the large one (as gpt-4.1).


async def test_budget__over_it_a_tenant_that_chose_small_gets_the_small_model_noted(
    db, job_factory, fake_openai, provider, call_ledger, budgets, sql_conn
):
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("0.01"), "small")  # covers a small call, not a large one

    result = await _draft(openai_steps(db, provider, call_ledger), job, tier="large")

    assert (result.model, fake_openai.models()) == ("fake-small", ["fake-small"])
    assert call_outcomes(sql_conn, job["id"]) == [("generate", "fake-small", "ok")]
    note = events(sql_conn, job["id"])[-1][3]
    assert note == {
        "step": "generate",
        "from_model": "fake-large",
        "to_model": "fake-small",
        "error": "budget_exceeded",
    }


@pytest.mark.parametrize(
    ("monthly_usd", "when_over", "tier"),
    [("0.01", "refuse", "large"), ("0.00", "small", "large"), ("0.00", "small", "small")],
    ids=["refuse", "small_does_not_fit_either", "already_small"],
)
async def test_budget__over_it_without_a_smaller_tier_that_fits_the_step_makes_no_call(
    db, job_factory, fake_openai, provider, call_ledger, budgets, sql_conn,
    monthly_usd, when_over, tier,
):  # fmt: skip
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal(monthly_usd), when_over)

    with pytest.raises(BudgetExceeded):
        await _draft(openai_steps(db, provider, call_ledger), job, tier=tier)

    assert fake_openai.requests == [] and calls(sql_conn, job["id"]) == []


async def test_steps__hundreds_of_calls_in_flight_on_ten_database_connections(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    """The fake answers only once all 200 calls are in flight at once; the pool of
    the ``db`` fixture has 10 connections: no call holds one while it waits."""
    n = 200
    jobs = [await job_factory(state="running") for _ in range(n)]
    fake_openai.script(*[together(n)] * n)
    steps = openai_steps(db, provider, call_ledger)

    results = await asyncio.gather(*(_draft(steps, job) for job in jobs))

    assert fake_openai.max_in_flight == n
    assert db.pool.max_size == 10
    assert {r.model for r in results} == {"fake-small"}
    assert len(call_outcomes(sql_conn)) == n
