"""Model calls in flight: one worker process against a provider that answers after 2 s.

    python -m bench.inflight [--jobs 2000] [--concurrency 1000] [--tenants 1] [--delay 2]

Beside it, the raw limit measured in the same run: the bare ``openai`` SDK from one
process (``asyncio.gather`` of ``chat.completions.create`` with the messages and
``response_format`` the kind sends, at most ``--concurrency`` at once) against the
same fake. The two sides alternate over ``--repetitions`` rounds (at least 3),
the side that goes first alternating too; medians.

* The fake (tests/fakes/openai_server.py) runs in its own process and answers every
  call with a valid instance of the schema it was sent, ``--delay`` seconds late,
  over kept-alive HTTP/1.1 connections; its counter gives the most calls in flight
  at once, and its CPU is reported so one can see it is not the bottleneck.
* Courier: ``--jobs`` ``email_reply`` jobs, each with its own question (the same input
  would be answered from the exact-match cache after the first), are submitted
  through the job service (the intake's transaction; untimed) while no worker runs,
  the ``--tenants`` taking turns; then one ``courier worker`` process starts
  (``--concurrency`` jobs at once, as many model calls allowed, ``OPENAI_BASE_URL``
  pointing at the fake). Completed
  jobs per second: the jobs over the span from the first lease to the last
  completion, on the database's clock.
* Raw: one process with ``AsyncOpenAI(max_retries=0)``; calls per second over the
  span from the first call to the last answer.
* For both: CPU is the process's user + system time over the span (``/proc/<pid>/stat``;
  1.0 = one core), "waiting for a CPU" the time its threads were runnable but not
  running (``schedstat``: the machine's other load), memory its peak resident set
  (``VmHWM``).

Figures are printed (a Markdown table), never asserted. Without ``--database-url``
a throw-away embedded PostgreSQL is started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from bench.intake import BODY, database, percentile, prepare
from bench.run import _sql, create_database, prepare_courier

TERMINAL = ["succeeded", "failed", "cancelled", "expired"]


# -- processes ---------------------------------------------------------------------------


_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sched:
    """A process's CPU clocks (Linux ``/proc``) at one moment."""

    at: float
    running: float
    """Seconds its threads have spent on a CPU (``stat``: user + system, exited threads
    included)."""
    waiting: float
    """Seconds its live threads have spent runnable, waiting for a CPU (``schedstat``)."""

    @classmethod
    def of(cls, pid: int | str = "self") -> Sched:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        waiting = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/schedstat") as st:
                waiting += int(st.read().split()[1])
        return cls(time.monotonic(), (int(fields[11]) + int(fields[12])) / _TICKS, waiting / 1e9)

    def since(self, start: Sched) -> tuple[float, float, float]:
        """(wall seconds, CPU seconds, seconds waiting for a CPU) from ``start`` to this."""
        return self.at - start.at, self.running - start.running, self.waiting - start.waiting


