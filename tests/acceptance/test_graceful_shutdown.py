"""SIGTERM: the worker stops taking jobs, lets running ones finish within the grace
period, and gives the rest back to the queue for another worker."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.support.jobs import events, in_state, job_row, job_service, principal_of, queue_status
from tests.support.requests import request_for
from tests.support.waiting import wait_for
from tests.support.workers import spawn_worker

pytestmark = pytest.mark.slow


async def test_sigterm__running_jobs_finish_within_grace_and_the_rest_go_back_to_the_queue(
    db, make_key, sql_conn, database_url, tmp_path
):
    principal = await principal_of(db, await make_key())
    worker = spawn_worker(
        database_url,
        "graceful",
        tmp_path / "worker.log",
        CONCURRENCY=2,
        SHUTDOWN_GRACE_SECONDS=4,
        POLL_SECONDS=0.2,
        MAINTENANCE_SECONDS=600,
    )
    try:
        async with job_service(db) as service:
            short = (await service.submit(principal, request_for(1500, label="short"), "short")).job
            long = (await service.submit(principal, request_for(120_000, label="long"), "long")).job

            async def both_running():
                return all(job_row(sql_conn, j.id)["state"] == "running" for j in (short, long))

            await wait_for(both_running, timeout=60, what="both jobs to start")
            worker.send_signal(signal.SIGTERM)
            late = (await service.submit(principal, request_for(0, label="late"), "late")).job
            exit_code = await asyncio.to_thread(worker.wait, 60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert exit_code == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert job_row(sql_conn, short.id)["state"] == "succeeded"
    released = job_row(sql_conn, long.id)
    assert released["state"] == "queued" and released["result"] is None
    assert queue_status(sql_conn, released["queue_job_id"]) == "todo"  # another worker will take it
    *_, (_, state, attempt, data, _) = events(sql_conn, long.id)
    assert (state, attempt, data.get("reason")) == (
        "queued",
        1,
        "execution interrupted (worker stopping)",
    )
    assert job_row(sql_conn, late.id)["state"] == "queued"  # submitted after SIGTERM: not taken


async def test_sigterm__a_drain_longer_than_the_stall_timeout_is_not_taken_over(
    db, make_key, sql_conn, database_url, tmp_path
):
    """The draining worker keeps beating until its last job is done: the other
    worker's rescuer sees a live worker, so the job runs once (one model bill)."""
    principal = await principal_of(db, await make_key())
    timing = {
        "HEARTBEAT_SECONDS": 0.2,
        "STALLED_AFTER_SECONDS": 2,
        "MAINTENANCE_SECONDS": 0.2,
        "POLL_SECONDS": 0.2,
    }
    draining = spawn_worker(
        database_url, "draining", tmp_path / "draining.log", SHUTDOWN_GRACE_SECONDS=60, **timing
    )
    other = None
    try:
        async with job_service(db) as service:
            # Runs five stall timeouts: without heartbeats, its worker looks dead long before.
            job = (await service.submit(principal, request_for(10_000, label="long"), "long")).job
            await wait_for(
                lambda: in_state(sql_conn, job.id, "running"), timeout=60, what="the job to start"
            )
            other = spawn_worker(database_url, "other", tmp_path / "other.log", **timing)

            async def two_workers_registered():
                return sql_conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0]

            await wait_for(
                lambda: _at_least(2, two_workers_registered), timeout=60, what="the other worker"
            )
            draining.send_signal(signal.SIGTERM)
            exit_code = await asyncio.to_thread(draining.wait, 60)
        assert other.poll() is None, (tmp_path / "other.log").read_text()[-3000:]
    finally:
        for process in (draining, other):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    assert exit_code == 0, (tmp_path / "draining.log").read_text()[-3000:]
    finished = job_row(sql_conn, job.id)
    assert (finished["state"], finished["attempt"]) == ("succeeded", 1)
    assert [(state, attempt, actor) for _, state, attempt, _, actor in events(sql_conn, job.id)][
        1:
    ] == [("running", 1, "worker:draining"), ("succeeded", 1, "worker:draining")]


async def _at_least(count, read):
    return await read() >= count
