"""Which sources are out of date: marked so, or dated before another on the same topic.

A help centre keeps its archived and legacy articles beside the current ones (a
supplier its discontinued models' sheets beside the current model's), and an
updated article often stands beside the version it replaced ("Refund policy (2023)",
"Refund policy (2025)"). The current one answers; the offline provider weighs an old
one down like a source about another entity (app/llm/extractive.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.llm.provider import Source

_STALE_TITLE = re.compile(
    r"\b(?:archived?|deprecated|outdated|out of date|obsolete|legacy|superseded|retired|"
    r"discontinued|end[- ]of[- ]life|"
    r"old(?:er)? version|previous version|"
    r"no longer (?:valid|current|in use|supported|sold|available|offered|made)|"
    r"archiv\w*|veraltet|obsolète|ancienne version|obsoleto|antiguo)\b",
    re.IGNORECASE,
)
_STALE_NOTICE = re.compile(
    # A notice about the article itself, not a sentence about a deprecated feature.
    r"\b(?:this|the following) (?:article|page|guide|document|information|content|policy|"
    r"version)\b[^.\n]{0,40}?\b(?:is|has been|was) (?:now )?(?:archived|outdated|out of date|"
    r"deprecated|superseded|replaced|retired|no longer (?:valid|current|accurate|maintained|"
    r"applicable|in effect))"
    r"|\b(?:this|the following) (?:article|page|guide|document|information|content|policy)\b"
    r"[^.\n]{0,40}?\b(?:applies|applied|refers|describes|covers|is for) (?:only )?(?:to )?(?:the )?"
    r"(?:old|older|previous|legacy|former|retired|discontinued)\b"
    r"|\b(?:applied|was valid|was in effect|was in force) until\b"
    r"|^\s*\[?(?:archived|deprecated|outdated|obsolete|legacy)\]?\s*(?:[:\]-]|$)"
    # A heading that marks itself replaced: "Tariff valid until 31 December 2025 (superseded)".
    r"|\((?:superseded|replaced|outdated|expired|archived|obsolete|no longer valid|"
    r"remplacée?s?|périmée?s?|obsolète|ersetzt|veraltet|abgelaufen|ungültig|"
    r"sustituid[ao]s?|reemplazad[ao]s?|caducad[ao]s?|obsolet[ao]s?|sostituit[ao])\)",
    re.IGNORECASE | re.MULTILINE,
)
_MONTHS = """january february march april may june july august september october november
december""".split()
_MONTH = r"(?:" + "|".join(m[:3] + r"\w*" for m in _MONTHS) + r")\.?"
_DATE = re.compile(
    r"\b(?:(?P<y1>(?:19|20)\d\d)-(?P<m1>\d\d)(?:-(?P<d1>\d\d))?"
    r"|(?:(?P<d2>\d{1,2})\s+)?(?P<m2>"
    + _MONTH
    + r")\s+(?:(?P<d3>\d{1,2}),?\s+)?(?P<y2>(?:19|20)\d\d)"
    r"|(?P<y3>(?:19|20)\d\d))\b",
    re.IGNORECASE,
)
_DATED = re.compile(
    r"\b(?:updated|last updated|revised|effective|valid from|as of|published|version of|"
    r"mis à jour|aktualisiert|actualizado)\b[^.\n]{0,20}$",
    re.IGNORECASE,
)
"""The words before a date that make it the article's own date."""
_TOPIC_WORD = re.compile(r"[^\W\d_]{3,}")
_GENERIC = frozenset(
    """the and for with your our about how what plan plans archived archive
legacy old new current updated version faq help article policy""".split()
)


def stale_sources(sources: Sequence[Source]) -> set[int]:
    """The positions of the sources that are out of date: marked so (title or notice),
    or dated before another source on the same topic (their titles share a word)."""
    marked = {i for i, s in enumerate(sources) if _marked(s)}
    dates = {i: d for i, s in enumerate(sources) if (d := _date(s)) is not None}
    older = {
        i
        for i, date in dates.items()
        for j, other in dates.items()
        if date < other and _same_topic(sources[i], sources[j])
    }
    return marked | older


def _marked(source: Source) -> bool:
    if source.title and _STALE_TITLE.search(source.title):
        return True
    return _STALE_NOTICE.search(source.text[:300]) is not None


def _date(source: Source) -> tuple[int, int, int] | None:
    """The article's own date: one in its title, or one its text says it was updated,
    published or effective on."""
    for m in _DATE.finditer(source.title or ""):
        return _parsed(m)
    for m in _DATE.finditer(source.text):
        if _DATED.search(source.text[max(0, m.start() - 40) : m.start()]):
            return _parsed(m)
    return None


def _parsed(m: re.Match[str]) -> tuple[int, int, int]:
    year = int(m.group("y1") or m.group("y2") or m.group("y3"))
    month_word = m.group("m2")
    month = (
        int(m.group("m1"))
        if m.group("m1")
        else (_MONTHS.index(next(x for x in _MONTHS if x.startswith(month_word[:3].lower()))) + 1)
        if month_word
        else 0
    )
    day = int(m.group("d1") or m.group("d2") or m.group("d3") or 0)
    return year, month, day


def _same_topic(one: Source, other: Source) -> bool:
    """Two versions of one article: their titles share a word that is not generic (or
    neither has a title); never two messages of a conversation."""
    if one.ours is not None or other.ours is not None:
        return False  # messages of a conversation: a later one supersedes on its own terms
    if not one.title or not other.title:
        return not one.title and not other.title
    return bool(_topic(one.title) & _topic(other.title))


def _topic(title: str) -> set[str]:
    return {w.lower() for w in _TOPIC_WORD.findall(title)} - _GENERIC
