"""DBA views: what an auditor reads with psql, and what the auditor role may not read."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.support.jobs import JobFactory
from tests.support.requests import auth, email_reply_request
from tests.support.waiting import wait_for


def _rows(conn: psycopg.Connection, query: str, *params) -> list[dict]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute(query, params).fetchall()


async def _job(job_factory: JobFactory, tenant: str = "views", **changes: Any) -> str:
    """A job's id; without a queue entry (as after a lost defer), queued unless told."""
    return str((await job_factory(tenant=tenant, **changes))["id"])


async def _failed_job(job_factory: JobFactory) -> str:
    """A job whose one execution failed."""
    return await _job(
        job_factory, state="failed", error={"code": "handler_error", "message": "boom"}
    )


async def test_job_history__shows_who_what_timeline_model_and_cost_of_a_finished_job(
    http, make_key, worker, sql_conn
):
    key = await make_key(tenant="acme", user="alice")
    job = (await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k1"))).json()
    await wait_for(lambda: _state_is(http, key, job["id"], "succeeded"), what="job succeeded")

    [row] = _rows(sql_conn, "SELECT * FROM job_history WHERE job_id = %s", job["id"])
    assert (row["tenant"], row["requester"], row["kind"], row["state"], row["attempts"]) == (
        "acme",
        "alice",
        "email_reply",
        "succeeded",
        1,
    )
    assert [e["state"] for e in row["timeline"]] == ["queued", "running", "succeeded"]
    assert (
        row["queued_at"] <= row["first_started_at"] == row["last_started_at"] <= row["finished_at"]
    )
    assert row["model"] and row["prompt_version"]
    assert row["reviewer"] is None and row["purged_at"] is None
    assert "input" not in row and "result" not in row

    [cost] = _rows(sql_conn, "SELECT * FROM job_cost_daily WHERE tenant = 'acme'")
    assert (cost["kind"], cost["jobs"], cost["succeeded"]) == ("email_reply", 1, 1)
    assert cost["model"] == row["model"]

    [latency] = _rows(sql_conn, "SELECT * FROM job_latency WHERE kind = 'email_reply'")
    assert latency["jobs"] == 1
    assert 0 <= latency["queue_wait_p50_ms"] <= latency["end_to_end_p99_ms"]
    assert latency["run_p95_ms"] >= 0


async def test_job_history__first_and_last_start_come_from_the_same_clock(sql_conn, job_factory):
    once = await _failed_job(job_factory)
    twice = await _job(job_factory, state="running")
    never = await _job(job_factory)
    sql_conn.execute(
        "UPDATE jobs SET lease = gen_random_uuid(), attempt = 2 WHERE id = %s", (twice,)
    )  # a takeover
    rows = {
        str(r["job_id"]): r
        for r in _rows(
            sql_conn,
            "SELECT job_id, attempts, queued_at, first_started_at, last_started_at, finished_at "
            "FROM job_history WHERE job_id = ANY(%s::uuid[])",
            [once, twice, never],
        )
    }

    o = rows[once]
    assert o["attempts"] == 1
    assert o["queued_at"] <= o["first_started_at"] == o["last_started_at"] <= o["finished_at"]
    t = rows[twice]
    assert t["attempts"] == 2 and t["first_started_at"] < t["last_started_at"]
    n = rows[never]
    assert (n["attempts"], n["first_started_at"], n["last_started_at"]) == (0, None, None)


async def test_job_latency__percentiles_are_milliseconds_with_at_most_one_decimal(
    sql_conn, job_factory
):
    for _ in range(3):
        await _failed_job(job_factory)
    [latency] = _rows(sql_conn, "SELECT * FROM job_latency WHERE kind = 'email_reply'")
    assert latency["jobs"] == 3
    percentiles = {name: value for name, value in latency.items() if name.endswith("_ms")}
    assert len(percentiles) == 9
    for name, value in percentiles.items():
        assert isinstance(value, Decimal) and value.as_tuple().exponent >= -1, (name, value)
        assert 0 <= value < 60_000, (name, value)  # ms, not seconds or microseconds


async def _state_is(http, key: str, job_id: str, state: str) -> bool:
    return (await http.get(f"/v1/jobs/{job_id}", headers=auth(key))).json()["state"] == state


async def test_dead_letters__list_failed_jobs_with_their_error_code(sql_conn, job_factory):
    failed, open_job = await _failed_job(job_factory), await _job(job_factory)
    rows = _rows(sql_conn, "SELECT * FROM dead_letters")
    assert [(r["job_id"], r["error_code"], r["error_message"], r["attempts"]) for r in rows] == [
        (uuid.UUID(failed), "handler_error", "boom", 1)
    ]
    assert open_job not in {str(r["job_id"]) for r in rows}


async def test_stuck_jobs__name_queued_jobs_without_a_queue_entry_and_old_running_ones(
    sql_conn, job_factory
):
    lost = await _job(job_factory)
    running = await _job(job_factory, state="running")
    await _failed_job(job_factory)  # finished: not stuck
    reasons = {str(r["job_id"]): r["reason"] for r in _rows(sql_conn, "SELECT * FROM stuck_jobs")}
    assert reasons == {
        lost: "queued without a queue entry",
        running: "running but no worker holds its queue entry",
    }


def _undocumented_view_columns(
    conn: psycopg.Connection, schema: str | None = None
) -> list[tuple[str, str]]:
    """(view, column) of every view column in the schema without a COMMENT ON COLUMN."""
    return conn.execute(
        "SELECT c.relname::text, a.attname::text FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE c.relkind = 'v' AND n.nspname = coalesce(%s, current_schema()) "
        "AND coalesce(col_description(c.oid, a.attnum), '') = '' ORDER BY 1, a.attnum",
        (schema,),
    ).fetchall()


def test_every_view_and_view_column__is_documented(sql_conn):
    views = {
        r[0]
        for r in sql_conn.execute(
            "SELECT viewname FROM pg_views WHERE schemaname = current_schema()"
        ).fetchall()
    }
    assert {
        "job_timeline",
        "job_history",
        "job_cost_daily",
        "job_latency",
        "stuck_jobs",
        "dead_letters",
        "webhook_deliveries",
        "webhook_delivery_health",
    } <= views
    undocumented = sql_conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'v' AND n.nspname = current_schema() "
        "AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''"
    ).fetchall()
    assert undocumented == []
    assert _undocumented_view_columns(sql_conn) == []


