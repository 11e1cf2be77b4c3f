"""The second held-out grounded set (``heldout/grounded_b.jsonl``): written blind, apart
from the first grounded set and from the code that answers it (the offline provider,
the prompts, the guards), so a measure taken with it is not one anybody tuned against.

Its domains (insurance claims, travel bookings, telecom plans, healthcare appointment
scheduling, utilities, education, logistics, SaaS) and its traps differ from the first
set's: a quoted reply chain ("On ... wrote:" and "> " lines) carrying a superseded
figure, a correction later in a thread, two bookings with near-identical references in
one thread, a policy article for another region (in other units or another currency),
an archived article beside the current one, a CRM note misfiled under a similarly named
customer, a figure revised later in a call, a discontinued variant's sheet beside the
current one, payment terms without a due date. Each case names the facts a correct
answer states (``must_contain``, from the sources in ``must_cite``) and those it must
not (``must_not_contain``, each labelled in ``banned``: ``invented``, found nowhere in
the input, or ``distractor``, stated only by the source named in ``distractor``).

Figures are drawn per case from its own seeded generator; a draw whose labels would not
be true of its input (a figure inside another, a date inside a longer one) is drawn
again, so :func:`mislabelled` holds for every case written.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from evals import grounding

SEED = 20261207
"""This set's own seed: the other held-out files do not move when it changes."""

COUNTS: dict[str, int] = {
    "email_reply": 80,
    "support_answer": 80,
    "account_summary": 25,
    "follow_up_draft": 25,
    "product_description": 25,
    "metadata_enrichment": 25,
    "document_extraction": 20,
    "bio": 20,
}
LANGS = ("en", "fr", "de", "es")
LANG_WEIGHTS = (7, 1, 1, 1)
DOMAINS = (
    "insurance",
    "travel",
    "telecom",
    "healthcare",
    "utilities",
    "education",
    "logistics",
    "saas",
)
TRANSLATED = ("insurance", "travel", "telecom", "utilities")
"""The domains written in French, German and Spanish too."""

Case = dict[str, Any]
Input = dict[str, Any]

# --- figures ------------------------------------------------------------------------

MONTHS = {
    "en": "January February March April May June July August September October November "
    "December".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November "
    "Dezember".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre".split(),
}


def day(rng: random.Random, start: date = date(2026, 11, 9), span: int = 80) -> date:
    return start + timedelta(days=rng.randrange(span))


def written(lang: str, when: date) -> str:
    month = MONTHS[lang][when.month - 1]
    if lang == "de":
        return f"{when.day}. {month} {when.year}"
    if lang == "es":
        return f"{when.day} de {month} de {when.year}"
    return f"{when.day} {month} {when.year}"


def money(lang: str, currency: str, cents: int) -> str:
    """An amount as a writer of ``lang`` puts it: £1,240.50, 1 240,50 €, 1.240,50 €."""
    whole, part = divmod(cents, 100)
    if lang == "en" or currency in ("$", "CA$", "A$", "£"):
        number = f"{whole:,}.{part:02d}"
        if currency in ("€", "CHF"):
            return f"{currency}{number}" if currency == "€" else f"CHF {number}"
        return f"{currency}{number}"
    grouped = f"{whole:,}".replace(",", " " if lang == "fr" else ".")
    number = f"{grouped},{part:02d}"
    return f"{number} {currency}" if currency != "CHF" else f"CHF {number}"


def cents(rng: random.Random, low: int, high: int) -> int:
    """An amount between ``low`` and ``high`` (whole units), with pence more often than not."""
    value = rng.randrange(low, high) * 100
    return value + (rng.choice((0, 50, rng.randrange(1, 100))) if rng.random() < 0.7 else 0)


def reference(rng: random.Random, prefix: str) -> tuple[str, str]:
    """Two near-identical references (two digits swapped): the trap of two bookings."""
    digits = [str(rng.randrange(10)) for _ in range(5)]
    while digits[3] == digits[4]:
        digits[4] = str(rng.randrange(10))
    twin = digits[:3] + [digits[4], digits[3]]
    return f"{prefix}-{''.join(digits)}", f"{prefix}-{''.join(twin)}"


def at(when: date, hour: int, minute: int = 0) -> str:
    return f"{when.isoformat()}T{hour:02d}:{minute:02d}:00Z"


# --- domains ------------------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    name: str
    org: str
    host: str
    prefix: str
    thing: str
    amount_what: str
    date_what: str
    amount_range: tuple[int, int]
    temptations: tuple[str, ...]
    """Plausible claims no input of the domain states: what a model might add."""
    translated: dict[str, tuple[str, str, str]]
    """Per language: the thing, the amount's name and the dated event's name."""


DOMAIN_DATA: dict[str, Domain] = {
    d.name: d
    for d in (
        Domain(
            "insurance",
            "Harbourline Insurance",
            "harbourline-insurance.example",
            "CLM",
            "claim",
            "approved settlement",
            "settlement payment",
            (300, 4800),
            ("no excess applies", "paid within 24 hours", "courtesy car"),
            {
                "fr": ("votre dossier", "de l'indemnisation", "Le versement"),
                "de": ("Ihren Vorgang", "der Entschädigung", "Die Auszahlung"),
                "es": ("su expediente", "de la indemnización", "El pago"),
            },
        ),
        Domain(
            "travel",
            "Meridian Rail & Air",
            "meridian-travel.example",
            "BK",
            "booking",
            "refund",
            "departure",
            (60, 1400),
            ("free rebooking", "lounge access", "full refund"),
            {
                "fr": ("votre réservation", "du remboursement", "Le départ"),
                "de": ("Ihre Buchung", "der Erstattung", "Der Abflug"),
                "es": ("su reserva", "del reembolso", "La salida"),
            },
        ),
        Domain(
            "telecom",
            "Kestrel Mobile",
            "kestrel-mobile.example",
            "KM",
            "contract",
            "monthly charge",
            "plan change",
            (15, 95),
            ("unlimited data", "no early termination fee", "free 5G upgrade"),
            {
                "fr": ("votre contrat", "de l'abonnement mensuel", "Le changement d'offre"),
                "de": ("Ihren Vertrag", "der monatlichen Grundgebühr", "Der Tarifwechsel"),
                "es": ("su contrato", "de la cuota mensual", "El cambio de tarifa"),
            },
        ),
        Domain(
            "healthcare",
            "Lindenfield Clinics Booking",
            "lindenfield-booking.example",
            "APT",
            "appointment request",
            "self-pay consultation fee",
            "appointment",
            (45, 320),
            ("same-day appointment", "covered by your insurer", "free parking"),
            {},
        ),
        Domain(
            "utilities",
            "Brookvale Energy",
            "brookvale-energy.example",
            "UA",
            "account",
            "final bill",
            "meter exchange",
            (40, 900),
            ("no standing charge", "green tariff discount", "smart meter free of charge"),
            {
                "fr": ("votre compte", "de la facture de clôture", "Le remplacement du compteur"),
                "de": ("Ihr Kundenkonto", "der Schlussrechnung", "Der Zählerwechsel"),
                "es": ("su contrato de suministro", "de la factura final", "El cambio de contador"),
            },
        ),
        Domain(
            "education",
            "Northbridge Academy Online",
            "northbridge-academy.example",
            "ENR",
            "enrolment",
            "course fee",
            "first live class",
            (180, 2600),
            ("certificate included", "instalments without interest", "lifetime access"),
            {},
        ),
        Domain(
            "logistics",
            "Corrin Freight",
            "corrin-freight.example",
            "CF",
            "shipment",
            "import duty and handling charge",
            "delivery",
            (25, 700),
            ("signature not required", "insured up to", "next-day delivery"),
            {},
        ),
        Domain(
            "saas",
            "Tallyroom",
            "tallyroom.example",
            "SUB",
            "subscription",
            "renewal invoice",
            "renewal",
            (400, 9000),
            ("price lock for three years", "unlimited seats", "free migration"),
            {},
        ),
    )
}

