"""Text as a reader sees it: obfuscation undone before the detector and the guards read it.

An attacker writes an instruction or a contact so that a pattern misses it and a
reader (or a model) still reads it: zero-width characters between letters, letters of
another script that look Latin (a Cyrillic "о" in a domain), compatibility forms
(full-width letters), letter-spacing ("w w w . e v i l . e x a m p l e",
"F R 1 3  3 0 0 0 ..."), an address spelled out ("name [at] host [dot] com").
:func:`skeleton` folds all of these to the plain Latin text they show, so the
injection detector (app/safety/injection.py) and the contact guard
(app/safety/guards.py) compare like with like; the guard folds both the answer and the
trusted text the same way.

:func:`disguised` finds what a plain answer never needs: format characters (category
Cf: zero-width spaces, joiners inside Latin words, bidi overrides and embeddings) and
words that mix Latin letters with look-alikes of another script. A soft hyphen inside a
word, a joiner between letters of a script that needs one and a bidi mark beside
right-to-left text (a Hebrew name in an English sentence) are writing, not hiding.

Look-alike letters come from the Unicode confusables data (``confusable_homoglyphs``,
offline), with a small table of the Cyrillic and Greek letters it maps to no ASCII
letter.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables  # type: ignore[import-untyped]  # ships no types

# Look-alikes the confusables data pairs with no ASCII letter (к with ĸ, т with ᴛ, ...).
_EXTRA = str.maketrans("кмтвнгɡεтκχ", "kmtbhrgetkx")
_SINGLES = re.compile(r"(?<!\S)\S(?:[ \u00a0]{1,3}\S(?![^\s.,;:!?)\]])){3,}")
_SPELLED_AT = re.compile(
    r"\s*(?:[\[({<]\s*(?:at|@|arroba|chez|bei)\s*[\])}>]|\s(?:at|arroba)\s)\s*", re.IGNORECASE
)
_SPELLED_DOT = re.compile(
    r"\s*(?:[\[({<]\s*(?:dot|punto|point|punkt|ponto|\.)\s*[\])}>]|\s(?:dot|punto|punkt|ponto)\s)"
    r"\s*",
    re.IGNORECASE,
)
_ADDRESS_SPELLED = re.compile(
    r"[\w.+-]+(?:" + _SPELLED_AT.pattern + r")[\w-]+(?:(?:" + _SPELLED_DOT.pattern + r")[\w-]+)+",
    re.IGNORECASE,
)


def without_format(text: str) -> str:
    """``text`` without format characters (Unicode category Cf)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


@lru_cache(maxsize=4096)
def _latin(char: str) -> str:
    """The ASCII letter or digit ``char`` is a look-alike of; else ``char``."""
    if char.isascii() or not char.isalpha():
        return char
    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=False)
    if found:
        for glyph in found[0]["homoglyphs"]:
            if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalnum():
                return glyph["c"].lower()
    return char.translate(_EXTRA)


def folded(text: str) -> str:
    """``text`` in compatibility form, without format characters, case-folded, with
    look-alike letters read as Latin and accents dropped (spacing kept)."""
    if text.isascii():
        # Every step below is the identity on ASCII (no compatibility forms, format
        # characters, look-alikes or accents there) but case folding, which is lower().
        return text.lower()
    text = without_format(unicodedata.normalize("NFKC", text)).casefold()
    text = "".join(_latin(c) for c in text)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def unspaced(text: str) -> str:
    """Runs of four or more single characters standing one to three spaces apart joined
    ("w w w . e v i l" reads "www.evil"); a wider gap inside a run stays one space
    ("F R 7 6  3 0 0 0" reads "FR76 3000")."""

    def join(match: re.Match[str]) -> str:
        return re.sub(r"[ \u00a0]{2,}", "\0", match.group()).replace(" ", "").replace("\0", " ")

    return _SINGLES.sub(join, text)


def unspelled(text: str) -> str:
    """E-mail addresses spelled out ("name [at] host [dot] com", "name at host dot com")
    written as addresses."""

    def join(match: re.Match[str]) -> str:
        return _SPELLED_DOT.sub(".", _SPELLED_AT.sub("@", match.group()))

    return _ADDRESS_SPELLED.sub(join, text)


def skeleton(text: str) -> str:
    """``text`` as a reader reads it: :func:`folded`, letter-spacing joined, spelled-out
    addresses written out."""
    return unspelled(unspaced(folded(text)))


def disguised(text: str) -> bool:
    """Whether ``text`` hides characters (format characters other than a joiner inside an
    emoji sequence) or mixes Latin letters with look-alikes of another script in a word."""
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cf" and not (
            _emoji_joiner(text, index) or _typographic(text, index)
        ):
            return True
    return any(_mixed(word) for word in re.findall(r"\w+", text))


_BIDI_MARKS = frozenset("\u200e\u200f\u061c")  # LRM, RLM, ALM: no embedding, no override
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ


def _typographic(text: str, index: int) -> bool:
    """A format character that writing needs, where it needs it: a soft hyphen inside a
    word (a hyphenation point; folded away before any pattern reads the text), a
    joiner or non-joiner between letters of a script that shapes them (Persian, the
    Indic scripts), a bidi mark beside right-to-left text. What is left (zero-width
    spaces, bidi overrides, a joiner inside a Latin word) hides something."""
    char = text[index]
    before = text[index - 1] if index else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if char == "\u00ad":
        return before.isalpha() and after.isalpha()
    if char in _JOINERS:
        return any(c.isalpha() and not _latin_letter(c) for c in (before, after))
    if char in _BIDI_MARKS:
        near = text[max(0, index - 2) : index] + text[index + 1 : index + 3]
        return any(_rtl(c) for c in near)
    return False


def _rtl(char: str) -> bool:
    return char.isalpha() and unicodedata.bidirectional(char) in ("R", "AL")


def _latin_letter(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


def _emoji_joiner(text: str, index: int) -> bool:
    if text[index] not in "\u200d\ufe0f":
        return False
    before = text[index - 1] if index else ""
    return bool(before) and unicodedata.category(before) in ("So", "Sk", "Mn")


def _mixed(word: str) -> bool:
    latin = other = False
    for char in word:
        if not char.isalpha():
            continue
        if char.isascii():
            latin = True
        elif _latin(char.casefold()) != char.casefold() and _latin(char.casefold()).isascii():
            other = True
    return latin and other
