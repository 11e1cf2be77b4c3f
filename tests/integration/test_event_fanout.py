"""SSE fan-out inside one API process: one read of job_events per job and
notification serves every stream of the job; a stream that is behind catches up
from the database itself, so nothing is lost or repeated. A tenant-wide stream
costs bounded work per wake-up, also with a filter that rarely matches or while a
long transaction holds it back, and any stream ends cleanly when a read fails."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY

from app.db import DatabaseUnavailable
from app.delivery import hub as hub_module
from app.delivery.sse import TENANT_SCAN
from app.keys.service import KeyService
from tests.support.counting_database import CountingDatabase
from tests.support.jobs import JobFactory, advance, principal_of, write_event_history
from tests.support.plans import rows_read
from tests.support.streams import event_streams, next_message
from tests.support.waiting import wait_for


async def _job(job_factory: JobFactory) -> tuple[uuid.UUID, uuid.UUID]:
    """A queued job (no queue entry: nothing runs it)."""
    job = await job_factory(input={})
    return job["tenant_id"], job["id"]


async def _next_seq(stream: AsyncIterator[Any]) -> int:
    """The seq of the stream's next event (comments skipped)."""
    async for message in stream:
        if message.data is not None:
            return int(message.id)
    raise AssertionError("the stream ended")


async def test_job_stream__one_read_per_notification_serves_every_client_of_the_job(
    streams, counting_db, sql_conn: psycopg.Connection, job_factory
):
    tenant_id, job_id = await _job(job_factory)
    clients = [await streams.open_job_stream(tenant_id, job_id, None) for _ in range(20)]
    assert [await _next_seq(c) for c in clients] == [1] * 20
    counting_db.runs.clear()

    advance(sql_conn, str(job_id), "running")

    assert [await _next_seq(c) for c in clients] == [2] * 20
    # One shared read for the 20 streams (a second only if the LISTEN connection was
    # reopened meanwhile, which wakes every feed).
    assert 1 <= counting_db.runs["job_event_list"] <= 2
    advance(sql_conn, str(job_id), "succeeded")
    assert [await _next_seq(c) for c in clients] == [3] * 20
    for client in clients:  # the terminal event ends every stream
        with pytest.raises(StopAsyncIteration):
            await anext(client)
    assert streams.hub.subscriber_count == 0


async def test_job_stream__a_client_behind_the_feed_catches_up_from_the_database_without_gaps_or_repeats(  # noqa: E501 (a test's name is its behaviour sentence)
    streams, counting_db, sql_conn: psycopg.Connection, monkeypatch, job_factory
):
    # The feed keeps only the newest event, so a resumed stream is behind what it holds.
    monkeypatch.setattr(hub_module, "FEED_KEEP", 1)
    tenant_id, job_id = await _job(job_factory)
    live = await streams.open_job_stream(tenant_id, job_id, None)
    assert await _next_seq(live) == 1
    for state in ("running", "queued", "running"):
        advance(sql_conn, str(job_id), state)
    assert [await _next_seq(live) for _ in range(3)] == [2, 3, 4]

    resumed = await streams.open_job_stream(tenant_id, job_id, "1")  # as after a reconnect
    reads_before = counting_db.runs["job_event_list"]
    assert [await _next_seq(resumed) for _ in range(3)] == [2, 3, 4]
    assert counting_db.runs["job_event_list"] == reads_before + 1  # its own catch-up read

    advance(sql_conn, str(job_id), "succeeded")
    assert await _next_seq(live) == 5 and await _next_seq(resumed) == 5
    for stream in (live, resumed):
        with pytest.raises(StopAsyncIteration):
            await anext(stream)


async def test_job_stream__a_client_joining_a_busy_job_reads_its_history_once_then_follows_the_feed(
    streams, counting_db, sql_conn: psycopg.Connection, job_factory
):
    tenant_id, job_id = await _job(job_factory)
    first = await streams.open_job_stream(tenant_id, job_id, None)
    assert await _next_seq(first) == 1
    advance(sql_conn, str(job_id), "running")
    assert await _next_seq(first) == 2

    late = await streams.open_job_stream(tenant_id, job_id, None)
    assert [await _next_seq(late) for _ in range(2)] == [1, 2]
    advance(sql_conn, str(job_id), "failed")
    assert await _next_seq(first) == 3 and await _next_seq(late) == 3
    for stream in (first, late):
        await stream.aclose()
    assert streams.hub.subscriber_count == 0