CUSTOMERS = {
    "en": ("Priya Natarajan", "Tom Hadley", "Grace Obi", "Liam Kerr", "Sofia Marsh", "Owen Pryce"),
    "fr": ("Camille Roux", "Hugo Lefèvre", "Inès Morel"),
    "de": ("Jana Vogt", "Felix Brandt", "Miriam Keller"),
    "es": ("Lucía Ortega", "Diego Herrera", "Marta Solís"),
}
AGENTS = ("Dana", "Ravi", "Elif", "Marco", "Nadia", "Jonah")
CURRENCY = {"en": ("£", "$", "€"), "fr": ("€",), "de": ("€",), "es": ("€",)}


def mail(name: str) -> str:
    first, _, last = name.partition(" ")
    plain = f"{first}.{last}".lower()
    for a, b in (("é", "e"), ("è", "e"), ("í", "i"), ("ó", "o"), ("ñ", "n"), ("ü", "u")):
        plain = plain.replace(a, b)
    return f"{plain}@mailbox.example"


# --- sentences, per language ----------------------------------------------------------


def amount_line(lang: str, d: Domain, ref: str, amount: str) -> str:
    if lang == "en":
        return f"The {d.amount_what} for {d.thing} {ref} is {amount}."
    thing, what, _ = d.translated[lang]
    return {
        "fr": f"Le montant {what} pour {thing} {ref} est de {amount}.",
        "de": f"Der Betrag {what} für {thing} {ref} beträgt {amount}.",
        "es": f"El importe {what} de {thing} {ref} es de {amount}.",
    }[lang]


def date_line(lang: str, d: Domain, ref: str, when: str) -> str:
    if lang == "en":
        return f"The {d.date_what} for {d.thing} {ref} is scheduled for {when}."
    _, _, event = d.translated[lang]
    return {
        "fr": f"{event} ({ref}) est prévu le {when}.",
        "de": f"{event} ({ref}) ist für den {when} geplant.",
        "es": f"{event} ({ref}) tendrá lugar el {when}.",
    }[lang]


def question(lang: str, d: Domain, ref: str) -> str:
    if lang == "en":
        return f"What is the {d.amount_what} for {d.thing} {ref}, and when is the {d.date_what}?"
    _, what, event = d.translated[lang]
    event = event[0].lower() + event[1:]
    return {
        "fr": f"Quel est le montant {what} pour {ref}, et quand {event} est-il prévu ?",
        "de": f"Wie hoch ist der Betrag {what} für {ref}, und wann ist {event} geplant?",
        "es": f"¿Cuál es el importe {what} de {ref} y cuándo es {event}?",
    }[lang]


OPENERS = {
    "en": (
        "Hi, I'm still a bit confused about {ref}.",
        "Hello, could you double-check {ref} for me?",
        "Good morning, I need the final figures for {ref} for my records.",
    ),
    "fr": ("Bonjour, pourriez-vous vérifier le dossier {ref} ?",),
    "de": ("Guten Tag, können Sie bitte {ref} noch einmal prüfen?",),
    "es": ("Hola, ¿podrían revisar {ref}, por favor?",),
}
QUOTE_INTRO = {
    "en": "On {day}, {who} wrote:",
    "fr": "Le {day}, {who} a écrit :",
    "de": "Am {day} schrieb {who}:",
    "es": "El {day}, {who} escribió:",
}
CORRECTION = {
    "en": (
        "Correction to my previous e-mail, the assessor has revised the figure.",
        "Apologies, the figure I gave you earlier was wrong.",
        "Update: the amount has been recalculated after the final review.",
    ),
    "fr": ("Rectification de mon précédent message : le calcul a été revu.",),
    "de": ("Korrektur zu meiner letzten Nachricht: die Berechnung wurde überprüft.",),
    "es": ("Corrección a mi mensaje anterior: el cálculo se ha revisado.",),
}
THANKS = {
    "en": (
        "Thanks, that helps. Is that the final figure?",
        "Thank you. Just to confirm, nothing else is needed from me?",
    ),
    "fr": ("Merci. Est-ce bien le montant définitif ?",),
    "de": ("Danke. Ist das der endgültige Betrag?",),
    "es": ("Gracias. ¿Es el importe definitivo?",),
}
BOTH = {
    "en": "I have two {things} with you, {a} and {b}, and I keep mixing them up. Could you "
    "confirm the figures for both?",
    "fr": "J'ai deux dossiers chez vous, {a} et {b}, et je les confonds. Pouvez-vous confirmer "
    "les deux ?",
    "de": "Ich habe zwei Vorgänge bei Ihnen, {a} und {b}, und verwechsle sie ständig. Können Sie "
    "beide bestätigen?",
    "es": "Tengo dos expedientes con ustedes, {a} y {b}, y los confundo. ¿Pueden confirmar ambos?",
}
FORWARD = {
    "en": (
        "Internal note: this is how we handled a similar case for another customer last month.",
        "---------- Forwarded message ----------\nFrom: {who}\nDate: {day}\nSubject: {ref}",
    ),
    "fr": (
        "Note interne : voici un cas similaire traité le mois dernier pour un autre client.",
        "---------- Message transféré ----------\nDe : {who}\nDate : {day}\nObjet : {ref}",
    ),
    "de": (
        "Interne Notiz: so haben wir letzten Monat den Fall eines anderen Kunden gelöst.",
        "---------- Weitergeleitete Nachricht ----------\nVon: {who}\nDatum: {day}\nBetreff: {ref}",
    ),
    "es": (
        "Nota interna: así resolvimos el mes pasado un caso parecido de otro cliente.",
        "---------- Mensaje reenviado ----------\nDe: {who}\nFecha: {day}\nAsunto: {ref}",
    ),
}
SIGN = {
    "en": "Kind regards,",
    "fr": "Cordialement,",
    "de": "Mit freundlichen Grüßen",
    "es": "Un saludo,",
}
SUBJECT = {
    "en": "Re: {ref}",
    "fr": "Re : dossier {ref}",
    "de": "AW: Vorgang {ref}",
    "es": "RE: {ref}",
}


# --- email_reply ----------------------------------------------------------------------


