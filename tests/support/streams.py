"""Reading Server-Sent Events as a client does: every message, comments included."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx


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
