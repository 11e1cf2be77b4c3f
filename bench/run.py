"""Courier's benchmark suite: every figure beside the raw limit measured in the same run.

    python -m bench [--repetitions 3] [--history-rows 1000000] [--database-url URL]

The machine is noisy, so each comparison runs its two sides alternately
(``--repetitions`` rounds, at least 3) and reports medians and their ratio:

* intake: ``POST /v1/jobs`` vs a bare Litestar endpoint doing one INSERT and one
  doing an INSERT and procrastinate's defer in one transaction (bench/bare.py), p95
  and throughput at 16 concurrent clients from wrk (installed by
  scripts/install-wrk.sh if missing), with each side's CPU per request;
* pickup: a submission's INSERT -> the first statement of its task, on the
  database's clock, Courier's worker vs procrastinate's own worker with a no-op task;
* delivery: a committed job event -> an SSE client reading it, vs a bare LISTEN
  connection receiving a NOTIFY;
* lifecycle: no-op jobs per second through Courier (lease, handler, fenced
  completion, events) vs procrastinate's own no-op worker;
* scale-out: the lifecycle with 1, 2 and 4 worker processes of each kind, and
  intake with 1 and 2 API processes, each beside the single process, with the CPU
  each measurement used (the processes, PostgreSQL, the whole machine);
* history: intake and poll p95 with ``--history-rows`` finished jobs in the
  table vs an empty database.

Without ``--database-url`` a throw-away embedded PostgreSQL is started. Figures
are printed (a Markdown table), never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import TypeVar

import httpx
import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from app.jobs.queue import RUN_JOB_TASK, create_queue_app
from bench.bare import SCHEMA as BARE_SCHEMA
from bench.intake import BODY, database, percentile, prepare
from bench.load import Load, get_one_of, post_unique
from bench.workers import PICKUP_SCHEMA, RAW_TASK, raw_app

CLIENTS = 16
WARM_UP_SECONDS = 2.0


# -- processes -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def process(
    args: list[str], url: str, ready: Callable[[], bool] | None = None
) -> Iterator[subprocess.Popen]:
    env = os.environ | {
        "DATABASE_URL": url,
        "COURIER_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen([sys.executable, "-m", *args], env=env)
    try:
        deadline = time.monotonic() + 60
        while ready is not None and not ready():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"{' '.join(args)} did not start")
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _answers(url: str, method: str = "GET") -> Callable[[], bool]:
    def check() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.request(method, url, json={}).status_code < 500
        return False

    return check


@contextlib.contextmanager
def courier_api(url: str) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with process(["app.cli", "api", "--port", str(port)], url, _answers(f"{base}/healthz")):
        yield base


@contextlib.contextmanager
def bare_api(url: str) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with process(
        ["bench.bare", "--port", str(port), "--database-url", url],
        url,
        _answers(f"{base}/healthz-bare", "POST"),
    ):
        yield base


# -- load ------------------------------------------------------------------------------
# From wrk (bench/load.py): a native generator, so the figures measure the servers.


def intake_load(base: str, key: str, seconds: float, clients: int = CLIENTS) -> Load:
    return post_unique(
        f"{base}/v1/jobs",
        BODY,
        connections=clients,
        seconds=seconds,
        headers={"Authorization": f"Bearer {key}"},
    )


def bare_load(base: str, seconds: float, clients: int = CLIENTS, path: str = "/bare") -> Load:
    return post_unique(f"{base}{path}", BODY, connections=clients, seconds=seconds)


def poll_load(base: str, key: str, ids: list[str], seconds: float) -> Load:
    return get_one_of(
        base,
        [f"/v1/jobs/{job_id}" for job_id in ids],
        connections=CLIENTS,
        seconds=seconds,
        headers={"Authorization": f"Bearer {key}"},
    )


def warm_up(base: str, key: str | None) -> None:
    """Connections open, plans prepared, caches filled: not counted."""
    if key is None:
        bare_load(base, WARM_UP_SECONDS)
    else:
        intake_load(base, key, WARM_UP_SECONDS)


# -- databases ---------------------------------------------------------------------------


def _sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def create_database(admin_url: str, name: str) -> str:
    _sql(
        admin_url,
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)).as_string(),
    )
    _sql(admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)).as_string())
    return make_conninfo(admin_url, dbname=name)


def prepare_courier(url: str) -> str:
    """Migrate, create the bench tenant's key, and lift its rate limit (the check still runs)."""
    key = asyncio.run(prepare(url))
    _sql(url, "UPDATE tenants SET rate_limit_per_second = 1e9, rate_limit_burst = 1000000000")
    _sql(url, BARE_SCHEMA)
    _sql(url, PICKUP_SCHEMA)
    return key