async def test_streams__a_failed_read_after_the_stream_started_ends_it_cleanly(
    streams, counting_db: CountingDatabase, job_factory
):
    tenant_id, job_id = await _job(job_factory)
    job_stream = await streams.open_job_stream(tenant_id, job_id, None)
    tenant_stream = await streams.open_tenant_stream(tenant_id, None, kind=None, state=None)
    for stream in (job_stream, tenant_stream):
        await anext(stream)  # the opening comment: the response has started

        counting_db.fail_next = DatabaseUnavailable("connection lost")

        # The end of a complete response (the client reconnects with Last-Event-ID),
        # not an exception out of the response body.
        with pytest.raises(StopAsyncIteration):
            await anext(stream)
    assert streams.open_count == 0 and streams.hub.subscriber_count == 0


def _cursor(event_id: str) -> tuple[int, int]:
    xid, _, position = event_id.partition(".")
    return int(xid), int(position)


async def test_tenant_stream__a_filter_that_rarely_matches_examines_each_of_a_million_events_once(
    db, sql_conn: psycopg.Connection, job_factory, database_url
):
    job = await job_factory(input={})
    tenant_id, requester_id = job["tenant_id"], job["requester_id"]
    slug = sql_conn.execute("SELECT slug FROM tenants WHERE id = %s", (tenant_id,)).fetchone()[0]
    before = await db.fetch_one("job_event_stream_start")
    start = f"{before['xid']}.0"
    last = write_event_history(
        sql_conn, tenant_id, requester_id, jobs=1000, events_per_job=1000
    )  # a million events, none of them succeeded
    page = {
        "tenant_id": tenant_id,
        "after_xid": before["xid"],
        "after_position": 0,
        "kind": None,
        "state": "succeeded",
        "scan_limit": TENANT_SCAN,
    }
    # One read looks at a bounded number of rows, however much history follows the cursor.
    read = rows_read(sql_conn, "job_event_stream_for_tenant", page)
    assert read.get("job_events", 0) <= TENANT_SCAN and read.get("jobs", 0) <= TENANT_SCAN

    counting = CountingDatabase(db)
    async with event_streams(counting, database_url, heartbeat_seconds=0.2) as streams:
        # A dashboard that resumes from before the million events, filtered on a state
        # none of them has.
        stream = await streams.open_tenant_stream(tenant_id, start, kind=None, state="succeeded")
        assert (await next_message(stream)).comment == "courier tenant events"
        # It reads through the history page by page; its heartbeats carry how far it got,
        # so a reconnecting browser would not read it again either.
        message = await next_message(stream, timeout=300)
        while message.id is None or _cursor(message.id) < last:
            assert message.data is None  # nothing matched
            message = await next_message(stream, timeout=300)
        pages = [
            (int(p["after_xid"]), p["after_position"])
            for p in counting.params_of("job_event_stream_for_tenant")
        ]
        assert pages == sorted(pages)  # the cursor only moves on
        assert len(pages) <= 1_000_000 // TENANT_SCAN + 5

        # Now each wake-up reads only what came since, not the million again.
        caught_up = len(pages)
        for _ in range(3):
            await job_factory(tenant=slug)  # queued: notified, and not a match
        for _ in range(2):  # the stream runs on until its next heartbeats
            assert (await next_message(stream)).data is None
        later = counting.params_of("job_event_stream_for_tenant")[caught_up:]
        assert later and all((int(p["after_xid"]), p["after_position"]) >= last for p in later)
        latest = later[-1] | {"kind": None, "state": "succeeded"}
        assert rows_read(sql_conn, "job_event_stream_for_tenant", latest).get("job_events", 0) < 10
        await stream.aclose()


def _lag() -> float:
    return REGISTRY.get_sample_value("courier_sse_tenant_stream_lag_seconds") or 0.0


