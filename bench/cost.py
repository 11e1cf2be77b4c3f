"""What 1,000 jobs cost at list prices, from the tokens real runs record.

    python -m bench.cost [--jobs 300] [--large-share 0.1] [--database-url URL]

Jobs go through the real pipeline: submitted through the job service, run by a
``courier worker`` process whose model provider is the fake OpenAI server
(tests/fakes/openai_server.py, in this process), priced by the worker from the
price table in settings (app/llm/prices.py) into ``llm_calls``; the figures are
read back from ``llm_calls`` and the DBA view ``llm_cost_per_1000_jobs``.

Where the tokens come from: the fake reports usage counted from what it was
actually sent and what it answered, one token per 4 characters
(``counted_usage``): the prompt is the messages the kind rendered plus the JSON
schema of the strict ``response_format`` (a provider puts the schema in the
model's context and bills it as input); nothing is counted as cached (the shared
prefix, instructions and schema, is under OpenAI's 1,024-token minimum for prompt
caching), nothing as reasoning (the default tiers are not reasoning models). The
answer is a draft of realistic length (a ~170-word reply citing two messages),
not the schema's placeholder.

The kind mix: ``email_reply`` is today's only model kind, so the mix is of its
inputs: threads of 1 (30 %), 3 (50 %) and 8 (20 %) messages of a support
mailbox. Each job is run twice, once on the kind's own tier (small,
``gpt-4.1-mini``) and once with that tier pointed at the large model
(``gpt-4.1``, as a high-risk generation would be routed); the blend
``--large-share`` is computed from the two measured costs. Compared with the
products' ceilings: $9 and $4.40 per 1,000 jobs. The other kinds are measured the same
way by ``python -m bench.cost_kinds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.inflight import Fake, tenant_keys, worker_process
from bench.intake import database
from bench.run import _sql, create_database
from tests.fakes.openai_server import CHARS_PER_TOKEN, FakeOpenAI, Reply, counted_usage

CEILINGS = {"product A": Decimal("9.00"), "product B": Decimal("4.40")}
"""US dollars per 1,000 jobs the products may spend (issue 14): $9, and $35k for 8M
jobs a month."""
THREAD_SIZES = {"short (1 message)": (1, 0.3), "typical (3)": (3, 0.5), "long (8)": (8, 0.2)}
"""Messages per thread, and the share of jobs with such a thread."""
TIERS = {
    "small tier (gpt-4.1-mini)": {},
    "large model (gpt-4.1)": {"COURIER_MODEL_SMALL": "gpt-4.1"},
}
"""Each run: the worker's environment (the kind's tier is small; the second run points
that tier at the large model)."""

# -- realistic inputs and answers ----------------------------------------------------------

_CUSTOMER = [
    "I was charged twice for order {order} on my card ending in {card}, once on the 3rd "
    "and again on the 5th.",
    "The package for order {order} still shows as 'label created' although you wrote "
    "last week that it had shipped.",
    "Our invoice {invoice} lists 40 seats, but we reduced the plan to 25 seats at the "
    "start of the quarter.",
    "Since the update on Monday none of our team can log in with single sign-on; the "
    "page just reloads.",
    "We would like to renew the contract for another year, but only if the price stays "
    "at the current rate.",
    "Could you tell me whether the replacement part is covered by the warranty, or "
    "whether I have to pay for it?",
]
_DETAIL = [
    "I already contacted you about this on the phone and was told someone would get back "
    "to me within two days, but nobody did.",
    "This is the third time this year that something like this has happened, and it is "
    "starting to cost us real money.",
    "Our finance team needs a corrected document before the end of the month to close the books.",
    "I have attached the screenshots and the confirmation e-mail so you can see what I mean.",
    "Please note that our billing address changed in March; the old one should no longer "
    "be used anywhere.",
    "If it helps, the order was placed from the mobile app, not from the website.",
    "We are happy to jump on a short call if that is quicker for you.",
]
_SUPPORT = [
    "Thank you for your patience, and sorry for the trouble this has caused.",
    "I have checked the account and can confirm that the second charge of {amount} was a "
    "duplicate; the refund was issued today and usually arrives within 5 business days.",
    "The carrier confirmed that the parcel was handed over on Thursday; the tracking page "
    "updates only once it is scanned at the first depot.",
    "I have corrected the seat count and a new invoice will be sent to the billing "
    "contact on file by Friday.",
    "Our engineers identified the sign-on problem and rolled out a fix at 14:00 UTC; "
    "please clear the browser cache and try again.",
    "Renewals at the current rate are possible if the order is signed before the 30th; I "
    "have asked your account manager to send the paperwork.",
    "Parts replaced within the first 24 months are covered, shipping included, so there "
    "is nothing to pay.",
]
_FOLLOW_UP = [
    "Thanks for the quick answer, but I still do not see anything on my side.",
    "Thank you. One more thing: the same problem seems to affect our second account too.",
    "Thanks for looking into it. Could you confirm this in writing for our records?",
    "I appreciate the update, but the date you gave has passed and nothing has changed.",
]
_CUSTOMER_SIGNATURE = ["Best regards,\n{name}\n{company} | Operations", "Thanks,\n{name}"]
_SUPPORT_SIGNATURE = (
    "Kind regards,\n{name}\nCustomer Support, Courier Demo Inc.\nThis e-mail and any "
    "attachments are confidential and intended only for the addressee."
)
_NAMES = ["Maria Lopez", "Jonas Berg", "Aiko Tanaka", "Sam Okafor", "Priya Raman", "Tom Weller"]
_QUESTIONS = [
    "When will the refund arrive?",
    "Has the order shipped, and when will it be delivered?",
    "When will we receive the corrected invoice?",
    "Is the sign-on problem fixed, and what should the team do now?",
    "Can we renew at the current price, and until when?",
    "Does the warranty cover the replacement part?",
]

REPLY_BODY = (
    "Hello Maria,\n\n"
    "Thank you for getting back to us, and sorry again for the trouble. I have checked "
    "your account: the second charge on the 5th was a duplicate, and the refund for it "
    "was issued on the same day we spoke. Refunds to a card usually take up to 5 business "
    "days to appear, depending on your bank, so you should see it on your statement by "
    "the end of this week. The first charge, for the order itself, stays as it is.\n\n"
    "If the amount has not arrived by Monday, please reply to this e-mail with a "
    "screenshot of the statement and I will ask our payments team to trace it with the "
    "bank directly. There is nothing else you need to do in the meantime.\n\n"
    "Best regards,\nSam"
)
"""What the fake answers as the draft's body: a ~170-word reply (the length a support
agent sends), with a subject and two citations beside it."""
ANSWER_PATCH = {
    "subject": "Re: Duplicate charge on your order",
    "body": REPLY_BODY,
    "citations": [
        {"source": "m0", "quote": "I was charged twice for order 48213 on my card"},
        {
            "source": "m0",
            "quote": "the refund was issued today and usually arrives within 5 business days",
        },
    ],
}


def thread(rng: random.Random, messages: int) -> dict[str, Any]:
    """An ``email_reply`` input: a support thread of ``messages`` messages of 50-120
    words (quoted history stripped, as mail clients' "reply above" leaves it), the
    customer writing first and last, about one topic."""
    values = {
        "order": rng.randint(10_000, 99_999),
        "card": rng.randint(1000, 9999),
        "invoice": f"INV-{rng.randint(1000, 9999)}",
        "amount": f"${rng.randint(20, 400)}.{rng.randint(0, 99):02d}",
        "company": rng.choice(["Northwind", "Acme Tools", "Globex", "Initech"]),
    }
    topic = rng.randrange(len(_CUSTOMER))
    customer, agent = rng.sample(_NAMES, 2)
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    written: list[dict[str, Any]] = []
    for i in range(messages):
        from_customer = i % 2 == 0 or i == messages - 1
        if from_customer:
            opening = _CUSTOMER[topic] if i == 0 else rng.choice(_FOLLOW_UP)
            paragraphs = ["Hello,", " ".join([opening, *rng.sample(_DETAIL, 3)])]
            paragraphs.append(rng.choice(_CUSTOMER_SIGNATURE).format(name=customer, **values))
            domain = str(values["company"]).lower().replace(" ", "")
            sender = f"{customer.split()[0].lower()}@{domain}.example"
        else:
            paragraphs = [
                f"Hello {customer.split()[0]},",
                f"{_SUPPORT[0]} {_SUPPORT[1 + topic]}",
                "If anything is still unclear, just reply to this e-mail and I will pick it up.",
                _SUPPORT_SIGNATURE.format(name=agent),
            ]
            sender = "support@courier-demo.example"
        written.append(
            {
                "sender": sender,
                "sent_at": (sent + timedelta(hours=5 * i)).isoformat(),
                "body": "\n\n".join(paragraphs).format(**values),
            }
        )
    return {"thread": written, "question": _QUESTIONS[topic], "tone": "friendly"}


# -- runs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    tenant_key: str
    prefix: str
    """Idempotency-Key prefix of the batch's jobs: ``<prefix><size class>-<n>``."""


async def _submit(
    url: str, key: str, jobs: list[tuple[str, dict[str, Any]]], kind: str = "email_reply"
) -> None:
    from app.db import Database, create_pool
    from app.jobs.queue import JobQueue, create_queue_app
    from app.jobs.schemas import JobRequest
    from app.jobs.service import JobService
    from app.keys.service import KeyService
    from tasks.kinds import KINDS

    pool = create_pool(url, min_size=2, max_size=8, timeout=30)
    async with pool:
        db = Database(pool)
        principal = await KeyService(db).authenticate(f"Bearer {key}")
        queue_app = create_queue_app()
        await queue_app.open_async(pool=pool)
        try:
            service = JobService(
                db,
                JobQueue(queue_app),
                KINDS,
                max_expires_in=timedelta(days=7),
                idempotency_wait=timedelta(seconds=5),
            )
            for idempotency_key, job_input in jobs:
                request = JobRequest(kind=kind, input=job_input)
                await service.submit(principal, request, idempotency_key)
        finally:
            await queue_app.close_async()


def run_batch(url: str, fake: FakeOpenAI, key: str, jobs: int, env: dict[str, str]) -> str:
    """Submit ``jobs`` jobs of the thread-size mix, run them with one worker; returns the
    batch's Idempotency-Key prefix."""
    prefix = f"cost-{uuid.uuid4().hex[:8]}-"
    rng = random.Random(14)  # the same inputs for every run
    planned: list[tuple[str, dict[str, Any]]] = []
    for size, (messages, share) in THREAD_SIZES.items():
        planned += [
            (f"{prefix}{size}-{i}", thread(rng, messages)) for i in range(round(jobs * share))
        ]
    asyncio.run(_submit(url, key, planned))
    with worker_process(url, Fake(fake.url, os.getpid()), 32, env) as worker:
        deadline = time.monotonic() + 300
        while _sql(
            url,
            "SELECT count(*) FROM jobs WHERE idempotency_key LIKE %s AND finished_at IS NULL",
            (f"{prefix}%",),
        )[0][0]:
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the worker stopped, or the jobs did not finish in 5 minutes")
            time.sleep(0.2)
    failed = _sql(
        url,
        "SELECT count(*) FROM jobs WHERE idempotency_key LIKE %s AND state <> 'succeeded'",
        (f"{prefix}%",),
    )[0][0]
    if failed:
        raise SystemExit(f"{failed} jobs did not succeed")
    return prefix


@dataclass(frozen=True)
class Cost:
    jobs: int
    calls: int
    input_tokens: int
    cached_tokens: int
    output_tokens: int
    cost_usd: Decimal
    models: str

    @property
    def per_1000(self) -> Decimal:
        return self.cost_usd * 1000 / self.jobs

    def per_job(self, tokens: int) -> float:
        return tokens / self.jobs


def cost_of(url: str, like: str) -> Cost:
    """Jobs, calls, tokens and cost of the finished jobs whose Idempotency-Key is
    ``like``: succeeded, or held for review (their calls are made and paid for)."""
    row = _sql(
        url,
        """
        SELECT count(DISTINCT j.id), count(c.id), coalesce(sum(c.input_tokens), 0),
               coalesce(sum(c.cached_input_tokens), 0), coalesce(sum(c.output_tokens), 0),
               coalesce(sum(c.cost_usd), 0), string_agg(DISTINCT c.model, ', ')
        FROM jobs j LEFT JOIN llm_calls c ON c.job_id = j.id
        WHERE j.idempotency_key LIKE %s AND j.state IN ('succeeded', 'needs_review')""",
        (like,),
    )[0]
    return Cost(*row)


@contextlib.contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    """The fake, answering at once with the realistic draft and counted usage."""
    with FakeOpenAI(default=Reply(patch=ANSWER_PATCH), counted_usage=True) as fake:
        yield fake


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=300, help="jobs per run (two runs)")
    parser.add_argument(
        "--large-share",
        type=float,
        default=0.1,
        help="share of jobs routed to the large model in the blended figure",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    results: dict[str, tuple[Cost, dict[str, Cost], Decimal]] = {}
    fake_tokens = 0
    with database(args.database_url) as admin_url, fake_openai() as fake:
        url = create_database(admin_url, "bench_cost")
        keys = tenant_keys(url, len(TIERS))
        for (tier, env), key in zip(TIERS.items(), keys, strict=True):
            fake.reset()
            prefix = run_batch(url, fake, key, args.jobs, env)
            fake_tokens += sum(counted_usage(r.body, "")["prompt_tokens"] for r in fake.requests)
            by_size = {size: cost_of(url, f"{prefix}{size}-%") for size in THREAD_SIZES}
            # The DBA's reading of the same rows: each run has a tenant of its own.
            view = _sql(
                url,
                "SELECT cost_per_1000_completed_usd FROM llm_cost_per_1000_jobs "
                "WHERE kind = 'email_reply' AND tenant_id = "
                "(SELECT tenant_id FROM jobs WHERE idempotency_key LIKE %s LIMIT 1)",
                (f"{prefix}%",),
            )[0][0]
            results[tier] = (cost_of(url, f"{prefix}%"), by_size, view)
        recorded = _sql(url, "SELECT coalesce(sum(input_tokens), 0) FROM llm_calls")[0][0]
    report(args, results, fake_tokens, recorded)


def _tokens(cost: Cost) -> str:
    return (
        f"{cost.jobs} | {cost.calls} | {cost.per_job(cost.input_tokens):,.0f} | "
        f"{cost.per_job(cost.output_tokens):,.0f}"
    )


def report(
    args: argparse.Namespace,
    results: dict[str, tuple[Cost, dict[str, Cost], Decimal]],
    fake_tokens: int,
    recorded: int,
) -> None:
    print(
        f"\nemail_reply, {args.jobs} jobs per run, threads of 1 / 3 / 8 messages "
        "(30 / 50 / 20 %); tokens counted by the fake at "
        f"{CHARS_PER_TOKEN} characters each; list prices from the price table.\n"
    )
    print(
        "| run | jobs | calls | input tokens / job | output tokens / job | "
        "cost per 1,000 jobs | DBA view llm_cost_per_1000_jobs |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for tier, (total, by_size, view) in results.items():
        for size, cost in by_size.items():
            print(f"| {tier}, {size} | {_tokens(cost)} | ${cost.per_1000:.3f} | |")
        print(
            f"| **{tier}, the mix** | {_tokens(total)} | **${total.per_1000:.3f}** | ${view:.3f} |"
        )
    small, large = (results[tier][0].per_1000 for tier in TIERS)
    share = Decimal(str(args.large_share))
    blend = (1 - share) * small + share * large
    print(
        f"\nBlend, {1 - share:.0%} small tier / {share:.0%} large model: **${blend:.3f}** "
        "per 1,000 jobs."
    )
    for name, ceiling in CEILINGS.items():
        print(
            f"* {name}'s ceiling ${ceiling:.2f} per 1,000 jobs: small tier {small / ceiling:.0%} "
            f"of it, large model {large / ceiling:.0%}, blend {blend / ceiling:.0%}."
        )
    print(
        f"\nTokens: the fake counted {fake_tokens:,} prompt tokens over the requests it was "
        f"sent; llm_calls recorded {recorded:,} "
        f"({'the same' if fake_tokens == recorded else 'DIFFERENT'})."
    )


if __name__ == "__main__":
    main()
