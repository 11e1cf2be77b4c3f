"""The third held-out grounded set (``heldout/grounded_c.jsonl``), written blind: without
reading the offline provider, the prompts, the guards or the two earlier grounded sets,
so it measures what nobody tuned against.

Each case is one fact a customer asks for (a fee, an allowance, a deadline, a date) in
one of eight domains (banking fees, car rental, leases, veterinary clinics, airline
baggage, gym memberships, software licensing, municipal permits), set in a trap that
real support material has (``pattern``): a figure in a signature or page footer beside
the one in the body, two versions of a tariff that agree except for one superseded
field, a table with a column per tier, a sentence that negates an old figure ("no
longer"), an agent's wrong answer the customer then corrects, a date written DD/MM or
MM/DD with its format named, a value given in two units or currencies, a sister
brand's near-duplicate page, another product's FAQ in the same number style, and the
right source missing (escalate); in bios, an award only shortlisted for and an earlier
role at the sister brand. About a third of the cases are plain. The kinds'
inputs are composed from one scenario (``Scenario``: the documents, which are right,
which one is the distractor); the labels are those of the other grounded sets
(``must_contain``, ``must_cite``, ``must_not_contain`` with ``banned``: ``invented`` or
``distractor``, the wrong source named in ``distractor`` and, where the wrong figure
sits inside a right source, the passage in ``distractor_passage``), and
:func:`mislabelled` checks them against the input.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evals import grounding

SEED = 20261207
LANGS = ("en", "fr", "de", "es")
LANG_WEIGHTS = (5, 1, 1, 1)
COUNTS = Counter(
    {
        "email_reply": 80,
        "support_answer": 80,
        "account_summary": 24,
        "follow_up_draft": 24,
        "product_description": 24,
        "metadata_enrichment": 24,
        "document_extraction": 24,
        "bio": 22,
    }
)
OUTCOMES = {
    "email_reply": "drafted",
    "support_answer": "answered",
    "account_summary": "summarized",
    "follow_up_draft": "drafted",
    "product_description": "written",
    "metadata_enrichment": "enriched",
    "document_extraction": "extracted",
    "bio": "written",
}
SINGLE_SOURCE = {"document_extraction": "document", "bio": "profile"}
"""Kinds grounded in one field: their right source is that field, never cited by id."""

# --- domains ----------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    key: str
    names: dict[str, str]
    unit: str
    """``money``, ``days``, ``km``, ``kg``, ``m2`` or ``date``."""
    low: int = 0
    high: int = 0


@dataclass(frozen=True)
class Domain:
    name: str
    brand: str
    sister: str
    product: str
    other_product: str
    currency: str
    tiers: tuple[str, str]
    topics: tuple[Topic, ...]
    role: str
    award: str


def _t(key: str, unit: str, low: int, high: int, en: str, fr: str, de: str, es: str) -> Topic:
    return Topic(key, {"en": en, "fr": fr, "de": de, "es": es}, unit, low, high)


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "banking",
        "Kestrel Bank",
        "Kestrel Direct",
        "Everyday Account",
        "Student Account",
        "EUR",
        ("Classic", "Premium"),
        (
            _t(
                "foreign_atm_fee",
                "money",
                2,
                9,
                "foreign ATM withdrawal fee",
                "frais de retrait à un distributeur étranger",
                "Gebühr für Abhebungen an ausländischen Geldautomaten",
                "comisión por retirada en cajeros extranjeros",
            ),
            _t(
                "replacement_card_fee",
                "money",
                5,
                25,
                "replacement card fee",
                "frais de remplacement de carte",
                "Gebühr für eine Ersatzkarte",
                "comisión por tarjeta de sustitución",
            ),
            _t(
                "card_expiry_date",
                "date",
                0,
                0,
                "card expiry date",
                "date d'expiration de la carte",
                "Ablaufdatum der Karte",
                "fecha de caducidad de la tarjeta",
            ),
        ),
        "Head of Retail Banking Operations",
        "Retail Banking Service Award",
    ),
    Domain(
        "car_rental",
        "Roadwise Rentals",
        "Roadwise Vans",
        "Compact Class B",
        "Electric Van E2",
        "EUR",
        ("Economy", "Business"),
        (
            _t(
                "one_way_fee",
                "money",
                40,
                180,
                "one-way drop-off fee",
                "frais d'abandon en aller simple",
                "Einweggebühr",
                "suplemento por devolución en otra oficina",
            ),
            _t(
                "daily_mileage",
                "km",
                150,
                400,
                "daily mileage allowance",
                "kilométrage inclus par jour",
                "Freikilometer pro Tag",
                "kilometraje incluido por día",
            ),
            _t(
                "return_date",
                "date",
                0,
                0,
                "return date",
                "date de restitution",
                "Rückgabedatum",
                "fecha de devolución",
            ),
        ),
        "Regional Fleet Manager",
        "Mobility Operations Award",
    ),
    Domain(
        "leases",
        "Harbourview Lettings",
        "Harbourview Student Homes",
        "Flat 4B, 12 Quay Street",
        "Flat 2A, 12 Quay Street",
        "EUR",
        ("Unfurnished", "Furnished"),
        (
            _t(
                "security_deposit",
                "money",
                900,
                3600,
                "security deposit",
                "dépôt de garantie",
                "Mietkaution",
                "fianza",
            ),
            _t(
                "floor_area",
                "m2",
                40,
                120,
                "floor area",
                "surface habitable",
                "Wohnfläche",
                "superficie útil",
            ),
            _t(
                "notice_period",
                "days",
                30,
                90,
                "notice period",
                "délai de préavis",
                "Kündigungsfrist",
                "plazo de preaviso",
            ),
            _t(
                "inspection_date",
                "date",
                0,
                0,
                "move-out inspection date",
                "date de l'état des lieux de sortie",
                "Termin der Wohnungsübergabe",
                "fecha de la inspección de salida",
            ),
        ),
        "Lettings Director",
        "Residential Lettings Award",
    ),
    Domain(
        "veterinary",
        "Willow Vet Clinic",
        "Willow Vet Mobile",
        "Dog Care Plan",
        "Cat Care Plan",
        "EUR",
        ("Standard", "Wellness Plan"),
        (
            _t(
                "dental_cleaning_price",
                "money",
                120,
                380,
                "dental cleaning under anaesthesia",
                "détartrage sous anesthésie",
                "Zahnreinigung unter Narkose",
                "limpieza dental con anestesia",
            ),
            _t(
                "after_hours_fee",
                "money",
                40,
                120,
                "after-hours consultation fee",
                "supplément de consultation hors horaires",
                "Notdienstzuschlag",
                "suplemento de consulta fuera de horario",
            ),
            _t(
                "booster_due_date",
                "date",
                0,
                0,
                "booster vaccination due date",
                "date du rappel de vaccin",
                "Termin der Auffrischimpfung",
                "fecha de la vacuna de refuerzo",
            ),
        ),
        "Practice Manager",
        "Companion Animal Care Award",
    ),
    Domain(
        "airline_baggage",
        "Aerlume",
        "Aerlume Regional",
        "short-haul flights",
        "long-haul flights",
        "EUR",
        ("Light", "Flex"),
        (
            _t(
                "checked_allowance",
                "kg",
                15,
                32,
                "checked baggage allowance",
                "franchise bagages en soute",
                "Freigepäck",
                "franquicia de equipaje facturado",
            ),
            _t(
                "excess_fee_per_kg",
                "money",
                8,
                25,
                "excess baggage fee per kilo",
                "supplément par kilo excédentaire",
                "Übergepäckgebühr pro Kilo",
                "tarifa por kilo de exceso",
            ),
            _t(
                "travel_date",
                "date",
                0,
                0,
                "travel date",
                "date du vol",
                "Reisedatum",
                "fecha del vuelo",
            ),
        ),
        "Head of Ground Operations",
        "Passenger Experience Award",
    ),
    Domain(
        "gym",
        "Pulse Fitness",
        "Pulse Studios",
        "Pulse City Centre",
        "Pulse Riverside",
        "EUR",
        ("Basic", "All-Access"),
        (
            _t(
                "freeze_fee",
                "money",
                5,
                30,
                "membership freeze fee",
                "frais de suspension d'abonnement",
                "Gebühr für das Pausieren der Mitgliedschaft",
                "cuota por congelar la membresía",
            ),
            _t(
                "cancellation_notice",
                "days",
                14,
                90,
                "cancellation notice",
                "délai de résiliation",
                "Kündigungsfrist der Mitgliedschaft",
                "preaviso de baja",
            ),
            _t(
                "contract_end_date",
                "date",
                0,
                0,
                "contract end date",
                "date de fin de contrat",
                "Vertragsende",
                "fecha de fin del contrato",
            ),
        ),
        "Club Operations Lead",
        "Fitness Club Service Award",
    ),
    Domain(
        "software_licensing",
        "Quillstack",
        "Quillstack Cloud",
        "Quillstack Docs",
        "Quillstack Sheets",
        "USD",
        ("Team", "Enterprise"),
        (
            _t(
                "extra_seat_price",
                "money",
                6,
                40,
                "price per additional seat",
                "prix par siège supplémentaire",
                "Preis pro zusätzlichem Nutzerplatz",
                "precio por puesto adicional",
            ),
            _t(
                "renewal_fee",
                "money",
                400,
                4800,
                "annual licence renewal fee",
                "frais de renouvellement annuel de la licence",
                "jährliche Lizenzverlängerungsgebühr",
                "cuota anual de renovación de la licencia",
            ),
            _t(
                "renewal_date",
                "date",
                0,
                0,
                "licence renewal date",
                "date de renouvellement de la licence",
                "Verlängerungsdatum der Lizenz",
                "fecha de renovación de la licencia",
            ),
        ),
        "Director of Customer Success",
        "SaaS Customer Success Award",
    ),
    Domain(
        "municipal_permits",
        "City of Lindenfeld",
        "Lindenfeld County",
        "Zone A",
        "Zone C",
        "EUR",
        ("Resident", "Business"),
        (
            _t(
                "parking_permit_fee",
                "money",
                20,
                180,
                "annual parking permit fee",
                "tarif annuel de la carte de stationnement",
                "Jahresgebühr für den Parkausweis",
                "tasa anual del distintivo de aparcamiento",
            ),
            _t(
                "processing_time",
                "days",
                10,
                60,
                "permit processing time",
                "délai de traitement du permis",
                "Bearbeitungszeit der Genehmigung",
                "plazo de tramitación del permiso",
            ),
            _t(
                "permit_expiry_date",
                "date",
                0,
                0,
                "permit expiry date",
                "date d'expiration du permis",
                "Ablaufdatum der Genehmigung",
                "fecha de caducidad del permiso",
            ),
        ),
        "Head of Permits and Licensing",
        "Public Service Excellence Award",
    ),
)

CUSTOMERS = {
    "en": ("Olivia Bennett", "Marcus Reid", "Priya Nair", "Daniel Okafor", "Hannah Cole"),
    "fr": ("Camille Laurent", "Julien Moreau", "Inès Girard", "Hugo Fontaine"),
    "de": ("Jana Köhler", "Tobias Brandt", "Miriam Vogt", "Lukas Eder"),
    "es": ("Lucía Navarro", "Javier Ortega", "Marta Iglesias", "Diego Castro"),
}
AGENTS = ("Sam Whitfield", "Noor Haddad", "Elena Petrova", "Kofi Mensah", "Ruth Alvarez")
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}

# --- wording --------------------------------------------------------------------------

W: dict[str, dict[str, str]] = {
    "en": {
        "ask": "Hello, I am a customer of {brand} ({product}). Could you tell me the {name}?"
        "{tier} My reference is {ref}.\n\nThanks,\n{cust}",
        "request": "What is the {name} for {brand} ({product})?{tier}",
        "reply": "Reply to {cust} with the {name} that applies to them.",
        "focus": "The {name} that applies to this account.",
        "tier": " I am on the {tier} plan.",
        "hello": "Hello {cust},",
        "sign": "Kind regards,\n{agent}\n{brand}",
        "footer": "--\n{brand} Customer Care · Mon-Fri 8:00-18:00\n"
        "List price for new customers: {name} {bad}."
        " The prices quoted above apply to existing contracts.",
        "old": "{brand} tariff valid until 31 December 2025 (superseded)",
        "new": "{brand} tariff valid from 1 January 2026 (current)",
        "neg": "The {name} is no longer {bad}: since 1 March 2026 it is {good}.",
        "neg_passage": "no longer {bad}",
        "item": "Item",
        "doubt": "That is not what your tariff sheet says. Could you check again, please?",
        "sorry": "Apologies, my colleague gave you the wrong figure.",
        "misspoke": "Sorry, I misspoke a moment ago.",
        "approx": "about {alt}",
        "date_us": "(MM/DD/YYYY, US format)",
        "date_uk": "(DD/MM/YYYY)",
        "faq": "FAQ: {other}",
        "rates": "{brand} rates",
        "for": "{name} for {product}",
        "days": "{n} days",
        "miles": "{n} miles",
        "sqft": "{n} sq ft",
        "grew": "Grew the client base to {n} clients in {y}",
        "shortlisted": "Shortlisted for the {award} {y}",
        "won": "won the {award}",
        "winner": "winner of the {award}",
    },
    "fr": {
        "ask": "Bonjour, je suis client de {brand} ({product}). Pouvez-vous me confirmer : "
        "{name} ?{tier} Ma référence est {ref}.\n\nMerci,\n{cust}",
        "request": "Pouvez-vous confirmer : {name} ({brand}, {product}) ?{tier}",
        "reply": "Répondez à {cust} en indiquant : {name}.",
        "focus": "{Name} applicable à ce compte.",
        "tier": " J'ai la formule {tier}.",
        "hello": "Bonjour {cust},",
        "sign": "Cordialement,\n{agent}\n{brand}",
        "footer": "--\n{brand} Service clients · lun.-ven. 8h-18h\n"
        "Prix catalogue nouveaux clients : {name} {bad}."
        " Les prix indiqués ci-dessus s'appliquent aux contrats en cours.",
        "old": "Grille tarifaire {brand} valable jusqu'au 31 décembre 2025 (remplacée)",
        "new": "Grille tarifaire {brand} en vigueur depuis le 1er janvier 2026",
        "neg": "{Name} : ce n'est plus {bad} ; depuis le 1er mars 2026 : {good}.",
        "neg_passage": "plus {bad}",
        "item": "Poste",
        "doubt": "Ce n'est pas ce qu'indique votre grille tarifaire. Pouvez-vous vérifier ?",
        "sorry": "Toutes nos excuses, mon collègue vous a donné un montant erroné.",
        "misspoke": "Pardon, je me suis trompé il y a un instant.",
        "approx": "environ {alt}",
        "date_us": "(MM/JJ/AAAA, format américain)",
        "date_uk": "(JJ/MM/AAAA)",
        "faq": "FAQ : {other}",
        "rates": "Tarifs {brand}",
        "for": "{name} ({product})",
        "days": "{n} jours",
        "miles": "{n} miles",
        "sqft": "{n} pieds carrés",
        "grew": "A porté la clientèle à {n} clients en {y}",
        "shortlisted": "Finaliste du {award} {y}",
        "won": "lauréat du {award}",
        "winner": "a remporté le {award}",
    },
    "de": {
        "ask": "Guten Tag, ich bin Kunde bei {brand} ({product}). Können Sie mir bestätigen: "
        "{name}?{tier} Meine Referenz ist {ref}.\n\nDanke,\n{cust}",
        "request": "Bitte bestätigen: {name} ({brand}, {product})?{tier}",
        "reply": "Antworten Sie {cust} mit folgender Angabe: {name}.",
        "focus": "{Name}: der Wert, der für dieses Konto gilt.",
        "tier": " Ich habe den Tarif {tier}.",
        "hello": "Guten Tag {cust},",
        "sign": "Mit freundlichen Grüßen\n{agent}\n{brand}",
        "footer": "--\n{brand} Kundenservice · Mo-Fr 8-18 Uhr\n"
        "Listenpreis für Neukunden: {name} {bad}."
        " Die oben genannten Preise gelten für bestehende Verträge.",
        "old": "Preisliste {brand}, gültig bis 31. Dezember 2025 (ersetzt)",
        "new": "Preisliste {brand}, gültig ab 1. Januar 2026",
        "neg": "{Name}: nicht mehr {bad}; seit dem 1. März 2026: {good}.",
        "neg_passage": "nicht mehr {bad}",
        "item": "Posten",
        "doubt": "Das steht so nicht in Ihrer Preisliste. Bitte prüfen Sie das noch einmal.",
        "sorry": "Entschuldigung, mein Kollege hat Ihnen einen falschen Wert genannt.",
        "misspoke": "Entschuldigung, ich habe mich eben versprochen.",
        "approx": "etwa {alt}",
        "date_us": "(MM/TT/JJJJ, US-Format)",
        "date_uk": "(TT.MM.JJJJ)",
        "faq": "FAQ: {other}",
        "rates": "Preise {brand}",
        "for": "{name} ({product})",
        "days": "{n} Tage",
        "miles": "{n} Meilen",
        "sqft": "{n} Quadratfuß",
        "grew": "Steigerte den Kundenstamm auf {n} Kunden im Jahr {y}",
        "shortlisted": "Nominiert für den {award} {y}",
        "won": "gewann den {award}",
        "winner": "Gewinner des {award}",
    },
    "es": {
        "ask": "Hola, soy cliente de {brand} ({product}). ¿Me pueden confirmar: {name}?"
        "{tier} Mi referencia es {ref}.\n\nGracias,\n{cust}",
        "request": "¿Pueden confirmar: {name} ({brand}, {product})?{tier}",
        "reply": "Responda a {cust} indicando: {name}.",
        "focus": "{Name} aplicable a esta cuenta.",
        "tier": " Tengo el plan {tier}.",
        "hello": "Hola {cust}:",
        "sign": "Un saludo,\n{agent}\n{brand}",
        "footer": "--\n{brand} Atención al cliente · lun.-vie. 8-18 h\nPrecio de lista para nuevos"
        " clientes: {name} {bad}. Los precios indicados arriba se aplican a los contratos"
        " vigentes.",
        "old": "Tarifa {brand} válida hasta el 31 de diciembre de 2025 (sustituida)",
        "new": "Tarifa {brand} vigente desde el 1 de enero de 2026",
        "neg": "{Name}: ya no es {bad}; desde el 1 de marzo de 2026: {good}.",
        "neg_passage": "ya no es {bad}",
        "item": "Concepto",
        "doubt": "Eso no es lo que dice su tarifa. ¿Pueden comprobarlo de nuevo?",
        "sorry": "Disculpe, mi compañero le indicó un importe equivocado.",
        "misspoke": "Perdón, me he equivocado hace un momento.",
        "approx": "aprox. {alt}",
        "date_us": "(MM/DD/AAAA, formato de EE. UU.)",
        "date_uk": "(DD/MM/AAAA)",
        "faq": "Preguntas frecuentes: {other}",
        "rates": "Tarifas {brand}",
        "for": "{name} ({product})",
        "days": "{n} días",
        "miles": "{n} millas",
        "sqft": "{n} pies cuadrados",
        "grew": "Amplió la cartera a {n} clientes en {y}",
        "shortlisted": "Finalista del {award} {y}",
        "won": "ganó el {award}",
        "winner": "ganador del {award}",
    },
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fact(lang: str, name: str, value: str) -> str:
    """One fact as a tariff line states it."""
    if lang == "en":
        return f"The {name} is {value}."
    return f"{_cap(name)}{' :' if lang == 'fr' else ':'} {value}."


def grouped(n: int, lang: str) -> str:
    """An integer with the language's thousands separator."""
    text = f"{n:,}"
    return {"en": text, "fr": text.replace(",", " "), "de": text.replace(",", ".")}.get(
        lang, text.replace(",", ".")
    )


