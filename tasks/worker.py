"""A worker process: takes jobs from the queue and executes them.

procrastinate's worker loop ends when it loses the database (its ``run_worker_async``
raises ``ConnectorException`` after an outage) and leaves the jobs of dead workers
``doing`` forever. So the loop runs under a supervisor that restarts it with
backoff, the pool replaces dead connections on checkout, the worker polls as a
backstop for lost notifications, and background duties run beside it: the expiry
sweeper, the stalled-job rescuer, the retention pruner, the outbox relay (unless
it runs alone as ``courier relay``) and, when a port is set, a metrics endpoint.
A graceful stop keeps beating the worker's heartbeat until its last job is done
or given back (:func:`beating_until_drained`), so a drain is not taken for a death.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from procrastinate.worker import Worker as QueueWorker

from app.cancellation import raise_if_cancelled
from app.db import Database, create_pool
from app.jobs.kinds import KindRegistry
from app.jobs.queue import JobQueue, create_queue_app
from app.llm.ledger import PostgresCallLedger
from app.llm.openai_provider import OpenAIProvider
from app.llm.prices import check_priced
from app.llm.routing import ModelTiers
from app.llm.steps import StepRunner
from app.metrics import start_metrics_server, stop_metrics_server
from app.retries import Backoff, backoff_delay
from app.retrieval.embeddings import Embedders
from app.retrieval.service import EmbeddingQueue, Retrieval, SearchTuning
from app.settings import Settings
from tasks.embed import ChunkEmbedding, register_embed_chunks
from tasks.execution import JobExecutor
from tasks.maintenance.expiry import ExpirySweeper
from tasks.maintenance.rescuer import StalledJobRescuer
from tasks.maintenance.retention import RetentionPruner
from tasks.maintenance.service import PeriodicDuty
from tasks.relay import OutboxRelay
from tasks.run_job import register_run_job

log = logging.getLogger("courier.worker")

# A loop that ran this long before failing was healthy: its next failure starts the backoff over.
_HEALTHY_RUN_SECONDS = 30.0
# The first restart waits 0.1-0.2 s; each further failure doubles that, up to backoff_max.
_RESTART_BASE_SECONDS = 0.2


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_worker(
    settings: Settings,
    kinds: KindRegistry,
    *,
    install_signal_handlers: bool = True,
) -> None:
    """Run a worker for jobs of ``kinds`` until cancelled (or, with signal handlers,
    until SIGINT/SIGTERM).

    Cancelling it is a graceful shutdown: no new jobs are taken, running ones get
    ``settings.worker.shutdown_grace_seconds`` to finish, and the rest are given
    back to the queue for another worker.

    Model calls go to the OpenAI-compatible provider of ``settings.llm`` when it has
    an API key, else to the extractive provider; each is recorded in the call ledger
    (``PostgresCallLedger``: llm_calls, checkpoints, cache, budget reservations).
    """
    assert settings.database.url, "run_worker needs settings.database.url"
    worker = settings.worker
    name = worker.name or default_worker_name()
    if install_signal_handlers:
        _cancel_on_signals(asyncio.current_task())
    pool = create_pool(
        settings.database.url,
        min_size=1,
        # Job executions, the queue's listener, heartbeat and abort polling, and the maintenance
        # passes.
        max_size=max(
            settings.database.pool_min_size,
            min(worker.concurrency + 6, settings.database.pool_max_size),
        ),
        timeout=settings.database.pool_timeout,
    )
    # procrastinate's own statements (fetch, finish, heartbeat, abort polling) on a pool
    # whose commits do not wait for the WAL flush: they are scheduling, not the record.
    # A queue entry's state lost in a crash of the database is made good by what is
    # durable (a job's lease and finish are fenced in the jobs table, a stale entry never
    # runs it twice, and the rescuer gives an orphaned job a new entry); every entry that
    # requests an execution is deferred on the caller's own connection, in its
    # transaction. Spares one or two flush waits per job (bench/RESULTS.md).
    queue_pool = create_pool(
        settings.database.url,
        min_size=1,
        max_size=max(4, settings.database.pool_max_size // 2),
        timeout=settings.database.pool_timeout,
        synchronous_commit=False,
        name="courier-queue",
    )
    async with contextlib.AsyncExitStack() as running:
        # Each part is registered for closing before it opens: a stop during start-up
        # must still close the pool, or its connection tasks outlive the loop and the
        # process never exits. Parts close in reverse order.
        running.push_async_callback(pool.close)
        await pool.open(wait=True, timeout=30)
        running.push_async_callback(queue_pool.close)
        await queue_pool.open(wait=True, timeout=30)
        if worker.metrics_port is not None:
            metrics_server = start_metrics_server(worker.metrics_port, worker.metrics_host)
            running.push_async_callback(asyncio.to_thread, stop_metrics_server, metrics_server)
        db = Database(pool)
        await db.log_session_role(log, "worker")
        if settings.delivery.relay_in_worker:
            relay = OutboxRelay(
                db,
                settings.database.url,
                settings.delivery,
                base_url=settings.api.public_url or "",
                name=f"courier-relay:{name}",
            )
            running.push_async_callback(relay.stop)
            await relay.start()
        openai_provider = model_provider(settings)
        if openai_provider is not None:
            running.push_async_callback(openai_provider.close)
        embedders = Embedders.from_settings(settings)
        running.push_async_callback(embedders.close)
        retrieval = settings.retrieval
        steps = StepRunner(
            db,
            PostgresCallLedger(
                db,
                settings.prices.models,
                timedelta(seconds=settings.cache.ttl_seconds),
                stale_after=timedelta(seconds=settings.budget.stale_reservation_seconds),
            ),
            openai=openai_provider,
            tiers=ModelTiers(small=settings.llm.model_small, large=settings.llm.model_large),
            max_output_tokens=settings.llm.max_output_tokens,
            max_pause_wait=settings.llm.max_pause_wait_seconds,
            tries_per_model=settings.llm.tries_per_model,
            contact_domains=frozenset(settings.safety.contact_domains),
            retrieval=Retrieval(
                db,
                embedders,
                SearchTuning(
                    ef_search=retrieval.ef_search,
                    max_scan_tuples=retrieval.max_scan_tuples,
                    candidates=retrieval.candidates,
                    exact_limit=retrieval.exact_limit,
                    shortlist_above=retrieval.shortlist_above,
                    rerank=retrieval.rerank,
                ),
            ),
        )
        if openai_provider is not None:
            # Pauses in memory, kept current by their announcements: no read per call.
            running.push_async_callback(steps.pauses.stop)
            await steps.pauses.watch(settings.database.url, name=f"courier-pauses:{name}")
        queue_app = create_queue_app()
        queue = JobQueue(queue_app)
        executor = JobExecutor(
            db,
            kinds,
            steps,
            worker_name=name,
            queue=queue,
            backoff=Backoff(worker.retry_base_seconds, worker.retry_max_seconds),
            review_window=timedelta(seconds=settings.review_window_seconds),
        )
        register_run_job(queue_app, executor)
        embedding = ChunkEmbedding(db, embedders, batch=retrieval.embed_batch)
        register_embed_chunks(queue_app, embedding)
        await queue_app.open_async(pool=queue_pool)
        await embedding.prepare(EmbeddingQueue(queue_app))
        duties: list[PeriodicDuty] = [
            ExpirySweeper(db, queue, interval=worker.maintenance_seconds),
            StalledJobRescuer(
                db,
                queue,
                interval=worker.maintenance_seconds,
                stalled_after=worker.stalled_after_seconds,
                orphan_grace=worker.orphan_grace_seconds,
            ),
        ]
        if settings.retention.enabled:
            duties.append(RetentionPruner(db, queue_app, settings.retention))
        for duty in duties:
            running.push_async_callback(duty.stop)
            duty.start()
        log.info(
            "worker started",
            extra={"event": "worker_started", "worker": name, "concurrency": worker.concurrency},
        )

        async def run_queue_worker() -> None:
            queue_worker = QueueWorker(
                app=queue_app,
                name=name,
                queues=worker.queues,
                concurrency=worker.concurrency,
                fetch_job_polling_interval=worker.poll_seconds,
                abort_job_polling_interval=worker.abort_poll_seconds,
                shutdown_graceful_timeout=worker.shutdown_grace_seconds,
                update_heartbeat_interval=worker.heartbeat_seconds,
                stalled_worker_timeout=worker.stalled_after_seconds,
                install_signal_handlers=False,
                # Our jobs table is the history; finished queue rows only slow the queue down.
                delete_jobs="successful",
            )
            async with beating_until_drained(queue_worker, worker.heartbeat_seconds):
                await queue_worker.run()

        await supervise(run_queue_worker, name=name, backoff_max=worker.restart_backoff_max_seconds)


def model_provider(settings: Settings) -> OpenAIProvider | None:
    """The OpenAI-compatible provider of the settings; None with neither an API key nor
    a base URL. :class:`~app.llm.prices.UnpricedModel` when a tier's model has no price."""
    llm = settings.llm
    api_key = llm.provider_key()
    if api_key is None:
        return None
    check_model_prices(settings)
    return OpenAIProvider.connect(
        api_key=api_key,
        base_url=llm.base_url,
        timeout=llm.timeout_seconds,
        max_concurrent_calls=llm.max_concurrent_calls,
    )


