"""Fixtures of the integration tests alone (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import asyncio
import io
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta

import httpx
import openai
import psycopg
import pytest
from pydantic import SecretStr

from app.db import Database
from app.delivery.hub import EventHub
from app.delivery.sse import EventStreams
from app.jobs.kinds import KindRegistry
from app.jobs.queue import create_queue_app
from app.llm.ledger import PostgresCallLedger
from app.llm.openai_provider import OpenAIProvider
from app.llm.pauses import ProviderPauses
from app.logs import log_handler
from app.settings import RetentionSettings, Settings
from app.tenants.budgets import BudgetService
from tasks.maintenance.retention import RetentionPruner
from tests.fakes.openai_server import FakeOpenAI
from tests.support.counting_database import CountingDatabase
from tests.support.documents import Corpus, corpus_on
from tests.support.ledger import TEST_PRICES
from tests.support.steps import fake_provider
from tests.support.waiting import wait_for
from tests.support.workers import running_worker


@pytest.fixture
def auditor(sql_conn: psycopg.Connection) -> psycopg.Connection:
    """The DBA's connection, switched to the read-only auditor role."""
    sql_conn.execute("SET ROLE courier_auditor")
    return sql_conn


@pytest.fixture
async def counting_db(db: Database) -> CountingDatabase:
    return CountingDatabase(db)


@pytest.fixture
async def watcher(
    counting_db: CountingDatabase, database_url: str
) -> AsyncIterator[ProviderPauses]:
    """One worker process's provider pauses, kept in memory while it listens (listener
    ``courier-pauses-test``), read through ``counting_db``."""
    pauses = ProviderPauses(counting_db)
    await pauses.watch(database_url, name="courier-pauses-test")
    try:
        await wait_for(_watching(pauses), what="the pauses to be loaded")
        yield pauses
    finally:
        await pauses.stop()


def _watching(pauses: ProviderPauses):
    async def check() -> bool:
        return pauses.watching

    return check


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


@pytest.fixture
def login_role(sql_conn) -> Iterator[Callable[..., str]]:
    """Makes login roles for one test (``make("CREATEROLE")``), dropped afterwards."""
    made: list[str] = []

    def make(*options: str) -> str:
        name = f"login_{uuid.uuid4().hex[:8]}"
        sql_conn.execute(f"CREATE ROLE {name} LOGIN {' '.join(options)}")
        made.append(name)
        return name

    yield make
    for name in made:
        sql_conn.execute(f"DROP OWNED BY {name}")
        sql_conn.execute(f"DROP ROLE {name}")


@pytest.fixture
async def provider(fake_openai: FakeOpenAI) -> AsyncIterator[OpenAIProvider]:
    """The OpenAI provider over the real SDK, pointed at ``fake_openai``."""
    openai_provider = fake_provider(fake_openai.url)
    try:
        yield openai_provider
    finally:
        await openai_provider.close()


@pytest.fixture
def model_settings(settings: Settings, fake_openai: FakeOpenAI) -> Settings:
    """Settings whose model provider is ``fake_openai`` (as OPENAI_API_KEY and
    OPENAI_BASE_URL would set it); tiers ``fake-small`` and ``fake-large``, priced as
    the default tiers."""
    settings.llm.api_key = SecretStr("test")
    settings.llm.base_url = fake_openai.url + "/v1"
    settings.llm.model_small = "fake-small"
    settings.llm.model_large = "fake-large"
    settings.prices.models = dict(TEST_PRICES)
    return settings


@pytest.fixture
async def model_worker(
    model_settings: Settings, job_kinds: KindRegistry
) -> AsyncIterator[asyncio.Task]:
    """A real worker calling ``fake_openai``, recording each call in the database."""
    async with running_worker(model_settings, job_kinds) as task:
        yield task


@pytest.fixture
def call_ledger(db: Database) -> PostgresCallLedger:
    """The call ledger at the list prices (the fake's tiers priced as the default
    ones), answers cached for an hour."""
    return PostgresCallLedger(db, TEST_PRICES, timedelta(hours=1))


@pytest.fixture
def budgets(admin_db: Database) -> BudgetService:
    """Budgets as an operator sets them (``courier budget set``)."""
    return BudgetService(admin_db)


@pytest.fixture
def metrics_url(settings: Settings) -> str:
    """Where the API process serves its metrics (its own port, not the API's): ask for
    it before ``api`` or ``http``, which read settings (``usefixtures`` does)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.api.metrics_port = port
    settings.api.metrics_host = "127.0.0.1"
    return f"http://127.0.0.1:{port}/metrics"


@pytest.fixture
async def metrics_text(metrics_url: str) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Scrapes the API's metrics, without a key as Prometheus would: ``await metrics_text()``."""
    async with httpx.AsyncClient(timeout=30) as client:

        async def scrape() -> str:
            response = await client.get(metrics_url)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            return response.text

        yield scrape


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged while the test runs, through Courier's own log handler."""
    stream = io.StringIO()
    handler = log_handler(stream, "DEBUG")
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.fixture
async def responses_client(
    model_settings: Settings, api: str, make_key: Callable[..., Awaitable[str]]
) -> AsyncIterator[openai.AsyncOpenAI]:
    """The real ``openai`` SDK pointed at Courier (``base_url``), its ``api_key`` a
    Courier API key (admin, so it may register webhooks too); Courier's models are
    ``fake-small`` and ``fake-large`` on ``fake_openai``. Async: the API runs in this
    test's event loop."""
    client = openai.AsyncOpenAI(
        base_url=api + "/v1", api_key=await make_key(roles=["admin"]), max_retries=0, timeout=30
    )
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def corpus(db: Database, admin_db: Database) -> AsyncIterator[Corpus]:
    """Documents through the real services as the runtime role, embedded by the real
    embedding code with the offline embedder (tests/support/documents.py)."""
    async with corpus_on(db, admin_db) as made:
        yield made
