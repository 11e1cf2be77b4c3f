"""Worker processes for the benchmarks.

    python -m bench.workers courier --database-url URL # Courier's worker; kinds: email_reply + noop
    python -m bench.workers raw --database-url URL     # procrastinate's own worker, a no-op task

The raw worker takes queue ``raw``; deferred with ``record=True`` its task records
its pickup latency on the database's clock (``bench_pickup``), for the comparison
with Courier's ``jobs.started_at - jobs.created_at``.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

import procrastinate
from pydantic import BaseModel

from app.jobs.kinds import Kind, KindResult
from app.logs import configure_logging
from app.settings import Settings

CONCURRENCY = 32
RAW_TASK = "bench.noop"
PICKUP_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bench_pickup "
    "(job_id bigint PRIMARY KEY, latency_ms double precision NOT NULL)"
)


class NoopInput(BaseModel):
    n: int = 0


class NoopOutput(BaseModel):
    ok: bool = True


async def _noop(_input: NoopInput, _provider: object) -> KindResult:
    return KindResult(output=NoopOutput(), model="noop", prompt_version="noop-1")


NOOP = Kind(
    name="noop",
    input_model=NoopInput,
    output_model=NoopOutput,
    handler=_noop,
    default_deadline=timedelta(hours=1),
)


def raw_app(url: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name=RAW_TASK, queue="raw", pass_context=True)
    async def noop(context: procrastinate.JobContext, record: bool = False) -> None:
        if record:
            # Pickup on the database's clock, like Courier's (jobs.started_at - created_at):
            # from the deferring INSERT (its 'deferred' event) to this first statement.
            await context.app.connector.execute_query_async(
                "INSERT INTO bench_pickup (job_id, latency_ms) "
                "SELECT %(job_id)s, extract(epoch FROM clock_timestamp() - at) * 1000 "
                "FROM procrastinate_events WHERE job_id = %(job_id)s AND type = 'deferred'",
                job_id=context.job.id,
            )

    return app


async def run_raw(url: str) -> None:
    app = raw_app(url)
    async with app.open_async():
        await app.run_worker_async(
            queues=["raw"],
            concurrency=CONCURRENCY,
            fetch_job_polling_interval=2.0,
            delete_jobs="successful",
            install_signal_handlers=True,
        )


async def run_courier(url: str) -> None:
    from tasks.kinds import KINDS
    from tasks.worker import run_worker

    settings = Settings()
    settings.database.url = url
    settings.worker.concurrency = CONCURRENCY
    await run_worker(settings, kinds={**KINDS, "noop": NOOP})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["courier", "raw"])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    configure_logging("WARNING")
    # Import by module name, so procrastinate's app is not defined in __main__.
    from bench import workers

    runner = workers.run_courier if args.mode == "courier" else workers.run_raw
    asyncio.run(runner(args.database_url))


if __name__ == "__main__":
    main()
