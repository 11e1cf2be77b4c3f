"""The tenth held-out grounded set (``heldout/grounded_j``), written blind.

Written without reading the earlier grounded sets, the offline provider, the prompts,
the guards or the kinds' rules, to be run once, at the end, by someone who did not
write it. Twelve small-service domains (locksmiths to mobile car valeting), English
with French, German and Spanish in every kind, figures written the language's way.

About 40 % of the cases are plain (one relevant source); about 30 % carry a trap of a
family the earlier sets used, in new forms (a neighbouring package's page, another
customer's quote forwarded, a staff member's "scratch that" correction, a dated
change log under the price, an amended invoice, the answering source missing); about
30 % a new family: a competitor's price the customer quotes, a customer testimonial
on the price page, a community forum post, a sample invoice with illustrative
figures, and a bio whose two yearly counts an answer must not add up.

Every case bans a plausible figure found nowhere in the input (``invented``);
:func:`mislabelled` checks every label against the input and the generator draws a
case again until its labels hold. A wrong figure never shares a line with the right
one, so an answer quoting the line it relies on is never counted wrong.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from evals import grounding, metrics

SEED = 20261215
LANGS = ("en", "fr", "de", "es")
NON_ENGLISH_EVERY = 4
"""Every fourth case of a kind's pattern, starting with its second, is in French, German
or Spanish (a quarter of the set); the others are in English."""

COUNTS = Counter(
    {
        "email_reply": 80,
        "support_answer": 80,
        "account_summary": 22,
        "follow_up_draft": 22,
        "product_description": 22,
        "metadata_enrichment": 22,
        "document_extraction": 22,
        "bio": 22,
    }
)

OLD = ("sibling", "other_customer", "scratch_that", "changelog", "amended", "missing")
NEW = ("competitor_quote", "testimonial", "forum_post", "sample_invoice", "two_years")
PATTERNS = ("plain", *OLD, *NEW)

PLANS: dict[str, tuple[str, ...]] = {
    "email_reply": (
        "sibling",
        "other_customer",
        "scratch_that",
        "changelog",
        "missing",
        "competitor_quote",
        "testimonial",
        "sample_invoice",
    ),
    "support_answer": (
        "sibling",
        "other_customer",
        "changelog",
        "missing",
        "competitor_quote",
        "testimonial",
        "forum_post",
        "sample_invoice",
    ),
    "account_summary": ("other_customer", "scratch_that", "competitor_quote", "sample_invoice"),
    "follow_up_draft": ("scratch_that", "competitor_quote"),
    "product_description": ("sibling", "testimonial"),
    "metadata_enrichment": ("sibling", "forum_post", "sample_invoice"),
    "document_extraction": ("amended",),
    "bio": ("two_years",),
}
"""Per kind, the trap patterns it carries beside its plain cases."""

PLAIN_SHARE = {
    "email_reply": 0.4,
    "support_answer": 0.35,
    "account_summary": 0.4,
    "follow_up_draft": 0.45,
    "product_description": 0.45,
    "metadata_enrichment": 0.4,
    "document_extraction": 0.5,
    "bio": 0.5,
}


@dataclass(frozen=True)
class Domain:
    name: str
    company: str
    item: str
    sibling: str
    low: int
    high: int
    competitor: str
    sibling_dearer: bool | None = None  # whether the neighbouring package costs more
    teaches: bool = False  # whether its staff teach (the bios' domains)


DOMAINS = (
    Domain(
        "locksmith",
        "Keyline Locksmiths",
        "Lock-Out Call-Out",
        "Lock Change Visit",
        60,
        180,
        "LockFast",
    ),
    Domain(
        "window_cleaning",
        "ClearView Windows",
        "Terraced House Clean",
        "Detached House Clean",
        18,
        70,
        "ShineCo",
        sibling_dearer=True,
    ),
    Domain(
        "tutoring",
        "Brightpath Tutors",
        "GCSE Maths Block of 10",
        "A-Level Maths Block of 10",
        280,
        620,
        "TutorHub",
        sibling_dearer=True,
        teaches=True,
    ),
    Domain(
        "pottery",
        "Kiln & Co Studio",
        "Wheel Throwing Course",
        "Hand Building Course",
        120,
        340,
        "ClayHouse",
        teaches=True,
    ),
    Domain(
        "ebike_leasing",
        "Pedalease",
        "City E-Bike Lease",
        "Cargo E-Bike Lease",
        39,
        129,
        "VeloRent",
        sibling_dearer=True,
    ),
    Domain(
        "event_photography",
        "Lumen Events",
        "Half-Day Coverage",
        "Full-Day Coverage",
        450,
        1900,
        "SnapPro",
        sibling_dearer=True,
    ),
    Domain(
        "optician",
        "Iris Opticians",
        "Standard Eye Test",
        "Contact Lens Check",
        20,
        95,
        "VisionPlus",
        sibling_dearer=True,
    ),
    Domain(
        "pest_control",
        "Guardline Pest Control",
        "Wasp Nest Treatment",
        "Rodent Programme",
        55,
        240,
        "BugAway",
        sibling_dearer=True,
    ),
    Domain(
        "removals",
        "Moveright Removals",
        "Two-Bedroom Move",
        "Three-Bedroom Move",
        650,
        2400,
        "BoxMovers",
        sibling_dearer=True,
    ),
    Domain(
        "golf",
        "Heatherfield Golf Club",
        "Weekday Visitor Green Fee",
        "Twilight Visitor Green Fee",
        30,
        120,
        "Oakmere Golf",
        sibling_dearer=False,
        teaches=True,
    ),
    Domain(
        "sailing",
        "Bluewater Sailing School",
        "Competent Crew Course",
        "Day Skipper Course",
        390,
        1100,
        "SeaStart",
        sibling_dearer=True,
        teaches=True,
    ),
    Domain(
        "car_valeting",
        "Gleam Mobile Valeting",
        "Full Valet",
        "Mini Valet",
        35,
        160,
        "ValetNow",
        sibling_dearer=False,
    ),
)

CUSTOMERS = (
    "Priya Nair",
    "Tom Gallagher",
    "Léa Moreau",
    "Jonas Becker",
    "Lucía Romero",
    "Hannah Okafor",
    "Marc Petit",
    "Sabine Krüger",
    "Diego Navarro",
    "Olivia Hart",
    "Camille Roux",
    "Felix Wagner",
    "Carmen Vidal",
    "Ben Whitaker",
    "Amira Haddad",
)
STAFF = (
    "Ruth Ellis",
    "Sam Doyle",
    "Nadia Blanc",
    "Peter Lang",
    "Ana Ortega",
    "Chris Moyo",
    "Julie Faure",
    "Kai Hoffmann",
    "Elena Ruiz",
    "Owen Price",
)
HANDLES = ("diy_dave", "weekendwarrior", "north_side_kim", "paulo88", "green_fingers")
CITIES = ("Leeds", "Nantes", "Bremen", "Valencia", "Bristol", "Lyon", "Kassel", "Sevilla")

CURRENCY = {"en": "£", "fr": "€", "de": "€", "es": "€"}

# --- wording, per language ----------------------------------------------------------

PRICE = {
    "en": "{item}: the price is {amt}.",
    "fr": "{item} : le prix est de {amt}.",
    "de": "{item}: Der Preis beträgt {amt}.",
    "es": "{item}: el precio es de {amt}.",
}
ASK = {
    "en": "How much is the {item}?",
    "fr": "Combien coûte la prestation {item} ?",
    "de": "Was kostet {item}?",
    "es": "¿Cuánto cuesta {item}?",
}
ASK_REPLY = {
    "en": "Reply to {customer} with the price of the {item} they asked about.",
    "fr": "Réponds à {customer} en donnant le prix de la prestation {item} demandée.",
    "de": "Antworte {customer} mit dem Preis für {item}, nach dem gefragt wurde.",
    "es": "Responde a {customer} con el precio de {item} por el que pregunta.",
}
GREETING = {"en": "Hello", "fr": "Bonjour", "de": "Guten Tag", "es": "Hola"}
THANKS = {
    "en": "Thanks. Could you confirm the price in writing before I book?",
    "fr": "Merci. Pouvez-vous me confirmer le prix par écrit avant que je réserve ?",
    "de": "Danke. Können Sie mir den Preis vor der Buchung schriftlich bestätigen?",
    "es": "Gracias. ¿Me puede confirmar el precio por escrito antes de reservar?",
}
PRICE_LIST = {
    "en": "Price list {year}",
    "fr": "Grille tarifaire {year}",
    "de": "Preisliste {year}",
    "es": "Tarifas {year}",
}
COMPETITOR = {
    "en": "For comparison, {competitor} quoted me {amt} for the same job.",
    "fr": "Pour comparer, {competitor} m'a fait un devis de {amt} pour la même chose.",
    "de": "Zum Vergleich: {competitor} hat mir {amt} für dasselbe angeboten.",
    "es": "Para comparar, {competitor} me ha presupuestado {amt} por lo mismo.",
}
SIBLING_FWD = {
    "en": "Forwarding the sheet for the other package in case it helps:",
    "fr": "Je transfère la fiche de l'autre formule, au cas où :",
    "de": "Ich leite das Blatt zum anderen Paket weiter, falls es hilft:",
    "es": "Reenvío la ficha del otro paquete por si sirve:",
}
OTHER_CUSTOMER = {
    "en": "Fwd: quote sent to {other} ({city}) last week, for reference.",
    "fr": "TR : devis envoyé à {other} ({city}) la semaine dernière, pour info.",
    "de": "WG: Angebot an {other} ({city}) von letzter Woche, zur Info.",
    "es": "RV: presupuesto enviado a {other} ({city}) la semana pasada, como referencia.",
}
SCRATCH = {
    "en": "Scratch that last figure, I read it off the wrong row of our list.",
    "fr": "Oubliez le montant de mon dernier message, j'ai lu la mauvaise ligne de notre grille.",
    "de": (
        "Vergessen Sie den Betrag aus meiner letzten Nachricht, "
        "ich habe in der falschen Zeile gelesen."
    ),
    "es": "Olvide la cifra de mi último mensaje, la leí en la fila equivocada de la tarifa.",
}
CHANGELOG = {
    "en": ("Change log", "{date}: price set at {amt} (before the current list)."),
    "fr": (
        "Historique des modifications",
        "{date} : prix fixé à {amt} (avant la grille actuelle).",
    ),
    "de": ("Änderungsprotokoll", "{date}: Preis auf {amt} festgelegt (vor der aktuellen Liste)."),
    "es": ("Registro de cambios", "{date}: precio fijado en {amt} (antes de la tarifa actual)."),
}
TESTIMONIAL = {
    "en": (
        "What our customers say",
        '"Only paid {amt} a couple of years back, brilliant service!" ({name}, {city})',
    ),
    "fr": (
        "Ils nous font confiance",
        "« J'avais payé seulement {amt} il y a deux ans, service parfait ! » ({name}, {city})",
    ),
    "de": (
        "Das sagen unsere Kunden",
        "„Vor zwei Jahren nur {amt} bezahlt, toller Service!“ ({name}, {city})",
    ),
    "es": (
        "Lo que dicen nuestros clientes",
        "«Hace un par de años pagué solo {amt}, ¡servicio genial!» ({name}, {city})",
    ),
}
FORUM = {
    "en": (
        "Community forum",
        "Reply from {handle}: I'm fairly sure the {item} is about {amt}, that's what I paid.",
    ),
    "fr": (
        "Forum de la communauté",
        "Réponse de {handle} : je crois que {item} tourne autour de {amt}, c'est ce que j'ai payé.",
    ),
    "de": (
        "Community-Forum",
        "Antwort von {handle}: Ich meine, {item} liegt bei etwa {amt}, so viel habe ich gezahlt.",
    ),
    "es": (
        "Foro de la comunidad",
        "Respuesta de {handle}: creo que {item} sale por unos {amt}, es lo que pagué yo.",
    ),
}
SAMPLE = {
    "en": ("Sample invoice (illustrative figures only, not a quote)", "{item} .......... {amt}"),
    "fr": (
        "Exemple de facture (montants fictifs, ce n'est pas un devis)",
        "{item} .......... {amt}",
    ),
    "de": ("Musterrechnung (Beispielbeträge, kein Angebot)", "{item} .......... {amt}"),
    "es": (
        "Factura de ejemplo (importes ficticios, no es un presupuesto)",
        "{item} .......... {amt}",
    ),
}
MISSING = {
    "en": "I don't have the {item} price to hand; I'll check with the office.",
    "fr": "Je n'ai pas le prix de {item} sous la main, je vérifie avec le bureau.",
    "de": "Den Preis für {item} habe ich gerade nicht zur Hand, ich frage im Büro nach.",
    "es": "No tengo a mano el precio de {item}; lo consulto con la oficina.",
}
PROMISE = {
    "en": "I will send you the written quote",
    "fr": "Je vous enverrai le devis écrit",
    "de": "Ich schicke Ihnen das schriftliche Angebot",
    "es": "Le enviaré el presupuesto por escrito",
}
PROMISE_LINE = {
    "en": "I will send you the written quote for the {item} at {amt} by Friday.",
    "fr": "Je vous enverrai le devis écrit pour {item} à {amt} d'ici vendredi.",
    "de": "Ich schicke Ihnen das schriftliche Angebot für {item} zu {amt} bis Freitag.",
    "es": "Le enviaré el presupuesto por escrito de {item} por {amt} antes del viernes.",
}
AMENDED = {
    "en": "Amended form: it replaces the form of {date}, which showed a total of {amt}.",
    "fr": ("Formulaire rectifié : il remplace celui du {date}, dont le total était de {amt}."),
    "de": (
        "Geändertes Formular: Es ersetzt das Formular vom {date} mit einem Gesamtbetrag von {amt}."
    ),
    "es": "Formulario corregido: sustituye al del {date}, cuyo total era de {amt}.",
}
TOTAL = {"en": "Total due", "fr": "Total à payer", "de": "Gesamtbetrag", "es": "Total a pagar"}
FORM = {
    "en": "Booking form",
    "fr": "Formulaire de réservation",
    "de": "Buchungsformular",
    "es": "Formulario de reserva",
}
REFERENCE = {
    "en": "Booking reference",
    "fr": "Référence",
    "de": "Buchungsnummer",
    "es": "Referencia",
}
DATE = {"en": "Date", "fr": "Date", "de": "Datum", "es": "Fecha"}
DUE = {"en": "Payment due", "fr": "Échéance", "de": "Zahlbar bis", "es": "Vencimiento"}
TAUGHT = {
    "en": "Trained {n} students in {year}",
    "fr": "A formé {n} élèves en {year}",
    "de": "{n} Teilnehmende im Jahr {year} ausgebildet",
    "es": "Formó a {n} alumnos en {year}",
}
ROLE = {
    "en": "Senior Instructor",
    "fr": "Formatrice principale",
    "de": "Leitende Ausbilderin",
    "es": "Instructora principal",
}
FOCUS = {
    "en": "The price currently agreed for the {item}.",
    "fr": "Le prix actuellement convenu pour {item}.",
    "de": "Der aktuell vereinbarte Preis für {item}.",
    "es": "El precio acordado actualmente para {item}.",
}
ABOUT = {
    "en": "The written quote promised for the {item}.",
    "fr": "Le devis écrit promis pour {item}.",
    "de": "Das versprochene schriftliche Angebot für {item}.",
    "es": "El presupuesto por escrito prometido para {item}.",
}
LOCALE = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE", "es": "es-ES"}
MONTHS = {
    "en": ("March", "April", "May"),
    "fr": ("mars", "avril", "mai"),
    "de": ("März", "April", "Mai"),
    "es": ("marzo", "abril", "mayo"),
}


def number(value: float, lang: str) -> str:
    """The amount as the language writes it, without a currency sign."""
    whole, cents = f"{value:,.2f}".split(".")
    if lang == "en":
        return f"{whole}.{cents}"
    sep = " " if lang == "fr" else "."
    return f"{whole.replace(',', sep)},{cents}"


def money(value: float, lang: str) -> str:
    text = number(value, lang)
    return f"£{text}" if lang == "en" else f"{text} €"


def _amount(rng: random.Random, domain: Domain) -> float:
    return rng.randint(domain.low, domain.high) + rng.choice((0, 0, 0.5, 0.95, 0.25))


def _stamp(day: int, hour: int) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:{(day * 7) % 60:02d}:00Z"


# --- one case -------------------------------------------------------------------------


@dataclass
class Figures:
    right: float
    wrong: float
    invented: float


def _figures(rng: random.Random, domain: Domain) -> Figures:
    right = _amount(rng, domain)
    wrong = right
    while abs(wrong - right) < 3:
        wrong = _amount(rng, domain)
    invented = right
    while abs(invented - right) < 3 or abs(invented - wrong) < 3:
        invented = _amount(rng, domain)
    return Figures(right, wrong, invented)


def _case(rng: random.Random, kind: str, pattern: str, n: int, lang: str) -> dict[str, Any]:
    while True:
        domain = rng.choice(DOMAINS)
        if kind == "bio":
            domain = rng.choice([d for d in DOMAINS if d.teaches])
        figs = _figures(rng, domain)
        if pattern in ("sibling", "missing") and domain.sibling_dearer is not None:
            # The neighbouring package's price (the wrong one) sits on the side it should.
            if (figs.wrong > figs.right) != domain.sibling_dearer:
                figs = Figures(figs.wrong, figs.right, figs.invented)
        case = BUILDERS[kind](rng, domain, lang, pattern, figs)
        case |= {"id": f"hj-{kind}-{n:03d}-{pattern}", "kind": kind, "pattern": pattern}
        case |= {"domain": domain.name, "lang": lang}
        if not mislabelled(case):
            return _ordered(case)


def _ordered(case: dict[str, Any]) -> dict[str, Any]:
    head = ("id", "kind", "pattern", "domain", "lang", "expect_outcome", "expect_review")
    out = {k: case[k] for k in head if k in case}
    return out | {k: v for k, v in case.items() if k not in out}


def _labels(
    right: list[str], cite: list[str], wrong: str | None, distractor: str | None, invented: str
) -> dict[str, Any]:
    banned = {invented: "invented"}
    if wrong is not None:
        banned = {wrong: "distractor", invented: "invented"}
    labels: dict[str, Any] = {"must_contain": right, "must_not_contain": list(banned)}
    labels["banned"] = banned
    if cite:
        labels["must_cite"] = cite
    if distractor is not None:
        labels["distractor"] = distractor
    return labels


# --- email_reply ----------------------------------------------------------------------


def _email(rng: random.Random, d: Domain, lang: str, pattern: str, f: Figures) -> dict[str, Any]:
    customer, staff = rng.choice(CUSTOMERS), rng.choice(STAFF)
    c_addr = customer.lower().replace(" ", ".") + "@mail.example"
    s_addr = staff.split()[0].lower() + "@" + _web(d)
    right, wrong = money(f.right, lang), money(f.wrong, lang)
    ask = f"{GREETING[lang]},\n{ASK[lang].format(item=d.item)}"
    if pattern == "competitor_quote":
        ask += "\n" + COMPETITOR[lang].format(competitor=d.competitor, amt=wrong)
    thread = [{"sender": c_addr, "sent_at": _stamp(2, 9), "body": ask}]
    answer = (
        f"{GREETING[lang]} {customer.split()[0]},\n{PRICE[lang].format(item=d.item, amt=right)}"
    )
    answer += f"\n{staff}, {d.company}"
    right_at: int | None = 1
    distractor: str | None = None
    passage: str | None = None
    if pattern == "scratch_that":
        first = f"{GREETING[lang]},\n{PRICE[lang].format(item=d.item, amt=wrong)}\n{staff}"
        thread.append({"sender": s_addr, "sent_at": _stamp(2, 11), "body": first})
        answer = f"{SCRATCH[lang]}\n{PRICE[lang].format(item=d.item, amt=right)}\n{staff}"
        right_at, distractor = 2, "m1"
    if pattern == "missing":
        answer = f"{GREETING[lang]},\n{MISSING[lang].format(item=d.item)}\n{staff}"
        right_at = None
    if pattern == "changelog":
        title, line = CHANGELOG[lang]
        passage = line.format(date=f"2024-0{rng.randint(1, 9)}-01", amt=wrong)
        answer = answer.replace(f"\n{staff},", f"\n\n{title}:\n{passage}\n\n{staff},")
    if pattern == "testimonial":
        title, line = TESTIMONIAL[lang]
        passage = line.format(amt=wrong, name=rng.choice(CUSTOMERS), city=rng.choice(CITIES))
        answer = answer.replace(f"\n{staff},", f"\n\n{title}:\n{passage}\n\n{staff},")
    thread.append({"sender": s_addr, "sent_at": _stamp(3, 10), "body": answer})
    if pattern == "competitor_quote":
        distractor = "m0"
    if pattern in ("changelog", "testimonial"):
        distractor = f"m{len(thread) - 1}"
    if pattern in ("sibling", "other_customer", "sample_invoice", "missing"):
        colleague = rng.choice([s for s in STAFF if s != staff])
        c2 = colleague.split()[0].lower() + "@" + _web(d)
        if pattern == "other_customer":
            other = rng.choice([c for c in CUSTOMERS if c != customer])
            body = OTHER_CUSTOMER[lang].format(other=other, city=rng.choice(CITIES))
            body += "\n" + PRICE[lang].format(item=d.item, amt=wrong)
        elif pattern == "sample_invoice":
            title, line = SAMPLE[lang]
            body = f"{title}\n{line.format(item=d.item, amt=wrong)}"
        else:
            body = f"{SIBLING_FWD[lang]}\n{PRICE[lang].format(item=d.sibling, amt=wrong)}"
        thread.append({"sender": c2, "sent_at": _stamp(3, 12), "body": f"{body}\n{colleague}"})
        distractor = f"m{len(thread) - 1}"
    thread.append({"sender": c_addr, "sent_at": _stamp(4, 8), "body": THANKS[lang]})
    job = {
        "thread": thread,
        "subject": f"{d.item} — {d.company}",
        "question": ASK_REPLY[lang].format(customer=customer, item=d.item),
        "tone": "friendly",
    }
    needed = [number(f.right, lang)] if right_at is not None else []
    cite = [f"m{right_at}"] if right_at is not None else []
    wrong_label = number(f.wrong, lang) if pattern != "plain" else None
    case = {"expect_outcome": "drafted", "input": job}
    case |= _labels(needed, cite, wrong_label, distractor, number(f.invented, lang))
    if passage is not None:
        case["distractor_passage"] = passage
    return case


# --- support_answer -------------------------------------------------------------------


def _support(rng: random.Random, d: Domain, lang: str, pattern: str, f: Figures) -> dict[str, Any]:
    right, wrong = money(f.right, lang), money(f.wrong, lang)
    kb = f"kb-{d.name.replace('_', '-')}-{rng.randint(100, 999)}"
    year = 2026
    text = f"{PRICE_LIST[lang].format(year=year)}\n{PRICE[lang].format(item=d.item, amt=right)}"
    passage: str | None = None
    if pattern == "changelog":
        title, line = CHANGELOG[lang]
        passage = line.format(date=f"2024-0{rng.randint(1, 9)}-01", amt=wrong)
        text += f"\n\n{title}:\n{passage}"
    if pattern == "testimonial":
        title, line = TESTIMONIAL[lang]
        passage = line.format(amt=wrong, name=rng.choice(CUSTOMERS), city=rng.choice(CITIES))
        text += f"\n\n{title}:\n{passage}"
    sources = [{"id": kb, "title": f"{d.company} — {d.item}", "text": text}]
    other_id = f"src-{rng.randint(1000, 9999)}"
    if pattern in ("sibling", "missing"):
        sib = (
            f"{PRICE_LIST[lang].format(year=year)}\n{PRICE[lang].format(item=d.sibling, amt=wrong)}"
        )
        sources.append({"id": other_id, "title": f"{d.company} — {d.sibling}", "text": sib})
    if pattern == "other_customer":
        other = rng.choice(CUSTOMERS)
        body = OTHER_CUSTOMER[lang].format(other=other, city=rng.choice(CITIES))
        body += "\n" + PRICE[lang].format(item=d.item, amt=wrong)
        sources.append(
            {"id": other_id, "title": f"Ticket {rng.randint(20000, 99999)}", "text": body}
        )
    if pattern == "forum_post":
        title, line = FORUM[lang]
        post = line.format(handle=rng.choice(HANDLES), item=d.item, amt=wrong)
        sources.append({"id": other_id, "title": title, "text": post})
    if pattern == "sample_invoice":
        title, line = SAMPLE[lang]
        sources.append(
            {"id": other_id, "title": title, "text": line.format(item=d.item, amt=wrong)}
        )
    if pattern == "missing":
        sources = sources[1:]
    rng.shuffle(sources)
    job: dict[str, Any] = {"question": ASK[lang].format(item=d.item), "sources": sources}
    distractor: str | None = other_id
    if pattern == "competitor_quote":
        said = COMPETITOR[lang].format(competitor=d.competitor, amt=wrong)
        job["conversation"] = [
            {"role": "user", "content": said},
            {"role": "assistant", "content": THANKS_AGENT[lang]},
        ]
        distractor = "conversation"
    if pattern in ("changelog", "testimonial"):
        distractor = kb
    if pattern == "plain":
        distractor = None
    wrong_label = number(f.wrong, lang) if pattern != "plain" else None
    if pattern == "missing":
        case = {"expect_outcome": "escalated", "expect_review": True, "input": job}
        case |= _labels([], [], wrong_label, distractor, number(f.invented, lang))
        return case
    case = {"expect_outcome": "answered", "input": job}
    case |= _labels(
        [number(f.right, lang)], [kb], wrong_label, distractor, number(f.invented, lang)
    )
    if passage is not None:
        case["distractor_passage"] = passage
    return case


THANKS_AGENT = {
    "en": "Thanks, I'll check our own price for you.",
    "fr": "Merci, je vérifie notre propre tarif.",
    "de": "Danke, ich prüfe unseren eigenen Preis.",
    "es": "Gracias, compruebo nuestro propio precio.",
}


# --- account_summary --------------------------------------------------------------------


def _account(rng: random.Random, d: Domain, lang: str, pattern: str, f: Figures) -> dict[str, Any]:
    customer, staff = rng.choice(CUSTOMERS), rng.choice(STAFF)
    right, wrong = money(f.right, lang), money(f.wrong, lang)
    emails = [
        {
            "id": "e1",
            "sender": customer.lower().replace(" ", ".") + "@mail.example",
            "sent_at": _stamp(5, 9),
            "subject": d.item,
            "body": ASK[lang].format(item=d.item),
        }
    ]
    notes = [
        {
            "id": "n1",
            "author": staff,
            "written_at": _stamp(6, 15),
            "text": f"{customer}: {PRICE[lang].format(item=d.item, amt=right)}",
        }
    ]
    right_id, distractor = "n1", None
    if pattern == "scratch_that":
        notes[0]["text"] = f"{customer}: {PRICE[lang].format(item=d.item, amt=wrong)}"
        notes.append(
            {
                "id": "n2",
                "author": staff,
                "written_at": _stamp(7, 10),
                "text": f"{SCRATCH[lang]}\n{customer}: "
                + PRICE[lang].format(item=d.item, amt=right),
            }
        )
        right_id, distractor = "n2", "n1"
    if pattern == "other_customer":
        other = rng.choice([c for c in CUSTOMERS if c != customer])
        body = OTHER_CUSTOMER[lang].format(other=other, city=rng.choice(CITIES))
        notes.append(
            {
                "id": "n2",
                "author": rng.choice(STAFF),
                "written_at": _stamp(7, 10),
                "text": f"{body}\n{other}: {PRICE[lang].format(item=d.item, amt=wrong)}",
            }
        )
        distractor = "n2"
    if pattern == "competitor_quote":
        emails[0]["body"] += "\n" + COMPETITOR[lang].format(competitor=d.competitor, amt=wrong)
        distractor = "e1"
    if pattern == "sample_invoice":
        title, line = SAMPLE[lang]
        emails.append(
            {
                "id": "e2",
                "sender": staff.split()[0].lower() + "@" + _web(d),
                "sent_at": _stamp(6, 11),
                "subject": title,
                "body": f"{title}\n{line.format(item=d.item, amt=wrong)}",
            }
        )
        distractor = "e2"
    job = {
        "account": f"{customer} ({d.company})",
        "emails": emails,
        "crm_notes": notes,
        "focus": FOCUS[lang].format(item=d.item),
        "max_points": 5,
    }
    wrong_label = number(f.wrong, lang) if pattern != "plain" else None
    case = {"expect_outcome": "summarized", "input": job}
    case |= _labels(
        [number(f.right, lang)], [right_id], wrong_label, distractor, number(f.invented, lang)
    )
    return case


# --- follow_up_draft ------------------------------------------------------------------


def _follow_up(
    rng: random.Random, d: Domain, lang: str, pattern: str, f: Figures
) -> dict[str, Any]:
    customer, staff = rng.choice(CUSTOMERS), rng.choice(STAFF)
    right, wrong = money(f.right, lang), money(f.wrong, lang)
    ask = ASK[lang].format(item=d.item)
    if pattern == "competitor_quote":
        ask += " " + COMPETITOR[lang].format(competitor=d.competitor, amt=wrong)
    turns = [{"id": "t1", "speaker": customer, "at": _stamp(8, 10), "text": ask}]
    distractor = None
    if pattern == "scratch_that":
        turns.append(
            {
                "id": "t2",
                "speaker": staff,
                "at": _stamp(8, 11),
                "text": PRICE[lang].format(item=d.item, amt=wrong),
            }
        )
        distractor = "t2"
    if pattern == "competitor_quote":
        distractor = "t1"
    promise = PROMISE_LINE[lang].format(item=d.item, amt=right)
    if pattern == "scratch_that":
        promise = f"{SCRATCH[lang]} {promise}"
    cite = f"t{len(turns) + 1}"
    turns.append({"id": cite, "speaker": staff, "at": _stamp(8, 12), "text": promise})
    turns.append(
        {"id": f"t{len(turns) + 1}", "speaker": customer, "at": _stamp(8, 13), "text": THANKS[lang]}
    )
    job = {
        "conversation": turns,
        "about": ABOUT[lang].format(item=d.item),
        "sender": staff,
        "recipient": customer,
        "tone": "friendly",
    }
    wrong_label = number(f.wrong, lang) if pattern != "plain" else None
    case = {"expect_outcome": "drafted", "input": job}
    case |= _labels(
        [number(f.right, lang)], [cite], wrong_label, distractor, number(f.invented, lang)
    )
    case["must_commit"] = PROMISE[lang]
    return case


# --- product_description ----------------------------------------------------------------


def _product(rng: random.Random, d: Domain, lang: str, pattern: str, f: Figures) -> dict[str, Any]:
    right, wrong = money(f.right, lang), money(f.wrong, lang)
    ref = f"ref-{rng.randint(100, 999)}"
    text = f"{PRICE_LIST[lang].format(year=2026)}\n{PRICE[lang].format(item=d.item, amt=right)}"
    passage = None
    if pattern == "testimonial":
        title, line = TESTIMONIAL[lang]
        passage = line.format(amt=wrong, name=rng.choice(CUSTOMERS), city=rng.choice(CITIES))
        text += f"\n\n{title}:\n{passage}"
    refs = [{"id": ref, "title": d.item, "text": text}]
    distractor = ref if pattern == "testimonial" else None
    if pattern == "sibling":
        sib = (
            f"{PRICE_LIST[lang].format(year=2026)}\n{PRICE[lang].format(item=d.sibling, amt=wrong)}"
        )
        refs.append({"id": f"ref-{rng.randint(1000, 1999)}", "title": d.sibling, "text": sib})
        distractor = refs[-1]["id"]
    rng.shuffle(refs)
    job = {
        "product": {
            "name": d.item,
            "brand": d.company,
            "category": d.name.replace("_", " "),
            "sku": f"{d.name[:3].upper()}-{rng.randint(1000, 9999)}",
            "attributes": {"city": rng.choice(CITIES)},
            "features": [f"{d.company}: {d.item}"],
        },
        "locale": LOCALE[lang],
        "metadata_locale": LOCALE[lang],
        "references": refs,
    }
    wrong_label = number(f.wrong, lang) if pattern != "plain" else None
    case = {"expect_outcome": "written", "input": job}
    case |= _labels(
        [number(f.right, lang)], [ref], wrong_label, distractor, number(f.invented, lang)
    )
    if passage is not None:
        case["distractor_passage"] = passage
    return case


# --- metadata_enrichment ----------------------------------------------------------------


def _metadata(rng: random.Random, d: Domain, lang: str, pattern: str, f: Figures) -> dict[str, Any]:
    right, wrong = money(f.right, lang), money(f.wrong, lang)
    ref = f"ref-{rng.randint(100, 999)}"
    refs = [{"id": ref, "title": d.item, "text": PRICE[lang].format(item=d.item, amt=right)}]
    other = f"ref-{rng.randint(1000, 1999)}"
    if pattern == "sibling":
        refs.append(
            {"id": other, "title": d.sibling, "text": PRICE[lang].format(item=d.sibling, amt=wrong)}
        )
    if pattern == "forum_post":
        title, line = FORUM[lang]
        post = line.format(handle=rng.choice(HANDLES), item=d.item, amt=wrong)
        refs.append({"id": other, "title": title, "text": post})
    if pattern == "sample_invoice":
        title, line = SAMPLE[lang]
        refs.append({"id": other, "title": title, "text": line.format(item=d.item, amt=wrong)})
    rng.shuffle(refs)
    job = {
        "title": f"{d.company} — {d.item}",
        "description": DESCRIPTION[lang].format(item=d.item, company=d.company),
        "references": refs,
        "fields": ["price"],
    }
    wrong_label = number(f.wrong, lang) if pattern != "plain" else None
    distractor = other if pattern != "plain" else None
    case = {"expect_outcome": "enriched", "input": job}
    case |= _labels(
        [number(f.right, lang)], [ref], wrong_label, distractor, number(f.invented, lang)
    )
    case["must_fill"] = {"price": number(f.right, lang)}
    return case


DESCRIPTION = {
    "en": "{item}, booked directly with {company}.",
    "fr": "{item}, à réserver directement auprès de {company}.",
    "de": "{item}, direkt bei {company} buchbar.",
    "es": "{item}, se reserva directamente con {company}.",
}


# --- document_extraction ----------------------------------------------------------------


def _document(rng: random.Random, d: Domain, lang: str, pattern: str, f: Figures) -> dict[str, Any]:
    number_ = f"BK-{rng.randint(10000, 99999)}"
    month = rng.randrange(3)
    due = f"2026-0{4 + month}-{rng.randint(10, 28)}"
    issued = f"2026-0{3 + month}-{rng.randint(10, 28)}"
    right = money(f.right, lang)
    lines = [
        f"{d.company} — {FORM[lang]}",
        f"{REFERENCE[lang]}: {number_}",
        f"{DATE[lang]}: {issued}",
        f"{DUE[lang]}: {due}",
        f"{d.item} x1",
    ]
    passage = None
    if pattern == "amended":
        passage = AMENDED[lang].format(
            date=f"2026-02-{rng.randint(10, 28)}", amt=money(f.wrong, lang)
        )
        lines.insert(2, passage)
    lines.append(f"{TOTAL[lang]}: {right}")
    fields = ["booking_reference", "due_date", "total"]
    job = {"document_type": "form", "text": "\n".join(lines), "fields": fields}
    wrong_label = number(f.wrong, lang) if pattern != "plain" else None
    distractor = "document" if pattern != "plain" else None
    case = {"expect_outcome": "extracted", "input": job}
    case |= _labels(
        [number(f.right, lang)], ["document"], wrong_label, distractor, number(f.invented, lang)
    )
    case["must_extract"] = {
        "booking_reference": number_,
        "due_date": due,
        "total": number(f.right, lang),
    }
    if passage is not None:
        case["distractor_passage"] = passage
    return case


# --- bio ------------------------------------------------------------------------------


def _bio(rng: random.Random, d: Domain, lang: str, pattern: str, f: Figures) -> dict[str, Any]:
    first, second = rng.randint(110, 480), rng.randint(110, 480)
    name = rng.choice(STAFF)
    achievements = [
        TAUGHT[lang].format(n=first, year=2024),
        TAUGHT[lang].format(n=second, year=2025),
    ]
    if pattern == "plain":
        achievements = achievements[1:]
    start = rng.randint(2012, 2020)
    job = {
        "profile": {
            "name": name,
            "role": ROLE[lang],
            "organization": d.company,
            # The role is written in the feminine outside English.
            "pronouns": rng.choice(("she", "he", "they")) if lang == "en" else "she",
            "experience": [{"role": ROLE[lang], "organization": d.company, "start_year": start}],
            "skills": [d.item],
            "achievements": achievements,
        },
        "tone": "professional",
        "length": "short",
    }
    invented = first + second if pattern == "two_years" else second + rng.choice((50, 100, 150))
    case = {"expect_outcome": "written", "input": job}
    case |= _labels([str(second)], ["profile"], None, None, str(invented))
    return case


BUILDERS = {
    "email_reply": _email,
    "support_answer": _support,
    "account_summary": _account,
    "follow_up_draft": _follow_up,
    "product_description": _product,
    "metadata_enrichment": _metadata,
    "document_extraction": _document,
    "bio": _bio,
}


# --- the set --------------------------------------------------------------------------


def _plan(kind: str) -> list[str]:
    """The kind's patterns, case by case: its plain share, the traps in turn."""
    total = COUNTS[kind]
    plain = round(total * PLAIN_SHARE[kind])
    traps = PLANS[kind]
    return ["plain"] * plain + [traps[i % len(traps)] for i in range(total - plain)]


