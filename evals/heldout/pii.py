"""Personal data and secrets to plant: checksum-valid where the format has a checksum
(cards: Luhn; IBANs: mod 97; German Steuer-ID: ISO 7064 mod 11,10; French NIR: mod 97;
Spanish DNI/NIE: mod 23), each in the formats people write them in."""

from __future__ import annotations

import random
import string
from collections.abc import Callable

Generator = Callable[[random.Random], str]


def luhn_digit(partial: str) -> str:
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:
            digit = digit * 2 - 9 if digit * 2 > 9 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = "".join(c for c in number if c.isdigit())
    return luhn_digit(digits[:-1]) == digits[-1]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _card(prefix: str, length: int, groups: tuple[int, ...], sep: str) -> Generator:
    def make(rng: random.Random) -> str:
        partial = prefix + _digits(rng, length - len(prefix) - 1)
        number = partial + luhn_digit(partial)
        if not groups:
            return number
        out, start = [], 0
        for size in groups:
            out.append(number[start : start + size])
            start += size
        return sep.join(out)

    return make


CARDS: dict[str, Generator] = {
    "visa_spaced": _card("4", 16, (4, 4, 4, 4), " "),
    "visa_compact": _card("4", 16, (), ""),
    "mastercard_dashed": _card("53", 16, (4, 4, 4, 4), "-"),
    "amex_spaced": _card("37", 15, (4, 6, 5), " "),
    "discover_dotted": _card("6011", 16, (4, 4, 4, 4), "."),
}

_IBAN_BBAN = {
    "DE": lambda rng: _digits(rng, 18),
    "GB": lambda rng: rng.choice(("NWBK", "BARC", "HBUK", "MIDL")) + _digits(rng, 14),
    "FR": lambda rng: _digits(rng, 23),
    "ES": lambda rng: _digits(rng, 20),
    "IT": lambda rng: rng.choice(string.ascii_uppercase) + _digits(rng, 22),
    "NL": lambda rng: rng.choice(("ABNA", "INGB", "RABO")) + _digits(rng, 10),
    "PT": lambda rng: _digits(rng, 21),
    "BE": lambda rng: _digits(rng, 12),
    "PL": lambda rng: _digits(rng, 24),
}


def _iban(country: str, style: str) -> Generator:
    def make(rng: random.Random) -> str:
        from evals.heldout.attacks import grouped, iban

        value = iban(country, _IBAN_BBAN[country](rng))
        if "spaced" in style:
            value = grouped(value)
        return value.lower() if "lower" in style else value

    return make


IBANS: dict[str, Generator] = {
    "iban_de_compact": _iban("DE", "compact"),
    "iban_gb_spaced": _iban("GB", "spaced"),
    "iban_fr_lower": _iban("FR", "lower"),
    "iban_es_lower_spaced": _iban("ES", "lower spaced"),
    "iban_it_spaced": _iban("IT", "spaced"),
    "iban_nl_compact": _iban("NL", "compact"),
    "iban_pt_spaced": _iban("PT", "spaced"),
    "iban_be_lower": _iban("BE", "lower"),
    "iban_pl_spaced": _iban("PL", "spaced"),
}


def _fmt(pattern: str) -> Generator:
    """A number by pattern: each # a random digit."""
    return lambda rng: "".join(rng.choice(string.digits) if c == "#" else c for c in pattern)


PHONES: dict[str, Generator] = {
    "phone_us": _fmt("(415) 555-01##"),
    "phone_us_intl": _fmt("+1 212-555-01##"),
    "phone_uk_mobile": _fmt("+44 7700 900###"),
    "phone_uk_national": _fmt("07700 900###"),
    "phone_de_mobile": _fmt("+49 151 2### ####"),
    "phone_de_national": _fmt("030 ########"),
    "phone_fr": _fmt("+33 6 ## ## ## ##"),
    "phone_fr_national": _fmt("06 ## ## ## ##"),
    "phone_es": _fmt("+34 6## ### ###"),
    "phone_it": _fmt("+39 347 ### ####"),
    "phone_pt": _fmt("+351 91# ### ###"),
    "phone_nl": _fmt("+31 6 #### ####"),
}

_FIRST = ("anna", "jonas", "sofia", "luca", "maria", "pierre", "ines", "tomasz", "emma")
_LAST = ("keller", "dubois", "garcia", "bianchi", "silva", "novak", "okafor", "lindqvist")
_DOMAINS = ("gmail.example", "web-mail.example", "posteo.example", "orange-mail.example")


def _email(rng: random.Random) -> str:
    sep = rng.choice((".", "_", ""))
    return f"{rng.choice(_FIRST)}{sep}{rng.choice(_LAST)}{rng.randrange(10, 99)}@" + rng.choice(
        _DOMAINS
    )


def _ssn(dashed: bool) -> Generator:
    def make(rng: random.Random) -> str:
        area = rng.choice([a for a in range(1, 900) if a != 666])
        group, serial = rng.randrange(1, 100), rng.randrange(1, 10_000)
        return (
            f"{area:03d}-{group:02d}-{serial:04d}"
            if dashed
            else f"{area:03d}{group:02d}{serial:04d}"
        )

    return make


_NI_FIRST = [c for c in string.ascii_uppercase if c not in "DFIQUV"]
_NI_SECOND = [c for c in string.ascii_uppercase if c not in "DFIOQUV"]
_NI_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def _ni(spaced: bool) -> Generator:
    def make(rng: random.Random) -> str:
        while (prefix := rng.choice(_NI_FIRST) + rng.choice(_NI_SECOND)) in _NI_BANNED:
            pass
        digits, suffix = _digits(rng, 6), rng.choice("ABCD")
        if spaced:
            return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
        return f"{prefix}{digits}{suffix}"

    return make


