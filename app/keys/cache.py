"""A short-lived, per-process cache of API key lookups that a change to a key ends at once.

Authenticating was one query per request (``courier_api_key_principal_v2``). The
cache answers a key seen moments ago from memory, and is exact, not eventually
right: every change to a key (revocation, deletion, its roles or groups) or to its
principal is notified on ``courier_api_keys_changed`` (migrations/0015), which the
API's one LISTEN connection (:class:`app.delivery.hub.EventHub`) already carries,
and drops the key's entry before the next request is served.

What would make a cached answer stale is kept out:

* the cache answers only while the LISTEN connection is up; it is emptied when that
  connection is (re)made, since notifications sent while nobody listened are lost;
* a lookup that was in flight when any change was notified is not stored (it may
  have read the key before the change committed);
* entries expire after ``ttl_seconds`` anyway, and the cache holds at most
  ``max_entries`` keys (the oldest go first).

What remains is the notification's own way: a request that reaches the process
within the ~2 ms between the revoking commit and its notification is still served,
as one that was in flight at the commit would have been without a cache.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol

from app.keys.service import Principal

log = logging.getLogger("courier.keys.cache")

CHANNEL = "courier_api_keys_changed"


class Connected(Protocol):
    def is_set(self) -> bool: ...


class KeyCache:
    def __init__(
        self,
        connected: Connected,
        *,
        ttl_seconds: float = 30.0,
        max_entries: int = 10_000,
    ) -> None:
        self.connected = connected
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[Principal, float]] = OrderedDict()
        # Bumped by every invalidation: a lookup that saw it move stores nothing.
        self._generation = 0

    async def principal(
        self, key_hash: bytes, lookup: Callable[[], Awaitable[Principal]]
    ) -> Principal:
        """The principal of ``key_hash``: from the cache, or from ``lookup`` (which
        raises for an unknown or revoked key; that answer is never cached)."""
        if not self.ttl_seconds or not self.connected.is_set():
            return await lookup()
        now = time.monotonic()
        entry = self._entries.get(key_hash)
        if entry is not None and now - entry[1] < self.ttl_seconds:
            return entry[0]
        generation = self._generation
        principal = await lookup()
        if generation == self._generation and self.connected.is_set():
            self._entries[key_hash] = (principal, now)
            self._entries.move_to_end(key_hash)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return principal

    def changed(self, payload: str) -> None:
        """A notification: ``key:<key_id>`` or ``principal:<uuid>`` changed."""
        self._generation += 1
        what, _, name = payload.partition(":")
        if what == "key":
            stale = [h for h, (p, _) in self._entries.items() if p.key_id == name]
        elif what == "principal":
            stale = [h for h, (p, _) in self._entries.items() if str(p.id) == name]
        else:
            log.warning("malformed key notification", extra={"event": "key_cache_bad_payload"})
            stale = list(self._entries)
        for key_hash in stale:
            del self._entries[key_hash]

    def clear(self) -> None:
        """Forget everything (the LISTEN connection was (re)made)."""
        self._generation += 1
        self._entries.clear()
