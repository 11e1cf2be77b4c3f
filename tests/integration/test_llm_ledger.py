"""The call ledger: every model call an llm_calls row with its real cost, the job's
totals, checkpoints a later attempt reuses, and the tenant-safe exact-match cache."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest

from app.db import Database
from app.llm.ledger import PostgresCallLedger, TokenUsage
from app.llm.prices import DEFAULT_PRICES
from tests.support.jobs import JobFactory, advance, job_row
from tests.support.ledger import calls, planned_call, random_key

USAGE = TokenUsage(input_tokens=10_000, cached_input_tokens=4_000, output_tokens=2_000,
                   reasoning_tokens=500)  # fmt: skip
# gpt-4.1-mini: 6,000 uncached input at $0.40, 4,000 cached at $0.10, 2,000 output at $1.60.
USAGE_COST = Decimal("0.0060")


async def _take_over(db: Database, job_id) -> int:
    """Another execution takes the running job's lease (as after a stalled worker)."""
    taken = await db.fetch_optional(
        "job_lease_take", actor="test", job_id=job_id, queue_job_id=None
    )
    assert taken is not None
    return taken["attempt"]


async def test_settle__records_the_call_with_tokens_by_type_cost_and_latency_but_no_prompt(
    call_ledger, job_factory: JobFactory, sql_conn
):
    job = await job_factory(state="running")
    call = planned_call(job)
    reservation = await call_ledger.reserve(call)

    await call_ledger.settle(
        reservation, usage=USAGE, latency_ms=812.5, outcome="ok", answer={"a": 1}
    )

    [row] = calls(sql_conn, job["id"])
    assert set(row) == {
        "id", "job_id", "tenant_id", "attempt", "step", "kind", "model", "prompt_version",
        "prompt_hash", "input_tokens", "cached_input_tokens", "output_tokens",
        "reasoning_tokens", "cost_usd", "latency_ms", "outcome", "reservation_id", "created_at",
    }  # fmt: skip
    assert (row["tenant_id"], row["attempt"], row["step"], row["kind"], row["model"]) == (
        job["tenant_id"],
        1,
        "generate",
        "email_reply",
        "gpt-4.1-mini",
    )
    assert (row["prompt_version"], row["prompt_hash"]) == (call.prompt_version, call.prompt_hash)
    assert (
        row["input_tokens"],
        row["cached_input_tokens"],
        row["output_tokens"],
        row["reasoning_tokens"],
    ) == (10_000, 4_000, 2_000, 500)
    assert (row["cost_usd"], row["latency_ms"], row["outcome"]) == (USAGE_COST, 812.5, "ok")
    assert row["reservation_id"] == reservation.id


async def test_settle__adds_each_call_to_the_open_jobs_totals(
    call_ledger, job_factory: JobFactory, sql_conn
):
    job = await job_factory(state="running")
    for step, outcome in (("generate", "invalid_output"), ("generate.repair", "ok")):
        reservation = await call_ledger.reserve(planned_call(job, step=step))
        await call_ledger.settle(
            reservation, usage=USAGE, latency_ms=1, outcome=outcome, answer=None
        )

    row = job_row(sql_conn, job["id"])
    assert (row["input_tokens"], row["output_tokens"], row["cost_usd"]) == (
        20_000,
        4_000,
        2 * USAGE_COST,
    )


async def test_settle__of_an_execution_that_lost_its_lease_still_counts(
    call_ledger, job_factory: JobFactory, db, sql_conn
):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job))  # attempt 1 calls the model...
    assert await _take_over(db, job["id"]) == 2  # ...and is fenced off meanwhile

    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"a": 1})

    [row] = calls(sql_conn, job["id"])
    assert (row["attempt"], row["cost_usd"]) == (1, USAGE_COST)
    assert job_row(sql_conn, job["id"])["cost_usd"] == USAGE_COST


async def test_settle__after_the_job_finished_is_recorded_and_leaves_the_finished_job_alone(
    call_ledger, job_factory: JobFactory, sql_conn
):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job))
    advance(sql_conn, job["id"], "succeeded")  # e.g. a takeover finished it first
    before = job_row(sql_conn, job["id"])

    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"a": 1})

    assert [row["cost_usd"] for row in calls(sql_conn, job["id"])] == [USAGE_COST]
    assert job_row(sql_conn, job["id"]) == before


