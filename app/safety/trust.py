"""Which parts of a job's input are trusted: where a contact in its answer may come from.

A link, e-mail address, phone number or payment target (IBAN, account number) in an
answer sends its reader somewhere. It is a fact only when someone the tenant trusts
wrote it, so the contact guard (app/safety/guards.py) accepts it only from:

* the input fields the kind declares **trusted**: text the product team or the
  requesting principal writes for this job (a question, instructions, who signs,
  the catalogue's own product data), never text a third party wrote (a thread
  message, a CRM note, a retrieved e-mail or document, a review, a profile field),
  however plainly it states the contact;
* the domains the operator allows for every tenant (``COURIER_SAFETY_CONTACT_DOMAINS``:
  the company's own sites and mail domains).

A kind declares its trusted fields in one place, its input model, by annotating a
field with :data:`TRUSTED` (``question: Annotated[str, TRUSTED] = Field(...)``) or
with ``Trusted(when=...)`` to trust only some items of a list (the user turns of a
conversation, not the assistant's). A field of a nested model may be annotated too;
an unannotated field is untrusted, whatever it holds. tasks/kinds/README.md lists each
kind's choice.

Inside a trusted field, text the requester did not write is not trusted either: a
forwarded or quoted message (from its "Forwarded message", "From: ... @" or "On ...
wrote:" line on, in the common mail clients' languages, app/llm/quoting.py) and quoted
lines (``> ``).
A requester who pastes a third party's mail into a question passes that party's contacts
on, not their own (:func:`own_text`).

The one exception is on the output side: a field its output model marks
:data:`QUOTED` repeats the input word for word as evidence (an extracted value, the
offending passage a moderator is shown), which the kind's rules check; it may hold a
contact that any given input states (after quarantine), since it tells the team what
the text says, not where a reader should go; a quote that is evidence of another field
(``Quoted(of="value")``) only a contact that field holds. Every other output field holds only
contacts from trusted fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from app.llm.quoting import split_quoted


@dataclass(frozen=True)
class Trusted:
    """Marks an input field whose text an answer may take contacts from."""

    when: Callable[[Any], bool] | None = None
    """For a list field: which items are trusted (None: all)."""


TRUSTED = Trusted()


@dataclass(frozen=True)
class Quoted:
    """Marks an output field that quotes the input word for word (see the module)."""

    of: str | None = None
    """For a quote given as evidence of a sibling field (an extracted ``value``'s
    ``quote``): that field's name. The quote then carries no contact its value does not:
    the passage stating "Kids" has no business passing on the IBAN written beside it."""


QUOTED = Quoted()


def quoted_mark(metadata: list[Any]) -> Quoted | None:
    return next((item for item in metadata if isinstance(item, Quoted)), None)


def trusted_text(job_input: BaseModel) -> tuple[str, ...]:
    """Every string of ``job_input`` under a field its model marks :class:`Trusted`, as
    far as the requester wrote it (:func:`own_text`)."""
    return tuple(own_text(text) for text in _trusted(job_input))


# A lone sender line naming an address ("From: Billing <billing@...>"): a pasted mail's
# header even without the date and subject lines that app/llm/quoting.py looks for.
_SENDER_LINE = re.compile(r"^[ \t]*(?:from|de|von|da|van)[ \t]*:[^\n]*@", re.I | re.M)


def own_text(text: str) -> str:
    """``text`` without what its writer pasted from someone else: everything from a
    forwarded message's start on, and quoted (``>``) lines."""
    sender = _SENDER_LINE.search(text)
    own, _ = split_quoted(text[: sender.start()] if sender else text)
    return "\n".join(own)


def _trusted(model: BaseModel) -> Iterator[str]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        mark = next((m for m in info.metadata if isinstance(m, Trusted)), None)
        if mark is None:
            yield from _nested(value)
        elif mark.when is not None and isinstance(value, list | tuple):
            for item in value:
                if mark.when(item):
                    yield from _strings(item)
        else:
            yield from _strings(value)


def _nested(value: Any) -> Iterator[str]:
    """The trusted fields of the models inside an untrusted field."""
    if isinstance(value, BaseModel):
        yield from _trusted(value)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _nested(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _nested(item)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
