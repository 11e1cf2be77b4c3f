"""Webhook receivers for tests: a real HTTP server that verifies Standard Webhooks
signatures with the third-party ``standardwebhooks`` package, and hostile ones (a
gzip bomb, an answer dribbled a byte at a time) on raw sockets."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from app.db import Database
from app.settings import DeliverySettings
from tasks.relay import OutboxRelay


@dataclass
class Delivery:
    headers: dict[str, str]
    body: dict[str, Any]
    verified: bool
    status: int
    raw: bytes = b""
    """The body as it came, byte for byte (what a signature covers)."""


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that verifies Standard Webhooks signatures with
    the third-party ``standardwebhooks`` package. ``answers`` is a queue of
    (status, headers) to give before answering ``status``."""

    secret: str | None = None
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    status: int = 204
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
                status, extra = (
                    receiver.answers.pop(0) if receiver.answers else (receiver.status, {})
                )
                receiver.deliveries.append(
                    Delivery(headers, json.loads(raw), verified, status, raw)
                )
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


class HostileReceiver:
    """A receiver that harms whoever calls it, on a raw socket on 127.0.0.1: it reads
    the request, then answers with ``answer(connection)``. ``requests`` counts the
    requests read; ``open`` the connections still being answered."""

    def __init__(self, answer: Callable[[socket.socket], None]) -> None:
        self._answer = answer
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.requests = 0
        self.open = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/hooks"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HostileReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._thread.join(10)
        self._listener.close()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with self._lock:
            self.open += 1
        try:
            with connection:
                _read_request(connection)
                with self._lock:
                    self.requests += 1
                self._answer(connection)
        except OSError:
            pass  # the caller hung up: what a hostile receiver wants to find out
        finally:
            with self._lock:
                self.open -= 1


def _read_request(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)


def gzip_bomb(inflated_bytes: int) -> HostileReceiver:
    """Answers 200 with a gzip body that inflates to ``inflated_bytes`` of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(inflated_bytes >> 20)]
    body = b"".join(parts) + compressor.flush()

    def answer(connection: socket.socket) -> None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        connection.shutdown(socket.SHUT_WR)
        while connection.recv(65536):  # until the caller hangs up
            pass

    return HostileReceiver(answer)


def dribbling(every_seconds: float = 0.2) -> HostileReceiver:
    """Answers a status line, then one byte of a header every ``every_seconds``,
    without end: each read is quick, the answer never completes."""

    receiver: HostileReceiver

    def answer(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not receiver.stopping:
            connection.sendall(b"a")
            time.sleep(every_seconds)  # the receiver's pace, not a wait in a test

    receiver = HostileReceiver(answer)
    return receiver


@contextlib.asynccontextmanager
async def running_relay(
    db: Database, database_url: str, settings: DeliverySettings
) -> AsyncIterator[OutboxRelay]:
    """An outbox relay in this process, as a worker runs it."""
    relay = OutboxRelay(db, database_url, settings)
    await relay.start()
    try:
        yield relay
    finally:
        await relay.stop()
