"""The transactional outbox: rows exist exactly when their event committed, and
relays running side by side deliver each row once."""

from __future__ import annotations

import json
import threading
import tracemalloc
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from app.db import Database, ListenConnection, create_pool
from app.queries import load_queries
from tasks.relay import OutboxRelay
from tests.support.jobs import JobFactory, advance
from tests.support.waiting import wait_for
from tests.support.webhooks import Receiver, dribbling, gzip_bomb, running_relay


class Boom(Exception):
    """Something failed after the job was written, before the commit."""


async def _tenant(
    db: Database, admin_db: Database, url: str, *, include_result: bool = False
) -> dict[str, Any]:
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
        include_result=include_result,
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


def _attempts(conn: Any, endpoint_id: Any) -> list[dict[str, Any]]:
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute(
        "SELECT a.attempt, a.status_code, a.outcome, a.error, a.latency_ms "
        "FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id "
        "WHERE o.endpoint_id = %s ORDER BY a.started_at",
        (endpoint_id,),
    ).fetchall()


async def test_relay__a_gzip_bomb_answer_is_never_inflated_in_the_worker(
    loopback_webhooks, settings, db, admin_db, database_url, sql_conn
):
    inflated = 128 << 20
    with gzip_bomb(inflated) as bomb:
        tenant = await _tenant(db, admin_db, bomb.url)
        async with running_relay(db, database_url, settings.delivery):
            tracemalloc.start()
            try:
                baseline = tracemalloc.get_traced_memory()[0]
                await db.fetch_one(
                    "outbox_test_insert",
                    tenant_id=tenant["tenant_id"],
                    endpoint_id=tenant["endpoint"]["id"],
                )
                [attempt] = await wait_for(
                    lambda: _async(_attempts(sql_conn, tenant["endpoint"]["id"])),
                    what="the attempt to be recorded",
                )
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    assert bomb.requests == 1
    assert (attempt["status_code"], attempt["outcome"]) == (200, "delivered")
    # What the delivery allocated is a small fraction of what the answer inflates to.
    assert peak - baseline < inflated // 16, f"{(peak - baseline) >> 20} MiB allocated"


async def test_relay__a_dribbling_receiver_is_cut_off_at_the_deadline_and_others_get_theirs(
    loopback_webhooks, settings, db, admin_db, database_url, sql_conn, receiver
):
    settings.delivery.timeout_seconds = 1
    with dribbling() as dribbler:
        slow = await _tenant(db, admin_db, dribbler.url)
        healthy = await _tenant(db, admin_db, receiver.url)
        receiver.secret = healthy["endpoint"]["secret"]
        async with running_relay(db, database_url, settings.delivery):
            await db.fetch_one(
                "outbox_test_insert",
                tenant_id=slow["tenant_id"],
                endpoint_id=slow["endpoint"]["id"],
            )
            await wait_for(lambda: _async(dribbler.open == 1), what="the dribbled answer")
            await db.fetch_one(
                "outbox_test_insert",
                tenant_id=healthy["tenant_id"],
                endpoint_id=healthy["endpoint"]["id"],
            )
            await wait_for(lambda: _async(receiver.deliveries), what="the other tenant's webhook")
            assert dribbler.open == 1  # delivered while the slow answer was still dribbling
            [attempt] = await wait_for(
                lambda: _async(_attempts(sql_conn, slow["endpoint"]["id"])),
                timeout=settings.delivery.timeout_seconds + 5,
                what="the slow attempt to be recorded within its deadline",
            )
    assert attempt["status_code"] is None and attempt["outcome"] == "retry"
    assert attempt["error"] == "no answer within 1 s"
    assert receiver.deliveries[0].verified