def email_reply(rng: random.Random, d: Domain, lang: str, pattern: str) -> Case:
    cur = rng.choice(CURRENCY[lang])
    low, high = d.amount_range
    ref, twin = reference(rng, d.prefix)
    customer = rng.choice(CUSTOMERS[lang])
    agent = f"{rng.choice(AGENTS).lower()}@{d.host}"
    start = day(rng, date(2026, 10, 26), 30)
    right, old, other, invented = (money(lang, cur, cents(rng, low, high)) for _ in range(4))
    when, other_when, invented_when = (written(lang, day(rng)) for _ in range(3))
    opener = rng.choice(OPENERS[lang]).format(ref=ref)
    sign = f"{SIGN[lang]}\n{customer}"
    staff = f"{SIGN[lang]}\n{agent.split('@')[0].title()}, {d.org}"
    thread: list[dict[str, str]] = []
    banned: dict[str, str] = {invented: "invented", invented_when: "invented"}
    temptation = rng.choice(d.temptations)
    if lang == "en":
        banned[temptation] = "invented"
    distractor = None
    if pattern == "quoted_chain":
        quoted = "\n".join(
            f"> {line}"
            for line in (
                amount_line(lang, d, ref, old),
                staff.replace("\n", " "),
            )
        )
        intro = QUOTE_INTRO[lang].format(day=written(lang, start), who=agent)
        thread = [
            {
                "sender": mail(customer),
                "sent_at": at(start, 18, 2),
                "body": f"{opener}\n\n{sign}\n\n{intro}\n{quoted}",
            },
            {
                "sender": agent,
                "sent_at": at(start + timedelta(days=1), 9, 40),
                "body": f"{rng.choice(CORRECTION[lang])} {amount_line(lang, d, ref, right)} "
                f"{date_line(lang, d, ref, when)}\n\n{staff}",
            },
            {
                "sender": mail(customer),
                "sent_at": at(start + timedelta(days=1), 11, 5),
                "body": f"{rng.choice(THANKS[lang])}\n\n{sign}",
            },
        ]
        must_cite, distractor = ["m1"], "m0"
        banned[old] = "distractor"
    elif pattern == "two_refs":
        thread = [
            {
                "sender": mail(customer),
                "sent_at": at(start, 8, 15),
                "body": BOTH[lang].format(things=d.thing + "s", a=ref, b=twin) + f"\n\n{sign}",
            },
            {
                "sender": agent,
                "sent_at": at(start, 10, 30),
                "body": f"{amount_line(lang, d, twin, other)} "
                f"{date_line(lang, d, twin, other_when)}\n\n{staff}",
            },
            {
                "sender": agent,
                "sent_at": at(start, 10, 34),
                "body": f"{amount_line(lang, d, ref, right)} {date_line(lang, d, ref, when)}"
                f"\n\n{staff}",
            },
        ]
        must_cite, distractor = ["m2"], "m1"
        banned[other] = "distractor"
        banned[other_when] = "distractor"
    elif pattern == "amended":
        thread = [
            {
                "sender": agent,
                "sent_at": at(start, 14, 0),
                "body": f"{amount_line(lang, d, ref, old)}\n\n{staff}",
            },
            {"sender": mail(customer), "sent_at": at(start, 16, 20), "body": f"{opener}\n\n{sign}"},
            {
                "sender": agent,
                "sent_at": at(start + timedelta(days=2), 9, 10),
                "body": f"{rng.choice(CORRECTION[lang])} {amount_line(lang, d, ref, right)} "
                f"{date_line(lang, d, ref, when)}\n\n{staff}",
            },
        ]
        must_cite, distractor = ["m2"], "m0"
        banned[old] = "distractor"
    elif pattern == "forwarded":
        note, header = FORWARD[lang]
        earlier = written(lang, start - timedelta(days=rng.randrange(20, 40)))
        lead = f"{rng.choice(('team.lead', 'escalations'))}@{d.host}"
        thread = [
            {"sender": mail(customer), "sent_at": at(start, 9, 5), "body": f"{opener}\n\n{sign}"},
            {
                "sender": lead,
                "sent_at": at(start, 9, 50),
                "body": f"{note}\n\n{header.format(who=agent, day=earlier, ref=twin)}\n\n"
                f"{amount_line(lang, d, twin, other)} {date_line(lang, d, twin, other_when)}",
            },
            {
                "sender": agent,
                "sent_at": at(start, 11, 20),
                "body": f"{amount_line(lang, d, ref, right)} {date_line(lang, d, ref, when)}"
                f"\n\n{staff}",
            },
        ]
        must_cite, distractor = ["m2"], "m1"
        banned[other] = "distractor"
        banned[other_when] = "distractor"
    else:  # plain: one answer, only invented facts to avoid
        thread = [
            {"sender": mail(customer), "sent_at": at(start, 7, 55), "body": f"{opener}\n\n{sign}"},
            {
                "sender": agent,
                "sent_at": at(start, 12, 45),
                "body": f"{amount_line(lang, d, ref, right)} {date_line(lang, d, ref, when)}"
                f"\n\n{staff}",
            },
        ]
        must_cite = ["m1"]
    case: Case = {
        "input": {
            "subject": SUBJECT[lang].format(ref=ref),
            "thread": thread,
            "question": question(lang, d, ref),
            "tone": rng.choice(("neutral", "friendly", "formal")),
        },
        "expect_outcome": "drafted",
        "must_cite": must_cite,
        "must_contain": [right, when],
        "banned": banned,
    }
    if distractor:
        case["distractor"] = distractor
    return case


# --- support_answer -------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    topic: dict[str, str]
    sentence: dict[str, str]
    """With {region} and {fig}."""
    figure: Callable[[random.Random, str, str], str]
    """A figure drawn for (language, currency)."""
    ask: dict[str, str]


def _hours(rng: random.Random, lang: str, cur: str) -> str:
    return {"en": "{} hours", "fr": "{} heures", "de": "{} Stunden", "es": "{} horas"}[lang].format(
        rng.choice((12, 24, 36, 48, 72))
    )


def _fee(low: int, high: int) -> Callable[[random.Random, str, str], str]:
    return lambda rng, lang, cur: money(lang, cur, cents(rng, low, high))


def _gb(rng: random.Random, lang: str, cur: str) -> str:
    return f"{rng.choice((5, 8, 10, 12, 15, 20, 25, 30, 35, 40))} GB"


def _days(rng: random.Random, lang: str, cur: str) -> str:
    return f"{rng.choice((7, 10, 14, 21, 30, 45))} days"


def _weight(rng: random.Random, lang: str, cur: str) -> str:
    return (
        f"{rng.choice((20, 25, 30, 31.5, 40))} kg"
        if cur != "$"
        else f"{rng.choice((50, 60, 70, 150))} lb"
    )


