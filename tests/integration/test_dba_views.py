"""DBA views: what an auditor reads with psql, and what the auditor role may not read."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.conftest import auth, email_reply_request
from tests.waiting import wait_for


def _rows(conn: psycopg.Connection, query: str, *params) -> list[dict]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute(query, params).fetchall()


def _queued_job(conn: psycopg.Connection, tenant: str = "views") -> str:
    """A job inserted in SQL, without a queue entry (as after a lost defer)."""
    tenant_id = conn.execute(
        "INSERT INTO tenants (slug) VALUES (%s) ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id",
        (tenant,)).fetchone()[0]
    principal_id = conn.execute(
        "INSERT INTO principals (tenant_id, external_id) VALUES (%s, %s) RETURNING id",
        (tenant_id, f"user-{uuid.uuid4().hex[:6]}")).fetchone()[0]
    return conn.execute(
        "INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key, request_hash, expires_at) "
        "VALUES (%s, %s, 'email_reply', '{}', %s, 'h', now() + interval '1 hour') RETURNING id::text",
        (tenant_id, principal_id, uuid.uuid4().hex)).fetchone()[0]


def _fail(conn: psycopg.Connection, job_id: str) -> None:
    conn.execute("UPDATE jobs SET state = 'running', lease = gen_random_uuid(), attempt = attempt + 1 WHERE id = %s",
                 (job_id,))
    conn.execute("""UPDATE jobs SET state = 'failed', error = '{"code": "handler_error", "message": "boom"}'
                    WHERE id = %s""", (job_id,))


async def test_job_history__shows_who_what_timeline_model_and_cost_of_a_finished_job(http, make_key, worker, sql_conn):
    key = await make_key(tenant="acme", user="alice")
    job = (await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "k1"))).json()
    await wait_for(lambda: _state_is(http, key, job["id"], "succeeded"), what="job succeeded")

    [row] = _rows(sql_conn, "SELECT * FROM job_history WHERE job_id = %s", job["id"])
    assert (row["tenant"], row["requester"], row["kind"], row["state"], row["attempts"]) == \
        ("acme", "alice", "email_reply", "succeeded", 1)
    assert [e["state"] for e in row["timeline"]] == ["queued", "running", "succeeded"]
    assert row["queued_at"] <= row["first_started_at"] <= row["finished_at"]
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


async def _state_is(http, key: str, job_id: str, state: str) -> bool:
    return (await http.get(f"/v1/jobs/{job_id}", headers=auth(key))).json()["state"] == state


def test_dead_letters__list_failed_jobs_with_their_error_code(sql_conn):
    failed, open_job = _queued_job(sql_conn), _queued_job(sql_conn)
    _fail(sql_conn, failed)
    rows = _rows(sql_conn, "SELECT * FROM dead_letters")
    assert [(r["job_id"], r["error_code"], r["error_message"], r["attempts"]) for r in rows] == \
        [(uuid.UUID(failed), "handler_error", "boom", 1)]
    assert open_job not in {str(r["job_id"]) for r in rows}


def test_stuck_jobs__name_queued_jobs_without_a_queue_entry_and_old_running_ones(sql_conn):
    lost = _queued_job(sql_conn)
    running = _queued_job(sql_conn)
    sql_conn.execute("UPDATE jobs SET state = 'running', lease = gen_random_uuid(), attempt = 1 WHERE id = %s",
                     (running,))
    finished = _queued_job(sql_conn)
    _fail(sql_conn, finished)
    reasons = {str(r["job_id"]): r["reason"] for r in _rows(sql_conn, "SELECT * FROM stuck_jobs")}
    assert reasons == {
        lost: "queued without a queue entry",
        running: "running but no worker holds its queue entry",
    }


def test_every_view_and_view_column__is_documented(sql_conn):
    undocumented = sql_conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'v' AND n.nspname = current_schema() "
        "AND obj_description(c.oid, 'pg_class') IS NULL").fetchall()
    assert undocumented == []
    views = {r[0] for r in sql_conn.execute(
        "SELECT viewname FROM pg_views WHERE schemaname = current_schema()").fetchall()}
    assert {"job_history", "job_cost_daily", "job_latency", "stuck_jobs", "dead_letters"} <= views


@pytest.fixture
def auditor(sql_conn: psycopg.Connection) -> psycopg.Connection:
    """The DBA's connection, switched to the read-only auditor role."""
    sql_conn.execute("SET ROLE courier_auditor")
    return sql_conn


@pytest.mark.parametrize("view", ["job_timeline", "job_history", "job_cost_daily", "job_latency",
                                  "stuck_jobs", "dead_letters"])
def test_auditor__reads_every_view(sql_conn, auditor, view):
    assert auditor.execute(f"SELECT count(*) FROM {view}").fetchone()[0] >= 0


@pytest.mark.parametrize("query", [
    "SELECT key_hash FROM api_keys",
    "SELECT input FROM jobs",
    "SELECT result FROM jobs",
    "SELECT * FROM job_events",
    "SELECT * FROM procrastinate_jobs",
    "UPDATE tenants SET slug = slug",
    "SELECT * FROM courier_rate_limit_take_v1(gen_random_uuid(), 1, 1, now())",
])
def test_auditor__cannot_read_tables_or_write(sql_conn, auditor, query):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        auditor.execute(query)
