"""The fifth held-out grounded set (``heldout/grounded_e.jsonl``), written blind.

Written without reading the four earlier grounded sets, the offline provider, the
prompts or the guards, once all four had been seen by whoever tunes the offline
answer; to be run once, at the end, by someone who did not write it.

Each case takes one domain (a brand, a plan and the one figure a customer asks
about) and one trap (``pattern``) and writes it into the input of a grounded kind:
the right source states the figure the answer must give, and a trap adds a source that
states another figure a careless answer would give instead (the ``distractor``). About
a third of the cases are plain (one source, no trap). Every case also bans a plausible
figure found nowhere in the input (``invented``). :func:`mislabelled` checks the
labels against the input, and the generator draws a case again until they hold.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from evals import grounding

SEED = 20261219
LANGS = ("en", "fr", "de", "es")
LANG_WEIGHTS = (7, 1, 1, 1)
"""English most; French, German and Spanish about one case in ten each, in every trap."""


@dataclass(frozen=True)
class Domain:
    """A brand, its plans and the one figure a customer asks about, in four languages
    (``topic`` reads after "the": "waiting period for illness cover")."""

    name: str
    brand: str
    sister: str
    plans: tuple[str, str]
    unit: str
    low: int
    high: int
    step: int
    field: str
    topic: dict[str, str]


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "vet_insurance",
        "PawSure",
        "PetHaven",
        ("Essential", "Complete"),
        "days",
        14,
        60,
        1,
        "illness_waiting_period",
        {
            "en": "the illness waiting period",
            "fr": "le délai de carence maladie",
            "de": "die Wartezeit für Krankheiten",
            "es": "el periodo de carencia por enfermedad",
        },
    ),
    Domain(
        "energy_tariffs",
        "VoltaHome",
        "VoltaBiz",
        ("Smart meter", "Prepayment meter"),
        "eur",
        600,
        1999,
        1,
        "standing_charge",
        {
            "en": "the monthly standing charge",
            "fr": "l'abonnement mensuel",
            "de": "die monatliche Grundgebühr",
            "es": "el cargo fijo mensual",
        },
    ),
    Domain(
        "car_leasing",
        "DriveLease",
        "DriveFleet",
        ("Flex", "Premium"),
        "km",
        8,
        40,
        1,
        "mileage_allowance",
        {
            "en": "the annual mileage allowance",
            "fr": "le forfait kilométrique annuel",
            "de": "die jährliche Kilometerleistung",
            "es": "el kilometraje anual incluido",
        },
    ),
    Domain(
        "event_tickets",
        "StageLine",
        "StageLine Live",
        ("Standard", "Gold"),
        "days",
        7,
        45,
        1,
        "refund_window",
        {
            "en": "the refund window",
            "fr": "le délai de remboursement",
            "de": "die Erstattungsfrist",
            "es": "el plazo de reembolso",
        },
    ),
    Domain(
        "dental_plans",
        "SmileCare",
        "SmileCare Kids",
        ("Basic", "Plus"),
        "eur",
        15000,
        64999,
        1,
        "hygiene_annual_limit",
        {
            "en": "the annual limit for hygiene visits",
            "fr": "le plafond annuel des détartrages",
            "de": "das Jahreslimit für Prophylaxe",
            "es": "el límite anual de limpiezas",
        },
    ),
    Domain(
        "visa_processing",
        "VisaBridge",
        "VisaBridge Pro",
        ("Standard", "Priority"),
        "days",
        10,
        90,
        1,
        "processing_time",
        {
            "en": "the processing time for Canada",
            "fr": "le délai de traitement pour le Canada",
            "de": "die Bearbeitungszeit für Kanada",
            "es": "el plazo de tramitación para Canadá",
        },
    ),
    Domain(
        "payroll",
        "PayNest",
        "PayNest Lite",
        ("Starter", "Scale"),
        "eur",
        2500,
        14999,
        1,
        "off_cycle_run_fee",
        {
            "en": "the off-cycle payroll run fee",
            "fr": "les frais de paie hors cycle",
            "de": "die Gebühr für einen Sonderlauf",
            "es": "la tarifa de nómina fuera de ciclo",
        },
    ),
    Domain(
        "cloud_storage",
        "NimbusDrive",
        "NimbusBox",
        ("Storage+", "Storage Max"),
        "gb",
        2,
        40,
        1,
        "addon_quota",
        {
            "en": "the storage quota of the add-on",
            "fr": "le quota de stockage de l'option",
            "de": "das Speicherkontingent des Add-ons",
            "es": "la cuota de almacenamiento del complemento",
        },
    ),
    Domain(
        "loyalty_points",
        "Étoile Rewards",
        "Étoile Club",
        ("Silver", "Platinum"),
        "months",
        12,
        48,
        1,
        "points_expiry",
        {
            "en": "the points expiry period",
            "fr": "la durée de validité des points",
            "de": "die Verfallsfrist der Punkte",
            "es": "el plazo de caducidad de los puntos",
        },
    ),
)

UNIT_WORDS = {
    "days": {"en": "days", "fr": "jours", "de": "Tage", "es": "días"},
    "months": {"en": "months", "fr": "mois", "de": "Monate", "es": "meses"},
}
THOUSANDS = {"en": ",", "fr": " ", "de": ".", "es": "."}
DECIMAL = {"en": ".", "fr": ",", "de": ",", "es": ","}


def _grouped(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", THOUSANDS[lang])


def token(domain: Domain, value: int, lang: str) -> str:
    """The figure as the case's language writes it: what an answer must contain."""
    if domain.unit == "eur":
        whole, cents = divmod(value, 100)
        return f"{_grouped(whole, lang)}{DECIMAL[lang]}{cents:02d}"
    if domain.unit == "km":
        return _grouped(value * 500, lang)
    if domain.unit == "gb":
        return f"{value * 50} GB"
    return f"{value} {UNIT_WORDS[domain.unit][lang]}"


