"""A local OpenAI-compatible HTTP server for tests: ``POST /v1/chat/completions``
answers from a script, so the real ``openai`` SDK can be driven into each failure
it knows (rate limits, 5xx, timeouts, lost connections, malformed bodies) and into
each answer a model gives (valid, invalid JSON, breaking the schema, a refusal).

    with FakeOpenAI() as fake:
        fake.script(error(429, headers={"Retry-After": "2"}), error(500), completion("hi"))
        client = openai.AsyncOpenAI(base_url=fake.url + "/v1", api_key="test", max_retries=0)

Each request takes the next scripted reply; once the script is spent, every
request gets the default answer: for a request with a JSON-schema
``response_format``, a valid instance of the schema it sent (:func:`schema_answer`),
else a completion echoing its last message; :func:`billed` sets the token counts
such an answer reports, :func:`held` holds it until the test releases it. A real
socket on 127.0.0.1 (port 0),
served from threads, so it works whatever event loop the test runs; ``requests``
counts the calls and ``max_in_flight`` how many were answered at once. Every
connection is closed after its answer (HTTP/1.0), so a dropped connection never
lingers in a client's pool.

For the benchmarks it also runs as its own process, answering every request with
``default`` (e.g. the schema's instance after 2 s) and reporting token usage
counted from what was sent and answered (``counted_usage``)::

    python -m tests.fakes.openai_server --delay 2 --counted-usage   # prints its URL

``GET /_fake/stats`` reads its counters; ``POST /_fake/reset`` starts them again.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.retrieval.embeddings import DIMENSIONS, hashed_vector

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
    patch: dict[str, Any] | None = None
    """For the default answer: fields that replace those of the schema's instance."""
    together: int = 0
    """Hold the answer until this many requests are in flight at once (at most 30 s)."""
    usage: dict[str, int] | None = None
    """For the default answer: the ``usage`` it reports (default 7 prompt tokens, 2 of
    them cached, and 3 completion tokens, 1 of them reasoning)."""
    gate: threading.Event | None = None
    """Hold the answer until the test sets this event (at most 30 s)."""
    respond: Callable[[Any], str] | None = None
    """For the default answer: its content, written by this function of the request's
    body (the obedient fake, evals/obedient.py)."""


def completion(content: str | None = None, *, model: str = "fake-model") -> Reply:
    """A successful chat completion; ``None`` echoes the request's last message."""
    return Reply(body=None if content is None else completion_body(content, model=model))


def error(status: int, *, headers: dict[str, str] | None = None, code: str | None = None) -> Reply:
    """An error in OpenAI's shape, saying :data:`SECRET_MESSAGE`."""
    body = {"error": {"message": SECRET_MESSAGE, "type": "fake_error", "param": None, "code": code}}
    return Reply(status=status, body=body, headers=headers or {})


def slow(seconds: float, content: str | None = "late") -> Reply:
    """A completion sent only after ``seconds`` (to trip a client's timeout); ``None``:
    the default answer (a valid instance of the request's schema), late."""
    return Reply(body=None if content is None else completion_body(content), delay=seconds)


def schema_answer(**patch: Any) -> Reply:
    """A valid instance of the JSON schema the request sent, with ``patch`` applied
    (a patch can break the schema or the output model's own rules)."""
    return Reply(patch=patch)


def together(n: int) -> Reply:
    """The default answer, sent only once ``n`` requests are in flight at once: proves
    a client holds ``n`` calls in flight without any timing."""
    return Reply(together=n)


def billed(prompt_tokens: int, completion_tokens: int, reply: Reply | None = None) -> Reply:
    """``reply`` (default: the default answer) reporting these token counts, none cached."""
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
    return replace(reply or Reply(), usage=usage)


def held(gate: threading.Event, reply: Reply | None = None) -> Reply:
    """``reply`` (default: the default answer), sent only once the test sets ``gate``:
    a call the test knows to be in flight, for as long as it needs."""
    return replace(reply or Reply(), gate=gate)


def answer(value: Any, *, model: str = "fake-model") -> Reply:
    """A completion whose content is ``value`` as JSON."""
    return Reply(body=completion_body(json.dumps(value), model=model))


def invalid_json() -> Reply:
    """A completion whose content is not JSON (the HTTP body itself is fine)."""
    return Reply(body=completion_body('{"subject": "Re: unfinished'))


def refusal(reason: str = "I can't help with that.") -> Reply:
    """A model refusal: no content, the reason in ``message.refusal``."""
    body = completion_body("")
    body["choices"][0]["message"] = {"role": "assistant", "content": None, "refusal": reason}
    return Reply(body=body)


