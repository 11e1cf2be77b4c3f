"""Commit -> SSE client latency.

Starts the real API in this process (embedded PostgreSQL unless DATABASE_URL is
set), opens event streams, then commits job state changes from a separate
connection and measures, per event and client, the time from just before COMMIT
to the message arriving at the client (so it includes the commit, NOTIFY, the
one LISTEN connection, the in-memory fan-out, the re-read of job_events and the
HTTP write). Everything shares one machine (and here one event loop for server
and clients), so the figures are an upper bound of Courier's own overhead.

    python bench/delivery.py [--jobs 200] [--fanout 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db import Database, create_pool
from app.keys.service import KeyService
from app.migrate import migrate
from app.serve import api_server, database_url, wait_started
from app.settings import Settings
from tasks.kinds import KINDS

BODY = {
    "kind": "email_reply",
    "input": {
        "thread": [
            {
                "sender": "a@example.com",
                "sent_at": "2026-11-20T09:00:00Z",
                "body": "Refunds take 5 days.",
            }
        ],
        "question": "When?",
    },
}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def watch(
    client: httpx.AsyncClient,
    url: str,
    key: str,
    arrivals: dict,
    opened: asyncio.Event | None,
    counter: list[int],
    clients: int,
) -> None:
    async with client.stream(
        "GET", url, headers={"Accept": "text/event-stream", "Authorization": f"Bearer {key}"}
    ) as r:
        seq = None
        async for line in r.aiter_lines():
            if line.startswith(": courier"):
                counter[0] += 1
                if opened is not None and counter[0] == clients:
                    opened.set()
            elif line.startswith("id: "):
                seq = int(line[4:])
            elif line == "" and seq is not None:
                arrivals.setdefault(seq, []).append(time.perf_counter())
                seq = None


async def scenario(
    base: str, url: str, key: str, job_ids: list[str], clients_per_job: int
) -> list[float]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients_per_job + 10, max_keepalive_connections=0)
    async with (
        httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client,
        await psycopg.AsyncConnection.connect(url) as conn,
    ):
        for job_id in job_ids:
            arrivals: dict[int, list[float]] = {}
            opened, counter = asyncio.Event(), [0]
            watchers = [
                asyncio.create_task(
                    watch(
                        client,
                        f"/v1/jobs/{job_id}/events",
                        key,
                        arrivals,
                        opened,
                        counter,
                        clients_per_job,
                    )
                )
                for _ in range(clients_per_job)
            ]
            await opened.wait()
            while len(arrivals.get(1, [])) < clients_per_job:
                await asyncio.sleep(0.001)
            for seq, sql in [
                (
                    2,
                    "UPDATE jobs SET state='running', lease=gen_random_uuid(), attempt=attempt+1 "
                    "WHERE id=%s",
                ),
                (3, """UPDATE jobs SET state='succeeded', result='{"body":"x"}' WHERE id=%s"""),
            ]:
                await conn.execute(sql, (job_id,))
                committing = time.perf_counter()
                await conn.commit()
                while len(arrivals.get(seq, [])) < clients_per_job:
                    await asyncio.sleep(0.0005)
                latencies += [(t - committing) * 1000 for t in arrivals[seq]]
            await asyncio.gather(*watchers)
    return latencies


async def main(args: argparse.Namespace, url: str) -> None:
    await migrate(url)
    settings = Settings()
    settings.database.url = url
    settings.api.port = 0
    pool = create_pool(url, min_size=1, max_size=4, timeout=10, role=None)  # keys: an operator's
    await pool.open(wait=True)
    key, _ = await KeyService(Database(pool)).create("bench", "bench-user")
    server = api_server(settings, KINDS)
    task = asyncio.create_task(server.serve())
    await wait_started(server, task)
    base = f"http://127.0.0.1:{server.port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def submit(i: int) -> str:
            r = await client.post(
                "/v1/jobs",
                json=BODY,
                headers={
                    "Authorization": f"Bearer {key}",
                    "Idempotency-Key": f"b-{time.time_ns()}-{i}",
                },
            )
            return r.json()["id"]

        ids = [await submit(i) for i in range(args.jobs + 1)]
    try:
        one = await scenario(base, url, key, ids[: args.jobs], 1)
        many = await scenario(base, url, key, ids[args.jobs :], args.fanout)
    finally:
        server.should_exit = True
        await task
        await pool.close()
    for name, values in [
        (f"1 client per job, {args.jobs} jobs x 2 events", one),
        (f"{args.fanout} clients on one job, 2 events", many),
    ]:
        print(
            f"{name}: n={len(values)}  p50={pct(values, 0.5):.2f} ms  "
            f"p95={pct(values, 0.95):.2f} ms  max={max(values):.2f} ms  "
            f"mean={statistics.fmean(values):.2f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--fanout", type=int, default=100)
    arguments = parser.parse_args()
    settings = Settings()
    if not settings.database.url:
        settings.data_dir = Path(tempfile.mkdtemp(prefix="courier-bench-"))
    with database_url(settings) as (database, _):
        asyncio.run(main(arguments, database))