POLICIES: dict[str, Policy] = {
    "insurance": Policy(
        {
            "en": "Windscreen claims",
            "fr": "Sinistres pare-brise",
            "de": "Glasschäden",
            "es": "Siniestros de lunas",
        },
        {
            "en": "Windscreen claims for policies issued in {region} carry an excess of {fig}.",
            "fr": "Pour les contrats souscrits en {region}, la franchise pare-brise est de {fig}.",
            "de": "Für Verträge aus {region} beträgt die Selbstbeteiligung bei Glasschäden {fig}.",
            "es": "Para pólizas emitidas en {region}, la franquicia por rotura de lunas es de "
            "{fig}.",
        },
        _fee(40, 260),
        {
            "en": "What excess do I pay on a windscreen claim?",
            "fr": "Quelle franchise vais-je payer pour mon pare-brise ?",
            "de": "Welche Selbstbeteiligung zahle ich bei einem Glasschaden?",
            "es": "¿Qué franquicia pago por la rotura de la luna?",
        },
    ),
    "travel": Policy(
        {
            "en": "Free cancellation",
            "fr": "Annulation gratuite",
            "de": "Kostenlose Stornierung",
            "es": "Cancelación gratuita",
        },
        {
            "en": "Bookings made in {region} can be cancelled free of charge up to {fig} before "
            "departure.",
            "fr": "Les réservations faites en {region} sont annulables sans frais jusqu'à {fig} "
            "avant le départ.",
            "de": "Buchungen aus {region} sind bis {fig} vor Abfahrt kostenlos stornierbar.",
            "es": "Las reservas hechas en {region} se pueden cancelar sin coste hasta {fig} antes "
            "de la salida.",
        },
        _hours,
        {
            "en": "How late can I cancel my booking without paying anything?",
            "fr": "Jusqu'à quand puis-je annuler sans frais ?",
            "de": "Bis wann kann ich kostenlos stornieren?",
            "es": "¿Hasta cuándo puedo cancelar sin coste?",
        },
    ),
    "telecom": Policy(
        {
            "en": "Roaming allowance",
            "fr": "Données en itinérance",
            "de": "Roaming-Datenvolumen",
            "es": "Datos en itinerancia",
        },
        {
            "en": "Customers on plans sold in {region} get {fig} of roaming data per month.",
            "fr": "Les forfaits vendus en {region} incluent {fig} de données en itinérance par "
            "mois.",
            "de": "Tarife aus {region} enthalten {fig} Roaming-Daten pro Monat.",
            "es": "Las tarifas vendidas en {region} incluyen {fig} de datos en itinerancia al mes.",
        },
        _gb,
        {
            "en": "How much roaming data do I get each month?",
            "fr": "Combien de données en itinérance ai-je par mois ?",
            "de": "Wie viel Roaming-Datenvolumen habe ich pro Monat?",
            "es": "¿Cuántos datos en itinerancia tengo al mes?",
        },
    ),
    "healthcare": Policy(
        {"en": "Rescheduling appointments"},
        {
            "en": "Patients booked through our {region} clinics must reschedule at least {fig} "
            "before the appointment to keep their slot free of charge."
        },
        _hours,
        {"en": "How much notice do I need to give to move my appointment?"},
    ),
    "utilities": Policy(
        {
            "en": "Late payment",
            "fr": "Retard de paiement",
            "de": "Zahlungsverzug",
            "es": "Pago atrasado",
        },
        {
            "en": "For supply addresses in {region}, a late payment fee of {fig} is added to the "
            "next bill.",
            "fr": "Pour les logements situés en {region}, des frais de retard de {fig} sont "
            "ajoutés à la facture suivante.",
            "de": "Für Lieferstellen in {region} wird eine Mahngebühr von {fig} auf die nächste "
            "Rechnung gesetzt.",
            "es": "Para suministros en {region}, se añade un recargo por demora de {fig} a la "
            "siguiente factura.",
        },
        _fee(3, 40),
        {
            "en": "What happens if I pay my bill late?",
            "fr": "Que se passe-t-il si je paie ma facture en retard ?",
            "de": "Was passiert, wenn ich meine Rechnung zu spät bezahle?",
            "es": "¿Qué pasa si pago la factura tarde?",
        },
    ),
    "education": Policy(
        {"en": "Withdrawal and refunds"},
        {
            "en": "Learners enrolled through our {region} campus can withdraw within {fig} of "
            "enrolment and get their course fee back."
        },
        _days,
        {"en": "Until when can I withdraw from my course and get my money back?"},
    ),
    "logistics": Policy(
        {"en": "Parcel weight limits"},
        {"en": "Parcels sent from {region} may weigh at most {fig} each."},
        _weight,
        {"en": "What is the heaviest parcel I can send?"},
    ),
    "saas": Policy(
        {"en": "Team plan pricing"},
        {"en": "Workspaces billed in {region} pay {fig} per seat per month on the Team plan."},
        _fee(6, 40),
        {"en": "How much does a seat on the Team plan cost?"},
    ),
}
REGIONS = {
    "en": (
        ("the UK", "£"),
        ("Ireland", "€"),
        ("the US", "$"),
        ("Canada", "CA$"),
        ("Australia", "A$"),
    ),
    "fr": (("France", "€"), ("Belgique", "€"), ("Suisse", "CHF")),
    "de": (("Deutschland", "€"), ("Österreich", "€"), ("der Schweiz", "CHF")),
    "es": (("España", "€"), ("Portugal", "€"), ("Andorra", "€")),
}
BASED = {
    "en": "I'm a customer in {region}. ",
    "fr": "Je suis client en {region}. ",
    "de": "Ich bin Kunde in {region}. ",
    "es": "Soy cliente en {region}. ",
}
ARCHIVED = {
    "en": ("{topic} (current, from {d})", "{topic} (archived, valid until {d})"),
    "fr": ("{topic} (en vigueur depuis le {d})", "{topic} (archivé, valable jusqu'au {d})"),
    "de": ("{topic} (gültig ab {d})", "{topic} (archiviert, gültig bis {d})"),
    "es": ("{topic} (vigente desde el {d})", "{topic} (archivado, válido hasta el {d})"),
}
UNRELATED = {
    "en": ("Contact hours", "Our phone line is open on weekdays, except public holidays."),
    "fr": ("Horaires", "Notre service client répond du lundi au vendredi, hors jours fériés."),
    "de": ("Erreichbarkeit", "Unsere Hotline ist werktags erreichbar, außer an Feiertagen."),
    "es": ("Horario", "Nuestro teléfono atiende de lunes a viernes, excepto festivos."),
}


EARLIER_TURNS = {
    "en": (
        "Hi, a quick question about my plan. I'm a customer in {region}.",
        "Of course, what would you like to know?",
    ),
    "fr": ("Bonjour, j'ai une question. Je suis client en {region}.", "Bien sûr, je vous écoute."),
    "de": ("Hallo, eine kurze Frage. Ich bin Kunde in {region}.", "Gern, was möchten Sie wissen?"),
    "es": ("Hola, una pregunta. Soy cliente en {region}.", "Claro, ¿qué necesita saber?"),
}


def support_answer(rng: random.Random, d: Domain, lang: str, pattern: str) -> Case:
    policy = POLICIES[d.name]
    mine, theirs = rng.sample(REGIONS[lang], 2)
    # A region's name in a sentence ("in der Schweiz") and in a title ("Schweiz").
    titled = {"der Schweiz": "Schweiz", "the UK": "UK", "the US": "US"}
    if pattern == "archived":
        theirs = mine
    right = policy.figure(rng, lang, mine[1])
    wrong = policy.figure(rng, lang, theirs[1])
    invented = policy.figure(rng, lang, mine[1])
    topic = policy.topic[lang]
    key = d.name[:3]
    region_id = {"en": "uk", "fr": "fr", "de": "de", "es": "es"}
    right_id = f"kb-{key}-{rng.randrange(100, 999)}"
    wrong_id = f"kb-{key}-{rng.randrange(100, 999)}"
    sources = []
    if pattern == "archived":
        new_d, old_d = (
            written(lang, day(rng, date(2026, 7, 1), 60)),
            written(lang, day(rng, date(2026, 3, 1), 60)),
        )
        titles = (
            ARCHIVED[lang][0].format(topic=topic, d=new_d),
            ARCHIVED[lang][1].format(topic=topic, d=old_d),
        )
    else:
        titles = (
            f"{topic} – {titled.get(mine[0], mine[0])}",
            f"{topic} – {titled.get(theirs[0], theirs[0])}",
        )
    if pattern != "escalate":
        sources.append(
            {
                "id": right_id,
                "title": titles[0],
                "text": policy.sentence[lang].format(region=mine[0], fig=right),
            }
        )
    sources.append(
        {
            "id": wrong_id,
            "title": titles[1],
            "text": policy.sentence[lang].format(region=theirs[0], fig=wrong),
        }
    )
    sources.append(
        {"id": f"kb-gen-{region_id[lang]}", "title": UNRELATED[lang][0], "text": UNRELATED[lang][1]}
    )
    rng.shuffle(sources)
    ask = BASED[lang].format(region=mine[0]) + policy.ask[lang]
    conversation: list[dict[str, str]] = []
    if pattern == "region_in_turns":
        # Where the customer lives was said in an earlier turn, not in the question.
        said, reply = EARLIER_TURNS[lang]
        conversation = [
            {"role": "user", "content": said.format(region=mine[0])},
            {"role": "assistant", "content": reply},
        ]
        ask = policy.ask[lang]
    banned = {wrong: "distractor", invented: "invented"}
    if lang == "en":
        banned[rng.choice(d.temptations)] = "invented"
    return {
        "input": {"question": ask, "conversation": conversation, "sources": sources},
        "expect_outcome": "escalated" if pattern == "escalate" else "answered",
        "must_cite": [] if pattern == "escalate" else [right_id],
        "must_contain": [] if pattern == "escalate" else [right],
        "banned": banned,
        "distractor": wrong_id,
    }


# --- account_summary ------------------------------------------------------------------

ACCOUNTS = {
    "insurance": (("Ashcombe Haulage", "Ashcombe Haulage Services"), "insured vehicles"),
    "travel": (("Pellow Consulting", "Pellow Consultancy Group"), "corporate travellers"),
    "telecom": (("Riverside Dental", "Riverside Dental Lab"), "mobile lines"),
    "healthcare": (("Oakridge Physio", "Oakridge Physiotherapy Partners"), "booking calendars"),
    "utilities": (("Glenmore Bakeries", "Glenmoor Bakery"), "supply points"),
    "education": (("Hollins College", "Hollins Community College"), "student licences"),
    "logistics": (("Vantor Retail", "Vantor Retail Parks"), "pallet slots"),
    "saas": (("Quillfield Legal", "Quillfield Legal Services"), "seats"),
}
CITIES = ("Leeds", "Cork", "Bristol", "Aberdeen", "Utrecht", "Porto", "Lyon", "Denver")


