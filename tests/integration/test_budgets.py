"""Monthly budgets that hold: calls reserve their worst case before they start, settle
the real cost after, and a tenant's spend stays within its budget however many calls
start at once; intake refuses a tenant whose budget is spent."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from app.db import Database
from app.errors import RateLimitedError
from app.llm.ledger import BudgetExceeded, PostgresCallLedger, TokenUsage
from app.llm.prices import DEFAULT_PRICES
from app.tenants.budgets import InvalidBudget
from tests.support.jobs import JobFactory
from tests.support.ledger import budget_month, planned_call
from tests.support.requests import auth, email_reply_request

# A gpt-4.1 call of at most 1,000 input and 1,000 output tokens: $0.002 + $0.008.
WORST = {"model": "gpt-4.1", "max_input_tokens": 1000, "max_output_tokens": 1000}
WORST_USD = Decimal("0.01")
FULL_USAGE = TokenUsage(input_tokens=1000, output_tokens=1000)


async def test_reserve__holds_the_worst_case_and_settle_replaces_it_with_the_real_cost(
    call_ledger, budgets, job_factory: JobFactory, sql_conn
):
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("5"))

    reservation = await call_ledger.reserve(planned_call(job, **WORST))
    assert reservation.reserved_usd == WORST_USD
    assert budget_month(sql_conn, job["tenant_id"]) == (0, WORST_USD)

    usage = TokenUsage(input_tokens=400, cached_input_tokens=100, output_tokens=50)
    await call_ledger.settle(reservation, usage=usage, latency_ms=1, outcome="ok", answer=None)
    # 300 at $2.00, 100 at $0.50, 50 at $8.00 per million.
    assert budget_month(sql_conn, job["tenant_id"]) == (Decimal("0.00105"), 0)


async def test_reserve__refuses_a_call_the_budget_cannot_cover(
    call_ledger, budgets, job_factory: JobFactory, sql_conn
):
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("0.01"))
    await call_ledger.reserve(planned_call(job, step="a", **WORST))  # fits exactly

    with pytest.raises(BudgetExceeded) as refused:
        await call_ledger.reserve(planned_call(job, step="b", **WORST))

    assert isinstance(refused.value, RateLimitedError)
    assert refused.value.route_small is False
    assert refused.value.retry_after >= 1
    assert (refused.value.budget_usd, refused.value.needed_usd) == (Decimal("0.01"), WORST_USD)
    assert budget_month(sql_conn, job["tenant_id"]) == (0, WORST_USD)  # nothing reserved


async def test_reserve__over_budget_says_route_small_when_the_tenant_chose_it(
    call_ledger, budgets, job_factory: JobFactory
):
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("0.01"), "small")
    small = {"model": "gpt-4.1-mini", "max_input_tokens": 1000, "max_output_tokens": 1000}
    await call_ledger.reserve(planned_call(job, step="a", model="gpt-4.1-mini"))

    with pytest.raises(BudgetExceeded) as refused:
        await call_ledger.reserve(planned_call(job, step="b", **WORST))
    assert refused.value.route_small is True
    # The small tier's worst case ($0.002) still fits, so the step can go on there.
    assert (
        await call_ledger.reserve(planned_call(job, step="b", **small))
    ).reserved_usd == Decimal("0.002")


async def test_reserve__a_zero_cost_call_runs_even_when_the_budget_is_spent(
    call_ledger, budgets, job_factory: JobFactory, sql_conn
):
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("0"))

    with pytest.raises(BudgetExceeded):
        await call_ledger.reserve(planned_call(job, **WORST))
    reservation = await call_ledger.reserve(planned_call(job, model="extractive"))
    await call_ledger.settle(reservation, usage=FULL_USAGE, latency_ms=1, outcome="ok", answer=None)

    assert budget_month(sql_conn, job["tenant_id"]) == (0, 0)


async def test_reserve__without_a_budget_allows_and_still_counts_the_spend(
    call_ledger, job_factory: JobFactory, sql_conn
):
    job = await job_factory(state="running")
    reservation = await call_ledger.reserve(planned_call(job, **WORST))
    await call_ledger.settle(reservation, usage=FULL_USAGE, latency_ms=1, outcome="ok", answer=None)

    assert budget_month(sql_conn, job["tenant_id"]) == (WORST_USD, 0)


async def test_reserve__releases_a_reservation_never_settled_and_a_late_settle_still_charges(
    db, budgets, job_factory: JobFactory, sql_conn
):
    # stale_after 0: every open reservation is stale by the next reservation.
    call_ledger = PostgresCallLedger(
        db, DEFAULT_PRICES, timedelta(hours=1), stale_after=timedelta(0)
    )
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("0.01"))
    abandoned = await call_ledger.reserve(planned_call(job, step="a", **WORST))  # its worker died

    await call_ledger.reserve(planned_call(job, step="b", **WORST))
    assert budget_month(sql_conn, job["tenant_id"]) == (0, WORST_USD)

    await call_ledger.settle(abandoned, usage=FULL_USAGE, latency_ms=1, outcome="ok", answer=None)
    assert budget_month(sql_conn, job["tenant_id"]) == (WORST_USD, WORST_USD)


async def _cycles(
    call_ledger: PostgresCallLedger, job: dict, count: int, cost_of: dict[str, TokenUsage]
) -> list[bool]:
    """``count`` concurrent reserve/settle cycles; whether each one was allowed."""

    async def cycle(step: str) -> bool:
        try:
            reservation = await call_ledger.reserve(planned_call(job, step=step, **WORST))
        except BudgetExceeded:
            return False
        await asyncio.sleep(0)  # let the other cycles interleave with this call in flight
        await call_ledger.settle(
            reservation, usage=cost_of[step], latency_ms=1, outcome="ok", answer=None
        )
        return True

    return await asyncio.gather(*(cycle(step) for step in cost_of))


async def _watch(sql_conn, tenant_id, stop: asyncio.Event) -> Decimal:
    """The highest spent + reserved seen while the cycles run."""
    highest = Decimal(0)
    while not stop.is_set():
        spent, reserved = await asyncio.to_thread(budget_month, sql_conn, tenant_id)
        highest = max(highest, spent + reserved)
        await asyncio.sleep(0.001)
    return highest


async def test_concurrent_calls__admit_exactly_what_the_budget_covers(
    call_ledger, budgets, job_factory: JobFactory, sql_conn
):
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("0.10"))  # ten worst cases
    cost_of = {f"step-{i}": FULL_USAGE for i in range(60)}

    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch(sql_conn, job["tenant_id"], stop))
    allowed = await _cycles(call_ledger, job, len(cost_of), cost_of)
    stop.set()

    assert sum(allowed) == 10
    assert budget_month(sql_conn, job["tenant_id"]) == (Decimal("0.10"), 0)
    assert await watcher <= Decimal("0.10")


async def test_concurrent_calls__spend_plus_reservations_never_pass_the_budget(
    db: Database, budgets, job_factory: JobFactory, sql_conn
):
    call_ledger = PostgresCallLedger(db, DEFAULT_PRICES, timedelta(hours=1))
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("0.05"))
    rng = random.Random(14)
    cost_of = {
        f"step-{i}": TokenUsage(
            input_tokens=rng.randint(0, 1000), output_tokens=rng.randint(0, 1000)
        )
        for i in range(80)
    }

    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch(sql_conn, job["tenant_id"], stop))
    allowed = await _cycles(call_ledger, job, len(cost_of), cost_of)
    stop.set()

    spent, reserved = budget_month(sql_conn, job["tenant_id"])
    assert reserved == 0
    assert spent <= Decimal("0.05")
    assert await watcher <= Decimal("0.05")
    assert 5 <= sum(allowed) < len(cost_of)  # at least the worst cases fit; not everything
    recorded = sql_conn.execute(
        "SELECT count(*), sum(cost_usd) FROM llm_calls WHERE job_id = %s", (job["id"],)
    ).fetchone()
    assert recorded == (sum(allowed), spent)


async def test_budget_set__refuses_an_unknown_tenant_and_a_negative_amount(budgets):
    with pytest.raises(InvalidBudget, match="no tenant 'nobody'"):
        await budgets.set("nobody", Decimal("5"))
    with pytest.raises(InvalidBudget, match="0 or more"):
        await budgets.set("nobody", Decimal("-1"))


async def test_budget_set__keeps_the_tenants_choice_when_not_given(budgets, job_factory):
    await job_factory(tenant="acme")
    await budgets.set("acme", Decimal("5"), "small")

    again = await budgets.set("acme", Decimal("7.5"))

    assert (again.monthly_usd, again.when_over) == (Decimal("7.50"), "small")


# --- Over HTTP: intake and GET /v1/usage ----------------------------------------


async def _spend(call_ledger, job_factory, tenant: str, usage: TokenUsage = FULL_USAGE) -> None:
    job = await job_factory(tenant=tenant, state="running")
    reservation = await call_ledger.reserve(planned_call(job, **WORST))
    await call_ledger.settle(reservation, usage=usage, latency_ms=1, outcome="ok", answer=None)


async def test_intake__answers_429_problem_once_the_budget_is_spent(
    http, make_key, call_ledger, budgets, job_factory: JobFactory
):
    key = await make_key(tenant="acme")
    await budgets.set("acme", Decimal("0.01"))
    before = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k1"))
    assert before.status_code == 202

    await _spend(call_ledger, job_factory, "acme")
    refused = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k2"))
    retried = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k1"))

    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "urn:courier:problem:budget-exhausted"
    assert int(refused.headers["Retry-After"]) >= 1
    assert (retried.status_code, retried.json()["id"]) == (200, before.json()["id"])


async def test_intake__429_shows_the_budget_and_the_spend_unrounded(
    http, make_key, call_ledger, budgets, job_factory: JobFactory, sql_conn
):
    key = await make_key(tenant="acme")
    # 1,050 input and 1,000 output tokens of gpt-4.1: $0.0021 + $0.008.
    await _spend(
        call_ledger, job_factory, "acme", TokenUsage(input_tokens=1050, output_tokens=1000)
    )
    await budgets.set("acme", Decimal("0.0095"))  # below a cent's precision: kept as it is

    refused = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k"))

    assert refused.status_code == 429
    assert refused.json()["detail"].startswith(
        "this tenant's monthly model budget of $0.0095 is spent ($0.0101 spent or reserved)"
    )
    assert refused.json()["budget_usd"] == "0.0095"
    assert sql_conn.execute("SELECT monthly_usd FROM tenant_budgets").fetchone() == (
        Decimal("0.0095"),
    )


async def test_reserve__a_budget_below_a_cent_is_not_rounded_away(
    call_ledger, budgets, job_factory: JobFactory
):
    job = await job_factory(tenant="acme", state="running")
    await budgets.set("acme", Decimal("0.004"))  # $0.00 in whole cents: nothing would fit
    small = {"model": "gpt-4.1-mini", "max_input_tokens": 1000, "max_output_tokens": 2000}

    reservation = await call_ledger.reserve(planned_call(job, step="a", **small))
    with pytest.raises(BudgetExceeded) as refused:
        await call_ledger.reserve(planned_call(job, step="b", **small))

    assert reservation.reserved_usd == Decimal("0.0036")
    assert str(refused.value).startswith(
        "this tenant's monthly budget of $0.004 cannot cover the worst case of a gpt-4.1-mini "
        "call ($0.0036): $0.00 spent and $0.0036 reserved in "
    )


async def test_budget_set__refuses_more_decimals_than_the_ledger_keeps(budgets, make_key):
    await make_key(tenant="acme")

    with pytest.raises(InvalidBudget, match="more than 10 decimals"):
        await budgets.set("acme", Decimal("0.00000000001"))


async def test_intake__other_tenants_are_not_refused(
    http, make_key, call_ledger, budgets, job_factory
):
    await make_key(tenant="acme")
    other = await make_key(tenant="globex")
    await budgets.set("acme", Decimal("0.01"))
    await _spend(call_ledger, job_factory, "acme")

    answer = await http.post("/v1/jobs", json=email_reply_request(), headers=auth(other, "k"))

    assert answer.status_code == 202


async def test_usage__shows_the_tenants_spend_reservations_and_budget(
    http, make_key, call_ledger, budgets, job_factory: JobFactory
):
    key = await make_key(tenant="acme")
    await budgets.set("acme", Decimal("1"), "small")
    await _spend(call_ledger, job_factory, "acme", TokenUsage(input_tokens=1000, output_tokens=500))
    in_flight = await job_factory(tenant="acme", state="running")
    await call_ledger.reserve(planned_call(in_flight, **WORST))
    await _spend(call_ledger, job_factory, "globex")  # another tenant's spend is not shown

    answer = await http.get("/v1/usage", headers=auth(key))

    assert answer.status_code == 200
    usage = answer.json()
    assert len(usage["month"]) == 7 and usage["month"][4] == "-"
    assert {k: Decimal(str(usage[k])) for k in ("spent_usd", "reserved_usd", "budget_usd")} == {
        "spent_usd": Decimal("0.006"),
        "reserved_usd": WORST_USD,
        "budget_usd": Decimal("1"),
    }
    assert Decimal(str(usage["remaining_usd"])) == Decimal("0.984")
    assert usage["when_over"] == "small"


async def test_usage__without_a_budget_shows_no_limit(http, make_key):
    key = await make_key(tenant=f"t-{uuid.uuid4().hex[:8]}")

    usage = (await http.get("/v1/usage", headers=auth(key))).json()

    assert (usage["budget_usd"], usage["remaining_usd"], usage["when_over"]) == (None, None, None)
    assert Decimal(str(usage["spent_usd"])) == 0


async def test_usage__needs_an_api_key(http):
    answer = await http.get("/v1/usage")

    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
