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
downloaded offline, datafog has no IBAN). The checksums of IBANs and national ids are
python-stdnum's (offline, no dependencies), which also knows each country's IBAN
length and layout:

* secrets: provider API keys (``sk-...``), AWS access key ids (``AKIA...``) and bare
  secret access keys (40 characters of base64 with both cases, a digit and no run of
  words: a commit id or a camelCase name is left alone), GitHub, GitLab, Slack (tokens
  and webhook URLs), Stripe, npm and Hugging Face tokens, JSON Web Tokens,
  ``Bearer``/``Basic`` credentials, PEM private keys (a block cut short too), and the
  value of any ``password=``/``api_key:``/``aws_secret_access_key =``-style assignment;
* e-mail addresses;
* IBANs in either case, spaced or not (the ISO 13616 mod-97 checksum and the
  country's layout must hold: a random code is left alone);
* national ids named by a label (``SSN 123456789``, ``social security number: 123 45
  6789``, ``Steuer-ID 12345678901``, ``BSN``, ``NIR``/``INSEE``, ``DNI``/``NIF``,
  ``codice fiscale``, ``National Insurance number``): the label says what the number
  is, so no checksum is asked (``[ssn]`` for a US one, ``[national_id]`` otherwise);
* card numbers of 13 to 19 digits, spaced or dashed, whose Luhn checksum holds;
* unlabelled national ids whose shape and checksum say what they are: US social
  security numbers written ``123-45-6789`` (the SSA's impossible ranges left alone), UK
  National Insurance numbers (``QQ 12 34 56 C``: two letters, six digits, A to D; no
  checksum exists), German tax ids (an 11-digit run whose checksum holds, about 1 in
  300 random runs, or the printed grouping ``12 345 678 901``), French NIRs, Spanish
  DNIs and NIEs (check letter) and Italian codici fiscali (check letter). A bare
  9-digit number is not taken for an SSN or a Dutch BSN without its label: one in 11
  order numbers passes the BSN's 11-proof, and an SSN has no checksum at all;
* IPv4 and IPv6 addresses;
* phone numbers: 9 to 15 digits, international (``+33 6 12 34 56 78``) or with the
  usual separators; a date, a time, a decimal number (``20261120.1``) or a card-like
  run is not a phone.

Names and postal addresses are not found (that needs a language model): they stay
out of storage by the rule every call site keeps anyway, never to log or store input
text; this module is the net under that rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from stdnum import iban as stdnum_iban
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale

PLACEHOLDER = "[{kind}]"


@dataclass(frozen=True)
class Finding:
    """One piece of PII or a secret in a text: what it is and where."""

    kind: str
    start: int
    end: int


# A secret holds one of these: text without any (nearly all text) skips _SECRETS, whose
# alternatives each begin with \b and so cannot use the regex engine's literal search
# (an eighth of the time, measured on a prompt).
_SECRET_HINT = re.compile(
    r"-----BEGIN|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abeprs]-|xapp-"
    r"|hooks\.slack\.com|rk_|pk_|sk_|whsec_|npm_|hf_|AIza|eyJ|(?i:bearer|basic)"
)
_SECRETS = re.compile(
    r"""
      -----BEGIN[ A-Z]*PRIVATE\ KEY-----[\s\S]*?-----END[ A-Z]*PRIVATE\ KEY-----
    | -----BEGIN[ A-Z]*PRIVATE\ KEY-----(?:[A-Za-z0-9+/=\s]|\\[nr])*
    | \bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}
    | \b(?:AKIA|ASIA)[0-9A-Z]{16}\b
    | \bgh[pousr]_[A-Za-z0-9]{30,}
    | \bgithub_pat_[A-Za-z0-9_]{30,}
    | \bglpat-[A-Za-z0-9_-]{20,}
    | \bxox[abeprs]-[A-Za-z0-9-]{10,}
    | \bxapp-[A-Za-z0-9-]{10,}
    | https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+
    | \b(?:rk|pk|sk|whsec)_(?:live|test)?_?[A-Za-z0-9]{16,}
    | \bnpm_[A-Za-z0-9]{36}\b
    | \bhf_[A-Za-z0-9]{30,}
    | \bAIza[0-9A-Za-z_-]{35}
    | \beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}
    | (?i:\b(?:bearer|basic))\s+[A-Za-z0-9._~+/=-]{16,}
    """,
    re.VERBOSE,
)
# An AWS secret access key has no prefix: 40 characters of base64 standing alone. A git
# commit id (40 hex digits in one case) lacks a kind of character that random base64
# has all but always; a camelCase name or a URL path has words (_base64_key_like).
_BARE_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=.])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_SMALL_WORD = re.compile(r"[a-z]{5,}")
# ``password = hunter2``, ``"api_key": "abc..."``, ``aws_secret_access_key=...``: the
# value after a secret's name (the name may end a longer one, hence no ``\b``).
_ASSIGNED_SECRET = re.compile(
    r"""(?ix)
    (?<![a-z0-9])
    (?:password|passwd|pwd|passcode|secret|client_secret|api[_-]?key|access[_-]?key
       |auth[_-]?token|access[_-]?token|refresh[_-]?token|token)
    ["']?\s*[:=]\s*["']?
    (?P<value>[^\s"',;]{6,})
    """
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}\b"
)
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,4})?\b")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")
# A national id after the label that names it. The value is runs of digits (letters
# allowed beside them: a NINO's, a DNI's, a codice fiscale's) joined by one separator;
# a final lone capital is a check letter (``AB 12 34 56 C``, ``12345678-Z``).
_ID_LABEL_SSN = r"ssn|ss\#|social\ security(?:\ (?:number|no))?"
_ID_LABEL_OTHER = r"""
      steuer[- ]?id(?:entifikationsnummer)?|steuerliche\ identifikationsnummer
    | identifikationsnummer|idnr|tax\ id(?:entification)?(?:\ number)?
    | bsn|burgerservicenummer|sofinummer
    | nir|insee|num[ée]ro\ de\ s[ée]curit[ée]\ sociale
    | nino|national\ insurance(?:\ number|\ no)?|ni\ number
    | dni|nif|codice\ fiscale
"""
_ID_VALUE = r"""
    (?P<value>
        (?:[A-Za-z]{1,6}[ ]?)?\d[A-Za-z0-9]*(?:[ .\-/][A-Za-z]{0,2}\d[A-Za-z0-9]*){0,6}
        (?:[ -]?[A-Z](?![\w-]))?
    )
"""
_AFTER_LABEL = r"[^\w\n]{0,3}(?i:(?:number|no|nr|num|is)\b\.?[^\w\n]{0,3})?"
_LABELLED_SSN = re.compile(rf"(?x)(?i:\b(?:{_ID_LABEL_SSN})\b){_AFTER_LABEL}{_ID_VALUE}")
_LABELLED_NATIONAL_ID = re.compile(rf"(?x)(?i:\b(?:{_ID_LABEL_OTHER})\b){_AFTER_LABEL}{_ID_VALUE}")
# Written in capitals, spaced or not, or all in small letters unspaced.
_NINO = re.compile(
    r"(?<![\w-])(?:[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]|[a-z]{2}\d{6}[a-d])(?![\w-])"
)
_STEUER_ID_PRINTED = re.compile(r"(?<![\w+/.-])[1-9]\d \d{3} \d{3} \d{3}(?![\w/-])")
_ELEVEN_DIGITS = re.compile(r"(?<![\w+/.-])[1-9]\d{10}(?![\w/-])")
_NIR = re.compile(
    r"(?<![\w-])[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}(?![\w-])"
)
_DNI_NIE = re.compile(r"(?i)(?<![\w-])[XYZ]?\d{7,8}[ -]?[A-Z](?![\w-])")
_CODICE_FISCALE = re.compile(
    r"(?i)(?<![\w-])[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z]"
    r"[0-9LMNPQRSTUV]{3}[A-Z](?![\w-])"
)
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])"
)
_IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}(?![\w:])"
    r"|(?<![\w:])::(?:ffff:)?(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}(?![\w:])"
)
_PHONE = re.compile(r"(?<![\w+/.-])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-/]?\(?\d{1,5}\)?){2,7}(?![\w/-])")
_DECIMAL = re.compile(r"\d+\.\d+")
_DATE_OR_TIME = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}:\d{2}"
)


