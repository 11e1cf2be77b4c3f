"""Pure delivery rules: SSRF checks, stream tokens, retry schedule, signatures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from standardwebhooks import Webhook

from app.delivery.outbox import retry_delay, sign
from app.delivery.ssrf import DestinationGuard, DestinationRefused
from app.delivery.tokens import InvalidStreamToken, SigningSecret, StreamGrant, StreamTokens
from app.retry_after import parse_retry_after
from app.settings import DeliverySettings

STRICT = DestinationGuard(allow_http=False, allow_list=[])


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # plain http without the development setting
        "https://127.0.0.1/hook",  # loopback
        "https://[::1]/hook",
        "https://10.0.0.5/hook",  # private
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::ffff:169.254.169.254]/",  # metadata behind an IPv4-mapped IPv6 address
        "https://100.100.100.200/",
        "https://224.0.0.1/",  # multicast
        "https://0.0.0.0/",
        "https://localhost/hook",  # resolves to loopback
        "https://user:pw@example.com/",  # credentials in the URL
        "ftp://example.com/",
    ],
)
async def test_ssrf__non_public_or_non_https_destinations_are_refused(url):
    with pytest.raises(DestinationRefused):
        await STRICT.check(url)


async def test_ssrf__allow_list_admits_a_private_network_but_never_metadata():
    guard = DestinationGuard(allow_http=True, allow_list=["127.0.0.0/8", "169.254.0.0/16"])
    destination = await guard.check("http://127.0.0.1:8080/x?y=1")
    assert destination.pinned_url == "http://127.0.0.1:8080/x?y=1"
    with pytest.raises(DestinationRefused):
        await guard.check("http://169.254.169.254/")


async def test_ssrf__public_address_is_allowed_and_pinned():
    destination = await STRICT.check("https://93.184.215.14/hook")
    assert (
        destination.pinned_url == "https://93.184.215.14:443/hook"
        and destination.host == "93.184.215.14"
    )


def test_stream_token__grants_its_job_until_it_expires():
    tokens = StreamTokens([SigningSecret(b"k" * 32)])
    grant = StreamGrant(uuid4(), "0123abcd", uuid4())
    token = tokens.issue(grant, datetime.now(UTC) + timedelta(minutes=5))
    assert tokens.verify(token) == grant
    assert not grant.allows_job(uuid4())
    with pytest.raises(InvalidStreamToken):
        tokens.verify(token, now=datetime.now(UTC) + timedelta(minutes=6))
    with pytest.raises(InvalidStreamToken):
        StreamTokens([SigningSecret(b"x" * 32)]).verify(token)  # another secret
    with pytest.raises(InvalidStreamToken):
        tokens.verify(token[:-2] + "AA")  # tampered


def test_retry_schedule__backs_off_exponentially_with_jitter_over_about_a_day():
    settings = DeliverySettings()
    rng = random.Random(7)
    delays = [retry_delay(settings, attempt, rng) for attempt in range(1, 30)]
    assert all(
        settings.retry_base_seconds * 2 ** (i - 1) * 0.5 <= d
        or d >= settings.retry_max_delay_seconds * 0.5
        for i, d in enumerate(delays, start=1)
    )
    assert max(delays) <= settings.retry_max_delay_seconds
    # The retry window (a day by default) ends the schedule after a bounded number of attempts.
    total, attempts = 0.0, 0
    while total < settings.retry_window_seconds:
        attempts += 1
        total += retry_delay(settings, attempts, rng)
    assert 10 <= attempts <= 30


def test_retry_after__seconds_and_http_dates_are_understood():
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Fri, 20 Nov 2026 12:01:00 GMT", now) == 60
    assert parse_retry_after("soon", now) is None


def test_signature__verifies_with_the_standardwebhooks_package_under_either_rotated_secret():
    old, new = "whsec_" + "a" * 43 + "=", "whsec_" + "b" * 43 + "="
    timestamp = datetime.now(UTC)
    header = sign([new, old], "evt_1", timestamp, '{"a":1}')
    headers = {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": header,
    }
    Webhook(old).verify('{"a":1}', headers)
    Webhook(new).verify('{"a":1}', headers)
