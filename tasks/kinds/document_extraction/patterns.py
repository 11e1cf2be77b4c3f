"""The offline extraction: fields a pattern finds where a document states them in a
standard shape — a labelled value (``Invoice no.: INV-0042``), a date after its label,
an amount after "Total", the parties after "between", the law after "governed by".
What no pattern finds stays empty: nothing is inferred, nothing normalised beyond
naming a currency by its symbol."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DATE = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_CODES = r"EUR|USD|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN"
_AMOUNT = r"\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?"
_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "$": "USD"}

STATED, AMBIGUOUS = 0.7, 0.5
"""Offline confidences: a value in a standard shape; a "$" read as US dollars."""


@dataclass(frozen=True)
class Found:
    value: str
    quote: str
    confidence: float = STATED


def _labelled(labels: Iterable[str], value: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    alternatives = "|".join(labels)
    return re.compile(rf"(?<![\w-])(?:{alternatives})\s*[:#]?\s*(?P<value>{value})", flags)


_INVOICE_NUMBER = re.compile(
    r"(?<![\w-])invoice\s*(?:no\.?|number|num\.?|#|id)?\s*[:#]?\s*"
    r"(?P<value>[A-Z0-9][A-Z0-9/_-]*\d[A-Z0-9/_-]*)",
    re.IGNORECASE,
)
_ISSUE_DATE = (
    _labelled([r"invoice date", r"issue date", r"date of issue", r"issued on", r"issued"], DATE),
    _labelled([r"(?<!due )(?<!delivery )(?<!order )(?<!birth )date"], DATE),
)
_DUE_DATE = (_labelled([r"due date", r"payment due(?: date)?", r"due(?: on| by)?"], DATE),)
_TOTAL = re.compile(
    r"(?<![\w-])(?P<label>amount due|total due|balance due|grand total|total amount|"
    r"amount payable|total)(?:\s*\([^)\n]*\))?\s*[:\-]?\s*"
    rf"(?P<before>[€$£¥]|(?:{_CODES})\s?)?\s?(?P<value>{_AMOUNT})(?:\s?(?P<after>{_CODES}|€))?",
    re.IGNORECASE,
)
_CURRENCY_LABEL = _labelled([r"currency"], _CODES)
_CURRENCY_CODE = re.compile(rf"\b(?P<value>{_CODES})\b")
_VENDOR = re.compile(
    r"^[ \t]*(?:from|vendor|supplier|seller|billed by|issued by|company)[ \t]*:[ \t]*"
    r"(?P<value>[^\n]{2,120}?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_PARTIES = re.compile(
    r"(?i:between)\s+(?P<a>[A-Z][^,\n()]{1,100}?)(?:\s*\([^)\n]*\)|,[^\n]{0,200}?)?,?\s+"
    r"(?i:and)\s+(?P<b>[A-Z][^,\n()]{1,100}?)(?=\s*\(|,|\.\s|\.$|\n|$)"
)
_EFFECTIVE_DATE = (
    _labelled([r"effective date", r"effective(?: as of| from| on)?"], rf"(?:the\s+)?{DATE}"),
    _labelled(
        [r"commenc\w* on", r"dated(?: as of)?", r"entered into on", r"made on"],
        rf"(?:the\s+)?{DATE}",
    ),
)
_TERM = (
    re.compile(
        r"(?<![\w-])(?:term|period)\s+of\s+(?P<value>(?:[a-z-]+\s+)?(?:\(\d+\)\s+)?(?:\d+\s+)?"
        r"(?:years?|months?|weeks?|days?))",
        re.IGNORECASE,
    ),
    _labelled([r"term"], r"[^\n.;]{1,80}"),
)
_GOVERNING_LAW = (
    re.compile(
        r"(?i:governed\s+by|construed\s+in\s+accordance\s+with)\s+"
        r"(?i:(?:and\s+construed\s+in\s+accordance\s+with\s+)?the\s+laws?\s+of)\s+(?:the\s+)?"
        r"(?P<value>[A-Z][^,.;\n]{1,80}?)(?=\s*(?:[,.;\n]|$)|\s+without|\s+excluding)"
    ),
    _labelled([r"governing law"], r"[^\n.;]{1,80}"),
)


def _by_patterns(*patterns: re.Pattern[str]) -> Callable[[str], Found | None]:
    def find(text: str) -> Found | None:
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                return Found(value=match["value"].strip(), quote=match[0].strip())
        return None

    return find


def _total(text: str) -> re.Match[str] | None:
    """The strongest-labelled amount ("amount due" over a plain "total"), the last of
    those (a total comes after its subtotals)."""
    matches = list(_TOTAL.finditer(text))
    strength = ("amount due", "total due", "balance due", "grand total", "amount payable")
    ranked = sorted(
        enumerate(matches), key=lambda item: (item[1]["label"].lower() in strength, item[0])
    )
    return ranked[-1][1] if ranked else None


def total(text: str) -> Found | None:
    match = _total(text)
    return Found(value=match["value"], quote=match[0].strip()) if match else None


def currency(text: str) -> Found | None:
    """The total's currency, by its code or symbol; else a labelled or lone code."""
    match = _total(text)
    mark = ((match["before"] or match["after"] or "").strip()) if match else ""
    if match and mark:
        code = _SYMBOLS.get(mark, mark.upper())
        return Found(code, match[0].strip(), AMBIGUOUS if mark == "$" else STATED)
    named = _CURRENCY_LABEL.search(text) or _CURRENCY_CODE.search(text)
    return Found(named["value"], named[0], STATED) if named else None


def parties(text: str) -> Found | None:
    match = _PARTIES.search(text)
    if match is None:
        return None
    return Found(value=f"{match['a'].strip()}; {match['b'].strip()}", quote=match[0].strip())


def labelled(field: str, text: str) -> Found | None:
    """``<field name>: <value>`` (underscores as spaces), up to the line's end or a gap."""
    label = re.escape(field).replace("_", r"[\s_-]+")
    pattern = re.compile(
        rf"(?<![\w-]){label}[ \t]*[:=][ \t]*"
        r"(?P<value>[^\n|;\t]{1,200}?)\s*(?=$|[\n|;\t]|\s{2,})",
        re.IGNORECASE | re.MULTILINE,
    )
    match = pattern.search(text)
    return Found(value=match["value"], quote=match[0]) if match else None


FINDERS: dict[str, Callable[[str], Found | None]] = {
    "invoice_number": _by_patterns(_INVOICE_NUMBER),
    "issue_date": _by_patterns(*_ISSUE_DATE),
    "due_date": _by_patterns(*_DUE_DATE),
    "total": total,
    "currency": currency,
    "vendor": _by_patterns(_VENDOR),
    "parties": parties,
    "effective_date": _by_patterns(*_EFFECTIVE_DATE),
    "term": _by_patterns(*_TERM),
    "governing_law": _by_patterns(*_GOVERNING_LAW),
}


def find(field: str, text: str) -> Found | None:
    """The field as the document states it, or None: by the field's own patterns, else
    as a labelled value."""
    finder = FINDERS.get(field)
    return (finder(text) if finder else None) or labelled(field, text)