def money(cents: int, currency: str, lang: str) -> str:
    whole, rest = divmod(cents, 100)
    if lang == "en":
        symbol = {"EUR": "€", "USD": "$", "GBP": "£"}[currency]
        return f"{symbol}{grouped(whole, lang)}.{rest:02d}"
    sign = "€" if currency == "EUR" else currency
    return f"{grouped(whole, lang)},{rest:02d} {sign}"


def measure(topic: Topic, n: int, lang: str, currency: str) -> str:
    """A value of ``topic`` (``n``: cents for money, else the count of its unit)."""
    if topic.unit == "money":
        return money(n, currency, lang)
    if topic.unit == "days":
        return W[lang]["days"].format(n=n)
    if topic.unit == "m2":
        return f"{n} m²"
    return f"{n} {topic.unit}"


def alternative(topic: Topic, n: int, lang: str, currency: str) -> tuple[str, list[str]]:
    """The same value in the other unit or currency, and the unit-swapped readings a
    careless answer gives (invented: the input states neither)."""
    good = measure(topic, n, lang, currency)
    if topic.unit == "money":
        other = "USD" if currency == "EUR" else "EUR"
        converted = round(n * (1.08 if other == "USD" else 0.93))
        alt = money(converted, other, lang)
        return alt, [money(n, other, lang), money(converted, currency, lang)]
    if topic.unit == "km":
        miles = round(n * 0.621371)
        return W[lang]["miles"].format(n=miles), [
            W[lang]["miles"].format(n=n),
            f"{miles} km",
        ]
    if topic.unit == "kg":
        pounds = round(n * 2.20462)
        return f"{pounds} lb", [f"{n} lb", f"{pounds} kg"]
    if topic.unit == "m2":
        feet = round(n * 10.7639)
        return W[lang]["sqft"].format(n=feet), [W[lang]["sqft"].format(n=n), f"{feet} m²"]
    raise ValueError(f"no other unit for {good}")