def findings(text: str) -> list[Finding]:
    """Every piece of PII or secret in ``text``, first to last, none overlapping (where
    two overlap, the one found first in the order of the module docstring wins)."""
    if len(text) <= _CACHED_TEXT_CHARS:
        return list(_findings_cached(text))
    return _findings(text)


# The same texts come back call after call (a kind's system prompt, hashed for every
# model call: app/llm/messages.py prompt_hash), and the detectors cost about a
# microsecond per character: short texts' findings are remembered.
_CACHED_TEXT_CHARS = 16_384


@functools.lru_cache(maxsize=512)
def _findings_cached(text: str) -> tuple[Finding, ...]:
    return tuple(_findings(text))


def _findings(text: str) -> list[Finding]:
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


def _hinted(
    hint: re.Pattern[str], spans: Callable[[str], Iterator[tuple[int, int]]]
) -> Callable[[str], Iterator[tuple[int, int]]]:
    """``spans``, run only on text where ``hint`` (something every match holds) occurs."""

    def hinted(text: str) -> Iterator[tuple[int, int]]:
        return spans(text) if hint.search(text) else iter(())

    return hinted


def _checked(
    pattern: re.Pattern[str], valid: Callable[[str], bool], group: int | str = 0
) -> Callable[[str], Iterator[tuple[int, int]]]:
    def spans(text: str) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            if valid(match.group(group)):
                yield match.span(group)

    return spans