def peak_rss_mb(pid: int | str = "self") -> float:
    """The process's peak resident set so far (``VmHWM``), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Fake:
    url: str
    pid: int

    def stats(self) -> dict[str, int]:
        return httpx.get(f"{self.url}/_fake/stats").json()

    def reset(self) -> None:
        httpx.post(f"{self.url}/_fake/reset")


@contextlib.contextmanager
def fake_provider(delay: float) -> Iterator[Fake]:
    """The fake OpenAI server in its own process."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server", "--delay", str(delay)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url:
            raise SystemExit("the fake OpenAI server did not start")
        yield Fake(url, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextlib.contextmanager
def worker_process(
    url: str, fake: Fake, concurrency: int, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """``courier worker``, its model provider the fake; the caller's environment wins
    (e.g. ``COURIER_DB_POOL_MAX_SIZE``), then ``env``."""
    env = (
        {
            "COURIER_LOG_LEVEL": "WARNING",
            "COURIER_WORKER_CONCURRENCY": str(concurrency),
            "COURIER_LLM_MAX_CONCURRENT_CALLS": str(concurrency),
        }
        | os.environ
        | (env or {})
    )
    env |= {"DATABASE_URL": url, "OPENAI_API_KEY": "bench", "OPENAI_BASE_URL": f"{fake.url}/v1"}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- one side each -----------------------------------------------------------------------


@dataclass
class Side:
    """One repetition of one side."""

    items: int
    rate: float
    """Completed jobs (Courier) or answered calls (raw) per second."""
    in_flight: int
    wall: float
    cpu: float
    waiting: float
    rss_mb: float
    latency_ms: list[float] = field(default_factory=list)
    """Each call's latency as its client saw it."""
    fake_cpu: float = 0.0
    """The fake's CPU seconds over the same span."""

    @property
    def cores(self) -> float:
        return self.cpu / self.wall

    @property
    def cpu_ms_per_item(self) -> float:
        return self.cpu * 1000 / self.items

    @property
    def waiting_share(self) -> float:
        return self.waiting / self.wall

    @property
    def fake_cores(self) -> float:
        return self.fake_cpu / self.wall


async def _submit(url: str, keys: list[str], jobs: int, batch: str) -> None:
    """``jobs`` email_reply jobs through the job service (the intake's transaction), the
    tenants of ``keys`` taking turns."""
    from app.db import Database, create_pool
    from app.jobs.queue import JobQueue, create_queue_app
    from app.jobs.service import JobService
    from app.keys.service import KeyService
    from tasks.kinds import KINDS

    pool = create_pool(url, min_size=4, max_size=16, timeout=30)
    async with pool:
        db = Database(pool)
        principals = [await KeyService(db).authenticate(f"Bearer {key}") for key in keys]
        queue_app = create_queue_app()
        await queue_app.open_async(pool=pool)
        try:
            service = JobService(
                db,
                JobQueue(queue_app),
                KINDS,
                max_expires_in=timedelta(days=7),
                idempotency_wait=timedelta(seconds=5),
            )
            numbers = iter(range(jobs))

            async def submitter() -> None:
                for i in numbers:
                    key = f"{batch}-{i}"
                    await service.submit(principals[i % len(keys)], _request(key), key)

            await asyncio.gather(*(submitter() for _ in range(16)))
        finally:
            await queue_app.close_async()


def _request(name: str) -> Any:
    """BODY with ``name`` (unique in the database) in its question: every job a distinct
    input, so each one calls the model (a repeated input, also of an earlier round,
    would be answered from the exact-match cache)."""
    from app.jobs.schemas import JobRequest

    question = f"{BODY['input']['question']} ({name})"
    return JobRequest.model_validate({**BODY, "input": {**BODY["input"], "question": question}})


def courier_side(url: str, keys: list[str], fake: Fake, jobs: int, concurrency: int) -> Side:
    batch = f"inflight-{uuid.uuid4().hex[:8]}"
    asyncio.run(_submit(url, keys, jobs, batch))
    fake.reset()
    in_batch = "FROM jobs WHERE idempotency_key LIKE %s"
    like = (f"{batch}-%",)
    with worker_process(url, fake, concurrency) as worker:
        # The span starts at the first lease: both processes' clocks are read then.
        while not _sql(url, f"SELECT 1 {in_batch} AND started_at IS NOT NULL LIMIT 1", like):
            if worker.poll() is not None:
                raise SystemExit("the worker stopped")
            time.sleep(0.1)
        ours0, fake0 = Sched.of(worker.pid), Sched.of(fake.pid)
        deadline = ours0.at + 600
        while _sql(
            url, f"SELECT count(*) {in_batch} AND state::text <> ALL(%s)", (*like, TERMINAL)
        )[0][0]:
            if time.monotonic() > deadline:
                raise SystemExit("the jobs did not finish within 10 minutes")
            time.sleep(0.1)
        ours1, fake1 = Sched.of(worker.pid), Sched.of(fake.pid)
        rss = peak_rss_mb(worker.pid)
    (span, not_succeeded) = _sql(
        url,
        "SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8, "
        f"count(*) FILTER (WHERE state <> 'succeeded') {in_batch}",
        like,
    )[0]
    if not_succeeded:
        raise SystemExit(f"{not_succeeded} of {jobs} jobs did not succeed")
    latencies = [
        row[0]
        for row in _sql(
            url,
            "SELECT c.latency_ms FROM llm_calls c JOIN jobs j ON j.id = c.job_id "
            "WHERE j.idempotency_key LIKE %s",
            like,
        )
    ]
    wall, cpu, waiting = ours1.since(ours0)
    return Side(
        items=jobs,
        rate=jobs / span,
        in_flight=fake.stats()["max_in_flight"],
        wall=wall,
        cpu=cpu,
        waiting=waiting,
        rss_mb=rss,
        latency_ms=latencies,
        fake_cpu=fake1.since(fake0)[1],
    )


def raw_side(fake: Fake, calls: int, concurrency: int) -> Side:
    fake.reset()
    command = ["bench.inflight", "sdk", "--base-url", f"{fake.url}/v1"]
    command += ["--calls", str(calls), "--concurrency", str(concurrency)]
    out = subprocess.run(
        [sys.executable, "-m", *command], check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return Side(
        items=calls,
        rate=calls / result["wall"],
        in_flight=fake.stats()["max_in_flight"],
        wall=result["wall"],
        cpu=result["cpu"],
        waiting=result["waiting"],
        rss_mb=result["rss_mb"],
        latency_ms=result["latency_ms"],
        # The fake's CPU over the process's whole life (it is idle while the process starts).
        fake_cpu=result["fake_cpu"],
    )


def tenant_keys(url: str, tenants: int) -> list[str]:
    """Migrate; one API key of each of ``tenants`` new tenants, their rate limits lifted."""
    keys = [prepare_courier(url)]
    keys += [asyncio.run(prepare(url)) for _ in range(tenants - 1)]
    return keys


# -- the bare SDK (runs in its own process) ----------------------------------------------


async def kind_payload() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The messages and ``response_format`` the ``email_reply`` kind sends for BODY."""
    from app.llm.messages import chat_messages
    from app.llm.structured import response_format
    from tasks.kinds.email_reply import EmailReplyInput, draft_email_reply

    asked: list[Any] = []

    class Capture:
        name = "capture"

        async def generate(self, request: Any) -> Any:
            asked.append(request)
            raise _Captured

    with contextlib.suppress(_Captured):
        job = EmailReplyInput.model_validate(BODY["input"])
        await draft_email_reply(job, Capture())  # type: ignore[arg-type]
    (request,) = asked
    return chat_messages(request), response_format(request.output_model)


class _Captured(Exception):
    pass


async def bare_sdk(base_url: str, calls: int, concurrency: int) -> dict[str, Any]:
    import openai

    messages, fmt = await kind_payload()
    client = openai.AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0, timeout=60)
    slots = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one() -> None:
        async with slots:
            started = time.perf_counter()
            await client.chat.completions.create(
                model="gpt-4.1-mini",
                messages=messages,  # type: ignore[arg-type]
                response_format=fmt,  # type: ignore[arg-type]
                max_completion_tokens=2048,
            )
            latencies.append((time.perf_counter() - started) * 1000)

    fake_pid = int(httpx.get(base_url.removesuffix("/v1") + "/_fake/stats").json()["pid"])
    async with client:
        start, fake_start = Sched.of(), Sched.of(fake_pid)
        await asyncio.gather(*(one() for _ in range(calls)))
        end, fake_end = Sched.of(), Sched.of(fake_pid)
    wall, cpu, waiting = end.since(start)
    return {
        "wall": wall,
        "cpu": cpu,
        "waiting": waiting,
        "rss_mb": peak_rss_mb(),
        "latency_ms": latencies,
        "fake_cpu": fake_end.since(fake_start)[1],
    }


# -- the comparison ----------------------------------------------------------------------


def row(
    name: str, unit: str, ours: list[float], raw: list[float], raw_name: str, digits: int = 1
) -> str:
    def fmt(v: float) -> str:
        return f"{v:,.{digits}f}"

    o, r = statistics.median(ours), statistics.median(raw)
    ratio = f"**{o / r:.2f}x**" if r else ""
    return (
        f"| {name} | {fmt(o)}{unit} | {raw_name}: {fmt(r)}{unit} | {ratio} | "
        f"{', '.join(map(fmt, ours))} / {', '.join(map(fmt, raw))} |"
    )


def report(
    args: argparse.Namespace, ours: list[Side], raws: list[Side], loads: list[float]
) -> None:
    sdk = "bare SDK"
    tenants = f"{args.tenants} tenant{'s' if args.tenants > 1 else ''}"
    print(
        f"\n{args.jobs:,} jobs ({tenants}) / calls per round, at most {args.concurrency:,} at "
        f"once, the fake answering after {args.delay:g} s; {args.repetitions} interleaved "
        "rounds, medians; ratio = Courier / raw limit.\n"
    )
    print("| figure | Courier, one worker process | raw limit, same run | ratio | runs |")
    print("| --- | --- | --- | --- | --- |")

    def line(name: str, unit: str, of: Any, digits: int = 1, raw_name: str = sdk) -> None:
        print(row(name, unit, [of(s) for s in ours], [of(s) for s in raws], raw_name, digits))

    line("completed per second", "/s", lambda s: s.rate)
    line("most calls in flight", "", lambda s: s.in_flight, 0)
    line("CPU per completed job / call", " ms", lambda s: s.cpu_ms_per_item, 2)
    line("CPU used (1.0 = one core)", "", lambda s: s.cores, 2)
    line("waiting for a CPU (other load)", "", lambda s: s.waiting_share, 2)
    line("peak RSS", " MiB", lambda s: s.rss_mb, 0)
    line("call latency p50, client side", " ms", lambda s: percentile(s.latency_ms, 50), 0)
    line("call latency p95, client side", " ms", lambda s: percentile(s.latency_ms, 95), 0)
    line("the fake's CPU meanwhile", "", lambda s: s.fake_cores, 2, "during the raw side")
    rate = statistics.median(s.rate for s in ours)
    in_flight = statistics.median(s.in_flight for s in ours)
    goal = min(250.0, 0.5 * statistics.median(s.rate for s in raws))
    print(
        f"\nGoal (issue 14): >= 250 jobs/s with >= 500 in flight, or >= 0.5x the bare SDK "
        f"where that is lower: here >= {goal:,.0f} jobs/s. Courier: {rate:,.0f} jobs/s, "
        f"{in_flight:,.0f} in flight."
    )
    # The machine may be shared: its load beside the figures says how much.
    print(
        "Load average (1 min) at the start and after each round: "
        + ", ".join(f"{load:.1f}" for load in loads)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode")
    sdk = sub.add_parser("sdk", help="(internal) the bare SDK side, in its own process")
    sdk.add_argument("--base-url", required=True)
    sdk.add_argument("--calls", type=int, required=True)
    sdk.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=2000, help="jobs (and raw calls) per round")
    parser.add_argument(
        "--concurrency", type=int, default=1000, help="jobs (raw: calls) at once, one process"
    )
    parser.add_argument(
        "--tenants", type=int, default=1, help="tenants the jobs are spread over (in turn)"
    )
    parser.add_argument("--delay", type=float, default=2.0, help="seconds the fake takes")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    if args.mode == "sdk":
        print(json.dumps(asyncio.run(bare_sdk(args.base_url, args.calls, args.concurrency))))
        return
    if args.repetitions < 3:
        parser.error("--repetitions must be at least 3")

    ours: list[Side] = []
    raws: list[Side] = []
    loads = [os.getloadavg()[0]]
    with database(args.database_url) as admin_url, fake_provider(args.delay) as fake:
        url = create_database(admin_url, "bench_inflight")
        keys = tenant_keys(url, args.tenants)
        # Warm-up, not counted: start-up paths, plans, the fake's first threads.
        raw_side(fake, 50, args.concurrency)
        courier_side(url, keys, fake, 50, args.concurrency)
        for rep in range(args.repetitions):
            # Alternate which side goes first, so neither always meets a warmer machine.
            if rep % 2:
                ours.append(courier_side(url, keys, fake, args.jobs, args.concurrency))
                raws.append(raw_side(fake, args.jobs, args.concurrency))
            else:
                raws.append(raw_side(fake, args.jobs, args.concurrency))
                ours.append(courier_side(url, keys, fake, args.jobs, args.concurrency))
            loads.append(os.getloadavg()[0])
            print(
                f"round {rep + 1}: Courier {ours[-1].rate:.0f} jobs/s "
                f"({ours[-1].in_flight} in flight), bare SDK {raws[-1].rate:.0f} calls/s "
                f"({raws[-1].in_flight} in flight), load average {loads[-1]:.1f}",
                file=sys.stderr,
            )
    report(args, ours, raws, loads)


if __name__ == "__main__":
    main()
