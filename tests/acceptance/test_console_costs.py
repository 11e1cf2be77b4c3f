"""The console's costs and health page over real HTTP: a signed-in key sees its own
tenant's costs, latency, budget, queue, stuck jobs, dead letters, failing webhooks and
prompt versions, never another tenant's; hostile names render inert; an empty tenant
gets an empty page, not an error."""

from __future__ import annotations

import hashlib
import re
import uuid
from decimal import Decimal
from typing import Any

from app.tenants.budgets import BudgetService
from tests.support.console import sign_in

HOSTILE = '<script>alert("costs")</script>'


def tenant_id(sql_conn, slug: str) -> uuid.UUID:
    return sql_conn.execute("SELECT id FROM tenants WHERE slug = %s", (slug,)).fetchone()[0]


def model_call(sql_conn, job: dict[str, Any], *, model: str, cost: str, latency_ms: float) -> None:
    """A settled call in the ledger, as an operator's psql would insert it."""
    sql_conn.execute(
        "INSERT INTO llm_calls (job_id, tenant_id, attempt, step, kind, model, prompt_version,"
        " prompt_hash, input_tokens, output_tokens, cost_usd, latency_ms, outcome)"
        " VALUES (%s, %s, 1, 'generate', %s, %s, 'reply.v1', %s, 100, 50, %s, %s, 'ok')",
        (
            job["id"],
            job["tenant_id"],
            job["kind"],
            model,
            hashlib.sha256(b"prompt").hexdigest(),
            Decimal(cost),
            latency_ms,
        ),
    )


def failing_destination(sql_conn, tenant: uuid.UUID, url: str) -> None:
    """A webhook destination the relay paused after two failed probes."""
    sql_conn.execute(
        "INSERT INTO outbox_destinations (tenant_id, url, url_hash, failures, failing_since,"
        " probe_at, paused_until) VALUES (%s, %s, %s, 2, now() - interval '10 minutes',"
        " now() + interval '1 minute', now() + interval '1 minute')",
        (tenant, url, hashlib.sha256(url.encode()).digest()),
    )


def table(html: str, name: str) -> str:
    """The HTML of one of the page's tables (``data-table``), to look for figures in."""
    match = re.search(rf'<table data-table="{name}">(.*?)</table>', html, re.S)
    assert match, f"no table {name!r} on the page"
    return match[1]


async def seed_tenant(job_factory, sql_conn, slug: str, *, model: str, cost: str, error: str):
    """Two succeeded jobs (prompt versions v1, v2) with a model call each, one failed,
    one queued and one running without a queue entry (stuck)."""
    jobs = [
        await job_factory(
            tenant=slug,
            state="succeeded",
            model=model,
            prompt_version=f"{slug}.v{n}",
            cost_usd=Decimal(cost),
        )
        for n in (1, 2)
    ]
    for job, latency in zip(jobs, (100.0, 300.0), strict=True):
        model_call(sql_conn, job, model=model, cost=cost, latency_ms=latency)
    await job_factory(tenant=slug, state="failed", error={"code": error, "message": "no"})
    await job_factory(tenant=slug, state="queued")
    running = await job_factory(tenant=slug, state="running")
    return running


async def test_costs__shows_the_viewers_tenant_and_never_anothers(
    quick_orphans, console, make_key, job_factory, sql_conn, admin_db
):
    key_a = await make_key(tenant="costs-a")
    await make_key(tenant="costs-b")
    stuck_a = await seed_tenant(
        job_factory, sql_conn, "costs-a", model="model-alpha", cost="0.0125", error="alpha_error"
    )
    stuck_b = await seed_tenant(
        job_factory, sql_conn, "costs-b", model="model-bravo", cost="7.777777", error="bravo_error"
    )
    failing_destination(sql_conn, tenant_id(sql_conn, "costs-a"), "https://a.example/hook?t=s3")
    failing_destination(sql_conn, tenant_id(sql_conn, "costs-b"), "https://b.example/hook")
    await BudgetService(admin_db).set("costs-a", Decimal("10"))
    await BudgetService(admin_db).set("costs-b", Decimal("987654"))
    sql_conn.execute(
        "INSERT INTO tenant_budget_months (tenant_id, month, spent_usd, reserved_usd)"
        " VALUES (%s, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 2.5, 0.5)",
        (tenant_id(sql_conn, "costs-a"),),
    )

    await sign_in(console, key_a)
    page = await console.get("/console/costs")
    assert page.status_code == 200
    html = page.text

    models = table(html, "models-24h")
    assert "model-alpha" in models
    assert "$0.025" in models  # two calls of $0.0125
    assert "$12.50" in models  # per 1,000 jobs: $0.025 over 2 jobs
    assert "200 ms" in models and "290 ms" in models  # p50 and p95 of 100 and 300 ms
    assert "model-alpha" in table(html, "models-30d")
    kinds = table(html, "kinds-24h")
    assert re.search(r"<td>email_reply</td><td class=\"num\">5</td>", kinds)  # 5 jobs of A
    assert "$12.50" in kinds  # $0.025 over 2 completed
    assert "$10.00" in html and "$2.50" in html and "$7.00" in html  # budget, spent, remaining
    queue = table(html, "queue")
    assert "queued" in queue and "running" in queue
    assert str(stuck_a["id"]) in table(html, "stuck")
    assert "alpha_error" in table(html, "dead-letters")
    webhooks = table(html, "webhooks")
    assert "https://a.example/hook" in webhooks and "paused after 2 failures" in webhooks
    assert "t=s3" not in html  # no query string: receivers put credentials there
    versions = table(html, "prompt-versions")
    assert "costs-a.v1" in versions and "costs-a.v2" in versions
    # Charts carry their figures as text too.
    assert 'role="img"' in html and "email_reply · model-alpha: $0.025" in html

    for others in (
        "model-bravo", "7.777777", "bravo_error", "b.example", "987,654", "987654",
        "costs-b.v1", str(stuck_b["id"]), str(tenant_id(sql_conn, "costs-b")),
    ):  # fmt: skip
        assert others not in html, f"tenant B's {others!r} is on tenant A's page"


async def test_costs__hostile_kind_and_model_names_render_inert(
    console, make_key, job_factory, sql_conn
):
    key = await make_key(tenant="costs-hostile")
    job = await job_factory(
        tenant="costs-hostile",
        kind=HOSTILE,
        state="succeeded",
        model=HOSTILE,
        prompt_version=HOSTILE,
    )
    model_call(sql_conn, job, model=HOSTILE, cost="0.5", latency_ms=50)
    await job_factory(tenant="costs-hostile", kind=HOSTILE, state="failed")
    await sign_in(console, key)
    page = await console.get("/console/costs")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert page.text.count("&lt;script&gt;alert(&#34;costs&#34;)&lt;/script&gt;") >= 5
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


async def test_costs__an_empty_tenant_gets_an_empty_page(console, make_key):
    await sign_in(console, await make_key())
    page = await console.get("/console/costs")
    assert page.status_code == 200
    for empty in (
        "No jobs and no model calls in the last 24 hours.",
        "No jobs and no model calls in the last 30 days.",
        "No monthly budget is set",
        "No open jobs",
        "No stuck jobs.",
        "No failed jobs in the last 30 days.",
        "No failing webhook destinations.",
        "No finished jobs with a recorded prompt version",
    ):
        assert empty in page.text
    assert "<table" not in page.text


async def test_costs__signed_out_browser_is_sent_to_sign_in(console):
    page = await console.get("/console/costs")
    assert page.status_code == 303
    assert page.headers["location"] == "/console/sign-in"