async def test_settle__twice_records_the_call_once(call_ledger, job_factory: JobFactory, sql_conn):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job))
    for _ in range(2):
        await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer=None)

    assert len(calls(sql_conn, job["id"])) == 1
    assert job_row(sql_conn, job["id"])["cost_usd"] == USAGE_COST


async def test_extractive_call__is_recorded_at_zero_cost(call_ledger, job_factory, sql_conn):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job, model="extractive"))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=1, outcome="ok", answer=None)

    [row] = calls(sql_conn, job["id"])
    assert (row["model"], row["cost_usd"], row["input_tokens"]) == ("extractive", 0, 10_000)


def test_runtime_role__may_record_calls_but_not_read_change_or_delete_them(sql_conn):
    sql_conn.execute("SET ROLE courier_runtime")
    for statement in (
        "SELECT * FROM llm_calls",
        "UPDATE llm_calls SET cost_usd = 0",
        "DELETE FROM llm_calls",
        "TRUNCATE llm_calls",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql_conn.execute(statement)


async def test_llm_calls__are_append_only_even_for_the_owner(call_ledger, job_factory, sql_conn):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=1, outcome="ok", answer=None)

    for statement in (
        "UPDATE llm_calls SET cost_usd = 0",
        "DELETE FROM llm_calls",
        "TRUNCATE llm_calls",
    ):
        with pytest.raises(psycopg.errors.CheckViolation, match="append-only|TRUNCATE refused"):
            sql_conn.execute(statement)


# --- Checkpoints ---------------------------------------------------------------


async def test_checkpoint__a_taken_over_execution_reads_the_answer_of_the_earlier_attempt(
    call_ledger, job_factory: JobFactory, db
):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job))
    await call_ledger.settle(
        reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"body": "paid once"}
    )
    await _take_over(db, job["id"])  # the worker died after the call returned

    assert await call_ledger.checkpoint(job["id"], "generate") == {"body": "paid once"}
    assert await call_ledger.checkpoint(job["id"], "generate.repair") is None


async def test_checkpoint__a_refusal_is_an_answer_too(call_ledger, job_factory: JobFactory):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job))
    answer = {"outcome": "refused", "refusal_reason": "asks for medical advice"}
    await call_ledger.settle(
        reservation, usage=USAGE, latency_ms=5, outcome="refused", answer=answer
    )

    assert await call_ledger.checkpoint(job["id"], "generate") == answer


@pytest.mark.parametrize("outcome", ["invalid_output", "provider_error", "timeout"])
async def test_checkpoint__a_failed_call_commits_no_answer(call_ledger, job_factory, outcome):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job))
    await call_ledger.settle(
        reservation, usage=USAGE, latency_ms=5, outcome=outcome, answer={"x": 1}
    )

    assert await call_ledger.checkpoint(job["id"], "generate") is None


async def test_checkpoint__the_first_committed_answer_of_a_step_stays(
    call_ledger, job_factory: JobFactory, db
):
    job = await job_factory(state="running")
    late = await call_ledger.reserve(planned_call(job))  # attempt 1, fenced off below
    attempt = await _take_over(db, job["id"])
    first = await call_ledger.reserve(planned_call(job, attempt=attempt))
    await call_ledger.settle(first, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": "first"})
    await call_ledger.settle(late, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": "late"})

    assert await call_ledger.checkpoint(job["id"], "generate") == {"v": "first"}


async def test_checkpoint__of_several_steps_is_the_first_listed_that_has_one(
    call_ledger, job_factory: JobFactory
):
    job = await job_factory(state="running")
    assert await call_ledger.checkpoint(job["id"], "generate", "generate.repair") is None
    repair = await call_ledger.reserve(planned_call(job, step="generate.repair"))
    await call_ledger.settle(repair, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": "r"})
    assert await call_ledger.checkpoint(job["id"], "generate", "generate.repair") == {"v": "r"}

    own = await call_ledger.reserve(planned_call(job, step="generate"))
    await call_ledger.settle(own, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": "g"})
    assert await call_ledger.checkpoint(job["id"], "generate", "generate.repair") == {"v": "g"}
    assert await call_ledger.checkpoint(job["id"], "generate.repair", "generate") == {"v": "r"}


# --- Cache -----------------------------------------------------------------------


async def test_cache__an_answered_call_serves_the_next_job_of_the_tenant_at_zero_cost(
    call_ledger, job_factory: JobFactory, sql_conn
):
    first = await job_factory(tenant="acme", state="running")
    key = random_key()
    reservation = await call_ledger.reserve(planned_call(first, cache_key=key))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"b": 2})
    second = await job_factory(tenant="acme", state="running")

    answer = await call_ledger.cached(second["tenant_id"], key)
    await call_ledger.record_cache_hit(planned_call(second, cache_key=key), answer)

    assert answer == {"b": 2}
    [hit] = calls(sql_conn, second["id"])
    assert (hit["outcome"], hit["cost_usd"], hit["input_tokens"], hit["reservation_id"]) == (
        "cache_hit",
        0,
        0,
        None,
    )
    assert await call_ledger.checkpoint(second["id"], "generate") == {"b": 2}


async def test_cache__is_never_shared_with_another_tenant(call_ledger, job_factory: JobFactory):
    mine = await job_factory(tenant="acme", state="running")
    theirs = await job_factory(tenant="globex", state="running")
    key = random_key()
    reservation = await call_ledger.reserve(planned_call(mine, cache_key=key))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"b": 2})

    assert await call_ledger.cached(theirs["tenant_id"], key) is None
    assert await call_ledger.cached(mine["tenant_id"], key) == {"b": 2}


