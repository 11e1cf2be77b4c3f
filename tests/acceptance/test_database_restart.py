"""PostgreSQL stopped and started under load: API and worker reconnect, and every
acknowledged job completes. Uses its own cluster: the shared one serves other tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

import pytest

from app.db import Database, DatabaseError, create_pool
from app.embedded import embedded_database, start_embedded_database, stop_embedded_database
from app.keys.service import KeyService
from app.migrate import migrate
from app.settings import Settings
from tests.support.jobs import job_service
from tests.support.requests import request_for
from tests.support.waiting import wait_for
from tests.support.workers import running_worker

pytestmark = pytest.mark.slow


async def test_database_restart__every_acknowledged_job_completes(cluster_dir):
    data_dir = cluster_dir / "restart"
    with embedded_database(data_dir) as url:
        await migrate(url)
        settings = Settings()
        settings.database.url = url
        settings.database.pool_timeout = 2
        worker_settings = settings.worker
        worker_settings.concurrency = 8
        worker_settings.poll_seconds = 0.2
        worker_settings.heartbeat_seconds = 0.5
        worker_settings.stalled_after_seconds = 2
        worker_settings.maintenance_seconds = 0.5
        worker_settings.orphan_grace_seconds = 5
        worker_settings.restart_backoff_max_seconds = 1
        worker_settings.shutdown_grace_seconds = 1

        pool = create_pool(url, min_size=1, max_size=5, timeout=2)
        await pool.open(wait=True)
        db = Database(pool)
        _, principal = await _create_principal(url, "restart", "u")
        acknowledged: list = []
        refused = 0
        stop = asyncio.Event()

        async def produce(service) -> None:
            nonlocal refused
            for i in itertools.count():
                if stop.is_set():
                    return
                try:
                    acknowledged.append(
                        (await service.submit(principal, request_for(20), f"load-{i}")).job.id
                    )
                except DatabaseError:
                    refused += (
                        1  # not acknowledged: the client would retry with its Idempotency-Key
                    )
                await asyncio.sleep(0.02)  # the load's pace

        async def succeeded() -> int:
            async with pool.connection() as conn:
                cur = await conn.execute("SELECT count(*) FROM jobs WHERE state = 'succeeded'")
                return (await cur.fetchone())[0]

        try:
            async with running_worker(settings), job_service(db) as service:
                producer = asyncio.create_task(produce(service))
                await wait_for(
                    lambda: _at_least(succeeded, 20), timeout=60, what="work before the restart"
                )
                await asyncio.to_thread(stop_embedded_database, data_dir)
                await asyncio.sleep(3)  # the outage
                await asyncio.to_thread(start_embedded_database, data_dir, url)
                before = len(acknowledged)
                await wait_for(
                    lambda: _true(len(acknowledged) >= before + 20),
                    timeout=60,
                    what="intake to work again",
                )
                stop.set()
                await producer

                async def all_done():
                    async with pool.connection() as conn:
                        cur = await conn.execute(
                            "SELECT count(*) FROM jobs WHERE id = ANY(%s::uuid[]) "
                            "AND state = 'succeeded'",
                            (acknowledged,),
                        )
                        return (await cur.fetchone())[0] == len(acknowledged)

                await wait_for(
                    all_done, timeout=120, interval=0.5, what="every acknowledged job to succeed"
                )
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await pool.close()
        print(f"\nrestart: acknowledged={len(acknowledged)} refused_during_outage={refused} lost=0")
        assert refused > 0  # the outage was real


async def _at_least(count, n: int) -> bool:
    return await count() >= n


async def _true(value: bool) -> bool:
    return value


async def _create_principal(url: str, tenant: str, user: str):
    """A key and its principal, made as an operator would (keys are not the runtime's to make)."""
    pool = create_pool(url, min_size=1, max_size=1, timeout=5, role=None)
    await pool.open(wait=True)
    try:
        return await KeyService(Database(pool)).create(tenant, user)
    finally:
        await pool.close()
