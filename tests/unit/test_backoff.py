"""Backoff after failures: exponential, jittered, capped, never before Retry-After; one
function (app/retries.py) for every retry loop, each loop with its own bounds."""

import random

import pytest

from app.delivery.outbox import retry_delay
from app.retries import Backoff, backoff_delay
from app.settings import DeliverySettings


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


def test_backoff_delay__a_huge_attempt_number_stays_at_the_cap():
    rng = random.Random(3)
    delays = [backoff_delay(10_000, base=5, cap=60, rng=rng) for _ in range(50)]
    assert all(30 <= d <= 60 for d in delays)


@pytest.mark.parametrize("attempt", [-1, 0, 1])
def test_backoff_delay__the_first_attempt_waits_between_half_and_all_of_base(attempt):
    rng = random.Random(5)
    assert all(0.5 <= backoff_delay(attempt, base=1, cap=10, rng=rng) <= 1 for _ in range(50))


def test_backoff_delay__a_retry_after_above_the_cap_wins():
    assert backoff_delay(3, base=1, cap=10, retry_after=3600) == 3600


def test_backoff__is_backoff_delay_within_its_bounds():
    assert Backoff(2, 300).delay(4, rng=random.Random(9)) == backoff_delay(
        4, 2, 300, rng=random.Random(9)
    )


def test_webhook_retries__use_backoff_delay_within_the_delivery_settings():
    settings = DeliverySettings()
    for attempt in (1, 5, 40):
        assert retry_delay(settings, attempt, random.Random(attempt)) == backoff_delay(
            attempt,
            settings.retry_base_seconds,
            settings.retry_max_delay_seconds,
            rng=random.Random(attempt),
        )
    assert retry_delay(settings, 1, retry_after=99_999) == 99_999


class _Stop(Exception):
    """Ends a loop under test once it has asked for enough delays."""


def _recording(monkeypatch, module, calls: list[tuple], stop_after: int):
    """Replace ``module.backoff_delay`` with one that records its bounds and waits 0 s."""

    def record(attempt, base, cap, retry_after=None, rng=None):
        calls.append((attempt, base, cap))
        if len(calls) == stop_after:
            raise _Stop()
        return 0.0

    monkeypatch.setattr(module, "backoff_delay", record)


async def test_worker_supervisor__restarts_with_backoff_delay_from_0_2_s_up_to_its_maximum(
    monkeypatch,
):
    from tasks import worker

    calls: list[tuple] = []
    _recording(monkeypatch, worker, calls, stop_after=3)

    async def lose_the_database() -> None:
        raise OSError("connection refused")

    with pytest.raises(_Stop):
        await worker.supervise(lose_the_database, name="w", backoff_max=7.0)
    assert calls == [(1, 0.2, 7.0), (2, 0.2, 7.0), (3, 0.2, 7.0)]


async def test_listener__reconnects_with_backoff_delay_from_50_ms_up_to_its_maximum(monkeypatch):
    from app.db import DatabaseError
    from app.delivery import listener

    calls: list[tuple] = []
    _recording(monkeypatch, listener, calls, stop_after=3)

    async def refuse(*args, **kwargs):
        raise DatabaseError("the database is down")

    monkeypatch.setattr(listener.ListenConnection, "open", refuse)
    subject = listener.NotificationListener(
        "postgresql://unused",
        ["channel"],
        on_notification=lambda _: None,
        on_connected=lambda: None,
        name="test",
        max_backoff_seconds=5.0,
    )
    with pytest.raises(_Stop):
        await subject._run()
    assert calls == [(1, 0.05, 5.0), (2, 0.05, 5.0), (3, 0.05, 5.0)]
