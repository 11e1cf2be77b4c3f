"""Jobs in tests: a job service on the test kinds, and reading and driving job rows
in SQL as a DBA (or a worker) would."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import psycopg

from app.db import Database
from app.jobs.kinds import KindRegistry
from app.jobs.queue import JobQueue, create_queue_app
from app.jobs.service import JobService
from app.keys.service import KeyService, Principal
from tests.support.kinds import TEST_KINDS


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


async def principal_of(db: Database, key: str) -> Principal:
    return await KeyService(db).authenticate(f"Bearer {key}")


async def in_state(conn: psycopg.Connection, job_id: Any, state: str) -> bool:
    """For :func:`tests.support.waiting.wait_for`: whether the job is in ``state``."""
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


def advance(conn: psycopg.Connection, job_id: str, state: str) -> None:
    """Move a job to ``state`` in SQL, as a worker would (the trigger writes the event)."""
    if state == "running":
        conn.execute(
            "UPDATE jobs SET state = 'running', lease = gen_random_uuid(), attempt = attempt + 1 "
            "WHERE id = %s",
            (job_id,),
        )
    elif state == "succeeded":
        conn.execute(
            """UPDATE jobs SET state = 'succeeded', result = '{"body": "done"}' WHERE id = %s""",
            (job_id,),
        )
    elif state == "failed":
        conn.execute(
            """UPDATE jobs SET state = 'failed', error = '{"code": "x", "message": "y"}' """
            "WHERE id = %s",
            (job_id,),
        )
    else:
        conn.execute("UPDATE jobs SET state = %s::job_state WHERE id = %s", (state, job_id))