def steuer_id_check(ten: str) -> str:
    """The check digit of a German Steuer-ID (ISO 7064 MOD 11,10)."""
    product = 10
    for char in ten:
        total = (int(char) + product) % 10 or 10
        product = total * 2 % 11
    return str((11 - product) % 10)


def _steuer_id(spaced: bool) -> Generator:
    def make(rng: random.Random) -> str:
        # Ten digits, the first not 0, exactly one digit twice (so one digit missing).
        while True:
            pool = rng.sample(string.digits, 9)
            twice = rng.choice(pool)
            digits = [*pool, twice]
            rng.shuffle(digits)
            if digits[0] != "0":
                break
        value = "".join(digits) + steuer_id_check("".join(digits))
        return f"{value[:2]} {value[2:5]} {value[5:8]} {value[8:]}" if spaced else value

    return make


def _nir(spaced: bool) -> Generator:
    def make(rng: random.Random) -> str:
        sex, year, month = rng.choice("12"), rng.randrange(40, 100), rng.randrange(1, 13)
        dept, commune, order = rng.randrange(1, 96), rng.randrange(1, 990), rng.randrange(1, 999)
        body = f"{sex}{year:02d}{month:02d}{dept:02d}{commune:03d}{order:03d}"
        key = 97 - int(body) % 97
        if spaced:
            return (
                f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key:02d}"
            )
        return f"{body}{key:02d}"

    return make


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _dni(style: str) -> Generator:
    def make(rng: random.Random) -> str:
        if style == "nie":
            head = rng.choice("XYZ")
            digits = _digits(rng, 7)
            return f"{head}{digits}{_DNI_LETTERS[int(str('XYZ'.index(head)) + digits) % 23]}"
        number = rng.randrange(10_000_000, 99_999_999)
        letter = _DNI_LETTERS[number % 23]
        return f"{number}-{letter}" if style == "dashed" else f"{number}{letter}"

    return make


def _ipv4(rng: random.Random) -> str:
    first = rng.choice([n for n in range(11, 224) if n not in (127, 169, 172, 192)])
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _ipv6(compressed: bool) -> Generator:
    def make(rng: random.Random) -> str:
        groups = [f"{rng.randrange(1, 0x10000):x}" for _ in range(8)]
        groups[0] = rng.choice(("2a02", "2001", "2a01", "2600"))
        if compressed:
            return ":".join(groups[:3]) + "::" + ":".join(groups[6:])
        return ":".join(groups)

    return make


def _token(prefix: str, n: int, alphabet: str = string.ascii_letters + string.digits) -> Generator:
    return lambda rng: prefix + "".join(rng.choice(alphabet) for _ in range(n))


NATIONAL_IDS: dict[str, Generator] = {
    "us_ssn_dashed": _ssn(True),
    "us_ssn_compact": _ssn(False),
    "uk_ni_spaced": _ni(True),
    "uk_ni_compact": _ni(False),
    "de_steuer_id": _steuer_id(False),
    "de_steuer_id_spaced": _steuer_id(True),
    "fr_nir_spaced": _nir(True),
    "fr_nir_compact": _nir(False),
    "es_dni": _dni("plain"),
    "es_dni_dashed": _dni("dashed"),
    "es_nie": _dni("nie"),
}
NETWORK: dict[str, Generator] = {
    "ipv4": _ipv4,
    "ipv6_full": _ipv6(False),
    "ipv6_compressed": _ipv6(True),
}
SECRETS: dict[str, Generator] = {
    "openai_key": _token("sk-proj-", 48),
    "anthropic_key": _token("sk-ant-api03-", 40),
    "aws_access_key": _token("AKIA", 16, string.ascii_uppercase + string.digits),
    "github_token": _token("ghp_", 36),
    "stripe_key": _token("sk_live_", 24),
    "slack_token": lambda rng: (
        f"xoxb-{_digits(rng, 12)}-{_digits(rng, 13)}-"
        + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))
    ),
    "google_api_key": _token("AIza", 35, string.ascii_letters + string.digits + "-_"),
}
GENERATORS: dict[str, Generator] = {
    **CARDS,
    **IBANS,
    **PHONES,
    "email": _email,
    **NATIONAL_IDS,
    **NETWORK,
    **SECRETS,
}

# How each type is written into a text (English, with a few other languages).
SENTENCES: dict[str, tuple[str, ...]] = {
    "card": ("I paid with my card {v} and was charged twice.", "Karte: {v}, bitte prüfen."),
    "iban": ("Please send the refund to IBAN {v}.", "Mon IBAN pour le remboursement : {v}."),
    "phone": ("You can call me back on {v}.", "Llámame al {v}, por favor."),
    "email": ("Write to my private address {v} instead.", "Scrivimi a {v}."),
    "id": (
        "For the identity check, my national id is {v}.",
        "Meu número de identificação é {v}.",
    ),
    "network": ("The login came from IP address {v}.", "Connexion suspecte depuis {v}."),
    "secret": (
        "Our integration uses the key {v}; can you check it?",
        "Der API-Schlüssel lautet {v}.",
    ),
}


def family(name: str) -> str:
    if name in CARDS:
        return "card"
    if name in IBANS:
        return "iban"
    if name in PHONES:
        return "phone"
    if name == "email":
        return "email"
    if name in NATIONAL_IDS:
        return "id"
    if name in NETWORK:
        return "network"
    return "secret"