def test_undocumented_view_columns__are_found(sql_conn):
    """The check above is not vacuous: a new view column without a comment fails it."""
    sql_conn.execute("CREATE VIEW undocumented_probe AS SELECT 1 AS documented, 2 AS bare")
    sql_conn.execute("COMMENT ON VIEW undocumented_probe IS 'probe'")
    sql_conn.execute("COMMENT ON COLUMN undocumented_probe.documented IS 'has one'")
    assert _undocumented_view_columns(sql_conn) == [("undocumented_probe", "bare")]


def _attempt(
    conn: psycopg.Connection,
    outbox_id: int,
    attempt: int,
    minutes_ago: int,
    latency_ms: int,
    status_code: int | None,
    outcome: str,
    error: str | None,
) -> None:
    conn.execute(
        "INSERT INTO outbox_attempts "
        "(outbox_id, attempt, tenant_id, started_at, latency_ms, status_code, outcome, error) "
        "SELECT id, %s, tenant_id, now() - make_interval(mins => %s), %s, %s, %s, %s "
        "FROM outbox WHERE id = %s",
        (attempt, minutes_ago, latency_ms, status_code, outcome, error, outbox_id),
    )


def _settle(conn: psycopg.Connection, outbox_id: int, status: str) -> None:
    conn.execute(
        "UPDATE outbox SET status = %s::outbox_status, "
        "attempts = (SELECT count(*) FROM outbox_attempts WHERE outbox_id = %s), "
        "delivered_at = CASE WHEN %s = 'delivered' THEN now() END WHERE id = %s",
        (status, outbox_id, status, outbox_id),
    )


