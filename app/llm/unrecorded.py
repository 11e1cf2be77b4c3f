"""A :class:`~app.llm.ledger.CallLedger` that records nothing: no checkpoints, no
cache, no budget (every reservation is free). The worker's default until the
accounting ledger (``PostgresCallLedger``) is wired in."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.llm.ledger import PlannedCall, Reservation, TokenUsage


class UnrecordedCallLedger:
    adds_to_job_totals = False

    async def checkpoint(self, job_id: UUID, step: str) -> dict[str, Any] | None:
        return None

    async def cached(self, tenant_id: UUID, cache_key: str) -> dict[str, Any] | None:
        return None

    async def record_cache_hit(self, call: PlannedCall, answer: dict[str, Any]) -> None:
        return None

    async def reserve(self, call: PlannedCall) -> Reservation:
        return Reservation(id=uuid.uuid4(), call=call, reserved_usd=Decimal(0))

    async def settle(
        self,
        reservation: Reservation,
        *,
        usage: TokenUsage,
        latency_ms: float,
        outcome: str,
        answer: dict[str, Any] | None,
    ) -> None:
        return None