def malformed() -> Reply:
    """A 200 claiming JSON whose body is not JSON."""
    return Reply(
        body=b'{"id": "chatcmpl-broken", "choices": [', headers={"Content-Type": "application/json"}
    )


def dropped() -> Reply:
    """The connection closes after the request, without any answer."""
    return Reply(drop=True)


CHARS_PER_TOKEN = 4
"""For counted usage: about four characters of English text make one token."""


def counted_usage(request_body: Any, content: str) -> dict[str, Any]:
    """Usage as a provider would report it for this request and answer, counted at
    :data:`CHARS_PER_TOKEN`: the prompt is every message's text plus the JSON schema
    of ``response_format`` (a provider puts the schema in the model's context and
    bills it as input), the completion is the answer's text. Nothing is reported as
    cached or as reasoning."""
    sent = 0
    with contextlib.suppress(TypeError, KeyError, AttributeError):
        sent += sum(len(str(m.get("content") or "")) for m in request_body["messages"])
    with contextlib.suppress(TypeError, KeyError, AttributeError):
        sent += len(json.dumps(request_body["response_format"]["json_schema"]["schema"]))
    prompt = math.ceil(sent / CHARS_PER_TOKEN)
    completion = math.ceil(len(content) / CHARS_PER_TOKEN)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def completion_body(
    content: str, *, model: str = "fake-model", usage: dict[str, int] | None = None
) -> dict[str, Any]:
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
        "usage": _usage(usage)
        if usage
        else {
            "prompt_tokens": 7,
            "completion_tokens": 3,
            "total_tokens": 10,
            "prompt_tokens_details": {"cached_tokens": 2},
            "completion_tokens_details": {"reasoning_tokens": 1},
        },
    }


