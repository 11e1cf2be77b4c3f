"""Prometheus metrics: every metric Courier exposes is defined here, once.

Counters and histograms are per process: the API process counts intake, a worker
process counts executions (``COURIER_WORKER_METRICS_PORT`` serves them), and
Prometheus sums across processes. Gauges of shared state (queue depth, open jobs)
are read from PostgreSQL at scrape time by the API's ``/metrics``, so every API
process reports the same, true figure (aggregate them with ``max``, not ``sum``).

Metrics are served on ports of their own, never on the public API port: they are
the operators' (queue depth and volume across every tenant), not a tenant's, and
carry no authentication. The API serves them on ``COURIER_API_METRICS_PORT``
(:func:`serving`), a worker on ``COURIER_WORKER_METRICS_PORT``.

Labels never carry tenant ids or anything a client typed (bounded cardinality, no
data leaks): ``kind`` is one of the registered kinds, ``model`` a configured model.

The delivery layer updates :data:`WEBHOOK_FAILURES` (the outbox relay, once per
failed attempt, with its reason) and the ``SSE_*`` metrics (the event streams:
:data:`SSE_CLIENTS_OPEN` up when one opens, down when it ends, also when the client
goes away; refusals at the caps; the rows tenant-wide streams examine; and, read at
scrape time, how long they are held back by a transaction still running).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import uvicorn
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import start_http_server as _start_http_server

from app.db import Database, DatabaseError
from app.errors import CourierError

# Latencies of our own overhead are milliseconds; model-bound run times are seconds to minutes.
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_SLOW = (0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

# -- intake (API processes) ----------------------------------------------------------
INTAKE_REQUESTS = Counter(
    "courier_intake_requests",
    "Job submissions, by kind and outcome "
    "(created, existing, rate_limited, invalid, in_flight, error).",
    ["kind", "outcome"],
)
INTAKE_SECONDS = Histogram(
    "courier_intake_duration_seconds",
    "Time to decide a job submission (validation, rate limit, intake transaction), by outcome.",
    ["outcome"],
    buckets=_FAST,
)

# -- the queue, read from PostgreSQL at scrape time ---------------------------------------
QUEUE_DEPTH = Gauge(
    "courier_queue_depth",
    "procrastinate queue entries waiting (todo) or running (doing), per queue.",
    ["queue", "status"],
)
JOBS_OPEN = Gauge(
    "courier_jobs_open", "Courier jobs queued or running, per queue.", ["queue", "state"]
)
JOBS_OLDEST_OPEN_SECONDS = Gauge(
    "courier_jobs_oldest_open_seconds",
    "Age of the oldest unchanged queued or running job, per queue.",
    ["queue", "state"],
)

# -- execution (worker processes) ------------------------------------------------------
PICKUP_SECONDS = Histogram(
    "courier_job_pickup_seconds",
    "Submission to the start of the first execution.",
    ["kind"],
    buckets=_FAST,
)
RUN_SECONDS = Histogram(
    "courier_job_run_seconds",
    "Start to end of the execution that finished the job, by end state.",
    ["kind", "state"],
    buckets=_SLOW,
)
JOBS_FINISHED = Counter(
    "courier_jobs_finished", "Executions that ended a job, by end state.", ["kind", "state"]
)
COMPLETIONS_FENCED = Counter(
    "courier_job_completions_fenced",
    "Executions whose completion was refused: their lease was taken "
    "over, or the job was cancelled or expired meanwhile.",
    ["kind"],
)
RETRIES = Counter(
    "courier_job_retries",
    "Executions started for a job that had run before (attempt > 1).",
    ["kind"],
)
MODEL_TOKENS = Counter(
    "courier_model_tokens", "Model tokens used by finished jobs.", ["kind", "model", "direction"]
)
MODEL_COST = Counter(
    "courier_model_cost_usd", "Model cost of finished jobs, in US dollars.", ["kind", "model"]
)

# -- output quality, online (architecture §8): per kind and prompt version ------------------
# Rates are ratios of these counters, e.g. the refusal rate of each kind's version:
#   sum by (kind, prompt_version) (rate(courier_output_outcomes_total{outcome="refused"}[1h]))
#   / sum by (kind, prompt_version) (rate(courier_output_outcomes_total[1h]))
# The quality_signals view (sql/views.sql) gives the same figures from the tables.
OUTPUT_OUTCOMES = Counter(
    "courier_output_outcomes",
    "Outputs executions finished with (delivered or held), by kind, prompt version and the "
    "output's outcome (e.g. drafted, refused, answered, escalated).",
    ["kind", "prompt_version", "outcome"],
)
REVIEW_HOLDS = Counter(
    "courier_review_holds",
    "Outputs held for review, counted once per reason code (high_risk_kind, high_risk, "
    "low_confidence, escalation, or a guard's code), by kind and prompt version.",
    ["kind", "prompt_version", "reason"],
)
REVIEW_DECISIONS = Counter(
    "courier_review_decisions",
    "Review decisions by kind, prompt version and decision: approved, edited (approved with "
    "the reviewer's version) or rejected.",
    ["kind", "prompt_version", "decision"],
)
GUARD_FIRINGS = Counter(
    "courier_guard_firings",
    "Output guards that fired (before any regeneration), by kind, prompt version and guard.",
    ["kind", "prompt_version", "guard"],
)
REGENERATIONS = Counter(
    "courier_regenerations",
    "Regenerations with a stricter prompt after a guard fired, by kind and prompt version.",
    ["kind", "prompt_version"],
)

# -- delivery (hooks: the outbox relay and the SSE endpoint update these) ---------------------
WEBHOOK_FAILURES = Counter(
    "courier_webhook_failures",
    "Failed webhook delivery attempts, once each, by reason: timeout, connection_error, http_3xx "
    "(redirects are not followed), http_4xx, http_5xx, gone (410: endpoint disabled), refused_url "
    "(destination not allowed), dead (the last attempt: the delivery was given up).",
    ["reason"],
)
SSE_CLIENTS_OPEN = Gauge("courier_sse_clients_open", "Event streams (SSE) open in this process.")
SSE_STREAMS_REFUSED = Counter(
    "courier_sse_streams_refused",
    "Event streams refused at a cap, by cap: process (503), tenant or tenant_wide (429).",
    ["cap"],
)
SSE_TENANT_ROWS_EXAMINED = Counter(
    "courier_sse_tenant_rows_examined",
    "Job events the tenant-wide streams of this process read past their cursor, matching their "
    "filter or not: the work they cost the database.",
)
SSE_TENANT_STREAM_LAG = Gauge(
    "courier_sse_tenant_stream_lag_seconds",
    "How long the oldest committed event that a tenant-wide stream of this process cannot send "
    "yet has waited for an older transaction, still running, to end (0: none waits). Events "
    "are sent in commit order, so a long transaction that wrote anything holds the streams "
    "back (docs/event-streams.md).",
)


_QUEUE_STATUSES = ("todo", "doing")
_OPEN_STATES = ("queued", "running")


async def refresh_database_gauges(
    db: Database, queues: Iterable[str] = ("jobs", "backfill")
) -> None:
    """Set the queue and open-job gauges from PostgreSQL (shared state: right whatever
    process asks). Every known queue reports 0 when empty rather than vanishing, so
    dashboards and alerts see an idle queue, not missing data."""
    depth = await db.fetch_all("queue_depth_list")
    open_jobs = await db.fetch_all("job_open_stats", now=None)
    known = set(queues) | {row["queue"] for row in depth} | {row["queue"] for row in open_jobs}
    for gauge in (QUEUE_DEPTH, JOBS_OPEN, JOBS_OLDEST_OPEN_SECONDS):
        gauge.clear()
    for queue in known:
        for status in _QUEUE_STATUSES:
            QUEUE_DEPTH.labels(queue, status).set(0)
        for state in _OPEN_STATES:
            JOBS_OPEN.labels(queue, state).set(0)
            JOBS_OLDEST_OPEN_SECONDS.labels(queue, state).set(0)
    for row in depth:
        QUEUE_DEPTH.labels(row["queue"], row["status"]).set(row["entries"])
    for row in open_jobs:
        JOBS_OPEN.labels(row["queue"], row["state"]).set(row["jobs"])
        JOBS_OLDEST_OPEN_SECONDS.labels(row["queue"], row["state"]).set(row["oldest_seconds"])


CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    """This process's metrics in the Prometheus text format."""
    return generate_latest(REGISTRY)