async def test_cache__an_expired_entry_is_not_served_and_the_next_answer_replaces_it(
    call_ledger, job_factory: JobFactory, sql_conn
):
    job = await job_factory(state="running")
    key = random_key()
    reservation = await call_ledger.reserve(planned_call(job, cache_key=key))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": 1})
    sql_conn.execute(
        "UPDATE llm_cache SET created_at = now() - interval '2 hours', "
        "expires_at = now() - interval '1 hour'"
    )
    assert await call_ledger.cached(job["tenant_id"], key) is None

    again = await call_ledger.reserve(planned_call(job, step="generate.2", cache_key=key))
    await call_ledger.settle(again, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": 2})

    assert await call_ledger.cached(job["tenant_id"], key) == {"v": 2}


async def test_cache__a_live_entry_keeps_its_first_answer(call_ledger, job_factory: JobFactory):
    job = await job_factory(state="running")
    key = random_key()
    for step, value in (("a", 1), ("b", 2)):
        reservation = await call_ledger.reserve(planned_call(job, step=step, cache_key=key))
        await call_ledger.settle(
            reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": value}
        )

    assert await call_ledger.cached(job["tenant_id"], key) == {"v": 1}


async def test_cache__failed_calls_and_calls_without_a_key_store_nothing(
    call_ledger, job_factory: JobFactory, sql_conn
):
    job = await job_factory(state="running")
    key = random_key()
    failed = await call_ledger.reserve(planned_call(job, cache_key=key))
    await call_ledger.settle(failed, usage=USAGE, latency_ms=5, outcome="timeout", answer={"v": 1})
    keyless = await call_ledger.reserve(planned_call(job, step="other", cache_key=None))
    await call_ledger.settle(keyless, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": 2})

    assert await call_ledger.cached(job["tenant_id"], key) is None
    assert sql_conn.execute("SELECT count(*) FROM llm_cache").fetchone() == (0,)


async def test_cache__with_a_zero_ttl_is_off(db, job_factory: JobFactory, sql_conn):
    call_ledger = PostgresCallLedger(db, DEFAULT_PRICES, timedelta(0))
    job = await job_factory(state="running")
    key = random_key()
    reservation = await call_ledger.reserve(planned_call(job, cache_key=key))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": 1})

    assert await call_ledger.cached(job["tenant_id"], key) is None
    assert sql_conn.execute("SELECT count(*) FROM llm_cache").fetchone() == (0,)


async def test_cache__an_evicted_answer_is_no_longer_served(call_ledger, job_factory: JobFactory):
    job = await job_factory(state="running")
    key = random_key()
    reservation = await call_ledger.reserve(planned_call(job, cache_key=key))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"v": 1})

    await call_ledger.evict_cached(job["tenant_id"], key)

    assert await call_ledger.cached(job["tenant_id"], key) is None


# --- DBA views -------------------------------------------------------------------


def _rows(conn: psycopg.Connection, query: str, *params) -> list[dict]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute(query, params).fetchall()


