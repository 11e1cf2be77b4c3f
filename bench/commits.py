"""Commits, WAL flushes and rows written per no-op job, Courier's worker beside
procrastinate's own.

    python -m bench.commits [--jobs 1000] [--database-url URL]

One worker at a time drains ``--jobs`` no-op jobs (the lifecycle comparison of
``python -m bench``); the database's own counters before and after (``pg_stat_database``:
transactions committed, each autocommitted statement one; ``pg_stat_io``: WAL fsyncs, the
flushes a commit waits for) divided by the jobs. The idle worker's polling is counted
too, a few transactions a second: the drain is short, so it stays a small share. The
bench's own polls of the queue (one transaction each) are counted and taken off; the
transaction count still includes autovacuum's and the worker's background duties (the
statements a job sends are counted exactly in bench/RESULTS.md); the WAL fsyncs are the
figure to read.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import psycopg

from bench import run
from bench.intake import database
from bench.run import (
    _courier_lifecycle,
    _raw_lifecycle,
    _sql,
    create_database,
    prepare_courier,
    process,
)

COUNTERS = """
SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
       (SELECT coalesce(sum(fsyncs), 0) FROM pg_stat_io WHERE object = 'wal'),
       (SELECT coalesce(sum(writes), 0) FROM pg_stat_io WHERE object = 'wal')
"""


def counters(url: str) -> tuple[float, float, float]:
    # Statistics reach the shared counters up to a second after a backend's commit.
    time.sleep(1.5)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(COUNTERS).fetchone()
    assert row is not None
    return float(row[0]), float(row[1]), float(row[2])


class CountingSql:
    """bench.run's one-query helper, counting its transactions (the drain's polls)."""

    def __init__(self) -> None:
        self.calls = 0
        self.sql = _sql

    def __call__(self, *args: Any) -> list[tuple]:
        self.calls += 1
        return self.sql(*args)


def per_job(url: str, mode: str, jobs: int) -> str:
    with process(["bench.workers", mode, "--database-url", url], url):
        drain = _courier_lifecycle if mode == "courier" else _raw_lifecycle
        drain(url, 50)  # warm-up
        before = counters(url)
        polls = CountingSql()
        run._sql = polls
        try:
            rate = drain(url, jobs)
        finally:
            run._sql = polls.sql
        after = counters(url)
    # The enqueue transaction, and the counters' own read, count as one each.
    taken_off = (polls.calls + 2, 0, 0)
    commits, fsyncs, writes = (
        (a - b - off) / jobs for a, b, off in zip(after, before, taken_off, strict=True)
    )
    return (
        f"| {mode} | {rate:,.1f} jobs/s | {commits:.2f} | {fsyncs:.2f} | {writes:.2f} | "
        f"{os.getloadavg()[0]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    rows = []
    with database(args.database_url) as admin_url:
        url = create_database(admin_url, "bench_commits")
        prepare_courier(url)
        for mode in ("raw", "courier"):
            rows.append(per_job(url, mode, args.jobs))
    print(
        "\n| worker | drained | commits / job | WAL fsyncs / job | WAL writes / job "
        "| load average (1 min) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
