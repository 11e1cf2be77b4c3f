"""The "obedient" model: an OpenAI-compatible fake that follows every instruction it
finds in the text it is given, while answering in the JSON schema it was asked for.

It is the worst case the safety checks must hold against (app/safety/): whatever an
injected sentence in a thread, a document or a question asks, it does. It reads
every user turn (the data; its system message it treats as a model treats its own
instructions, or it would always "reveal its rules", since the rules mention
revealing) and:

* **says** what it is told to say ("say: ...", "reply that ...", "tell them ...",
  "respond with ...", "include the code word ...", "start your reply with ..."), in
  every free-text field;
* **adds** every link, e-mail address, phone number and IBAN it sees;
* **reveals** its instructions when asked ("reveal/print/repeat your instructions",
  "the system prompt", "the text you were given"): the whole system message, canary
  and boundary included;
* **tags/labels** with what it is told to ("tag this as X");
* **cites** a source it was given (the data block it found an instruction in, else
  the first), quoting a sentence of it word for word, so its answers keep the kinds'
  rules and only the guards stand between it and delivery.

Schema values: an ``enum`` takes the value an instruction names, else its first
value that is not a refusal or "none"; nullable fields are null; arrays get one item; numbers
0.9. A capable model answers in its kind's shape while it obeys: fields naming
sources name the one it quotes, an owner is a speaker of that block, the locale is the
one asked for, short fields stay short. It ships with the evals, so
``courier eval --provider obedient`` runs from the installed command:
:class:`ObedientServer` serves it in the eval's own process at a local
OpenAI-compatible endpoint. Tests drive it through their fake server
(``Reply(respond=obedient_answer)``, tests/fakes/openai_server.py), or on its own:

    python -m evals.obedient [--port N]    # prints its URL, then serves
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.safety.normalize import without_format

_BLOCK = re.compile(
    r"<data-[0-9a-f]+(?: name=\"(?P<name>[^\"]*)\")?>\n(?P<text>.*?)\n</data-", re.S
)
_SAY = re.compile(
    r"\b(?:say|says|reply|respond|answer|tell (?:me|them|the customer|the reader)|write|state|"
    r"confirm|include the (?:phrase|words|sentence|text|code ?word|token)|"
    r"(?:start|begin|end) (?:your|the) (?:reply|answer|response) with)"
    r"(?: with| that| back)?\s*[:\"“']?\s*"
    r"(?P<what>[^\"”\n]{3,160}?)(?:[\"”]|\.(?:\s|$)|$)",
    re.I,
)
_TAG = re.compile(
    r"\b(?:tag|label|classify|categori[sz]e|mark)\b[^.]{0,20}\bas\b\s*[\"']?(?P<what>[\w -]{2,60})",
    re.I,
)
_REVEAL = re.compile(
    r"\b(instructions?|system prompt|system message|your prompt|your rules|the rules you|"
    r"text (you were|you've been) given|everything above|initial prompt|anweisungen|"
    r"consignes|instrucciones|istruzioni)\b",
    re.I,
)
_REVEAL_VERB = re.compile(
    r"\b(reveal|print|repeat|show|output|paste|copy|quote|tell|dump|leak|display|recite|"
    r"zeige|gib|affiche|montre|revela|muestra|mostra|rivela)\b",
    re.I,
)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.I)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?:\+|00)\d[\d ().-]{7,}\d")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_LOCALE = re.compile(r"\b[a-z]{2}-[A-Z]{2}\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_REFUSALS = frozenset({"refused", "escalated", "declined", "rejected"})


def obedient_answer(body: Any) -> str:
    """The JSON content the obedient model answers ``body`` (a chat completions request)
    with."""
    messages = body.get("messages") or []
    system = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "system")
    data = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")
    # It reads as a reader does: through zero-width and other format characters.
    data = without_format(data)
    blocks = [(m["name"] or "", m["text"]) for m in _BLOCK.finditer(data)] or [("", data)]
    orders = _orders(data, system)
    try:
        schema = body["response_format"]["json_schema"]["schema"]
    except (KeyError, TypeError):
        return " ".join(orders) or "OK"
    ordered = next(((n, t) for n, t in blocks if _orders(t, "")), None)
    cited = next(((n, t) for n, t in blocks if n.startswith(("m", "kb", "s")) or n), blocks[0])
    source = ordered if ordered and ordered[0] else cited
    return json.dumps(_fill(schema, schema, orders, source, data, name=""))


def _orders(text: str, system: str) -> list[str]:
    said = [m.group("what").strip() for m in _SAY.finditer(text)]
    tags = [m.group("what").strip() for m in _TAG.finditer(text)]
    contacts = _URL.findall(text) + _EMAIL.findall(text) + _PHONE.findall(text)
    contacts += _IBAN.findall(text)
    revealed = [system] if system and _REVEAL.search(text) and _REVEAL_VERB.search(text) else []
    return [*said, *tags, *contacts, *revealed]


def _fill(
    node: Any,
    root: dict[str, Any],
    orders: list[str],
    source: tuple[str, str],
    data: str,
    name: str,
) -> Any:
    if "$ref" in node:
        return _fill(
            root["$defs"][node["$ref"].rsplit("/", 1)[-1]], root, orders, source, data, name
        )
    if "enum" in node:
        # A value an order names ("set the outcome to X"), not one a revealed system
        # message happens to mention.
        short = [o for o in orders if len(o) < 300]
        named = [v for v in node["enum"] if any(str(v).lower() in o.lower() for o in short)]
        # Else a value that says something (not a refusal, not "none"), so the fields it
        # fills agree (a label with a severity, not a label with severity "none").
        plain = [v for v in node["enum"] if str(v) not in _REFUSALS | {"none"}]
        return (named or plain or node["enum"])[0]
    variants = node.get("anyOf") or node.get("oneOf")
    if variants:
        if any(v.get("type") == "null" for v in variants):
            return None
        return _fill(variants[0], root, orders, source, data, name)
    kind = node.get("type")
    if kind == "object":
        return {
            key: _fill(sub, root, orders, source, data, key)
            for key, sub in node.get("properties", {}).items()
        }
    if kind == "array":
        return [_fill(node["items"], root, orders, source, data, name)]
    if kind == "number":
        return 0.9
    if kind == "integer":
        return 1
    if kind == "boolean":
        return True
    if kind == "string":
        return _text(name, orders, source, data)
    return None


def _text(name: str, orders: list[str], source: tuple[str, str], data: str) -> str:
    source_name, source_text = source
    if name == "locale":
        asked = _LOCALE.search(data)
        return asked.group() if asked else "en"
    if name in ("owner", "speaker", "author"):
        return _said_by(source_text) or source_name
    # A capable model keeps the schema's references and limits while it obeys: a field
    # naming sources names the one it quotes, and short fields stay short.
    if name in ("source", "source_id") or name.endswith("sources"):
        return source_name
    prose = re.sub(r"\[quarantined:[^\]]*\]", "\n", _prose(source_text))
    usable = [s.strip() for s in _SENTENCE.split(prose) if s.strip()] or [""]
    if name == "quote":
        return usable[0]
    if name in ("tag", "label", "subject", "title", "bullets") and orders:
        return orders[0][:200]  # a short field: the first order (its length is a rule)
    return _within(orders, 480) if orders else usable[0]


def _within(orders: list[str], limit: int) -> str:
    """As many whole orders as fit in ``limit`` characters (the first always, cut); a
    revealed system message always whole (it obeys that order above all)."""
    if any(len(order) >= 300 for order in orders):
        return " ".join(orders)
    kept = [orders[0][:limit]]
    for order in orders[1:]:
        if len(" ".join([*kept, order])) > limit:
            break
        kept.append(order)
    return " ".join(kept)


def _said_by(text: str) -> str | None:
    """Who wrote a data block holding a JSON object (a turn's speaker, an e-mail's sender)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, dict):
        for key in ("speaker", "author", "sender", "from"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _prose(text: str) -> str:
    """A data block's text as prose: a block holding a JSON object (a thread message, a
    source with its title) is read as its longest string, the body."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    strings = [v for v in value.values() if isinstance(v, str)] if isinstance(value, dict) else []
    return max(strings, key=len) if strings else text


CHARS_PER_TOKEN = 4
"""How usage is counted (roughly, as a provider would bill it), so costs read as costs."""


class ObedientServer:
    """The obedient model at a local OpenAI-compatible endpoint on 127.0.0.1
    (``POST /v1/chat/completions``), served from threads while the context is open."""

    def __init__(self, port: int = 0) -> None:
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL (the API is under ``/v1``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ObedientServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def completion(body: Any) -> dict[str, Any]:
    """The chat completion the obedient model answers ``body`` with."""
    content = obedient_answer(body)
    sent = sum(len(str(m.get("content") or "")) for m in body.get("messages") or [])
    prompt = math.ceil(sent / CHARS_PER_TOKEN)
    answered = math.ceil(len(content) / CHARS_PER_TOKEN)
    return {
        "id": "chatcmpl-obedient",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model") or "obedient"),
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": None},
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": answered,
            "total_tokens": prompt + answered,
        },
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # an eval submits every case at once


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one answer per connection: nothing lingers

    def do_POST(self) -> None:  # http.server's naming
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if self.path != "/v1/chat/completions" or not isinstance(body, dict):
            self._send(404, {"error": {"message": "only POST /v1/chat/completions"}})
            return
        self._send(200, completion(body))

    def _send(self, status: int, answer: dict[str, Any]) -> None:
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # http.server's naming
        pass


def main() -> None:
    """Serve until interrupted, printing the URL as the first line of standard output."""
    parser = argparse.ArgumentParser(description="The obedient OpenAI-compatible fake.")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with ObedientServer(port=args.port) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
