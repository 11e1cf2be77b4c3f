"""Provider pauses: a provider that answered 429 is not called again, by any worker
process, before the time it asked for (its ``retry-after-ms`` or ``Retry-After``).

The pause is a row in PostgreSQL (``provider_pauses``), not a per-process timer: one
process's 429 holds back the calls of every other. A pause only ever grows while it
lasts, so concurrent 429s with different waits keep the longest.

Calls look the pause up before they start, and no connection is held while waiting.
A worker process that :meth:`ProviderPauses.watch`\\ es keeps the pauses in memory
instead of reading the row before every call (one query per call was a round trip
of every job for a row that changes on a 429 only): every change of the table is
announced on ``courier_provider_pauses`` (the trigger of
migrations/0022_model_call_round_trips.sql) when it commits, and re-read. The view
lags the row by the time a notification takes to arrive (about a millisecond; a read
before each call raced the 429's commit the same way). It is trusted only while it can
be:

* loaded after the ``LISTEN`` began (notifications sent while nobody listened are
  lost, the rows are not), and only while that connection lives;
* a provider whose announcement arrived is read from the table until its new row
  has been read (no call starts on the view of before the 429).

A listener connection that dies silently (a network cut) is noticed by its ping
(:data:`PING_SECONDS`); only in that window can a watching process miss another's
pause, and then its calls meet the provider's 429 and pause it themselves.

Otherwise (not watching, listener down, view not loaded yet) every call reads the row.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from app.db import Database, DatabaseError, Notification
from app.delivery.listener import NotificationListener

log = logging.getLogger("courier.llm.pauses")

CHANNEL = "courier_provider_pauses"
"""Where every change of ``provider_pauses`` is announced; the payload is the provider."""
DEFAULT_PAUSE_SECONDS = 1.0
"""A 429 that says nothing about when to come back pauses its provider this long."""
MIN_PAUSE_SECONDS = 0.05
"""A ``Retry-After: 0`` still pauses this long, so a 429 loop cannot spin."""
PING_SECONDS = 1.0
"""The listener pings its connection after this long without a notification: one that
died without a word (a network cut, not a server restart, which says so) is noticed
within twice this. Until then the view is trusted: the one staleness a watching
process has over reading the row before every call, bounded by this."""
_RELOAD_RETRY_SECONDS = 1.0


class ProviderPauses:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._until: dict[str, float] = {}
        """The view: provider -> when its pause ends (``time.monotonic()``)."""
        self._listener: NotificationListener | None = None
        self._connection = 0
        """Counts the listener's (re)connections."""
        self._loaded_for: int | None = None
        """The connection the view was loaded after; None: not loaded."""
        self._announced: dict[str, int] = {}
        """Providers announced and not re-read yet, with how many times."""
        self._announcements = 0
        """Every announcement received, counted."""
        self._tasks: set[asyncio.Task[None]] = set()

    async def remaining(self, provider: str) -> float:
        """Seconds until ``provider`` may be called again; 0 when it is not paused."""
        if self._view_current() and provider not in self._announced:
            until = self._until.get(provider)
            return max(until - time.monotonic(), 0.0) if until is not None else 0.0
        return await self._read(provider)

    async def pause(
        self, provider: str, seconds: float | None, reason: str = "rate_limited"
    ) -> float:
        """Pause ``provider`` for ``seconds`` (the default when None), unless it is paused
        for longer already; returns how long the pause now lasts."""
        wait = DEFAULT_PAUSE_SECONDS if seconds is None else max(seconds, MIN_PAUSE_SECONDS)
        row = await self.db.fetch_one(
            "provider_pause_extend", provider=provider, seconds=wait, reason=reason
        )
        remaining = float(row["remaining_seconds"])
        self._remember(provider, remaining)  # this process need not wait for the announcement
        return remaining

    async def watch(self, url: str, *, name: str) -> None:
        """Keep the pauses in memory from now on, listening on its own connection to
        ``url`` (until :meth:`stop`); returns once it listens, or after 10 s (meanwhile
        calls read the table)."""
        self._listener = NotificationListener(
            url,
            [CHANNEL],
            on_notification=self._announcement,
            on_connected=self._connected,
            name=name,
            ping_seconds=PING_SECONDS,
        )
        await self._listener.start()

    async def stop(self) -> None:
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @property
    def watching(self) -> bool:
        """Whether calls are answered from memory right now."""
        return self._view_current()

    def _view_current(self) -> bool:
        return (
            self._listener is not None
            and self._listener.connected.is_set()
            and self._loaded_for == self._connection
        )

    async def _read(self, provider: str) -> float:
        row = await self.db.fetch_optional("provider_pause_remaining", provider=provider)
        return max(row["remaining_seconds"], 0.0) if row else 0.0

    def _remember(self, provider: str, remaining: float) -> None:
        if remaining > 0:
            self._until[provider] = time.monotonic() + remaining
        else:
            self._until.pop(provider, None)

    def _connected(self) -> None:
        self._connection += 1
        self._spawn(self._load(self._connection))

    async def _load(self, connection: int) -> None:
        while connection == self._connection:
            announcements = self._announcements
            try:
                rows = await self.db.fetch_all("provider_pause_list")
            except DatabaseError as exc:
                log.warning(
                    "provider pauses not loaded: calls read them meanwhile",
                    extra={"event": "llm_pauses_load_failed", "error": str(exc)},
                )
                await asyncio.sleep(_RELOAD_RETRY_SECONDS)
                continue
            if announcements != self._announcements:
                continue  # a pause changed while it loaded: the rows may predate it
            if connection == self._connection:
                now = time.monotonic()
                self._until = {row["provider"]: now + row["remaining_seconds"] for row in rows}
                self._loaded_for = connection
            return

    def _announcement(self, notification: Notification) -> None:
        provider = notification.payload
        self._announcements += 1
        self._announced[provider] = self._announced.get(provider, 0) + 1
        self._spawn(self._reread(provider, self._announced[provider]))

    async def _reread(self, provider: str, announced: int) -> None:
        # Until this succeeds, or a later announcement takes over, calls read the row.
        while self._announced.get(provider) == announced:
            try:
                remaining = await self._read(provider)
            except DatabaseError:
                await asyncio.sleep(_RELOAD_RETRY_SECONDS)
                continue
            if self._announced.get(provider) == announced:  # no later announcement meanwhile
                self._remember(provider, remaining)
                del self._announced[provider]
            return

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