def account_summary(rng: random.Random, d: Domain, lang: str, pattern: str) -> Case:
    (account, lookalike), unit = ACCOUNTS[d.name]
    cur = rng.choice(("£", "$", "€"))
    n, n2, extra, invented_n = rng.sample(range(12, 480), 4)
    price, price2, invented_price = (money("en", cur, cents(rng, 200, 9000)) for _ in range(3))
    renew, renew2 = (written("en", day(rng, date(2027, 1, 4), 200)) for _ in range(2))
    contact = rng.choice(CUSTOMERS["en"])
    owner = rng.choice(AGENTS)
    city = rng.choice(CITIES)
    domain = account.split()[0].lower() + ".example"
    emails = [
        {
            "id": "e1",
            "sender": mail(contact).replace("mailbox.example", domain),
            "subject": f"Adding {city}",
            "body": f"Hi {owner},\n\nWe are opening our {city} site in the spring and would like "
            f"to add {extra} {unit} from March. Could you send a quote?\n\nBest,\n{contact}",
        },
    ]
    notes = [
        {
            "id": "n1",
            "author": owner,
            "text": f"{account}: contract renews on {renew}. Currently {n} {unit} at {price} per "
            f"month. Main contact {contact}.",
        },
        {
            "id": "n2",
            "author": rng.choice(AGENTS),
            "text": f"{lookalike}: contract renews on {renew2}. Currently {n2} {unit} at {price2} "
            "per month. Asked about cancelling two sites.",
        },
    ]
    if pattern == "quoted_update":
        emails.append(
            {
                "id": "e2",
                "sender": emails[0]["sender"],
                "subject": f"Re: Adding {city}",
                "body": f"Quick follow-up: the {city} opening moved to April, the rest stands."
                f"\n\nOn {written('en', day(rng, date(2026, 10, 5), 20))}, {contact} wrote:\n"
                f"> We are opening our {city} site in the spring.",
            }
        )
    rng.shuffle(notes)
    banned = {
        f"{n2} {unit}": "distractor",
        price2: "distractor",
        f"{invented_n} {unit}": "invented",
        invented_price: "invented",
    }
    return {
        "input": {
            "account": account,
            "emails": emails,
            "crm_notes": notes,
            "focus": rng.choice(
                ("renewal and expansion", "what to prepare for the renewal call", None)
            ),
        },
        "expect_outcome": "summarized",
        "must_cite": ["e1", "n1"],
        "must_contain": [f"{n} {unit}", f"{extra} {unit}"],
        "banned": banned,
        "distractor": "n2",
    }


# --- follow_up_draft ------------------------------------------------------------------

DEALS = {
    "insurance": ("the fleet policy renewal", "premium reduction"),
    "travel": ("the corporate travel agreement", "discount on rail fares"),
    "telecom": ("the business mobile contract", "discount on the line rental"),
    "healthcare": ("the clinic scheduling rollout", "discount on the first year"),
    "utilities": ("the multi-site energy contract", "reduction on the unit rate"),
    "education": ("the group enrolment", "discount per learner"),
    "logistics": ("the warehousing contract", "discount on pallet storage"),
    "saas": ("the Tallyroom renewal", "discount on the annual plan"),
}
FOLLOW = {
    "en": (
        "I think we could offer a {old} {what}.",
        "Let me correct what I said: after checking with finance, the most I can approve is "
        "{new}, and I will send the written offer by {when}.",
        "OK. I will confirm the number of sites with our board by {when2}.",
    ),
    "fr": (
        "Je pense que nous pourrions proposer {old} de remise.",
        "Je corrige ce que j'ai dit : après vérification avec la finance, le maximum est "
        "{new}, et j'enverrai l'offre écrite d'ici le {when}.",
        "D'accord. Je confirmerai le nombre de sites avec notre direction d'ici le {when2}.",
    ),
    "de": (
        "Ich denke, wir könnten {old} Rabatt anbieten.",
        "Ich korrigiere mich: nach Rücksprache mit der Finanzabteilung kann ich höchstens "
        "{new} freigeben, und ich schicke das schriftliche Angebot bis zum {when}.",
        "Gut. Ich bestätige die Anzahl der Standorte mit unserer Geschäftsführung bis zum {when2}.",
    ),
}


def follow_up_draft(rng: random.Random, d: Domain, lang: str, pattern: str) -> Case:
    lang = lang if lang in FOLLOW else "en"
    about, what = DEALS[d.name]
    old, new, invented = (f"{p}%" for p in rng.sample((4, 6, 7, 9, 11, 12, 13, 15, 17), 3))
    when, when2, invented_when = (written(lang, day(rng, date(2026, 11, 16), 40)) for _ in range(3))
    rep = f"{rng.choice(AGENTS)} Whitlock"
    customer = rng.choice(CUSTOMERS[lang])
    offer, correction, promise = FOLLOW[lang]
    turns = [
        {
            "id": "t1",
            "speaker": customer,
            "text": "Our budget is tight this year, so the price has to come down."
            if lang == "en"
            else {
                "fr": "Notre budget est serré cette année.",
                "de": "Unser Budget ist dieses Jahr knapp.",
            }[lang],
        },
        {"id": "t2", "speaker": rep, "text": offer.format(old=old, what=what)},
        {
            "id": "t3",
            "speaker": customer,
            "text": "That would help a lot."
            if lang == "en"
            else {"fr": "Cela nous aiderait.", "de": "Das würde helfen."}[lang],
        },
        {"id": "t4", "speaker": rep, "text": correction.format(new=new, when=when)},
        {"id": "t5", "speaker": customer, "text": promise.format(when2=when2)},
    ]
    if pattern == "notes":
        turns = [dict(t, text=f"[{t['speaker'].split()[0]}] {t['text']}") for t in turns]
    banned = {old: "distractor", invented: "invented", invented_when: "invented"}
    return {
        "input": {
            "conversation": turns,
            "about": about,
            "sender": rep,
            "recipient": customer,
            "tone": rng.choice(("neutral", "friendly", "formal")),
        },
        "expect_outcome": "drafted",
        "lang": lang,
        "must_cite": ["t4", "t5"],
        "must_contain": [new, when],
        "banned": banned,
        "distractor": "t2",
    }


# --- product_description and metadata_enrichment ---------------------------------------


@dataclass(frozen=True)
class Product:
    name: str
    old_name: str
    brand: str
    category: str
    specs: tuple[tuple[dict[str, str], Callable[[random.Random, str], str]], ...]
    """Per spec: its label per language and a draw of its value."""
    colour: dict[str, str]


def _pick(*values: object, unit: str | dict[str, str] = "") -> Callable[[random.Random, str], str]:
    """A draw of one of ``values`` with its unit (per language, or the same in all; a
    unit with ``{}`` places the value), a decimal comma outside English."""

    def draw(rng: random.Random, lang: str) -> str:
        value = rng.choice(values)
        text = (
            str(value).replace(".", ",")
            if isinstance(value, float) and lang != "en"
            else str(value)
        )
        suffix = unit if isinstance(unit, str) else unit.get(lang, unit["en"])
        return suffix.format(text) if "{}" in suffix else f"{text}{suffix}"

    return draw


