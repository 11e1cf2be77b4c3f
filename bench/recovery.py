"""How long Courier takes to get its throughput back after PostgreSQL restarts.

    PYTHONPATH=. python bench/recovery.py [--outage 5] [--seconds-before 10] [--seconds-after 30]

Starts its own embedded PostgreSQL in a temporary directory, an in-process worker
(concurrency 16) and a producer that keeps ~40 jobs waiting (each takes 20 ms of
"model time"), measures completions per second before the restart, stops
PostgreSQL for ``--outage`` seconds, starts it again, and reports the time from
the restart until a one-second window reaches 90 % of the pre-restart rate, and
whether any acknowledged job was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db import Database, create_pool
from app.embedded import embedded_database, start_embedded_database, stop_embedded_database
from app.keys.service import KeyService
from app.migrate import migrate
from app.settings import Settings
from tasks.worker import run_worker
from tests.support.jobs import job_service
from tests.support.kinds import TEST_KINDS
from tests.support.requests import request_for


async def bench(url: str, data_dir: Path, outage: float, before_s: float, after_s: float) -> None:
    await migrate(url)
    settings = Settings()
    settings.database.url = url
    settings.database.pool_timeout = 2
    w = settings.worker
    w.concurrency, w.poll_seconds, w.heartbeat_seconds, w.stalled_after_seconds = 16, 0.2, 1, 5
    w.maintenance_seconds, w.orphan_grace_seconds, w.restart_backoff_max_seconds = 1, 10, 2
    admin_pool = create_pool(url, min_size=1, max_size=1, timeout=5, role=None)
    async with admin_pool:  # keys are an operator's to make, not the runtime role's
        _, principal = await KeyService(Database(admin_pool)).create("bench", "u")
    pool = create_pool(url, min_size=2, max_size=8, timeout=2)
    await pool.open(wait=True)
    db = Database(pool)
    acknowledged: list = []
    stop = asyncio.Event()

    async def count(sql: str) -> int:
        async with pool.connection() as conn:
            return (await (await conn.execute(sql)).fetchone())[0]

    async def produce(service) -> None:
        for i in itertools.count():
            if stop.is_set():
                return
            try:
                waiting = await count("SELECT count(*) FROM jobs WHERE state = 'queued'")
                if waiting < 40:
                    for j in range(20):
                        acknowledged.append(
                            (await service.submit(principal, request_for(20), f"b-{i}-{j}")).job.id
                        )
                else:
                    await asyncio.sleep(0.01)
            except Exception:  # the database is down: not acknowledged, try again
                await asyncio.sleep(0.1)

    async def done_count() -> int | None:
        try:
            return await count("SELECT count(*) FROM jobs WHERE state = 'succeeded'")
        except Exception:
            return None

    worker = asyncio.create_task(
        run_worker(settings, kinds=TEST_KINDS, install_signal_handlers=False)
    )
    samples: list[tuple[float, int | None]] = []
    async with job_service(db, TEST_KINDS) as service:
        producer = asyncio.create_task(produce(service))
        await asyncio.sleep(3)  # warm-up
        start = time.monotonic()
        while time.monotonic() - start < before_s:
            samples.append((time.monotonic(), await done_count()))
            await asyncio.sleep(0.25)
        rate_before = (samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0])
        await asyncio.to_thread(stop_embedded_database, data_dir)
        await asyncio.sleep(outage)
        await asyncio.to_thread(start_embedded_database, data_dir, url)
        restarted = time.monotonic()
        after: list[tuple[float, int | None]] = []
        while time.monotonic() - restarted < after_s:
            after.append((time.monotonic(), await done_count()))
            await asyncio.sleep(0.25)
        stop.set()
        await producer
    recovered_at = None
    points = [(t, n) for t, n in after if n is not None]
    for i, (t, n) in enumerate(points):
        window = [(t2, n2) for t2, n2 in points[i:] if t2 - t <= 1.0]
        if len(window) >= 2 and window[-1][0] - t >= 0.7:
            rate = (window[-1][1] - n) / (window[-1][0] - t)
            if rate >= 0.9 * rate_before:
                recovered_at = t - restarted
                break
    tail = [(t, n) for t, n in points if t - restarted > after_s / 2]
    rate_after = (
        (tail[-1][1] - tail[0][1]) / (tail[-1][0] - tail[0][0]) if len(tail) > 1 else float("nan")
    )

    async def unfinished() -> int:
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT count(*) FROM jobs WHERE id = ANY(%s::uuid[]) AND state <> 'succeeded'",
                (acknowledged,),
            )
            return (await cur.fetchone())[0]

    deadline = time.monotonic() + 60
    while (left := await unfinished()) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker
    await pool.close()
    print(f"throughput before restart: {rate_before:.0f} jobs/s")
    print(f"outage: {outage:.1f} s (PostgreSQL stopped, then started)")
    print(
        f"time from restart to >= 90 % of that throughput: "
        f"{f'{recovered_at:.1f} s' if recovered_at is not None else f'not within {after_s:.0f} s'}"
    )
    print(
        f"throughput in the second half of the {after_s:.0f} s after: {rate_after:.0f} jobs/s "
        f"({rate_after / rate_before:.0%})"
    )
    print(f"acknowledged jobs: {len(acknowledged)}, not succeeded 60 s later: {left}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--seconds-before", type=float, default=10.0)
    parser.add_argument("--seconds-after", type=float, default=30.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with (
        tempfile.TemporaryDirectory(prefix="courier-bench-") as tmp,
        embedded_database(Path(tmp)) as url,
    ):
        asyncio.run(bench(url, Path(tmp), args.outage, args.seconds_before, args.seconds_after))


if __name__ == "__main__":
    main()
