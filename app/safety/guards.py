"""Output guards: what an answer must keep before anyone but a reviewer sees it.

Checked by the step runner (app/llm/steps.py) on every step's answer, after the
output schema and the kind's rules, for every kind and every provider (the offline
extractive one too). Generic over kinds: they read the answer's fields by name and
by schema, not by kind.

* **citations**: every value of a field named ``source``, ``source_id`` or
  ``sources`` (anywhere in the answer, e.g. ``citations[2].source``) names a source
  the step was given (``GenerationRequest.sources``);
* **contacts**: every URL, e-mail address, phone number and payment target (an IBAN,
  a labelled account number) in the answer comes from a *trusted* part of the job's
  input, or (links and e-mail addresses) from a domain the operator allows
  (``COURIER_SAFETY_CONTACT_DOMAINS``). Trusted are only the input fields the kind
  declares so (app/safety/trust.py: text the product team or the requesting principal
  wrote, such as the question or who signs); a thread message, a CRM note, a
  retrieved document or e-mail, a review or a profile field never is, however plainly
  it states the contact. So an attacker's address fails whether or not the injection
  detector recognised the sentence that carried it, and a legitimate address a third
  party wrote goes to a person (review) instead of straight to the reader. One
  exception: a field the output model marks quoted (``QUOTED``: an extracted value,
  a moderator's evidence, each checked against the input by the kind's rules) may
  repeat a contact any given input states after quarantine, and a quote that is
  evidence of another field (``Quoted(of="value")``) only a contact that field holds.
  tasks/kinds/README.md lists each kind's trusted and quoted fields. A digit run is a
  phone number when it has a phone's shape (a leading ``+`` or ``00``, an area code in
  brackets, digit groups set apart) or follows a phone label (call, tel ...), and never
  after an identifier's label (EAN, GTIN, tracking, order, invoice ...): a 13-digit EAN
  or a 12-digit parcel number is nobody to call;
* **canary**: the render's canary and its data boundary, both secrets of the system
  prompt, never appear (an answer that has them leaked the system prompt);
* **obfuscation**: no field (outside quoted ones) hides characters (zero-width and
  other format characters) or mixes look-alike letters of another script into Latin
  words, unless the trusted text does too; and every contact is also read as a reader
  reads it (app/safety/normalize.py: spaced out, look-alike letters, spelled out), on
  both sides, so a disguised contact is the contact it shows;
* **quarantine**: no field (outside quoted ones) repeats a sentence the injection
  detector quarantined, nor a code word or quoted string of one (what an injected
  order asks an answer to carry, which no contact guard sees);
* **constrained fields**: every field the output schema constrains to a set of
  values (an ``enum``, a ``Literal``) holds one of them (the kind's rules check the
  sets that come from the input, such as a taxonomy).

A violation names the guard and the field, never the value: it is stored
(``jobs.review_reasons``) and shown in the job's events. The step runner asks once
more with a stricter system prompt; what still breaks a guard is held for review
(or refused, for a kind without review).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import tldextract
from pydantic import BaseModel, RootModel

from app.llm.structured import strict_schema
from app.safety.normalize import disguised, skeleton
from app.safety.trust import Quoted, quoted_mark

SOURCE_FIELDS = frozenset({"source", "source_id", "sources"})

# A link with a scheme, a www. host, or protocol-relative ("//evil.example/claim").
_URL = re.compile(
    r"(?:\b(?:https?://|www\.)|(?<![\w:/])//(?=[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}))"
    r"[^\s<>\"'()\[\]{}]+",
    re.IGNORECASE,
)
# A bare host name ("refund-desk.net"): labels and a top-level domain, nothing around it
# that makes it part of an address, a path or a longer name.
_HOST = re.compile(
    r"(?<![\w@.\-/])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?P<tld>[a-z]{2,24})(?![\w@\-]|\.\w)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w.])(?:\+|00)?\(?\d[\d ().\-/]{7,}\d(?!\d)")
# A vanity number ("1-800-REFUND-NOW"): a toll-free or premium prefix, then letters.
_VANITY = re.compile(
    r"(?<![\w+])(?:\+?1[ .\-]?)?\(?8(?:00|33|44|55|66|77|88)\)?[ .\-]?"
    r"(?=[A-Z0-9 .\-]*[A-Z]{3})[A-Z0-9]{2,}(?:[ .\-][A-Z0-9]{2,})*(?![\w])"
)
_KEYPAD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "22233344455566677778889999")
# What says a digit run is a phone number although it has no phone shape of its own...
_PHONE_LABEL = re.compile(
    r"\b(?:phone|tel|telephone|call|ring|dial|mobile|cell|fax|whatsapp|sms|hotline|"
    r"helpline|number to call|telefon|telefono|telefone|telephone|appelez|rufen|"
    r"llame|chiama|ligue)\b[^\d]{0,20}$",
    re.IGNORECASE,
)
# ... and what says it is not: an identifier's label (a product code, a parcel, an order).
_ID_LABEL = re.compile(
    r"\b(?:ean|gtin|upc|isbn|issn|sku|mpn|asin|article|art\.? ?no|item|part|model|serial|"
    r"tracking|track|parcel|shipment|consignment|order|invoice|receipt|reference|ref|"
    r"ticket|case|booking|confirmation|customer|member|policy|claim|batch|lot|imei)\b"
    r"[^\d]{0,24}$",
    re.IGNORECASE,
)
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]){11,30}\b", re.IGNORECASE)
_ACCOUNT = re.compile(
    r"\b(?:account|acct|a/c|konto|compte|cuenta|routing|sort code)\s*(?:number|no\.?|nr\.?|#|n°)?"
    r"\s*:?\s*(?P<number>\d[\d -]{4,}\d)\b",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Violation:
    """One guard an answer broke: the guard, the field (by position) and what is wrong."""

    guard: str
    field: str
    problem: str

    def as_json(self) -> dict[str, str]:
        return {"guard": self.guard, "field": self.field, "problem": self.problem}

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"


def check(
    output: BaseModel,
    *,
    sources: Collection[str],
    trusted: str,
    secrets: Sequence[str],
    domains: Collection[str] = (),
    given: str = "",
    quarantined: Sequence[str] = (),
) -> list[Violation]:
    """Every guard ``output`` breaks: ``sources`` are the ids it may cite, ``trusted``
    the text of the input's trusted fields (app/safety/trust.py) and ``domains`` the
    allowed domains its contacts must come from (a field marked quoted may also take
    them from ``given``, all of the step's input after quarantine), ``secrets`` what it
    must never contain (the canary, the boundary), ``quarantined`` the sentences the
    injection detector took out of the input (never repeated, nor a code word of them)."""
    data = output.model_dump(mode="json")
    strings = list(_strings(data, ""))
    # A quoted field's contacts may come from all the given input, or (a quote that is
    # evidence of a sibling field) only from that field.
    quoted = {field: basis for field, basis in _quoted(output, "", mark=None, basis=None)}
    plain = [s for s in strings if s[0] not in quoted]
    evidence = [s for s in strings if quoted.get(s[0]) is not None]
    found = [
        *citations(data, sources),
        *contacts(plain, trusted, domains),
        *contacts(
            [s for s in strings if s[0] in quoted and quoted[s[0]] is None],
            f"{trusted}\n{given}",
            domains,
        ),
        *(v for s in evidence for v in contacts([s], f"{trusted}\n{quoted[s[0]]}", domains)),
        *leaks(strings, secrets),
        *constrained(data, type(output)),
        *hidden(plain, trusted),
        *echoes(plain, quarantined),
    ]
    return list(dict.fromkeys(found))


def hidden(strings: Sequence[tuple[str, str]], trusted: str) -> Iterator[Violation]:
    """Each field that hides characters (zero-width, bidi controls) or mixes look-alike
    letters of another script into Latin words, when the trusted text does not: what an
    attacker writes so that a pattern misses it and a reader still reads it."""
    if disguised(trusted):
        return
    for field, text in strings:
        if disguised(text):
            yield Violation("obfuscation", field, "hidden or look-alike characters")


def echoes(strings: Sequence[tuple[str, str]], quarantined: Sequence[str]) -> Iterator[Violation]:
    """Each field that repeats a quarantined sentence, or a code word or quoted string
    of one (what an injected order asks the answer to carry)."""
    sentences = [skeleton(q) for q in quarantined]
    tokens = {t for q in sentences for t in _tokens(q)}
    for field, text in strings:
        folded = skeleton(text)
        if any(len(q) >= 12 and q in folded for q in sentences) or any(
            re.search(rf"(?<!\w){re.escape(t)}(?!\w)", folded) for t in tokens
        ):
            yield Violation("quarantine", field, "repeats text quarantined as an instruction")


_CODE = re.compile(
    r"(?<!\w)[a-z]*[a-z][-_]?\d{2,}(?:[-_][a-z0-9]+)*(?!\w)|[a-z]+(?:-[a-z0-9]+){2,}"
)
_QUOTED = re.compile(r"[\"“”«»„]([^\"“”«»„]{3,60})[\"“”«»„]")


def _tokens(sentence: str) -> Iterator[str]:
    """The code words (letters with digits, ``nightjar-915``) and quoted strings of a
    folded sentence."""
    yield from (m.group() for m in _CODE.finditer(sentence))
    yield from (m.group(1).strip() for m in _QUOTED.finditer(sentence) if m.group(1).strip())


def citations(data: Any, sources: Collection[str]) -> Iterator[Violation]:
    """Each cited source that the step was not given."""
    for field, name in _cited(data, ""):
        if name not in sources:
            yield Violation("citation", field, "cites a source that was not given")


def cited_sources(data: Any) -> list[str]:
    """Every source an answer names (``source``, ``source_id`` or ``sources`` fields,
    anywhere), in order, once each: what the API resolves for the answer's reader."""
    return list(dict.fromkeys(name for _, name in _cited(data, "")))


def contacts(
    strings: Sequence[tuple[str, str]], trusted: str, domains: Collection[str] = ()
) -> Iterator[Violation]:
    """Each URL, e-mail address, phone number or payment target that neither the
    trusted text holds nor (links, addresses) an allowed domain serves."""
    # Ids (a cited chunk's doc:<uuid>:<n>, a job id) are nobody's contact, yet one in
    # fourteen has a digit run that reads as a phone number: leave them out first.
    strings = [(field, _UUID.sub(" ", text)) for field, text in strings]
    written = list(strings)
    # Both sides as written and as a reader reads them (app/safety/normalize.py): a
    # spaced-out, look-alike or spelled-out contact is the contact it shows.
    trusted = f"{trusted}\n{skeleton(trusted)}"
    strings = [*strings, *((field, skeleton(text)) for field, text in strings)]
    urls = [m.group().rstrip(_TRAILING).casefold() for m in _URL.finditer(trusted)]
    emails = {m.group().casefold() for m in _EMAIL.finditer(trusted)}
    allowed = {d.casefold().strip(".") for d in domains if d.strip(".")}
    hosts = _hosts(trusted)
    phones = _phone_runs(trusted)
    packed = re.sub(r"[\s-]", "", trusted).upper()
    digits = [re.sub(r"\D", "", m.group()) for m in re.finditer(r"\d[\d ./-]*\d", trusted)]
    for field, text in strings:
        for match in _URL.finditer(text):
            url = match.group().rstrip(_TRAILING).casefold()
            if not any(_same_or_shortened(url, t) for t in urls) and not _allowed(
                _host(url), allowed
            ):
                yield Violation("contact", field, "a link that no trusted input holds")
        for match in _EMAIL.finditer(text):
            address = match.group().casefold()
            if address not in emails and not _allowed(address.rsplit("@", 1)[1], allowed):
                yield Violation("contact", field, "an e-mail address that no trusted input holds")
        for match in _PHONE.finditer(text):
            number = re.sub(r"\D", "", match.group())
            if _IPV4.fullmatch(match.group().strip()) or not _phone_shaped(text, match):
                continue  # an IP address, a product code or a parcel is no one to call
            if 9 <= len(number) <= 15 and not any(number in run for run in phones):
                yield Violation("contact", field, "a phone number that no trusted input holds")
        for match in _VANITY.finditer(text):
            number = re.sub(r"\D", "", match.group().translate(_KEYPAD))
            if match.group().casefold() not in trusted.casefold() and not any(
                number in run for run in phones
            ):
                yield Violation("contact", field, "a phone number that no trusted input holds")
        for iban in _ibans(text):
            if iban not in packed:
                yield Violation(
                    "contact", field, "a bank account (IBAN) that no trusted input holds"
                )
        for match in _ACCOUNT.finditer(text):
            number = re.sub(r"\D", "", match.group("number"))
            if len(number) >= 6 and not any(number in run for run in digits):
                yield Violation("contact", field, "an account number that no trusted input holds")
    for field, text in written:
        found = {
            *_bare_hosts(text, as_written=True),
            *_bare_hosts(skeleton(text), as_written=False),
        }
        if any(host not in hosts and not _allowed(host, allowed) for host in found):
            yield Violation("contact", field, "a link that no trusted input holds")


def leaks(strings: Sequence[tuple[str, str]], secrets: Sequence[str]) -> Iterator[Violation]:
    """Each field that repeats a secret of the system prompt."""
    wanted = [secret.casefold() for secret in secrets if secret]
    for field, text in strings:
        squeezed = re.sub(r"\s+", "", text.casefold())
        if any(secret in squeezed for secret in wanted):
            yield Violation("canary", field, "repeats a secret of the system prompt")


def constrained(data: Any, output_model: type[BaseModel]) -> Iterator[Violation]:
    """Each field outside the values its schema allows."""
    schema = strict_schema(output_model)
    yield from _enums(data, schema, schema.get("$defs", {}), "")


def _enums(
    value: Any, schema: dict[str, Any], defs: dict[str, Any], field: str
) -> Iterator[Violation]:
    if "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if "enum" in schema or "const" in schema:
        allowed = schema.get("enum", [schema.get("const")])
        if value not in allowed:
            yield Violation("constrained", field or "(answer)", "not one of the allowed values")
        return
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        if value is None and any(v.get("type") == "null" for v in variants):
            return
        problems = [
            list(_enums(value, v, defs, field)) for v in variants if v.get("type") != "null"
        ]
        if problems and all(problems):
            yield problems[0][0]
        return
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield from _enums(value[name], sub, defs, f"{field}.{name}" if field else name)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _enums(item, schema["items"], defs, f"{field}[{index}]")


def _cited(value: Any, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            path = f"{field}.{name}" if field else name
            if name in SOURCE_FIELDS:
                if isinstance(item, str):
                    yield path, item
                elif isinstance(item, list):
                    yield from (
                        (f"{path}[{i}]", cited)
                        for i, cited in enumerate(item)
                        if isinstance(cited, str)
                    )
                continue
            yield from _cited(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _cited(item, f"{field}[{index}]")


def _strings(value: Any, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield field or "(answer)", value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, f"{field}.{name}" if field else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{field}[{index}]")


def _quoted(
    value: Any, field: str, *, mark: Quoted | None, basis: str | None
) -> Iterator[tuple[str, str | None]]:
    """The strings of an answer under a field its model marks quoted (by position, as
    :func:`_strings` names them), each with the text of the field it is evidence of
    (None: a quote of the whole input)."""
    if isinstance(value, RootModel):
        yield from _quoted(value.root, field, mark=mark, basis=basis)
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            path = f"{field}.{name}" if field else name
            own = quoted_mark(info.metadata)
            sub_basis = basis
            if mark is None and own is not None and own.of is not None:
                sub_basis = "\n".join(text for _, text in _strings(getattr(value, own.of), ""))
            yield from _quoted(getattr(value, name), path, mark=mark or own, basis=sub_basis)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _quoted(item, f"{field}[{index}]", mark=mark, basis=basis)
    elif isinstance(value, str) and mark is not None:
        yield field or "(answer)", basis


def _phone_runs(text: str) -> list[str]:
    """The phone-like runs of ``text`` as digits only, so a number written with other
    separators in the answer still matches."""
    return [re.sub(r"\D", "", m.group()) for m in _PHONE.finditer(text)]


def _same_or_shortened(url: str, trusted: str) -> bool:
    """``url`` is the trusted link, or that link cut at a boundary of its path
    (``https://shop.example`` of ``https://shop.example/help``)."""
    return trusted == url or (
        trusted.startswith(url) and trusted[len(url)] in "/?#" and not url.endswith(":")
    )


def _host(url: str) -> str:
    if url.startswith("//"):  # protocol-relative
        return urlsplit("http:" + url).hostname or ""
    return urlsplit(url if "://" in url else "http://" + url).hostname or ""


_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
"""The Public Suffix List snapshot tldextract ships, read offline: never fetched."""
_RESERVED = frozenset({"example", "test", "invalid", "localhost"})
"""Reserved top-level names (RFC 2606) that documentation and tests use as real ones."""
_FILE_LIKE = frozenset({"py", "sh", "md", "rs", "ps"})
"""Country domains that read as file extensions far more often than as hosts."""
_COMMON = frozenset({"com", "net", "org", "info", "biz", "io", "co", "xyz", "top", "app"})


def _bare_hosts(text: str, *, as_written: bool) -> Iterator[str]:
    """The host names in ``text`` written without a scheme or www. (links and
    addresses taken out first), lower case. As written, a host's top-level domain is
    in lower case ("Friday.It" is a sentence run together, not a host); in a folded
    text (all lower case) only a host with a hyphen or digit, or a common gTLD, counts."""
    rest = _EMAIL.sub(" ", _URL.sub(" ", text))
    for match in _HOST.finditer(rest):
        host, tld = match.group().casefold(), match.group("tld")
        if tld.casefold() in _FILE_LIKE or not _is_suffix(host):
            continue
        if as_written and not tld.islower():
            continue
        if not as_written and not (
            re.search(r"[-\d]", host) or tld.casefold() in _COMMON | _RESERVED
        ):
            continue
        yield host


def _is_suffix(host: str) -> bool:
    return host.rsplit(".", 1)[-1] in _RESERVED or bool(_SUFFIXES(host).suffix)


def _hosts(trusted: str) -> set[str]:
    """Every host the trusted text names: of its links, e-mail addresses and bare host
    names (a trusted host's subdomains and parents are not implied)."""
    found = {_host(m.group().rstrip(_TRAILING).casefold()) for m in _URL.finditer(trusted)}
    found |= {m.group().casefold().rsplit("@", 1)[1] for m in _EMAIL.finditer(trusted)}
    rest = _EMAIL.sub(" ", _URL.sub(" ", trusted))
    found |= {m.group().casefold() for m in _HOST.finditer(rest)}
    return found | {h.removeprefix("www.") for h in found}


def _phone_shaped(text: str, match: re.Match[str]) -> bool:
    """Whether a digit run reads as a phone number: not after an identifier's label
    (EAN, tracking, order ...), and either shaped as one (a leading + or 00, an area
    code in brackets, digit groups apart) or after a phone label (call, tel ...). A
    bare run of 12 digits is a code, not a number to call."""
    before = text[max(0, match.start() - 40) : match.start()]
    if _ID_LABEL.search(before):
        return False
    number = match.group().strip()
    shaped = number.startswith(("+", "00", "(")) or bool(re.search(r"\d[ ().\-/]+\d", number))
    return shaped or bool(_PHONE_LABEL.search(before))


def _allowed(host: str, domains: Collection[str]) -> bool:
    """Whether ``host`` is an allowed domain or one of its subdomains."""
    return any(host == d or host.endswith("." + d) for d in domains)


def _ibans(text: str) -> Iterator[str]:
    """The IBANs in ``text`` (spaces removed), each checked by its ISO 13616 check digits,
    so a product code or a reference that happens to look like one is not taken for it."""
    for match in _IBAN.finditer(text):
        packed = re.sub(r"[ \-]", "", match.group()).upper()
        # The pattern may run on into a following code: the longest valid prefix is it.
        for end in range(len(packed), 14, -1):
            if _iban_valid(packed[:end]):
                yield packed[:end]
                break


def _iban_valid(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