class MetricsServerFailed(CourierError):
    """The metrics endpoint could not start."""


@contextlib.asynccontextmanager
async def serving(db: Database, queues: Iterable[str], host: str, port: int) -> AsyncIterator[int]:
    """Serve ``GET /metrics`` on ``host:port`` (0: any free port) until the block ends,
    refreshing the database gauges at each scrape; yields the port it listens on.
    Without authentication: bind it where only the operators' network reaches."""
    server = _QuietServer(
        uvicorn.Config(
            _metrics_app(db, frozenset(queues)),
            host=host,
            port=port,
            lifespan="off",
            log_level="warning",
            access_log=False,
            log_config=None,
        )
    )
    task = asyncio.create_task(server.serve(), name="courier metrics endpoint")
    try:
        while not server.started:
            if task.done():
                await task
                raise MetricsServerFailed(f"the metrics endpoint on {host}:{port} stopped")
            await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


class _QuietServer(uvicorn.Server):
    """uvicorn leaves signals to the program it runs in, and says in one line when it
    cannot listen (instead of exiting the process)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def serve(self, sockets: Any = None) -> None:
        try:
            await super().serve(sockets)
        except SystemExit as exc:
            raise MetricsServerFailed(
                f"the metrics endpoint could not listen on {self.config.host}:{self.config.port}"
            ) from exc


def _metrics_app(db: Database, queues: frozenset[str]) -> Any:
    """A bare ASGI application: ``GET /metrics`` and nothing else."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] != "/metrics" or scope["method"] not in ("GET", "HEAD"):
            await _answer(send, 404, b"only GET /metrics here\n", "text/plain")
            return
        try:
            await refresh_database_gauges(db, queues)
        except DatabaseError:
            await _answer(send, 503, b"the database is unavailable\n", "text/plain")
            return
        await _answer(send, 200, exposition(), CONTENT_TYPE)

    return app


