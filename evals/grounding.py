"""Which input fields ground each kind's output: the material its claims must rest on.

Written here, apart from the kinds (tasks/kinds), so the measure does not inherit a
kind's own reading of its input. Each grounded kind names its fields and how a source
in them is cited: a list of messages cited by position (``m0``, ``m1``, ...), a list of
items cited by their ``id``, or one field cited by a fixed name. A kind not in
:data:`GROUNDS` (taxonomy_tagging, moderation_summary, response) writes no claims that
rest on given material, so it is not scored for hallucination.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    """An input field that grounds a kind: ``cite`` is ``"position"`` (a list cited as
    ``m0``, ``m1``, ...), ``"id"`` (a list of items cited by their ``id``) or the one
    name the whole field is cited by."""

    name: str
    cite: str


GROUNDS: dict[str, tuple[Field, ...]] = {
    "email_reply": (Field("thread", "position"),),
    "support_answer": (Field("sources", "id"), Field("conversation", "conversation")),
    "account_summary": (Field("emails", "id"), Field("crm_notes", "id")),
    "follow_up_draft": (Field("conversation", "id"),),
    "product_description": (Field("product", "metadata"), Field("references", "id")),
    "metadata_enrichment": (
        Field("title", "title"),
        Field("description", "description"),
        Field("references", "id"),
    ),
    "document_extraction": (Field("text", "document"),),
    "bio": (Field("profile", "profile"),),
}
"""Per kind, the input fields its output may state facts from (and cite)."""


def material(kind: str, job_input: Mapping[str, Any]) -> dict[str, str] | None:
    """The grounding material of a job, by the id it is cited with, as plain text; None
    for a kind that is not grounded."""
    fields = GROUNDS.get(kind)
    if fields is None:
        return None
    found: dict[str, str] = {}
    for field in fields:
        value = job_input.get(field.name)
        if value is None:
            continue
        if field.cite == "position" and isinstance(value, list):
            found |= {f"m{i}": plain_text(item) for i, item in enumerate(value)}
        elif field.cite == "id" and isinstance(value, list):
            found |= {
                str(item.get("id")): plain_text({k: v for k, v in item.items() if k != "id"})
                for item in value
                if isinstance(item, Mapping)
            }
        else:
            found[field.cite] = plain_text(value)
    return found


def plain_text(value: Any) -> str:
    """Every string and number in ``value``, one a line, a mapping's keys beside their
    values (``weight g: 750``: a key names what a value is, and a claim may name it).
    Never escaped JSON, where a word after a line break reads as ``nIhre``."""
    if isinstance(value, Mapping):
        lines = []
        for key, item in value.items():
            text = plain_text(item)
            if text:
                label = str(key).replace("_", " ")
                lines.append(f"{label}: {text}" if "\n" not in text else f"{label}:\n{text}")
        return "\n".join(lines)
    if isinstance(value, list | tuple):
        return "\n".join(t for t in (plain_text(item) for item in value) if t)
    if isinstance(value, bool) or value is None:
        return ""
    return str(value)