def fill_history(url: str, rows: int) -> float:
    """``rows`` finished jobs spread over 100 tenants (the bench tenant among them), written
    as history: triggers (and so job_events) are skipped. Returns the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("""
            INSERT INTO tenants (slug) SELECT 'history-' || g FROM generate_series(1, 99) g
            ON CONFLICT DO NOTHING""")
        conn.execute("""
            INSERT INTO principals (tenant_id, external_id)
            SELECT id, 'history-user' FROM tenants ON CONFLICT DO NOTHING""")
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute(
            """
            WITH who AS (
                SELECT row_number() OVER () - 1 AS n, tenant_id, id AS principal_id
                FROM principals WHERE external_id = 'history-user' OR external_id = 'bench'
            ), counted AS (SELECT count(*) AS c FROM who)
            INSERT INTO jobs (id, tenant_id, requester_id, kind, input, idempotency_key,
                              request_hash, state, attempt,
                              created_at, updated_at, started_at, finished_at, expires_at,
                              result, model, prompt_version, input_tokens, output_tokens, cost_usd,
                              version, last_event_seq)
            SELECT courier_uuid_v7(), who.tenant_id, who.principal_id, 'email_reply',
                   '{"question": "When will the refund arrive?", "thread": []}'::jsonb,
                   'history-' || g, md5(g::text), 'succeeded', 1,
                   t, t, t + interval '1 second', t + interval '3 seconds', t + interval '1 hour',
                   '{"body": "Within 5 business days."}'::jsonb, 'extractive', 'email_reply-1',
                   100, 50, 0.0001,
                   3, 3
            FROM generate_series(1, %(rows)s) g
            CROSS JOIN counted
            JOIN who ON who.n = g %% counted.c
            CROSS JOIN LATERAL (SELECT now() - interval '90 days' * random() AS t) ts
        """,
            {"rows": rows},
        )
        conn.execute("VACUUM ANALYZE jobs")
    return time.perf_counter() - started


# -- the comparisons ------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    unit: str
    ours: list[float]
    raw: list[float]
    raw_name: str
    higher_is_better: bool = False

    def row(self) -> str:
        ours, raw = statistics.median(self.ours), statistics.median(self.raw)
        ratio = ours / raw if raw else float("nan")
        return (
            f"| {self.name} | {ours:,.1f} {self.unit} | {self.raw_name}: {raw:,.1f} {self.unit} | "
            f"**{ratio:.2f}x** | {', '.join(f'{v:,.1f}' for v in self.ours)} / "
            f"{', '.join(f'{v:,.1f}' for v in self.raw)} |"
        )


def bench_intake(url: str, key: str, reps: int, seconds: float) -> tuple[list[Figure], list[str]]:
    """Courier's intake beside two raw limits, the three alternating: the bare INSERT
    endpoint (the generator's ceiling too) and INSERT + procrastinate defer in one
    transaction (what any intake that commits a job with its queue entry pays). Also
    where each side's CPU goes per request: on 2 cores, a request that costs the
    machine X ms of CPU caps throughput at 2,000 / X requests/s, however it waits."""
    bare = "bare INSERT endpoint"
    deferred = "bare INSERT + defer, one transaction"
    p95 = Figure("intake p95, 16 clients", "ms", [], [], bare)
    rate = Figure("intake throughput, 16 clients", "req/s", [], [], bare, True)
    p95_defer = Figure("intake p95, 16 clients", "ms", [], [], deferred)
    rate_defer = Figure("intake throughput, 16 clients", "req/s", [], [], deferred, True)
    costs: dict[str, list[RequestCost]] = {"Courier": [], bare: [], deferred: []}
    with courier_api(url) as courier, bare_api(url) as raw:
        pids = {"Courier": [_listening_pid(courier)], "raw": [_listening_pid(raw)]}
        warm_up(raw, None)
        warm_up(courier, key)
        bare_load(raw, WARM_UP_SECONDS, path="/bare-defer")
        for rep in range(reps):
            sides = [
                ("ours", "Courier", lambda: intake_load(courier, key, seconds)),
                ("bare", bare, lambda: bare_load(raw, seconds)),
                ("defer", deferred, lambda: bare_load(raw, seconds, path="/bare-defer")),
            ]
            # Rotate which side goes first, so none always meets a warmer machine.
            sides = sides[rep % 3 :] + sides[: rep % 3]
            for side, name, run in sides:
                load, cost = _request_cost(url, pids["Courier" if side == "ours" else "raw"], run)
                costs[name].append(cost)
                if side == "ours":
                    for figure in (p95, p95_defer):
                        figure.ours.append(load.p95_ms)
                    for figure in (rate, rate_defer):
                        figure.ours.append(load.throughput)
                else:
                    (p95 if side == "bare" else p95_defer).raw.append(load.p95_ms)
                    (rate if side == "bare" else rate_defer).raw.append(load.throughput)
    notes = [
        "| intake, 16 clients | CPU per request, ms (medians): server process / its "
        "PostgreSQL backends / wrk / whole machine |",
        "| --- | --- |",
    ]
    notes += [f"| {name} | {RequestCost.median(runs).text()} |" for name, runs in costs.items()]
    return [p95, rate, p95_defer, rate_defer], notes


@dataclass
class RequestCost:
    """CPU one request cost, in ms, by who spent it (Linux /proc)."""

    server: float
    database: float
    generator: float
    machine: float

    def text(self) -> str:
        return (
            f"{self.server:.3f} / {self.database:.3f} / {self.generator:.3f} / {self.machine:.3f}"
        )

    @staticmethod
    def median(runs: list[RequestCost]) -> RequestCost:
        return RequestCost(
            *(statistics.median(getattr(r, f.name) for r in runs) for f in fields(RequestCost))
        )


def _request_cost(url: str, pids: list[int], run: Callable[[], Load]) -> tuple[Load, RequestCost]:
    load, spent = _cpu_during(url, pids, run)
    requests = max(1, load.requests)
    return load, RequestCost(
        *(
            1000 * cpu / requests
            for cpu in (spent.processes, spent.database, spent.generator, spent.machine)
        )
    )


def _courier_pickups(base: str, key: str, url: str, jobs: int, gap: float) -> list[float]:
    ids: list[str] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
        for _ in range(jobs):
            response = client.post(
                "/v1/jobs", json=BODY, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            ids.append(response.json()["id"])
            time.sleep(gap)  # the submission pace, not a wait for state
    return _wait_rows(
        url,
        len(ids),
        "SELECT (extract(epoch FROM started_at - created_at) * 1000)::float8 FROM jobs "
        "WHERE id = ANY(%s::uuid[]) AND started_at IS NOT NULL",
        ids,
    )


def _raw_pickups(url: str, jobs: int, gap: float) -> list[float]:
    async def defer_all() -> list[int]:
        app = raw_app(url)
        ids: list[int] = []
        async with app.open_async():
            task = app.tasks[RAW_TASK]
            for _ in range(jobs):
                ids.append(await task.defer_async(record=True))
                await asyncio.sleep(gap)  # the submission pace
        return ids

    ids = asyncio.run(defer_all())
    return _wait_rows(
        url, len(ids), "SELECT latency_ms FROM bench_pickup WHERE job_id = ANY(%s)", ids
    )


def _wait_rows(url: str, expected: int, query: str, ids: list) -> list[float]:
    """Both sides measure on the database's clock, from the INSERT that queued the job
    to the first statement of its task."""
    deadline = time.monotonic() + 60
    while True:
        rows = _sql(url, query, (ids,))
        if len(rows) == expected or time.monotonic() > deadline:
            return [row[0] for row in rows]
        time.sleep(0.1)


def bench_pickup(url: str, key: str, reps: int, jobs: int) -> list[Figure]:
    p50 = Figure("pickup p50, queued -> task start", "ms", [], [], "procrastinate no-op worker")
    p95 = Figure("pickup p95, queued -> task start", "ms", [], [], "procrastinate no-op worker")
    gap = 0.02
    with (
        courier_api(url) as base,
        process(["bench.workers", "courier", "--database-url", url], url),
        process(["bench.workers", "raw", "--database-url", url], url),
    ):
        # Warm-up (not counted): both workers connected, listening, plans cached.
        _raw_pickups(url, 10, gap)
        _courier_pickups(base, key, url, 10, gap)
        for rep in range(reps):
            # Alternate which side goes first, so neither always meets a warmer machine.
            if rep % 2:
                ours = _courier_pickups(base, key, url, jobs, gap)
                raw = _raw_pickups(url, jobs, gap)
            else:
                raw = _raw_pickups(url, jobs, gap)
                ours = _courier_pickups(base, key, url, jobs, gap)
            p50.raw.append(percentile(raw, 50))
            p95.raw.append(percentile(raw, 95))
            p50.ours.append(percentile(ours, 50))
            p95.ours.append(percentile(ours, 95))
    return [p50, p95]


def _drain(url: str, queue: str) -> float:
    """Wait until the queue has nothing waiting or running; returns when (perf_counter).
    One connection polls: a new one every 10 ms would spend the cores being measured."""
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE queue_name = %s "
            "AND status IN ('todo', 'doing')",
            (queue,),
        ).fetchone()[0]:  # type: ignore[index]
            time.sleep(0.01)
    return time.perf_counter()


def _courier_lifecycle(url: str, jobs: int) -> float:
    async def enqueue() -> float:
        app = create_queue_app()
        async with await psycopg.AsyncConnection.connect(url) as conn:
            async with conn.transaction():
                cur = await conn.execute(
                    """
                    INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key,
                                      request_hash, expires_at)
                    SELECT p.tenant_id, p.id, 'noop', '{"n": 0}', 'noop-' || gen_random_uuid(), 'h',
                           clock_timestamp() + interval '1 hour'
                    FROM principals p, generate_series(1, %s) WHERE p.external_id = 'bench'
                    RETURNING id::text""",
                    (jobs,),
                )
                ids = [r[0] for r in await cur.fetchall()]
                deferrer = app.configure_task(RUN_JOB_TASK, queue="jobs", connection=conn)
                entries = await deferrer.batch_defer_async(*({"job_id": job_id} for job_id in ids))
                # As intake does: each job names its queue entry (else the orphan rescuer
                # would give it a second one).
                await conn.execute(
                    "UPDATE jobs SET queue_job_id = e.entry FROM unnest(%s::uuid[], %s::bigint[]) "
                    "AS e(id, entry) WHERE jobs.id = e.id",
                    (ids, entries),
                )
        return time.perf_counter()

    started = asyncio.run(enqueue())
    return jobs / (_drain(url, "jobs") - started)


def _raw_lifecycle(url: str, jobs: int) -> float:
    async def enqueue() -> float:
        app = raw_app(url)
        async with app.open_async():
            await app.tasks[RAW_TASK].batch_defer_async(*({} for _ in range(jobs)))
        return time.perf_counter()

    started = asyncio.run(enqueue())
    return jobs / (_drain(url, "raw") - started)


def bench_lifecycle(url: str, reps: int, jobs: int) -> list[Figure]:
    rate = Figure(
        "no-op job lifecycle throughput", "jobs/s", [], [], "procrastinate no-op worker", True
    )
    with (
        process(["bench.workers", "courier", "--database-url", url], url),
        process(["bench.workers", "raw", "--database-url", url], url),
    ):
        _raw_lifecycle(url, 50)  # warm-up, not counted
        _courier_lifecycle(url, 50)
        for rep in range(reps):
            # Alternate which side goes first, so neither always meets a warmer machine.
            sides = [
                lambda: rate.raw.append(_raw_lifecycle(url, jobs)),
                lambda: rate.ours.append(_courier_lifecycle(url, jobs)),
            ]
            for side in sides[rep % 2 :] + sides[: rep % 2]:
                side()
    failed = _sql(url, "SELECT count(*) FROM jobs WHERE kind = 'noop' AND state <> 'succeeded'")[0][
        0
    ]
    if failed:
        raise SystemExit(f"{failed} no-op jobs did not succeed")
    return [rate]


@contextlib.contextmanager
def workers(mode: str, url: str, count: int) -> Iterator[list[subprocess.Popen]]:
    with contextlib.ExitStack() as stack:
        yield [
            stack.enter_context(process(["bench.workers", mode, "--database-url", url], url))
            for _ in range(count)
        ]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError), open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _backend_pids(url: str) -> list[int]:
    return [
        row[0]
        for row in _sql(
            url,
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()",
        )
    ]


@dataclass
class Share:
    """Where a measurement's CPU went, in cores (1.0 = one core busy all along)."""

    ours: float
    database: float
    machine: float

    def text(self) -> str:
        return f"{self.ours:.2f} / {self.database:.2f} / {self.machine:.2f}"


