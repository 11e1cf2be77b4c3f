"""Whose account a note or e-mail is about: this one, or another, similarly named customer.

A CRM export mixes in notes about other customers ("Met Globex about their renewal",
"Acme Logistics asked for 30 seats" under Acme Tools): their figures are not this
account's. A sentence naming another company, and not this account, is left out of the
offline summary (tasks/kinds/account_summary/handler.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from tasks.kinds.account_summary.models import AccountSummaryInput

_LEGAL = frozenset(
    "inc corp corporation co ltd limited llc gmbh ag sa sas sarl bv nv srl spa sl plc".split()
)
_COMPANY_WORD = (
    r"Industries|Group|Holdings?|Labs?|Systems|Solutions|Technolog(?:y|ies)|Logistics|"
    r"Partners|International|Global|Foods|Motors|Health|Health(?:care)?|Software|Services|"
    r"Consulting|Capital|Retail|Energy|Media|Networks|Pharma|Bank|Insurance|Enterprises|"
    r"Tools|Traders|Trading|Inc|Corp|Corporation|Ltd|Limited|LLC|GmbH|AG|SA|SAS|BV|NV|plc"
)
_NAME = r"[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,2}"
# "Met Globex", "Call with Initech's CFO": whom a meeting note is about.
_MET = re.compile(
    r"(?:^|(?<=[.;:!?]\s))(?:Met(?: with)?|Call(?:ed)?(?: with)?|Meeting with|Spoke (?:with|to)|"
    r"Lunch with|Demo (?:for|with)|QBR with|Sync with|Check-in with|Visited|Visit (?:to|at)|"
    r"Renewal call with|Emailed|E-mailed)\s+(" + _NAME + r")",
    re.MULTILINE,
)
# "Met Peter from Initech": the company is the second name.
_FROM = re.compile(r"^" + _NAME + r"\s+(?:from|at|of)\s+(" + _NAME + r")")
# "Acme Logistics", "Globex Ltd": a name with a company word.
_FIRM = re.compile(r"\b(" + _NAME + r")\s+(?:" + _COMPANY_WORD + r")\b\.?")
_ACCOUNT = re.compile(r"\b(" + _NAME + r")(?:'s)?\s+(?:account|team|folks)\b")
_RUN = re.compile(r"[A-Z][\w&'-]*(?:[ \t]+[A-Z][\w&'-]*)+")
"""A run of capitalised words: a name, perhaps with a word before it that opens a sentence."""
_NAMED = re.compile(r"[A-Z][\w&'-]*(?:[ \t]+[A-Z][\w&'-]*)*")
LOOKALIKE = 0.75
"""How alike (difflib's ratio) a word must be to a word of the account's name to be a
similarly spelt other name ("Glenmoor" for "Glenmore"), when it is not the same word."""
# A note that says it is about another customer: "wrongly filed here", "misfiled",
# "belongs to another account", "filed under the wrong customer".
_FILED_ELSEWHERE = re.compile(
    r"\b(?:wrongly|mistakenly|incorrectly|accidentally|erroneously)\s+(?:filed|logged|added|"
    r"saved|entered|attached|posted)\b|\bmis-?filed\b|\bfiled (?:here )?(?:by mistake|in error)\b|"
    r"\b(?:filed|logged) (?:under|against|on) the wrong (?:account|customer|company|record)\b|"
    r"\bbelongs to (?:another|a different|the other) (?:account|customer|company|client)\b|"
    r"\b(?:is )?not (?:about )?this (?:account|customer|client)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Identity:
    """The account's name words and the people the input names (a meeting with a
    person is no meeting with another company)."""

    words: frozenset[str]
    distinctive: frozenset[str]
    spelt: frozenset[str]
    """How the account's own mail domain may spell it: "acmetools", "acme"."""
    people: frozenset[str]

    @classmethod
    def of(cls, job: AccountSummaryInput) -> Identity:
        ordered = [w.lower() for w in re.findall(r"[\w&'-]+", job.account)]
        words = set(ordered) - _LEGAL
        # "Tools" of "Acme Tools" names no account; "Acme" does.
        distinctive = {w for w in words if not re.fullmatch(_COMPANY_WORD, w, re.IGNORECASE)}
        people = {n.author for n in job.crm_notes if n.author} | {
            e.sender.split("@")[0] for e in job.emails if e.sender
        }
        names = {w.lower() for p in people for w in re.split(r"[\s._-]+", p) if w}
        spelt = {"".join(ordered), "".join(w for w in ordered if w in words), *distinctive}
        return cls(
            frozenset(words),
            frozenset(distinctive or words),
            frozenset(s.replace("-", "") for s in spelt),
            frozenset(names),
        )

    def other_sender(self, sender: str | None) -> bool:
        """An e-mail address at another company with a similar name: its domain spells
        a distinctive word of the account's name but is not the account's name
        ("bob@acmelogistics.example" for Acme Tools; "@acme.example" is the account's)."""
        if not sender or "@" not in sender:
            return False
        for label in sender.rsplit("@", 1)[1].lower().split(".")[:-1]:
            plain = label.replace("-", "")
            if plain in self.spelt:
                return False
            if any(len(w) > 3 and w in plain for w in self.distinctive):
                return True
        return False

    def ours(self, name: str) -> bool:
        """A name of this account: its words are the account's ("Acme" of "Acme Tools")."""
        words = {w.lower().removesuffix("'s") for w in name.split()} - _LEGAL
        return bool(words) and words <= self.words

    def others(self, text: str) -> set[str]:
        """The other companies ``text`` names: met with, with a company word, or with
        "account", and not this one or a person the input names."""
        found = {_met(text, m) for m in _MET.finditer(text)}
        found |= {m.group(0).rstrip(".") for m in _FIRM.finditer(text)}
        found |= {m.group(1) for m in _ACCOUNT.finditer(text)}
        names = {_without_article(name) for name in found}
        names |= self._lookalikes(text) | self._longer_names(text)
        return {n for n in names if n and not self.ours(n) and not self._person(n)}

    def _lookalikes(self, text: str) -> set[str]:
        """Names with a word spelt like a word of the account's name but not it, nor its
        plural ("Glenmoor Bakery" beside Glenmore Bakeries; not "Bakery" alone): a
        similarly named customer, whose figures are not this account's."""
        found = set()
        for m in _NAMED.finditer(text):
            words = m.group().split()
            for i, word in enumerate(w.lower() for w in words):
                if self._lookalike(word):
                    found.add(" ".join(words[i:]))
                    break
        return found

    def _lookalike(self, word: str) -> bool:
        return (
            len(word) >= 5
            and word not in self.people
            and not any(_same_word(word, w) for w in self.words)
            and any(SequenceMatcher(None, word, w).ratio() >= LOOKALIKE for w in self.distinctive)
        )

    def _longer_names(self, text: str) -> set[str]:
        """Names that hold the account's whole name and more ("Hollins Community
        College" and "Vantor Retail Parks" beside Hollins College and Vantor Retail):
        another customer named like this one. Words before the account's first word
        ("Met", "Dear") and words that name no company ("team") do not count."""
        found = set()
        for m in _RUN.finditer(text):
            words = [w.lower().removesuffix("'s") for w in m.group().split()]
            first = next((i for i, w in enumerate(words) if w in self.words), None)
            if first is None:
                continue
            tail = words[first:]
            if not self.words <= set(tail):
                continue
            extra = [w for w in tail if w not in self.words and w not in _LEGAL]
            if any(w not in _NO_COMPANY and w not in _NOT_A_NAME for w in extra):
                found.add(" ".join(m.group().split()[first:]))
        return found

    def filed_elsewhere(self, text: str) -> bool:
        """The note says it is about another customer ("wrongly filed here")."""
        return _FILED_ELSEWHERE.search(text) is not None

    def named(self, text: str) -> bool:
        """``text`` names this account (any of its words, capitalised)."""
        return any(
            m.group()[0].isupper()
            for w in self.distinctive
            for m in re.finditer(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.IGNORECASE)
        )

    def _person(self, name: str) -> bool:
        return name.split()[0].lower() in self.people

    def about_another(self, text: str) -> bool:
        """``text`` names another company and not this account ("Acme" inside "Acme
        Logistics" names the other one)."""
        others = self.others(text)
        for name in sorted(others, key=len, reverse=True):
            text = text.replace(name, " ")
        return bool(others) and not self.named(text)


