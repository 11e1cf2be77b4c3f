"""The stalled-job rescuer: jobs of dead workers, and open jobs with no live queue
entry, are given back to the queue."""

from __future__ import annotations

import contextlib

from procrastinate.jobs import Status

from tasks.execution import JobExecutor
from tasks.maintenance.rescuer import StalledJobRescuer
from tests.support.jobs import events, job_row, job_service, principal_of, queue_status
from tests.support.kinds import TEST_KINDS
from tests.support.requests import request_for
from tests.support.steps import offline_steps


async def test_rescuer__requeues_the_job_of_a_worker_whose_heartbeat_expired(
    db, make_key, sql_conn
):
    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "stalled")).job
        taken = await _taken_by_a_worker(db, service, job.id)
        # restart_grace=0: this test's PostgreSQL may have started less than 30 s ago.
        rescuer = StalledJobRescuer(
            db, service.queue, interval=1, stalled_after=30, orphan_grace=600, restart_grace=0
        )
        assert await rescuer.run_pass() == 0  # its heartbeat is still fresh
        sql_conn.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'"
        )

        assert await rescuer.run_pass() == 1

        entry = job_row(sql_conn, job.id)["queue_job_id"]
        assert entry != taken.id and queue_status(sql_conn, entry) == "todo"
        assert queue_status(sql_conn, taken.id) == "failed"
        executor = JobExecutor(db, TEST_KINDS, offline_steps(db), "w2", queue=service.queue)
        assert await executor.execute(job.id, queue_job_id=entry) == "succeeded"

    assert [(s, a, d.get("reason")) for _, s, a, d, _ in events(sql_conn, job.id)] == [
        ("queued", 0, None),
        ("running", 1, None),
        ("running", 2, "lease of attempt 1 taken over"),
        ("succeeded", 2, None),
    ]


async def test_rescuer__a_takeover_leaves_the_stalled_execution_nothing_to_touch(
    db, make_key, sql_conn
):
    """The stalled execution wakes up after the takeover: its old queue entry can
    neither start a second execution nor end the new owner's entry."""
    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "zombie")).job
        taken = await _taken_by_a_worker(db, service, job.id)
        sql_conn.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'"
        )
        rescuer = StalledJobRescuer(
            db, service.queue, interval=1, stalled_after=30, orphan_grace=600, restart_grace=0
        )
        assert await rescuer.run_pass() == 1
        new_owner = await service.queue.app.job_manager.fetch_job(
            queues=None, worker_id=await service.queue.app.job_manager.register_worker()
        )
        assert new_owner.id == job_row(sql_conn, job.id)["queue_job_id"] != taken.id

        # The zombie's worker loop runs its old entry again, then aborts it.
        executor = JobExecutor(db, TEST_KINDS, offline_steps(db), "zombie", queue=service.queue)
        assert await executor.execute(job.id, queue_job_id=taken.id) is None
        with contextlib.suppress(Exception):  # procrastinate: not in "doing" any more
            await service.queue.app.job_manager.finish_job(
                taken, status=Status.ABORTED, delete_job=False
            )

        assert queue_status(sql_conn, new_owner.id) == "doing"
        assert job_row(sql_conn, job.id)["attempt"] == 1  # no second execution started
        owner = JobExecutor(db, TEST_KINDS, offline_steps(db), "w2", queue=service.queue)
        assert await owner.execute(job.id, queue_job_id=new_owner.id) == "succeeded"


async def test_rescuer__closes_a_stale_entry_without_running_its_job_again(db, make_key, sql_conn):
    """An entry whose job has moved on (here: finished) is closed, not re-queued."""
    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "stale")).job
        manager = service.queue.app.job_manager
        taken = await manager.fetch_job(queues=None, worker_id=await manager.register_worker())
        executor = JobExecutor(db, TEST_KINDS, offline_steps(db), "w", queue=service.queue)
        assert await executor.execute(job.id, queue_job_id=taken.id) == "succeeded"
        # ...but its worker died before procrastinate heard of the end.
        sql_conn.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'"
        )
        rescuer = StalledJobRescuer(
            db, service.queue, interval=1, stalled_after=30, orphan_grace=600, restart_grace=0
        )
        assert await rescuer.run_pass() == 0

    assert queue_status(sql_conn, taken.id) == "failed"
    assert job_row(sql_conn, job.id)["queue_job_id"] == taken.id
    assert job_row(sql_conn, job.id)["state"] == "succeeded"


async def test_rescuer__trusts_no_heartbeat_right_after_a_postgres_restart(db, make_key, sql_conn):
    """After a restart every heartbeat is stale because no worker could beat: the
    jobs are still running, and re-queueing them would run them twice."""
    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "restart")).job
        taken = await _taken_by_a_worker(db, service, job.id)
        sql_conn.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'"
        )
        # As if PostgreSQL had started moments ago: any uptime is shorter than this grace.
        rescuer = StalledJobRescuer(
            db, service.queue, interval=1, stalled_after=30, orphan_grace=600, restart_grace=10**9
        )
        assert await rescuer.run_pass() == 0
        assert queue_status(sql_conn, taken.id) == "doing"


async def test_rescuer__gives_an_orphaned_open_job_a_new_queue_entry(db, make_key, sql_conn):
    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "orphan")).job
        lost_entry = job_row(sql_conn, job.id)["queue_job_id"]
        # Its execution ended in procrastinate's eyes, but its end never reached our table.
        sql_conn.execute(
            "UPDATE procrastinate_jobs SET status = 'failed' WHERE id = %s", (lost_entry,)
        )
        rescuer = StalledJobRescuer(
            db, service.queue, interval=1, stalled_after=30, orphan_grace=600
        )
        assert await rescuer.run_pass() == 0  # within the grace period
        rescuer.orphan_grace = rescuer.orphan_grace * 0

        assert await rescuer.run_pass() == 1
        assert await rescuer.run_pass() == 0  # now it has a live entry

    entry = job_row(sql_conn, job.id)["queue_job_id"]
    assert entry != lost_entry and queue_status(sql_conn, entry) == "todo"


async def test_rescuer__a_pass_does_nothing_while_another_holds_the_duty(
    db, make_key, sql_conn, database_url
):
    import psycopg

    principal = await principal_of(db, await make_key())
    async with job_service(db) as service:
        job = (await service.submit(principal, request_for(0), "locked")).job
        sql_conn.execute(
            "UPDATE procrastinate_jobs SET status = 'failed' WHERE id = %s",
            (job_row(sql_conn, job.id)["queue_job_id"],),
        )
        rescuer = StalledJobRescuer(db, service.queue, interval=1, stalled_after=30, orphan_grace=0)
        with psycopg.connect(database_url) as other:
            assert other.execute(
                "SELECT pg_try_advisory_xact_lock(hashtext('courier.rescuer'))"
            ).fetchone()[0]
            assert await rescuer.run_pass() == 0
        assert await rescuer.run_pass() == 1


async def _taken_by_a_worker(db, service, job_id):
    """A worker takes the job's queue entry and starts executing it (lease taken),
    then is killed (-9): from now on it beats no heartbeat. Returns the queue entry."""
    manager = service.queue.app.job_manager
    worker_id = await manager.register_worker()
    taken = await manager.fetch_job(queues=None, worker_id=worker_id)
    await db.fetch_optional("job_lease_take", actor="test", job_id=job_id, queue_job_id=None)
    return taken
