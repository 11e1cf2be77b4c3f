"""The accounting seam between model calls and what records them (the contract with the
``ledger`` branch, /work/shared/model-contract.md): checkpoints, the cache, budget
reservations and one ``llm_calls`` row per call. The step runner (app/llm/steps.py) uses
it; the ``ledger`` branch adds ``PostgresCallLedger`` here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID


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
    prompt_hash: str  # sha256 hex of the (redacted) prompt messages; never the prompt
    max_input_tokens: int  # estimate of the prompt's tokens (len(text)//3 + 1 is fine)
    max_output_tokens: int  # the output-token cap sent to the provider
    cache_key: str | None  # None: cache off for this call


@dataclass(frozen=True)
class Reservation:
    id: UUID
    call: PlannedCall
    reserved_usd: Decimal


class BudgetExceeded(Exception):  # ledger branch makes it a RateLimitedError subclass (429)
    """The tenant's monthly budget cannot cover this call's worst case."""


class CallLedger(Protocol):
    async def checkpoint(self, job_id: UUID, step: str) -> dict[str, Any] | None:
        """The committed answer of this step from any earlier attempt, or None."""

    async def cached(self, tenant_id: UUID, cache_key: str) -> dict[str, Any] | None:
        """A live cache entry of this tenant for this key, or None."""

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
        a cache entry). Calls of an execution that lost its lease are recorded too."""