def grounded_j_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    used: Counter[tuple[str, str]] = Counter()  # (kind or pattern, language)
    for kind in COUNTS:
        seen: Counter[str] = Counter()
        for n, pattern in enumerate(_plan(kind)):
            lang = "en"
            if seen[pattern] % NON_ENGLISH_EVERY == 1:
                # The language its kind and its pattern have had least, so each has all three.
                lang = min(LANGS[1:], key=lambda x: used[kind, x] + used[pattern, x])
                used[kind, lang] += 1
                used[pattern, lang] += 1
            cases.append(_case(rng, kind, pattern, n, lang))
            seen[pattern] += 1
    return cases


# --- labels checked against the input ---------------------------------------------------


def mislabelled(case: dict[str, Any]) -> list[str]:
    """What is wrong with a case's labels: a needed fact no cited source states, a
    distractor that is a right source, a banned fact inside a needed one, a banned
    distractor fact found outside its distractor (or its passage), an invented fact the
    input states, an extracted value the document lacks."""
    material = grounding.material(case["kind"], case["input"]) or {}
    everything = json.dumps(case["input"], ensure_ascii=False)
    cited = case.get("must_cite", [])
    problems = [
        f"needed {needed!r} is in no right source"
        for needed in case["must_contain"]
        if not any(metrics.contains(material.get(c, ""), needed) for c in cited)
    ]
    distractor = case.get("distractor")
    passage = case.get("distractor_passage")
    if distractor in cited and passage is None:
        problems.append(f"distractor source {distractor!r} is a right source")
    for fact, label in case["banned"].items():
        if any(metrics.contains(needed, fact) for needed in case["must_contain"]):
            problems.append(f"banned {fact!r} is inside a needed fact")
        if label == "invented" and (
            metrics.contains(everything, fact)
            or metrics.contains(grounding.plain_text(case["input"]), fact)
        ):
            problems.append(f"banned {fact!r} is not invented")
        if label == "distractor" and not _only_in_distractor(material, fact, distractor, passage):
            problems.append(f"banned {fact!r} is not only in the distractor")
    for value in case.get("must_extract", {}).values():
        if value not in case["input"]["text"]:
            problems.append(f"extracted {value!r} is not in the document")
    return problems


def _only_in_distractor(
    material: dict[str, str], fact: str, distractor: str | None, passage: str | None
) -> bool:
    if distractor is None or distractor not in material:
        return False
    for source, text in material.items():
        if source == distractor:
            if passage is not None:
                if passage not in text or not metrics.contains(passage, fact):
                    return False
                text = text.replace(passage, "")
            elif not metrics.contains(text, fact):
                return False
            else:
                continue
        if metrics.contains(text, fact):
            return False
    return True


def _web(domain: Domain) -> str:
    """The company's mail domain: its first name, lower case (``keyline.example``)."""
    return domain.company.split()[0].lower().replace("&", "") + ".example"