def shown(domain: Domain, value: int, lang: str) -> str:
    """The figure as a source prints it (a currency sign, a unit)."""
    text = token(domain, value, lang)
    if domain.unit == "eur":
        return f"€{text}" if lang == "en" else f"{text} €"
    if domain.unit == "km":
        return f"{text} km"
    return text


def rounded(domain: Domain, value: int, lang: str) -> str:
    """A round figure near the exact one, as a summary page would print it."""
    if domain.unit == "eur":
        return f"{_grouped(round(value / 100), lang)} {'Euro' if lang == 'de' else 'euros'}"
    if domain.unit == "km":
        return f"{_grouped(round(value * 500, -4), lang)} km"
    if domain.unit == "gb":
        return f"{round(value * 50, -2)} GB"
    if domain.unit == "days":
        return f"{round(value / 7)} {WEEKS[lang]}"
    return f"{round(value / 12)} {YEARS[lang]}"


WEEKS = {"en": "weeks", "fr": "semaines", "de": "Wochen", "es": "semanas"}
YEARS = {"en": "years", "fr": "ans", "de": "Jahre", "es": "años"}


# --- wording ---------------------------------------------------------------------------

FACT = {
    "en": "On the {plan} plan, {topic} is {value}.",
    "fr": "Avec la formule {plan}, {topic} est de {value}.",
    "de": "Im Tarif {plan} beträgt {topic} {value}.",
    "es": "Con el plan {plan}, {topic} es de {value}.",
}
ASK = {
    "en": "Hello, I am on the {plan} plan with {brand}. What is {topic} for me?{extra} "
    "Thanks, {name}",
    "fr": "Bonjour, j'ai la formule {plan} chez {brand}. Quel est {topic} pour moi ?{extra} "
    "Merci, {name}",
    "de": "Guten Tag, ich habe den Tarif {plan} bei {brand}. Wie hoch ist {topic} bei "
    "mir?{extra} Danke, {name}",
    "es": "Hola, tengo el plan {plan} con {brand}. ¿Cuál es {topic} en mi caso?{extra} "
    "Gracias, {name}",
}
ROUGHLY = {
    "en": "{brand} in short: {topic} is roughly {value}.",
    "fr": "{brand} en bref : {topic} est d'environ {value}.",
    "de": "{brand} kurz gesagt: {topic} beträgt rund {value}.",
    "es": "{brand} en resumen: {topic} es de unos {value}.",
}
CONTEXT = {
    "per_quantity": {
        "en": "I pay monthly, not yearly.",
        "fr": "Je paie au mois, pas à l'année.",
        "de": "Ich zahle monatlich, nicht jährlich.",
        "es": "Pago mensualmente, no anualmente.",
    },
    "conditional": {
        "en": "I paid by bank transfer.",
        "fr": "J'ai payé par virement bancaire.",
        "de": "Ich habe per Banküberweisung bezahlt.",
        "es": "Pagué por transferencia bancaria.",
    },
    "asked_back": {
        "en": "On the phone I understood {wrong}, did I hear that right?",
        "fr": "Au téléphone j'ai compris {wrong}, ai-je bien entendu ?",
        "de": "Am Telefon habe ich {wrong} verstanden, stimmt das?",
        "es": "Por teléfono entendí {wrong}, ¿lo oí bien?",
    },
    "rounded": {
        "en": "I need the exact figure, not an estimate.",
        "fr": "J'ai besoin du chiffre exact, pas d'une estimation.",
        "de": "Ich brauche die genaue Angabe, keine Schätzung.",
        "es": "Necesito la cifra exacta, no una estimación.",
    },
}
ASK_AGAIN = {
    "en": "So what is the right figure?",
    "fr": "Quel est donc le bon chiffre ?",
    "de": "Was ist also der richtige Wert?",
    "es": "¿Cuál es entonces la cifra correcta?",
}
PROMISE = {
    "en": "I will send you this in writing by Friday.",
    "fr": "Je vous l'envoie par écrit d'ici vendredi.",
    "de": "Ich schicke Ihnen das bis Freitag schriftlich.",
    "es": "Se lo envío por escrito antes del viernes.",
}
AUTO_REPLY = {
    "en": "Automatic reply",
    "fr": "Réponse automatique",
    "de": "Automatische Antwort",
    "es": "Respuesta automática",
}
NAMES = (
    "Aisha Khan",
    "Louis Girard",
    "Jana Vogel",
    "Lucía Ortega",
    "Tom Becker",
    "Mei Lin",
    "Paul Renard",
    "Sofia Marín",
    "Ines Kraus",
    "Owen Price",
    "Chloé Martin",
    "Diego Ruiz",
)
AGENTS = ("Priya", "Marc", "Henrik", "Elena", "Sam", "Nora")

