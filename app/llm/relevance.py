"""Which entity a text is about: the identifiers and names it carries.

A question about order 5521, the Business plan or the X200 is answered by a source
about that order, plan or model, not by a similar one about order 4410, the Team plan
or the X300. :func:`mentions` finds the identifiers and names of a text, each with its
*shape* (what kind of thing it names); :class:`Focus` holds those of the question and
its subject, and tells whether another text carries one of them (``matches``) or only a
*different* one of the same shape (``conflicts``): the extractive provider favours the
first and ranks the second below everything else (app/llm/extractive.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.llm.regions import regions, with_parents

Mention = tuple[str, str]
"""(shape, value): ``("inv#", "inv2041")``, ``("num:order", "5521")``,
``("plan", "business")``, ``("trail runner #", "trail runner 2")``, ``("region", "eu")``."""

# Codes: letters, then digits ("INV-2041", "X200", "SKU-77-B"). A number and its unit
# ("15kg", "2TB") starts with a digit and is a quantity, not a name.
_CODE = re.compile(r"(?<![\w-])[^\W\d_]{1,8}-?\d[\w-]*(?<!-)")
# Bare numbers are identifiers only where something says so: "#5521", "order 5521",
# "n° 5521", "Bestellung 5521"; "5 to 7 days" and "1200 EUR" are quantities. The noun
# is part of the shape: a ticket number is no other order's number.
_ID_CLASS = {
    **dict.fromkeys(
        """order commande bestellung bestellnummer auftrag auftragsnummer pedido ordine""".split(),
        "order",
    ),
    **dict.fromkeys("invoice facture rechnung rechnungsnummer factura fattura".split(), "invoice"),
    **dict.fromkeys("ticket case dossier".split(), "ticket"),
    **dict.fromkeys(
        "account customer client compte konto kundennummer cuenta cliente".split(), "account"
    ),
    **dict.fromkeys("contract contrat vertrag contrato".split(), "contract"),
    **dict.fromkeys("booking reservation réservation buchung reserva".split(), "booking"),
    **dict.fromkeys("shipment parcel tracking colis sendung paket envío".split(), "shipment"),
    **dict.fromkeys("subscription abonnement abo suscripción".split(), "subscription"),
}
_NUMBER_WORD = r"no|nr|n°|nº|number|numéro|nummer|número|ref|reference|référence"
_NUMBER = re.compile(
    rf"(?:(?i:\b({'|'.join(_ID_CLASS)})\b\.?)\s*(?:(?i:{_NUMBER_WORD})\.?\s*)?"
    rf"|(?i:\b(?:{_NUMBER_WORD})\b\.?)\s*|(?=#))"
    r":?\s*#?\s*(\d{3,})\b"
)
# Names are told by the noun they stand beside: "the Business plan", "le forfait
# Premium", "Acme Corp account", "der Tarif Pro".
_NAME_NOUN = (
    r"plan|tier|edition|package|pack|bundle|subscription|service|membership|pass|policy|"
    r"account|customer|client|workspace|"
    r"model|series|forfait|formule|offre|abonnement|compte|modèle|tarif|paket|abo|konto|"
    r"kunde|modell|cuenta|paquete|modelo|cliente|piano|abbonamento"
)
_SHAPE = {
    **dict.fromkeys("account customer client compte konto kunde cuenta cliente".split(), "org"),
    **dict.fromkeys(
        """plan tier edition package pack bundle subscription service membership pass policy
        forfait formule offre abonnement
        tarif paket abo paquete piano abbonamento""".split(),
        "plan",
    ),
    **dict.fromkeys("model series modèle modell modelo".split(), "model"),
}
"""The shape a noun gives the name beside it, one per kind of thing in every language;
a company's legal form ("Ltd") names an organisation too."""
_LEGAL_FORM = r"Inc|Corp|Corporation|Ltd|Limited|LLC|GmbH|AG|SA|SAS|SARL|BV|NV|Srl|SpA|SL|plc"
_COMPANY = re.compile(rf"(?<=\s)(?:{_LEGAL_FORM})\.?(?!\w)")
_NAME_BEFORE = re.compile(rf"(?<=[\s-])((?i:{_NAME_NOUN}))s?\b")
_NAME_AFTER = re.compile(rf"\b((?i:{_NAME_NOUN}))s?\s+((?:[^\W\d_][\w&+.-]*\s*){{1,3}})")
# Product lines are numbered: "Trail Runner 2", "Pixel 8", "Kindle Paperwhite 5"; the
# name is the shape, the number tells the sibling models apart.
_NUMBERED = re.compile(r"(?<=\s)(\d{1,4}[a-z]?)\b(?![.,:/]\d)")
# Versions of one product: "version 3", "v2.1", "Firmware 4.0" (the same as "4").
_VERSION = re.compile(
    r"(?<![\w.-])(?:(?i:version|release|firmware|versión|versione)\s+|[vV])(\d+(?:\.\d+)*)(?![\w-]|\.\d)"
)
# The words just before a noun, a legal form or a number are read from a short window
# back to the last punctuation (a pattern that starts with them would be tried at every
# word of the text).
_PUNCTUATION = re.compile(r"[^\w\s&+.-]|\.(?=\s)")
_WINDOW = 80
_NOT_A_LINE = frozenset(
    """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday janvier février mars avril mai juin juillet août
    septembre octobre novembre décembre januar februar märz juni juli oktober dezember
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre
    diciembre eur usd gbp chf cad aud jpy sek nok dkk pln""".split()
)
"""Dates and amounts are numbered too ("March 15", "EUR 20"), but name no product."""
_NOT_A_NAME = frozenset(
    """plan plans account customer client model order invoice
    a an the this that these those each every any all which what whose your our my
    their its his her new old same other another current previous free paid monthly
    annual yearly le la les l un une du des ce cette votre notre mon ma son sa leur der
    die das den dem des ein eine einen ihr ihre unser unsere jeder jede dieser diese el
    los las su sus tu nuestro nuestra cada este esta il lo gli di del della""".split()
)


