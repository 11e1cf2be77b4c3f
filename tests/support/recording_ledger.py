"""``RecordingLedger``: a :class:`~app.llm.ledger.CallLedger` for tests that keeps
every reservation and settled call in memory (the real one, ``PostgresCallLedger``,
writes ``llm_calls``), with checkpoints like the real one: an answer settled ``ok``
or ``refused`` becomes its step's checkpoint."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.llm.ledger import BudgetExceeded, PlannedCall, Reservation, TokenUsage


@dataclass(frozen=True)
class SettledCall:
    call: PlannedCall
    usage: TokenUsage
    latency_ms: float
    outcome: str
    answer: dict[str, Any] | None


class RecordingLedger:
    adds_to_job_totals = False

    def __init__(self, *, refuse_reservations: bool = False) -> None:
        self.reserved: list[PlannedCall] = []
        self.settled: list[SettledCall] = []
        self.checkpoints: dict[tuple[UUID, str], dict[str, Any]] = {}
        self.refuse_reservations = refuse_reservations

    async def checkpoint(self, job_id: UUID, step: str) -> dict[str, Any] | None:
        return self.checkpoints.get((job_id, step))

    async def cached(self, tenant_id: UUID, cache_key: str) -> dict[str, Any] | None:
        return None

    async def record_cache_hit(self, call: PlannedCall, answer: dict[str, Any]) -> None:
        self.checkpoints[(call.job_id, call.step)] = answer

    async def reserve(self, call: PlannedCall) -> Reservation:
        if self.refuse_reservations:
            raise BudgetExceeded()
        self.reserved.append(call)
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
        self.settled.append(SettledCall(reservation.call, usage, latency_ms, outcome, answer))
        if outcome in ("ok", "refused") and answer is not None:
            self.checkpoints[(reservation.call.job_id, reservation.call.step)] = answer

    def calls(self, job_id: UUID | str | None = None) -> list[tuple[str, str, str]]:
        """(step, model, outcome) of each settled call, of one job if given."""
        return [
            (s.call.step, s.call.model, s.outcome)
            for s in self.settled
            if job_id is None or str(s.call.job_id) == str(job_id)
        ]
