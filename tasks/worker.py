"""A worker process: takes jobs from the queue and executes them."""

from __future__ import annotations

import logging
import os
import socket

from app.db import Database, create_pool
from app.delivery.relay import OutboxRelay
from app.jobs.execution import JobExecutor
from app.jobs.kinds import KindRegistry
from app.jobs.queue import RUN_JOB_TASK, create_queue_app
from app.llm.extractive import ExtractiveProvider
from app.llm.provider import Provider
from app.settings import Settings
from tasks.kinds import KINDS
from tasks.run_job import run_job

log = logging.getLogger("courier.worker")


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_worker(
    settings: Settings,
    *,
    kinds: KindRegistry = KINDS,
    provider: Provider | None = None,
    install_signal_handlers: bool = True,
) -> None:
    """Run a worker until cancelled (or, with signal handlers, until SIGINT/SIGTERM)."""
    assert settings.database.url, "run_worker needs settings.database.url"
    name = settings.worker.name or default_worker_name()
    pool = create_pool(
        settings.database.url,
        min_size=1,
        max_size=max(settings.database.pool_min_size, min(settings.worker.concurrency + 2, settings.database.pool_max_size)),
        timeout=settings.database.pool_timeout,
    )
    await pool.open(wait=True, timeout=30)
    relay: OutboxRelay | None = None
    try:
        db = Database(pool)
        if settings.delivery.relay_in_worker:
            relay = OutboxRelay(db, settings.database.url, settings.delivery,
                                base_url=settings.api.public_url or "", name=f"courier-relay:{name}")
            await relay.start()
        executor = JobExecutor(db, kinds, provider or ExtractiveProvider(), worker_name=name)
        queue_app = create_queue_app()
        queue_app.task(name=RUN_JOB_TASK, pass_context=True)(run_job)
        await queue_app.open_async(pool=pool)
        log.info("worker started", extra={"event": "worker_started", "worker": name,
                                          "concurrency": settings.worker.concurrency})
        await queue_app.run_worker_async(
            name=name,
            queues=settings.worker.queues,
            concurrency=settings.worker.concurrency,
            fetch_job_polling_interval=settings.worker.poll_seconds,
            install_signal_handlers=install_signal_handlers,
            additional_context={"executor": executor},
            # Our jobs table is the history; finished queue rows only slow the queue down.
            delete_jobs="successful",
        )
    finally:
        if relay is not None:
            await relay.stop()
        await pool.close()


async def run_relay(settings: Settings) -> None:
    """Run the outbox relay alone (``courier relay``) until cancelled."""
    assert settings.database.url, "run_relay needs settings.database.url"
    pool = create_pool(settings.database.url, min_size=1, max_size=settings.database.pool_max_size,
                       timeout=settings.database.pool_timeout)
    await pool.open(wait=True, timeout=30)
    try:
        relay = OutboxRelay(Database(pool), settings.database.url, settings.delivery,
                            base_url=settings.api.public_url or "",
                            name=f"courier-relay:{default_worker_name()}")
        await relay.run_forever()
    finally:
        await pool.close()
