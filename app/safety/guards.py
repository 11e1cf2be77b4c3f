"""Output guards: what an answer must keep before anyone but a reviewer sees it.

Checked by the step runner (app/llm/steps.py) on every step's answer, after the
output schema and the kind's rules, for every kind and every provider (the offline
extractive one too). Generic over kinds: they read the answer's fields by name and
by schema, not by kind.

* **citations**: every value of a field named ``source``, ``source_id`` or
  ``sources`` (anywhere in the answer, e.g. ``citations[2].source``) names a source
  the step was given (``GenerationRequest.sources``);
* **contacts**: every URL, e-mail address and phone number in the answer occurs in
  the trusted text of the step: its input and its sources *after quarantine*
  (app/safety/screening.py), so an address that only an injected sentence carried
  fails, even though the attacker put it in the input;
* **canary**: the render's canary and its data boundary, both secrets of the system
  prompt, never appear (an answer that has them leaked the system prompt);
* **constrained fields**: every field the output schema constrains to a set of
  values (an ``enum``, a ``Literal``) holds one of them (the kind's rules check the
  sets that come from the input, such as a taxonomy).

A violation names the guard and the field, never the value: it is stored
(``jobs.review_reasons``) and shown in the job's events.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from app.llm.structured import strict_schema

SOURCE_FIELDS = frozenset({"source", "source_id", "sources"})

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w.])(?:\+|00)?\(?\d[\d ().\-/]{7,}\d(?!\d)")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Violation:
    """One guard an answer broke: the guard, the field (by position) and what is wrong."""

    guard: str
    field: str
    problem: str

    def as_json(self) -> dict[str, str]:
        return {"guard": self.guard, "field": self.field, "problem": self.problem}

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"


def check(
    output: BaseModel,
    *,
    sources: Collection[str],
    trusted: str,
    secrets: Sequence[str],
) -> list[Violation]:
    """Every guard ``output`` breaks: ``sources`` are the ids it may cite, ``trusted``
    the quarantined text its contacts must come from, ``secrets`` what it must never
    contain (the canary, the boundary)."""
    data = output.model_dump(mode="json")
    strings = list(_strings(data, ""))
    return [
        *citations(data, sources),
        *contacts(strings, trusted),
        *leaks(strings, secrets),
        *constrained(data, type(output)),
    ]


def citations(data: Any, sources: Collection[str]) -> Iterator[Violation]:
    """Each cited source that the step was not given."""
    for field, name in _cited(data, ""):
        if name not in sources:
            yield Violation("citation", field, "cites a source that was not given")


def contacts(strings: Sequence[tuple[str, str]], trusted: str) -> Iterator[Violation]:
    """Each URL, e-mail address or phone number that the trusted text does not hold."""
    folded = trusted.casefold()
    digits = _digit_runs(trusted)
    for field, text in strings:
        for match in _URL.finditer(text):
            url = match.group().rstrip(_TRAILING).casefold()
            if url not in folded:
                yield Violation("contact", field, "a link that no given source or input holds")
        for match in _EMAIL.finditer(text):
            if match.group().casefold() not in folded:
                yield Violation(
                    "contact", field, "an e-mail address that no given source or input holds"
                )
        for match in _PHONE.finditer(text):
            number = re.sub(r"\D", "", match.group())
            if 9 <= len(number) <= 15 and number not in digits:
                yield Violation(
                    "contact", field, "a phone number that no given source or input holds"
                )


def leaks(strings: Sequence[tuple[str, str]], secrets: Sequence[str]) -> Iterator[Violation]:
    """Each field that repeats a secret of the system prompt."""
    wanted = [secret.casefold() for secret in secrets if secret]
    for field, text in strings:
        squeezed = re.sub(r"\s+", "", text.casefold())
        if any(secret in squeezed for secret in wanted):
            yield Violation("canary", field, "repeats a secret of the system prompt")


def constrained(data: Any, output_model: type[BaseModel]) -> Iterator[Violation]:
    """Each field outside the values its schema allows."""
    schema = strict_schema(output_model)
    yield from _enums(data, schema, schema.get("$defs", {}), "")


def _enums(
    value: Any, schema: dict[str, Any], defs: dict[str, Any], field: str
) -> Iterator[Violation]:
    if "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if "enum" in schema or "const" in schema:
        allowed = schema.get("enum", [schema.get("const")])
        if value not in allowed:
            yield Violation("constrained", field or "(answer)", "not one of the allowed values")
        return
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        if value is None and any(v.get("type") == "null" for v in variants):
            return
        problems = [
            list(_enums(value, v, defs, field)) for v in variants if v.get("type") != "null"
        ]
        if problems and all(problems):
            yield problems[0][0]
        return
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield from _enums(value[name], sub, defs, f"{field}.{name}" if field else name)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _enums(item, schema["items"], defs, f"{field}[{index}]")


def _cited(value: Any, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            path = f"{field}.{name}" if field else name
            if name in SOURCE_FIELDS:
                if isinstance(item, str):
                    yield path, item
                elif isinstance(item, list):
                    yield from (
                        (f"{path}[{i}]", cited)
                        for i, cited in enumerate(item)
                        if isinstance(cited, str)
                    )
                continue
            yield from _cited(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _cited(item, f"{field}[{index}]")


def _strings(value: Any, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield field or "(answer)", value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, f"{field}.{name}" if field else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{field}[{index}]")


def _digit_runs(text: str) -> str:
    """The phone-like runs of ``text`` as digits only, one per line, so a number written
    with other separators in the answer still matches."""
    return "\n".join(re.sub(r"\D", "", m.group()) for m in _PHONE.finditer(text))