def mentions(text: str) -> set[Mention]:
    """The identifiers and names ``text`` carries, with their shapes."""
    # "INV-2041" and "inv2041", "#05521" and "5521" are written differently, not different.
    codes = (m.group().lower().replace("-", "") for m in _CODE.finditer(text))
    found = {(re.sub(r"\d+", "#", code), code) for code in codes}
    found |= {
        (f"num:{_ID_CLASS.get((m.group(1) or '#').lower(), '#')}", m.group(2).lstrip("0") or "0")
        for m in _NUMBER.finditer(text)
    }
    named = [
        (m.group(1), _capitalised(_words_before(text, m.start()), from_end=True))
        for m in _NAME_BEFORE.finditer(text)
    ] + [
        (m.group(1), _capitalised(m.group(2).split(), from_end=False))
        for m in _NAME_AFTER.finditer(text)
    ]
    named += [
        ("account", _capitalised(_words_before(text, m.start()), from_end=True))
        for m in _COMPANY.finditer(text)
    ]
    found |= {(_name_shape(noun), _without_legal_form(name)) for noun, name in named if name}
    found |= {("version", v) for v in _versions(text)}
    return found | _numbered(text) | {("region", region) for region in regions(text)}


def _versions(text: str) -> set[str]:
    return {re.sub(r"(?:\.0)+$", "", m.group(1)) for m in _VERSION.finditer(text)}


def _words_before(text: str, end: int) -> list[str]:
    window = _PUNCTUATION.split(text[max(0, end - _WINDOW) : end])[-1]
    # A dash between words separates them ("Pro - Team plan"); a hyphen joins a name
    # ("the All-Access plan").
    return re.sub(r"(?<!\w)-|-(?!\w)", " ", window).split()[-3:]


def _numbered(text: str) -> set[Mention]:
    found: set[Mention] = set()
    for m in _NUMBERED.finditer(text):
        line = _capitalised(_words_before(text, m.start()), from_end=True)
        if line and line.split()[-1] not in _NOT_A_LINE:
            found.add((f"{line} #", f"{line} {m.group(1).lower()}"))
    return found


def _name_shape(noun: str) -> str:
    return _SHAPE.get(noun.lower(), noun.lower())