def _machine_busy() -> float:
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _backends_now(url: str) -> dict[int, float]:
    """The database's backends and the CPU each has used so far."""
    return {pid: _cpu_seconds([pid]) for pid in _backend_pids(url)}


def _backends_since(url: str, start: dict[int, float]) -> float:
    """CPU the database's backends used since ``start`` (``_backends_now``): those open
    then, and those a pool opened since (from their start). One that closed meanwhile
    counts for nothing; the benches keep their connections."""
    now = _backends_now(url)
    return sum(max(0.0, now.get(pid, 0.0) - start.get(pid, 0.0)) for pid in now.keys() | start)


T = TypeVar("T")


@dataclass
class CpuSpent:
    """CPU seconds spent during a measurement, by whom, and its wall time."""

    processes: float
    database: float
    generator: float
    machine: float
    seconds: float


def _cpu_during(url: str, pids: list[int], run: Callable[[], T]) -> tuple[T, CpuSpent]:
    """``run()``'s result and the CPU spent meanwhile: by the processes ``pids``, the
    database's backends, this process's children (the load generator), the machine."""
    backends = _backends_now(url)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    before = (_cpu_seconds(pids), _machine_busy())
    result = run()
    seconds = time.perf_counter() - started
    database_cpu = _backends_since(url, backends)
    after = (_cpu_seconds(pids), _machine_busy())
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    generator = done.ru_utime + done.ru_stime - children.ru_utime - children.ru_stime
    processes, machine = (b - a for a, b in zip(before, after, strict=True))
    return result, CpuSpent(processes, database_cpu, generator, machine, seconds)