async def test_relay__a_refused_destination_records_no_address_it_resolved_to(
    loopback_webhooks, settings, db, admin_db, database_url, sql_conn
):
    # Registered while allowed; the relay no longer allows loopback (DNS or the
    # allow-list changed): refused, and the record does not say where localhost points.
    tenant = await _tenant(db, admin_db, "http://localhost:9/hooks")
    settings.delivery.ssrf_allow_list = []
    async with running_relay(db, database_url, settings.delivery):
        await db.fetch_one(
            "outbox_test_insert",
            tenant_id=tenant["tenant_id"],
            endpoint_id=tenant["endpoint"]["id"],
        )
        [attempt] = await wait_for(
            lambda: _async(_attempts(sql_conn, tenant["endpoint"]["id"])),
            what="the refused attempt",
        )
    assert attempt["outcome"] == "refused"
    assert attempt["error"] == "destination refused: localhost does not resolve to a public address"
    [last_error] = sql_conn.execute(
        "SELECT last_error FROM outbox WHERE endpoint_id = %s", (tenant["endpoint"]["id"],)
    ).fetchone()
    assert "127.0.0.1" not in last_error and "::1" not in last_error


async def test_relay__a_webhook_carries_the_job_as_it_was_at_its_event_not_as_it_is_when_sent(
    loopback_webhooks, settings, db, admin_db, database_url, receiver, job_factory
):
    tenant = await _tenant(db, admin_db, receiver.url, include_result=True)
    receiver.secret = tenant["endpoint"]["secret"]
    first_error = {"code": "provider_unavailable", "message": "the model provider answered 503"}
    last_error = {"code": "provider_refused", "message": "the model provider refused"}
    # Each job moves on before the relay sends anything (it is not running yet).
    retried = await job_factory(tenant=tenant["slug"], requester="u1")
    lease = await _lease(db, retried["id"])
    await db.fetch_optional(
        "job_requeue", job_id=retried["id"], lease=lease, error=first_error, retry_in=timedelta(0)
    )
    lease = await _lease(db, retried["id"])
    await _finish(db, retried["id"], lease, "failed", error=last_error)
    succeeded = await job_factory(tenant=tenant["slug"], requester="u1")
    lease = await _lease(db, succeeded["id"])
    await _finish(db, succeeded["id"], lease, "succeeded", result={"body": "final"})

    async with running_relay(db, database_url, settings.delivery):
        await wait_for(lambda: _async(len(receiver.deliveries) == 5 + 3), what="every event")

    assert all(d.verified for d in receiver.deliveries)
    sent = {
        (d.body["data"]["job_id"], d.body["data"]["seq"]): d.body["data"]
        for d in receiver.deliveries
    }
    as_sent = {
        key: (data["state"], data["attempt"], data["result"], data["error"])
        for key, data in sent.items()
    }
    assert as_sent == {
        (str(retried["id"]), 1): ("queued", 0, None, None),
        (str(retried["id"]), 2): ("running", 1, None, None),
        (str(retried["id"]), 3): ("queued", 1, None, first_error),
        (str(retried["id"]), 4): ("running", 2, None, None),
        (str(retried["id"]), 5): ("failed", 2, None, last_error),
        (str(succeeded["id"]), 1): ("queued", 0, None, None),
        (str(succeeded["id"]), 2): ("running", 1, None, None),
        (str(succeeded["id"]), 3): ("succeeded", 1, {"body": "final"}, None),
    }


async def _finish(db: Database, job_id: Any, lease: Any, state: str, **outcome: Any) -> None:
    await db.fetch_optional(
        "job_finish",
        actor="test",
        job_id=job_id,
        lease=lease,
        state=state,
        result=outcome.get("result"),
        error=outcome.get("error"),
        review_window=None,
        reason=None,
        record_safety=False,
        safety_flags=None,
        review_reasons=None,
        model=None,
        prompt_version=None,
        input_tokens=0,
        output_tokens=0,
        cost_usd=0,
    )


async def _async(value: Any) -> Any:
    return value


