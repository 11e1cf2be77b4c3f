"""Which figure is the account's current one: the latest said for the same quantity.

A discount agreed in March and revised on a call in May, a seat count raised at the
renewal: the earlier sentence is history, and a summary that states it states a wrong
fact. Two sentences give the same quantity when both carry a figure of one kind (a
percentage, an amount, a count) and name the same quantity word ("discount",
"seats"); the one from the later source stays.
"""

from __future__ import annotations

import re

from app.llm import measures

_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?(?:%|per ?cent|percent|prozent|pour ?cent)", re.I)
_AMOUNT = re.compile(
    r"[$€£]\s?\d|\d[\d,.]*\s?(?:k|m)?\s?(?:usd|eur|gbp|chf|dollars|euros)\b", re.IGNORECASE
)
_COUNT = re.compile(r"\b\d[\d,.]*\b")
_QUANTITY = re.compile(
    r"\b(discount|rebate|price|pricing|seats?|licen[cs]es?|users?|fee|rate|budget|"
    r"contract value|deal size|arr|mrr|quota|volume)\b",
    re.IGNORECASE,
)


def figure(text: str) -> tuple[str, frozenset[str]] | None:
    """The kind of figure ``text`` gives and the quantities it names; None without one."""
    quantities = frozenset(_stem(m.group(1)) for m in _QUANTITY.finditer(text))
    if not quantities:
        return None
    for kind, pattern in (("percent", _PERCENT), ("amount", _AMOUNT), ("count", _COUNT)):
        if pattern.search(_without_dates(text)):
            return kind, quantities
    return None


_REVISED = re.compile(
    r"\b(revis\w*|chang\w*|updat\w*|correct\w*|now|instead|new|reduc\w*|increas\w*|lower\w*|"
    r"rais\w*|down to|up to|moved to|agreed on|final\w*|no longer)\b",
    re.IGNORECASE,
)


def revises(text: str) -> bool:
    """``text`` says its figure replaces an earlier one ("revised to 10%", "now 60 seats")."""
    return _REVISED.search(text) is not None


def supersedes(later: str, earlier: str) -> bool:
    """``later`` gives a figure of the same kind for a quantity ``earlier`` gives one for:
    one both name ("discount"), or, in any language, the same label before the figure
    ("Cuota anual de renovación: 2.051,50 USD." and "... : 2.596,00 USD.")."""
    new, old = figure(later), figure(earlier)
    if new is not None and old is not None and new[0] == old[0] and bool(new[1] & old[1]):
        return True
    label = _label(later)
    return label is not None and label == _label(earlier) and _kind(later) == _kind(earlier)


_FIGURE_START = re.compile(r"[$€£]?\s?\d")
_LABEL_WORD = re.compile(r"[^\W\d_]{3,}")


def _label(text: str) -> frozenset[str] | None:
    """The words before a sentence's first figure, when it ends in a colon (a labelled
    value: "Renewal fee: $20"); None otherwise."""
    plain = _without_dates(text)
    start = _FIGURE_START.search(plain)
    if start is None or not plain[: start.start()].rstrip().endswith(":"):
        return None
    words = frozenset(w.lower() for w in _LABEL_WORD.findall(plain[: start.start()]))
    return words or None


def _kind(text: str) -> str | None:
    plain = _without_dates(text)
    return next(
        (k for k, p in (("percent", _PERCENT), ("amount", _AMOUNT)) if p.search(plain)), None
    )


_ADDED = re.compile(
    r"\b(add(?:s|ed|ing)?|additional|extra|more|another|further|expan\w*|grow\w*|"
    r"increase by|on top)\b",
    re.IGNORECASE,
)
"""A figure that counts what is added ("add 50 seats") is not the account's total."""


def conflicts(one: str, other: str) -> bool:
    """``one`` and ``other`` give different figures of one kind for the same quantity
    (the account has 60 seats, or 150), neither saying it adds to the other."""
    if _ADDED.search(one) or _ADDED.search(other):
        return False
    if not (supersedes(one, other) and supersedes(other, one)):
        return False
    return _values(one) != _values(other)


def rivals(one: str, other: str) -> bool:
    """``one`` and ``other`` give the same quantity different values of one unit
    (app/llm/measures.py), neither saying it adds to the other."""
    return not (_ADDED.search(one) or _ADDED.search(other)) and measures.rivals(one, other)


def _values(text: str) -> frozenset[str]:
    return frozenset(m.group() for m in _COUNT.finditer(_without_dates(text)))


def _stem(word: str) -> str:
    word = word.lower()
    return word.removesuffix("s").replace("licence", "license")


_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2}\b"
    r"|\b(?:19|20)\d\d\b|\bq[1-4]\b|\d{4}-\d\d-\d\d",
    re.IGNORECASE,
)


def _without_dates(text: str) -> str:
    # "Renews on 30 June" gives a date, not a count.
    return _DATE.sub(" ", text)
