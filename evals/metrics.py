"""What an eval measures, case by case, and how a rate is reported.

Every rate is reported with its count, its n and a 95 % Wilson score interval, so a
small dataset does not claim more than it shows (20 clean cases bound a rate below
about 16 %, not at 0 %).

Groundedness offline is a lexical proxy, documented here because its limits matter
(evals/README.md states the same rules):

* What is grounded: the kinds of evals/grounding.py, each with the input fields its
  output may state facts from; a refusal or an escalation states none.
* What it is compared with: the input's plain text (every string and number of it, a
  mapping's keys beside their values, one a line; never escaped JSON).
* What a claim is: a sentence (split after ``.``, ``!`` or ``?`` and a space) or line of
  any text of the output, at any depth (a summary, a bullet, a key fact, a commitment),
  citation marks removed, with ``MIN_CLAIM_WORDS`` or more content words; and every
  extracted ``value`` that states a number (an amount, a date, an id), whatever its
  length. Labels, ids and quotes are not claims (:data:`_NOT_CLAIMS`; quotes are checked
  as citations), nor is the offline account summary's count of what it read
  (:data:`_TEMPLATE_REPORT`). Content words are words of three or more letters that are neither
  stop words nor the wording every letter shares (greetings, closings, thanks, "as
  agreed", "next steps", "include"): so a template's boilerplate, which states no fact,
  is no claim.
* When it is supported: at least ``SUPPORT_SHARE`` of its content words occur in the
  input (a word also matches with or without a final ``s``), and every number it
  states occurs there too.

An output with an unsupported claim, or with text a case says must not appear, counts
as a hallucination. The proxy catches invented facts, numbers and dates; it cannot
catch a claim that recombines the input's own words into something it does not say,
and it cannot confirm what is derived rather than copied (a count, a sentiment). With
a provider configured the runner asks a model to judge each claim instead
(:func:`judge_prompt`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SUPPORT_SHARE = 0.7
"""The share of a claim's content words that must occur in its sources."""
MIN_CLAIM_WORDS = 3
"""Shorter lines (greetings, closings, headings) are not claims."""

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CITATION_MARK = re.compile(r"\[[A-Za-z0-9_.:-]{1,64}\]")
_STOPWORDS = frozenset(
    "the and for are but not you your our with this that from have has had was were will "
    "would can could should shall may might must been being into onto than then them they "
    "their there here what when where which who whom why how all any each few more most "
    "other some such only own same too very just also about above after again against "
    "before below between both during further once over under until while these those "
    "does did doing its it's i'm we're let's his her hers him she himself herself "
    "ours yours theirs".split()
)
# The wording every letter and template shares, which states no fact: greetings,
# closings, thanks and the phrases that lead into a list ("As agreed, these are the
# next steps:", "Earlier roles include ...").
_BOILERPLATE = frozenset(
    "hello dear thank thanks regards best kind kindly sincerely cheers hope well "
    "agreed next steps step following below conversation include includes including "
    "earlier notable please find follow".split()
)
# The offline template's report of what a job read (account_summary: "Acme: 2 e-mails
# and 1 CRM note read; 1 open issue found; the sentiment reads neutral."): counts of the
# job's own material and a label the case checks apart (``expect_sentiment``), no fact
# about the account, and nothing a lexical proxy can confirm.
_TEMPLATE_REPORT = re.compile(
    r"^.{1,200}: \d+ e-mails? and \d+ CRM notes?(?: and \d+ document passages?)? read; "
    r"\d+ open issues? found; the sentiment reads \w+\.$"
)
# Output fields that are labels, ids, quotes (checked as citations) or the model's own
# words about itself, not claims.
_NOT_CLAIMS = frozenset(
    {
        "outcome",
        "refusal_reason",
        "citations",
        "quote",
        "source",
        "sources",
        "sentiment_sources",
        "field",
        "locale",
        "sentiment",
        "owner",
        "document_type",
        "decided_by",
        "labels",
        "severity",
        "start",
        "end",
        "confidence",
    }
)