def _same_word(word: str, other: str) -> bool:
    """One word in the singular or the plural ("bakery", "bakeries")."""
    return _singular(word) == _singular(other)


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches")):
        return word.removesuffix("es")
    return word.removesuffix("s")


_NOT_A_NAME = frozenset(
    """team teams staff office offices site sites hq headquarters board monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july
    august september october november december""".split()
)
"""Words after an account's name that make it no other name ("Acme Tools team")."""

_ARTICLE = frozenset("the a an our their this that with and".split())
_NO_COMPANY = frozenset(
    """hi hello dear hey thanks thank regards best our your the this that their my we you
    they support sales customer success product engineering finance legal it ops devops
    marketing billing account accounts procurement security onboarding implementation
    management leadership executive exec data platform admin whole entire same other
    new old global international""".split()
)
"""Words that, alone, name a greeting or a department ("Hi team", "Sales team"), not a
company."""


def _without_article(name: str) -> str:
    words = name.split()
    while words and words[0].lower() in _ARTICLE:
        words = words[1:]
    if all(w.lower().removesuffix("'s") in _NO_COMPANY for w in words):
        return ""
    return " ".join(words)


def _met(text: str, met: re.Match[str]) -> str:
    """Whom a meeting was with: the company after "from" or "at" when a person is named."""
    later = _FROM.match(text[met.start(1) :])
    return later.group(1) if later else met.group(1)
