"""Retention: inputs and results purged after the tenant's retention; audit rows stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.llm.ledger import TokenUsage
from tests.support.ledger import planned_call, random_key

SECRET_INPUT = {"question": "secret"}


async def _finished_job(job_factory, tenant: str, state: str = "succeeded") -> str:
    """The id of a job of ``tenant`` that ran once and ended in ``state``."""
    if state == "succeeded":
        job = await job_factory(
            tenant=tenant,
            input=SECRET_INPUT,
            state=state,
            result={"body": "secret"},
            model="m",
            input_tokens=5,
            cost_usd=Decimal("0.01"),
        )
    else:
        job = await job_factory(
            tenant=tenant, input=SECRET_INPUT, state=state, error={"code": "x", "message": "y"}
        )
    return str(job["id"])


def _row(sql_conn, job_id: str) -> dict:
    cols = (
        "input",
        "result",
        "purged_at",
        "state",
        "model",
        "input_tokens",
        "cost_usd",
        "version",
        "last_event_seq",
    )
    return dict(
        zip(
            cols,
            sql_conn.execute(
                f"SELECT {', '.join(cols)} FROM jobs WHERE id = %s", (job_id,)
            ).fetchone(),
            strict=True,
        )
    )


async def test_purge__clears_input_and_result_after_retention_and_keeps_the_audit_row(
    pruner, sql_conn, job_factory
):
    jobs = [await _finished_job(job_factory, "default-retention") for _ in range(5)]  # > a batch
    failed = await _finished_job(job_factory, "default-retention", state="failed")
    before = {job: _row(sql_conn, job) for job in jobs}

    assert (await pruner.run_once(now=datetime.now(UTC) + timedelta(days=29))).purged_jobs == 0
    report = await pruner.run_once(now=datetime.now(UTC) + timedelta(days=31))
    assert report.purged_jobs == 6

    for job in jobs:
        row = _row(sql_conn, job)
        assert row["input"] is None and row["result"] is None and row["purged_at"] is not None
        assert (row["state"], row["model"], row["input_tokens"], row["cost_usd"]) == (
            "succeeded",
            "m",
            5,
            before[job]["cost_usd"],
        )
        assert row["last_event_seq"] == before[job]["last_event_seq"]  # no event, history unchanged
        assert row["version"] == before[job]["version"] + 1  # the ETag changes: the result is gone
    assert _row(sql_conn, failed)["input"] is None
    history = sql_conn.execute(
        "SELECT state, purged_at IS NOT NULL FROM job_history WHERE job_id = %s", (jobs[0],)
    ).fetchone()
    assert history == ("succeeded", True)
    assert (await pruner.run_once(now=datetime.now(UTC) + timedelta(days=400))).purged_jobs == 0


async def test_purge__follows_each_tenants_own_retention(pruner, sql_conn, job_factory):
    short = await _finished_job(job_factory, "short-retention")
    default = await _finished_job(job_factory, "default-retention")
    sql_conn.execute("UPDATE tenants SET retention_days = 1 WHERE slug = 'short-retention'")
    await pruner.run_once(now=datetime.now(UTC) + timedelta(days=2))
    assert _row(sql_conn, short)["purged_at"] is not None
    assert _row(sql_conn, default)["input"] == {"question": "secret"}


async def test_purge__never_touches_open_jobs(pruner, sql_conn, job_factory):
    await _finished_job(job_factory, "open")
    open_job = str((await job_factory(tenant="open", input=SECRET_INPUT))["id"])
    await pruner.run_once(now=datetime.now(UTC) + timedelta(days=3650))
    assert _row(sql_conn, open_job)["input"] == {"question": "secret"}


async def test_queue_entries__old_finished_ones_are_deleted(pruner, sql_conn, db):
    queue_app = pruner.queue_app

    @queue_app.task(name="retention_probe")
    async def probe() -> None:  # pragma: no cover - never runs
        pass

    ids = [await probe.defer_async() for _ in range(2)]
    sql_conn.execute("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = %s", (ids[0],))
    sql_conn.execute(
        "UPDATE procrastinate_events SET at = now() - interval '2 hours' WHERE job_id = %s",
        (ids[0],),
    )
    await pruner.run_once()
    remaining = {r[0] for r in sql_conn.execute("SELECT id FROM procrastinate_jobs").fetchall()}
    assert remaining == {ids[1]}  # the old failed entry went; the waiting one stays


async def test_purged_job__says_so_over_the_api(pruner, http, make_key, sql_conn):
    from tests.support.requests import auth, email_reply_request

    key = await make_key(tenant="purgeable")
    job = (await http.post("/v1/jobs", json=email_reply_request(), headers=auth(key, "p"))).json()
    sql_conn.execute("UPDATE jobs SET state = 'cancelled' WHERE id = %s", (job["id"],))
    assert (await pruner.run_once(now=datetime.now(UTC) + timedelta(days=31))).purged_jobs == 1
    read = (await http.get(f"/v1/jobs/{job['id']}", headers=auth(key))).json()
    assert read["state"] == "cancelled" and read["result"] is None and read["purged_at"] is not None


async def test_purge__drops_the_model_answers_of_purged_jobs_and_expired_cache_entries(
    pruner, sql_conn, job_factory, call_ledger
):
    old = await job_factory(tenant="answers", state="running")
    kept = await job_factory(tenant="answers", state="running")
    for job in (old, kept):
        reservation = await call_ledger.reserve(planned_call(job, cache_key=random_key()))
        await call_ledger.settle(
            reservation, usage=TokenUsage(10, 0, 10, 0), latency_ms=1, outcome="ok", answer={"a": 1}
        )
    sql_conn.execute(
        """UPDATE jobs SET state = 'succeeded', result = '{"body": "x"}' WHERE id = %s""",
        (old["id"],),
    )

    await pruner.run_once(now=datetime.now(UTC) + timedelta(days=31))

    checkpoints = sql_conn.execute("SELECT job_id FROM llm_checkpoints").fetchall()
    assert checkpoints == [(kept["id"],)]  # the open job may still need its answer
    assert sql_conn.execute("SELECT count(*) FROM llm_cache").fetchone() == (0,)  # TTL 1 h
    assert sql_conn.execute("SELECT count(*) FROM llm_calls").fetchone() == (2,)  # audit stays
