"""Jobs in tests: the job factory (the ``job_factory`` fixture), a job service on the
test kinds, and reading and driving job rows in SQL as a DBA (or a worker) would."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg

from app.db import Connection, Database
from app.jobs.kinds import KindRegistry
from app.jobs.queue import JobQueue, create_queue_app
from app.jobs.service import JobService
from app.keys.service import KeyService, Principal
from tests.support.kinds import TEST_KINDS
from tests.support.requests import email_reply_request

# The states a factory job can be brought to, and the queries that take it there.
FACTORY_STATES = ("queued", "running", "needs_review", "succeeded", "failed", "cancelled")


class JobFactory:
    """Creates jobs through the real queries: ``await job_factory(state="failed")``.

    A job is inserted as the intake inserts it (``job_insert``, as the runtime role,
    for a tenant and a requester an operator made with ``tenant_ensure`` and
    ``principal_ensure``) but without a queue entry, so nothing runs it unless the
    test does. It is then brought to
    ``state`` the way a worker or a user would: ``job_lease_take`` (running), then
    ``job_finish`` (needs_review, succeeded, failed); or ``job_cancel`` (cancelled).
    Each step is its own transaction, labelled with the actor ``test``, unless
    ``conn`` is given (then every step runs on it, e.g. inside a transaction the
    test rolls back).

    Tenant slug, requester and Idempotency-Key are random unless given, ACL groups
    none unless given; the input is a valid one for ``email_reply`` and ``sleepy``.
    Returns the job as ``job_get`` reads it, plus ``lease`` (the execution's fencing
    token, None unless it ran).
    """

    def __init__(self, db: Database, admin_db: Database) -> None:
        self.db = db  # the runtime role, as the intake and workers run
        self.admin_db = admin_db  # the owner: tenants and principals are an operator's

    async def __call__(
        self,
        *,
        tenant: str | None = None,
        requester: str | None = None,
        acl_groups: list[str] | None = None,
        kind: str = "email_reply",
        input: dict[str, Any] | None = None,
        state: str = "queued",
        idempotency_key: str | None = None,
        priority: int = 0,
        queue: str = "jobs",
        expires_in: timedelta = timedelta(hours=1),
        callback_url: str | None = None,
        replay_of: uuid.UUID | None = None,
        result: dict[str, Any] | None = None,
        error: dict[str, str] | None = None,
        model: str | None = None,
        prompt_version: str | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cost_usd: Decimal | float = 0,
        conn: Connection | None = None,
    ) -> dict[str, Any]:
        if state not in FACTORY_STATES:
            raise ValueError(
                f"job_factory makes jobs in {', '.join(FACTORY_STATES)}; not {state!r}"
            )
        tenant_row = await self.admin_db.fetch_one(
            "tenant_ensure", slug=tenant or f"t-{uuid.uuid4().hex[:12]}"
        )
        principal = await self.admin_db.fetch_one(
            "principal_ensure",
            tenant_id=tenant_row["id"],
            external_id=requester or f"u-{uuid.uuid4().hex[:12]}",
        )
        key = idempotency_key or uuid.uuid4().hex
        async with self._step(conn) as tx:
            inserted = await self.db.fetch_all(
                "job_insert",
                tx,
                actor="test",
                lock_timeout="0",
                tenant_id=tenant_row["id"],
                requester_id=principal["id"],
                acl_groups=acl_groups or [],
                kind=kind,
                input=_default_input(kind) if input is None else input,
                idempotency_key=key,
                request_hash=uuid.uuid4().hex,
                priority=priority,
                queue=queue,
                expires_in=expires_in,
                callback_url=callback_url,
                replay_of=replay_of,
                replayed_by_id=None,
                backfill_batch=None,
            )
        if not inserted:
            raise ValueError(f"tenant {tenant_row['slug']} already has a job with key {key!r}")
        job_id, tenant_id = inserted[0]["id"], tenant_row["id"]
        lease = None
        if state == "cancelled":
            async with self._step(conn) as tx:
                await self.db.fetch_optional("job_cancel", tx, job_id=job_id, tenant_id=tenant_id)
        elif state != "queued":
            async with self._step(conn) as tx:
                taken = await self.db.fetch_optional(
                    "job_lease_take", tx, actor="test", job_id=job_id, queue_job_id=None
                )
                assert taken is not None, "job_factory: the job could not be leased"
                lease = taken["lease"]
        if state in ("needs_review", "succeeded", "failed"):
            failed = state == "failed"
            async with self._step(conn) as tx:
                await self.db.fetch_optional(
                    "job_finish",
                    tx,
                    actor="test",
                    job_id=job_id,
                    lease=lease,
                    state=state,
                    result=None if failed else (result or {"body": "done"}),
                    error=(error or {"code": "test_failure", "message": "failed in a test"})
                    if failed
                    else None,
                    review_window=None,
                    reason=None,
                    record_safety=False,
                    safety_flags=None,
                    review_reasons=None,
                    model=model,
                    prompt_version=prompt_version,
                    input_tokens=input_tokens,
                    output_tokens=output_tokens,
                    cost_usd=cost_usd,
                )
        job = await self.db.fetch_one("job_get", conn, job_id=job_id, tenant_id=tenant_id)
        return {**job, "lease": lease}

    @contextlib.asynccontextmanager
    async def _step(self, conn: Connection | None) -> AsyncIterator[Connection]:
        if conn is not None:
            await self.db.execute("job_transaction_context", conn, actor="test", lock_timeout="0")
            yield conn
            return
        async with self.db.transaction() as tx:
            await self.db.execute("job_transaction_context", tx, actor="test", lock_timeout="0")
            yield tx


def _default_input(kind: str) -> dict[str, Any]:
    if kind == "email_reply":
        return email_reply_request()["input"]
    if kind == "sleepy":
        return {"ms": 0, "label": uuid.uuid4().hex[:8]}
    return {}


@contextlib.asynccontextmanager
async def job_service(
    db: Database,
    kinds: KindRegistry = TEST_KINDS,
    idempotency_wait: timedelta = timedelta(seconds=5),
) -> AsyncIterator[JobService]:
    queue_app = create_queue_app()
    await queue_app.open_async(pool=db.pool)
    try:
        yield JobService(
            db,
            JobQueue(queue_app),
            kinds,
            max_expires_in=timedelta(days=7),
            idempotency_wait=idempotency_wait,
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


def write_event_history(
    conn: psycopg.Connection, tenant_id: Any, requester_id: Any, *, jobs: int, events_per_job: int
) -> tuple[int, int]:
    """Give a tenant ``jobs`` queued jobs with ``events_per_job`` events each (running and
    queued in turn: none finished), in one transaction as the schema owner; returns the
    tenant-stream cursor (xid, position) of the last event.

    The jobs are inserted as usual (their triggers write each one's first event); the
    other events are generated in one set-based INSERT with the event triggers switched
    off for it, since they check one row at a time (``seq`` must be the job's next) and
    would take minutes for a million rows. The jobs' ``last_event_seq``, ``state`` and
    ``attempt`` are set to match.
    """
    with conn.transaction():
        conn.execute(
            """
            INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key,
                              request_hash, expires_at)
            SELECT %(tenant)s, %(requester)s, 'email_reply', '{}', 'history-' || n, 'history',
                   clock_timestamp() + interval '1 day'
            FROM generate_series(1, %(jobs)s) n
            """,
            {"tenant": tenant_id, "requester": requester_id, "jobs": jobs},
        )
        conn.execute("ALTER TABLE job_events DISABLE TRIGGER USER")
        conn.execute("ALTER TABLE jobs DISABLE TRIGGER USER")
        conn.execute(
            """
            INSERT INTO job_events (job_id, seq, tenant_id, type, state, attempt, actor)
            SELECT j.id, s, j.tenant_id, e.state::text, e.state, s / 2, 'history'
            FROM jobs j
            CROSS JOIN generate_series(2, %(last)s) s
            CROSS JOIN LATERAL (
                SELECT (CASE WHEN s %% 2 = 0 THEN 'running' ELSE 'queued' END)::job_state AS state
            ) e
            WHERE j.tenant_id = %(tenant)s AND j.request_hash = 'history'
            ORDER BY j.id, s
            """,
            {"tenant": tenant_id, "last": events_per_job},
        )
        conn.execute(
            """
            UPDATE jobs
            SET last_event_seq = %(last)s, attempt = %(last)s / 2,
                state = CASE WHEN %(last)s %% 2 = 0 THEN 'running' ELSE 'queued' END::job_state,
                lease = CASE WHEN %(last)s %% 2 = 0 THEN gen_random_uuid() END
            WHERE tenant_id = %(tenant)s AND request_hash = 'history'
            """,
            {"tenant": tenant_id, "last": events_per_job},
        )
        conn.execute("ALTER TABLE jobs ENABLE TRIGGER USER")
        conn.execute("ALTER TABLE job_events ENABLE TRIGGER USER")
    xid, position = conn.execute(
        "SELECT xid::text, position FROM job_events WHERE tenant_id = %s "
        "ORDER BY xid DESC, position DESC LIMIT 1",
        (tenant_id,),
    ).fetchone()
    return int(xid), position
