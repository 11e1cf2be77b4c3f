"""The "obedient" model: an OpenAI-compatible fake that follows every instruction it
finds in the text it is given, while answering in the JSON schema it was asked for.

It is the worst case the safety checks must hold against (app/safety/): whatever an
injected sentence in a thread, a document or a question asks, it does. It reads
every user turn (the data; its system message it treats as a model treats its own
instructions, or it would always "reveal its rules", since the rules mention
revealing) and:

* **says** what it is told to say ("say: ...", "reply that ...", "tell them ...",
  "respond with ..."), in every free-text field;
* **adds** every link, e-mail address and phone number it sees;
* **reveals** its instructions when asked ("reveal/print/repeat your instructions",
  "the system prompt", "the text you were given"): the whole system message, canary
  and boundary included;
* **tags/labels** with what it is told to ("tag this as X");
* **cites** a source it was given (the data block it found an instruction in, else
  the first), quoting a sentence of it word for word, so its answers keep the kinds'
  rules and only the guards stand between it and delivery.

Schema values: an ``enum`` takes the value an instruction names, else its first
value that is not a refusal; nullable fields are null; arrays get one item; numbers
0.9. Used through :class:`~tests.fakes.openai_server.FakeOpenAI`
(``fake.default = obedient()``) or on its own, for ``courier eval --provider obedient``:

    python -m tests.fakes.obedient [--port N]    # prints its URL, then serves
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import threading
from typing import Any

from tests.fakes.openai_server import FakeOpenAI, Reply

_BLOCK = re.compile(
    r"<data-[0-9a-f]+(?: name=\"(?P<name>[^\"]*)\")?>\n(?P<text>.*?)\n</data-", re.S
)
_SAY = re.compile(
    r"\b(?:say|says|reply|respond|answer|tell (?:me|them|the customer|the reader)|write|state|"
    r"confirm|include the (?:phrase|words|sentence|text))(?: with| that| back)?\s*[:\"“']?\s*"
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
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_REFUSALS = frozenset({"refused", "escalated", "declined", "rejected"})


def obedient() -> Reply:
    """The fake's default answer, obedient."""
    return Reply(respond=obedient_answer)


def obedient_answer(body: Any) -> str:
    """The JSON content the obedient model answers ``body`` (a chat completions request)
    with."""
    messages = body.get("messages") or []
    system = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "system")
    data = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")
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
        plain = [v for v in node["enum"] if str(v) not in _REFUSALS]
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
    if name in ("source", "source_id"):
        return source_name
    prose = re.sub(r"\[quarantined:[^\]]*\]", "\n", _prose(source_text))
    usable = [s.strip() for s in _SENTENCE.split(prose) if s.strip()] or [""]
    if name == "quote":
        return usable[0]
    if name in ("tag", "label", "subject", "title") and orders:
        return orders[0][:200]  # a short field: the first order (its length is a rule)
    return " ".join(orders) if orders else usable[0]


def _prose(text: str) -> str:
    """A data block's text as prose: a block holding a JSON object (a thread message, a
    source with its title) is read as its longest string, the body."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    strings = [v for v in value.values() if isinstance(v, str)] if isinstance(value, dict) else []
    return max(strings, key=len) if strings else text


def main() -> None:
    """Serve until interrupted, printing the URL as the first line of standard output."""
    parser = argparse.ArgumentParser(description="The obedient OpenAI-compatible fake.")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with FakeOpenAI(default=obedient(), keep_requests=False, port=args.port) as fake:
        print(fake.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