def _without_legal_form(name: str) -> str:
    """ "acme" for "acme corp": a company is named with or without its legal form."""
    words = name.split()
    legal = {form.lower() for form in _LEGAL_FORM.split("|")}
    return " ".join(words[:-1]) if len(words) > 1 and words[-1] in legal else name


def _capitalised(words: list[str], *, from_end: bool) -> str:
    """The run of capitalised words next to the noun ("Acme Corp" of "with Acme Corp
    account"), without articles and the like; empty when there is none."""
    kept: list[str] = []
    for word in reversed(words) if from_end else words:
        word = word.strip(".")
        if not word or not word[0].isupper() or word.lower() in _NOT_A_NAME:
            break
        kept.append(word.lower())
    return " ".join(reversed(kept) if from_end else kept)


def carries(text: str, mention: Mention) -> bool:
    """Whether ``text`` names the mention's value: a code or number in any case, a name
    capitalised ("the Business plan", not "five business days")."""
    shape, value = mention
    if shape == "region":  # "the EU" and "the European Union" are one region
        return value in regions(text)
    if shape == "version":  # "v2" and "version 2.0" are one version
        return value in _versions(text)
    if shape.startswith("num:"):
        written = "0*" + re.escape(value)
    elif "#" in shape and " " not in shape:  # a code: with or without its hyphens
        written = "-?".join(map(re.escape, value))
    else:
        written = re.escape(value)
    found = re.finditer(rf"(?<![\w-]){written}(?![\w-])", text, re.IGNORECASE)
    is_name = not shape.startswith("num:") and not ("#" in shape and " " not in shape)
    return any(not is_name or m.group()[0].isupper() or m.group()[0].isdigit() for m in found)


@dataclass(frozen=True)
class Focus:
    """The identifiers and names a question (and its subject) asks about, and the names
    of the same shapes the sources use (so a title "Pricing: Team" names the Team plan
    once some source called it a plan)."""

    asked: frozenset[Mention]
    known: frozenset[Mention] = frozenset()

    @classmethod
    def of(cls, *texts: str, sources: Sequence[str] = (), leading: bool = False) -> Focus:
        named = {m for text in sources for m in mentions(text)}
        # "Does Business include SSO?" asks about the Business plan if a source says so.
        asked = {m for text in texts for m in mentions(text)}
        asked |= {m for m in named if any(carries(text, m) for text in texts)}
        if leading and texts:
            # The question names which one it asks about where its subject names several
            # ("I have two bookings, APT-49440 and APT-49404" / "... for APT-49440?").
            first = {m for m in asked if carries(texts[0], m)} | mentions(texts[0])
            chosen = {shape for shape, _ in first}
            asked = first | {m for m in asked if m[0] not in chosen}
        # A customer in Germany is asked about by an article about the EU or Europe.
        asked |= {
            ("region", r)
            for shape, value in asked
            if shape == "region"
            for r in with_parents(value)
        }
        shapes = {shape for shape, _ in asked}
        return cls(frozenset(asked), frozenset(m for m in named - asked if m[0] in shapes))

    def matches(self, text: str) -> bool:
        """``text`` carries one of the asked identifiers or names."""
        return any(carries(text, mention) for mention in self.asked)

    def conflicts(self, text: str) -> bool:
        """``text`` names another entity of an asked shape (order 4410 for order 5521)
        and none of the asked ones of that shape: it is about something else. Shape by
        shape for names of kinds of things (an article on the asked Team plan for
        Australia is not about a customer in Canada), unless it names an asked
        identifier (a message on the asked order may name any country)."""
        if not self.asked or self._names_an_asked_identifier(text):
            return False
        named = {shape for shape, _ in mentions(text)}
        return any(
            shape in named and not self._carries_asked(text, shape) for shape in self._shapes
        )

    def names_another(self, title: str) -> bool:
        """A title (few words, often without "plan" or "order") that names another entity
        the sources know, or :meth:`conflicts`."""
        if self._names_an_asked_identifier(title):
            return False
        return self.conflicts(title) or any(
            carries(title, m) and not self._carries_asked(title, m[0]) for m in self.known
        )

    @property
    def _shapes(self) -> set[str]:
        return {shape for shape, _ in self.asked}

    def _carries_asked(self, text: str, shape: str) -> bool:
        return any(carries(text, m) for m in self.asked if m[0] == shape)

    def _names_an_asked_identifier(self, text: str) -> bool:
        return any(carries(text, m) for m in self.asked if _identifier(m[0]))

    def about_another(self, text: str, title: str | None = None) -> bool:
        """A source about another entity: its title names one and not the asked one, or
        (untitled, or a title naming neither) its text does."""
        if title and (self.names_another(title) or self.matches(title)):
            return self.names_another(title)
        return self.conflicts(text)


