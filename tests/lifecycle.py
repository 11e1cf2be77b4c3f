"""Helpers shared by the lifecycle tests: a job service and worker with the test kinds."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import psycopg

from app.db import Database
from app.jobs.kinds import KindRegistry, KindResult
from app.jobs.queue import JobQueue, create_queue_app
from app.jobs.service import JobService
from app.keys.service import Principal
from app.settings import Settings
from tests.kinds import TEST_KINDS, SleepyOutput


@contextlib.asynccontextmanager
async def job_service(db: Database, kinds: KindRegistry = TEST_KINDS) -> AsyncIterator[JobService]:
    queue_app = create_queue_app()
    await queue_app.open_async(pool=db.pool)
    try:
        yield JobService(
            db,
            JobQueue(queue_app),
            kinds,
            max_expires_in=timedelta(days=7),
            idempotency_wait=timedelta(seconds=5),
        )
    finally:
        await queue_app.close_async()


@contextlib.asynccontextmanager
async def running_worker(
    settings: Settings, kinds: KindRegistry = TEST_KINDS
) -> AsyncIterator[asyncio.Task]:
    from tasks.worker import run_worker

    task = asyncio.create_task(run_worker(settings, kinds=kinds, install_signal_handlers=False))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def stalling_kinds(release: asyncio.Event) -> KindRegistry:
    """The test kinds, with a ``sleepy`` handler that stalls until ``release`` is set
    and then answers "late": an execution that never notices a cancel or a deadline."""

    async def handler(job_input: Any, provider: Any) -> KindResult:
        await release.wait()
        return KindResult(
            output=SleepyOutput(label="late", slept_ms=0), model="m", prompt_version="p"
        )

    return {**TEST_KINDS, "sleepy": replace(TEST_KINDS["sleepy"], handler=handler)}


async def in_state(conn: psycopg.Connection, job_id: Any, state: str) -> bool:
    """For :func:`tests.waiting.wait_for`: whether the job is in ``state``."""
    return job_row(conn, job_id)["state"] == state


def job_row(conn: psycopg.Connection, job_id: Any) -> dict[str, Any]:
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute("SELECT * FROM jobs WHERE id = %s", (job_id,)).fetchone()


def events(conn: psycopg.Connection, job_id: Any) -> list[tuple]:
    return conn.execute(
        "SELECT seq, state::text, attempt, data, actor FROM job_events WHERE job_id = %s "
        "ORDER BY seq",
        (job_id,),
    ).fetchall()


def queue_status(conn: psycopg.Connection, queue_job_id: int) -> str | None:
    row = conn.execute(
        "SELECT status::text FROM procrastinate_jobs WHERE id = %s", (queue_job_id,)
    ).fetchone()
    return row[0] if row else None


def sleepy(ms: int, label: str = "", **overrides: Any) -> dict[str, Any]:
    return {"kind": "sleepy", "input": {"ms": ms, "label": label}} | overrides


async def principal_of(db: Database, key: str) -> Principal:
    from app.keys.service import KeyService

    return await KeyService(db).authenticate(f"Bearer {key}")


def request_for(ms: int, **overrides: Any):
    from app.jobs.schemas import JobRequest

    return JobRequest.model_validate(sleepy(ms, **overrides))


def spawn_worker(
    database_url: str, name: str, log: Any = None, **settings: Any
) -> subprocess.Popen[bytes]:
    """A real ``courier worker`` process (with the test kinds), its logs appended to
    the file ``log`` if given; ``settings`` are COURIER_WORKER_* variables without
    the prefix, e.g. ``CONCURRENCY=4``."""
    import os
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = os.environ | {
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(root),
        "COURIER_LOG_LEVEL": "WARNING",
        "COURIER_WORKER_NAME": name,
    }
    env |= {f"COURIER_WORKER_{key}": str(value) for key, value in settings.items()}
    with open(log or os.devnull, "ab") as stderr:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "tests.worker_with_test_kinds", "worker"],
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