def _measured(url: str, pids: list[int], run: Callable[[], float]) -> tuple[float, Share]:
    figure, spent = _cpu_during(url, pids, run)
    per_second = (cpu / spent.seconds for cpu in (spent.processes, spent.database, spent.machine))
    return figure, Share(*per_second)


def bench_scaleout(
    url: str, key: str, reps: int, jobs: int, seconds: float
) -> tuple[list[Figure], list[str]]:
    """Completed no-op jobs/s with 1, 2 and 4 worker processes (Courier's and
    procrastinate's own, alternating), and intake with 1 and 2 API processes, each
    beside the single-process figure; with the CPU each side used."""
    figures: list[Figure] = []
    notes = ["| processes | figure | CPU in cores: processes / PostgreSQL / whole machine |"]
    notes.append("| --- | --- | --- |")
    single: dict[str, list[float]] = {}
    for count in (1, 2, 4):
        ours, raw = [], []
        with workers("courier", url, count) as courier, workers("raw", url, count) as bare:
            _raw_lifecycle(url, 50)  # warm-up, not counted
            _courier_lifecycle(url, 50)
            sides = [
                ("procrastinate", bare, _raw_lifecycle, raw),
                ("Courier", courier, _courier_lifecycle, ours),
            ]
            for rep in range(reps):
                # Alternate which side goes first.
                for name, procs, lifecycle, rates in sides[rep % 2 :] + sides[: rep % 2]:
                    rate, share = _measured(
                        url, [p.pid for p in procs], lambda run=lifecycle: run(url, jobs)
                    )
                    rates.append(rate)
                    notes.append(f"| {count} {name} | {rate:,.0f} jobs/s | {share.text()} |")
        single.setdefault("ours", ours)
        single.setdefault("raw", raw)
        figures.append(
            Figure(
                f"no-op lifecycle, {count} Courier worker(s)",
                "jobs/s",
                ours,
                raw,
                f"{count} procrastinate no-op worker(s)",
                True,
            )
        )
        if count > 1:
            figures.append(
                Figure(
                    f"no-op lifecycle, {count} Courier workers vs 1",
                    "jobs/s",
                    ours,
                    single["ours"],
                    "1 Courier worker",
                    True,
                )
            )
    with courier_api(url) as first, courier_api(url) as second:
        bases = [first, second]
        pids = [_listening_pid(base) for base in bases]
        for base in bases:
            warm_up(base, key)
        one, two = [], []
        for _ in range(reps):
            rate, share = _measured(
                url, pids[:1], lambda: intake_load(first, key, seconds).throughput
            )
            one.append(rate)
            notes.append(f"| 1 API | {rate:,.0f} req/s | {share.text()} |")
            rate, share = _measured(url, pids, lambda: _parallel_intake(bases, key, seconds))
            two.append(rate)
            notes.append(f"| 2 API | {rate:,.0f} req/s | {share.text()} |")
        figures.append(
            Figure("intake, 2 API processes vs 1, 16 clients", "req/s", two, one, "1 API", True)
        )
    return figures, notes


