"""Transient errors retry with backoff, showing queued with a reason and the next
attempt time; permanent errors fail at once; failed jobs are the dead-letter set."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.llm.errors import PermanentProviderError, TransientProviderError
from app.retries import Backoff
from tasks.execution import JobExecutor
from tests.support.jobs import events, job_row, job_service, principal_of
from tests.support.kinds import TEST_KINDS, sleep_then_echo
from tests.support.requests import auth, request_for, sleepy
from tests.support.steps import offline_steps
from tests.support.waiting import wait_for


def _kinds(handler, **changes):
    return {**TEST_KINDS, "sleepy": replace(TEST_KINDS["sleepy"], handler=handler, **changes)}


async def test_transient_error__job_waits_queued_with_reason_and_next_attempt_time(
    db, make_key, sql_conn
):
    async def handler(job_input, provider):
        raise TransientProviderError("rate_limited", status=429, retry_after=30)

    kinds = _kinds(handler)
    principal = await principal_of(db, await make_key())
    async with job_service(db, kinds) as service:
        job = (await service.submit(principal, request_for(0, label="secret text"), "t")).job
        first_entry = job_row(sql_conn, job.id)["queue_job_id"]
        before = datetime.now(UTC)
        executor = JobExecutor(
            db, kinds, offline_steps(db), "w", queue=service.queue, backoff=Backoff(1, 5)
        )
        assert await executor.execute(job.id) == "queued"

    row = job_row(sql_conn, job.id)
    assert row["state"] == "queued" and row["attempt"] == 1
    assert row["retry_at"] >= before + timedelta(
        seconds=30
    )  # Retry-After honoured over the 1 s backoff
    assert row["error"] == {
        "code": "rate_limited",
        "message": "The model provider failed in a way that may pass (rate limit, 5xx, "
        "timeout, lost connection): rate_limited (HTTP 429)",
    }
    assert row["queue_job_id"] != first_entry
    scheduled = sql_conn.execute(
        "SELECT status::text, scheduled_at FROM procrastinate_jobs WHERE id = %s",
        (row["queue_job_id"],),
    ).fetchone()
    assert scheduled == ("todo", row["retry_at"])
    seq, state, attempt, data, _ = events(sql_conn, job.id)[-1]
    assert (state, attempt, data["reason"], data["error"]["code"]) == (
        "queued",
        1,
        "transient error: rate_limited",
        "rate_limited",
    )
    assert datetime.fromisoformat(data["retry_at"]) == row["retry_at"]
    assert "secret" not in str(row["error"]) + str(data)


async def test_transient_error__retried_by_the_worker_until_it_succeeds(
    http, settings, make_key, sql_conn
):
    from tests.support.workers import running_worker

    failures = {"left": 2}

    async def flaky(job_input, provider):
        if failures["left"]:
            failures["left"] -= 1
            raise TransientProviderError("provider_timeout")
        return await sleep_then_echo(job_input, provider)

    key = await make_key()
    job = (
        await http.post("/v1/jobs", json=sleepy(0, label="x"), headers=auth(key, "flaky"))
    ).json()
    async with running_worker(settings, _kinds(flaky)):

        async def done():
            return job_row(sql_conn, job["id"])["state"] == "succeeded"

        await wait_for(done, what="the job to succeed after two retries")
    row = job_row(sql_conn, job["id"])
    assert (row["attempt"], row["error"], row["retry_at"]) == (3, None, None)
    assert [(s, a) for _, s, a, *_ in events(sql_conn, job["id"])] == [
        ("queued", 0),
        ("running", 1),
        ("queued", 1),
        ("running", 2),
        ("queued", 2),
        ("running", 3),
        ("succeeded", 3),
    ]


async def test_transient_error__fails_when_the_kinds_retry_budget_is_spent(db, make_key, sql_conn):
    async def handler(job_input, provider):
        raise TransientProviderError("provider_unavailable", status=503)

    kinds = _kinds(handler, max_attempts=2)
    principal = await principal_of(db, await make_key())
    async with job_service(db, kinds) as service:
        job = (await service.submit(principal, request_for(0), "budget")).job
        executor = JobExecutor(db, kinds, offline_steps(db), "w", queue=service.queue)
        assert await executor.execute(job.id) == "queued"
        assert await executor.execute(job.id) == "failed"

    row = job_row(sql_conn, job.id)
    assert row["state"] == "failed" and row["error"]["code"] == "retries_exhausted"
    assert row["error"]["message"].startswith("gave up after 2 attempts")


async def test_permanent_error__fails_at_once_with_its_code_and_is_a_dead_letter(
    http, db, make_key, sql_conn
):
    async def handler(job_input, provider):
        raise PermanentProviderError("invalid_request", status=400)

    kinds = _kinds(handler)
    key = await make_key()
    principal = await principal_of(db, key)
    async with job_service(db, kinds) as service:
        job = (await service.submit(principal, request_for(0, label="private words"), "perm")).job
        executor = JobExecutor(db, kinds, offline_steps(db), "w", queue=service.queue)
        assert await executor.execute(job.id) == "failed"

    row = job_row(sql_conn, job.id)
    assert row["attempt"] == 1 and row["error"]["code"] == "invalid_request"
    assert "private" not in row["error"]["message"]
    dead = sql_conn.execute(
        "SELECT job_id, kind, error_code, attempts FROM dead_letters"
    ).fetchall()
    assert dead == [(job.id, "sleepy", "invalid_request", 1)]
    listed = (await http.get("/v1/jobs", params={"state": "failed"}, headers=auth(key))).json()[
        "items"
    ]
    assert [j["id"] for j in listed] == [str(job.id)]


async def test_error_column__refuses_an_error_without_code_and_message(db, make_key, sql_conn):
    import psycopg
    import pytest

    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "shape")).job
    with pytest.raises(psycopg.errors.CheckViolation, match="jobs_error_shape"):
        sql_conn.execute("""UPDATE jobs SET error = '"oops"' WHERE id = %s""", (job.id,))
    with pytest.raises(psycopg.errors.CheckViolation, match="jobs_retry_at_only_queued"):
        sql_conn.execute(
            "UPDATE jobs SET state = 'cancelled', retry_at = now() WHERE id = %s", (job.id,)
        )
