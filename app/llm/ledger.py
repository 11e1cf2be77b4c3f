"""The call ledger: what every model call cost, the answers a retry reuses, the
exact-match cache, and the budget reservation that lets a call start.

Contract with the step runner (per model call of a step):

1. :meth:`CallLedger.checkpoint` — a committed answer of this step from any
   attempt: reuse it, no call.
2. with a cache key, :meth:`CallLedger.cached` — a hit is recorded with
   :meth:`CallLedger.record_cache_hit`, no call. (:meth:`CallLedger.recall` reads
   both at once: the step's first model makes one round trip for 1 and 2.)
3. :meth:`CallLedger.reserve` — the worst-case cost is reserved against the
   tenant's month in one statement that refuses what the budget cannot cover
   (:class:`BudgetExceeded`; ``route_small`` says the tenant chose the small tier
   over refusal).
4. the provider call, holding no database connection, then
   :meth:`CallLedger.settle` whatever happened.

Invariants (:class:`PostgresCallLedger`): every settled call is one ``llm_calls``
row, also when the execution lost its lease (it was paid for); a settlement is
applied once; spent + reserved of a tenant's month never exceeds its budget
through reservations (real usage above the worst case is charged as it came);
the job's totals grow with each call settled while the job is open, so the step
runner must not add the same usage again when it finishes the job.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from app.db import Conflict, Database
from app.errors import CourierError, RateLimitedError
from app.llm.prices import ModelPrice, call_cost, worst_case_cost
from app.money import usd
from app.safety.redaction import carries_pii

# --- The contract (verbatim from the model/ledger contract) --------------------


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    cached_input_tokens: int = 0  # part of input_tokens served from the provider's prompt cache
    output_tokens: int = 0
    reasoning_tokens: int = 0  # part of output_tokens spent on reasoning


@dataclass(frozen=True)
class PlannedCall:
    job_id: UUID
    tenant_id: UUID
    attempt: int  # the job's execution attempt
    step: str  # e.g. "generate", "generate.repair"; (job_id, step) names a checkpoint
    model: str  # e.g. "gpt-4.1-mini", or "extractive" (costs 0, still recorded)
    kind: str
    prompt_version: str
    prompt_hash: str  # HMAC-SHA-256 (installation key) of the redacted messages, never the prompt
    max_input_tokens: int  # upper estimate of the prompt's tokens (messages.estimated_tokens)
    max_output_tokens: int  # the output-token cap sent to the provider
    cache_key: str | None  # None: cache off for this call


@dataclass(frozen=True)
class Reservation:
    id: UUID
    call: PlannedCall
    reserved_usd: Decimal


@dataclass(frozen=True)
class Recalled:
    """What a step may reuse instead of a call (:meth:`CallLedger.recall`)."""

    checkpoint: dict[str, Any] | None
    cached: dict[str, Any] | None


class BudgetExceeded(RateLimitedError):
    """The tenant's monthly budget cannot cover this call's worst case."""

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int = 3600,
        route_small: bool = False,
        budget_usd: Decimal | None = None,
        spent_usd: Decimal = Decimal(0),
        reserved_usd: Decimal = Decimal(0),
        needed_usd: Decimal = Decimal(0),
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.route_small = route_small
        """The tenant chose ``small`` over refusal: plan the call again on the small tier
        (and fail with ``budget_exceeded`` if that does not fit either)."""
        self.budget_usd = budget_usd
        self.spent_usd = spent_usd
        self.reserved_usd = reserved_usd
        self.needed_usd = needed_usd


class CallLedger(Protocol):
    async def checkpoint(self, job_id: UUID, *steps: str) -> dict[str, Any] | None:
        """The committed answer, from any earlier attempt, of the first of ``steps`` (in
        the order given) that has one, or None."""

    async def cached(self, tenant_id: UUID, cache_key: str) -> dict[str, Any] | None:
        """A live cache entry of this tenant for this key, or None."""

    async def recall(
        self, job_id: UUID, steps: tuple[str, ...], tenant_id: UUID, cache_key: str | None
    ) -> Recalled:
        """:meth:`checkpoint` of ``steps`` and, with a ``cache_key``, :meth:`cached`,
        in one read."""

    async def evict_cached(self, tenant_id: UUID, cache_key: str) -> None:
        """Drop a tenant's cache entry (an answer a guard or a reviewer refused)."""

    async def record_cache_hit(self, call: PlannedCall, answer: dict[str, Any]) -> None:
        """A zero-cost llm_calls row (outcome 'cache_hit'), and the answer as the step's checkpoint."""  # noqa: E501

    async def reserve(self, call: PlannedCall) -> Reservation:
        """Reserve the call's worst-case cost in one transaction; raises BudgetExceeded."""

    async def settle(
        self,
        reservation: Reservation,
        *,
        usage: TokenUsage,
        latency_ms: float,
        outcome: str,
        answer: dict[str, Any] | None,
    ) -> None:
        """Record the llm_calls row with the real cost and release the reservation. outcome is one
        of 'ok', 'refused', 'invalid_output', 'provider_error', 'timeout'. With outcome 'ok' or
        'refused' and an answer, the answer becomes the step's checkpoint (and, if cache_key,
        a cache entry). Calls of an execution that lost its lease are recorded too.
        The call's tokens and cost are added to its job's totals while the job is open
        (so the job's completion must not add them again)."""


