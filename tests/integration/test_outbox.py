"""The transactional outbox: rows exist exactly when their event committed, and
relays running side by side deliver each row once."""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from typing import Any

import pytest

from app.db import Database, ListenConnection, create_pool
from tasks.relay import OutboxRelay
from tests.support.jobs import JobFactory, advance
from tests.support.waiting import wait_for


class Boom(Exception):
    """Something failed after the job was written, before the commit."""


async def _tenant(db: Database, admin_db: Database, url: str) -> dict[str, Any]:
    """A tenant with a requester and one webhook endpoint (subscribed to everything)."""
    tenant = await admin_db.fetch_one("tenant_ensure", slug=f"t-{uuid.uuid4().hex[:8]}")
    principal = await admin_db.fetch_one(
        "principal_ensure", tenant_id=tenant["id"], external_id="u1"
    )
    endpoint = await db.fetch_one(
        "webhook_endpoint_insert",
        tenant_id=tenant["id"],
        url=url,
        description="",
        event_types=None,
        include_result=False,
    )
    return {
        "slug": tenant["slug"],
        "tenant_id": tenant["id"],
        "requester_id": principal["id"],
        "endpoint": endpoint,
    }


async def _insert_job(
    job_factory: JobFactory, conn: Any, tenant: dict[str, Any], *, callback_url: str | None = None
) -> Any:
    """A queued job of the tenant's requester, written on the test's connection ``conn``."""
    job = await job_factory(
        tenant=tenant["slug"],
        requester="u1",
        input={"question": "?"},
        callback_url=callback_url,
        conn=conn,
    )
    return job["id"]


async def test_outbox__an_event_in_a_rolled_back_transaction_leaves_no_row_and_wakes_nobody(
    db, admin_db, database_url, sql_conn, job_factory
):
    tenant = await _tenant(db, admin_db, "https://hooks.example.com/in")
    listener = await ListenConnection.open(
        database_url, ["courier_job_events", "courier_outbox"], application_name="outbox-test"
    )
    try:
        with pytest.raises(Boom):
            async with db.transaction() as conn:
                rolled_back = await _insert_job(
                    job_factory, conn, tenant, callback_url="https://cb.example.com/x"
                )
                # The trigger wrote the queued event and its two outbox rows in this transaction.
                assert (
                    len(
                        await (
                            await conn.execute(
                                "SELECT 1 FROM outbox WHERE job_id = %s", (rolled_back,)
                            )
                        ).fetchall()
                    )
                    == 2
                )
                raise Boom()
        async with db.transaction() as conn:
            committed = await _insert_job(
                job_factory, conn, tenant, callback_url="https://cb.example.com/x"
            )

        notified: list[tuple[str, str]] = []

        async def committed_was_notified() -> bool:
            notified.extend((n.channel, n.payload) for n in await listener.receive(0.2))
            return any(
                json.loads(p).get("job_id") == str(committed)
                for c, p in notified
                if c == "courier_job_events"
            )

        # Notifications arrive in commit order: once the committed job's is here, one of
        # the rolled-back job would have come before it.
        await wait_for(committed_was_notified, what="the committed job's notification")
    finally:
        await listener.close()

    assert sql_conn.execute(
        "SELECT count(*) FROM jobs WHERE id = %s", (rolled_back,)
    ).fetchone() == (0,)
    assert sql_conn.execute(
        "SELECT count(*) FROM job_events WHERE job_id = %s", (rolled_back,)
    ).fetchone() == (0,)
    assert sql_conn.execute(
        "SELECT count(*) FROM outbox WHERE job_id = %s", (rolled_back,)
    ).fetchone() == (0,)
    destinations = sql_conn.execute(
        "SELECT endpoint_id FROM outbox WHERE tenant_id = %s ORDER BY endpoint_id NULLS FIRST",
        (tenant["tenant_id"],),
    ).fetchall()
    assert destinations == [(None,), (tenant["endpoint"]["id"],)]  # only the committed job's rows
    assert [json.loads(p)["job_id"] for c, p in notified if c == "courier_job_events"] == [
        str(committed)
    ]
    assert [c for c, _ in notified].count(
        "courier_outbox"
    ) == 1  # one wake-up, for the committed rows


async def test_outbox__two_relays_side_by_side_deliver_every_row_exactly_once_and_in_order_per_job(
    loopback_webhooks, settings, db, admin_db, database_url, receiver, sql_conn, job_factory
):
    settings.delivery.relay_concurrency = 4  # small claims, so the relays take turns
    tenant = await _tenant(db, admin_db, receiver.url)
    receiver.secret = tenant["endpoint"]["secret"]
    jobs = []
    for _ in range(15):
        async with db.transaction() as conn:
            jobs.append(str(await _insert_job(job_factory, conn, tenant)))
    for job in jobs:
        advance(sql_conn, job, "running")
        advance(sql_conn, job, "succeeded")
    for _ in range(10):  # rows with no job (test sends): no ordering between them
        await db.fetch_one(
            "outbox_test_insert",
            tenant_id=tenant["tenant_id"],
            endpoint_id=tenant["endpoint"]["id"],
        )
    event_ids = {r[0] for r in sql_conn.execute("SELECT event_id FROM outbox").fetchall()}
    assert len(event_ids) == 15 * 3 + 10

    # A second relay as another process would run it: its own pool and LISTEN connection.
    other_pool = create_pool(database_url, min_size=1, max_size=4, timeout=10)
    await other_pool.open(wait=True)
    relays = [
        OutboxRelay(db, database_url, settings.delivery, name="relay-a"),
        OutboxRelay(Database(other_pool), database_url, settings.delivery, name="relay-b"),
    ]
    for relay in relays:
        await relay.start()
    try:

        async def all_delivered() -> bool:
            return (
                sql_conn.execute(
                    "SELECT count(*) FROM outbox WHERE status <> 'delivered'"
                ).fetchone()[0]
                == 0
            )

        await wait_for(all_delivered, what="every outbox row delivered")
    finally:
        for relay in relays:
            await relay.stop()
        await other_pool.close()

    received = Counter(d.headers["webhook-id"] for d in receiver.deliveries)
    assert set(received) == event_ids  # every row delivered ...
    assert set(received.values()) == {1}  # ... exactly once
    assert all(d.verified for d in receiver.deliveries)
    attempts = sql_conn.execute(
        "SELECT count(*), count(DISTINCT outbox_id) FROM outbox_attempts"
    ).fetchone()
    assert attempts == (len(event_ids), len(event_ids))  # one recorded attempt per row
    seqs: dict[str, list[int]] = defaultdict(list)
    for delivery in receiver.deliveries:
        if delivery.body["type"] != "webhook.test":
            seqs[delivery.body["data"]["job_id"]].append(delivery.body["data"]["seq"])
    assert seqs == {job: [1, 2, 3] for job in jobs}  # a job's events arrive in order across relays
