"""Provider pauses: a provider that answered 429 is not called again, by any worker
process, before the time it asked for (its ``retry-after-ms`` or ``Retry-After``).

The pause is a row in PostgreSQL (``provider_pauses``), not a per-process timer: one
process's 429 holds back the calls of every other. A pause only ever grows while it
lasts, so concurrent 429s with different waits keep the longest. Calls look the
pause up before they start (one short query; no connection is held while waiting).
"""

from __future__ import annotations

from app.db import Database

DEFAULT_PAUSE_SECONDS = 1.0
"""A 429 that says nothing about when to come back pauses its provider this long."""
MIN_PAUSE_SECONDS = 0.05
"""A ``Retry-After: 0`` still pauses this long, so a 429 loop cannot spin."""


class ProviderPauses:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def remaining(self, provider: str) -> float:
        """Seconds until ``provider`` may be called again; 0 when it is not paused."""
        row = await self.db.fetch_optional("provider_pause_remaining", provider=provider)
        return max(row["remaining_seconds"], 0.0) if row else 0.0

    async def pause(
        self, provider: str, seconds: float | None, reason: str = "rate_limited"
    ) -> float:
        """Pause ``provider`` for ``seconds`` (the default when None), unless it is paused
        for longer already; returns how long the pause now lasts."""
        wait = DEFAULT_PAUSE_SECONDS if seconds is None else max(seconds, MIN_PAUSE_SECONDS)
        row = await self.db.fetch_one(
            "provider_pause_extend", provider=provider, seconds=wait, reason=reason
        )
        return float(row["remaining_seconds"])
