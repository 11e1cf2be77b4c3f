"""Event streams: a job's events, or a tenant's, as server-sent events.

Every message carries an ``id:`` (the job's ``seq``; on the tenant stream a
commit-ordered cursor), so a client that reconnects with ``Last-Event-ID`` gets
exactly the events it has not seen. The first message sets ``retry:``, an idle
stream sends a comment heartbeat, and a job stream ends after the terminal event.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from litestar.response import ServerSentEventMessage

from app.db import Database, NotFound
from app.delivery.hub import PAGE as _PAGE
from app.delivery.hub import EventHub
from app.errors import BadRequestError, CourierError, NotFoundError
from app.jobs.schemas import TERMINAL_STATES, JobEvent, JobState
from app.metrics import SSE_CLIENTS_OPEN

_TENANT_CURSOR = re.compile(r"^(?P<xid>\d{1,20})\.(?P<position>\d{1,19})$")


class StreamJobNotFound(NotFoundError):
    """No such job."""


class InvalidLastEventId(BadRequestError):
    """Last-Event-ID is not an id this stream sent."""


class _StreamClosing(Exception):
    """The server is shutting down: end the stream (the client reconnects elsewhere)."""


class StreamFinished(CourierError):
    """The job is finished and every event was sent: nothing more will come."""


class EventStreams:
    def __init__(
        self, db: Database, hub: EventHub, *, heartbeat_seconds: float, retry_ms: int
    ) -> None:
        self.db = db
        self.hub = hub
        self.heartbeat_seconds = heartbeat_seconds
        self.retry_ms = retry_ms
        self._closing = asyncio.Event()

    def close(self) -> None:
        """End every open stream now (the server is shutting down): each client's
        EventSource reconnects, with Last-Event-ID, to a process that is not."""
        self._closing.set()

    async def _wait(self, subscription: Any, timeout: float) -> bool:
        """Wait for news like ``subscription.wait``; StreamClosing when the server shuts down."""
        if self._closing.is_set():
            raise _StreamClosing()
        news = asyncio.ensure_future(subscription.wait(timeout))
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            await asyncio.wait([news, closing], return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
        if self._closing.is_set():
            news.cancel()
            raise _StreamClosing()
        return news.result()

    async def history(
        self, tenant_id: UUID, job_id: UUID, after_seq: int | None = None
    ) -> list[JobEvent]:
        await self._job(tenant_id, job_id)
        rows = await self.db.fetch_all(
            "job_event_list", job_id=job_id, tenant_id=tenant_id, after_seq=after_seq, limit=10_000
        )
        return [JobEvent.model_validate(row) for row in rows]

    async def open_job_stream(
        self, tenant_id: UUID, job_id: UUID, last_event_id: str | None
    ) -> AsyncIterator[ServerSentEventMessage]:
        """The stream of a job's events after ``last_event_id``. Raises before the
        stream starts (so the client gets a real status): 404 for an unknown job,
        :class:`StreamFinished` when a finished job has nothing left to send (an
        EventSource stops reconnecting on 204)."""
        after = _parse_seq(last_event_id)
        job = await self._job(tenant_id, job_id)
        if job["state"] in TERMINAL_STATES and after >= job["last_event_seq"]:
            raise StreamFinished()
        return self._job_stream(tenant_id, job_id, after)

    async def _job_stream(
        self, tenant_id: UUID, job_id: UUID, after: int
    ) -> AsyncIterator[ServerSentEventMessage]:
        # Events come from the job's shared feed (one read per notification for all
        # streams of the job); a stream the feed cannot serve — its first read, or
        # behind what the feed still holds — reads the database itself.
        with _counted(), _ends_on_close(), self.hub.follow_job(tenant_id, job_id) as subscription:
            feed = subscription.feed
            yield ServerSentEventMessage(
                data=None, comment="courier job events", retry=self.retry_ms
            )
            while True:
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
                    yield _message(row["seq"], {"job_id": str(job_id), **_event(row)})
                    if row["state"] in TERMINAL_STATES:
                        return
                if rows:
                    continue
                if not await self._wait(subscription, self.heartbeat_seconds):
                    # A backstop for a notification that never came: one read for the job.
                    if feed.cursor is not None:
                        feed.read_soon()
                    yield ServerSentEventMessage(data=None, comment="heartbeat")

    async def open_tenant_stream(
        self,
        tenant_id: UUID,
        last_event_id: str | None,
        *,
        kind: str | None,
        state: JobState | None,
    ) -> AsyncIterator[ServerSentEventMessage]:
        """A tenant's events (optionally one kind or one state) from now on, or after
        ``last_event_id``."""
        if last_event_id:
            match = _TENANT_CURSOR.match(last_event_id)
            if not match:
                raise InvalidLastEventId()
            cursor = (match["xid"], int(match["position"]))
        else:
            cursor = ((await self.db.fetch_one("job_event_stream_start"))["xid"], 0)
        return self._tenant_stream(tenant_id, cursor, kind, state)

    async def _tenant_stream(
        self, tenant_id: UUID, cursor: tuple[str, int], kind: str | None, state: JobState | None
    ) -> AsyncIterator[ServerSentEventMessage]:
        with _counted(), _ends_on_close(), self.hub.subscribe(tenant_id) as subscription:
            yield ServerSentEventMessage(
                data=None, comment="courier tenant events", retry=self.retry_ms
            )
            recheck = 0
            while True:
                subscription.news.clear()
                rows = await self.db.fetch_all(
                    "job_event_stream_for_tenant",
                    tenant_id=tenant_id,
                    after_xid=cursor[0],
                    after_position=cursor[1],
                    kind=kind,
                    state=state,
                    limit=_PAGE,
                )
                for row in rows:
                    cursor = (row["xid"], row["position"])
                    yield _message(
                        f"{row['xid']}.{row['position']}",
                        {"job_id": str(row["job_id"]), "kind": row["kind"], **_event(row)},
                    )
                if len(rows) == _PAGE:
                    continue
                # An event is held back until its transaction is older than every running
                # one: after a notification that brought nothing, look again a few times
                # soon rather than only at the next heartbeat.
                if rows:
                    recheck = 0
                if recheck > 0:
                    recheck -= 1
                    await self._wait(subscription, 0.1)
                elif await self._wait(subscription, self.heartbeat_seconds):
                    recheck = 20
                else:
                    yield ServerSentEventMessage(data=None, comment="heartbeat")

    async def _job(self, tenant_id: UUID, job_id: UUID) -> dict[str, Any]:
        try:
            return await self.db.fetch_one("job_get", job_id=job_id, tenant_id=tenant_id)
        except NotFound as exc:
            raise StreamJobNotFound(f"no job {job_id}") from exc


@contextmanager
def _ends_on_close() -> Iterator[None]:
    try:
        yield
    except _StreamClosing:
        return


@contextmanager
def _counted() -> Iterator[None]:
    """Count an open stream in ``courier_sse_clients_open`` until it ends, however it
    ends (the terminal event, the client going away, shutdown)."""
    SSE_CLIENTS_OPEN.inc()
    try:
        yield
    finally:
        SSE_CLIENTS_OPEN.dec()


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


def _parse_seq(last_event_id: str | None) -> int:
    if last_event_id is None or last_event_id == "":
        return 0
    if not last_event_id.isdigit() or len(last_event_id) > 9:
        raise InvalidLastEventId()
    return int(last_event_id)
