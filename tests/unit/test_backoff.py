"""Backoff after transient errors: exponential, jittered, capped, never before Retry-After."""

import random

from app.jobs.retries import Backoff


def test_backoff__grows_exponentially_within_jitter_bounds():
    backoff, rng = Backoff(base_seconds=2, cap_seconds=1000), random.Random(7)
    for attempt in range(1, 8):
        ceiling = 2 * 2 ** (attempt - 1)
        delays = [backoff.delay(attempt, rng=rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_backoff__is_capped():
    assert Backoff(base_seconds=2, cap_seconds=10).delay(30) <= 10


def test_backoff__never_retries_before_the_providers_retry_after():
    assert Backoff(base_seconds=1, cap_seconds=10).delay(1, retry_after=42) == 42
