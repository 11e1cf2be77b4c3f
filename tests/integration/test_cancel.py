"""Cancelling a job: queued at once, running by aborting its execution, finished refused."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tasks.execution import JobExecutor
from tests.support.jobs import events, in_state, job_row, job_service, principal_of, queue_status
from tests.support.kinds import stalling_kinds
from tests.support.requests import auth, sleepy
from tests.support.steps import offline_steps
from tests.support.waiting import wait_for


async def test_cancel__queued_job_is_cancelled_at_once_with_its_queue_entry(
    http, make_key, sql_conn
):
    key = await make_key()
    job = (await http.post("/v1/jobs", json=sleepy(10), headers=auth(key, "c1"))).json()

    response = await http.post(job["links"]["cancel"], headers=auth(key))

    assert response.status_code == 200
    assert response.json()["state"] == "cancelled" and response.json()["finished_at"]
    row = job_row(sql_conn, job["id"])
    assert queue_status(sql_conn, row["queue_job_id"]) == "cancelled"
    assert [(seq, state) for seq, state, *_ in events(sql_conn, job["id"])] == [
        (1, "queued"),
        (2, "cancelled"),
    ]
    *_, (_, _, _, data, actor) = events(sql_conn, job["id"])
    assert data == {"reason": "cancel requested"} and actor.startswith("principal:")


async def test_cancel__twice_gives_the_same_answer(http, make_key):
    key = await make_key()
    job = (await http.post("/v1/jobs", json=sleepy(10), headers=auth(key, "c2"))).json()
    first = await http.post(f"/v1/jobs/{job['id']}/cancel", headers=auth(key))
    second = await http.post(f"/v1/jobs/{job['id']}/cancel", headers=auth(key))
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()


async def test_cancel__running_job_ends_cancelled_and_its_execution_is_aborted(
    http, worker, make_key, sql_conn
):
    key = await make_key()
    job = (await http.post("/v1/jobs", json=sleepy(120_000), headers=auth(key, "c3"))).json()
    await wait_for(lambda: _state(http, key, job["id"], "running"), what="job to start")

    response = await http.post(f"/v1/jobs/{job['id']}/cancel", headers=auth(key))

    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    queue_job_id = job_row(sql_conn, job["id"])["queue_job_id"]

    async def aborted():
        return queue_status(sql_conn, queue_job_id) == "aborted"

    await wait_for(aborted, what="the worker to abort the execution")
    row = job_row(sql_conn, job["id"])
    assert row["state"] == "cancelled" and row["result"] is None
    assert [state for _, state, *_ in events(sql_conn, job["id"])] == [
        "queued",
        "running",
        "cancelled",
    ]


@pytest.mark.parametrize("final", ["succeeded", "failed", "expired"])
async def test_cancel__finished_job_is_409_with_its_state(http, make_key, sql_conn, final):
    key = await make_key()
    job = (await http.post("/v1/jobs", json=sleepy(10), headers=auth(key, f"c-{final}"))).json()
    if final == "expired":
        sql_conn.execute("UPDATE jobs SET state = 'expired' WHERE id = %s", (job["id"],))
    else:
        sql_conn.execute(
            "UPDATE jobs SET state = 'running', lease = gen_random_uuid(), attempt = 1 "
            "WHERE id = %s",
            (job["id"],),
        )
        sql_conn.execute(
            "UPDATE jobs SET state = %s, result = %s, error = %s WHERE id = %s",
            (
                final,
                '{"label": ""}' if final == "succeeded" else None,
                '{"code": "x", "message": "y"}' if final == "failed" else None,
                job["id"],
            ),
        )

    response = await http.post(f"/v1/jobs/{job['id']}/cancel", headers=auth(key))

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["state"] == final
    assert job_row(sql_conn, job["id"])["state"] == final


async def test_cancel__unknown_or_other_tenants_job_is_404(http, make_key):
    key, other = await make_key(), await make_key()
    job = (await http.post("/v1/jobs", json=sleepy(10), headers=auth(key, "c4"))).json()
    assert (await http.post(f"/v1/jobs/{job['id']}/cancel", headers=auth(other))).status_code == 404
    assert (
        await http.post(f"/v1/jobs/{uuid.uuid4()}/cancel", headers=auth(key))
    ).status_code == 404


async def test_cancel__result_of_an_execution_that_ignores_the_abort_is_discarded(
    db, make_key, sql_conn
):
    """Even an execution that never notices the cancel cannot write its result: the fence
    refuses it."""
    release = asyncio.Event()
    kinds = stalling_kinds(release)
    principal = await principal_of(db, await make_key())
    async with job_service(db, kinds) as service:
        job = (await service.submit(principal, _request(), "ignores-abort")).job
        execution = asyncio.create_task(
            JobExecutor(db, kinds, offline_steps(db), "w").execute(job.id)
        )
        await wait_for(lambda: in_state(sql_conn, job.id, "running"), what="execution to start")
        assert (await service.cancel(principal, job.id)).state == "cancelled"
        release.set()
        assert await execution is None  # fenced off

    row = job_row(sql_conn, job.id)
    assert (row["state"], row["result"], row["model"]) == ("cancelled", None, None)


def _request():
    from app.jobs.schemas import JobRequest

    return JobRequest.model_validate(sleepy(0))


async def _state(http, key, job_id, state):
    return (await http.get(f"/v1/jobs/{job_id}", headers=auth(key))).json()["state"] == state
