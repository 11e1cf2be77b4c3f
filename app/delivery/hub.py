"""Fan-out of job events to the event streams of one API process.

One :class:`NotificationListener` per process feeds every stream. A notification
only says "job X has news". For a job stream the hub then reads ``job_events``
once per job — not once per client — after the last ``seq`` it has read, and
hands the rows to every stream of that job through a shared :class:`JobFeed`.
Sequence numbers are gapless per job, so a stream always knows the ``seq`` it
needs next: when the feed holds it, the stream takes it from there; when the
stream is behind what the feed holds (it resumed with ``Last-Event-ID``, or was
slow and the feed dropped old rows), it reads the database itself. So a lost,
late or duplicated notification can delay an event but never drop or repeat one.

Tenant streams keep a plain doorbell (:class:`Subscription`): their reads are
per tenant and filter, and there are few of them. A tenant stream only sends events
below the commit horizon (the oldest transaction still running, see
``sql/job_events.sql``); when events wait behind an older transaction no
notification says when it ends, so the hub watches the horizon for all of them:
one small query per process, polled only while some stream waits, less often the
longer the horizon stands still (:meth:`EventHub.horizon_passes`).

The hub's LISTEN connection is the process's only one: other owners receive their
channels through it too (:meth:`EventHub.forward`).

After the LISTEN connection is reopened every feed re-reads, every tenant stream is
woken and every forwarded channel's owner re-reads, which covers whatever happened
while it was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Self
from uuid import UUID

from app.db import Database, DatabaseError, Notification
from app.delivery.listener import NotificationListener

log = logging.getLogger("courier.delivery.hub")

CHANNEL = "courier_job_events"

# Rows a feed keeps for streams that are a little behind; further behind, they read
# the database themselves.
FEED_KEEP = 256
# Rows per read, for the feed and for a stream catching up on its own.
PAGE = 500
# How often the commit horizon is polled while a stream waits on it: soon at first (an
# ordinary concurrent transaction ends within milliseconds), then less and less often
# while it stands still (a long transaction), never more than once a second.
HORIZON_POLL_FIRST = 0.02
HORIZON_POLL_MAX = 1.0


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
            async with asyncio.timeout(timeout):
                await self.news.wait()
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        self.hub._unsubscribe(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class JobFeed:
    """The events of one job as read by the hub, shared by every stream of the job.

    ``rows`` holds consecutive events ``first_seq .. cursor`` (at most
    :data:`FEED_KEEP`). ``cursor`` is None until the feed knows where the job
    stands: the first stream's own read, or the first notification, sets it.
    """

    def __init__(self, db: Database, job_id: UUID, tenant_id: UUID) -> None:
        self.db = db
        self.job_id = job_id
        self.tenant_id = tenant_id
        self.cursor: int | None = None
        self.rows: list[dict[str, Any]] = []
        self.subscribers: set[JobSubscription] = set()
        self._reading: asyncio.Task[None] | None = None
        self._read_again = False

    @property
    def first_seq(self) -> int | None:
        return self.rows[0]["seq"] if self.rows else None

    def rows_after(self, after: int) -> list[dict[str, Any]] | None:
        """The events after ``after`` the feed holds; [] when the feed knows of none
        (news will ring); None when the feed cannot tell, so the caller must read
        the database itself."""
        if self.cursor is None:
            return None
        if after >= self.cursor:
            return []
        first = self.first_seq
        if first is None or first > after + 1:
            return None
        return self.rows[after + 1 - first :]

    def caught_up(self, seq: int) -> None:
        """A stream read the database itself up to ``seq``. Only a feed that does not
        know where the job stands yet takes that as its starting point: moving a known
        cursor would leave the rows in between to every other stream's own read."""
        if self.cursor is None:
            self.cursor = seq
            self.rows = []

    def notified(self, seq: int | None) -> None:
        if self.cursor is None:
            if seq is None:
                # The feed does not know where the job stands: each stream reads for
                # itself (and the first to finish tells the feed).
                self._wake()
                return
            self.cursor = seq - 1
        self.read_soon()

    def read_soon(self) -> None:
        """Read the new events once for every stream; coalesces while a read runs."""
        if self._reading is not None:
            self._read_again = True
            return
        self._reading = asyncio.create_task(self._read(), name=f"job-feed:{self.job_id}")

    async def _read(self) -> None:
        try:
            while True:
                self._read_again = False
                assert self.cursor is not None
                rows = await self.db.fetch_all(
                    "job_event_list",
                    job_id=self.job_id,
                    tenant_id=self.tenant_id,
                    after_seq=self.cursor,
                    limit=PAGE,
                )
                self._append(rows)
                self._wake()
                if not (self._read_again or len(rows) == PAGE):
                    return
        except DatabaseError as exc:
            # Forget where the job stands: every stream then reads for itself (and
            # meets the error itself), and the next good read starts the feed again.
            log.warning(
                "reading job events failed",
                extra={
                    "event": "hub_feed_read_failed",
                    "job_id": str(self.job_id),
                    "error": str(exc),
                },
            )
            self.cursor, self.rows = None, []
            self._wake()
        finally:
            self._reading = None

    def _append(self, rows: list[dict[str, Any]]) -> None:
        assert self.cursor is not None
        for row in rows:
            # The cursor may have moved meanwhile; only the next seq extends the feed.
            if row["seq"] == self.cursor + 1:
                self.rows.append(row)
                self.cursor = row["seq"]
        del self.rows[:-FEED_KEEP]

    def _wake(self) -> None:
        for subscriber in self.subscribers:
            subscriber.news.set()

    async def close(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading


class JobSubscription(Subscription):
    """A job stream's place in its job's :class:`JobFeed`."""

    def __init__(self, hub: EventHub, feed: JobFeed) -> None:
        super().__init__(hub, feed.job_id)
        self.feed = feed

    def close(self) -> None:
        self.hub._leave(self)


class EventHub:
    def __init__(self, url: str, db: Database, *, name: str = "courier-sse") -> None:
        self.db = db
        self._subscriptions: dict[UUID, set[Subscription]] = defaultdict(set)
        self._feeds: dict[UUID, JobFeed] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._forwards: dict[str, Callable[[str], None]] = {}
        self._on_connected: list[Callable[[], None]] = []
        # The commit horizon as last polled (an xid8), and the waiters for it to move.
        self.horizon: int | None = None
        self._horizon_moved = asyncio.Event()
        self._horizon_waiters = 0
        self._horizon_poller: asyncio.Task[None] | None = None
        self._started = False
        self.listener = NotificationListener(
            url,
            [CHANNEL],
            on_notification=self._notify,
            on_connected=self._connected,
            name=name,
        )

    def forward(
        self, channel: str, on_payload: Callable[[str], None], on_connected: Callable[[], None]
    ) -> None:
        """Also listen on ``channel`` (call before :meth:`start`): each notification's
        payload goes to ``on_payload``; ``on_connected`` runs after every (re)connection,
        since notifications sent while nobody listened are lost."""
        assert not self._started, "forward() a channel before start()"
        self.listener.channels.append(channel)
        self._forwards[channel] = on_payload
        self._on_connected.append(on_connected)

    async def start(self) -> None:
        self._started = True
        await self.listener.start()

    async def stop(self) -> None:
        await self.listener.stop()
        if self._horizon_poller is not None:
            self._horizon_poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._horizon_poller
        for feed in list(self._feeds.values()):
            await feed.close()
        for task in list(self._closing):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def horizon_passes(self, seen: int, timeout: float) -> bool:
        """Wait until the commit horizon is past ``seen`` (an xid8 a stream read as the
        horizon); False after ``timeout`` seconds. Every waiter of the process shares one
        poll of the database."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._horizon_waiters += 1
        try:
            if self._horizon_poller is None:
                self._horizon_poller = asyncio.create_task(self._poll_horizon(), name="hub-horizon")
            while self.horizon is None or self.horizon <= seen:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                try:
                    async with asyncio.timeout(remaining):
                        await self._horizon_moved.wait()
                except TimeoutError:
                    return False
            return True
        finally:
            self._horizon_waiters -= 1

    async def _poll_horizon(self) -> None:
        interval = HORIZON_POLL_FIRST
        try:
            while self._horizon_waiters:
                try:
                    horizon = int((await self.db.fetch_one("job_event_stream_horizon"))["xmin"])
                except DatabaseError as exc:
                    log.warning(
                        "reading the commit horizon failed",
                        extra={"event": "hub_horizon_failed", "error": str(exc)},
                    )
                    horizon = self.horizon or 0
                if self.horizon is None or horizon > self.horizon:
                    self.horizon = horizon
                    moved, self._horizon_moved = self._horizon_moved, asyncio.Event()
                    moved.set()
                    interval = HORIZON_POLL_FIRST
                else:
                    interval = min(interval * 2, HORIZON_POLL_MAX)
                await asyncio.sleep(interval)
        finally:
            self._horizon_poller = None

    def subscribe(self, key: UUID) -> Subscription:
        """A subscription to a tenant id (or a job id, woken only). Subscribe before
        reading the database, so nothing committed between the read and the
        subscription is missed."""
        subscription = Subscription(self, key)
        self._subscriptions[key].add(subscription)
        return subscription

    def follow_job(self, tenant_id: UUID, job_id: UUID) -> JobSubscription:
        """A place in the job's shared feed (created with the first stream of the job).
        The caller must have checked that the job belongs to ``tenant_id``."""
        feed = self._feeds.get(job_id)
        if feed is None:
            feed = self._feeds[job_id] = JobFeed(self.db, job_id, tenant_id)
        subscription = JobSubscription(self, feed)
        feed.subscribers.add(subscription)
        return subscription

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscriptions.values()) + sum(
            len(f.subscribers) for f in self._feeds.values()
        )

    def _unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscriptions.get(subscription.key)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscriptions[subscription.key]

    def _leave(self, subscription: JobSubscription) -> None:
        feed = subscription.feed
        feed.subscribers.discard(subscription)
        if not feed.subscribers and self._feeds.get(feed.job_id) is feed:
            del self._feeds[feed.job_id]
            if feed._reading is not None:
                task = asyncio.ensure_future(feed.close())
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    def _notify(self, notification: Notification) -> None:
        if notification.channel != CHANNEL:
            forward = self._forwards.get(notification.channel)
            if forward is not None:
                forward(notification.payload)
            return
        try:
            payload = json.loads(notification.payload)
            job_id, tenant_id = UUID(payload["job_id"]), UUID(payload["tenant_id"])
            seq = payload.get("seq")
            seq = int(seq) if seq is not None else None
        except (ValueError, KeyError, TypeError):
            log.warning("malformed notification", extra={"event": "hub_bad_notification"})
            return
        if (feed := self._feeds.get(job_id)) is not None:
            feed.notified(seq)
        for key in (job_id, tenant_id):
            for subscription in self._subscriptions.get(key, ()):
                subscription.news.set()

    def _connected(self) -> None:
        self._wake_all()
        for on_connected in self._on_connected:
            on_connected()

    def _wake_all(self) -> None:
        for feed in self._feeds.values():
            feed.notified(None)
        for subscribers in self._subscriptions.values():
            for subscription in subscribers:
                subscription.news.set()