def check_model_prices(settings: Settings) -> None:
    """With a model provider configured, every tier's model must have a price
    (:func:`app.llm.prices.check_priced`); without one only the free extractive
    provider answers."""
    llm = settings.llm
    if llm.provider_key() is not None:
        check_priced(
            {"COURIER_MODEL_SMALL": llm.model_small, "COURIER_MODEL_LARGE": llm.model_large},
            settings.prices.models,
        )


async def run_relay(settings: Settings) -> None:
    """Run the outbox relay alone (``courier relay``) until cancelled."""
    assert settings.database.url, "run_relay needs settings.database.url"
    pool = create_pool(
        settings.database.url,
        min_size=1,
        max_size=settings.database.pool_max_size,
        timeout=settings.database.pool_timeout,
    )
    async with contextlib.AsyncExitStack() as running:
        running.push_async_callback(pool.close)  # also when stopped during start-up
        await pool.open(wait=True, timeout=30)
        await Database(pool).log_session_role(log, "relay")
        relay = OutboxRelay(
            Database(pool),
            settings.database.url,
            settings.delivery,
            base_url=settings.api.public_url or "",
            name=f"courier-relay:{default_worker_name()}",
        )
        await relay.run_forever()


async def supervise(run: Callable[[], Awaitable[None]], *, name: str, backoff_max: float) -> None:
    """Run ``run`` forever: whenever it ends or fails (the database went away), start
    it again after :func:`app.retries.backoff_delay` (at most ``backoff_max`` seconds).
    Only cancellation stops it."""
    loop = asyncio.get_running_loop()
    failures = 0
    while True:
        raise_if_cancelled()  # never restart a loop that ended because it was told to stop
        started = loop.time()
        try:
            await run()
            log.warning(
                "worker loop ended; restarting",
                extra={"event": "worker_loop_ended", "worker": name},
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "worker loop failed; restarting",
                extra={"event": "worker_loop_failed", "worker": name, "error": repr(exc)},
            )
        if loop.time() - started > _HEALTHY_RUN_SECONDS:
            failures = 0
        failures += 1
        await asyncio.sleep(backoff_delay(failures, _RESTART_BASE_SECONDS, backoff_max))


@contextlib.asynccontextmanager
async def beating_until_drained(queue_worker: QueueWorker, interval: float) -> AsyncIterator[None]:
    """Beat ``queue_worker``'s heartbeat every ``interval`` seconds until the block ends.

    procrastinate stops beating as soon as a stop is requested, before it waits up to
    the shutdown grace for its running jobs: a drain longer than the stalled-worker
    timeout would then look like a dead worker, and the rescuer would run its jobs a
    second time. This beat lasts until the worker loop has returned, that is until
    the last running job has finished or been given back to the queue.
    """

    async def beat() -> None:
        while True:
            raise_if_cancelled()
            await asyncio.sleep(interval)
            worker_id = queue_worker.worker_id  # None before registering, after unregistering
            if worker_id is None:
                continue
            try:
                await queue_worker.app.job_manager.update_heartbeat(worker_id)
            except Exception as exc:  # the database is away: the next beat tries again
                log.warning(
                    "heartbeat failed",
                    extra={"event": "worker_heartbeat_failed", "error": repr(exc)},
                )

    task = asyncio.create_task(beat(), name="courier drain heartbeat")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _cancel_on_signals(task: asyncio.Task | None) -> None:
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
