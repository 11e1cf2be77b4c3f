"""The API's cache of key lookups: answered from memory only while it can be told of
changes, and never storing an answer that a change may have overtaken."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from app.keys.cache import KeyCache
from app.keys.service import Principal, Unauthenticated


def _principal(key_id: str = "0000beef") -> Principal:
    return Principal(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        external_id="alice",
        acl_groups=("support",),
        roles=(),
        key_id=key_id,
    )


class Lookups:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.count = 0

    async def __call__(self) -> Principal:
        self.count += 1
        return self.principal


def _connected() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event


async def test_key_cache__answers_a_known_key_from_memory_until_the_key_changes():
    cache = KeyCache(_connected(), ttl_seconds=3600)
    lookup = Lookups(_principal("0000beef"))
    for _ in range(3):
        assert await cache.principal(b"h", lookup) == lookup.principal
    assert lookup.count == 1

    cache.changed("key:0000cafe")  # another key
    await cache.principal(b"h", lookup)
    assert lookup.count == 1
    cache.changed("key:0000beef")
    await cache.principal(b"h", lookup)
    assert lookup.count == 2
    cache.changed(f"principal:{lookup.principal.id}")
    await cache.principal(b"h", lookup)
    assert lookup.count == 3


async def test_key_cache__looks_every_key_up_while_the_listen_connection_is_down():
    connected = asyncio.Event()
    cache = KeyCache(connected, ttl_seconds=3600)
    lookup = Lookups(_principal())
    await cache.principal(b"h", lookup)
    await cache.principal(b"h", lookup)
    assert lookup.count == 2


async def test_key_cache__is_emptied_when_the_listen_connection_is_made_again():
    cache = KeyCache(_connected(), ttl_seconds=3600)
    lookup = Lookups(_principal())
    await cache.principal(b"h", lookup)
    cache.clear()
    await cache.principal(b"h", lookup)
    assert lookup.count == 2


async def test_key_cache__does_not_keep_a_lookup_that_a_change_overtook():
    cache = KeyCache(_connected(), ttl_seconds=3600)
    principal = _principal()
    lookups = 0

    async def lookup_during_revocation() -> Principal:
        nonlocal lookups
        lookups += 1
        cache.changed(f"key:{principal.key_id}")  # notified while this lookup ran
        return principal

    await cache.principal(b"h", lookup_during_revocation)
    await cache.principal(b"h", lookup_during_revocation)
    assert lookups == 2


async def test_key_cache__never_keeps_a_refusal():
    cache = KeyCache(_connected(), ttl_seconds=3600)
    calls = 0

    async def unknown() -> Principal:
        nonlocal calls
        calls += 1
        raise Unauthenticated()

    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await cache.principal(b"h", unknown)
    assert calls == 2


async def test_key_cache__off_with_no_lifetime():
    cache = KeyCache(_connected(), ttl_seconds=0)
    lookup = Lookups(_principal())
    await cache.principal(b"h", lookup)
    await cache.principal(b"h", lookup)
    assert lookup.count == 2