# --- The implementation -----------------------------------------------------

OUTCOMES = frozenset({"ok", "refused", "invalid_output", "provider_error", "timeout"})
ANSWERED = frozenset({"ok", "refused"})


class UnknownCallOutcome(CourierError):
    """A call was settled with an outcome the ledger does not know."""


class PostgresCallLedger:
    """:class:`CallLedger` on PostgreSQL (tables of migrations/0011_llm_ledger.sql).

    ``prices`` is the price table (settings ``prices.models``); ``cache_ttl`` how long
    an answer is served from the cache (zero turns the cache off); ``stale_after``
    how old an unsettled reservation may grow before it stops counting against the
    budget (an execution that died mid-call never settles): longer than any call.
    """

    def __init__(
        self,
        db: Database,
        prices: Mapping[str, ModelPrice],
        cache_ttl: timedelta,
        *,
        stale_after: timedelta = timedelta(minutes=15),
    ) -> None:
        self.db = db
        self.prices = prices
        self.cache_ttl = cache_ttl
        self.stale_after = stale_after

    async def checkpoint(self, job_id: UUID, *steps: str) -> dict[str, Any] | None:
        row = await self.db.fetch_optional("llm_checkpoint_get", job_id=job_id, steps=list(steps))
        return row["answer"] if row else None

    async def cached(self, tenant_id: UUID, cache_key: str) -> dict[str, Any] | None:
        if self.cache_ttl <= timedelta(0):
            return None
        row = await self.db.fetch_optional(
            "llm_cache_get", tenant_id=tenant_id, cache_key=cache_key, now=None
        )
        return row["answer"] if row else None

    async def recall(
        self, job_id: UUID, steps: tuple[str, ...], tenant_id: UUID, cache_key: str | None
    ) -> Recalled:
        row = await self.db.fetch_one(
            "llm_step_recall",
            job_id=job_id,
            steps=list(steps),
            tenant_id=tenant_id,
            cache_key=cache_key if self.cache_ttl > timedelta(0) else None,
        )
        return Recalled(checkpoint=row["checkpoint"], cached=row["cached"])

    async def evict_cached(self, tenant_id: UUID, cache_key: str) -> None:
        """Drop a tenant's cache entry: for an answer a guard or a reviewer refused, so
        no later job is served it."""
        await self.db.execute("llm_cache_evict", tenant_id=tenant_id, cache_key=cache_key)

    async def record_cache_hit(self, call: PlannedCall, answer: dict[str, Any]) -> None:
        async with self.db.transaction() as conn:
            await self.db.execute(
                "llm_call_insert",
                conn,
                **_call_row(call, TokenUsage(), Decimal(0), 0.0, "cache_hit", None),
            )
            await self._checkpoint_put(conn, call, answer)

    async def reserve(self, call: PlannedCall) -> Reservation:
        amount = worst_case_cost(
            call.model, call.max_input_tokens, call.max_output_tokens, self.prices
        )
        row = await self.db.fetch_one(
            "budget_reservation_take",
            tenant_id=call.tenant_id,
            job_id=call.job_id,
            attempt=call.attempt,
            step=call.step,
            model=call.model,
            amount_usd=amount,
            now=None,
            stale_after=self.stale_after,
        )
        if not row["allowed"]:
            budget, spent, reserved = row["budget_usd"], row["spent_usd"], row["reserved_usd"]
            raise BudgetExceeded(
                f"this tenant's monthly budget of {usd(budget)} cannot cover the worst case "
                f"of a {call.model} call ({usd(amount)}): {usd(spent)} spent and "
                f"{usd(reserved)} reserved in {row['month']:%Y-%m}",
                retry_after=max(1, math.ceil(row["retry_after_seconds"])),
                route_small=row["when_over"] == "small",
                budget_usd=budget,
                spent_usd=spent,
                reserved_usd=reserved,
                needed_usd=amount,
            )
        return Reservation(id=row["reservation_id"], call=call, reserved_usd=amount)

    async def settle(
        self,
        reservation: Reservation,
        *,
        usage: TokenUsage,
        latency_ms: float,
        outcome: str,
        answer: dict[str, Any] | None,
    ) -> None:
        if outcome not in OUTCOMES:
            raise UnknownCallOutcome(
                f"unknown call outcome {outcome!r}; one of: {', '.join(sorted(OUTCOMES))}"
            )
        call = reservation.call
        usage = _consistent(usage)
        cost = call_cost(call.model, usage, self.prices)
        answered = outcome in ANSWERED and answer is not None
        # The cache outlives the job and its retention: an answer that carries PII or a
        # secret is not kept there.
        cacheable = (
            answer is not None
            and answered
            and self.cache_ttl > timedelta(0)
            and not carries_pii(answer)
        )
        try:
            # One statement (courier_call_settle_v1): the call's row, the job's totals,
            # the answer as checkpoint and cache entry, then the reservation, last since
            # it locks the tenant's month row for the commit.
            await self.db.execute(
                "llm_call_settle",
                **_call_row(call, usage, cost, latency_ms, outcome, reservation.id),
                answer=answer if answered else None,
                cache_key=call.cache_key if cacheable else None,
                cache_ttl=self.cache_ttl,
                now=None,
            )
        except Conflict as exc:
            if exc.constraint != "llm_calls_reservation_unique":
                raise
            # Settled before: a repeated settlement changes nothing (rolled back).

    async def _checkpoint_put(self, conn: Any, call: PlannedCall, answer: dict[str, Any]) -> None:
        await self.db.execute(
            "llm_checkpoint_put",
            conn,
            job_id=call.job_id,
            step=call.step,
            tenant_id=call.tenant_id,
            attempt=call.attempt,
            model=call.model,
            answer=answer,
        )


