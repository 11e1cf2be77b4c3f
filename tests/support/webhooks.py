"""A webhook receiver for tests: a real HTTP server that verifies Standard Webhooks
signatures with the third-party ``standardwebhooks`` package."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


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