PATTERNS = (
    "plain",
    "per_quantity",
    "conditional",
    "draft_vs_sent",
    "asked_back",
    "title_dated",
    "example_vs_rule",
    "rounded",
    "stale_translation",
    "missing",
)
EVERY_TRAP = {p: 6 for p in PATTERNS if p != "plain"} | {"plain": 26}
PLANS: dict[str, dict[str, int]] = {
    "email_reply": EVERY_TRAP,
    "support_answer": EVERY_TRAP,
    "account_summary": {
        "plain": 8,
        "per_quantity": 3,
        "conditional": 3,
        "draft_vs_sent": 3,
        "title_dated": 3,
        "rounded": 2,
    },
    "follow_up_draft": {
        "plain": 8,
        "asked_back": 4,
        "draft_vs_sent": 4,
        "conditional": 3,
        "rounded": 3,
    },
    "product_description": {
        "plain": 8,
        "stale_translation": 4,
        "title_dated": 4,
        "example_vs_rule": 3,
        "draft_vs_sent": 3,
    },
    "metadata_enrichment": {
        "plain": 8,
        "stale_translation": 4,
        "title_dated": 4,
        "example_vs_rule": 3,
        "draft_vs_sent": 3,
    },
    "document_extraction": {"plain": 10, "rounded": 6, "per_quantity": 6},
    "bio": {"plain": 10, "rounded": 6, "per_quantity": 6},
}
"""Per kind, how many cases of each pattern."""
COUNTS = Counter({kind: sum(plan.values()) for kind, plan in PLANS.items()})


@dataclass
class Draw:
    """One case's facts: the domain, the language, the plan and the three figures."""

    domain: Domain
    lang: str
    plan: str
    other_plan: str
    right: int
    wrong: int
    invented: int
    name: str
    agent: str

    def fact(self, value: int, plan: str | None = None) -> str:
        return FACT[self.lang].format(
            plan=plan or self.plan,
            topic=self.domain.topic[self.lang],
            value=shown(self.domain, value, self.lang),
        )

    def token(self, value: int) -> str:
        return token(self.domain, value, self.lang)


def _draw(rng: random.Random, domain: Domain, lang: str) -> Draw:
    right, wrong, invented = rng.sample(range(domain.low, domain.high + 1, domain.step), 3)
    plan, other = rng.sample(domain.plans, 2)
    name, agent = rng.choice(NAMES), rng.choice(AGENTS)
    return Draw(domain, lang, plan, other, right, wrong, invented, name, agent)


# --- the trap's sources ------------------------------------------------------------------


