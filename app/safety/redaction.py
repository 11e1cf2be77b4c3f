"""PII and secrets redacted out of everything Courier stores beside a job's own input
and result: logs, job events and notes, error messages, dead letters, webhook
delivery records, model-call records (the prompt hash is taken over the redacted
prompt), review reasons and safety flags.

Threat model: a job's input is the user's data and follows the retention policy;
every other table, and every log line, outlives it and is read by more people
(operators, auditors, log pipelines). So whatever a job's text may have leaked into
them is replaced by a typed placeholder (``[email]``, ``[card]`` ...) before it is
written. Nothing is stored to undo it: a redaction is final.

What is found, and how (regular expressions and checksums; no model, so it works
offline and costs microseconds; presidio needs a spaCy model that cannot be
downloaded offline, datafog has no IBAN):

* secrets: provider API keys (``sk-...``), AWS access keys, GitHub, Slack and Stripe
  tokens, JSON Web Tokens, ``Bearer`` tokens, PEM private keys, and the value of any
  ``password=``/``api_key:``/``token=``-style assignment;
* e-mail addresses;
* IBANs (the ISO 13616 mod-97 checksum must hold: a random code is left alone);
* card numbers of 13 to 19 digits, spaced or dashed, whose Luhn checksum holds;
* US social security numbers (``123-45-6789``, with the SSA's impossible ranges left
  alone);
* IPv4 and IPv6 addresses;
* phone numbers: 9 to 15 digits, international (``+33 6 12 34 56 78``) or with the
  usual separators; a date, a time or a card-like run is not a phone.

Names and postal addresses are not found (that needs a language model): they stay
out of storage by the rule every call site keeps anyway, never to log or store input
text; this module is the net under that rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

PLACEHOLDER = "[{kind}]"


@dataclass(frozen=True)
class Finding:
    """One piece of PII or a secret in a text: what it is and where."""

    kind: str
    start: int
    end: int


_SECRETS = re.compile(
    r"""
      -----BEGIN[ A-Z]*PRIVATE\ KEY-----[\s\S]*?-----END[ A-Z]*PRIVATE\ KEY-----
    | \bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}
    | \b(?:AKIA|ASIA)[0-9A-Z]{16}\b
    | \bgh[pousr]_[A-Za-z0-9]{30,}
    | \bgithub_pat_[A-Za-z0-9_]{30,}
    | \bxox[abprs]-[A-Za-z0-9-]{10,}
    | \b(?:rk|pk|sk|whsec)_(?:live|test)?_?[A-Za-z0-9]{16,}
    | \bAIza[0-9A-Za-z_-]{35}
    | \beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}
    | (?i:\bbearer)\s+[A-Za-z0-9._~+/=-]{16,}
    """,
    re.VERBOSE,
)
# ``password = hunter2``, ``"api_key": "abc..."``: the value after a secret's name.
_ASSIGNED_SECRET = re.compile(
    r"""(?ix)
    \b(?:password|passwd|pwd|passcode|secret|client_secret|api[_-]?key|access[_-]?key
       |auth[_-]?token|access[_-]?token|refresh[_-]?token|token)
    ["']?\s*[:=]\s*["']?
    (?P<value>[^\s"',;]{6,})
    """
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}\b"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])"
)
_IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}(?![\w:])"
    r"|(?<![\w:])::(?:ffff:)?(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}(?![\w:])"
)
_PHONE = re.compile(r"(?<![\w+/.-])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-/]?\(?\d{1,5}\)?){2,7}(?![\w/-])")
_DATE_OR_TIME = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}:\d{2}"
)


def findings(text: str) -> list[Finding]:
    """Every piece of PII or secret in ``text``, first to last, none overlapping (where
    two overlap, the one found first in the order of the module docstring wins)."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for kind, spans in _DETECTORS:
        for start, end in spans(text):
            if not any(start < other_end and other_start < end for other_start, other_end in taken):
                found.append(Finding(kind, start, end))
                taken.append((start, end))
    return sorted(found, key=lambda finding: finding.start)


def redact(text: str) -> str:
    """``text`` with each finding replaced by its placeholder (``[email]``...)."""
    found = findings(text)
    if not found:
        return text
    parts: list[str] = []
    position = 0
    for finding in found:
        parts += [text[position : finding.start], PLACEHOLDER.format(kind=finding.kind)]
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def redact_value(value: Any) -> Any:
    """``value`` (JSON-like: strings, numbers, lists, mappings) with every string in it,
    keys included, redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(key)): redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def carries_pii(value: Any) -> bool:
    """Whether any string in ``value`` (JSON-like) holds PII or a secret."""
    return any(findings(text) for text in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


# --- The detectors, in the order they claim text --------------------------------


def _matches(
    pattern: re.Pattern[str], group: int | str = 0
) -> Callable[[str], Iterator[tuple[int, int]]]:
    def spans(text: str) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            yield match.span(group)

    return spans


def _checked(
    pattern: re.Pattern[str], valid: Callable[[str], bool]
) -> Callable[[str], Iterator[tuple[int, int]]]:
    def spans(text: str) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            if valid(match.group()):
                yield match.span()

    return spans


def luhn_valid(number: str) -> bool:
    """The Luhn checksum of the digits of ``number`` (card numbers carry one)."""
    digits = [int(c) for c in number if c.isdigit()]
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """The ISO 13616 checksum: the IBAN, its first four characters moved to the end and
    letters as numbers (A=10 ... Z=35), is 1 modulo 97."""
    iban = candidate.replace(" ", "")
    if not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _phone_like(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if not 9 <= digits <= 15 or _DATE_OR_TIME.search(candidate):
        return False
    # A bare run of digits is a phone number only when it is written like one: with a
    # leading + or 00, or a national number's leading 0 (0612345678). Other bare runs
    # (epoch seconds, order numbers) are left alone.
    bare = candidate.strip()
    separated = any(c in " .-/()" for c in bare)
    return separated or bare.startswith(("+", "0"))


_DETECTORS: list[tuple[str, Callable[[str], Iterator[tuple[int, int]]]]] = [
    ("secret", _matches(_SECRETS)),
    ("secret", _matches(_ASSIGNED_SECRET, "value")),
    ("email", _matches(_EMAIL)),
    ("iban", _checked(_IBAN, iban_valid)),
    ("card", _checked(_CARD, luhn_valid)),
    ("ssn", _matches(_SSN)),
    ("ip", _matches(_IPV4)),
    ("ip", _matches(_IPV6)),
    ("phone", _checked(_PHONE, _phone_like)),
]
