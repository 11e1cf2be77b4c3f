"""Test helpers for delivery: an SSE reader, a webhook receiver, driving job states in SQL."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import psycopg
from standardwebhooks import Webhook, WebhookVerificationError


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


def advance(conn: psycopg.Connection, job_id: str, state: str) -> None:
    """Move a job to ``state`` in SQL, as a worker would (the trigger writes the event)."""
    if state == "running":
        conn.execute(
            "UPDATE jobs SET state = 'running', lease = gen_random_uuid(), attempt = attempt + 1 "
            "WHERE id = %s",
            (job_id,),
        )
    elif state == "succeeded":
        conn.execute(
            """UPDATE jobs SET state = 'succeeded', result = '{"body": "done"}' WHERE id = %s""",
            (job_id,),
        )
    elif state == "failed":
        conn.execute(
            """UPDATE jobs SET state = 'failed', error = '{"code": "x", "message": "y"}' """
            "WHERE id = %s",
            (job_id,),
        )
    else:
        conn.execute("UPDATE jobs SET state = %s::job_state WHERE id = %s", (state, job_id))


@dataclass
class Delivery:
    headers: dict[str, str]
    body: dict[str, Any]
    verified: bool
    status: int


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that verifies Standard Webhooks signatures with
    the third-party ``standardwebhooks`` package. ``answers`` is a queue of
    (status, headers) to give before answering 204."""

    secret: str | None = None
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    url: str = ""

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(receiver.secret).verify(raw, headers)
                    verified = True
                except (WebhookVerificationError, TypeError, ValueError):
                    verified = False
                status, extra = receiver.answers.pop(0) if receiver.answers else (204, {})
                receiver.deliveries.append(Delivery(headers, json.loads(raw), verified, status))
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
