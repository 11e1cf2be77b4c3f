"""When to try again: one backoff schedule for every retry loop.

Attempt n waits a random time between half and all of ``base * 2**(n-1)``
seconds ("equal jitter"), at most ``cap``, and never less than a ``Retry-After``
the other side asked for. The jitter spreads out retries that failed together
(a provider outage, a database restart) so they do not come back together.

Every loop uses :func:`backoff_delay` with its own bounds:

* a job after a transient provider error (``tasks/execution.py``):
  ``COURIER_WORKER_RETRY_BASE_SECONDS`` up to ``COURIER_WORKER_RETRY_MAX_SECONDS``;
* a webhook delivery (``app/delivery/outbox.py``): ``COURIER_DELIVERY_RETRY_BASE_SECONDS``
  up to ``COURIER_DELIVERY_RETRY_MAX_DELAY_SECONDS``;
* the worker loop after it lost the database (``tasks/worker.py``): 0.2 s up to
  ``COURIER_WORKER_RESTART_BACKOFF_MAX_SECONDS``;
* a lost ``LISTEN`` connection (``app/delivery/listener.py``): 0.05 s up to 5 s.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# base * 2**60 is past every cap; a larger exponent would only risk a float overflow.
_MAX_DOUBLINGS = 60


def backoff_delay(
    attempt: int,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before the try after failed try number ``attempt`` (from 1)."""
    ceiling = min(cap, base * 2 ** min(max(attempt - 1, 0), _MAX_DOUBLINGS))
    jittered = (rng or random).uniform(ceiling / 2, ceiling)
    return max(jittered, retry_after or 0.0)


@dataclass(frozen=True)
class Backoff:
    """The bounds of one retry loop: :meth:`delay` is :func:`backoff_delay` with them."""

    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def delay(
        self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        return backoff_delay(attempt, self.base_seconds, self.cap_seconds, retry_after, rng)