def _queue_behind(conn: psycopg.Connection, tenant: dict[str, Any], jobs: int, events: int) -> None:
    """``jobs`` jobs of the tenant with ``events`` events each (a queued event, then
    retries: running and queued again, ...), written in bulk as a DBA would."""
    conn.execute(
        "INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key, request_hash, "
        "expires_at) SELECT %s, %s, 'email_reply', '{}', 'backlog-' || g, 'h' || g, "
        "now() + interval '1 day' FROM generate_series(1, %s) g",
        (tenant["tenant_id"], tenant["requester_id"], jobs),
    )
    for event in range(2, events + 1):
        if event % 2 == 0:
            conn.execute(
                "UPDATE jobs SET state = 'running', lease = gen_random_uuid(), "
                "attempt = attempt + 1, retry_at = NULL WHERE tenant_id = %s",
                (tenant["tenant_id"],),
            )
        else:
            conn.execute(
                "UPDATE jobs SET state = 'queued', retry_at = now(), "
                """error = '{"code": "provider_unavailable", "message": "503"}' """
                "WHERE tenant_id = %s",
                (tenant["tenant_id"],),
            )


def _rows_read(plan: dict[str, Any]) -> int:
    """Rows the scans of a plan (EXPLAIN ANALYZE, FORMAT JSON) read: returned or filtered out."""
    read = 0
    if "Relation Name" in plan:
        read += (
            plan["Actual Rows"]
            + plan.get("Rows Removed by Filter", 0)
            + plan.get("Rows Removed by Index Recheck", 0)
        ) * plan["Actual Loops"]
    read += plan.get("Rows Removed by Join Filter", 0) * plan["Actual Loops"]
    return read + sum(_rows_read(child) for child in plan.get("Plans", []))


async def test_relay__a_failing_receivers_backlog_neither_slows_the_claim_nor_other_tenants(
    loopback_webhooks, settings, db, admin_db, database_url, sql_conn, receiver
):
    failing = Receiver(status=503).start()
    try:
        behind = await _tenant(db, admin_db, failing.url)
        failing.secret = behind["endpoint"]["secret"]
        healthy = await _tenant(db, admin_db, receiver.url)
        receiver.secret = healthy["endpoint"]["secret"]
        _queue_behind(sql_conn, behind, jobs=1000, events=50)
        [queued] = sql_conn.execute(
            "SELECT count(*) FROM outbox WHERE tenant_id = %s AND status = 'pending'",
            (behind["tenant_id"],),
        ).fetchone()
        assert queued == 50_000

        concurrency = settings.delivery.relay_concurrency
        async with running_relay(db, database_url, settings.delivery):
            await wait_for(lambda: _async(failing.deliveries), what="the failing receiver's 503")
            await db.fetch_one(
                "outbox_test_insert",
                tenant_id=healthy["tenant_id"],
                endpoint_id=healthy["endpoint"]["id"],
            )
            await wait_for(lambda: _async(receiver.deliveries), what="the healthy tenant's webhook")
            # It did not wait for the failing receiver's backlog to be tried first.
            assert len(failing.deliveries) <= 2 * concurrency
    finally:
        failing.stop()
    assert receiver.deliveries[0].verified

    # The claim reads a bounded number of rows, whatever waits behind the failing one
    # (with statistics as autovacuum keeps them, not as they were before the backlog).
    sql_conn.execute("ANALYZE outbox")
    claim = load_queries()["outbox_claim"].sql
    with psycopg.connect(database_url) as conn:  # rolled back: nothing is claimed
        [[explained]] = conn.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + claim,
            {"limit": concurrency, "claim_for": timedelta(seconds=40), "now": None},
        ).fetchall()
        conn.rollback()
    read = _rows_read(explained[0]["Plan"])
    assert read <= 4 * concurrency, f"the claim read {read} rows"


async def test_outbox__an_event_written_while_the_one_before_it_is_settled_is_not_left_held(
    db, admin_db, database_url, sql_conn, job_factory
):
    tenant = await _tenant(db, admin_db, "https://hooks.example.com/in")
    job = await job_factory(tenant=tenant["slug"], requester="u1")
    [first] = sql_conn.execute("SELECT id FROM outbox WHERE job_id = %s", (job["id"],)).fetchone()
    with psycopg.connect(database_url) as writer, psycopg.connect(database_url) as relay:
        # The job moves on in a transaction still open: it sees event 1 pending and
        # holds event 2 behind it.
        advance(writer, job["id"], "running")
        # Meanwhile a relay settles event 1 and releases what is held behind it.
        settled = threading.Thread(
            target=lambda: (
                relay.execute(
                    "UPDATE outbox SET status = 'delivered', delivered_at = now(), claim = NULL "
                    "WHERE id = %s",
                    (first,),
                ),
                relay.commit(),
            )
        )
        settled.start()
        await wait_for(
            lambda: _async(
                sql_conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE outbox SET status%%'"
                ).fetchone()[0]
                == 1
            ),
            what="the release to wait for the job's transaction",
        )
        writer.commit()
        settled.join(10)
    assert sql_conn.execute(
        "SELECT seq, status::text, held FROM outbox WHERE job_id = %s ORDER BY seq", (job["id"],)
    ).fetchall() == [(1, "delivered", False), (2, "pending", False)]


