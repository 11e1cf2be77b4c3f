"""Checkpoints across a killed worker process: a ``courier worker`` SIGKILLed after a
step's model call was answered and settled, before its job finished, costs no second
upstream call for that step when another worker takes the job over."""

from __future__ import annotations

import asyncio
import signal
import threading

import pytest

from app.jobs.schemas import JobRequest
from tests.fakes.openai_server import Reply, held
from tests.support.jobs import job_row, job_service, principal_of
from tests.support.kinds import POLISH_MARK
from tests.support.ledger import calls
from tests.support.requests import email_reply_request
from tests.support.waiting import wait_for
from tests.support.workers import spawn_worker

pytestmark = pytest.mark.slow

WORKER = dict(
    CONCURRENCY=2,
    POLL_SECONDS=0.2,
    HEARTBEAT_SECONDS=0.5,
    STALLED_AFTER_SECONDS=2,
    MAINTENANCE_SECONDS=0.5,
    ABORT_POLL_SECONDS=0.5,
)


async def test_takeover__a_worker_killed_after_a_settled_call_makes_no_second_call_for_it(
    db, make_key, sql_conn, database_url, fake_openai, tmp_path
):
    """A ``draft_then_polish`` job: its ``generate`` call is answered and settled, then
    the worker is killed while its ``polish`` call is held in flight. The worker that
    takes the job over reuses the committed draft and calls the model for ``polish``
    alone."""
    never = threading.Event()  # the killed worker's polish call is never answered
    fake_openai.script(Reply(), held(never))
    model = {"OPENAI_API_KEY": "test", "OPENAI_BASE_URL": fake_openai.url + "/v1"}
    log = tmp_path / "workers.log"
    principal = await principal_of(db, await make_key())
    request = JobRequest.model_validate(email_reply_request(kind="draft_then_polish"))
    async with job_service(db) as service:
        job_id = (await service.submit(principal, request, "polish")).job.id

    workers = [spawn_worker(database_url, "first", log, env=model, **WORKER)]
    try:

        async def polish_in_flight() -> bool:
            return len(fake_openai.requests) == 2

        await wait_for(polish_in_flight, timeout=60, what="the first worker's polish call")
        [settled] = calls(sql_conn, job_id)  # the draft is paid for and committed
        workers[0].send_signal(signal.SIGKILL)
        await asyncio.to_thread(workers[0].wait, 30)
        workers.append(spawn_worker(database_url, "second", log, env=model, **WORKER))

        async def finished() -> dict | None:
            row = job_row(sql_conn, job_id)
            return row if row["state"] in ("succeeded", "failed") else None

        row = await wait_for(finished, timeout=120, what="the job to be taken over and finish")
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()

    assert (row["state"], row["attempt"], row["model"]) == ("succeeded", 2, "gpt-4.1-mini")
    polish = [r for r in fake_openai.requests if POLISH_MARK in r.body["messages"][1]["content"]]
    assert len(fake_openai.requests) - len(polish) == 1, log.read_text()[-3000:]  # one draft
    assert len(polish) == 2  # the killed worker's, and the one that took over
    recorded = [(c["attempt"], c["step"], c["outcome"]) for c in calls(sql_conn, job_id)]
    assert recorded == [(1, "generate", "ok"), (2, "polish", "ok")]
    assert (settled["attempt"], settled["step"]) == (1, "generate")
