"""Screening a step's untrusted text before any provider sees it, and what a job's
steps found out about its safety.

:func:`screen` reads every string a step's prompt is built from (the template's
variables: thread messages, documents, questions, profile fields, tool output) and
its sources with the injection detector (app/safety/injection.py). Each suspect
sentence is **quarantined**: replaced by a placeholder in the prompt's variables and
in the sources, so neither a model nor the offline provider can follow, quote or
copy it, and flagged (:class:`Flag`: where, and which shapes). Quarantine is not trust: what
is left (``Screened.given``) is still a third party's text, and the contact guard
(app/safety/guards.py) takes an answer's contacts only from the input fields its
kind trusts (app/safety/trust.py); only a field the output marks as a verbatim quote
may repeat one of ``given``.

:class:`SafetyRecord` collects, per execution, the flags and the guard violations
of its steps; the executor reads it when the handler returns (tasks/execution.py):
a flagged job, or one whose answer still broke a guard after the stricter
regeneration, goes to review, or is refused where its kind has no review.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from pydantic import BaseModel

from app.llm.provider import GenerationRequest, OutputT
from app.prompts.data import PromptText
from app.prompts.templates import PromptCall
from app.safety.guards import Violation
from app.safety.injection import QUARANTINED, Suspect, quarantine
from app.safety.redaction import redact


@dataclass(frozen=True)
class Flag:
    """Instruction-like content found in a step's untrusted text, and quarantined."""

    step: str
    field: str
    """Where: a template variable's path (``thread[0].body``) or ``sources.<id>``."""
    signals: tuple[str, ...]
    """The shapes found: override, fake_role, exfiltrate, link, recipient, reveal,
    obfuscated."""

    def as_json(self) -> dict[str, Any]:
        return {"step": self.step, "field": redact(self.field), "signals": list(self.signals)}


@dataclass(frozen=True)
class Screened:
    """A step's request with its suspect text quarantined, what was flagged, and the
    text left (what a quoted output field may repeat)."""

    request: GenerationRequest[Any]
    flags: tuple[Flag, ...]
    given: str
    quarantined: tuple[str, ...] = ()
    """The suspect sentences as written: an answer must not repeat them, nor a code word
    of them (the guards' ``echoes``)."""


def screen(request: GenerationRequest[OutputT]) -> Screened:
    """``request`` quarantined (not yet rendered: its prompt's variables are)."""
    flags: list[Flag] = []
    given: list[str] = []
    removed: list[str] = []
    # The same text is often read twice (a thread message is a template variable and
    # a source, the question too): the detector reads each distinct text once.
    seen: dict[str, tuple[str, list[Suspect]]] = {}

    def clean(text: str, where: str) -> str:
        if isinstance(text, PromptText):  # Courier's own text, not a caller's
            return text
        if text not in seen:
            seen[text] = quarantine(text)
        kept, found = seen[text]
        if found:
            kinds = sorted({signal.kind for item in found for signal in item.signals})
            flags.append(Flag(request.step, where, tuple(kinds)))
            removed.extend(text[item.start : item.end] for item in found)
        given.append(kept)
        return kept

    prompt = request.prompt
    if prompt is not None:
        variables = {name: _walk(value, clean, name) for name, value in prompt.variables.items()}
        prompt = PromptCall(prompt.prompts, prompt.name, variables)
    # replace() keeps a source's version (a document's), which the model cache keys on.
    sources = [
        replace(source, text=clean(source.text, f"sources.{source.id}"))
        for source in request.sources
    ]
    question = clean(request.question, "question")
    quarantined = replace(request, prompt=prompt, sources=sources, question=question)
    return Screened(
        quarantined, tuple(_merged(flags)), "\n".join(given), tuple(dict.fromkeys(removed))
    )


@dataclass
class SafetyRecord:
    """What one execution's steps found: the flags of their inputs, the guard
    violations of their answers, and the kind's refusal to deliver instead."""

    flags: list[Flag] = field(default_factory=list)
    violations: list[tuple[str, Violation]] = field(default_factory=list)
    """(step, violation) that still held after the stricter regeneration."""
    refusal: BaseModel | None = None
    """The kind's refused outcome for the step that broke a guard (``compose_refusal``),
    for a kind without review; None when it has none."""

    @property
    def suspected_injection(self) -> bool:
        return bool(self.flags)

    def reasons(self) -> list[dict[str, Any]]:
        """Why the job is held or refused, as ``jobs.review_reasons`` stores them."""
        reasons: list[dict[str, Any]] = []
        if self.flags:
            reasons.append(
                {
                    "code": "injection_suspected",
                    "fields": sorted({redact(flag.field) for flag in self.flags}),
                    "signals": sorted({s for flag in self.flags for s in flag.signals}),
                }
            )
        for step, violation in self.violations:
            reasons.append({"code": "guard_violation", "step": step, **violation.as_json()})
        return reasons

    def flags_json(self) -> list[dict[str, Any]]:
        return [flag.as_json() for flag in self.flags]


def _merged(flags: list[Flag]) -> list[Flag]:
    """One flag per field (the same text may be both a variable and a source)."""
    merged: dict[str, Flag] = {}
    for flag in flags:
        seen = merged.get(flag.field)
        kinds = tuple(sorted(set(flag.signals) | set(seen.signals if seen else ())))
        merged[flag.field] = Flag(flag.step, flag.field, kinds)
    return list(merged.values())


def _walk(value: Any, clean: Callable[[str, str], str], where: str) -> Any:
    """``value`` (a template variable) with ``clean`` applied to every string in it,
    its types kept (pydantic models and dataclasses, e.g. retrieved documents as
    :class:`app.llm.provider.Source`, are copied field by field, unvalidated: the placeholder may be
    longer than a field's limit)."""
    if isinstance(value, str):
        return clean(value, where)
    if isinstance(value, BaseModel):
        return value.model_copy(
            update={
                name: _walk(getattr(value, name), clean, f"{where}.{name}")
                for name in type(value).model_fields
            }
        )
    if is_dataclass(value) and not isinstance(value, type):
        return replace(
            value,
            **{
                f.name: _walk(getattr(value, f.name), clean, f"{where}.{f.name}")
                for f in fields(value)
                if f.init
            },
        )
    if isinstance(value, list | tuple):
        walked = [_walk(item, clean, f"{where}[{i}]") for i, item in enumerate(value)]
        return type(value)(walked) if isinstance(value, tuple) else walked
    if isinstance(value, Mapping):
        # A key is text a third party wrote too (a product attribute's name): screened
        # like a value; two keys quarantined stay two entries.
        screened: dict[Any, Any] = {}
        for key, item in value.items():
            name = clean(key, f"{where}.{key}") if isinstance(key, str) else key
            while name in screened:
                name = f"{name} "
            screened[name] = _walk(item, clean, f"{where}.{key}")
        return screened
    return value


__all__ = ["QUARANTINED", "Flag", "SafetyRecord", "Screened", "screen"]
