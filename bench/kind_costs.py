"""Tokens and cost per job of each job kind, from the tokens real runs record.

    python -m bench.kind_costs [--kinds metadata_enrichment,moderation_summary,...]
                               [--database-url URL]

Every case of a kind's eval dataset (evals/datasets/<kind>.jsonl: realistic inputs)
becomes one job, submitted through the job service and run by a ``courier worker``
process whose model provider is the fake OpenAI server (tests/fakes/openai_server.py,
in this process); the worker prices each call from the price table in settings into
``llm_calls`` (gpt-4.1-mini for the small tier, gpt-4.1 for the large one: a kind's
high-risk inputs are routed there), and the figures are read back from ``llm_calls``.

Where the tokens come from: the fake counts usage from what it was sent and what it
answered, one token per 4 characters (``counted_usage``): the prompt is the messages
the kind rendered plus the JSON schema of the strict ``response_format``. Its answer
to each job is the kind's offline answer to that input (the extractive provider's
output, which keeps the kind's rules and meets the dataset's case): a complete but
terse answer, so output tokens are a floor — a model's rationale or values may run
longer. Jobs run one at a time, so each scripted answer meets its own job; a job the
kind decides without a model (moderation's rule stage) is sent nothing and costs 0. A
job the kind's review policy holds (``needs_review``) has made its calls and counts as
finished (its cost is the same whatever a reviewer decides).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.cost import Cost, cost_of
from bench.inflight import Fake, tenant_keys, worker_process
from bench.intake import database
from bench.run import _sql, create_database
from tests.fakes.openai_server import CHARS_PER_TOKEN, FakeOpenAI, Reply

DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"
DEFAULT_KINDS = ("metadata_enrichment", "moderation_summary", "document_extraction")


def cases(kind: str) -> list[dict[str, Any]]:
    lines = (DATASETS / f"{kind}.jsonl").read_text().splitlines()
    return [json.loads(line)["input"] for line in lines if line.strip()]


async def model_answers(kind: str, job_input: dict[str, Any]) -> list[dict[str, Any]]:
    """What the fake answers each model call of this job: the offline answer of each
    step (none when the kind decides without a model)."""
    from app.llm.extractive import ExtractiveProvider
    from tasks.kinds import KINDS

    answers: list[dict[str, Any]] = []
    offline = ExtractiveProvider()

    class Recording:
        name = "recording"

        async def generate(self, request: Any) -> Any:
            generation = await offline.generate(request)
            answers.append(generation.output.model_dump(mode="json"))
            return generation

    definition = KINDS[kind]
    await definition.handler(definition.input_model.model_validate(job_input), Recording())
    return answers


class Submitter:
    """The job service on its own pool, as the API process holds it."""

    def __init__(self, url: str, key: str) -> None:
        self.url, self.key = url, key

    async def __aenter__(self) -> Submitter:
        from app.db import Database, create_pool
        from app.jobs.queue import JobQueue, create_queue_app
        from app.jobs.service import JobService
        from app.keys.service import KeyService
        from tasks.kinds import KINDS

        self.pool = create_pool(self.url, min_size=1, max_size=4, timeout=30)
        await self.pool.open()
        db = Database(self.pool)
        self.principal = await KeyService(db).authenticate(f"Bearer {self.key}")
        self.queue_app = create_queue_app()
        await self.queue_app.open_async(pool=self.pool)
        self.service = JobService(
            db,
            JobQueue(self.queue_app),
            KINDS,
            max_expires_in=timedelta(days=7),
            idempotency_wait=timedelta(seconds=5),
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.queue_app.close_async()
        await self.pool.close()

    async def submit(self, kind: str, job_input: dict[str, Any], idempotency_key: str) -> str:
        from app.jobs.schemas import JobRequest

        request = JobRequest(kind=kind, input=job_input)
        intake = await self.service.submit(self.principal, request, idempotency_key)
        return str(intake.job.id)


def wait_finished(url: str, job_id: str, deadline: float) -> str:
    while True:
        (state,) = _sql(url, "SELECT state::text FROM jobs WHERE id = %s", (job_id,))[0]
        # A job its kind's review policy holds (needs_review) ran its model calls and
        # waits for a person: finished, as far as its cost goes.
        if state in ("succeeded", "needs_review", "failed", "cancelled", "expired"):
            return str(state)
        if time.monotonic() > deadline:
            raise SystemExit(f"job {job_id} did not finish in time")
        time.sleep(0.02)


async def run_kind(url: str, fake: FakeOpenAI, submitter: Submitter, kind: str) -> str:
    """Every case of the kind as a job, one at a time; returns the batch's key prefix."""
    prefix = f"kind-cost-{kind}-{uuid.uuid4().hex[:8]}-"
    for index, job_input in enumerate(cases(kind)):
        answers = await model_answers(kind, job_input)
        fake.script(*(Reply(patch=answer) for answer in answers))
        sent = fake.request_count
        job_id = await submitter.submit(kind, job_input, f"{prefix}{index}")
        state = wait_finished(url, job_id, time.monotonic() + 60)
        if state not in ("succeeded", "needs_review") or fake.request_count - sent != len(answers):
            raise SystemExit(
                f"{kind} case {index}: {state}, {fake.request_count - sent} model calls "
                f"for {len(answers)} scripted answers"
            )
    return prefix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    results: dict[str, tuple[Cost, str]] = {}
    with (
        database(args.database_url) as admin_url,
        FakeOpenAI(counted_usage=True, keep_requests=False) as fake,
    ):
        url = create_database(admin_url, "bench_kind_costs")
        (key,) = tenant_keys(url, 1)

        async def run_all() -> None:
            async with Submitter(url, key) as submitter:
                for kind in kinds:
                    prefix = await run_kind(url, fake, submitter, kind)
                    results[kind] = (cost_of(url, f"{prefix}%"), "")

        with worker_process(url, Fake(fake.url, os.getpid()), 1):
            asyncio.run(run_all())
        for kind, (cost, _) in results.items():
            models = _sql(
                url,
                "SELECT coalesce(string_agg(model || ' ×' || n, ', ' ORDER BY model), '') FROM "
                "(SELECT j.model, count(*) AS n FROM jobs j WHERE j.kind = %s GROUP BY 1) m",
                (kind,),
            )[0][0]
            results[kind] = (cost, models)
    report(results)


def report(results: dict[str, tuple[Cost, str]]) -> None:
    print(
        f"\nTokens counted by the fake at {CHARS_PER_TOKEN} characters each; list prices "
        "from the price table; one job per eval case.\n"
    )
    print(
        "| kind | jobs | model calls | input tokens / job | output tokens / job | "
        "input / output tokens per model call | cost per 1,000 jobs | made by (jobs) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind, (cost, models) in results.items():
        per_1000 = cost.per_1000 if cost.jobs else Decimal(0)
        per_call = (
            f"{cost.input_tokens / cost.calls:,.0f} / {cost.output_tokens / cost.calls:,.0f}"
            if cost.calls
            else "-"
        )
        print(
            f"| {kind} | {cost.jobs} | {cost.calls} | {cost.per_job(cost.input_tokens):,.0f} | "
            f"{cost.per_job(cost.output_tokens):,.0f} | {per_call} | ${per_1000:.3f} | {models} |"
        )


if __name__ == "__main__":
    main()