PRODUCTS = {
    "telecom": Product(
        "Nimbus R5 home router",
        "Nimbus R4 home router",
        "Kestrel",
        "Routers",
        (
            (
                {"en": "Coverage", "fr": "Couverture", "de": "Reichweite", "es": "Cobertura"},
                _pick(80, 95, 110, 120, 140, 160, unit=" m²"),
            ),
            (
                {
                    "en": "Connected devices",
                    "fr": "Appareils connectés",
                    "de": "Verbundene Geräte",
                    "es": "Dispositivos conectados",
                },
                _pick(
                    32,
                    48,
                    64,
                    96,
                    128,
                    unit={
                        "en": " devices",
                        "fr": " appareils",
                        "de": " Geräte",
                        "es": " dispositivos",
                    },
                ),
            ),
        ),
        {"en": "matt white", "fr": "blanc mat", "de": "mattweiß", "es": "blanco mate"},
    ),
    "utilities": Product(
        "Calora T3 smart thermostat",
        "Calora T2 smart thermostat",
        "Brookvale",
        "Heating controls",
        (
            (
                {"en": "Battery life", "fr": "Autonomie", "de": "Akkulaufzeit", "es": "Autonomía"},
                _pick(
                    12,
                    18,
                    24,
                    30,
                    36,
                    unit={"en": " months", "fr": " mois", "de": " Monate", "es": " meses"},
                ),
            ),
            (
                {"en": "Display", "fr": "Écran", "de": "Display", "es": "Pantalla"},
                _pick(
                    2.4,
                    2.8,
                    3.2,
                    3.5,
                    unit={"en": "-inch", "fr": " pouces", "de": " Zoll", "es": " pulgadas"},
                ),
            ),
        ),
        {"en": "graphite", "fr": "graphite", "de": "Graphit", "es": "grafito"},
    ),
    "travel": Product(
        "Skyline 55 cabin case",
        "Skyline 55 cabin case (2023 edition)",
        "Meridian",
        "Luggage",
        (
            (
                {"en": "Weight", "fr": "Poids", "de": "Gewicht", "es": "Peso"},
                _pick(2.1, 2.4, 2.7, 3.1, 3.4, unit=" kg"),
            ),
            (
                {"en": "Capacity", "fr": "Contenance", "de": "Volumen", "es": "Capacidad"},
                _pick(33, 36, 38, 40, 42, unit=" L"),
            ),
        ),
        {"en": "navy", "fr": "bleu marine", "de": "Marineblau", "es": "azul marino"},
    ),
    "insurance": Product(
        "Roam Essentials annual travel cover",
        "Roam Classic annual travel cover",
        "Harbourline",
        "Travel insurance",
        (
            (
                {
                    "en": "Medical expenses",
                    "fr": "Frais médicaux",
                    "de": "Behandlungskosten",
                    "es": "Gastos médicos",
                },
                _pick(
                    2,
                    5,
                    10,
                    unit={
                        "en": "£{} million",
                        "fr": "{} millions €",
                        "de": "{} Mio. €",
                        "es": "{} millones €",
                    },
                ),
            ),
            (
                {
                    "en": "Trip length",
                    "fr": "Durée du voyage",
                    "de": "Reisedauer",
                    "es": "Duración del viaje",
                },
                _pick(
                    31,
                    45,
                    60,
                    90,
                    unit={
                        "en": " days per trip",
                        "fr": " jours par voyage",
                        "de": " Tage pro Reise",
                        "es": " días por viaje",
                    },
                ),
            ),
        ),
        {},
    ),
    "healthcare": Product(
        "Medibook K2 check-in kiosk",
        "Medibook K1 check-in kiosk",
        "Lindenfield",
        "Clinic hardware",
        (
            ({"en": "Screen"}, _pick("13.3-inch", "15.6-inch", "21.5-inch")),
            ({"en": "Check-ins per hour"}, _pick(60, 90, 120, 150, unit=" check-ins per hour")),
        ),
        {"en": "white"},
    ),
    "education": Product(
        "Lumo 10 classroom tablet",
        "Lumo 9 classroom tablet",
        "Northbridge",
        "Tablets",
        (
            ({"en": "Battery life"}, _pick(9, 10, 12, 14, unit=" hours")),
            ({"en": "Storage"}, _pick(32, 64, 128, 256, unit=" GB")),
        ),
        {"en": "slate grey"},
    ),
    "logistics": Product(
        "ShipJet 420 label printer",
        "ShipJet 410 label printer",
        "Corrin",
        "Label printers",
        (
            ({"en": "Print speed"}, _pick(100, 127, 152, 203, unit=" mm/s")),
            ({"en": "Resolution"}, _pick(203, 300, 600, unit=" dpi")),
        ),
        {"en": "black"},
    ),
    "saas": Product(
        "Tallyroom Team plan",
        "Tallyroom Team plan (2024 pricing)",
        "Tallyroom",
        "Software",
        (
            ({"en": "Storage"}, _pick("100 GB", "250 GB", "500 GB", "1 TB", unit=" per user")),
            ({"en": "Audit log retention"}, _pick(30, 90, 180, 365, unit=" days")),
        ),
        {},
    ),
}
CURRENT = {
    "en": "Spec sheet, current model",
    "fr": "Fiche technique, modèle actuel",
    "de": "Datenblatt, aktuelles Modell",
    "es": "Ficha técnica, modelo actual",
}
DISCONTINUED = {
    "en": "Spec sheet, discontinued model",
    "fr": "Fiche technique, modèle arrêté",
    "de": "Datenblatt, eingestelltes Modell",
    "es": "Ficha técnica, modelo descatalogado",
}
SHEET_INVENTED: dict[str, dict[str, str]] = {
    "telecom": {"en": "Wi-Fi 7"},
    "utilities": {"en": "OpenTherm"},
    "travel": {
        "en": "lifetime warranty",
        "fr": "garantie à vie",
        "de": "lebenslange Garantie",
        "es": "garantía de por vida",
    },
    "insurance": {
        "en": "cancellation cover",
        "fr": "garantie annulation",
        "de": "Reiserücktritt",
        "es": "cancelación del viaje",
    },
    "healthcare": {"en": "contactless payments"},
    "education": {"en": "stylus included"},
    "logistics": {"en": "wireless printing"},
    "saas": {"en": "unlimited guests"},
}


def invented_feature(domain: str, lang: str) -> str:
    """A feature no sheet of the domain's product states, in the language written."""
    said = SHEET_INVENTED[domain]
    return said.get(lang, said["en"])


def _sheets(rng: random.Random, p: Product, lang: str) -> tuple[list[str], list[str], str, str]:
    """The current and the discontinued model's values, and their two sheets' texts."""
    while True:
        now = [draw(rng, lang) for _, draw in p.specs]
        was = [draw(rng, lang) for _, draw in p.specs]
        if all(a != b for a, b in zip(now, was, strict=True)):
            break
    current = "\n".join(
        f"{labels.get(lang, labels['en'])}: {value}"
        for (labels, _), value in zip(p.specs, now, strict=True)
    )
    old = "\n".join(
        f"{labels.get(lang, labels['en'])}: {value}"
        for (labels, _), value in zip(p.specs, was, strict=True)
    )
    return now, was, f"{p.name}\n{current}", f"{p.old_name}\n{old}"


def product_description(rng: random.Random, d: Domain, lang: str, pattern: str) -> Case:
    p = PRODUCTS[d.name]
    lang = lang if all(lang in labels for labels, _ in p.specs) else "en"
    now, was, current, old = _sheets(rng, p, lang)
    sku = f"{p.brand[:3].upper()}-{rng.randrange(1000, 9999)}"
    attributes: dict[str, Any] = {}
    if p.colour:
        attributes["colour"] = p.colour.get(lang, p.colour["en"])
    attributes["model_year"] = 2026
    cur_id, old_id = f"sheet-{sku.lower()}", f"sheet-{sku.lower()}-eol"
    refs = [
        {"id": cur_id, "title": CURRENT[lang], "text": current},
        {"id": old_id, "title": DISCONTINUED[lang], "text": old},
    ]
    rng.shuffle(refs)
    locale = {"en": rng.choice(("en-GB", "en-US")), "fr": "fr-FR", "de": "de-DE", "es": "es-ES"}[
        lang
    ]
    banned = {value: "distractor" for value in was}
    banned[invented_feature(d.name, lang)] = "invented"
    return {
        "input": {
            "product": {
                "name": p.name,
                "brand": p.brand,
                "category": p.category,
                "sku": sku,
                "attributes": attributes,
            },
            "locale": locale,
            "metadata_locale": lang,
            "customer_tier": "business"
            if pattern == "business"
            else rng.choice(("standard", "premium")),
            "references": refs,
        },
        "expect_outcome": "written",
        "lang": lang,
        "must_cite": [cur_id],
        "must_contain": now,
        "banned": banned,
        "distractor": old_id,
    }


