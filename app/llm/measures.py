"""The measures a sentence states (an amount with its currency, a count with its unit)
and whether two sentences state different ones of the same kind.

Two sources that give the asked quantity different values ("the standing charge is
€18.16" and "... is €16.79") contest each other: unless something says which one
replaced the other or applies, an extractive answer cannot tell which is right, and
stating either would be a guess (app/llm/extractive.py leaves both out).
"""

from __future__ import annotations

import re

# Thousands grouped by spaces ("15 000", "1 240,50") or by dots and commas.
_AMOUNT = r"\d{1,3}(?:[ \u202f\u00a0]\d{3})+(?:[.,]\d+)?|\d[\d.,]*\d|\d"
# A range gives one value: "5 to 7 business days", "5-7 Tage", "de 5 à 7 jours".
_TO = r"\s?(?:-|–|to|bis|à|a)\s?"
_MEASURE = re.compile(
    rf"(?P<before>[$€£¥]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|JPY)\b)\s?(?P<a>{_AMOUNT})"
    rf"|(?P<b>{_AMOUNT})(?:{_TO}(?P<upto>{_AMOUNT}))?\s?(?P<after>%|[$€£¥]|[^\W\d_]+)"
)
_CURRENCY = {"€": "eur", "euro": "eur", "euros": "eur", "$": "usd", "£": "gbp", "¥": "jpy"}
_SPACES = re.compile(r"[\s\u202f\u00a0]")

Measure = tuple[str, str]
"""(unit, value): ("money", "18.16") for any currency, ("day", "14"), ("%", "20")."""


def measures(text: str) -> set[Measure]:
    """Every amount of ``text`` with its unit: a currency before or after it, or the
    word right after it ("14 days", "40 Monate", "950 GB")."""
    found: set[Measure] = set()
    for m in _MEASURE.finditer(text):
        unit, value = (m["before"], m["a"]) if m["before"] else (m["after"], m["b"])
        number = _number(_SPACES.sub("", value).rstrip(".,"))
        if not m["before"] and m["upto"]:
            number += "-" + _number(_SPACES.sub("", m["upto"]).rstrip(".,"))
        found.add((_unit(unit), number))
    return found


def _number(written: str) -> str:
    """The value as a plain decimal ("1,200" and "1200" -> "1200"; "45.00" -> "45";
    "108,73" -> "108.73"): the same amount written two ways is one value. A lone
    separator before exactly three digits groups thousands; otherwise the last one is
    the decimal point."""
    separators = [i for i, c in enumerate(written) if c in ".,"]
    if not separators:
        return written
    last = separators[-1]
    grouping = len(separators) == 1 and len(written) - last - 1 == 3
    whole = re.sub(r"[.,]", "", written if grouping else written[:last])
    fraction = "" if grouping else written[last + 1 :].rstrip("0")
    whole = whole.lstrip("0") or "0"
    return f"{whole}.{fraction}" if fraction else whole


_MONEY = frozenset("eur usd gbp jpy chf cad aud sek nok dkk pln".split())


def _unit(written: str) -> str:
    unit = written.lower()
    unit = _CURRENCY.get(unit, unit)
    if unit in _MONEY:
        # A price is a price in any currency: CHF 24.00 in one source and €20.50 in
        # another are two prices for one thing.
        return "money"
    # Plurals and their singulars are one unit: "days" and "day", "meses" and "mes".
    for suffix in ("es", "s", "e", "n"):
        if unit.endswith(suffix) and len(unit) - len(suffix) >= 3:
            return unit[: -len(suffix)]
    return unit


def several_values(text: str) -> bool:
    """``text`` gives two or more values of one unit (a table row's €1,995 and €1,780)."""
    units = [unit for unit, _ in measures(text)]
    return len(units) != len(set(units))


def disagree(one: str, other: str) -> bool:
    """``one`` and ``other`` state different values of one unit, each a value the other
    does not state (€18.16 against €16.79; not €18.16 against €18.16 and €2)."""
    mine, theirs = measures(one), measures(other)
    for unit in {u for u, _ in mine} & {u for u, _ in theirs}:
        a = {v for u, v in mine if u == unit}
        b = {v for u, v in theirs if u == unit}
        if _unmatched(a, b) and _unmatched(b, a):
            return True
    return False


def _unmatched(values: set[str], others: set[str]) -> set[str]:
    """The values none of ``others`` states or, as a range, contains ("within 5 business
    days" is within "5 to 7 business days")."""
    return {v for v in values if not any(v == o or _within(v, o) for o in others)}


def _within(value: str, span: str) -> bool:
    low, _, high = span.partition("-")
    if not high or "-" in value:
        return False
    try:
        return float(low) <= float(value) <= float(high)
    except ValueError:
        return False


SAME_POINT = 0.75
"""The share of the shorter sentence's words two sentences must share to be on one point."""


def rivals(one: str, other: str) -> bool:
    """``one`` and ``other`` say the same thing ("the monthly standing charge is ...")
    with different values of one unit: €18.16 or €16.79, a refund window of 41 days
    or 35."""
    # Imported here: the extractive provider itself uses this module.
    from app.llm.extractive import content_words

    if not disagree(one, other):
        return False
    mine, theirs = ({w for w in content_words(t) if not w.isdigit()} for t in (one, other))
    return len(mine & theirs) >= SAME_POINT * min(len(mine), len(theirs))
