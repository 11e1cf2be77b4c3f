"""One supervised ``LISTEN`` connection per process.

The connection is opened at start, watched (a ping whenever it is quiet) and
reopened with backoff when it dies. After every (re)connection ``on_connected``
runs, so the owner re-reads the database: notifications sent while nobody
listened are lost, the rows they stood for are not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from app.cancellation import raise_if_cancelled
from app.db import DatabaseError, ListenConnection, Notification
from app.retries import backoff_delay

log = logging.getLogger("courier.delivery.listener")

# The first reconnect waits 25-50 ms; each further failure doubles that, up to max_backoff_seconds.
_RECONNECT_BASE_SECONDS = 0.05


class NotificationListener:
    def __init__(
        self,
        url: str,
        channels: Sequence[str],
        *,
        on_notification: Callable[[Notification], None],
        on_connected: Callable[[], None],
        name: str,
        ping_seconds: float = 5.0,
        max_backoff_seconds: float = 5.0,
    ) -> None:
        self.url = url
        self.channels = list(channels)
        self.on_notification = on_notification
        self.on_connected = on_connected
        self.name = name
        self.ping_seconds = ping_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.connected = asyncio.Event()
        self.backend_pid: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, wait: float | None = 10.0) -> None:
        """Start listening; waits up to ``wait`` seconds for the first connection."""
        self._task = asyncio.create_task(self._run(), name=f"listener:{self.name}")
        if wait:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self.connected.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while True:
            raise_if_cancelled()
            connection: ListenConnection | None = None
            try:
                connection = await ListenConnection.open(
                    self.url, self.channels, application_name=self.name
                )
                self.backend_pid = connection.backend_pid
                self.connected.set()
                failures = 0
                log.info(
                    "listening",
                    extra={
                        "event": "listener_connected",
                        "listener": self.name,
                        "channels": self.channels,
                        "backend_pid": self.backend_pid,
                    },
                )
                self.on_connected()
                while True:
                    raise_if_cancelled()
                    for notification in await connection.receive(self.ping_seconds):
                        self.on_notification(notification)
            except DatabaseError as exc:
                self.connected.clear()
                failures += 1
                delay = backoff_delay(failures, _RECONNECT_BASE_SECONDS, self.max_backoff_seconds)
                log.warning(
                    "LISTEN connection lost; reconnecting",
                    extra={
                        "event": "listener_lost",
                        "listener": self.name,
                        "error": str(exc),
                        "retry_in": round(delay, 3),
                    },
                )
            finally:
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close()
            await asyncio.sleep(delay)  # set by the except clause: the only way here