def wilson(count: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of ``count`` successes in ``n`` trials."""
    if n == 0:
        return (0.0, 1.0)
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    """``count`` of ``n`` cases, with its 95 % interval."""

    count: int
    n: int

    @property
    def rate(self) -> float | None:
        return self.count / self.n if self.n else None

    def as_json(self) -> dict[str, Any]:
        low, high = wilson(self.count, self.n)
        return {
            "rate": None if self.rate is None else round(self.rate, 4),
            "count": self.count,
            "n": self.n,
            "interval_95": [round(low, 4), round(high, 4)],
        }


def content_words(text: str) -> list[str]:
    return [
        w
        for w in (m.group(0).lower() for m in _WORD.finditer(text))
        if len(w) >= 3 and w not in _STOPWORDS and w not in _BOILERPLATE and not w.isdigit()
    ]


def output_text(output: Mapping[str, Any] | None) -> str:
    """All the text of an output (every string in it), for markers and leaks."""
    return "" if output is None else json.dumps(output, ensure_ascii=False)


def claims(output: Mapping[str, Any]) -> list[str]:
    """The claims of an output: the lines and sentences of its texts, at any depth, and
    every extracted ``value`` that states a number, whatever its length (an amount, a
    date, an id; a short value without one, such as a currency code read from its sign,
    is no claim a lexical proxy can check)."""
    found = []
    for name, value in _texts(output):
        if name == "value" and len(content_words(value)) < MIN_CLAIM_WORDS:
            if _NUMBER.search(value):
                found.append(value)
            continue
        if _TEMPLATE_REPORT.match(value):
            continue
        for line in value.splitlines():
            line = _CITATION_MARK.sub("", line).strip().lstrip("-*• ").strip()
            for sentence in re.split(r"(?<=[.!?])\s+", line):
                if len(content_words(sentence)) >= MIN_CLAIM_WORDS:
                    found.append(sentence)
    return found


def _texts(value: Any, name: str = "") -> list[tuple[str, str]]:
    """Every string of an output that may state a fact, with the name of the field it
    is in (not those under :data:`_NOT_CLAIMS`)."""
    if isinstance(value, str):
        return [(name, value)]
    if isinstance(value, Mapping):
        return [t for k, v in value.items() if k not in _NOT_CLAIMS for t in _texts(v, k)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item, name)]
    return []


def unsupported_claims(output: Mapping[str, Any], grounds: str) -> list[str]:
    """The claims of ``output`` that ``grounds`` (the input's plain text) does not support."""
    words = set(content_words(grounds))
    words |= {w[:-1] for w in words if w.endswith("s")} | {w + "s" for w in words}
    numbers = set(_NUMBER.findall(grounds))
    unsupported = []
    for claim in claims(output):
        wanted = content_words(claim)
        share = sum(w in words for w in wanted) / len(wanted) if wanted else 1.0
        if share < SUPPORT_SHARE or any(n not in numbers for n in _NUMBER.findall(claim)):
            unsupported.append(claim)
    return unsupported


def citations_valid(output: Mapping[str, Any], sources: Mapping[str, str]) -> bool:
    """Every citation names a given source and quotes it word for word (if it quotes)."""
    for citation in output.get("citations") or []:
        source = sources.get(str(citation.get("source")))
        if source is None:
            return False
        quote = citation.get("quote")
        if quote and _squeeze(quote) not in _squeeze(source):
            return False
    return True


def contains(text: str, needle: str) -> bool:
    return needle.casefold() in text.casefold()


def leaked(values: Iterable[str], stored: Iterable[str]) -> list[str]:
    """The planted values found in any stored text (compared without spaces and case,
    so a card number regrouped still counts)."""
    haystack = [_squeeze(t).replace(" ", "").casefold() for t in stored]
    return [
        v for v in values if any(_squeeze(v).replace(" ", "").casefold() in h for h in haystack)
    ]


def judge_prompt(claim_list: list[str], sources: Mapping[str, str]) -> str:
    """The instruction an LLM judge of groundedness gets: which claims the sources do
    not support, answered as JSON ``{"unsupported": [indexes]}``."""
    numbered = "\n".join(f"{i}. {c}" for i, c in enumerate(claim_list))
    given = "\n\n".join(f"[{k}]\n{v}" for k, v in sources.items())
    return (
        "You check claims against sources. A claim is supported only if the sources state "
        'it. Answer with JSON {"unsupported": [the numbers of unsupported claims]}.\n\n'
        f"Sources:\n{given}\n\nClaims:\n{numbered}"
    )


def _squeeze(text: str) -> str:
    return " ".join(text.split())