def _parallel_intake(bases: list[str], key: str, seconds: float) -> float:
    """16 clients split over the API processes (one wrk each, at once); requests/s."""
    with concurrent.futures.ThreadPoolExecutor(len(bases)) as pool:
        loads = list(
            pool.map(
                lambda base: intake_load(base, key, seconds, clients=CLIENTS // len(bases)),
                bases,
            )
        )
    return sum(load.throughput for load in loads)


def _listening_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True)
    match = re.search(r"pid=(\d+)", out.stdout)
    if match is None:
        raise SystemExit(f"no process listens on {base}")
    return int(match[1])


async def _sse_latencies(base: str, key: str, url: str, jobs: int) -> list[float]:
    """Per job: an SSE client has seen event 1; a transaction commits event 2 (a DBA's
    cancel); the time until the client reads it."""
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client,
        await psycopg.AsyncConnection.connect(url, autocommit=True) as conn,
    ):
        for _ in range(jobs):
            job = (
                await client.post(
                    "/v1/jobs", json=BODY, headers={"Idempotency-Key": str(uuid.uuid4())}
                )
            ).json()
            async with client.stream(
                "GET", f"/v1/jobs/{job['id']}/events", headers={"Accept": "text/event-stream"}
            ) as stream:
                lines = stream.aiter_lines()
                async for line in lines:
                    if line == "id: 1":
                        break
                started = time.perf_counter()
                await conn.execute(
                    "UPDATE jobs SET state = 'cancelled' WHERE id = %s", (job["id"],)
                )
                async for line in lines:
                    if line == "id: 2":
                        latencies.append((time.perf_counter() - started) * 1000)
                        break
    return latencies


