"""The demo `courier up` runs: one job of several kinds, submitted over HTTP like any
client would, their events printed as they happen, then what each returned.

The inputs are realistic but invented; every kind answers them offline (the extractive
provider or the kind's template) as well as with a model configured.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid
from typing import Any

TERMINAL = {"succeeded", "failed", "cancelled", "expired"}

_THREAD = [
    {
        "sender": "customer@example.com",
        "sent_at": "2026-11-20T09:12:00Z",
        "body": "Hello! Our invoice INV-2041 was charged twice this month. "
        "Can you refund the duplicate charge? The team loves the product otherwise.",
    },
    {
        "sender": "support@example.com",
        "sent_at": "2026-11-20T10:03:00Z",
        "body": "Thanks for reporting this. I can see the duplicate charge on invoice "
        "INV-2041. Refunds to cards take 5-7 business days to appear.",
    },
]

DEMO_REQUESTS: list[dict[str, Any]] = [
    {
        "kind": "email_reply",
        "input": {
            "thread": _THREAD,
            "subject": "Duplicate charge on invoice INV-2041",
            "question": "When will the customer see the refund for the duplicate charge?",
            "tone": "friendly",
        },
    },
    {
        "kind": "support_answer",
        "input": {
            "question": "How long does a refund to a card take?",
            "sources": [
                {
                    "id": "kb-refunds",
                    "title": "Refunds",
                    "text": "Refunds to cards take 5-7 business days to appear on the "
                    "statement. Refunds to bank transfers take up to 10 business days.",
                },
                {
                    "id": "kb-invoices",
                    "title": "Invoices",
                    "text": "Invoices are issued on the first business day of each month.",
                },
            ],
        },
    },
    {
        "kind": "taxonomy_tagging",
        "input": {
            "title": "Trail shoe review",
            "text": "A light trail running shoe with a waterproof membrane: it kept my feet "
            "dry on a wet mountain hike and grips well on rock.",
            "taxonomy": ["running", "hiking", "waterproof", "cooking", "electronics"],
            "max_tags": 3,
        },
    },
]
"""One job per kind the demo shows, in the order they are submitted."""


async def run_demo(base: str, key: str, stop: asyncio.Event, kinds: set[str]) -> None:
    """Submit the demo jobs of the registered ``kinds``, print each event until every
    job has finished (or ``stop`` is set), then each job's result."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    jobs: list[dict[str, Any]] = []
    for request in (r for r in DEMO_REQUESTS if r["kind"] in kinds):
        submit = headers | {"Idempotency-Key": f"demo-{uuid.uuid4()}"}
        jobs.append(await asyncio.to_thread(_http, "POST", f"{base}/v1/jobs", submit, request))
    print(
        f"Demo: {len(jobs)} jobs submitted ({', '.join(j['kind'] for j in jobs)}); their events:",
        flush=True,
    )
    seen = {job["id"]: 0 for job in jobs}
    finished: set[str] = set()
    while not stop.is_set() and len(finished) < len(jobs):
        for job in jobs:
            if job["id"] not in finished and await _print_new_events(base, headers, job, seen):
                finished.add(job["id"])
        await asyncio.sleep(0.2)
    for job in jobs:
        final = await asyncio.to_thread(_http, "GET", f"{base}/v1/jobs/{job['id']}", headers, None)
        _print_result(final)


async def _print_new_events(
    base: str, headers: dict[str, str], job: dict[str, Any], seen: dict[str, int]
) -> bool:
    """Print the job's events not printed yet; True once its last event is terminal."""
    history = await asyncio.to_thread(
        _http, "GET", f"{base}/v1/jobs/{job['id']}/events", headers, None
    )
    events = history["events"]
    for event in events[seen[job["id"]] :]:
        print(
            f"  {job['kind']:<17} {event['seq']}. {event['state']:<12} "
            f"attempt {event['attempt']}  {event['created_at']}",
            flush=True,
        )
    seen[job["id"]] = len(events)
    return bool(events) and events[-1]["state"] in TERMINAL


def _print_result(job: dict[str, Any]) -> None:
    """The job's result, a line per field (long values cut), or its error."""
    if job.get("result") is None:
        print(f"{job['kind']}: {job['state']} {json.dumps(job.get('error'))}", flush=True)
        return
    print(f"{job['kind']} ({job['model']}):", flush=True)
    for field, value in job["result"].items():
        shown = json.dumps(value, ensure_ascii=False)
        print(f"  {field}: {shown if len(shown) <= 150 else shown[:149] + '…'}", flush=True)


def _http(method: str, url: str, headers: dict[str, str], body: dict | None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