def _identifier(shape: str) -> bool:
    """A number or code names one case (an order, an invoice); a name names a kind of
    thing many sources are about (a plan, a region, a model)."""
    return shape.startswith("num:") or ("#" in shape and " " not in shape)


# A subject is named in parentheses ("the notice period (Flat 4B, 12 Quay Street)"), after
# "for" and before a colon ("Fee for Zone C: €40"), or after a title's colon ("FAQ: Zone C").
_IN_PARENTHESES = re.compile(r"\(([^()]{1,80})\)")
_FOR_LABEL = re.compile(r"\b(?:for|für|pour|para)\s+([^:()\n]{2,60}?)\s*:(?!\d)", re.IGNORECASE)
_TOKEN = re.compile(r"\w+")


def subjects(text: str) -> set[str]:
    """The subjects ``text`` names in parentheses, one per comma-separated part."""
    return {p for m in _IN_PARENTHESES.finditer(text) for p in _parts(m.group(1))}


_PROPER_NAME = re.compile(r"(?<=\s)[A-Z][\w&+-]*(?:[ \t]+[A-Z][\w&+-]*)+")


def proper_names(text: str) -> set[str]:
    """The names ``text`` gives in two or more capitalised words past its first word
    ("What is the excess for HomeShield Complete?" -> "HomeShield Complete")."""
    return {m.group() for m in _PROPER_NAME.finditer(text)}


def labelled_subjects(text: str, title: str | None = None) -> set[str]:
    """The subjects a sentence names (in parentheses, or "for <subject>:"), and the one its
    title names after its colon ("FAQ: Zone C")."""
    found = subjects(text) | {p for m in _FOR_LABEL.finditer(text) for p in _parts(m.group(1))}
    if title and ":" in title:
        found |= _parts(title.rsplit(":", 1)[1])
    return found


def _parts(text: str) -> set[str]:
    return {part.strip() for part in text.split(",") if part.strip()}


def sibling(subject: str, asked: set[str]) -> bool:
    """``subject`` is a sibling of an asked one: it shares a word with one (a word, not a
    number: "Zone C" and "Zone A", "Pulse Riverside" and "Pulse City Centre", "long-haul"
    and "short-haul flights") and has a word none of them has. A subject sharing no word
    is about something else altogether (an amount in parentheses), not a sibling."""
    words = {w.lower() for w in _TOKEN.findall(subject)}
    known = {w.lower() for phrase in asked for w in _TOKEN.findall(phrase)}
    shared = {w for w in words & known if not w.isdigit()}
    return bool(shared) and bool(words - known)


def another_name(subject: str, asked: set[str], question: str) -> bool:
    """``subject`` is a name ("Electric Van E2": two or more capitalised words, or a
    code, one of them a word written as a name) that shares no word with what the
    question and its subject say, while the question names its own subject (``asked``):
    it names another product or site."""
    words = _TOKEN.findall(subject)
    if not asked or not words or not all(w[0].isupper() or w[0].isdigit() for w in words):
        return False
    if len(words) < 2 and not any(c.isdigit() for c in subject):
        return False
    if not any(len(w) > 2 and w[0].isupper() and w[1:].islower() for w in words):
        return False  # "MM/DD/YYYY", "USD": a format or a unit, no name
    said = {w.lower() for w in _TOKEN.findall(question)} | {
        w.lower() for phrase in asked for w in _TOKEN.findall(phrase)
    }
    return not {w.lower() for w in words} & said