def _usage(counts: dict[str, int]) -> dict[str, Any]:
    prompt, completion = counts["prompt_tokens"], counts["completion_tokens"]
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def instance_of(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """A small valid instance of a JSON schema of the shape pydantic writes: the
    first enum value, ``null`` where allowed, empty arrays, placeholder strings."""
    root = root or schema
    if "$ref" in schema:
        return instance_of(root["$defs"][schema["$ref"].rsplit("/", 1)[-1]], root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        nullable = [v for v in variants if v.get("type") == "null"]
        return None if nullable else instance_of(variants[0], root)
    kind = schema.get("type")
    if kind == "object":
        return {name: instance_of(sub, root) for name, sub in schema["properties"].items()}
    if kind == "array":
        return [instance_of(schema["items"], root) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return "2026-01-01T00:00:00Z" if schema.get("format") == "date-time" else "fake text"
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return None


def _default_answer(request_body: Any, reply: Reply, *, counted: bool = False) -> dict[str, Any]:
    if reply.respond is not None:
        body = completion_body(
            reply.respond(request_body), model=str(request_body.get("model", "fake-model"))
        )
        if counted:
            body["usage"] = counted_usage(request_body, body["choices"][0]["message"]["content"])
        return body
    try:
        schema = request_body["response_format"]["json_schema"]["schema"]
    except (TypeError, KeyError):
        body = completion_body(_last_message(request_body), usage=reply.usage)
    else:
        value = instance_of(schema)
        if reply.patch:
            value = {**value, **reply.patch}
        body = completion_body(
            json.dumps(value), model=str(request_body.get("model", "fake-model")), usage=reply.usage
        )
    if counted and reply.usage is None:
        body["usage"] = counted_usage(request_body, body["choices"][0]["message"]["content"])
    return body


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

    def __init__(
        self,
        *,
        default: Reply | None = None,
        counted_usage: bool = False,
        keep_requests: bool = True,
        keep_alive: bool = False,
        port: int = 0,
    ) -> None:
        self.requests: list[ReceivedRequest] = []
        self.request_count = 0
        self.in_flight = 0
        self.max_in_flight = 0
        """The most requests that were being answered at once."""
        self.embedded_texts = 0
        """Texts embedded by ``POST /v1/embeddings``."""
        self.default = default or Reply()
        """The answer once the script is spent."""
        self.counted_usage = counted_usage
        """Default answers report usage counted from the request and the answer
        (:func:`counted_usage`) instead of a fixed tiny one."""
        self.keep_requests = keep_requests
        """Keep every request in ``requests`` (a long-running fake only counts them)."""
        # keep_alive: HTTP/1.1, connections stay open between answers as a real provider's
        # do (the benchmarks); else HTTP/1.0, each closed after its answer (the tests).
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._in_flight_changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", port), _handler_for(self, keep_alive))
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

    def models(self) -> list[str]:
        """The model each request asked for, in order."""
        with self._lock:
            return [str((r.body or {}).get("model")) for r in self.requests]

    def _next(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        with self._lock:
            if self.keep_requests:
                self.requests.append(ReceivedRequest(method, path, headers, body, time.monotonic()))
            self.request_count += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._in_flight_changed.notify_all()
            return self._replies.popleft() if self._replies else self.default

    def embeddings(self, body: Any) -> dict[str, Any]:
        """``POST /v1/embeddings``: deterministic vectors of the asked ``dimensions``
        (the offline embedder's features with another sign, so a "different model"
        ranks alike but stores other numbers); not scripted, counted in
        ``embedded_texts``."""
        texts = body.get("input") if isinstance(body, dict) else None
        texts = [texts] if isinstance(texts, str) else list(texts or [])
        dimensions = int(body.get("dimensions") or DIMENSIONS)
        with self._lock:
            self.embedded_texts += len(texts)
        data = [
            {
                "object": "embedding",
                "index": i,
                "embedding": [-v for v in hashed_vector(str(text))][:dimensions],
            }
            for i, text in enumerate(texts)
        ]
        return {
            "object": "list",
            "data": data,
            "model": body.get("model", "fake-embedding"),
            "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
        }

    def stats(self) -> dict[str, int]:
        """The counters: requests received, in flight now, most in flight at once (and
        the process id, for a benchmark reading the fake's CPU time)."""
        with self._lock:
            return {
                "pid": os.getpid(),
                "requests": self.request_count,
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
            }

    def reset(self) -> None:
        """Count from zero again (requests, the most in flight); the script is kept."""
        with self._lock:
            self.requests.clear()
            self.request_count = 0
            self.max_in_flight = self.in_flight

    def _wait_for_gate(self, gate: threading.Event) -> bool:
        """Whether the gate opened (or 30 s passed) before the server began stopping."""
        deadline = time.monotonic() + 30
        while not gate.wait(0.02):
            if self._stopping.is_set():
                return False
            if time.monotonic() > deadline:
                break
        return True

    def _wait_for_in_flight(self, n: int) -> None:
        with self._in_flight_changed:
            self._in_flight_changed.wait_for(
                lambda: self.max_in_flight >= n or self._stopping.is_set(), timeout=30
            )

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()  # releases slow answers still waiting
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    # Hundreds of calls may connect at once; the default backlog (5) would drop them.
    request_queue_size = 1024


def _handler_for(fake: FakeOpenAI, keep_alive: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

        def do_GET(self) -> None:  # http.server's naming
            if self.path == "/_fake/stats":
                self._send(200, json.dumps(fake.stats()).encode(), {})
            else:
                self._send(404, json.dumps({"error": {"message": "no such route"}}).encode(), {})

        def do_POST(self) -> None:  # http.server's naming
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            if self.path == "/_fake/reset":
                fake.reset()
                self._send(200, json.dumps(fake.stats()).encode(), {})
                return
            if self.path == "/v1/embeddings":
                self._send(200, json.dumps(fake.embeddings(body)).encode(), {})
                return
            if self.path != "/v1/chat/completions":
                self._send(404, json.dumps({"error": {"message": "no such route"}}).encode(), {})
                return
            reply = fake._next(
                "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            try:
                self._answer(reply, body)
            finally:
                fake._done()

        def _answer(self, reply: Reply, body: Any) -> None:
            if reply.together:
                fake._wait_for_in_flight(reply.together)
            if reply.gate is not None and not fake._wait_for_gate(reply.gate):
                return  # the server is stopping: answer nothing
            if reply.delay and fake._stopping.wait(reply.delay):
                self.close_connection = True
                return  # the server is stopping: answer nothing
            if reply.drop:
                self.close_connection = True
                return  # closes the connection without an answer
            if reply.body is None:
                answer = _default_answer(body, reply, counted=fake.counted_usage)
                payload = json.dumps(answer).encode()
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


def main() -> None:
    """Serve until interrupted, printing the URL as the first line of standard output."""
    parser = argparse.ArgumentParser(description="A local OpenAI-compatible server (the fake).")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument(
        "--counted-usage",
        action="store_true",
        help=f"report tokens counted from the text sent and answered, {CHARS_PER_TOKEN} chars each",
    )
    parser.add_argument(
        "--patch", type=json.loads, default=None, help="JSON object patched into every answer"
    )
    parser.add_argument(
        "--close", action="store_true", help="close each connection after its answer (HTTP/1.0)"
    )
    args = parser.parse_args()
    default = Reply(delay=args.delay, patch=args.patch)
    with FakeOpenAI(
        default=default,
        counted_usage=args.counted_usage,
        keep_requests=False,
        keep_alive=not args.close,
        port=args.port,
    ) as fake:
        print(fake.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
