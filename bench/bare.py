"""The raw limits for intake, served like the API (uvicorn), no auth, no validation:

* ``POST /bare``: one INSERT, nothing else (no idempotency, no queue);
* ``POST /bare-defer``: one INSERT and procrastinate's defer of a queue entry in one
  transaction, the least a durable job that wakes a worker costs. procrastinate's
  insert trigger NOTIFYs, and PostgreSQL holds one lock across every notifying
  transaction's commit, flush included: such commits queue behind each other,
  where plain INSERTs share a flush.

    python -m bench.bare --port 8001 --database-url URL
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg_pool
import uvicorn
from litestar import Litestar, Request, post
from psycopg.types.json import Jsonb

SCHEMA = "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, body jsonb NOT NULL)"


def create_app(url: str) -> Litestar:
    pool = psycopg_pool.AsyncConnectionPool(url, min_size=2, max_size=20, open=False)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await pool.open(wait=True)
        try:
            yield
        finally:
            await pool.close()

    @post("/bare", status_code=202)
    async def insert(request: Request, data: dict[str, Any]) -> dict[str, int]:
        async with pool.connection() as conn:
            row = await (
                await conn.execute(
                    "INSERT INTO bench_bare (body) VALUES (%s) RETURNING id", (Jsonb(data),)
                )
            ).fetchone()
        return {"id": row[0]}

    @post("/bare-defer", status_code=202)
    async def insert_and_defer(request: Request, data: dict[str, Any]) -> dict[str, int]:
        async with pool.connection() as conn, conn.transaction():
            row = await (
                await conn.execute(
                    "INSERT INTO bench_bare (body) VALUES (%s) RETURNING id", (Jsonb(data),)
                )
            ).fetchone()
            await conn.execute(
                "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('bare', 'bench.bare', 0, NULL, "
                "NULL, %s, NULL)::procrastinate_job_to_defer_v1])",
                (Jsonb({"id": row[0]}),),
            )
        return {"id": row[0]}

    @post("/healthz-bare", status_code=200)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([insert, insert_and_defer, health], lifespan=[lifespan], logging_config=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.database_url),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
