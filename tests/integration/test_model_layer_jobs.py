"""email_reply jobs through the API and a real worker whose model provider is the
fake OpenAI server (as OPENAI_API_KEY and OPENAI_BASE_URL configure it), every call
recorded by the real call ledger: answers of the small tier, refusals, invalid
answers, fallbacks noted in the job's history, pauses written by another process,
many jobs in flight on few connections, the exact-match cache between jobs, budgets
under concurrency and ``--when-over small``, and the calls of an execution that lost
its lease."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest

from app.llm.pauses import ProviderPauses
from app.tenants.tiers import TenantTiers
from tasks.execution import JobExecutor
from tests.fakes.openai_server import (
    Reply,
    billed,
    error,
    held,
    invalid_json,
    refusal,
    schema_answer,
    together,
)
from tests.support.jobs import events, job_row
from tests.support.kinds import TEST_KINDS
from tests.support.ledger import budget_month, call_outcomes, calls
from tests.support.requests import auth, email_reply_request
from tests.support.steps import openai_steps
from tests.support.waiting import wait_for
from tests.support.workers import running_worker


async def _submit(http, key, name: str, kind: str = "email_reply") -> str:
    response = await http.post(
        "/v1/jobs", json=email_reply_request(kind=kind), headers=auth(key, name)
    )
    assert response.status_code == 202
    return response.json()["id"]


async def _finished(sql_conn, job_id: str) -> dict:
    async def done():
        row = job_row(sql_conn, job_id)
        return row if row["state"] in ("succeeded", "failed") else None

    return await wait_for(done, what="the job to finish")


async def test_email_reply__drafted_by_the_small_model_with_its_tokens(
    http, model_worker, make_key, sql_conn, fake_openai
):
    job_id = await _submit(http, await make_key(), "small")

    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["model"], row["prompt_version"]) == (
        "succeeded",
        "fake-small",
        "email_reply/v3",
    )
    assert row["result"]["subject"] == "fake text" and row["result"]["outcome"] == "drafted"
    assert (row["input_tokens"], row["output_tokens"]) == (7, 3)
    assert fake_openai.models() == ["fake-small"]
    assert call_outcomes(sql_conn, job_id) == [("generate", "fake-small", "ok")]


async def test_email_reply__model_refusal_succeeds_with_the_refused_outcome(
    http, model_worker, make_key, sql_conn, fake_openai
):
    fake_openai.script(refusal("Not something I can draft."))
    job_id = await _submit(http, await make_key(), "refused")

    row = await _finished(sql_conn, job_id)

    assert row["state"] == "succeeded"
    assert (row["result"]["outcome"], row["result"]["refusal_reason"]) == (
        "refused",
        "Not something I can draft.",
    )


async def test_email_reply__invalid_after_repair_fails_with_invalid_model_output(
    http, model_worker, make_key, sql_conn, fake_openai
):
    fake_openai.script(invalid_json(), schema_answer(outcome="refused"))
    job_id = await _submit(http, await make_key(), "invalid")

    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["attempt"]) == ("failed", 1)
    assert row["error"]["code"] == "invalid_model_output"
    assert len(fake_openai.requests) == 2
    assert [outcome for *_, outcome in call_outcomes(sql_conn, job_id)] == ["invalid_output"] * 2


async def test_email_reply__provider_error_falls_back_to_extractive_noted_in_the_history(
    http, model_worker, make_key, sql_conn, fake_openai
):
    fake_openai.script(error(500), error(500))  # the small model keeps failing
    key = await make_key()
    job_id = await _submit(http, key, "fallback")

    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["model"], row["attempt"]) == ("succeeded", "extractive", 1)
    history = sql_conn.execute(
        "SELECT type, state::text, data FROM job_events WHERE job_id = %s ORDER BY seq",
        (job_id,),
    ).fetchall()
    assert [(t, s) for t, s, _ in history] == [
        ("queued", "queued"),
        ("running", "running"),
        ("model_fallback", "running"),
        ("succeeded", "succeeded"),
    ]
    assert history[2][2] == {
        "step": "generate",
        "from_model": "fake-small",
        "to_model": "extractive",
        "error": "provider_unavailable",
    }
    assert call_outcomes(sql_conn, job_id) == [
        ("generate", "fake-small", "provider_error"),
        ("generate", "fake-small", "provider_error"),
        ("generate", "extractive", "ok"),
    ]
    events = (await http.get(f"/v1/jobs/{job_id}/events", headers=auth(key))).json()
    assert "model_fallback" in [e["type"] for e in events["events"]]


async def test_worker__waits_out_a_pause_another_process_wrote(
    http, model_worker, model_settings, make_key, sql_conn, fake_openai, db
):
    provider = f"openai:{model_settings.llm.base_url}"
    paused_at = time.monotonic()
    await ProviderPauses(db).pause(provider, 1.0)
    job_id = await _submit(http, await make_key(), "paused")

    row = await _finished(sql_conn, job_id)

    assert (row["state"], row["model"]) == ("succeeded", "fake-small")
    (sent,) = fake_openai.requests
    assert sent.received_at - paused_at >= 1.0


async def test_worker__holds_many_model_calls_in_flight_on_few_connections(
    http, model_settings, job_kinds, make_key, sql_conn, fake_openai
):
    """40 jobs, a worker running 40 at once on a pool of 10 connections: the fake
    answers only once all 40 calls are in flight together."""
    n = 40
    model_settings.worker.concurrency = n
    fake_openai.script(*[together(n)] * n)
    key = await make_key()
    job_ids = [await _submit(http, key, f"many-{i}") for i in range(n)]

    async with running_worker(model_settings, job_kinds):

        async def all_done():
            states = [job_row(sql_conn, job_id)["state"] for job_id in job_ids]
            return all(state == "succeeded" for state in states)

        await wait_for(all_done, what="every job to succeed", timeout=60)

    assert fake_openai.max_in_flight == n
    assert model_settings.database.pool_max_size == 10


async def test_worker__a_pause_longer_than_it_waits_requeues_the_job_until_the_pause_ends(
    http, model_settings, job_kinds, make_key, sql_conn, fake_openai
):
    model_settings.llm.max_pause_wait_seconds = 0  # never wait in the worker
    fake_openai.script(error(429, headers={"Retry-After": "1"}))
    key = await make_key()

    async with running_worker(model_settings, job_kinds):
        job_id = await _submit(http, key, "requeued")
        row = await _finished(sql_conn, job_id)

    assert (row["state"], row["attempt"], row["model"]) == ("succeeded", 2, "fake-small")
    retried = sql_conn.execute(
        "SELECT data FROM job_events WHERE job_id = %s AND type = 'queued' AND attempt = 1",
        (job_id,),
    ).fetchone()[0]
    assert retried["error"]["code"] == "rate_limited"
    first, second = fake_openai.requests
    assert second.received_at - first.received_at >= 1.0
    assert [model for _, model, _ in call_outcomes(sql_conn, job_id)] == ["fake-small"] * 2


async def test_worker__waiting_out_pauses_spends_no_retry_budget(
    http, model_settings, job_kinds, make_key, sql_conn, fake_openai
):
    # A kind that may start one execution only: a transient error would fail it at once,
    # but two rate-limit pauses in a row are waited out (the provider said when).
    model_settings.llm.max_pause_wait_seconds = 0
    fake_openai.script(
        error(429, headers={"Retry-After": "1"}), error(429, headers={"Retry-After": "1"})
    )
    one_try = {**job_kinds, "email_reply": replace(job_kinds["email_reply"], max_attempts=1)}
    key = await make_key()

    async with running_worker(model_settings, one_try):
        row = await _finished(sql_conn, await _submit(http, key, "patient"))

    assert (row["state"], row["attempt"]) == ("succeeded", 3)


# --- The exact-match cache between jobs ----------------------------------------------


async def test_cache__an_identical_job_with_the_same_groups_is_answered_without_a_call(
    http, model_worker, make_key, sql_conn, fake_openai
):
    """Two users of a tenant whose keys carry the same groups submit the same request."""
    first = await _finished(
        sql_conn, await _submit(http, await make_key(tenant="acme", groups=["support"]), "a")
    )
    second = await _finished(
        sql_conn, await _submit(http, await make_key(tenant="acme", groups=["support"]), "b")
    )

    assert len(fake_openai.requests) == 1
    assert (second["state"], second["model"]) == ("succeeded", "fake-small")
    assert second["result"] == first["result"]
    assert first["acl_groups"] == second["acl_groups"] == ["support"]
    assert call_outcomes(sql_conn, second["id"]) == [("generate", "fake-small", "cache_hit")]
    [hit] = calls(sql_conn, second["id"])
    assert hit["cost_usd"] == 0 and hit["reservation_id"] is None
    assert (second["input_tokens"], second["output_tokens"], second["cost_usd"]) == (0, 0, 0)


@pytest.mark.parametrize(
    ("tenant", "groups", "kind"),
    [
        ("globex", ["support"], "email_reply"),
        ("acme", ["support", "legal"], "email_reply"),
        ("acme", ["support"], "email_reply_uncached"),
    ],
    ids=["another_tenant", "other_acl_groups", "kind_with_the_cache_off"],
)
async def test_cache__another_tenant_other_groups_or_a_kind_without_cache_each_pay_a_call(
    http, model_worker, make_key, sql_conn, fake_openai, tenant, groups, kind
):
    first_key = await make_key(tenant="acme", groups=["support"])
    await _finished(sql_conn, await _submit(http, first_key, "a", kind))
    second_key = await make_key(tenant=tenant, groups=groups)

    second = await _finished(sql_conn, await _submit(http, second_key, "b", kind))

    assert second["state"] == "succeeded"
    assert len(fake_openai.requests) == 2
    assert call_outcomes(sql_conn, second["id"]) == [("generate", "fake-small", "ok")]


# --- Tenant tiers ---------------------------------------------------------------------


async def test_tier__a_premium_tenants_job_is_drafted_by_the_large_model(
    http, model_worker, make_key, admin_db, sql_conn, fake_openai
):
    standard = await make_key(tenant="acme")
    premium = await make_key(tenant="globex")
    await TenantTiers(admin_db).set("globex", "premium")

    standard_job = await _finished(sql_conn, await _submit(http, standard, "standard"))
    premium_job = await _finished(sql_conn, await _submit(http, premium, "premium"))

    assert (standard_job["state"], standard_job["model"]) == ("succeeded", "fake-small")
    assert (premium_job["state"], premium_job["model"]) == ("succeeded", "fake-large")
    assert fake_openai.models() == ["fake-small", "fake-large"]
    assert call_outcomes(sql_conn, premium_job["id"]) == [("generate", "fake-large", "ok")]


async def test_tier__is_read_when_the_execution_starts_not_at_intake(
    http, model_settings, job_kinds, make_key, admin_db, sql_conn, fake_openai
):
    key = await make_key(tenant="acme")
    job_id = await _submit(http, key, "upgraded-while-queued")  # no worker yet
    await TenantTiers(admin_db).set("acme", "enterprise")

    async with running_worker(model_settings, job_kinds):
        row = await _finished(sql_conn, job_id)

    assert (row["state"], row["model"]) == ("succeeded", "fake-large")
    assert fake_openai.models() == ["fake-large"]


async def test_tier__a_premium_tenant_over_a_small_budget_is_still_moved_down(
    http, model_worker, make_key, admin_db, budgets, sql_conn, fake_openai
):
    key = await make_key(tenant="acme")
    await TenantTiers(admin_db).set("acme", "premium")
    await budgets.set("acme", Decimal("0.01"), "small")  # a large call ($0.0168) does not fit

    row = await _finished(sql_conn, await _submit(http, key, "premium-over-budget"))

    assert (row["state"], row["model"]) == ("succeeded", "fake-small")
    assert fake_openai.models() == ["fake-small"]


# --- Budgets --------------------------------------------------------------------------
# An email_reply call with 2,048 output tokens at most reserves $0.0034 on the small
# tier (priced as gpt-4.1-mini) and $0.0168 on the large one (as gpt-4.1).


async def test_budget__over_it_a_tenant_that_chose_small_has_large_jobs_drafted_by_small(
    http, model_worker, make_key, budgets, sql_conn, fake_openai
):
    key = await make_key(tenant="acme")
    await budgets.set("acme", Decimal("0.01"), "small")

    row = await _finished(sql_conn, await _submit(http, key, "large", "email_reply_large"))

    assert (row["state"], row["model"]) == ("succeeded", "fake-small")
    assert fake_openai.models() == ["fake-small"]
    assert call_outcomes(sql_conn, row["id"]) == [("generate", "fake-small", "ok")]
    noted = [data for _, state, _, data, _ in events(sql_conn, row["id"]) if "to_model" in data]
    assert noted == [
        {
            "step": "generate",
            "from_model": "fake-large",
            "to_model": "fake-small",
            "error": "budget_exceeded",
        }
    ]


@pytest.mark.parametrize("when_over", ["small", "refuse"])
async def test_budget__a_job_no_tier_fits_fails_with_budget_exceeded_without_a_call(
    http, model_settings, job_kinds, make_key, budgets, sql_conn, fake_openai, when_over
):
    key = await make_key(tenant="acme")
    await budgets.set("acme", Decimal("0.01"), when_over)
    job_id = await _submit(http, key, "large", "email_reply_large")  # admitted: budget left
    await budgets.set("acme", Decimal("0"))  # now not even a small call fits

    async with running_worker(model_settings, job_kinds):
        row = await _finished(sql_conn, job_id)

    assert (row["state"], row["error"]["code"]) == ("failed", "budget_exceeded")
    assert fake_openai.requests == [] and calls(sql_conn, job_id) == []


async def test_budget__forty_concurrent_jobs_spend_at_most_one_reservation_more_than_it(
    http, model_settings, job_kinds, make_key, budgets, sql_conn, fake_openai, admin_db
):
    """40 jobs submitted at once to a worker running 40 at a time. Each call bills
    nearly its worst case (the 1,000-token output cap) and answers late enough for the
    calls to overlap, so a budget checked before the calls and charged after them
    would let all 40 through; $0.02 covers about eleven."""
    n = 40
    budget = Decimal("0.02")
    model_settings.worker.concurrency = n
    model_settings.llm.max_output_tokens = 1000
    fake_openai.script(*[billed(150, 1000, Reply(delay=0.2))] * n)
    key = await make_key(tenant="acme")
    await budgets.set("acme", budget)

    async with running_worker(model_settings, job_kinds):
        answers = await asyncio.gather(
            *(
                http.post(
                    "/v1/jobs",
                    # Forty different questions: none is answered from another's cache.
                    json=email_reply_request(f"When will refund {i} arrive?"),
                    headers=auth(key, f"j{i}"),
                )
                for i in range(n)
            )
        )
        job_ids = [answer.json()["id"] for answer in answers if answer.status_code == 202]
        rows = [await _finished(sql_conn, job_id) for job_id in job_ids]

    refused_at_intake = [answer for answer in answers if answer.status_code != 202]
    assert all(
        answer.status_code == 429
        and answer.json()["type"] == "urn:courier:problem:budget-exhausted"
        for answer in refused_at_intake
    )
    ended = Counter(row["error"]["code"] if row["error"] else row["state"] for row in rows)
    assert set(ended) == {"succeeded", "budget_exceeded"}
    tenant_id = rows[0]["tenant_id"]
    spent, reserved = budget_month(sql_conn, tenant_id)
    count, cost, largest_reservation = sql_conn.execute(
        "SELECT count(*), sum(c.cost_usd), max(r.amount_usd) FROM llm_calls c "
        "JOIN budget_reservations r ON r.id = c.reservation_id WHERE c.tenant_id = %s",
        (tenant_id,),
    ).fetchone()
    assert spent <= budget + largest_reservation
    assert (spent, reserved) == (cost, 0)
    assert count == ended["succeeded"] == len(fake_openai.requests)
    assert sum(row["cost_usd"] for row in rows) == spent


# --- An execution that lost its lease --------------------------------------------------


async def test_takeover__the_call_of_an_execution_that_lost_its_lease_counts_and_is_reused(
    db, job_factory, fake_openai, provider, call_ledger, sql_conn
):
    gate = threading.Event()
    fake_openai.script(held(gate))
    job = await job_factory()
    steps = openai_steps(db, provider, call_ledger)
    first = asyncio.create_task(JobExecutor(db, TEST_KINDS, steps, "w1").execute(job["id"]))

    async def in_flight() -> bool:
        return len(fake_openai.requests) == 1

    await wait_for(in_flight, what="attempt 1's model call")
    assert await db.fetch_optional(
        "job_lease_take", actor="test", job_id=job["id"], queue_job_id=None
    )  # attempt 2 takes over
    gate.set()

    assert await first is None  # attempt 1's completion is fenced off, its call is not
    [call] = calls(sql_conn, job["id"])
    assert (call["attempt"], call["step"], call["outcome"]) == (1, "generate", "ok")
    row = job_row(sql_conn, job["id"])
    assert (row["state"], row["attempt"]) == ("running", 2)
    assert (row["input_tokens"], row["output_tokens"], row["cost_usd"]) == (7, 3, call["cost_usd"])

    # Attempt 3 reuses the answer attempt 1 paid for.
    assert await JobExecutor(db, TEST_KINDS, steps, "w2").execute(job["id"]) == "succeeded"
    assert len(fake_openai.requests) == 1 and len(calls(sql_conn, job["id"])) == 1
    row = job_row(sql_conn, job["id"])
    assert (row["model"], row["input_tokens"], row["output_tokens"]) == ("fake-small", 7, 3)
    assert row["cost_usd"] == call["cost_usd"]
