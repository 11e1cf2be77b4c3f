"""The rule stage: the clear cases of ``moderation_summary``, decided before any model
call, deterministically (``decided_by="rules"``, ``model="rules"``).

* Nothing to judge: empty content, or content made only of the tenant's allow-listed
  phrases → ``none``.
* A term of the tenant's deny list → its label and severity.
* Exposed personal data: a payment card number (Luhn check), an IBAN (mod-97 check)
  → ``pii_exposure``, high; an e-mail address or a phone number → medium.
* Plain spam: three links or more, a link with a spam phrase, or two spam phrases →
  ``spam``, low.

Allow-listed phrases are masked first, so they never trigger a rule. A violation the
rules find decides the job on what they found: such content is held whatever else it
holds, and no model is paid to say more (``decided_by`` tells the caller so).
Anything else goes to the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tasks.kinds.moderation_summary.models import (
    MAX_QUOTE,
    POLICY,
    ModerationSummary,
    ModerationSummaryInput,
    Passage,
    Severity,
    Violation,
    most_severe,
)


@dataclass(frozen=True)
class Hit:
    label: Violation
    severity: Severity
    start: int
    end: int
    why: str


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
# Not a run of a longer digit sequence (a card number failing Luhn is no phone number).
_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[\s.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])"
    r"\d{3,4}[\s.-]\d{3,5}(?![\w-])(?![\s.-]\d)"
)
_LINK = re.compile(r"\bhttps?://[^\s<>\"')]+|\bwww\.[^\s<>\"')]+", re.IGNORECASE)
_SPAM_PHRASES = re.compile(
    r"\b(?:buy now|click here|limited[- ]time offer|act now|100% free|free money|"
    r"work from home|make money fast|earn \$?\d[\d,]*(?: per| a) (?:day|week)|"
    r"crypto giveaway|double your (?:money|bitcoin|crypto)|risk[- ]free|casino bonus|"
    r"cheap (?:viagra|pills)|dm me for|check out my profile|free followers)\b",
    re.IGNORECASE,
)
_HAS_TEXT = re.compile(r"\w")


def screen(job: ModerationSummaryInput) -> ModerationSummary | None:
    """The rule stage's decision, or None: the content needs a model."""
    content = _masked(job.content, job.allow_list)
    if not _HAS_TEXT.search(content):
        reason = (
            "the content is only allow-listed text"
            if _HAS_TEXT.search(job.content)
            else "the content is empty"
        )
        return ModerationSummary(
            labels=["none"],
            severity="none",
            rationale=f"Rule stage: {reason}; nothing to judge.",
            passages=[],
            outcome="moderated",
            decided_by="rules",
        )
    hits = _without_overlaps([*_denied(job, content), *_personal_data(content), *_spam(content)])
    if not hits:
        return None
    labels = sorted({h.label for h in hits}, key=POLICY.index)
    passages: list[Passage] = []
    for hit in hits:
        passage = Passage(label=hit.label, quote=job.content[hit.start : hit.end][:MAX_QUOTE])
        if passage not in passages:
            passages.append(passage)
    reasons = list(dict.fromkeys(h.why for h in hits))
    return ModerationSummary(
        labels=list(labels),
        severity=most_severe(h.severity for h in hits),
        rationale="Rule stage: " + "; ".join(reasons) + ".",
        passages=passages,
        outcome="moderated",
        decided_by="rules",
    )


def _masked(content: str, allowed: list[str]) -> str:
    # Spaces of the same length: offsets into the masked text are offsets into the content.
    for phrase in sorted(allowed, key=len, reverse=True):
        pattern = re.compile(re.escape(phrase), re.IGNORECASE)
        content = pattern.sub(lambda m: " " * len(m[0]), content)
    return content


def _denied(job: ModerationSummaryInput, content: str) -> Iterator[Hit]:
    for deny in job.deny_list:
        pattern = re.compile(rf"(?<!\w){re.escape(deny.term)}(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(content):
            yield Hit(
                deny.label,
                deny.severity,
                match.start(),
                match.end(),
                f"a term of the tenant's deny list ({deny.label})",
            )


def _personal_data(content: str) -> Iterator[Hit]:
    for match in _CARD.finditer(content):
        if _luhn(re.sub(r"\D", "", match[0])):
            yield Hit(
                "pii_exposure", "high", *match.span(), "a payment card number (Luhn check passes)"
            )
    for match in _IBAN.finditer(content):
        if _iban_valid(match[0]):
            yield Hit("pii_exposure", "high", *match.span(), "an IBAN (its check digits pass)")
    for match in _EMAIL.finditer(content):
        yield Hit("pii_exposure", "medium", *match.span(), "an e-mail address")
    for match in _PHONE.finditer(content):
        if 9 <= len(re.sub(r"\D", "", match[0])) <= 15:
            yield Hit("pii_exposure", "medium", *match.span(), "a phone number")


def _spam(content: str) -> Iterator[Hit]:
    links = list(_LINK.finditer(content))
    phrases = list(_SPAM_PHRASES.finditer(content))
    if len(links) >= 3 or (links and phrases) or len(phrases) >= 2:
        why = f"spam ({len(links)} links, {len(phrases)} spam phrases)"
        for match in [*phrases, *links]:
            yield Hit("spam", "low", *match.span(), why)


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    """The first hit (in the order found: deny list, card, IBAN, e-mail, phone, spam)
    over any span it overlaps, so a card number is not also a phone number; in
    content order."""
    kept: list[Hit] = []
    for hit in hits:
        if not any(hit.start < k.end and k.start < hit.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _iban_valid(text: str) -> bool:
    compact = text.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1