def _consistent(usage: TokenUsage) -> TokenUsage:
    """Usage as the ledger's constraints need it: no negative counts, the cached part
    within the input and the reasoning part within the output (a provider that
    reports otherwise is read generously rather than losing the call's record)."""
    input_tokens = max(usage.input_tokens, 0)
    output_tokens = max(usage.output_tokens, 0)
    return TokenUsage(
        input_tokens=input_tokens,
        cached_input_tokens=min(max(usage.cached_input_tokens, 0), input_tokens),
        output_tokens=output_tokens,
        reasoning_tokens=min(max(usage.reasoning_tokens, 0), output_tokens),
    )


def _call_row(
    call: PlannedCall,
    usage: TokenUsage,
    cost: Decimal,
    latency_ms: float,
    outcome: str,
    reservation_id: UUID | None,
) -> dict[str, Any]:
    return {
        "job_id": call.job_id,
        "tenant_id": call.tenant_id,
        "attempt": call.attempt,
        "step": call.step,
        "kind": call.kind,
        "model": call.model,
        "prompt_version": call.prompt_version,
        "prompt_hash": call.prompt_hash,
        "input_tokens": usage.input_tokens,
        "cached_input_tokens": usage.cached_input_tokens,
        "output_tokens": usage.output_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
        "cost_usd": cost,
        "latency_ms": max(latency_ms, 0.0),
        "outcome": outcome,
        "reservation_id": reservation_id,
    }
