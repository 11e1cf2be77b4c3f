"""Reading Server-Sent Events as a client does (every message, comments included), and
event streams on a hub of their own for tests that drive them directly."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from app.db import Database
from app.delivery.hub import EventHub
from app.delivery.sse import EventStreams


@dataclass
class SseMessage:
    id: str | None
    data: dict[str, Any] | None
    comment: str | None
    retry: int | None


async def sse_messages(response: httpx.Response) -> AsyncIterator[SseMessage]:
    """Parse a text/event-stream body into messages (comments included)."""
    fields: dict[str, str] = {}
    comment = None
    async for line in response.aiter_lines():
        if line == "":
            if fields or comment is not None:
                yield SseMessage(
                    fields.get("id"),
                    json.loads(fields["data"]) if "data" in fields else None,
                    comment,
                    int(fields["retry"]) if "retry" in fields else None,
                )
            fields, comment = {}, None
        elif line.startswith(":"):
            comment = line[1:].strip()
        else:
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


async def read_stream(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], *, until_seq: int | None = None
) -> list[SseMessage]:
    """Data messages of a stream until it ends (or until the event with seq ``until_seq``)."""
    received = []
    async with client.stream(
        "GET", url, headers={"Accept": "text/event-stream", **headers}
    ) as response:
        assert response.status_code == 200, response.status_code
        assert response.headers["content-type"].startswith("text/event-stream")
        async for message in sse_messages(response):
            if message.data is not None:
                received.append(message)
                if until_seq is not None and message.data["seq"] >= until_seq:
                    break
    return received


async def next_message(stream: AsyncIterator[Any], *, timeout: float = 10.0) -> Any:
    """The next message of a stream from :class:`app.delivery.sse.EventStreams` (comments
    included); fails after ``timeout`` seconds."""
    return await asyncio.wait_for(anext(stream), timeout)


@contextlib.asynccontextmanager
async def event_streams(
    db: Database, url: str, *, heartbeat_seconds: float = 60, **options: Any
) -> AsyncIterator[EventStreams]:
    """The API's event streams on a hub of their own, started now (a test that writes a
    great many events first starts its streams after, so their notifications go nowhere)."""
    hub = EventHub(url, db, name="courier-sse-test")
    streams = EventStreams(db, hub, heartbeat_seconds=heartbeat_seconds, retry_ms=1000, **options)
    await hub.start()
    try:
        yield streams
    finally:
        streams.close()
        await hub.stop()