def _iban_spans(text: str) -> Iterator[tuple[int, int]]:
    # In either case the pattern may run on into the words after a spaced IBAN ("... 32
    # from"): the longest run of its groups whose checksum holds is the IBAN.
    for match in _IBAN.finditer(text):
        candidate = match.group()
        while candidate:
            if iban_valid(candidate):
                yield match.start(), match.start() + len(candidate)
                break
            candidate = candidate.rpartition(" ")[0]


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
    """The ISO 13616 checksum (the IBAN, its first four characters moved to the end and
    letters as numbers, is 1 modulo 97) and the layout of its country's account number."""
    return bool(stdnum_iban.is_valid(candidate))


def _dni_or_nie(candidate: str) -> bool:
    # The check letter of a Spanish DNI (8 digits) or NIE (X, Y or Z and 7 digits).
    if candidate[0] in "XYZxyz":
        return bool(nie.is_valid(candidate))
    return bool(dni.is_valid(candidate))


def _id_digits(candidate: str) -> bool:
    # What a label names is an id when it has as many digits as one (a NINO's 6 to a
    # NIR's 15): "SSN 12" or a date after the label is not one.
    return 6 <= sum(c.isdigit() for c in candidate) <= 16 and not _DATE_OR_TIME.search(candidate)


def _base64_key_like(candidate: str) -> bool:
    # Random base64 has capitals, small letters and digits, and seldom five small letters
    # in a row: a camelCase name or a URL path of 40 characters has three such words or
    # more. (Measured on random keys: about 1 in 1,000 is left alone.)
    return (
        any(c.isupper() for c in candidate)
        and any(c.islower() for c in candidate)
        and any(c.isdigit() for c in candidate)
        and len(_SMALL_WORD.findall(candidate)) < 3
    )


def _phone_like(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if not 9 <= digits <= 15 or _DATE_OR_TIME.search(candidate):
        return False
    # A bare run of digits is a phone number only when it is written like one: with a
    # leading + or 00, or a national number's leading 0 (0612345678). Other bare runs
    # (epoch seconds, order numbers) are left alone.
    bare = candidate.strip()
    if _DECIMAL.fullmatch(bare):  # a build number or a price: 20261120.1, 1234567.89
        return False
    separated = any(c in " .-/()" for c in bare)
    return separated or bare.startswith(("+", "0"))


_DETECTORS: list[tuple[str, Callable[[str], Iterator[tuple[int, int]]]]] = [
    ("secret", _hinted(_SECRET_HINT, _matches(_SECRETS))),
    ("secret", _matches(_ASSIGNED_SECRET, "value")),
    ("secret", _checked(_BARE_AWS_SECRET, _base64_key_like)),
    ("email", _matches(_EMAIL)),
    ("iban", _iban_spans),
    ("ssn", _checked(_LABELLED_SSN, _id_digits, "value")),
    ("national_id", _checked(_LABELLED_NATIONAL_ID, _id_digits, "value")),
    ("card", _checked(_CARD, luhn_valid)),
    ("ssn", _matches(_SSN)),
    ("national_id", _matches(_NINO)),
    ("national_id", _matches(_STEUER_ID_PRINTED)),
    ("national_id", _checked(_ELEVEN_DIGITS, idnr.is_valid)),
    ("national_id", _checked(_NIR, nir.is_valid)),
    ("national_id", _checked(_DNI_NIE, _dni_or_nie)),
    ("national_id", _checked(_CODICE_FISCALE, codicefiscale.is_valid)),
    ("ip", _matches(_IPV4)),
    ("ip", _matches(_IPV6)),
    ("phone", _checked(_PHONE, _phone_like)),
]
