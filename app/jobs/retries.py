"""When to try a job again after a transient error."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits a random time between half
    and all of ``base * 2**(n-1)`` seconds, at most ``cap``, and never less than a
    provider's ``Retry-After``. The jitter spreads out jobs that failed together
    (a provider outage) so they do not come back together."""

    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def delay(
        self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        jittered = (rng or random).uniform(ceiling / 2, ceiling)
        return max(jittered, retry_after or 0.0)
