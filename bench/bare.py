"""The raw limit for intake: a bare Litestar endpoint doing one INSERT, nothing else
(no auth, no validation, no idempotency, no queue). Served like the API (uvicorn).

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

    @post("/healthz-bare", status_code=200)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([insert, health], lifespan=[lifespan], logging_config=None)


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