@dataclass
class Sources:
    """What a trap puts in front of the answer: the right source's title and text, the
    distractor's (None when plain) and what the customer adds to the question."""

    right_title: str
    right_text: str
    wrong_title: str | None
    wrong_text: str | None
    wrong_banned: str | None
    extra: str
    right_fact: str
    right_value: str
    needed: str


def sources(pattern: str, d: Draw) -> Sources:
    """The right and the distractor source of a trap, in the case's language (the
    distractor of a stale translation is in another one)."""
    brand, lang = d.domain.brand, d.lang
    topic = d.domain.topic["en"].removeprefix("the ")
    topic_title = topic[0].upper() + topic[1:]
    right = right_fact = d.fact(d.right)
    right_value, needed = shown(d.domain, d.right, lang), d.token(d.right)
    extra = ""
    wrong_title: str | None = None
    wrong_text: str | None = None
    wrong_banned: str | None = d.token(d.wrong)
    right_title = f"{brand}: {topic_title}"
    if pattern in ("plain", "missing"):
        wrong_banned = None
    elif pattern == "per_quantity":
        right_title = f"{brand}: {topic_title} (monthly billing)"
        wrong_title = f"{brand}: annual billing"
        wrong_text = (
            f"Customers who pay yearly: {d.fact(d.wrong)} "
            f"This applies to annual contracts only, per year of contract."
        )
        extra = CONTEXT["per_quantity"][lang]
    elif pattern == "conditional":
        right_title = f"{brand}: {topic_title}, paid by bank transfer"
        right = f"If paid by bank transfer: {right}"
        wrong_title = f"{brand}: {topic_title}, paid by card"
        wrong_text = f"If paid by card: {d.fact(d.wrong)}"
        extra = CONTEXT["conditional"][lang]
    elif pattern == "draft_vs_sent":
        right_title = f"Sent 14:02 by {d.agent}"
        right = f"[SENT] {right}"
        wrong_title = f"[DRAFT, not sent] by {d.agent}"
        wrong_text = f"[DRAFT, not sent, figure to be checked] {d.fact(d.wrong)}"
    elif pattern == "asked_back":
        wrong_title = None
        wrong_text = None
        extra = CONTEXT["asked_back"][lang].format(wrong=shown(d.domain, d.wrong, lang))
    elif pattern == "title_dated":
        right_title = f"{brand}: {topic_title} (effective 1 January 2026)"
        wrong_title = f"{brand}: {topic_title}"
        wrong_text = f"Updated 12/03/2024. {d.fact(d.wrong)}"
    elif pattern == "example_vs_rule":
        right_title = f"{brand}: {topic_title}, rule"
        wrong_title = f"{brand}: worked example (illustrative only)"
        wrong_text = (
            f"Example, for illustration only: a customer on the {d.other_plan} plan. "
            f"{d.fact(d.wrong, d.other_plan)}"
        )
    elif pattern == "rounded":
        right_title = f"{brand}: {topic_title}, tariff sheet"
        wrong_title = f"{brand} newsletter: at a glance"
        approx = rounded(d.domain, d.right, lang)
        wrong_text = ROUGHLY[lang].format(brand=brand, topic=d.domain.topic[lang], value=approx)
        wrong_banned = approx
        extra = CONTEXT["rounded"][lang]
    elif pattern == "stale_translation":
        # The customer reads the page in their language, whose figure was not updated;
        # the English master page has the current one. An answer in the customer's
        # language writes the right figure its own way: only its number is needed.
        assert lang != "en", "a stale translation is read by a customer in another language"
        right_title = f"{brand}: {topic_title} (master page, updated 2026)"
        right_value = shown(d.domain, d.right, "en")
        right = right_fact = FACT["en"].format(
            plan=d.plan, topic=d.domain.topic["en"], value=right_value
        )
        needed = neutral(d.domain, d.right)
        wrong_title = f"{brand}: {topic_title} [translation, {lang.upper()}, 2024]"
        wrong_text = d.fact(d.wrong)
    else:  # pragma: no cover - PATTERNS is closed
        raise AssertionError(pattern)
    return Sources(
        right_title,
        right,
        wrong_title,
        wrong_text,
        wrong_banned,
        extra,
        right_fact,
        right_value,
        needed,
    )