async def _answer(send: Any, status: int, body: bytes, content_type: str) -> None:
    headers = [(b"content-type", content_type.encode()), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def start_metrics_server(port: int, host: str) -> Any:
    """Serve this process's metrics on ``host:port`` from a background thread; returns the
    server for :func:`stop_metrics_server`."""
    server, _thread = _start_http_server(port, addr=host)
    return server


def stop_metrics_server(server: Any) -> None:
    """Stop serving (blocks up to half a second: run it in a thread) and close the socket."""
    server.shutdown()
    server.server_close()


def observe_execution_started(kind: str, attempt: int, pickup_seconds: float | None) -> None:
    if attempt > 1:
        RETRIES.labels(kind).inc()
    elif pickup_seconds is not None:
        PICKUP_SECONDS.labels(kind).observe(max(0.0, pickup_seconds))


def observe_execution_finished(
    kind: str,
    state: str,
    run_seconds: float | None,
    *,
    model: str | None = None,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cost_usd: float = 0.0,
) -> None:
    JOBS_FINISHED.labels(kind, state).inc()
    if run_seconds is not None:
        RUN_SECONDS.labels(kind, state).observe(max(0.0, run_seconds))
    if model:
        MODEL_TOKENS.labels(kind, model, "input").inc(input_tokens)
        MODEL_TOKENS.labels(kind, model, "output").inc(output_tokens)
        MODEL_COST.labels(kind, model).inc(cost_usd)


def observe_output(
    kind: str, prompt_version: str | None, outcome: str | None, held_for: Iterable[str] = ()
) -> None:
    """An execution finished with an output whose ``outcome`` is given, delivered or held
    for review for the reason codes ``held_for``."""
    version = prompt_version or "none"
    OUTPUT_OUTCOMES.labels(kind, version, outcome or "none").inc()
    for code in held_for:
        REVIEW_HOLDS.labels(kind, version, code).inc()


def observe_review_decision(kind: str, prompt_version: str | None, decision: str) -> None:
    REVIEW_DECISIONS.labels(kind, prompt_version or "none", decision).inc()


def observe_guard_fired(kind: str, prompt_version: str | None, guard: str) -> None:
    """For the model layer's guards: ``guard`` (a stable code) fired on an output."""
    GUARD_FIRINGS.labels(kind, prompt_version or "none", guard).inc()


def observe_regeneration(kind: str, prompt_version: str | None) -> None:
    """For the model layer's guards: an output was generated again with a stricter prompt."""
    REGENERATIONS.labels(kind, prompt_version or "none").inc()
