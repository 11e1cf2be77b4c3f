"""Tokens per job and cost per 1,000 jobs of ``account_summary``, ``follow_up_draft``,
``product_description`` and ``bio``, from the tokens real runs record.

    python -m bench.cost_kinds [--kind bio ...] [--database-url URL]

The same pipeline as ``bench.cost``: jobs submitted through the job service, run by a
``courier worker`` process whose provider is the fake OpenAI server (in this process),
priced by the worker from the price table into ``llm_calls`` and read back from there.
The inputs are each kind's eval cases (evals/datasets/<kind>.jsonl: realistic inputs,
one job each: identical inputs would be answered from the model cache). The fake
answers each job with that case's offline answer (the extractive provider's or the
template's: a valid answer of realistic length for that input, which keeps the kind's
rules) and reports usage counted at four characters a token from what it was sent
(messages and strict schema) and what it answered (``counted_usage``). Each job runs at
its kind's tier (``product_description``: large, ``gpt-4.1``; the others small,
``gpt-4.1-mini``), or large when the kind's risk signal says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from bench.cost import Cost, _submit, cost_of
from bench.inflight import Fake, tenant_keys, worker_process
from bench.intake import database
from bench.run import _sql, create_database
from tests.fakes.openai_server import CHARS_PER_TOKEN, FakeOpenAI, Reply

KINDS = ("account_summary", "follow_up_draft", "product_description", "bio")
DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"


def cases(kind: str) -> list[dict[str, Any]]:
    lines = (DATASETS / f"{kind}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


async def offline_answer(kind: str, job_input: dict[str, Any]) -> dict[str, Any]:
    """What the fake answers for this input: the kind's offline answer, as JSON data."""
    from app.llm.extractive import ExtractiveProvider
    from tasks.kinds import KINDS as REGISTRY

    spec = REGISTRY[kind]
    result = await spec.handler(spec.input_model.model_validate(job_input), ExtractiveProvider())
    return result.output.model_dump(mode="json")


def run_kind(url: str, fake: FakeOpenAI, key: str, kind: str) -> str:
    """One job per eval case of ``kind``, each answered with its own offline answer;
    returns the Idempotency-Key prefix of the kind's jobs."""
    prefix = f"cost-{kind}-{uuid.uuid4().hex[:8]}-"
    for case in cases(kind):
        fake.default = Reply(patch=asyncio.run(offline_answer(kind, case["input"])))
        asyncio.run(_submit(url, key, [(f"{prefix}{case['id']}", case["input"])], kind))
        deadline = time.monotonic() + 60
        while _sql(
            url,
            "SELECT count(*) FROM jobs WHERE idempotency_key LIKE %s AND finished_at IS NULL",
            (f"{prefix}%",),
        )[0][0]:
            if time.monotonic() > deadline:
                raise SystemExit(f"{kind} {case['id']}: the job did not finish in 60 s")
            time.sleep(0.05)
    failed = _sql(
        url,
        "SELECT idempotency_key, error FROM jobs WHERE idempotency_key LIKE %s "
        "AND state <> 'succeeded'",
        (f"{prefix}%",),
    )
    if failed:
        raise SystemExit(f"{kind}: jobs did not succeed: {failed}")
    return prefix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", action="append", choices=KINDS, help="default: all four")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    results: dict[str, Cost] = {}
    with (
        database(args.database_url) as admin_url,
        FakeOpenAI(counted_usage=True) as fake,
    ):
        url = create_database(admin_url, "bench_cost_kinds")
        (key,) = tenant_keys(url, 1)
        with worker_process(url, Fake(fake.url, os.getpid()), 8) as worker:
            for kind in args.kind or KINDS:
                if worker.poll() is not None:
                    raise SystemExit("the worker stopped")
                results[kind] = cost_of(url, f"{run_kind(url, fake, key, kind)}%")
    report(results)


def report(results: dict[str, Cost]) -> None:
    print(
        "\nOne job per eval case; tokens counted by the fake at "
        f"{CHARS_PER_TOKEN} characters each; list prices from the price table.\n"
    )
    print(
        "| kind | models | jobs | calls | input tokens / job | output tokens / job | "
        "cost per 1,000 jobs |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for kind, cost in results.items():
        print(
            f"| {kind} | {cost.models} | {cost.jobs} | {cost.calls} | "
            f"{cost.per_job(cost.input_tokens):,.0f} | {cost.per_job(cost.output_tokens):,.0f} | "
            f"${cost.per_1000:.3f} |"
        )


if __name__ == "__main__":
    main()