async def test_webhook_delivery_health__sums_up_each_destination_over_the_window(
    sql_conn, job_factory
):
    job = await _job(job_factory, tenant="hooks")
    tenant_id = sql_conn.execute("SELECT tenant_id FROM jobs WHERE id = %s", (job,)).fetchone()[0]
    busy, idle = (
        sql_conn.execute(
            "INSERT INTO webhook_endpoints (tenant_id, url, event_types) VALUES (%s, %s, %s) "
            "RETURNING id",
            (tenant_id, url, types),
        ).fetchone()[0]
        for url, types in [
            ("https://user:pw@hooks.example.com/in?token=secret", None),
            ("https://idle.example.com/", ["job.failed"]),
        ]
    )
    sql_conn.execute(
        "UPDATE jobs SET callback_url = 'https://cb.example.com/x' WHERE id = %s", (job,)
    )
    sql_conn.execute(
        "UPDATE jobs SET state = 'running', lease = gen_random_uuid(), attempt = 1 WHERE id = %s",
        (job,),
    )
    # The job_events trigger queued seq 2 (running) for the callback_url and the busy endpoint.
    rows = {
        (r[1], r[2]): r[0]
        for r in sql_conn.execute(
            "SELECT id, endpoint_id, seq FROM outbox WHERE job_id = %s", (job,)
        ).fetchall()
    }
    assert set(rows) == {(None, 2), (busy, 2)}
    old = sql_conn.execute(  # a test send two days ago: outside the window
        "INSERT INTO outbox (tenant_id, event_id, event_type, endpoint_id, created_at) "
        "VALUES (%s, 'evt_test_old', 'webhook.test', %s, now() - interval '2 days') RETURNING id",
        (tenant_id, busy),
    ).fetchone()[0]
    _attempt(sql_conn, old, 1, 2 * 24 * 60, 5, 204, "delivered", None)
    _settle(sql_conn, old, "delivered")
    first = sql_conn.execute(
        "INSERT INTO outbox (tenant_id, event_id, event_type, endpoint_id) "
        "VALUES (%s, 'evt_test_new', 'webhook.test', %s) RETURNING id",
        (tenant_id, busy),
    ).fetchone()[0]
    _attempt(sql_conn, first, 1, 10, 100, 500, "retry", "HTTP 500")
    _attempt(sql_conn, first, 2, 9, 20, 204, "delivered", None)
    _settle(sql_conn, first, "delivered")
    _attempt(
        sql_conn, rows[(busy, 2)], 1, 5, 10_000, None, "retry", "no answer within 10 s"
    )  # still pending
    _attempt(sql_conn, rows[(None, 2)], 1, 4, 30, 404, "failed", "HTTP 404")
    _settle(sql_conn, rows[(None, 2)], "failed")

    health = {
        r["endpoint_id"]: r
        for r in _rows(sql_conn, "SELECT * FROM webhook_delivery_health WHERE tenant = 'hooks'")
    }

    assert set(health) == {busy, idle, None}
    b = health[busy]
    assert (b["destination"], b["url"]) == (
        "endpoint",
        "https://hooks.example.com/in",
    )  # no credentials
    assert (b["deliveries"], b["pending"], b["delivered"], b["failed"], b["attempts"]) == (
        2,
        1,
        1,
        0,
        3,
    )
    assert float(b["success_rate"]) == pytest.approx(1 / 3, abs=1e-4)
    assert (b["latency_p50_ms"], b["latency_p95_ms"]) == (100, pytest.approx(9010))
    assert b["last_error"] == "no answer within 10 s" and b["last_error_at"] > b["last_success_at"]
    assert b["oldest_pending_at"] is not None
    c = health[None]
    assert (c["destination"], c["url"]) == ("callback_url", None)
    assert (
        c["deliveries"],
        c["pending"],
        c["failed"],
        c["attempts"],
        float(c["success_rate"]),
    ) == (1, 0, 1, 1, 0.0)
    assert (c["last_error"], c["last_success_at"]) == ("HTTP 404", None)
    i = health[idle]
    assert (i["deliveries"], i["attempts"], i["success_rate"], i["latency_p50_ms"]) == (
        0,
        0,
        None,
        None,
    )

    sql_conn.execute("SET courier.webhook_health_window = '7 minutes'")
    [narrow] = _rows(sql_conn, "SELECT * FROM webhook_delivery_health WHERE endpoint_id = %s", busy)
    assert (narrow["attempts"], float(narrow["success_rate"]), narrow["last_success_at"]) == (
        1,
        0.0,
        None,
    )


@pytest.mark.parametrize(
    "view",
    [
        "job_timeline",
        "job_history",
        "job_cost_daily",
        "job_latency",
        "stuck_jobs",
        "dead_letters",
        "webhook_deliveries",
        "webhook_delivery_health",
        "llm_cost_monthly",
        "llm_cost_per_1000_jobs",
    ],
)
def test_auditor__reads_every_view(sql_conn, auditor, view):
    assert auditor.execute(f"SELECT count(*) FROM {view}").fetchone()[0] >= 0


@pytest.mark.parametrize(
    "query",
    [
        "SELECT key_hash FROM api_keys",
        "SELECT input FROM jobs",
        "SELECT result FROM jobs",
        "SELECT * FROM job_events",
        "SELECT secret FROM webhook_endpoints",
        "SELECT * FROM outbox",
        "SELECT * FROM outbox_attempts",
        "SELECT * FROM procrastinate_jobs",
        "SELECT * FROM llm_calls",
        "SELECT answer FROM llm_cache",
        "SELECT answer FROM llm_checkpoints",
        "SELECT key FROM installation_keys",  # the prompt hashes' HMAC key
        "UPDATE tenants SET slug = slug",
        "SELECT * FROM courier_rate_limit_take_v1(gen_random_uuid(), 1, 1, now())",
    ],
)
def test_auditor__cannot_read_tables_or_write(sql_conn, auditor, query):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        auditor.execute(query)