async def _listen_latencies(url: str, jobs: int) -> list[float]:
    """The raw limit: a bare LISTEN connection receiving a NOTIFY committed by another."""
    latencies: list[float] = []
    async with (
        await psycopg.AsyncConnection.connect(url, autocommit=True) as listener,
        await psycopg.AsyncConnection.connect(url, autocommit=True) as notifier,
    ):
        await listener.execute("LISTEN bench_raw")
        for i in range(jobs):
            started = time.perf_counter()
            await notifier.execute("SELECT pg_notify('bench_raw', %s)", (str(i),))
            async for _ in listener.notifies(stop_after=1):
                latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def bench_delivery(url: str, key: str, reps: int, jobs: int) -> list[Figure]:
    p50 = Figure("delivery p50, commit -> SSE client", "ms", [], [], "bare LISTEN client")
    p95 = Figure("delivery p95, commit -> SSE client", "ms", [], [], "bare LISTEN client")
    with courier_api(url) as base:
        asyncio.run(_sse_latencies(base, key, url, 5))  # warm-up, not counted
        for _ in range(reps):
            raw = asyncio.run(_listen_latencies(url, jobs))
            ours = asyncio.run(_sse_latencies(base, key, url, jobs))
            p50.raw.append(percentile(raw, 50))
            p95.raw.append(percentile(raw, 95))
            p50.ours.append(percentile(ours, 50))
            p95.ours.append(percentile(ours, 95))
    return [p50, p95]


