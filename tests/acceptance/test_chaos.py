"""Chaos: two worker processes, one SIGKILLed every second for ten seconds and
restarted, 300 jobs of 50-500 ms. Every job ends, none is lost, each result is
written once, every history is gapless with one terminal event."""

from __future__ import annotations

import asyncio
import random
import signal
import time

import pytest

from tests.support.jobs import job_service, principal_of
from tests.support.requests import request_for
from tests.support.waiting import wait_for
from tests.support.workers import spawn_worker

pytestmark = pytest.mark.slow

JOBS = 300
KILLS = 10
WORKER = dict(
    CONCURRENCY=4,
    POLL_SECONDS=0.2,
    HEARTBEAT_SECONDS=0.5,
    STALLED_AFTER_SECONDS=2,
    MAINTENANCE_SECONDS=0.5,
    ORPHAN_GRACE_SECONDS=15,
    ABORT_POLL_SECONDS=0.5,
)


async def test_chaos__workers_killed_every_second_lose_and_duplicate_nothing(
    db, make_key, sql_conn, database_url, tmp_path
):
    rng = random.Random(3)
    principal = await principal_of(db, await make_key())
    log = tmp_path / "workers.log"
    workers = [spawn_worker(database_url, f"chaos-{i}", log, **WORKER) for i in range(2)]
    started = time.monotonic()
    try:
        async with job_service(db) as service:
            acknowledged = [
                (
                    await service.submit(
                        principal, request_for(rng.randint(50, 500), label=f"job-{i}"), f"chaos-{i}"
                    )
                ).job.id
                for i in range(JOBS)
            ]

        async def both_workers_run_jobs() -> bool:
            return (
                sql_conn.execute(
                    "SELECT count(DISTINCT worker_id) FROM procrastinate_jobs "
                    "WHERE status = 'doing'"
                ).fetchone()[0]
                >= 2
            )

        # The kills must hit running jobs: a worker still starting when it is killed
        # (slow on a loaded machine) runs nothing to take over.
        await wait_for(both_workers_run_jobs, timeout=120, what="both workers to run jobs")
        for kill in range(KILLS):
            await asyncio.sleep(1)  # the chaos schedule, not a wait for state
            victim = kill % 2
            workers[victim].send_signal(signal.SIGKILL)
            await asyncio.to_thread(workers[victim].wait, 30)
            workers[victim] = spawn_worker(database_url, f"chaos-{victim}-{kill}", log, **WORKER)

        async def all_finished():
            open_jobs = sql_conn.execute(
                "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')"
            ).fetchone()[0]
            return open_jobs == 0

        await wait_for(all_finished, timeout=240, interval=0.5, what="every job to finish")
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()

    rows = sql_conn.execute(
        """SELECT j.id, j.state::text, j.attempt, j.result->>'label', j.input->>'label',
                  j.last_event_seq,
                  array_agg(e.seq ORDER BY e.seq),
                  count(*) FILTER (
                      WHERE e.state IN ('succeeded', 'failed', 'cancelled', 'expired')
                  ),
                  count(*) FILTER (
                      WHERE e.data ? 'reason' AND e.data->>'reason' LIKE 'lease of attempt%%'
                  )
           FROM jobs j JOIN job_events e ON e.job_id = j.id
           WHERE j.id = ANY(%s::uuid[]) GROUP BY j.id""",
        (acknowledged,),
    ).fetchall()
    lost = JOBS - len(rows) + sum(1 for r in rows if r[1] != "succeeded")
    duplicates = sum(1 for r in rows if r[7] != 1)
    wrong_result = sum(1 for r in rows if r[3] != r[4])
    gaps = sum(1 for r in rows if r[6] != list(range(1, r[5] + 1)))
    takeovers = sum(r[8] for r in rows)
    print(
        f"\nchaos: jobs={JOBS} kills={KILLS} lost={lost} duplicates={duplicates} "
        f"wrong_results={wrong_result} gaps={gaps} takeovers={takeovers} "
        f"jobs_run_more_than_once={sum(1 for r in rows if r[2] > 1)} "
        f"elapsed={elapsed:.1f}s"
    )
    assert (lost, duplicates, wrong_result, gaps) == (0, 0, 0, 0), log.read_text()[-5000:]
    assert takeovers > 0  # the kills did hit running jobs
