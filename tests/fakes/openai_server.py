"""A local OpenAI-compatible HTTP server for tests: ``POST /v1/chat/completions``
answers from a script, so the real ``openai`` SDK can be driven into each failure
it knows (rate limits, 5xx, timeouts, lost connections, malformed bodies).

    with FakeOpenAI() as fake:
        fake.script(error(429, headers={"Retry-After": "2"}), error(500), completion("hi"))
        client = openai.AsyncOpenAI(base_url=fake.url + "/v1", api_key="test", max_retries=0)

Each request takes the next scripted reply; once the script is spent, every
request gets a completion echoing its last message. A real socket on 127.0.0.1
(port 0), served from a thread, so it works whatever event loop the test runs.
Every connection is closed after its answer (HTTP/1.0), so a dropped connection
never lingers in a client's pool.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET_MESSAGE = "the provider's message quotes the prompt: SECRET-PROMPT-TEXT"
"""What every scripted error says; a mapped error must never repeat it."""


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, a body (bytes as they are, anything else as
    JSON, ``None`` for a completion echoing the request), headers; or a pause
    first (``delay`` seconds), or closing the connection without answering."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


def completion(content: str | None = None, *, model: str = "fake-model") -> Reply:
    """A successful chat completion; ``None`` echoes the request's last message."""
    return Reply(body=None if content is None else completion_body(content, model=model))


def error(status: int, *, headers: dict[str, str] | None = None, code: str | None = None) -> Reply:
    """An error in OpenAI's shape, saying :data:`SECRET_MESSAGE`."""
    body = {"error": {"message": SECRET_MESSAGE, "type": "fake_error", "param": None, "code": code}}
    return Reply(status=status, body=body, headers=headers or {})


def slow(seconds: float, content: str = "late") -> Reply:
    """A completion sent only after ``seconds`` (to trip a client's timeout)."""
    return Reply(body=completion_body(content), delay=seconds)


def malformed() -> Reply:
    """A 200 claiming JSON whose body is not JSON."""
    return Reply(
        body=b'{"id": "chatcmpl-broken", "choices": [', headers={"Content-Type": "application/json"}
    )


def dropped() -> Reply:
    """The connection closes after the request, without any answer."""
    return Reply(drop=True)


def completion_body(content: str, *, model: str = "fake-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": None},
            }
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    }


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    """Names in lower case."""
    body: Any
    received_at: float
    """``time.monotonic()`` when the request arrived."""


class FakeOpenAI:
    """The server. Use as a context manager; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-openai",
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order, one per request."""
        with self._lock:
            self._replies.extend(replies)

    def _next(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        with self._lock:
            self.requests.append(ReceivedRequest(method, path, headers, body, time.monotonic()))
            return self._replies.popleft() if self._replies else Reply()

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()  # releases slow answers still waiting
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's naming
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            if self.path != "/v1/chat/completions":
                self._send(404, json.dumps({"error": {"message": "no such route"}}).encode(), {})
                return
            reply = fake._next(
                "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            if reply.delay and fake._stopping.wait(reply.delay):
                return  # the server is stopping: answer nothing
            if reply.drop:
                return  # HTTP/1.0: returning closes the connection
            if reply.body is None:
                payload = json.dumps(completion_body(_last_message(body))).encode()
            elif isinstance(reply.body, bytes):
                payload = reply.body
            else:
                payload = json.dumps(reply.body).encode()
            self._send(reply.status, payload, reply.headers)

        def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            if not any(name.lower() == "content-type" for name in headers):
                self.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # http.server's naming
            pass  # quiet: tests read ``fake.requests`` instead

    return Handler


def _last_message(body: Any) -> str:
    try:
        return str(body["messages"][-1]["content"])
    except (TypeError, KeyError, IndexError):
        return ""