def neutral(domain: Domain, value: int) -> str:
    """The figure as every language writes it: its number (whole euros), or its
    gigabytes."""
    assert domain.unit != "km", "a grouped distance is written differently in each language"
    if domain.unit == "eur":
        return str(value // 100)
    if domain.unit == "gb":
        return f"{value * 50} GB"
    return str(value)


def _unrelated(d: Draw) -> tuple[str, str]:
    """A page of the same brand about something else, with a figure of its own kind
    shaped unlike the asked one: what a search returns when the right page is missing."""
    return (
        f"{d.domain.brand}: contact hours",
        f"Our team answers from Monday to Friday, 8:00 to 18:00. "
        f"Write to the {d.domain.brand} help centre for anything about your {d.plan} plan.",
    )


def question(d: Draw, extra: str) -> str:
    return ASK[d.lang].format(
        plan=d.plan,
        brand=d.domain.brand,
        topic=d.domain.topic[d.lang],
        name=d.name,
        extra=f" {extra}" if extra else "",
    )


# --- kinds ------------------------------------------------------------------------------


def _at(month: int, day: int, rng: random.Random) -> str:
    """A time on ``day`` of ``month`` 2026: a thread's messages are dated in order."""
    minute = rng.choice((5, 20, 40))
    return f"2026-{month:02d}-{day:02d}T{rng.randint(8, 17):02d}:{minute:02d}:00Z"


def _address(name: str) -> str:
    first = unicodedata.normalize("NFKD", name.split()[0]).encode("ascii", "ignore").decode()
    return f"{first.lower()}@mail.example"


def _case(
    d: Draw,
    kind: str,
    pattern: str,
    src: Sources,
    job: dict[str, Any],
    right_ids: list[str] | dict[str, str],
    distractor: str | None,
) -> dict[str, Any]:
    banned: dict[str, str] = {}
    if src.wrong_banned is not None and distractor is not None:
        banned[src.wrong_banned] = "distractor"
    banned[d.token(d.invented)] = "invented"
    case: dict[str, Any] = {
        "kind": kind,
        "pattern": pattern,
        "domain": d.domain.name,
        "lang": d.lang,
        "input": job,
        "expect_outcome": _OUTCOME[kind],
        "must_cite": right_ids,
        "must_contain": [src.needed],
        "must_not_contain": list(banned),
        "banned": banned,
    }
    if distractor is not None and "distractor" in banned.values():
        case["distractor"] = distractor
    return case


_OUTCOME = {
    "email_reply": "drafted",
    "support_answer": "answered",
    "account_summary": "summarized",
    "follow_up_draft": "drafted",
    "product_description": "written",
    "metadata_enrichment": "enriched",
    "document_extraction": "extracted",
    "bio": "written",
}


def email_reply(rng: random.Random, d: Draw, pattern: str) -> dict[str, Any]:
    src = sources(pattern, d)
    month = rng.randint(1, 11)
    brand = d.domain.brand
    desk = f"support@{brand.lower().replace(' ', '').replace('é', 'e')}.example"
    customer = _address(d.name)
    thread = [{"sender": customer, "sent_at": _at(month, 3, rng), "body": question(d, src.extra)}]
    right_ids: list[str] = []
    distractor = None
    if pattern == "missing":
        title, text = _unrelated(d)
        body = f"{AUTO_REPLY[d.lang]}. {title}. {text}"
        thread.append({"sender": desk, "sent_at": _at(month, 4, rng), "body": body})
    else:
        notes = [
            (
                "right",
                f"Internal note from {d.agent}, knowledge base '{src.right_title}': "
                f"{src.right_text}",
            )
        ]
        if src.wrong_text is not None:
            notes.append(
                (
                    "wrong",
                    f"Internal note from {d.agent}, knowledge base "
                    f"'{src.wrong_title}': {src.wrong_text}",
                )
            )
        if pattern == "draft_vs_sent":
            notes = [("wrong", f"{src.wrong_text}"), ("right", f"{src.right_text}")]
        else:
            rng.shuffle(notes)
        for role, body in notes:
            thread.append(
                {"sender": desk, "sent_at": _at(month, 5 + len(thread), rng), "body": body}
            )
            if role == "right":
                right_ids.append(f"m{len(thread) - 1}")
            else:
                distractor = f"m{len(thread) - 1}"
    if pattern == "asked_back":
        distractor = "m0"
    job = {
        "thread": thread,
        "subject": f"{brand} {d.plan}: {d.domain.topic['en']}",
        "question": f"Reply to {d.name} with {d.domain.topic['en']} on their {d.plan} plan, "
        f"in the customer's language.",
        "tone": rng.choice(("neutral", "friendly", "formal")),
        "search_documents": False,
    }
    case = _case(d, "email_reply", pattern, src, job, right_ids, distractor)
    if pattern == "missing":
        case["must_contain"], case["must_cite"] = [], []
        case["banned"] = {d.token(d.right): "invented", d.token(d.invented): "invented"}
        case["must_not_contain"] = list(case["banned"])
    return case


def support_answer(rng: random.Random, d: Draw, pattern: str) -> dict[str, Any]:
    src = sources(pattern, d)
    slug = d.domain.name.replace("_", "-")
    items: list[dict[str, str | None]] = []
    distractor = None
    right_ids: list[str] = []
    if pattern == "missing":
        title, text = _unrelated(d)
        items.append({"id": f"kb-{slug}-hours", "title": title, "text": text})
    else:
        items.append(
            {
                "id": f"kb-{slug}-{rng.randint(100, 999)}",
                "title": src.right_title,
                "text": src.right_text,
            }
        )
        right_ids.append(str(items[0]["id"]))
        if src.wrong_text is not None:
            distractor = f"kb-{slug}-{rng.randint(100, 999)}"
            while distractor == right_ids[0]:
                distractor = f"kb-{slug}-{rng.randint(100, 999)}"
            items.append({"id": distractor, "title": src.wrong_title, "text": src.wrong_text})
            rng.shuffle(items)
    conversation: list[dict[str, str]] = []
    ask = question(d, src.extra)
    if pattern == "asked_back":
        conversation = [
            {"role": "user", "content": question(d, "")},
            {"role": "assistant", "content": "Let me check that for you."},
            {"role": "user", "content": src.extra},
        ]
        distractor, ask = "conversation", ASK_AGAIN[d.lang]
    job = {
        "question": ask,
        "conversation": conversation,
        "sources": items,
        "search_documents": False,
    }
    case = _case(d, "support_answer", pattern, src, job, right_ids, distractor)
    if pattern == "missing":
        case["expect_outcome"] = "escalated"
        case["expect_review"] = True
        case["must_contain"], case["must_cite"] = [], []
        case["banned"] = {d.token(d.right): "invented", d.token(d.invented): "invented"}
        case["must_not_contain"] = list(case["banned"])
    return case


def account_summary(rng: random.Random, d: Draw, pattern: str) -> dict[str, Any]:
    src = sources(pattern, d)
    month = rng.randint(1, 11)
    brand = d.domain.brand
    emails = [
        {
            "id": "e1",
            "sender": _address(d.name),
            "sent_at": _at(month, 2, rng),
            "subject": f"My {d.plan} plan",
            "body": question(d, src.extra),
        }
    ]
    notes = [
        {
            "id": "n1",
            "author": d.agent,
            "written_at": _at(month, 6, rng),
            "text": f"{src.right_title}: {src.right_text} Customer informed by phone.",
        }
    ]
    distractor = None
    if src.wrong_text is not None:
        notes.append(
            {
                "id": "n2",
                "author": AGENTS[(AGENTS.index(d.agent) + 1) % len(AGENTS)],
                "written_at": _at(month, 7, rng),
                "text": f"{src.wrong_title}: {src.wrong_text}",
            }
        )
        distractor = "n2"
    rng.shuffle(notes)
    job = {
        "account": f"{d.name} ({brand} {d.plan})",
        "emails": emails,
        "crm_notes": notes,
        "focus": f"Which figure for {d.domain.topic['en']} applies to this customer?",
        "max_points": 5,
        "search_documents": False,
    }
    return _case(d, "account_summary", pattern, src, job, ["n1"], distractor)


def follow_up_draft(rng: random.Random, d: Draw, pattern: str) -> dict[str, Any]:
    src = sources(pattern, d)
    month = rng.randint(1, 11)
    agent = f"{d.agent} ({d.domain.brand})"
    turns = [
        {"id": "t1", "speaker": d.name, "text": question(d, src.extra)},
        {"id": "t2", "speaker": agent, "text": f"{src.right_text} {PROMISE[d.lang]}"},
    ]
    distractor = None
    if pattern == "asked_back":
        distractor = "t1"
    elif src.wrong_text is not None:
        turns.append({"id": "t3", "speaker": f"{agent}, notes", "text": src.wrong_text})
        distractor = "t3"
    job = {
        # One call, its turns a few minutes apart.
        "conversation": [
            {**t, "at": f"2026-{month:02d}-09T10:{3 * i:02d}:00Z"} for i, t in enumerate(turns)
        ],
        "about": f"{d.domain.topic['en']} on the {d.plan} plan",
        "sender": agent,
        "recipient": d.name,
        "tone": rng.choice(("neutral", "friendly", "formal")),
        "search_documents": False,
    }
    return _case(d, "follow_up_draft", pattern, src, job, ["t2"], distractor)


def product_description(rng: random.Random, d: Draw, pattern: str) -> dict[str, Any]:
    src = sources(pattern, d)
    refs = []
    distractor = None
    if src.wrong_text is not None:
        distractor = f"ref-{rng.randint(10, 99)}"
        refs.append({"id": distractor, "title": src.wrong_title, "text": src.wrong_text})
    locale = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE", "es": "es-ES"}[d.lang]
    job = {
        "product": {
            "name": f"{d.domain.brand} {d.plan} plan",
            "brand": d.domain.brand,
            "category": d.domain.name.replace("_", " "),
            "sku": f"{d.domain.name[:3].upper()}-{d.plan[:3].upper()}-{rng.randint(100, 999)}",
            "attributes": {d.domain.field: src.right_value},
            "features": [src.right_fact],
        },
        "locale": locale,
        "metadata_locale": "en" if pattern == "stale_translation" else locale,
        "customer_tier": rng.choice(("standard", "premium", "business")),
        "references": refs,
        "search_documents": False,
    }
    return _case(d, "product_description", pattern, src, job, ["metadata"], distractor)


def metadata_enrichment(rng: random.Random, d: Draw, pattern: str) -> dict[str, Any]:
    src = sources(pattern, d)
    refs = []
    distractor = None
    if src.wrong_text is not None:
        distractor = f"sheet-{rng.randint(10, 99)}"
        refs.append({"id": distractor, "title": src.wrong_title, "text": src.wrong_text})
    words = d.domain.field.replace("_", " ")
    job = {
        "title": f"{d.domain.brand} {d.plan} plan",
        "description": f"{_heading(pattern, d, src)}. {src.right_fact} "
        f"The {words} is {src.right_value}.",
        "references": refs,
        "fields": [d.domain.field],
        "search_documents": False,
    }
    case = _case(
        d, "metadata_enrichment", pattern, src, job, {d.domain.field: "description"}, distractor
    )
    case["must_fill"] = {d.domain.field: src.needed}
    return case


def _heading(pattern: str, d: Draw, src: Sources) -> str:
    """A catalogue text's heading: the trap's when it dates or names the page."""
    if pattern in ("title_dated", "stale_translation", "example_vs_rule"):
        return src.right_title
    return f"{d.domain.brand} {d.plan} plan"


def document_extraction(rng: random.Random, d: Draw, pattern: str) -> dict[str, Any]:
    src = sources("plain", d)
    field = d.domain.field
    period = " per month" if pattern == "per_quantity" else ""
    lines = [
        f"{d.domain.brand} — plan confirmation",
        f"Customer: {d.name}",
        f"Plan: {d.plan}",
        f"{field.replace('_', ' ').capitalize()}: {shown(d.domain, d.right, d.lang)}{period}",
        src.right_text,
    ]
    if pattern == "per_quantity":
        lines.append("Billed monthly; cancel at the end of any month.")
    job = {"document_type": "form", "text": "\n".join(lines), "fields": ["plan", field]}
    case = _case(d, "document_extraction", pattern, src, job, [], None)
    if pattern == "rounded":
        case["banned"][rounded(d.domain, d.right, d.lang)] = "invented"
    if pattern == "per_quantity":
        case["banned"][f"{shown(d.domain, d.right, d.lang)} per year"] = "invented"
    case["must_not_contain"] = list(case["banned"])
    return case


BIO_ROLES = (
    "Head of Customer Operations",
    "Claims Team Lead",
    "Product Manager",
    "Pricing Analyst",
    "Partnerships Director",
)


def bio(rng: random.Random, d: Draw, pattern: str) -> dict[str, Any]:
    exact = rng.choice([n for n in range(101, 990) if n % 10])
    count = rng.randint(21, 89) * 10 + rng.randint(1, 9)
    percent = f"{exact // 10}.{exact % 10}%"
    year = rng.randint(2015, 2021)
    achievements = [
        f"Cut average handling time by {percent} in {year + 2}",
        f"Onboarded {count} business customers per month at {d.domain.sister}",
    ]
    name = d.name
    profile = {
        "name": name,
        "role": rng.choice(BIO_ROLES),
        "organization": d.domain.brand,
        "pronouns": rng.choice(("she", "he", "they")),
        "experience": [
            {
                "role": "Team Lead",
                "organization": d.domain.sister,
                "start_year": year,
                "end_year": year + 3,
            }
        ],
        "skills": ["pricing", "customer research", "process design"],
        "achievements": achievements,
    }
    job = {
        "profile": profile,
        "tone": rng.choice(("professional", "friendly", "formal")),
        "length": rng.choice(("medium", "long")),
    }
    if pattern == "rounded":
        banned = {f"{round(exact / 10)}%": "invented"}
    elif pattern == "per_quantity":
        banned = {
            f"{count} business customers per year": "invented",
            f"{count} customers a year": "invented",
        }
    else:
        banned = {f"{count + 200} business customers": "invented"}
    banned[f"{exact // 10 + 4}.{exact % 10}%"] = "invented"
    return {
        "kind": "bio",
        "pattern": pattern,
        "domain": d.domain.name,
        "lang": "en",
        "input": job,
        "expect_outcome": "written",
        "must_cite": [],
        "must_contain": [percent, str(count)],
        "must_not_contain": list(banned),
        "banned": banned,
    }


BUILDERS = {
    "email_reply": email_reply,
    "support_answer": support_answer,
    "account_summary": account_summary,
    "follow_up_draft": follow_up_draft,
    "product_description": product_description,
    "metadata_enrichment": metadata_enrichment,
    "document_extraction": document_extraction,
    "bio": bio,
}


# --- labels ------------------------------------------------------------------------------


def mislabelled(case: dict[str, Any]) -> list[str]:
    """What is false of a case's labels: a needed fact in no right source, a distractor
    that is a right source or a fact found outside it, an invented fact the input states,
    a banned fact inside a needed one. Empty when the labels hold."""
    found = grounding.material(case["kind"], case["input"]) or {}
    cited = case["must_cite"]
    right_ids = list(cited.values()) if isinstance(cited, dict) else list(cited)
    distractor = case.get("distractor")
    rights = right_ids or [k for k in found if k != distractor]
    text = {k: v.casefold() for k, v in found.items()}
    whole = json.dumps(case["input"], ensure_ascii=False).casefold()
    problems = []
    for needed in case["must_contain"]:
        if not any(needed.casefold() in text.get(r, "") for r in rights):
            problems.append(f"needed {needed!r} is in no right source")
    if distractor is not None and (distractor in rights or distractor not in found):
        problems.append(f"distractor source {distractor!r} is a right source")
    for fact, origin in case["banned"].items():
        low = fact.casefold()
        if any(low in n.casefold() for n in case["must_contain"]):
            problems.append(f"banned {fact!r} is inside a needed fact")
        if origin == "invented" and (low in whole or any(low in t for t in text.values())):
            problems.append(f"banned {fact!r} is not invented")
        if origin == "distractor":
            others = [k for k in text if k != distractor and low in text[k]]
            if distractor is None or low not in text.get(distractor, "") or others:
                problems.append(f"banned {fact!r} is not only in the distractor")
    if set(case["must_not_contain"]) != set(case["banned"]):
        problems.append("must_not_contain and banned differ")
    return problems


# --- the set -----------------------------------------------------------------------------


def grounded_e_cases(rng: random.Random) -> list[dict[str, Any]]:
    """Every kind's cases, pattern by pattern, each drawn again until its labels hold."""
    cases: list[dict[str, Any]] = []
    for kind, plan in PLANS.items():
        for pattern, count in plan.items():
            # A figure per month or per year is a charge: that trap takes a priced domain.
            domains = [x for x in DOMAINS if pattern != "per_quantity" or x.unit == "eur"]
            if pattern == "stale_translation":
                domains = [x for x in DOMAINS if x.unit != "km"]
            for n in range(count):
                domain = domains[(n + len(cases)) % len(domains)]
                for _ in range(50):
                    lang = rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
                    if pattern == "stale_translation":
                        lang = rng.choice(LANGS[1:])
                    case = BUILDERS[kind](rng, _draw(rng, domain, lang), pattern)
                    if not mislabelled(case):
                        break
                else:  # pragma: no cover - a draw holds within a few tries
                    raise AssertionError(f"{kind} {pattern}: no draw holds")
                case = {"id": f"hge-{kind}-{pattern}-{n:02d}", **case}
                cases.append(case)
    return cases
