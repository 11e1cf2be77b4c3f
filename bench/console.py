"""First view of the web console's live jobs page with 10,000 jobs in the tenant.

Starts the real API in this process (embedded PostgreSQL unless DATABASE_URL is
set), gives one tenant ``--jobs`` jobs (one set-based INSERT as the schema owner;
the jobs trigger writes each one's first event), signs a console session in, then
times, over ``--rounds`` rounds each:

* ``GET /console/jobs``: the page a browser loads first (the newest 50 jobs, the
  stream position, the HTML), with the session cookie;
* the raw limit, in the same run: ``GET /v1/jobs?limit=50`` (the API's plain list
  of the same page, JSON) and the ``job_list`` query itself on one connection.

The console's figure over the API's is the ratio to read: the shared machine's
load moves both. The 1-minute load average is printed beside each figure.

    python bench/console.py [--jobs 10000] [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db import Database, create_pool
from app.keys.service import KeyService
from app.migrate import migrate
from app.queries import load_queries
from app.serve import api_server, database_url, wait_started
from app.settings import Settings
from tasks.kinds import KINDS

PAGE = 50


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


async def alternately(rounds: int, calls: list[Callable[[], Awaitable[None]]]) -> list[list[float]]:
    """Each call's times in ms, the calls taking turns round by round, so a burst of load
    on the shared machine falls on all of them alike."""
    for call in calls:
        await call()  # warm: connections, prepared statements, templates
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for call, kept in zip(calls, times, strict=True):
            start = time.perf_counter()
            await call()
            kept.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, values: list[float]) -> float:
    median = statistics.median(values)
    print(
        f"{name}: p50={median:.1f} ms  p95={pct(values, 0.95):.1f} ms  "
        f"max={max(values):.1f} ms  n={len(values)}  ({load()})"
    )
    return median


def fill(url: str, tenant_id: object, requester_id: object, jobs: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key,
                              request_hash, expires_at)
            SELECT %(tenant)s, %(requester)s, 'email_reply', '{}', 'console-bench-' || n,
                   'console-bench', clock_timestamp() + interval '1 day'
            FROM generate_series(1, %(jobs)s) n
            """,
            {"tenant": tenant_id, "requester": requester_id, "jobs": jobs},
        )
        conn.execute("ANALYZE jobs")
        conn.execute("ANALYZE job_events")


async def main(args: argparse.Namespace, url: str) -> None:
    await migrate(url)
    settings = Settings()
    settings.database.url = url
    settings.api.port = 0
    pool = create_pool(url, min_size=1, max_size=4, timeout=10, role=None)  # keys: an operator's
    await pool.open(wait=True)
    key, principal = await KeyService(Database(pool)).create("console-bench", "operator")
    started = time.perf_counter()
    fill(url, principal.tenant_id, principal.id, args.jobs)
    print(f"{args.jobs} jobs written in {time.perf_counter() - started:.1f} s")
    server = api_server(settings, KINDS)
    task = asyncio.create_task(server.serve())
    await wait_started(server, task)
    base = f"http://127.0.0.1:{server.port}"
    job_list = load_queries()["job_list"].sql
    try:
        async with (
            httpx.AsyncClient(base_url=base, timeout=60) as browser,
            httpx.AsyncClient(base_url=base, timeout=60) as client,
            await psycopg.AsyncConnection.connect(url, autocommit=True) as conn,
        ):
            signed_in = await browser.post(
                "/console/sign-in",
                data={"key": key},
                headers={"Origin": base, "Sec-Fetch-Site": "same-origin"},
            )
            assert signed_in.status_code == 303, signed_in.status_code

            async def console_page() -> None:
                page = await browser.get("/console/jobs")
                assert page.status_code == 200 and page.text.count("data-job-id=") == PAGE

            async def api_list() -> None:
                answer = await client.get(
                    f"/v1/jobs?limit={PAGE}", headers={"Authorization": f"Bearer {key}"}
                )
                assert answer.status_code == 200 and len(answer.json()["items"]) == PAGE

            async def list_query() -> None:
                await (
                    await conn.execute(
                        job_list,
                        {
                            "tenant_id": principal.tenant_id,
                            "state": None,
                            "kind": None,
                            "before_id": None,
                            "limit": PAGE + 1,
                        },
                    )
                ).fetchall()

            first = time.perf_counter()
            await console_page()
            cold = (time.perf_counter() - first) * 1000
            print(f"console /console/jobs, first request after start: {cold:.1f} ms ({load()})")
            pages, lists, queries = await alternately(
                args.rounds, [console_page, api_list, list_query]
            )
            page = report(f"console /console/jobs ({args.jobs} jobs, first {PAGE})", pages)
            api = report(f"raw: GET /v1/jobs?limit={PAGE}", lists)
            query = report(f"raw: job_list query (limit {PAGE + 1})", queries)
            print(
                f"console page / API list = {page / api:.2f}; API list / query = {api / query:.1f}"
            )
    finally:
        server.should_exit = True
        await task
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    arguments = parser.parse_args()
    settings = Settings()
    if not settings.database.url:
        settings.data_dir = Path(tempfile.mkdtemp(prefix="courier-bench-"))
    with database_url(settings) as (database, _):
        asyncio.run(main(arguments, database))
