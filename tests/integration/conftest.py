"""Fixtures of the integration tests alone (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
import pytest

from app.db import Database
from app.delivery.hub import EventHub
from app.delivery.sse import EventStreams
from app.jobs.queue import create_queue_app
from app.settings import RetentionSettings
from tasks.maintenance.retention import RetentionPruner
from tests.support.counting_database import CountingDatabase


@pytest.fixture
def auditor(sql_conn: psycopg.Connection) -> psycopg.Connection:
    """The DBA's connection, switched to the read-only auditor role."""
    sql_conn.execute("SET ROLE courier_auditor")
    return sql_conn


@pytest.fixture
async def counting_db(db: Database) -> CountingDatabase:
    return CountingDatabase(db)


@pytest.fixture
async def streams(counting_db: CountingDatabase, database_url: str) -> AsyncIterator[EventStreams]:
    """The API's event streams on their own hub, reading through ``counting_db``."""
    hub = EventHub(database_url, counting_db, name="courier-sse-test")
    streams = EventStreams(counting_db, hub, heartbeat_seconds=60, retry_ms=1000)
    await hub.start()
    try:
        yield streams
    finally:
        await hub.stop()


@pytest.fixture
async def pruner(db: Database) -> AsyncIterator[RetentionPruner]:
    """A retention pruner: 30 days by default, batches of 2, queue entries kept an hour."""
    queue_app = create_queue_app()
    await queue_app.open_async(pool=db.pool)
    try:
        yield RetentionPruner(
            db, queue_app, RetentionSettings(days=30, batch_size=2, queue_hours=1)
        )
    finally:
        await queue_app.close_async()


@pytest.fixture
def notes_with_rls(sql_conn) -> None:
    """A test table with a row level security policy of the shape retrieval will use."""
    sql_conn.execute(
        """
        CREATE TABLE rls_notes (tenant_id uuid NOT NULL, groups text[] NOT NULL, body text);
        ALTER TABLE rls_notes ENABLE ROW LEVEL SECURITY;
        ALTER TABLE rls_notes FORCE ROW LEVEL SECURITY;
        CREATE POLICY rls_notes_reader ON rls_notes FOR SELECT USING (
            tenant_id = nullif(current_setting('courier.tenant_id', true), '')::uuid
            AND groups
                && coalesce(nullif(current_setting('courier.groups', true), ''), '{}')::text[]
        );
        GRANT SELECT ON rls_notes TO courier_runtime;
        """
    )