# --- scenarios ------------------------------------------------------------------------


@dataclass
class Doc:
    """A piece of material: ``role`` is ``right`` (states the needed fact), ``wrong``
    (the distractor) or ``context``; ``passage`` marks a wrong figure inside a right doc."""

    title: str
    text: str
    role: str
    speaker: str = "agent"
    passage: str | None = None
    footer: str = ""
    """A signature or page footer, written after the text (and after a letter's closing)."""


@dataclass
class Scenario:
    domain: Domain
    topic: Topic
    lang: str
    pattern: str
    customer: str
    agent: str
    ref: str
    tier: str | None
    docs: list[Doc]
    needed: list[str]
    banned: dict[str, str]
    escalate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def words(self) -> dict[str, str]:
        name = self.topic.names[self.lang]
        w = W[self.lang]
        return {
            "brand": self.domain.brand,
            "product": self.domain.product,
            "name": name,
            "Name": _cap(name),
            "cust": self.customer,
            "agent": self.agent,
            "ref": self.ref,
            "tier": w["tier"].format(tier=self.tier) if self.tier else "",
        }

    def ask(self) -> str:
        return W[self.lang]["ask"].format(**self.words())

    def request(self) -> str:
        return W[self.lang]["request"].format(**self.words())


def _draw(rng: random.Random, topic: Topic, avoid: set[int]) -> int:
    """A value of the topic not among ``avoid`` (cents for money: whole or half units)."""
    while True:
        if topic.unit == "money":
            n = rng.randint(topic.low * 2, topic.high * 2) * 50
        else:
            n = rng.randint(topic.low, topic.high)
        if n not in avoid and all(abs(n - a) > max(1, n // 20) for a in avoid):
            return n


def _other_topic(domain: Domain, topic: Topic) -> Topic:
    return next(t for t in domain.topics if t is not topic and t.unit not in ("date",))


PATTERNS_NEEDING = {
    "units": ("money", "km", "kg", "m2"),
    "date_locale": ("date",),
    "plain": ("money", "days", "km", "kg", "m2"),
}
"""The values a trap fits; by default fees, periods and allowances (a floor area is no
tariff that changes or differs by tier)."""


def scenario(rng: random.Random, domain: Domain, lang: str, pattern: str) -> Scenario:
    """One fact in one trap: the docs, the needed fact and the banned ones."""
    units = PATTERNS_NEEDING.get(pattern, ("money", "days", "km", "kg"))
    topic = rng.choice([t for t in domain.topics if t.unit in units])
    cur = domain.currency
    good_n = _draw(rng, topic, set()) if topic.unit != "date" else 0
    bad_n = _draw(rng, topic, {good_n}) if topic.unit != "date" else 0
    made_n = _draw(rng, topic, {good_n, bad_n}) if topic.unit != "date" else 0
    good, bad, made = (measure(topic, n, lang, cur) for n in (good_n, bad_n, made_n))
    s = Scenario(
        domain=domain,
        topic=topic,
        lang=lang,
        pattern=pattern,
        customer=rng.choice(CUSTOMERS[lang]),
        agent=rng.choice(AGENTS),
        ref=f"{domain.brand[:2].upper()}-{rng.randint(100000, 999999)}",
        tier=None,
        docs=[],
        needed=[good],
        banned={made: "invented"},
    )
    w, words = W[lang], s.words()
    name = words["name"]
    rates = w["rates"].format(brand=domain.brand)
    context_topic = _other_topic(domain, topic)
    shared = fact(
        lang,
        context_topic.names[lang],
        measure(context_topic, _draw(rng, context_topic, {good_n, bad_n, made_n}), lang, cur),
    )
    if pattern == "plain":
        s.docs = [Doc(rates, f"{fact(lang, name, good)}\n{shared}", "right")]
    elif pattern == "footer":
        footer = w["footer"].format(brand=domain.brand, name=name, bad=bad)
        body = f"{fact(lang, name, good)}\n{shared}"
        s.docs = [Doc(rates, body, "right", passage=footer, footer=footer)]
        s.banned[bad] = "distractor"
    elif pattern == "superseded":
        old = Doc(
            w["old"].format(brand=domain.brand), f"{fact(lang, name, bad)}\n{shared}", "wrong"
        )
        new = Doc(
            w["new"].format(brand=domain.brand), f"{fact(lang, name, good)}\n{shared}", "right"
        )
        s.docs = [old, new] if rng.random() < 0.5 else [new, old]
        s.banned[bad] = "distractor"
    elif pattern == "tier_table":
        low, high = domain.tiers
        s.tier = rng.choice(domain.tiers)
        words = s.words()
        cells = (good, bad) if s.tier == low else (bad, good)
        table = (
            f"| {w['item']} | {low} | {high} |\n| --- | --- | --- |\n"
            f"| {_cap(name)} | {cells[0]} | {cells[1]} |"
        )
        s.docs = [Doc(rates, table, "right", passage=bad)]
        s.banned[bad] = "distractor"
    elif pattern == "negation":
        line = w["neg"].format(name=name, Name=_cap(name), bad=bad, good=good)
        passage = w["neg_passage"].format(bad=bad)
        s.docs = [Doc(rates, f"{line}\n{shared}", "right", passage=passage)]
        s.banned[bad] = "distractor"
    elif pattern == "agent_wrong":
        hello = w["hello"].format(cust=s.customer)
        s.docs = [
            Doc(rates, f"{hello}\n{fact(lang, name, bad)}", "wrong"),
            Doc(rates, w["doubt"], "context", speaker="customer"),
            Doc(rates, f"{hello}\n{w['sorry']} {fact(lang, name, good)}", "right"),
        ]
        # Where the kind has no agent to correct (a knowledge base), the tariff itself.
        s.extra["tariff"] = f"{fact(lang, name, good)}\n{shared}"
        s.banned[bad] = "distractor"
    elif pattern == "units":
        alt, swapped = alternative(topic, good_n, lang, cur)
        line = fact(lang, name, f"{good} ({w['approx'].format(alt=alt)})")
        s.docs = [Doc(rates, f"{line}\n{shared}", "right")]
        s.banned = {v: "invented" for v in swapped}
    elif pattern == "date_locale":
        day, month = rng.sample(range(1, 13), 2)
        year = rng.choice((2026, 2027))
        us = lang == "en" and rng.random() < 0.5
        sep = "." if lang == "de" else "/"
        written = f"{month:02d}/{day:02d}/{year}" if us else f"{day:02d}{sep}{month:02d}{sep}{year}"
        reversed_ = (
            f"{day:02d}/{month:02d}/{year}" if us else f"{month:02d}{sep}{day:02d}{sep}{year}"
        )
        label = w["date_us"] if us else w["date_uk"]
        # The misread date: the day taken for the month.
        wrong_month = MONTHS[lang].split()[day - 1]
        misread = {
            "en": f"{wrong_month} {month}",
            "fr": f"{month} {wrong_month}",
            "de": f"{month}. {wrong_month}",
            "es": f"{month} de {wrong_month}",
        }[lang]
        s.docs = [Doc(rates, f"{_cap(name)}: {written} {label}\n{shared}", "right")]
        s.needed = [written]
        s.banned = {
            reversed_: "invented",
            misread: "invented",
            f"{year}-{day:02d}-{month:02d}": "invented",
        }
    elif pattern == "sister":
        right = Doc(rates, f"{fact(lang, name, good)}\n{shared}", "right")
        wrong = Doc(
            w["rates"].format(brand=domain.sister), f"{fact(lang, name, bad)}\n{shared}", "wrong"
        )
        s.docs = [right, wrong] if rng.random() < 0.5 else [wrong, right]
        s.banned[bad] = "distractor"
    elif pattern in ("other_product", "missing"):
        mine = w["for"].format(name=_cap(name), product=domain.product)
        theirs = w["for"].format(name=_cap(name), product=domain.other_product)
        right = Doc(rates, f"{mine}: {good}.", "right")
        wrong = Doc(w["faq"].format(other=domain.other_product), f"{theirs}: {bad}.", "wrong")
        s.docs = [wrong] if pattern == "missing" else [wrong, right]
        s.banned[bad] = "distractor"
        if pattern == "missing":
            s.needed, s.escalate = [], True
            s.banned[good] = "invented"
    else:
        raise ValueError(pattern)
    return s


# --- the kinds' inputs -------------------------------------------------------------


@dataclass
class Placed:
    """A scenario placed in a kind's input: the ids its right docs and its distractor
    got there, and the distractor's passage when it sits inside a right source."""

    input: dict[str, Any]
    right: list[str]
    distractor: str | None = None
    passage: str | None = None
    cite_by_field: bool = False


def _stamp(day: int, hour: int) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:{(day * 7 + hour * 13) % 60:02d}:00Z"


def _mail(name: str) -> str:
    ascii_name = name.lower().translate(str.maketrans("öüäéíóúèç", "ouaeiouec"))
    return ascii_name.replace(" ", ".") + "@mail.example"


def _support(domain: Domain) -> str:
    return "support@" + domain.brand.lower().replace(" ", "") + ".example"


def _letter(s: Scenario, doc: Doc) -> str:
    """An agent's e-mail: a greeting unless the doc has one, the text, the closing,
    then any footer."""
    w = W[s.lang]
    hello = w["hello"].format(cust=s.customer)
    body = doc.text if doc.text.startswith(hello) else f"{hello}\n\n{doc.title}:\n{doc.text}"
    closing = w["sign"].format(agent=s.agent, brand=s.domain.brand)
    return "\n\n".join(t for t in (body, closing, doc.footer) if t)


def _mark(placed: Placed, s: Scenario, doc: Doc, source: str) -> None:
    if doc.role == "right":
        placed.right.append(source)
        if doc.passage is not None:
            placed.distractor, placed.passage = source, doc.passage
    elif doc.role == "wrong":
        placed.distractor = source


def place_email_reply(rng: random.Random, s: Scenario) -> Placed:
    day = rng.randint(2, 25)
    thread = [{"sender": _mail(s.customer), "sent_at": _stamp(day, 9), "body": s.ask()}]
    placed = Placed({}, [])
    for i, doc in enumerate(s.docs, start=1):
        mine = doc.speaker == "customer"
        thread.append(
            {
                "sender": _mail(s.customer) if mine else _support(s.domain),
                "sent_at": _stamp(day, 9 + i),
                "body": doc.text if mine else _letter(s, doc),
            }
        )
        _mark(placed, s, doc, f"m{i}")
    subject = f"{s.domain.brand}: {s.topic.names[s.lang]} ({s.ref})"
    question = W[s.lang]["reply"].format(**s.words())
    placed.input = {
        "subject": subject,
        "thread": thread,
        "question": question,
        "tone": rng.choice(("neutral", "friendly", "formal")),
    }
    return placed


def place_support_answer(rng: random.Random, s: Scenario) -> Placed:
    placed = Placed({}, [])
    sources: list[dict[str, Any]] = []
    conversation: list[dict[str, str]] = []
    ids = rng.sample(range(100, 999), len(s.docs) + 1)
    if s.pattern == "agent_wrong":
        wrong, doubt, _ = s.docs
        conversation = [
            {"role": "user", "content": s.request()},
            {"role": "assistant", "content": wrong.text},
            {"role": "user", "content": doubt.text},
        ]
        sources = [
            {"id": f"kb-{ids[0]}", "title": wrong.title, "text": s.extra["tariff"]},
        ]
        placed.right, placed.distractor = [f"kb-{ids[0]}"], "conversation"
    else:
        for n, doc in zip(ids, s.docs, strict=False):
            text = "\n\n".join(t for t in (doc.text, doc.footer) if t)
            sources.append({"id": f"kb-{n}", "title": doc.title, "text": text})
            _mark(placed, s, doc, f"kb-{n}")
    placed.input = {"question": s.request(), "conversation": conversation, "sources": sources}
    return placed


def place_account_summary(rng: random.Random, s: Scenario) -> Placed:
    placed = Placed({}, [])
    day = rng.randint(2, 20)
    emails: list[dict[str, Any]] = [
        {
            "id": "e1",
            "sender": _mail(s.customer),
            "sent_at": _stamp(day, 9),
            "subject": s.ref,
            "body": s.ask(),
        }
    ]
    notes: list[dict[str, Any]] = []
    for i, doc in enumerate(s.docs, start=2):
        as_note = doc.role == "wrong" and s.pattern in ("superseded", "sister", "other_product")
        if as_note:
            source = f"n{i}"
            notes.append(
                {
                    "id": source,
                    "author": s.agent,
                    "written_at": _stamp(day - 1, 15),
                    "text": f"{doc.title}:\n{doc.text}",
                }
            )
        else:
            source = f"e{i}"
            mine = doc.speaker == "customer"
            emails.append(
                {
                    "id": source,
                    "sender": _mail(s.customer) if mine else _support(s.domain),
                    "sent_at": _stamp(day, 9 + i),
                    "subject": f"Re: {s.ref}",
                    "body": doc.text if mine else _letter(s, doc),
                }
            )
        _mark(placed, s, doc, source)
    placed.input = {
        "account": s.customer,
        "emails": emails,
        "crm_notes": notes,
        "focus": W[s.lang]["focus"].format(**s.words()),
    }
    if not notes:
        del placed.input["crm_notes"]
    return placed


def place_follow_up_draft(rng: random.Random, s: Scenario) -> Placed:
    placed = Placed({}, [])
    rep = f"{s.agent} ({s.domain.brand})"
    turns = [{"id": "t1", "speaker": s.customer, "text": s.request()}]
    for i, doc in enumerate(s.docs, start=2):
        if doc.speaker == "customer":
            speaker, text = s.customer, doc.text
        elif s.pattern == "agent_wrong" and doc.role == "right":
            speaker = rep
            text = doc.text.split("\n", 1)[1].replace(W[s.lang]["sorry"], W[s.lang]["misspoke"])
        else:
            speaker = rep
            text = (
                doc.text.split("\n", 1)[1]
                if s.pattern == "agent_wrong"
                else (f"{doc.title}:\n{doc.text}")
            )
        turns.append({"id": f"t{i}", "speaker": speaker, "text": text})
        _mark(placed, s, doc, f"t{i}")
    placed.input = {
        "conversation": turns,
        "about": _cap(s.topic.names[s.lang]),
        "sender": s.agent,
        "recipient": s.customer,
        "tone": rng.choice(("neutral", "friendly", "formal")),
    }
    return placed


LOCALES = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE", "es": "es-ES"}


def _references(rng: random.Random, s: Scenario, placed: Placed) -> list[dict[str, Any]]:
    refs = []
    for n, doc in zip(rng.sample(range(10, 99), len(s.docs)), s.docs, strict=True):
        text = "\n\n".join(t for t in (doc.text, doc.footer) if t)
        refs.append({"id": f"sheet-{n}", "title": doc.title, "text": text})
        _mark(placed, s, doc, f"sheet-{n}")
    return refs


def place_product_description(rng: random.Random, s: Scenario) -> Placed:
    placed = Placed({}, [])
    attributes: dict[str, Any] = {"plan": s.tier} if s.tier else {}
    placed.input = {
        "product": {
            "name": f"{s.domain.brand} {s.domain.product}",
            "brand": s.domain.brand,
            "category": s.domain.name.replace("_", " "),
            "attributes": attributes,
        },
        "locale": LOCALES[s.lang],
        "metadata_locale": s.lang,
        "customer_tier": rng.choice(("standard", "premium", "business")),
        "references": _references(rng, s, placed),
    }
    return placed


def place_metadata_enrichment(rng: random.Random, s: Scenario) -> Placed:
    placed = Placed({}, [], cite_by_field=True)
    plan = f" ({s.tier})" if s.tier else ""
    placed.input = {
        "title": f"{s.domain.brand} {s.domain.product}{plan}",
        "description": f"{s.domain.brand}: {s.domain.product}.",
        "references": _references(rng, s, placed),
        "fields": [s.topic.key],
    }
    return placed


def place_document_extraction(rng: random.Random, s: Scenario) -> Placed:
    placed = Placed({}, ["document"])
    tier = f"\n{s.tier}" if s.tier else ""
    blocks = [f"{s.domain.brand}\nReference: {s.ref}\n{s.customer}{tier}"]
    for doc in s.docs:
        block = f"{doc.title}\n{doc.text}"
        blocks.append("\n\n".join(t for t in (block, doc.footer) if t))
        if doc.role == "wrong":
            placed.distractor, placed.passage = "document", block
        elif doc.passage is not None:
            placed.distractor, placed.passage = "document", doc.passage
    placed.input = {
        "document_type": "form",
        "text": "\n\n".join(blocks),
        "fields": ["reference", s.topic.key],
    }
    s.needed = [*s.needed, s.ref]
    return placed


PLACERS: dict[str, Callable[[random.Random, Scenario], Placed]] = {
    "email_reply": place_email_reply,
    "support_answer": place_support_answer,
    "account_summary": place_account_summary,
    "follow_up_draft": place_follow_up_draft,
    "product_description": place_product_description,
    "metadata_enrichment": place_metadata_enrichment,
    "document_extraction": place_document_extraction,
}
PLAIN = "plain"
PLANS: dict[str, tuple[str, ...]] = {
    "email_reply": (
        *(PLAIN, "footer", PLAIN, "superseded", "tier_table", PLAIN, "negation"),
        *("agent_wrong", PLAIN, "date_locale", "units", PLAIN, "sister", "other_product"),
        "missing",
    ),
    "support_answer": (
        *(PLAIN, "missing", "footer", PLAIN, "superseded", "tier_table", PLAIN, "negation"),
        *("agent_wrong", PLAIN, "date_locale", "units", PLAIN, "sister", "other_product"),
    ),
    "account_summary": (
        *(PLAIN, "footer", "superseded", PLAIN, "agent_wrong", "sister", PLAIN, "negation"),
        *("tier_table", "units"),
    ),
    "follow_up_draft": (
        *(PLAIN, "agent_wrong", "tier_table", PLAIN, "negation", "units", PLAIN),
        *("date_locale", "superseded", "sister"),
    ),
    "product_description": (
        *(PLAIN, "sister", "other_product", PLAIN, "tier_table", "units", PLAIN),
        *("negation", "superseded", "footer"),
    ),
    "metadata_enrichment": (
        *(PLAIN, "superseded", "other_product", PLAIN, "tier_table", "units", PLAIN),
        *("negation", "sister", "footer"),
    ),
    "document_extraction": (
        *(PLAIN, "footer", "superseded", PLAIN, "tier_table", "negation", PLAIN),
        *("units", "date_locale", "other_product"),
    ),
    "bio": (PLAIN, "shortlisted", "former_sister"),
}
"""Each kind's traps, in turn; about a third of the cases are plain."""


def grounded_case(rng: random.Random, kind: str, n: int, domain: Domain, lang: str) -> dict:
    """The n-th case of a kind, drawn again until its labels are true of its input (a
    drawn figure may happen to sit inside another: 5 days in 15 days)."""
    pattern = PLANS[kind][n % len(PLANS[kind])]
    for _ in range(50):
        case = (
            _bio_case(rng, n, domain, lang, pattern)
            if kind == "bio"
            else _case(rng, kind, n, scenario(rng, domain, lang, pattern))
        )
        if not mislabelled(case):
            return case
    raise AssertionError(f"no true labels for {kind} {n}: {mislabelled(case)}")


def _case(rng: random.Random, kind: str, n: int, s: Scenario) -> dict[str, Any]:
    placed = PLACERS[kind](rng, s)
    escalate = s.escalate and kind == "support_answer"
    case: dict[str, Any] = {
        "id": f"hc-{kind}-{n:03d}-{s.pattern}",
        "kind": kind,
        "domain": s.domain.name,
        "lang": s.lang,
        "pattern": s.pattern,
        "input": placed.input,
    }
    if escalate:
        case["expect_outcome"] = "escalated"
    elif not s.escalate:
        # A reply with no source for the fact is not scored on its outcome (the kind
        # may draft a holding answer or refuse); only on what it must not state.
        case["expect_outcome"] = OUTCOMES[kind]
    if kind not in SINGLE_SOURCE and placed.right:
        case["must_cite"] = (
            {s.topic.key: placed.right[0]} if placed.cite_by_field else sorted(set(placed.right))
        )
    case["must_contain"] = list(s.needed)
    case["must_not_contain"] = list(s.banned)
    case["banned"] = dict(s.banned)
    if "distractor" in s.banned.values():
        case["distractor"] = placed.distractor
        if placed.passage is not None:
            case["distractor_passage"] = placed.passage
    return case


# --- bio ------------------------------------------------------------------------------

SKILLS = ("stakeholder management", "process design", "team coaching", "budget planning")
EARLIER = ("Marlow & Finch", "Brightwater Group", "Castellan Partners")


def _bio_case(rng: random.Random, n: int, domain: Domain, lang: str, pattern: str) -> dict:
    w = W[lang]
    name = rng.choice(CUSTOMERS[lang])
    start = rng.randint(2012, 2019)
    clients = rng.randint(1_200, 48_000)
    # A round figure well above the profile's: a bio that inflates its subject.
    other = int(round(clients * 1.25, -3))
    year = rng.randint(2021, 2025)
    earlier = domain.sister if pattern == "former_sister" else rng.choice(EARLIER)
    achievements = [w["grew"].format(n=grouped(clients, lang), y=year)]
    banned = {f"{grouped(other, lang)}": "invented"}
    if pattern == "shortlisted":
        achievements.append(w["shortlisted"].format(award=domain.award, y=year))
        banned |= {
            w["won"].format(award=domain.award): "invented",
            w["winner"].format(award=domain.award): "invented",
        }
    if pattern == "former_sister":
        at = {"en": "at", "fr": "chez", "de": "bei", "es": "en"}[lang]
        banned[f"{domain.role} {at} {domain.sister}"] = "invented"
    profile = {
        "name": name,
        "role": domain.role,
        "organization": domain.brand,
        "pronouns": rng.choice(("she", "he", "they")),
        "experience": [
            {
                "role": "Operations Manager",
                "organization": earlier,
                "start_year": start,
                "end_year": start + rng.randint(2, 4),
            }
        ],
        "skills": rng.sample(SKILLS, 2),
        "achievements": achievements,
    }
    return {
        "id": f"hc-bio-{n:03d}-{pattern}",
        "kind": "bio",
        "domain": domain.name,
        "lang": lang,
        "pattern": pattern,
        "input": {
            "profile": profile,
            "tone": rng.choice(("professional", "formal")),
            "length": "medium",
        },
        "expect_outcome": "written",
        "must_contain": [name, domain.brand],
        "must_not_contain": list(banned),
        "banned": banned,
    }


# --- the set and its check ----------------------------------------------------------


def grounded_c_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for k, (kind, count) in enumerate(COUNTS.items()):
        for n in range(count):
            domain = DOMAINS[(n * 3 + k) % len(DOMAINS)]
            lang = rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
            cases.append(grounded_case(rng, kind, n, domain, lang))
    return cases


def mislabelled(case: dict[str, Any]) -> list[str]:
    """What the case's labels say that its input does not bear out: a needed fact no
    right source states, a distractor fact found outside the distractor (or in a right
    source), an invented fact the input states, a banned fact inside a needed one."""
    kind, job = case["kind"], case["input"]
    sources = grounding.material(kind, job) or {}
    whole = grounding.plain_text(job).casefold()
    cite = case.get("must_cite") or []
    right = list(cite.values()) if isinstance(cite, dict) else list(cite)
    if kind in SINGLE_SOURCE:
        right = [SINGLE_SOURCE[kind]]
    wrong_id, passage = case.get("distractor"), case.get("distractor_passage")
    wrong_text = (passage or sources.get(wrong_id or "", "")).casefold()

    def right_text(source: str) -> str:
        text = sources.get(source, "").casefold()
        return text.replace(passage.casefold(), "", 1) if passage and source == wrong_id else text

    problems = [f"cited {r!r} is no source" for r in right if r not in sources]
    for needed in case["must_contain"]:
        if not any(needed.casefold() in right_text(r) for r in right):
            problems.append(f"needed {needed!r} is in no right source")
    if wrong_id is not None:
        if wrong_id not in sources:
            problems.append(f"distractor source {wrong_id!r} is no source")
        elif passage is None and wrong_id in right:
            problems.append(f"distractor source {wrong_id!r} is not a wrong source")
        elif passage is not None and passage.casefold() not in sources[wrong_id].casefold():
            problems.append(f"distractor passage is not in {wrong_id!r}")
    if set(case["must_not_contain"]) != set(case["banned"]):
        problems.append("must_not_contain and banned differ")
    rest = whole.replace(wrong_text, "", 1) if wrong_text else whole
    for fact_, origin in case["banned"].items():
        text = fact_.casefold()
        if any(text in r for r in map(right_text, right)):
            problems.append(f"banned {fact_!r} is in a right source")
        if any(text in needed.casefold() for needed in case["must_contain"]):
            problems.append(f"banned {fact_!r} is inside a needed fact")
        if origin == "invented" and text in whole:
            problems.append(f"banned {fact_!r} is not invented")
        if origin == "distractor" and (text not in wrong_text or text in rest):
            problems.append(f"banned {fact_!r} is not only in the distractor")
    return problems
