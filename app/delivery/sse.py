"""Event streams: a job's events, or a tenant's, as server-sent events.

Every message carries an ``id:`` (the job's ``seq``; on the tenant stream a
commit-ordered cursor), so a client that reconnects with ``Last-Event-ID`` gets
exactly the events it has not seen. The first message sets ``retry:``, a stream
sends a comment heartbeat whenever it has sent nothing for the heartbeat interval
(however often it is woken), and a job stream ends after the terminal event.

What a stream costs is bounded:

* Streams are capped per API process (503) and per tenant (429), with a
  ``Retry-After``; tenant-wide streams, which read for themselves, have a cap of
  their own. A stream counts from the moment it is admitted until it ends, however
  it ends.
* A tenant-wide stream examines at most :data:`TENANT_SCAN` events per read and
  moves its cursor past every event it examined, whether it matched the filter or
  not, so a filter that rarely matches never reads the same history twice; its
  heartbeats carry that cursor as ``id:``, so a reconnecting browser does not
  either.
* A tenant-wide stream only sends events below the commit horizon (see
  ``sql/job_events.sql``). When events wait behind an older transaction still
  running, no notification can tell it anything, so it waits for the hub's one
  shared watch of the horizon instead of re-reading; the wait shows as
  ``courier_sse_tenant_stream_lag_seconds``.

Every stream belongs to the API key that opened it (directly or through the link
it made): revoking the key ends it (:meth:`EventStreams.key_revoked`). A console
stream belongs to its session as well: it ends when the session is signed out
(:meth:`EventStreams.session_ended`) or expires (a timer at its end). A stream
whose database read fails ends cleanly, and its client reconnects with
``Last-Event-ID``; a ``Last-Event-ID`` this stream could not have sent is refused
with 400 before the stream starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar.response import ServerSentEventMessage

from app.db import Database, DatabaseError, NotFound
from app.delivery.hub import PAGE as _PAGE
from app.delivery.hub import EventHub
from app.errors import (
    BadRequestError,
    CourierError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
)
from app.jobs.schemas import TERMINAL_STATES, JobEvent, JobState
from app.metrics import (
    SSE_CLIENTS_OPEN,
    SSE_STREAMS_REFUSED,
    SSE_TENANT_ROWS_EXAMINED,
    SSE_TENANT_STREAM_LAG,
)

log = logging.getLogger("courier.delivery.sse")

KEYS_CHANNEL = "courier_api_keys_revoked"
SESSIONS_CHANNEL = "courier_console_sessions_ended"  # migrations/0026
# A key revoked this recently ends a stream admitted just after the notification came
# (its request checked the key a moment before the revocation committed).
REVOKED_RECENTLY_SECONDS = 60.0
# Events a tenant-wide stream examines per read, at most.
TENANT_SCAN = 1000

_SEQ = re.compile(r"[0-9]{1,9}")
_TENANT_CURSOR = re.compile(r"(?P<xid>[0-9]{1,20})\.(?P<position>[0-9]{1,19})")
_BIGINT_MAX = 2**63 - 1


class StreamJobNotFound(NotFoundError):
    """No such job."""


class InvalidLastEventId(BadRequestError):
    """Last-Event-ID is not an id this stream sent."""


class TooManyStreams(RateLimitedError):
    """This tenant has as many event streams open as it may; close one, or retry after the
    Retry-After seconds."""


class StreamsBusy(UnavailableError):
    """This API process serves as many event streams as it can; retry after the Retry-After
    seconds."""

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _StreamEnding(Exception):
    """End the stream now: the server is shutting down (the client reconnects elsewhere),
    or the API key it belongs to was revoked."""


class StreamFinished(CourierError):
    """The job is finished and every event was sent: nothing more will come."""


@dataclass(frozen=True)
class StreamLimits:
    """The caps of :class:`EventStreams` (``COURIER_DELIVERY_SSE_MAX_*``)."""

    streams: int = 2000
    per_tenant: int = 500
    tenant_wide_per_tenant: int = 20
    retry_after_seconds: int = 5


# When each held-back tenant stream (of any EventStreams in this process) found events
# it could not send yet, in time.monotonic() seconds; read at scrape time.
_held_back_since: dict[_OpenStream, float] = {}


def _oldest_held_back_seconds() -> float:
    oldest = min(_held_back_since.values(), default=None)
    return 0.0 if oldest is None else time.monotonic() - oldest


SSE_TENANT_STREAM_LAG.set_function(_oldest_held_back_seconds)


@dataclass(frozen=True)
class Session:
    """The console session a stream belongs to: ``id`` the hex SHA-256 of its token (as
    SESSIONS_CHANNEL names it), ``expires_at`` when it ends."""

    id: str
    expires_at: datetime


class _OpenStream:
    """An admitted stream, counted against the caps until :meth:`close` (idempotent)."""

    def __init__(
        self,
        owner: EventStreams,
        tenant_id: UUID,
        key_id: str | None,
        tenant_wide: bool,
        session: Session | None = None,
    ) -> None:
        self.owner = owner
        self.tenant_id = tenant_id
        self.key_id = key_id
        self.tenant_wide = tenant_wide
        self.session = session
        self.ended = asyncio.Event()
        self.closed = False
        self._session_end: asyncio.TimerHandle | None = None
        if session is not None:
            # Ends when the session expires, even if nothing is ever notified.
            remaining = (session.expires_at - datetime.now(UTC)).total_seconds()
            self._session_end = asyncio.get_running_loop().call_later(
                max(0.0, remaining), self.ended.set
            )

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self._session_end is not None:
                self._session_end.cancel()
            _held_back_since.pop(self, None)
            self.owner._release(self)


class EventStreams:
    def __init__(
        self,
        db: Database,
        hub: EventHub,
        *,
        heartbeat_seconds: float,
        retry_ms: int,
        limits: StreamLimits | None = None,
    ) -> None:
        """Call before ``hub.start()``: revocations of API keys arrive on the hub."""
        self.db = db
        self.hub = hub
        self.heartbeat_seconds = heartbeat_seconds
        self.retry_ms = retry_ms
        self.limits = limits or StreamLimits()
        self._closing = asyncio.Event()
        self._open: set[_OpenStream] = set()
        self._per_tenant: Counter[UUID] = Counter()
        self._tenant_wide: Counter[UUID] = Counter()
        self._rechecking: asyncio.Task[None] | None = None
        # When key_ids were revoked and console sessions (hex token hashes) ended.
        self._revoked_at: dict[str, float] = {}
        hub.forward(KEYS_CHANNEL, self.key_revoked, self._recheck_keys_soon)
        hub.forward(SESSIONS_CHANNEL, self.session_ended, self._recheck_keys_soon)

    def close(self) -> None:
        """End every open stream now (the server is shutting down): each client's
        EventSource reconnects, with Last-Event-ID, to a process that is not."""
        self._closing.set()

    @property
    def open_count(self) -> int:
        return len(self._open)

    def key_revoked(self, key_id: str) -> None:
        """End every open stream of the API key ``key_id`` (its revocation was notified)."""
        now = time.monotonic()
        self._revoked_at = {
            k: at for k, at in self._revoked_at.items() if now - at < REVOKED_RECENTLY_SECONDS
        }
        self._revoked_at[key_id] = now
        for stream in self._open:
            if stream.key_id == key_id:
                stream.ended.set()

    def session_ended(self, session_id: str) -> None:
        """End every open stream of the console session ``session_id`` (its sign-out
        was notified)."""
        self._revoked_at = _recent(self._revoked_at) | {session_id: time.monotonic()}
        for stream in self._open:
            if stream.session is not None and stream.session.id == session_id:
                stream.ended.set()

    def _recheck_keys_soon(self) -> None:
        # Revocations and sign-outs notified while the LISTEN connection was down are
        # lost: ask.
        if self._rechecking is None and any(s.key_id or s.session for s in self._open):
            self._rechecking = asyncio.create_task(self._recheck_keys(), name="sse-key-recheck")

    async def _recheck_keys(self) -> None:
        try:
            key_ids = sorted({s.key_id for s in self._open if s.key_id})
            rows = await self.db.fetch_all("api_key_live_list", key_ids=key_ids)
            live = {row["key_id"] for row in rows}
            for key_id in set(key_ids) - live:
                self.key_revoked(key_id)
            sessions = sorted({s.session.id for s in self._open if s.session})
            if sessions:
                rows = await self.db.fetch_all(
                    "console_session_live_list",
                    token_hashes=[bytes.fromhex(session) for session in sessions],
                )
                for session in set(sessions) - {row["session"] for row in rows}:
                    self.session_ended(session)
        except DatabaseError as exc:
            log.warning(
                "checking the keys of open streams failed",
                extra={"event": "sse_key_recheck_failed", "error": str(exc)},
            )
        finally:
            self._rechecking = None

    def _admit(
        self,
        tenant_id: UUID,
        key_id: str | None,
        *,
        tenant_wide: bool,
        session: Session | None = None,
    ) -> _OpenStream:
        limits = self.limits
        if len(self._open) >= limits.streams:
            SSE_STREAMS_REFUSED.labels("process").inc()
            raise StreamsBusy(
                f"this API process has {limits.streams} event streams open, its most",
                retry_after=limits.retry_after_seconds,
            )
        if self._per_tenant[tenant_id] >= limits.per_tenant:
            SSE_STREAMS_REFUSED.labels("tenant").inc()
            raise TooManyStreams(
                f"the tenant has {limits.per_tenant} event streams open on this API process, "
                "its most",
                retry_after=limits.retry_after_seconds,
            )
        if tenant_wide and self._tenant_wide[tenant_id] >= limits.tenant_wide_per_tenant:
            SSE_STREAMS_REFUSED.labels("tenant_wide").inc()
            raise TooManyStreams(
                f"the tenant has {limits.tenant_wide_per_tenant} tenant-wide event streams open "
                "on this API process, its most",
                retry_after=limits.retry_after_seconds,
            )
        stream = _OpenStream(self, tenant_id, key_id, tenant_wide, session)
        # A key revoked or a session signed out just now (its request was checked a
        # moment before): it opens and ends at once; the client's retry gets 401 or 303.
        for ended in (key_id, session.id if session else None):
            revoked_at = self._revoked_at.get(ended) if ended else None
            if revoked_at is not None and time.monotonic() - revoked_at < REVOKED_RECENTLY_SECONDS:
                stream.ended.set()
        self._open.add(stream)
        self._per_tenant[tenant_id] += 1
        if tenant_wide:
            self._tenant_wide[tenant_id] += 1
        SSE_CLIENTS_OPEN.inc()
        return stream

    def _release(self, stream: _OpenStream) -> None:
        self._open.discard(stream)
        self._per_tenant[stream.tenant_id] -= 1
        if self._per_tenant[stream.tenant_id] <= 0:
            del self._per_tenant[stream.tenant_id]
        if stream.tenant_wide:
            self._tenant_wide[stream.tenant_id] -= 1
            if self._tenant_wide[stream.tenant_id] <= 0:
                del self._tenant_wide[stream.tenant_id]
        SSE_CLIENTS_OPEN.dec()

    def _started(
        self, stream: _OpenStream, body: AsyncIterator[ServerSentEventMessage]
    ) -> AsyncIterator[ServerSentEventMessage]:
        # The body releases its place when it ends; a response that never starts it
        # releases it when the body is dropped.
        weakref.finalize(body, stream.close)
        return body

    def _go_on(self, stream: _OpenStream) -> None:
        """:class:`_StreamEnding` once the server shuts down or the stream's key is revoked,
        also in the middle of sending (a catch-up is no reason to go on)."""
        if self._closing.is_set() or stream.ended.is_set():
            raise _StreamEnding()

    async def _wait(self, stream: _OpenStream, news: Coroutine[Any, Any, bool]) -> bool:
        """Wait for ``news`` (True: woken; False: its timeout passed); :class:`_StreamEnding`
        when the server shuts down or the stream's key is revoked meanwhile."""
        if self._closing.is_set() or stream.ended.is_set():
            news.close()
            raise _StreamEnding()
        woken = asyncio.ensure_future(news)
        closing = asyncio.ensure_future(self._closing.wait())
        ended = asyncio.ensure_future(stream.ended.wait())
        try:
            await asyncio.wait([woken, closing, ended], return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            woken.cancel()  # the client went away: stop waiting on its behalf
            raise
        finally:
            closing.cancel()
            ended.cancel()
        if self._closing.is_set() or stream.ended.is_set():
            woken.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await woken
            raise _StreamEnding()
        return woken.result()

    async def history(
        self, tenant_id: UUID, job_id: UUID, after_seq: int | None = None
    ) -> list[JobEvent]:
        await self._job(tenant_id, job_id)
        rows = await self.db.fetch_all(
            "job_event_list", job_id=job_id, tenant_id=tenant_id, after_seq=after_seq, limit=10_000
        )
        return [JobEvent.model_validate(row) for row in rows]

    async def open_job_stream(
        self,
        tenant_id: UUID,
        job_id: UUID,
        last_event_id: str | None,
        *,
        key_id: str | None = None,
    ) -> AsyncIterator[ServerSentEventMessage]:
        """The stream of a job's events after ``last_event_id``, which ends when the API key
        ``key_id`` is revoked. Raises before the stream starts (so the client gets a real
        status): 404 for an unknown job, 400 for a Last-Event-ID past the job's last event,
        429/503 past a cap, :class:`StreamFinished` when a finished job has nothing left to
        send (an EventSource stops reconnecting on 204)."""
        after = _parse_seq(last_event_id)
        job = await self._job(tenant_id, job_id)
        if after > job["last_event_seq"]:
            raise InvalidLastEventId(
                f"Last-Event-ID {after} is past the job's last event ({job['last_event_seq']})"
            )
        if job["state"] in TERMINAL_STATES and after >= job["last_event_seq"]:
            raise StreamFinished()
        stream = self._admit(tenant_id, key_id, tenant_wide=False)
        return self._started(stream, self._job_stream(stream, job_id, after))

    async def _job_stream(
        self, stream: _OpenStream, job_id: UUID, after: int
    ) -> AsyncIterator[ServerSentEventMessage]:
        # Events come from the job's shared feed (one read per notification for all
        # streams of the job); a stream the feed cannot serve — its first read, or
        # behind what the feed still holds — reads the database itself.
        tenant_id = stream.tenant_id
        with (
            _ends_cleanly(stream, job_id=job_id),
            self.hub.follow_job(tenant_id, job_id) as subscription,
        ):
            feed = subscription.feed
            yield ServerSentEventMessage(
                data=None, comment="courier job events", retry=self.retry_ms
            )
            heartbeat = _Heartbeat(self.heartbeat_seconds)
            while True:
                self._go_on(stream)
                # Clear before looking: rows that arrive while we send ring again.
                subscription.news.clear()
                rows = feed.rows_after(after)
                if rows is None:
                    rows = await self.db.fetch_all(
                        "job_event_list",
                        job_id=job_id,
                        tenant_id=tenant_id,
                        after_seq=after,
                        limit=_PAGE,
                    )
                    feed.caught_up(rows[-1]["seq"] if rows else after)
                for row in rows:
                    after = row["seq"]
                    heartbeat.sent()
                    yield _message(row["seq"], {"job_id": str(job_id), **_event(row)})
                    if row["state"] in TERMINAL_STATES:
                        return
                if rows:
                    continue
                if not await self._wait(stream, subscription.wait(heartbeat.due_in())):
                    # A backstop for a notification that never came: one read for the job.
                    if feed.cursor is not None:
                        feed.read_soon()
                if heartbeat.due_in() <= 0:
                    heartbeat.sent()
                    yield ServerSentEventMessage(data=None, comment="heartbeat")

    async def open_tenant_stream(
        self,
        tenant_id: UUID,
        last_event_id: str | None,
        *,
        kind: str | None,
        state: JobState | None,
        key_id: str | None = None,
        session: Session | None = None,
    ) -> AsyncIterator[ServerSentEventMessage]:
        """A tenant's events (optionally one kind or one state) from now on, or after
        ``last_event_id``; it ends when the API key ``key_id`` is revoked, and when the
        console ``session`` it belongs to is signed out or expires. Raises before
        the stream starts: 400 for a Last-Event-ID this stream could not have sent,
        429/503 past a cap."""
        start = await self.db.fetch_one("job_event_stream_start")
        if last_event_id:
            cursor = _parse_tenant_cursor(last_event_id, next_xid=int(start["next_xid"]))
        else:
            cursor = (int(start["xid"]), 0)
        stream = self._admit(tenant_id, key_id, tenant_wide=True, session=session)
        return self._started(stream, self._tenant_stream(stream, cursor, kind, state))

    async def _tenant_stream(
        self,
        stream: _OpenStream,
        cursor: tuple[int, int],
        kind: str | None,
        state: JobState | None,
    ) -> AsyncIterator[ServerSentEventMessage]:
        tenant_id = stream.tenant_id
        with _ends_cleanly(stream), self.hub.subscribe(tenant_id) as subscription:
            yield ServerSentEventMessage(
                data=None, comment="courier tenant events", retry=self.retry_ms
            )
            heartbeat = _Heartbeat(self.heartbeat_seconds)
            sent = cursor  # the newest id the client has
            while True:
                self._go_on(stream)
                if heartbeat.due_in() <= 0:
                    # Its id lets a reconnect skip what this stream examined and did not send.
                    heartbeat.sent()
                    yield _heartbeat(cursor if cursor != sent else None)
                    sent = cursor
                subscription.news.clear()
                rows = await self.db.fetch_all(
                    "job_event_stream_for_tenant",
                    tenant_id=tenant_id,
                    after_xid=str(cursor[0]),
                    after_position=cursor[1],
                    kind=kind,
                    state=state,
                    scan_limit=TENANT_SCAN,
                )
                examined = rows[0]["examined"] if rows else 0
                SSE_TENANT_ROWS_EXAMINED.inc(examined)
                for row in rows:
                    cursor = (int(row["xid"]), row["position"])
                    if row["matched"]:
                        sent = cursor
                        heartbeat.sent()
                        yield _message(
                            f"{row['xid']}.{row['position']}",
                            {"job_id": str(row["job_id"]), "kind": row["kind"], **_event(row)},
                        )
                if examined >= TENANT_SCAN:
                    continue  # more to read; each page is bounded, the cursor moved
                waiting = await self.db.fetch_optional(
                    "job_event_stream_next",
                    tenant_id=tenant_id,
                    after_xid=str(cursor[0]),
                    after_position=cursor[1],
                )
                if waiting is None:
                    # Caught up: the next notification of the tenant brings news.
                    _held_back_since.pop(stream, None)
                    await self._wait(stream, subscription.wait(heartbeat.due_in()))
                elif not waiting["held_back"]:
                    continue  # the horizon moved since the page was read: read on
                else:
                    # An event waits for an older transaction; notifications cannot help
                    # until the horizon moves, so wait for that (one watch per process).
                    _held_back_since[stream] = time.monotonic() - waiting["waited_seconds"]
                    await self._wait(
                        stream,
                        self.hub.horizon_passes(int(waiting["horizon"]), heartbeat.due_in()),
                    )

    async def _job(self, tenant_id: UUID, job_id: UUID) -> dict[str, Any]:
        try:
            return await self.db.fetch_one("job_get", job_id=job_id, tenant_id=tenant_id)
        except NotFound as exc:
            raise StreamJobNotFound(f"no job {job_id}") from exc


class _Heartbeat:
    """When a stream that has sent nothing for ``seconds`` owes its client a heartbeat."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last = time.monotonic()

    def sent(self) -> None:
        self._last = time.monotonic()

    def due_in(self) -> float:
        return max(0.0, self._last + self.seconds - time.monotonic())


@contextmanager
def _ends_cleanly(stream: _OpenStream, *, job_id: UUID | None = None) -> Iterator[None]:
    """Whatever ends the stream — its last event, the client going away, shutdown, its key
    revoked, a database error — it ends as a complete response and gives its place back."""
    try:
        yield
    except _StreamEnding:
        return
    except DatabaseError as exc:
        # The client's EventSource reconnects with Last-Event-ID; nothing is lost.
        log.warning(
            "event stream ended: reading events failed",
            extra={
                "event": "sse_stream_failed",
                "tenant_id": str(stream.tenant_id),
                "job_id": str(job_id) if job_id else None,
                "error": str(exc),
            },
        )
        return
    finally:
        stream.close()


def _recent(ended_at: dict[str, float]) -> dict[str, float]:
    """The keys revoked and sessions ended within REVOKED_RECENTLY_SECONDS."""
    now = time.monotonic()
    return {k: at for k, at in ended_at.items() if now - at < REVOKED_RECENTLY_SECONDS}


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": row["seq"],
        "type": f"job.{row['type']}",
        "state": str(row["state"]),
        "attempt": row["attempt"],
        "data": row["data"],
        "created_at": row["created_at"].isoformat(),
    }


def _message(event_id: int | str, body: dict[str, Any]) -> ServerSentEventMessage:
    return ServerSentEventMessage(id=event_id, data=json.dumps(body, separators=(",", ":")))


def _heartbeat(cursor: tuple[int, int] | None) -> ServerSentEventMessage:
    event_id = f"{cursor[0]}.{cursor[1]}" if cursor is not None else None
    return ServerSentEventMessage(data=None, comment="heartbeat", id=event_id)


def _parse_seq(last_event_id: str | None) -> int:
    if last_event_id is None or last_event_id == "":
        return 0
    if not _SEQ.fullmatch(last_event_id):
        raise InvalidLastEventId()
    return int(last_event_id)


def _parse_tenant_cursor(last_event_id: str, *, next_xid: int) -> tuple[int, int]:
    """A cursor this stream may have sent: ``<xid>.<position>``, both ASCII digits, the
    xid not past the next one the database will assign, the position a bigint."""
    match = _TENANT_CURSOR.fullmatch(last_event_id)
    if not match:
        raise InvalidLastEventId()
    xid, position = int(match["xid"]), int(match["position"])
    if xid > next_xid or position > _BIGINT_MAX:
        raise InvalidLastEventId()
    return xid, position