def bench_history(
    admin_url: str, reps: int, rows: int, seconds: float
) -> tuple[list[Figure], float]:
    empty_url = create_database(admin_url, "bench_empty")
    big_url = create_database(admin_url, "bench_history")
    empty_key, big_key = prepare_courier(empty_url), prepare_courier(big_url)
    fill_seconds = fill_history(big_url, rows)
    label = f"with {rows:,} history rows"
    intake = Figure(f"intake p95 {label}", "ms", [], [], "empty database")
    poll = Figure(f"poll p95 {label}", "ms", [], [], "empty database")
    with courier_api(empty_url) as empty, courier_api(big_url) as big:
        for _ in range(reps):
            for base, key, url, fig_side in (
                (empty, empty_key, empty_url, "raw"),
                (big, big_key, big_url, "ours"),
            ):
                getattr(intake, fig_side).append(intake_load(base, key, seconds).p95_ms)
                ids = [
                    r[0]
                    for r in _sql(
                        url,
                        "SELECT j.id::text FROM jobs j JOIN principals p ON p.id = j.requester_id "
                        "WHERE p.external_id = 'bench' ORDER BY random() LIMIT 2000",
                    )
                ]
                getattr(poll, fig_side).append(poll_load(base, key, ids, seconds).p95_ms)
    return [intake, poll], fill_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument(
        "--seconds", type=float, default=8.0, help="seconds of load per intake/poll measurement"
    )
    parser.add_argument("--pickup-jobs", type=int, default=150, help="jobs per pickup measurement")
    parser.add_argument(
        "--lifecycle-jobs", type=int, default=2000, help="jobs per lifecycle measurement"
    )
    parser.add_argument(
        "--history-rows",
        type=int,
        default=1_000_000,
        help="finished jobs in the history database (the issue asks for 10,000,000)",
    )
    parser.add_argument(
        "--scaleout-jobs", type=int, default=1500, help="jobs per scale-out lifecycle measurement"
    )
    parser.add_argument(
        "--delivery-jobs", type=int, default=100, help="events per delivery measurement"
    )
    parser.add_argument(
        "--only",
        choices=["intake", "pickup", "delivery", "lifecycle", "history", "scaleout"],
        action="append",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a server where the bench may create databases (default: embedded PostgreSQL)",
    )
    args = parser.parse_args()
    if args.repetitions < 3:
        parser.error("--repetitions must be at least 3")
    only = set(args.only or ["intake", "pickup", "delivery", "lifecycle", "history", "scaleout"])
    figures: list[Figure] = []
    notes: list[str] = []
    # The machine may be shared: its load (1 min) before and after each comparison.
    loads: list[str] = []
    cpu_notes: list[str] = []
    with database(args.database_url) as admin_url:
        # A fresh database per comparison: intake leaves tens of thousands of queued
        # jobs that a later worker would otherwise drain.
        def fresh(name: str) -> tuple[str, str]:
            url = create_database(admin_url, f"bench_{name}")
            return url, prepare_courier(url)

        if "intake" in only:
            load = os.getloadavg()[0]
            intake, costs = bench_intake(*fresh("intake"), args.repetitions, args.seconds)
            figures += intake
            cpu_notes.append("\n".join(costs))
            loads.append(f"intake {load:.1f} -> {os.getloadavg()[0]:.1f}")
        if "pickup" in only:
            load = os.getloadavg()[0]
            figures += bench_pickup(*fresh("pickup"), args.repetitions, args.pickup_jobs)
            loads.append(f"pickup {load:.1f} -> {os.getloadavg()[0]:.1f}")
        if "delivery" in only:
            load = os.getloadavg()[0]
            figures += bench_delivery(*fresh("delivery"), args.repetitions, args.delivery_jobs)
            loads.append(f"delivery {load:.1f} -> {os.getloadavg()[0]:.1f}")
        if "lifecycle" in only:
            url, _ = fresh("lifecycle")
            load = os.getloadavg()[0]
            figures += bench_lifecycle(url, args.repetitions, args.lifecycle_jobs)
            loads.append(f"lifecycle {load:.1f} -> {os.getloadavg()[0]:.1f}")
        if "scaleout" in only:
            url, key = fresh("scaleout")
            scaled, shares = bench_scaleout(
                url, key, args.repetitions, args.scaleout_jobs, args.seconds
            )
            figures += scaled
            cpu_notes.append("\n".join(shares))
        if "history" in only:
            history, seconds = bench_history(
                admin_url, args.repetitions, args.history_rows, args.seconds
            )
            figures += history
            notes.append(f"{args.history_rows:,} history rows written in {seconds:.0f} s")
    print(
        f"\n{args.repetitions} interleaved repetitions; medians; ratio = Courier / raw limit "
        f"(lower is better for latency, higher for throughput). {'; '.join(notes)}\n"
    )
    print("| figure | Courier | raw limit (same run) | ratio | runs (Courier / raw) |")
    print("| --- | --- | --- | --- | --- |")
    for figure in figures:
        print(figure.row())
    print(f"\nLoad average (1 min) before -> after each comparison: {'; '.join(loads)}")
    if cpu_notes:
        print("\nWhere the CPU went:")
        for table in cpu_notes:
            print("\n" + table)


if __name__ == "__main__":
    main()
