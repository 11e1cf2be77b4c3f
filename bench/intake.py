"""Intake latency: N sequential ``POST /v1/jobs`` against a real API process.

    python -m bench.intake [--requests 1000] [--database-url URL]

Without ``--database-url`` (or ``DATABASE_URL``) it starts a throw-away embedded
PostgreSQL. The API runs as its own process (``courier api``), the client here
sends one request at a time over a kept-alive connection, and the figures are
printed, never asserted. No worker runs, so the queue only grows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg

from app.db import Database, create_pool
from app.keys.service import KeyService
from app.migrate import migrate

BODY = {
    "kind": "email_reply",
    "input": {
        "thread": [
            {
                "sender": "a@example.com",
                "sent_at": "2026-11-20T09:00:00Z",
                "body": "The refund will arrive within 5 business days.",
            }
        ],
        "question": "When will the refund arrive?",
    },
}


# Scale-out runs 4 Courier workers beside 4 procrastinate ones, each with its pools:
# more than PostgreSQL's default 100 connections.
MAX_CONNECTIONS = 400


@contextlib.contextmanager
def database(url: str | None) -> Iterator[str]:
    """The given server, or a throw-away embedded one that takes MAX_CONNECTIONS."""
    if url:
        yield url
        return
    from app.embedded import embedded_database, start_embedded_database, stop_embedded_database

    with (
        tempfile.TemporaryDirectory(prefix="courier-bench-") as tmp,
        embedded_database(Path(tmp)) as embedded,
    ):
        with psycopg.connect(embedded, autocommit=True) as conn:
            conn.execute(f"ALTER SYSTEM SET max_connections = {MAX_CONNECTIONS}")
        stop_embedded_database(Path(tmp))
        start_embedded_database(Path(tmp), embedded)
        yield embedded


async def prepare(url: str) -> str:
    await migrate(url)
    # As the owner: making keys and lifting limits are operator actions.
    pool = create_pool(url, min_size=1, max_size=2, timeout=10, role=None)
    await pool.open(wait=True)
    try:
        db = Database(pool)
        tenant = f"bench-{uuid.uuid4().hex[:6]}"
        key, _ = await KeyService(db).create(tenant, "bench")
        # The rate limit still runs on every request; it just never refuses the bench.
        await db.fetch_one(
            "tenant_limits_set",
            slug=tenant,
            rate_limit_per_second=1e9,
            rate_limit_burst=1_000_000_000,
            retention_days=None,
        )
    finally:
        await pool.close()
    return key


@contextlib.contextmanager
def api_process(url: str) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {"DATABASE_URL": url, "COURIER_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "api", "--port", str(port)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the API did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(base: str, key: str, requests: int) -> list[float]:
    latencies = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
        for i in range(50):  # warm-up: connections, prepared plans, caches
            client.post(
                "/v1/jobs", json=BODY, headers={"Idempotency-Key": f"warm-{i}-{uuid.uuid4()}"}
            )
        for _ in range(requests):
            started = time.perf_counter()
            response = client.post(
                "/v1/jobs", json=BODY, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 202:
                raise SystemExit(f"unexpected {response.status_code}: {response.text}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    with database(args.database_url) as url:
        key = asyncio.run(prepare(url))
        with api_process(url) as base:
            started = time.perf_counter()
            latencies = run(base, key, args.requests)
            elapsed = time.perf_counter() - started
    print(
        f"sequential POST /v1/jobs x {args.requests} "
        "(one client, keep-alive, API in its own process)"
    )
    print(f"  p50  {percentile(latencies, 50):7.2f} ms")
    print(f"  p95  {percentile(latencies, 95):7.2f} ms")
    print(f"  p99  {percentile(latencies, 99):7.2f} ms")
    print(
        f"  mean {statistics.fmean(latencies):7.2f} ms   ({args.requests / elapsed:.0f} requests/s)"
    )


if __name__ == "__main__":
    main()
