"""SSE fan-out inside one API process: one read of job_events per job and
notification serves every stream of the job; a stream that is behind catches up
from the database itself, so nothing is lost or repeated."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from app.delivery import hub as hub_module
from tests.support.jobs import JobFactory, advance


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
