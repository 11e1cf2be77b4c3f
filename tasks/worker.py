"""A worker process: takes jobs from the queue and executes them."""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from app.db import Database, create_pool
from app.metrics import start_metrics_server, stop_metrics_server
from app.jobs.execution import JobExecutor
from app.jobs.kinds import KindRegistry
from app.jobs.queue import RUN_JOB_TASK, create_queue_app
from app.llm.extractive import ExtractiveProvider
from app.llm.provider import Provider
from app.settings import Settings
from tasks.kinds import KINDS
from tasks.maintenance.retention import RetentionPruner
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
    metrics_server = None
    pruner = None
    try:
        if settings.worker.metrics_port is not None:
            metrics_server = start_metrics_server(settings.worker.metrics_port, settings.worker.metrics_host)
        db = Database(pool)
        executor = JobExecutor(db, kinds, provider or ExtractiveProvider(), worker_name=name)
        queue_app = create_queue_app()
        queue_app.task(name=RUN_JOB_TASK, pass_context=True)(run_job)
        await queue_app.open_async(pool=pool)
        if settings.retention.enabled:
            pruner = RetentionPruner(db, queue_app, settings.retention)
            pruner.start()
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
        if pruner is not None:
            await pruner.stop()
        if metrics_server is not None:
            await asyncio.to_thread(stop_metrics_server, metrics_server)
        await pool.close()