async def test_tenant_stream__held_back_by_a_long_transaction_it_heartbeats_without_rereading(
    counting_db: CountingDatabase, db, database_url: str, job_factory
):
    held = await job_factory(tenant="acme")
    tenant_id = held["tenant_id"]

    async def commit_a_job() -> uuid.UUID:
        # As the intake does (job_factory would also touch the tenant row, which the long
        # transaction below keeps locked).
        inserted = await db.fetch_all(
            "job_insert",
            actor="test",
            lock_timeout="0",
            tenant_id=tenant_id,
            requester_id=held["requester_id"],
            kind="email_reply",
            input={},
            idempotency_key=uuid.uuid4().hex,
            request_hash="x",
            priority=0,
            queue="jobs",
            expires_in=timedelta(hours=1),
            callback_url=None,
            replay_of=None,
            replayed_by_id=None,
            backfill_batch=None,
            acl_groups=None,
        )
        return inserted[0]["id"]

    async with event_streams(counting_db, database_url, heartbeat_seconds=0.3) as streams:
        stream = await streams.open_tenant_stream(tenant_id, None, kind=None, state=None)
        assert (await next_message(stream)).comment == "courier tenant events"
        with psycopg.connect(database_url) as long_transaction:
            # Elsewhere in the cluster, a transaction writes an event and stays open: no
            # event committed after it may pass it, or the stream's cursor would skip it.
            long_transaction.execute(
                "UPDATE jobs SET state = 'running', lease = gen_random_uuid(), "
                "attempt = attempt + 1 WHERE id = %s",
                (held["id"],),
            )
            committed: list[uuid.UUID] = []
            stop = asyncio.Event()

            async def commit_events() -> None:
                while not stop.is_set():  # each one a notification for the stream
                    committed.append(await commit_a_job())

            writer = asyncio.create_task(commit_events())
            try:

                async def some_committed() -> bool:
                    return len(committed) >= 3

                await wait_for(some_committed, what="events committed behind the transaction")
                reads_before = counting_db.runs["job_event_stream_for_tenant"]
                heartbeats = 0
                while heartbeats < 3:  # notifications keep coming, and so do heartbeats
                    message = await next_message(stream)
                    assert message.data is None  # nothing passes the open transaction
                    heartbeats += message.comment == "heartbeat"
                reads = counting_db.runs["job_event_stream_for_tenant"] - reads_before
                lag_while_held = _lag()
            finally:
                stop.set()
                await asyncio.wait_for(writer, 30)
            # At most one read per heartbeat: no re-read per notification, no spinning.
            assert reads <= heartbeats + 2
            assert lag_while_held > 0
            long_transaction.commit()

        # Then everything arrives, in commit order: the long transaction's event first.
        expected = [(held["id"], 2)] + [(job_id, 1) for job_id in committed]
        received: list[tuple[uuid.UUID, int]] = []
        while len(received) < len(expected):
            message = await next_message(stream)
            if message.data is not None:
                body = json.loads(message.data)
                received.append((uuid.UUID(body["job_id"]), body["seq"]))
        assert received == expected
        assert (await next_message(stream)).comment == "heartbeat"  # caught up: idle again
        assert _lag() == 0
        await stream.aclose()


async def test_streams__of_a_key_revoked_while_nobody_listened_end_once_the_listener_is_back(
    streams, db, admin_db, make_key, job_factory
):
    key = await make_key()
    principal = await principal_of(db, key)
    job = await job_factory(input={})  # of another tenant, followed with another key
    tenant_stream = await streams.open_tenant_stream(
        principal.tenant_id, None, kind=None, state=None, key_id=principal.key_id
    )
    other = await streams.open_job_stream(job["tenant_id"], job["id"], None, key_id="0123abcd")
    assert (await next_message(tenant_stream)).comment == "courier tenant events"
    assert (await next_message(other)).comment == "courier job events"

    await streams.hub.listener.stop()  # the LISTEN connection is down...
    await KeyService(admin_db).revoke(key)  # ...so this notification is lost
    await streams.hub.listener.start()

    # Back, the process asks which keys of its open streams are still live.
    with pytest.raises(StopAsyncIteration):
        await next_message(tenant_stream)
    assert streams.open_count == 1
    await other.aclose()


async def test_streams__admitted_just_after_their_key_was_revoked_end_before_sending(
    streams, job_factory
):
    tenant_id, job_id = await _job(job_factory)
    streams.key_revoked("0123abcd")  # the notification came while the request was checked

    stream = await streams.open_job_stream(tenant_id, job_id, None, key_id="0123abcd")

    assert (await next_message(stream)).comment == "courier job events"
    with pytest.raises(StopAsyncIteration):  # not its queued event
        await next_message(stream)