async def test_relay__a_destination_that_answers_again_gets_its_whole_backlog_in_order(
    loopback_webhooks, settings, db, admin_db, database_url, sql_conn, receiver
):
    tenant = await _tenant(db, admin_db, receiver.url)
    receiver.secret = tenant["endpoint"]["secret"]
    receiver.answers = [(503, {}), (503, {}), (503, {})]
    _queue_behind(sql_conn, tenant, jobs=10, events=5)
    async with running_relay(db, database_url, settings.delivery):

        async def all_delivered() -> bool:
            return sql_conn.execute(
                "SELECT count(*) = 0 FROM outbox WHERE status <> 'delivered' AND tenant_id = %s",
                (tenant["tenant_id"],),
            ).fetchone()[0]

        await wait_for(all_delivered, what="the whole backlog delivered")
        destination = sql_conn.execute(
            "SELECT failures, failing_since, paused_until FROM outbox_destinations "
            "WHERE tenant_id = %s",
            (tenant["tenant_id"],),
        ).fetchall()
    assert destination == [(0, None, None)]  # answering again: no longer paused
    delivered = [d for d in receiver.deliveries if d.status == 204]
    assert len(delivered) == 50 and len({d.headers["webhook-id"] for d in delivered}) == 50
    seqs: dict[str, list[int]] = defaultdict(list)
    for delivery in receiver.deliveries:
        seqs[delivery.body["data"]["job_id"]].append(delivery.body["data"]["seq"])
    # Each job's events in order, a failed one tried again before the next is sent.
    assert all(s == sorted(s) for s in seqs.values())


async def test_relay__a_test_send_reaches_a_paused_destination_and_its_success_ends_the_pause(
    loopback_webhooks, settings, db, admin_db, database_url, sql_conn, receiver
):
    settings.delivery.retry_base_seconds = 3600  # paused for an hour after a failure
    tenant = await _tenant(db, admin_db, receiver.url)
    receiver.secret = tenant["endpoint"]["secret"]
    receiver.status = 503
    _queue_behind(sql_conn, tenant, jobs=5, events=3)

    def paused_until() -> Any:
        return sql_conn.execute(
            "SELECT paused_until FROM outbox_destinations WHERE tenant_id = %s",
            (tenant["tenant_id"],),
        ).fetchone()[0]

    async with running_relay(db, database_url, settings.delivery):
        await wait_for(lambda: _async(paused_until()), what="the destination to be paused")
        receiver.status = 204  # the receiver is mended; its tenant checks it
        await db.fetch_one(
            "outbox_test_insert",
            tenant_id=tenant["tenant_id"],
            endpoint_id=tenant["endpoint"]["id"],
        )

        async def all_delivered() -> bool:
            return sql_conn.execute(
                "SELECT count(*) = 0 FROM outbox WHERE status <> 'delivered' AND tenant_id = %s",
                (tenant["tenant_id"],),
            ).fetchone()[0]

        await wait_for(all_delivered, what="the backlog, without waiting out the pause")
    assert paused_until() is None
    assert {d.body["type"] for d in receiver.deliveries if d.status == 204} >= {"webhook.test"}


async def _lease(db: Database, job_id) -> uuid.UUID:
    """Start an execution of the job, as a worker would; its lease."""
    taken = await db.fetch_optional(
        "job_lease_take", actor="test", job_id=job_id, queue_job_id=None
    )
    assert taken is not None
    return taken["lease"]