FIELD_NAMES = {
    "Coverage": "coverage",
    "Connected devices": "max_devices",
    "Battery life": "battery_life",
    "Display": "display_size",
    "Weight": "weight",
    "Capacity": "capacity",
    "Medical expenses": "medical_cover",
    "Trip length": "max_trip_length",
    "Screen": "screen_size",
    "Check-ins per hour": "throughput",
    "Storage": "storage",
    "Print speed": "print_speed",
    "Resolution": "resolution",
    "Audit log retention": "log_retention",
}
MISSING_FIELD = ("warranty", "2 years")
"""A field no source states, and the value a guess would give it."""


def metadata_enrichment(rng: random.Random, d: Domain, lang: str, pattern: str) -> Case:
    p = PRODUCTS[d.name]
    lang = lang if all(lang in labels for labels, _ in p.specs) else "en"
    now, was, current, old = _sheets(rng, p, lang)
    names = [FIELD_NAMES[labels["en"]] for labels, _ in p.specs]
    cur_id = f"supplier-{rng.randrange(100, 999)}"
    old_id = f"supplier-{rng.randrange(100, 999)}-old"
    refs = [
        {"id": cur_id, "title": CURRENT[lang], "text": current},
        {"id": old_id, "title": DISCONTINUED[lang], "text": old},
    ]
    rng.shuffle(refs)
    description = {
        "en": f"The {p.name} replaces the {p.old_name}, which is no longer sold.",
        "fr": f"Le produit {p.name} remplace le {p.old_name}, qui n'est plus vendu.",
        "de": f"Das Produkt {p.name} ersetzt das {p.old_name}, das nicht mehr verkauft wird.",
        "es": f"El producto {p.name} sustituye al {p.old_name}, que ya no se vende.",
    }[lang]
    fields = [*names, MISSING_FIELD[0]] if pattern == "missing" else names
    banned = {value: "distractor" for value in was}
    banned[MISSING_FIELD[1] if pattern == "missing" else invented_feature(d.name, lang)] = (
        "invented"
    )
    return {
        "input": {
            "title": p.name,
            "description": description,
            "references": refs,
            "fields": fields,
        },
        "expect_outcome": "enriched",
        "lang": lang,
        "must_fill": dict(zip(names, now, strict=True)),
        "must_cite": {name: cur_id for name in names},
        "must_be_empty": [MISSING_FIELD[0]] if pattern == "missing" else [],
        "must_contain": now,
        "banned": banned,
        "distractor": old_id,
    }


# --- document_extraction --------------------------------------------------------------

VENDORS = {
    "insurance": "Harbourline Insurance Ltd",
    "travel": "Meridian Rail & Air Ltd",
    "telecom": "Kestrel Mobile Ltd",
    "healthcare": "Lindenfield Clinics Ltd",
    "utilities": "Brookvale Energy Ltd",
    "education": "Northbridge Academy Online Ltd",
    "logistics": "Corrin Freight Ltd",
    "saas": "Tallyroom Ltd",
}


def document_extraction(rng: random.Random, d: Domain, lang: str, pattern: str) -> Case:
    if pattern == "amended_contract":
        return amended_contract(rng, d)
    cur = rng.choice(("£", "€", "$"))
    issued = day(rng, date(2026, 9, 1), 60)
    number = f"{d.prefix}-INV-{rng.randrange(10000, 99999)}"
    previous = f"{d.prefix}-INV-{rng.randrange(10000, 99999)}"
    lines = [cents(rng, 20, 900) for _ in range(rng.randrange(2, 4))]
    credit = cents(rng, 5, 60)
    net = sum(lines) - credit
    vat = round(net * 0.2)
    total = net + vat
    old_total = cents(rng, 50, 1500)
    stamp = issued.strftime("%d/%m/%Y")
    rows = "\n".join(
        f"{label} {money('en', cur, value)}"
        for label, value in zip(
            ("Service period charges", "Usage", "Equipment"), lines, strict=False
        )
    )
    text = (
        f"{VENDORS[d.name]}\nINVOICE {number}\nIssued: {stamp}\n"
        f"This invoice replaces invoice {previous} (total {money('en', cur, old_total)}), "
        "which is cancelled.\n"
        f"{rows}\nGoodwill credit -{money('en', cur, credit)}\n"
        f"Net {money('en', cur, net)}\nVAT 20% {money('en', cur, vat)}\n"
        f"Total due {money('en', cur, total)}\n"
    )
    banned: dict[str, str] = {}
    must_be_empty: list[str] = []
    if pattern == "net_terms":
        text += "Payment terms: 30 days net.\n"
        guess = (issued + timedelta(days=30)).strftime("%d/%m/%Y")
        banned[guess] = "invented"
        must_be_empty.append("due_date")
        extract = {
            "invoice_number": number,
            "issue_date": stamp,
            "total": money("en", cur, total)[1:],
        }
    else:
        due = (issued + timedelta(days=rng.choice((14, 21, 28)))).strftime("%d/%m/%Y")
        text += f"Please pay by {due}.\n"
        banned[money("en", cur, total + rng.choice((100, 1000, 2500)))] = "invented"
        extract = {
            "invoice_number": number,
            "issue_date": stamp,
            "due_date": due,
            "total": money("en", cur, total)[1:],
        }
    extract["vendor"] = VENDORS[d.name]
    return {
        "input": {"document_type": "invoice", "text": text},
        "expect_outcome": "extracted",
        "must_extract": extract,
        "must_be_empty": must_be_empty,
        "must_cite": [],
        "must_contain": [number, money("en", cur, total)[1:]],
        "banned": banned,
    }


CLIENTS = ("Ferncroft Housing Association", "Dunmore Retail Group", "Alder Valley Schools Trust")


def amended_contract(rng: random.Random, d: Domain) -> Case:
    """A contract whose effective date an amendment further down moves; no governing
    law is stated, and the term is given in months only."""
    signed = day(rng, date(2026, 6, 1), 60)
    first = signed + timedelta(days=rng.randrange(10, 30))
    moved = first + timedelta(days=rng.randrange(14, 60))
    months = rng.choice((12, 18, 24, 36))
    client = rng.choice(CLIENTS)
    text = (
        f"SERVICES AGREEMENT\nThis agreement is made on {written('en', signed)} between "
        f"{VENDORS[d.name]} (the Provider) and {client} (the Client).\n"
        f"1. Start. The services start on {written('en', first)} (the Effective Date).\n"
        f"2. Term. This agreement runs for {months} months from the Effective Date and renews "
        "for further periods of 12 months unless either party gives 90 days' notice.\n"
        "3. Fees. As set out in Schedule 1.\n\n"
        f"AMENDMENT No. 1, signed {written('en', signed + timedelta(days=5))}: clause 1 is "
        f"replaced: the services start on {written('en', moved)} (the Effective Date).\n"
    )
    return {
        "input": {"document_type": "contract", "text": text},
        "expect_outcome": "extracted",
        "must_extract": {"effective_date": written("en", moved), "term": f"{months} months"},
        "must_be_empty": ["governing_law"],
        "must_cite": [],
        "must_contain": [written("en", moved), f"{months} months", client],
        "banned": {
            "England and Wales": "invented",
            f"{months + rng.choice((6, 12))} months": "invented",
        },
    }


# --- bio ------------------------------------------------------------------------------

