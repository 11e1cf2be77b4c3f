"""Deadlines: the expiry sweeper ends queued and running jobs past expires_at."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tasks.execution import JobExecutor
from tasks.maintenance.expiry import ExpirySweeper
from tests.support.jobs import events, in_state, job_row, job_service, principal_of, queue_status
from tests.support.kinds import TEST_KINDS, stalling_kinds
from tests.support.requests import request_for
from tests.support.steps import offline_steps
from tests.support.waiting import wait_for

LATER = datetime.now(UTC) + timedelta(days=30)


async def test_sweeper__expires_a_queued_job_past_its_deadline_and_cancels_its_queue_entry(
    db, make_key, sql_conn
):
    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "q")).job
        sweeper = ExpirySweeper(db, service.queue, interval=1)
        assert await sweeper.run_pass(now=datetime.now(UTC)) == 0  # not yet due
        assert await sweeper.run_pass(now=LATER) == 1

    row = job_row(sql_conn, job.id)
    assert row["state"] == "expired" and row["finished_at"]
    assert queue_status(sql_conn, row["queue_job_id"]) == "cancelled"
    *_, (_, state, _, data, actor) = events(sql_conn, job.id)
    assert (state, data, actor) == ("expired", {"reason": "deadline passed"}, "courier:expiry")


async def test_sweeper__expires_a_running_job_and_a_later_completion_changes_nothing(
    db, make_key, sql_conn
):
    release = asyncio.Event()
    kinds = stalling_kinds(release)
    principal = await principal_of(db, await make_key())
    async with job_service(db, kinds) as service:
        job = (await service.submit(principal, request_for(0), "r")).job
        execution = asyncio.create_task(
            JobExecutor(db, kinds, offline_steps(db), "w").execute(job.id)
        )
        await wait_for(lambda: in_state(sql_conn, job.id, "running"), what="execution to start")
        assert await ExpirySweeper(db, service.queue, interval=1).run_pass(now=LATER) == 1
        release.set()
        assert await execution is None

    row = job_row(sql_conn, job.id)
    assert (row["state"], row["result"]) == ("expired", None)
    assert [s for _, s, *_ in events(sql_conn, job.id)] == ["queued", "running", "expired"]


async def test_sweeper__aborts_the_running_execution_of_an_expired_job(
    http, worker, make_key, sql_conn
):
    from tests.support.requests import auth, sleepy

    key = await make_key()
    job = (
        await http.post("/v1/jobs", json=sleepy(120_000, expires_in=2), headers=auth(key, "e"))
    ).json()

    async def aborted():
        row = job_row(sql_conn, job["id"])
        return (
            row["state"] == "expired" and queue_status(sql_conn, row["queue_job_id"]) == "aborted"
        )

    await wait_for(aborted, what="the sweeper to expire the job and the worker to abort it")
    assert [s for _, s, *_ in events(sql_conn, job["id"])] == ["queued", "running", "expired"]


async def test_sweeper__a_pass_does_nothing_while_another_holds_the_duty(
    db, make_key, sql_conn, database_url
):
    import psycopg

    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "l")).job
        with psycopg.connect(database_url) as other:  # another process's pass, mid-way
            assert other.execute(
                "SELECT pg_try_advisory_xact_lock(hashtext('courier.expiry'))"
            ).fetchone()[0]
            assert await ExpirySweeper(db, service.queue, interval=1).run_pass(now=LATER) == 0
            assert job_row(sql_conn, job.id)["state"] == "queued"
        assert await ExpirySweeper(db, service.queue, interval=1).run_pass(now=LATER) == 1


async def test_lease__a_job_past_its_deadline_is_not_started(db, make_key, sql_conn):
    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "d")).job
    sql_conn.execute(
        "UPDATE jobs SET expires_at = created_at + interval '1 millisecond' WHERE id = %s",
        (job.id,),
    )
    assert await JobExecutor(db, TEST_KINDS, offline_steps(db), "w").execute(job.id) is None
    assert job_row(sql_conn, job.id)["state"] == "queued"  # the sweeper's to end
