"""Fan-out of job event notifications to the event streams of one API process.

One :class:`NotificationListener` per process feeds every stream. A notification
only says "job X has news": each stream then reads ``job_events`` after the last
``seq`` it sent, so a lost or duplicated notification can delay an event but
never drop or repeat one. After the LISTEN connection is reopened every stream
is woken to re-read, which covers whatever happened while it was down.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from uuid import UUID

from app.db import Notification
from app.delivery.listener import NotificationListener

log = logging.getLogger("courier.delivery.hub")

CHANNEL = "courier_job_events"


class Subscription:
    """A stream's doorbell: set when its job (or tenant) may have new events."""

    def __init__(self, hub: EventHub, key: UUID) -> None:
        self.hub = hub
        self.key = key
        self.news = asyncio.Event()
        # Until the first read, assume there is something to read.
        self.news.set()

    async def wait(self, timeout: float) -> bool:
        """True when woken, False after ``timeout`` seconds of silence."""
        try:
            await asyncio.wait_for(self.news.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        self.hub._unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventHub:
    def __init__(self, url: str, *, name: str = "courier-sse") -> None:
        self._subscriptions: dict[UUID, set[Subscription]] = defaultdict(set)
        self.listener = NotificationListener(
            url, [CHANNEL], on_notification=self._notify, on_connected=self._wake_all, name=name,
        )

    async def start(self) -> None:
        await self.listener.start()

    async def stop(self) -> None:
        await self.listener.stop()

    def subscribe(self, key: UUID) -> Subscription:
        """A subscription to a job id or a tenant id. Subscribe before reading the
        database, so nothing committed between the read and the subscription is missed."""
        subscription = Subscription(self, key)
        self._subscriptions[key].add(subscription)
        return subscription

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscriptions.values())

    def _unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscriptions.get(subscription.key)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscriptions[subscription.key]

    def _notify(self, notification: Notification) -> None:
        try:
            payload = json.loads(notification.payload)
            keys = (UUID(payload["job_id"]), UUID(payload["tenant_id"]))
        except (ValueError, KeyError, TypeError):
            log.warning("malformed notification", extra={"event": "hub_bad_notification"})
            return
        for key in keys:
            for subscription in self._subscriptions.get(key, ()):
                subscription.news.set()

    def _wake_all(self) -> None:
        for subscribers in self._subscriptions.values():
            for subscription in subscribers:
                subscription.news.set()