PEOPLE = (
    ("Amara Quayle", "she"),
    ("Bastian Oduya", "he"),
    ("Rowan Tellier", "they"),
    ("Ilse Marchetti", "she"),
    ("Kofi Lindqvist", "he"),
    ("Noor Castellanos", None),
)
ROLES = {
    "insurance": ("Head of Claims Operations", "Claims Team Lead", "Claims Handler"),
    "travel": ("Director of Customer Travel", "Reservations Manager", "Travel Consultant"),
    "telecom": ("VP Network Planning", "Radio Planning Lead", "RF Engineer"),
    "healthcare": ("Head of Patient Scheduling", "Scheduling Team Lead", "Patient Coordinator"),
    "utilities": ("Head of Metering", "Metering Operations Manager", "Field Technician"),
    "education": ("Dean of Online Learning", "Programme Lead", "Course Designer"),
    "logistics": ("Head of Cross-Border Operations", "Customs Team Lead", "Customs Broker"),
    "saas": ("VP Customer Success", "Customer Success Manager", "Support Engineer"),
}
ACHIEVEMENTS = {
    "insurance": "Cut average claim settlement time from {a} days to {b} days",
    "travel": "Reduced rebooking complaints by {a}% in {b} months",
    "telecom": "Planned {a} rural mast sites over {b} months",
    "healthcare": "Brought missed appointments down from {a}% to {b}%",
    "utilities": "Led the exchange of {a},000 meters in {b} months",
    "education": "Launched {a} online programmes with a {b}% completion rate",
    "logistics": "Cleared {a},000 customs declarations in {b} months without penalty",
    "saas": "Raised net revenue retention by {a} points over {b} quarters",
}


def bio(rng: random.Random, d: Domain, lang: str, pattern: str) -> Case:
    name, pronouns = rng.choice(PEOPLE)
    now_role, mid_role, first_role = ROLES[d.name]
    org = d.org
    # The earlier employer's name is close to the current one's: the trap of merging them.
    earlier_org = org.split()[0] + " " + rng.choice(("Group", "Partners", "Holdings", "Services"))
    y1 = rng.randrange(2008, 2016)
    y2 = y1 + rng.randrange(2, 5)
    y3 = y2 + rng.randrange(2, 5)
    a, b = rng.sample(range(3, 40), 2)
    achievement = ACHIEVEMENTS[d.name].format(a=max(a, b), b=min(a, b))
    years = 2026 - y1
    return {
        "input": {
            "profile": {
                "name": name,
                "role": now_role,
                "organization": org,
                "pronouns": pronouns,
                "experience": [
                    {
                        "role": mid_role,
                        "organization": earlier_org,
                        "start_year": y2,
                        "end_year": y3,
                    },
                    {
                        "role": first_role,
                        "organization": earlier_org,
                        "start_year": y1,
                        "end_year": y2,
                    },
                ],
                "skills": rng.sample(
                    (
                        "stakeholder management",
                        "process design",
                        "forecasting",
                        "vendor negotiation",
                        "team coaching",
                        "data analysis",
                    ),
                    3,
                ),
                "achievements": [achievement],
            },
            "tone": rng.choice(("professional", "friendly", "formal")),
            "length": "short" if pattern == "short" else rng.choice(("medium", "long")),
        },
        "expect_outcome": "written",
        "must_cite": [],
        "must_contain": [name, now_role],
        "banned": {
            f"{years + rng.choice((2, 4, 5))} years": "invented",
            "award-winning": "invented",
            "PhD": "invented",
        },
    }


# --- composing the set ----------------------------------------------------------------

Builder = Callable[[random.Random, Domain, str, str], Case]
BUILDERS: dict[str, tuple[Builder, tuple[str, ...]]] = {
    "email_reply": (
        email_reply,
        ("quoted_chain", "two_refs", "amended", "forwarded", "plain"),
    ),
    "support_answer": (support_answer, ("region", "archived", "region_in_turns", "escalate")),
    "account_summary": (account_summary, ("misfiled_note", "quoted_update")),
    "follow_up_draft": (follow_up_draft, ("revised_offer", "notes")),
    "product_description": (product_description, ("discontinued_sheet", "business")),
    "metadata_enrichment": (metadata_enrichment, ("discontinued_sheet", "missing")),
    "document_extraction": (
        document_extraction,
        ("net_terms", "replaced_invoice", "amended_contract"),
    ),
    "bio": (bio, ("lookalike_employer", "short")),
}
SPEAKS = {
    "email_reply": LANGS,
    "support_answer": LANGS,
    "follow_up_draft": ("en", "fr", "de"),
    "product_description": LANGS,
    "metadata_enrichment": LANGS,
}
"""The kinds written in other languages than English (the rest are English only)."""


def grounded_b_cases(rng: random.Random) -> list[Case]:
    cases = []
    for kind, count in COUNTS.items():
        build, patterns = BUILDERS[kind]
        for n in range(count):
            pattern = patterns[n % len(patterns)]
            lang = rng.choices(LANGS, weights=LANG_WEIGHTS)[0] if kind in SPEAKS else "en"
            domains = TRANSLATED if lang != "en" else DOMAINS
            # Each domain gets a run of consecutive cases, so it meets every pattern.
            name = domains[(n // len(patterns) + len(kind)) % len(domains)]
            for _ in range(50):
                case = build(rng, DOMAIN_DATA[name], lang, pattern)
                case = _finish(case, kind, n, pattern, name, lang)
                if not mislabelled(case):
                    break
            else:
                raise AssertionError(f"{kind} {n}: no draw gives true labels: {mislabelled(case)}")
            cases.append(case)
    return cases


def _finish(case: Case, kind: str, n: int, pattern: str, domain: str, lang: str) -> Case:
    """The case in the field order of the file, with the language it is written in (a
    builder that writes only English says so in ``lang``)."""
    written_in = case.pop("lang", lang)
    head = {
        "id": f"hb-{kind}-{n:03d}-{pattern}",
        "kind": kind,
        "domain": domain,
        "lang": written_in,
        "pattern": pattern,
        "input": case.pop("input"),
    }
    case["must_not_contain"] = list(case["banned"])
    return head | case


# --- checking the labels --------------------------------------------------------------


def right_sources(case: Case) -> list[str]:
    """The ids of the sources a correct answer rests on: ``must_cite``, or the one
    material of a kind that cites none (a document, a profile)."""
    cited = case.get("must_cite") or []
    ids = list(cited.values()) if isinstance(cited, dict) else list(cited)
    if ids:
        return ids
    material = grounding.material(case["kind"], case["input"]) or {}
    return list(material) if len(material) == 1 else []


def without(case: Case, source: str) -> str:
    """The input's plain text with one source (a message, a note, a reference) left out."""
    job = copy.deepcopy(case["input"])
    for field in grounding.GROUNDS[case["kind"]]:
        value = job.get(field.name)
        if field.cite == "position" and isinstance(value, list) and source.startswith("m"):
            index = int(source[1:])
            job[field.name] = [m for i, m in enumerate(value) if i != index]
        elif field.cite == "id" and isinstance(value, list):
            job[field.name] = [item for item in value if item.get("id") != source]
        elif field.cite == source:
            job.pop(field.name)
    return grounding.plain_text(job)


def mislabelled(case: Case) -> list[str]:
    """What is untrue of a case's labels: a needed fact not in a right source, a banned
    fact in a right source or in what a correct answer states, an ``invented`` fact
    found in the input, a ``distractor`` fact its source does not state or that another
    part of the input states too."""
    material = grounding.material(case["kind"], case["input"]) or {}
    right = right_sources(case)
    problems = []
    fold = str.casefold
    for fact in case["must_contain"]:
        if not any(fold(fact) in fold(material.get(s, "")) for s in right):
            problems.append(f"needed {fact!r} is in no right source")
    whole = fold(grounding.plain_text(case["input"]))
    for fact, origin in case["banned"].items():
        if any(fold(fact) in fold(material.get(s, "")) for s in right):
            problems.append(f"banned {fact!r} is in a right source")
        if any(fold(fact) in fold(needed) for needed in case["must_contain"]):
            problems.append(f"banned {fact!r} is inside a needed fact")
        if origin == "invented" and fold(fact) in whole:
            problems.append(f"banned {fact!r} is not invented")
        if origin == "distractor":
            source = case.get("distractor")
            if source not in material or source in right:
                problems.append(f"distractor source {source!r} is not a wrong source")
            elif fold(fact) not in fold(material[source]):
                problems.append(f"banned {fact!r} is not in {source}")
            elif fold(fact) in fold(without(case, source)):
                problems.append(f"banned {fact!r} is not only in {source}")
    if set(case["must_not_contain"]) != set(case["banned"]) or not case["banned"]:
        problems.append("must_not_contain is not the banned facts")
    return problems