async def test_llm_cost_monthly__shows_cost_per_tenant_kind_model_and_prompt_version(
    call_ledger, job_factory: JobFactory, sql_conn
):
    job = await job_factory(tenant="acme", state="running")
    for step, model, version in (
        ("a", "gpt-4.1-mini", "reply.v1"),
        ("b", "gpt-4.1-mini", "reply.v1"),
        ("c", "gpt-4.1", "reply.v1"),
        ("d", "gpt-4.1-mini", "reply.v2"),
    ):
        call = planned_call(job, step=step, model=model, prompt_version=version)
        reservation = await call_ledger.reserve(call)
        await call_ledger.settle(
            reservation, usage=USAGE, latency_ms=100, outcome="ok", answer=None
        )
    await call_ledger.record_cache_hit(planned_call(job, step="e"), {"v": 1})

    rows = _rows(
        sql_conn,
        "SELECT model, prompt_version, calls, cache_hits, input_tokens, cached_input_tokens, "
        "reasoning_tokens, cost_usd FROM llm_cost_monthly WHERE tenant = 'acme' "
        "AND kind = 'email_reply' ORDER BY model, prompt_version",
    )
    # gpt-4.1: 6,000 at $2.00, 4,000 at $0.50, 2,000 at $8.00 per million tokens.
    assert [tuple(r.values()) for r in rows] == [
        ("gpt-4.1", "reply.v1", 1, 0, 10_000, 4_000, 500, Decimal("0.0300")),
        ("gpt-4.1-mini", "reply.v1", 3, 1, 20_000, 8_000, 1_000, 2 * USAGE_COST),
        ("gpt-4.1-mini", "reply.v2", 1, 0, 10_000, 4_000, 500, USAGE_COST),
    ]


async def test_llm_cost_per_1000_jobs__divides_every_finished_jobs_calls_by_the_completed_ones(
    call_ledger, job_factory: JobFactory, sql_conn
):
    jobs = [await job_factory(tenant="acme", state="running") for _ in range(3)]
    for job in jobs:
        reservation = await call_ledger.reserve(planned_call(job))
        await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer=None)
    advance(sql_conn, jobs[0]["id"], "succeeded")
    advance(sql_conn, jobs[1]["id"], "succeeded")
    advance(sql_conn, jobs[2]["id"], "failed")

    [row] = _rows(sql_conn, "SELECT * FROM llm_cost_per_1000_jobs WHERE tenant = 'acme'")
    assert (row["kind"], row["finished_jobs"], row["completed_jobs"], row["calls"]) == (
        "email_reply",
        3,
        2,
        3,
    )
    assert row["cost_usd"] == 3 * USAGE_COST
    assert row["cost_per_1000_completed_usd"] == 3 * USAGE_COST * 1000 / 2


async def test_recall__reads_the_steps_checkpoint_and_the_tenants_cache_entry_in_one_go(
    call_ledger, job_factory: JobFactory
):
    mine = await job_factory(tenant="acme", state="running")
    theirs = await job_factory(tenant="globex", state="running")
    key = random_key()
    reservation = await call_ledger.reserve(planned_call(mine, cache_key=key))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"c": 3})
    steps = ("generate", "generate.repair")

    recalled = await call_ledger.recall(mine["id"], steps, mine["tenant_id"], key)
    assert (recalled.checkpoint, recalled.cached) == ({"c": 3}, {"c": 3})
    # Another job of another tenant: no checkpoint of its own, and never this tenant's entry.
    recalled = await call_ledger.recall(theirs["id"], steps, theirs["tenant_id"], key)
    assert (recalled.checkpoint, recalled.cached) == (None, None)
    # Without a key (the job's cache is off) the cache is not read.
    recalled = await call_ledger.recall(mine["id"], ("generate.repair",), mine["tenant_id"], None)
    assert (recalled.checkpoint, recalled.cached) == (None, None)


async def test_recall__serves_no_cache_entry_of_a_held_job_nor_with_a_zero_ttl(
    db, call_ledger, job_factory: JobFactory, sql_conn
):
    job = await job_factory(tenant="acme", state="running")
    other = await job_factory(tenant="acme", state="running")
    key = random_key()
    reservation = await call_ledger.reserve(planned_call(job, cache_key=key))
    await call_ledger.settle(reservation, usage=USAGE, latency_ms=5, outcome="ok", answer={"h": 1})
    recalled = await call_ledger.recall(other["id"], ("generate",), other["tenant_id"], key)
    assert recalled.cached == {"h": 1}
    off = PostgresCallLedger(db, DEFAULT_PRICES, timedelta(0))
    assert (await off.recall(other["id"], ("generate",), other["tenant_id"], key)).cached is None

    sql_conn.execute(
        "UPDATE jobs SET state = 'needs_review', held_result = '{}' WHERE id = %s", (job["id"],)
    )
    recalled = await call_ledger.recall(other["id"], ("generate",), other["tenant_id"], key)
    assert recalled.cached is None
