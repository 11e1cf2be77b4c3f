"""Pure delivery rules: SSRF checks, stream tokens, retry schedule, signatures."""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import threading
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from standardwebhooks import Webhook

from app.delivery.outbox import Attempt, decide, retry_delay, sign
from app.delivery.ssrf import Destination, DestinationGuard, DestinationRefused
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


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata service
        "https://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "https://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "https://[2002:a00:1::1]/",  # 6to4 of 10.0.0.1
        "https://[2002:a9fe:a9fe::1]/",  # 6to4 of the metadata service
        "https://[::ffff:10.0.0.1]/",  # IPv4-mapped
        "https://[::a00:1]/",  # IPv4-compatible (deprecated, never public)
        "https://[64:ff9b:1::a00:1]/",  # local-use NAT64 (RFC 8215)
    ],
)
async def test_ssrf__ipv6_that_embeds_ipv4_is_judged_by_the_embedded_address(url):
    with pytest.raises(DestinationRefused):
        await STRICT.check(url)


@pytest.mark.parametrize(
    "url", ["https://[64:ff9b::5db8:d70e]/hook", "https://[2002:5db8:d70e::1]/hook"]
)
async def test_ssrf__ipv6_that_embeds_a_public_ipv4_is_allowed(url):
    assert (await STRICT.check(url)).pinned_url == url.replace("]/", "]:443/")


def _resolving(table: dict[str, str | None], real=socket.getaddrinfo):
    """A getaddrinfo that answers the names of ``table`` (None: no such name)."""

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            return real(host, port, *args, **kwargs)
        if table[host] is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port))]

    return getaddrinfo


async def test_ssrf__a_refused_name_does_not_reveal_what_it_resolved_to(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        _resolving(
            {
                "intranet.example": "10.20.30.40",
                "loop.example": "127.0.0.9",
                "meta.example": "169.254.169.254",
                "nowhere.example": None,
            }
        ),
    )
    messages = {}
    for host in ("intranet.example", "loop.example", "meta.example", "nowhere.example"):
        with pytest.raises(DestinationRefused) as refused:
            await STRICT.check(f"https://{host}/hook")
        messages[host] = str(refused.value)
    assert not any(
        address in message
        for message in messages.values()
        for address in ("10.20.30.40", "127.0.0.9", "169.254.169.254")
    )
    # Not even the kind of address: each refusal reads the same but for the name.
    assert {m.replace(h, "<host>") for h, m in messages.items()} == {
        "<host> does not resolve to a public address"
    }


async def test_ssrf__resolving_has_its_own_deadline_and_leaves_the_default_executor_free(
    monkeypatch,
):
    answer = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "slow.example":
            answer.wait(30)  # a DNS server that does not answer
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    guard = DestinationGuard(allow_http=False, allow_list=[], resolve_timeout_seconds=0.2)
    loop = asyncio.get_running_loop()
    try:
        # More hanging lookups than the default executor has threads (at most 32).
        checks = [asyncio.create_task(guard.check("https://slow.example/")) for _ in range(40)]
        # psycopg resolves database hosts with loop.getaddrinfo (the default executor).
        assert await asyncio.wait_for(loop.getaddrinfo("localhost", 5432), timeout=10)
        results = await asyncio.wait_for(
            asyncio.gather(*checks, return_exceptions=True), timeout=10
        )
    finally:
        answer.set()
    assert all(
        isinstance(r, DestinationRefused) and "could not be resolved within 0.2 s" in str(r)
        for r in results
    ), results


def test_destination__redacts_its_resolved_address_from_connection_errors():
    destination = Destination(
        "https://hooks.example/x",
        "https",
        "hooks.example",
        443,
        "/x",
        ipaddress.ip_address("2001:db8::7"),
    )
    text = "ConnectError: Connect call failed ('2001:db8::7', 443, 0, 0)"
    assert (
        destination.redact(text) == "ConnectError: Connect call failed ('hooks.example', 443, 0, 0)"
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


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [
        (Attempt(datetime(2026, 1, 1, tzinfo=UTC), 5, status_code=204), ("delivered", "delivered")),
        (Attempt(datetime(2026, 1, 1, tzinfo=UTC), 5, status_code=410), ("failed", "gone")),
        (Attempt(datetime(2026, 1, 1, tzinfo=UTC), 5, status_code=503), ("pending", "retry")),
        (
            Attempt(datetime(2026, 1, 1, tzinfo=UTC), 9, error="x", failure="timeout"),
            ("pending", "retry"),
        ),
        (
            Attempt(datetime(2026, 1, 1, tzinfo=UTC), 1, error="x", failure="refused_url"),
            ("pending", "refused"),
        ),
    ],
)
def test_decision__what_an_attempt_means_for_its_delivery(attempt, expected):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    decision = decide(DeliverySettings(), attempt, number=1, created_at=now, now=now)
    assert (decision.status, decision.outcome) == expected
    assert (decision.next_attempt_at is not None) == (decision.status == "pending")


def test_decision__retry_after_is_honoured_and_the_window_ends_the_retries():
    settings = DeliverySettings()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    busy = Attempt(now, 5, status_code=429, retry_after=600)
    decision = decide(settings, busy, number=1, created_at=now, now=now)
    assert decision.next_attempt_at is not None and decision.next_attempt_at >= now + timedelta(
        seconds=600
    )
    late = now + timedelta(seconds=settings.retry_window_seconds)
    given_up = decide(settings, busy, number=20, created_at=now, now=late)
    assert (given_up.status, given_up.outcome, given_up.next_attempt_at) == (
        "failed",
        "failed",
        None,
    )


def test_decision__a_failing_destination_is_paused_by_its_own_record_a_bad_request_is_not():
    settings = DeliverySettings()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rng = random.Random(3)
    down = Attempt(now, 5, status_code=503, error="HTTP 503", failure="http_5xx")
    # A first attempt to a destination that failed 6 probes in a row waits like its 7th.
    decision = decide(settings, down, number=1, created_at=now, now=now, destination_failures=6)
    assert decision.pause is not None and decision.next_attempt_at == decision.pause.probe_at
    assert decision.pause.probe_at >= now + timedelta(seconds=settings.retry_base_seconds * 2**5)
    assert decision.pause.until == decision.pause.probe_at + timedelta(
        seconds=settings.timeout_seconds
    )  # the others go once the probe has had its answer
    rejected = Attempt(now, 5, status_code=422, error="HTTP 422", failure="http_4xx")
    decision = decide(
        settings, rejected, number=1, created_at=now, now=now, destination_failures=6, rng=rng
    )
    assert decision.pause is None and not decision.recovered  # about this request only
    assert decision.next_attempt_at is not None
    assert decision.next_attempt_at <= now + timedelta(seconds=settings.retry_base_seconds)
    answered = decide(settings, Attempt(now, 5, status_code=200), number=3, created_at=now, now=now)
    assert answered.recovered and answered.pause is None
