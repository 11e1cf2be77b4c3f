"""The held-out grounded set: cases whose answer the input states, with the facts a
correct answer gives (``must_contain``) and the plausible facts it must not give
(``must_not_contain``).

Written apart from the pipeline it measures (without reading the prompts, rules or the
offline provider). Each case draws its figures (days, amounts, dates, seats, names)
from the seeded generator, so no answer can be remembered from another case. Every
banned fact is labelled in ``banned`` by where it comes from:

- ``invented``: it occurs nowhere in the input (a wrong number, date, name or policy a
  model would make up, e.g. a 30-day window when the source says 14);
- ``distractor``: it is stated by a similar but wrong source the input also carries (the
  business plan's policy when a consumer asks, another order forwarded in the thread,
  a sibling model's spec sheet, a CRM note filed under the wrong account); only that
  source states it. A distractor's fact is true of something else, so stating it is a
  grounding error (answering from the wrong source) rather than an invention: the
  ``banned`` label lets a report tell the two apart.

``distractor`` says which source ids are the wrong ones (for a document, its lines:
``line7``). Cases of the kinds whose input
the runner reads sources from (``thread``, ``sources``: email_reply and support_answer)
are scored for hallucination; the others are scored on their expectations. A few
support cases leave the right article out (only the distractor is given): the answer
must escalate, not state the distractor's fact.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Case = dict[str, Any]
LANGS = ("en", "fr", "de", "es")
LANG_WEIGHTS = (7, 1, 1, 1)
EMAIL_REPLY = 130
SUPPORT_ANSWER = 130
OTHERS = {
    "account_summary": 25,
    "follow_up_draft": 25,
    "product_description": 25,
    "metadata_enrichment": 25,
    "document_extraction": 20,
    "bio": 20,
}
UNANSWERABLE_SHARE = 0.1
"""Support cases whose right article is missing: the answer must escalate."""

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}
WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday",
    "fr": "lundi mardi mercredi jeudi vendredi",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag",
    "es": "lunes martes miércoles jueves viernes",
}
FIRST = "Maria Tom Aiko Priya Lars Chloé Jonas Lucía Omar Grace Henrik Amélie Diego Nadia".split()
LAST = (
    "Lopez Weller Tanaka Raman Berg Martin Vogel García Haddad Okafor Lund Roux Silva Kim".split()
)
COMPANIES = (
    "Northwind Traders",
    "Globex",
    "Initech",
    "Hansa Logistik",
    "Brightline Dental",
    "Verdant Foods",
    "Copperleaf Studio",
    "Altamira Hoteles",
    "Fjord Analytics",
    "Maison Lumière",
    "Keystone Legal",
    "Tidewater Health",
)
CITIES = ("Lyon", "Rotterdam", "Leipzig", "Valencia", "Gdansk", "Porto", "Graz", "Nantes")
CARRIERS = ("DHL", "UPS", "DPD", "GLS", "FedEx", "Colissimo")


def date(
    rng: random.Random, lang: str, month: int | None = None, days: tuple[int, int] = (2, 27)
) -> tuple[str, int, int]:
    """A date as ``lang`` writes it (day, month), with its day and month (0: January);
    in ``month`` if given."""
    day, month = rng.randint(*days), rng.randint(0, 11) if month is None else month
    name = MONTHS[lang].split()[month]
    text = {"en": f"{day} {name}", "fr": f"{day} {name}", "de": f"{day}. {name}"}.get(
        lang, f"{day} de {name}"
    )
    return text, day, month


def other_date(
    rng: random.Random, lang: str, day: int, month: int, months: tuple[int, int] = (0, 11)
) -> str:
    """Another day of another month (within ``months``), never a substring of the right
    date (no shared day number): a date a model could invent, or an older order's."""
    while True:
        text, d, m = date(rng, lang, month=rng.randint(*months))
        if m != month and d != day and str(d) not in str(day) and str(day) not in str(d):
            return text


def distinct(rng: random.Random, pool: list[int], count: int) -> list[int]:
    """``count`` values of ``pool``, none a substring of another (a banned "4 days" must
    not match a right "14 days")."""
    chosen: list[int] = []
    for value in rng.sample(pool, len(pool)):
        texts = [str(v) for v in chosen]
        if all(str(value) not in t and t not in str(value) for t in texts):
            chosen.append(value)
        if len(chosen) == count:
            return chosen
    raise AssertionError(f"no {count} distinct values in {pool}")


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def money(rng: random.Random, low: int, high: int) -> str:
    whole = rng.randint(low, high)
    return f"{whole:,}.{rng.choice(('00', '50', '90', '25'))}"


@dataclass
class Draft:
    """A case being composed."""

    kind: str
    domain: str
    lang: str
    input: dict[str, Any]
    must_contain: list[str]
    invented: list[str]
    distractor: list[str] = field(default_factory=list)
    distractor_sources: list[str] = field(default_factory=list)
    must_cite: list[str] | dict[str, str] = field(default_factory=list)
    expect_outcome: str | None = None

    def case(self, case_id: str) -> Case:
        banned = {t: "invented" for t in self.invented} | {t: "distractor" for t in self.distractor}
        case: Case = {"id": case_id, "kind": self.kind, "domain": self.domain, "lang": self.lang}
        if self.expect_outcome:
            case["expect_outcome"] = self.expect_outcome
        if self.must_cite:
            case["must_cite"] = self.must_cite
        case["must_contain"] = self.must_contain
        case["must_not_contain"] = list(banned)
        case["banned"] = banned
        if self.distractor_sources:
            case["distractor"] = self.distractor_sources
        case["input"] = self.input
        return case


# --- support_answer: help articles, one of them similar but wrong --------------------------


@dataclass(frozen=True)
class Topic:
    """A help-centre fact: the article stating it for the reader's case, a similar
    article stating another value for another case (the distractor), the question."""

    name: str
    domain: str
    langs: tuple[str, ...]
    build: Callable[[random.Random, str], tuple[str, str, str, str, str, str, str, list[str]]]
    """(question, right title, right text, wrong title, wrong text, right fact, wrong
    fact, invented facts)."""


def _window(rng: random.Random, lang: str) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [14, 21, 28, 30, 45, 60, 90, 100], 4)
    unit = {"en": "days", "fr": "jours", "de": "Tage", "es": "días"}[lang]
    f_right, f_wrong = f"{right} {unit}", f"{wrong} {unit}"
    texts = {
        "en": (
            "Can I still return the shoes I bought online three weeks ago?",
            "Returns for online orders",
            f"Private customers can return items bought online within {right} days of "
            "delivery. Items must be unworn and in their original packaging. The refund "
            "goes back to the original payment method.",
            "Returns for business accounts",
            f"Business accounts can return unopened stock within {wrong} days of delivery. "
            "A restocking fee applies to opened cases.",
        ),
        "fr": (
            "Puis-je encore retourner les chaussures achetées en ligne il y a trois semaines ?",
            "Retours des commandes en ligne",
            f"Les particuliers peuvent retourner un article acheté en ligne sous {right} jours "
            "après la livraison. L'article doit être neuf et dans son emballage d'origine.",
            "Retours pour les comptes professionnels",
            f"Les comptes professionnels peuvent retourner le stock non ouvert sous {wrong} "
            "jours après la livraison. Des frais de remise en stock s'appliquent.",
        ),
        "de": (
            "Kann ich die Schuhe, die ich vor drei Wochen online gekauft habe, noch zurückgeben?",
            "Rückgabe von Online-Bestellungen",
            f"Privatkunden können online gekaufte Artikel innerhalb von {right} Tagen nach der "
            "Lieferung zurückgeben. Die Ware muss ungetragen und originalverpackt sein.",
            "Rückgabe für Geschäftskunden",
            f"Geschäftskunden können ungeöffnete Ware innerhalb von {wrong} Tagen nach der "
            "Lieferung zurückgeben. Für geöffnete Kartons fällt eine Gebühr an.",
        ),
        "es": (
            "¿Todavía puedo devolver los zapatos que compré en línea hace tres semanas?",
            "Devoluciones de pedidos en línea",
            f"Los clientes particulares pueden devolver un artículo comprado en línea en un "
            f"plazo de {right} días desde la entrega. El artículo debe estar sin usar.",
            "Devoluciones para cuentas de empresa",
            f"Las cuentas de empresa pueden devolver existencias sin abrir en un plazo de "
            f"{wrong} días desde la entrega. Se cobra una tarifa de reposición.",
        ),
    }
    if lang == "de":
        f_right, f_wrong = f"{right} Tagen", f"{wrong} Tagen"
    q, rt, rx, wt, wx = texts[lang]
    inv = [f"{v} {unit if lang != 'de' else 'Tagen'}" for v in invented]
    return q, rt, rx, wt, wx, f_right, f_wrong, inv


def _delivery(rng: random.Random, lang: str) -> tuple[str, str, str, str, str, str, str, list[str]]:
    low = rng.randint(2, 4)
    high = low + rng.randint(1, 3)
    wlow = high + rng.randint(2, 4)
    whigh = wlow + rng.randint(2, 5)
    country = {
        "en": ("Germany", "Norway"),
        "fr": ("Belgique", "Suisse"),
        "de": ("Österreich", "die Schweiz"),
        "es": ("Portugal", "Noruega"),
    }[lang]
    texts = {
        "en": (
            f"How long does standard delivery to {country[0]} take?",
            f"Delivery times: {country[0]}",
            f"Standard delivery to {country[0]} takes {low} to {high} business days. "
            "Orders placed before 14:00 leave our warehouse the same day.",
            f"Delivery times: {country[1]}",
            f"Standard delivery to {country[1]} takes {wlow} to {whigh} business days "
            "because parcels clear customs.",
            f"{low} to {high} business days",
            f"{wlow} to {whigh} business days",
        ),
        "fr": (
            f"Combien de temps prend la livraison standard en {country[0]} ?",
            f"Délais de livraison : {country[0]}",
            f"La livraison standard en {country[0]} prend {low} à {high} jours ouvrés. "
            "Les commandes passées avant 14h partent le jour même.",
            f"Délais de livraison : {country[1]}",
            f"La livraison standard en {country[1]} prend {wlow} à {whigh} jours ouvrés "
            "en raison du dédouanement.",
            f"{low} à {high} jours ouvrés",
            f"{wlow} à {whigh} jours ouvrés",
        ),
        "de": (
            f"Wie lange dauert der Standardversand nach {country[0]}?",
            f"Lieferzeiten: {country[0]}",
            f"Der Standardversand nach {country[0]} dauert {low} bis {high} Werktage. "
            "Bestellungen vor 14 Uhr verlassen das Lager am selben Tag.",
            "Lieferzeiten: Schweiz",
            f"Der Standardversand in {country[1]} dauert {wlow} bis {whigh} Werktage, "
            "weil Pakete verzollt werden.",
            f"{low} bis {high} Werktage",
            f"{wlow} bis {whigh} Werktage",
        ),
        "es": (
            f"¿Cuánto tarda el envío estándar a {country[0]}?",
            f"Plazos de entrega: {country[0]}",
            f"El envío estándar a {country[0]} tarda de {low} a {high} días laborables. "
            "Los pedidos realizados antes de las 14:00 salen el mismo día.",
            f"Plazos de entrega: {country[1]}",
            f"El envío estándar a {country[1]} tarda de {wlow} a {whigh} días laborables "
            "por el despacho de aduanas.",
            f"{low} a {high} días laborables",
            f"{wlow} a {whigh} días laborables",
        ),
    }
    q, rt, rx, wt, wx, fr_, fw = texts[lang]
    unit = fr_.split(f"{high} ", 1)[1]
    sep = {"en": "to", "fr": "à", "de": "bis", "es": "a"}[lang]
    inv = [f"{high + 10} {unit}", f"{low} {sep} {high + 20} {unit}"]
    return q, rt, rx, wt, wx, fr_, fw, inv


def _seats(rng: random.Random, lang: str) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [8, 12, 20, 35, 60, 90, 140, 400], 4)
    q = "How many users can we add on the Team plan?"
    rx = (
        f"The Team plan includes up to {right} seats. Extra seats cannot be bought on "
        "this plan; upgrade to Business for more. Seats can be reassigned at any time."
    )
    wx = (
        f"The Business plan includes up to {wrong} seats and single sign-on. Additional "
        "seats are billed monthly."
    )
    return (
        q,
        "Team plan limits",
        rx,
        "Business plan limits",
        wx,
        f"{right} seats",
        f"{wrong} seats",
        [f"{v} seats" for v in invented],
    )


def _reset(rng: random.Random, lang: str) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [10, 15, 20, 30, 45, 60, 90], 3)
    texts = {
        "en": (
            "How long is the password reset link valid?",
            "Resetting your password",
            f"A password reset link expires after {right} minutes and can be used once. "
            "Request a new link from the sign-in page if it has expired.",
            "Invitation links",
            f"An invitation link to join a workspace expires after {wrong} minutes.",
            "minutes",
        ),
        "fr": (
            "Combien de temps le lien de réinitialisation du mot de passe est-il valable ?",
            "Réinitialiser votre mot de passe",
            f"Un lien de réinitialisation expire après {right} minutes et ne sert qu'une fois. "
            "Demandez un nouveau lien depuis la page de connexion.",
            "Liens d'invitation",
            f"Un lien d'invitation à un espace de travail expire après {wrong} minutes.",
            "minutes",
        ),
        "de": (
            "Wie lange ist der Link zum Zurücksetzen des Passworts gültig?",
            "Passwort zurücksetzen",
            f"Ein Link zum Zurücksetzen des Passworts läuft nach {right} Minuten ab und gilt "
            "nur einmal. Fordern Sie auf der Anmeldeseite einen neuen Link an.",
            "Einladungslinks",
            f"Ein Einladungslink für einen Arbeitsbereich läuft nach {wrong} Minuten ab.",
            "Minuten",
        ),
        "es": (
            "¿Cuánto tiempo es válido el enlace para restablecer la contraseña?",
            "Restablecer la contraseña",
            f"El enlace para restablecer la contraseña caduca a los {right} minutos y solo "
            "se puede usar una vez. Pida un enlace nuevo en la página de acceso.",
            "Enlaces de invitación",
            f"Un enlace de invitación a un espacio de trabajo caduca a los {wrong} minutos.",
            "minutos",
        ),
    }
    q, rt, rx, wt, wx, unit = texts[lang]
    return (
        q,
        rt,
        rx,
        wt,
        wx,
        f"{right} {unit}",
        f"{wrong} {unit}",
        [f"{v} {unit}" for v in invented],
    )


def _payment(rng: random.Random, lang: str) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [10, 14, 30, 45, 60, 90], 3)
    fee = rng.choice(("1.5", "2", "2.5", "3"))
    texts = {
        "en": (
            "What are the payment terms on our annual contract invoices?",
            "Invoices for annual contracts",
            f"Invoices for annual contracts are due within {right} days of the invoice date. "
            f"Late payments incur interest of {fee} % per month.",
            "Invoices for monthly plans",
            f"Monthly plans are charged to the card on file; manual invoices are due within "
            f"{wrong} days.",
            "days",
        ),
        "fr": (
            "Quelles sont les conditions de paiement des factures de nos contrats annuels ?",
            "Factures des contrats annuels",
            f"Les factures des contrats annuels sont payables sous {right} jours à compter de "
            f"la date de facture. Tout retard entraîne des intérêts de {fee} % par mois.",
            "Factures des abonnements mensuels",
            f"Les abonnements mensuels sont débités sur la carte enregistrée ; les factures "
            f"manuelles sont payables sous {wrong} jours.",
            "jours",
        ),
        "de": (
            "Welche Zahlungsfrist gilt für die Rechnungen unserer Jahresverträge?",
            "Rechnungen für Jahresverträge",
            f"Rechnungen für Jahresverträge sind innerhalb von {right} Tagen ab Rechnungsdatum "
            f"fällig. Bei Verzug fallen Zinsen von {fee} % pro Monat an.",
            "Rechnungen für Monatspläne",
            f"Monatspläne werden von der hinterlegten Karte abgebucht; manuelle Rechnungen "
            f"sind innerhalb von {wrong} Tagen fällig.",
            "Tagen",
        ),
        "es": (
            "¿Cuál es el plazo de pago de las facturas de nuestros contratos anuales?",
            "Facturas de contratos anuales",
            f"Las facturas de los contratos anuales vencen a los {right} días de la fecha de "
            f"factura. Los retrasos generan intereses del {fee} % mensual.",
            "Facturas de planes mensuales",
            f"Los planes mensuales se cargan a la tarjeta registrada; las facturas manuales "
            f"vencen a los {wrong} días.",
            "días",
        ),
    }
    q, rt, rx, wt, wx, unit = texts[lang]
    return (
        q,
        rt,
        rx,
        wt,
        wx,
        f"{right} {unit}",
        f"{wrong} {unit}",
        [f"{v} {unit}" for v in invented],
    )


def _leave(rng: random.Random, lang: str) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [6, 8, 12, 16, 18, 20, 26], 3)
    return (
        "How many weeks of paid parental leave do permanent employees get?",
        "Parental leave (employees)",
        f"Permanent employees receive {right} weeks of paid parental leave, which can be "
        "taken within the first year after birth or adoption. Tell HR at least 8 weeks ahead.",
        "Parental leave (contractors)",
        f"Contractors engaged for more than a year receive {wrong} weeks of unpaid leave.",
        f"{right} weeks",
        f"{wrong} weeks",
        [f"{v} weeks" for v in invented],
    )


def _expenses(rng: random.Random, lang: str) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [15, 30, 45, 60, 90], 3)
    cap = rng.choice((25, 35, 40, 55))
    return (
        "By when must I submit my travel expense claims, and is there a meal limit?",
        "Travel expenses",
        f"Submit travel expense claims within {right} days of the trip with receipts "
        f"attached. Meals are reimbursed up to EUR {cap} per day.",
        "Equipment purchases",
        f"Equipment purchases must be approved in advance and claimed within {wrong} days.",
        f"{right} days",
        f"{wrong} days",
        [f"{v} days" for v in invented] + [f"EUR {cap + 15}"],
    )


def _warranty(rng: random.Random, lang: str) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [1, 2, 3, 5, 10], 3)
    model = rng.choice(("X200", "Aero 14", "Pulse S", "Orbit 3"))
    return (
        f"What warranty comes with the {model} laptop?",
        f"{model} warranty",
        f"The {model} laptop comes with a {right}-year limited warranty covering hardware "
        "defects. Accidental damage is not covered.",
        "Accessories warranty",
        f"Chargers, docks and other accessories come with a {wrong}-year warranty.",
        f"{right}-year",
        f"{wrong}-year",
        [f"{v}-year" for v in invented] + ["lifetime warranty"],
    )


def _ratelimit(
    rng: random.Random, lang: str
) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [60, 120, 300, 600, 1000, 5000], 3)
    return (
        "What is the API rate limit on the Starter plan?",
        "API limits: Starter",
        f"On the Starter plan the API accepts {right} requests per minute per workspace. "
        "Requests over the limit get HTTP 429 with a Retry-After header.",
        "API limits: Scale",
        f"On the Scale plan the API accepts {wrong} requests per minute per workspace.",
        f"{right} requests per minute",
        f"{wrong} requests per minute",
        [f"{v} requests per minute" for v in invented],
    )


def _retention(
    rng: random.Random, lang: str
) -> tuple[str, str, str, str, str, str, str, list[str]]:
    right, wrong, *invented = distinct(rng, [7, 14, 30, 60, 90, 180], 3)
    return (
        "If I delete a project by mistake, how long can it be restored?",
        "Deleting and restoring projects",
        f"Deleted projects stay in the trash for {right} days and can be restored by an "
        "admin. After that they are removed permanently.",
        "Audit log retention",
        f"Audit log entries are kept for {wrong} days on every plan.",
        f"{right} days",
        f"{wrong} days",
        [f"{v} days" for v in invented],
    )


TOPICS = (
    Topic("return-window", "retail", LANGS, _window),
    Topic("delivery-time", "shipping", LANGS, _delivery),
    Topic("seat-limit", "saas", ("en",), _seats),
    Topic("reset-link", "saas", LANGS, _reset),
    Topic("payment-terms", "b2b", LANGS, _payment),
    Topic("parental-leave", "hr", ("en",), _leave),
    Topic("expenses", "hr", ("en",), _expenses),
    Topic("warranty", "retail", ("en",), _warranty),
    Topic("rate-limit", "saas", ("en",), _ratelimit),
    Topic("retention", "saas", ("en",), _retention),
)
UNRELATED = (
    ("Single sign-on", "Single sign-on with SAML is available on the Enterprise plan."),
    ("Gift cards", "Gift cards are valid for two years and cannot be exchanged for cash."),
    ("Office hours", "Support answers by chat on weekdays from 8:00 to 18:00 CET."),
    ("Data export", "Admins can export all workspace data as CSV from the settings page."),
    ("Invoices", "Download past invoices from Billing, then Invoice history."),
)


def support_answer(rng: random.Random, n: int) -> Draft:
    lang = rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
    topics = [t for t in TOPICS if lang in t.langs]
    topic = topics[n % len(topics)]
    q, rt, rx, wt, wx, f_right, f_wrong, invented = topic.build(rng, lang)
    right_id = f"kb-{rng.randint(100, 999)}"
    wrong_id = f"kb-{rng.randint(1000, 1999)}"
    articles = [
        {"id": right_id, "title": rt, "text": rx},
        {"id": wrong_id, "title": wt, "text": wx},
    ]
    for i, (title, text) in enumerate(rng.sample(UNRELATED, rng.randint(0, 3))):
        articles.append({"id": f"kb-{2000 + i * 7 + n}", "title": title, "text": text})
    unanswerable = rng.random() < UNANSWERABLE_SHARE
    if unanswerable:
        articles = articles[1:]
    rng.shuffle(articles)
    conversation = []
    if rng.random() < 0.25:
        conversation = [
            {"role": "user", "content": "Hi, I have a question."},
            {"role": "assistant", "content": "Of course, how can I help?"},
        ]
    job = {"question": q, "conversation": conversation, "sources": articles}
    if unanswerable:
        return Draft(
            "support_answer",
            topic.domain,
            lang,
            job,
            [],
            invented,
            [f_wrong],
            [wrong_id],
            expect_outcome="escalated",
        )
    return Draft(
        "support_answer",
        topic.domain,
        lang,
        job,
        [f_right],
        invented,
        [f_wrong],
        [wrong_id],
        must_cite=[right_id],
        expect_outcome="answered",
    )


# --- email_reply: threads whose later messages state the facts -----------------------------


def _order_thread(rng: random.Random, lang: str, n: int) -> Draft:
    order = rng.randint(10_000, 99_999)
    old = order + rng.randint(100, 900)
    carrier, other_carrier = rng.sample(CARRIERS, 2)
    # Shipped in the days before the thread (10 November on), the old order earlier.
    ship, day, month = date(rng, lang, month=10, days=(2, 9))
    old_ship = other_date(rng, lang, day, month, months=(5, 9))
    invented_date = other_date(rng, lang, day, month)
    invented_carrier = rng.choice(("Hermes", "Chronopost", "Royal Mail", "Poste Italiane"))
    tracking = f"{rng.choice('JZ1')}{rng.randint(10**9, 10**10 - 1)}"
    customer = person(rng)
    agent = person(rng)
    texts = {
        "en": (
            f"Hello, where is my order {order}? I need it before the weekend.\n\n"
            f"-------- Forwarded message --------\nYour order {old} was shipped on {old_ship} "
            f"with {other_carrier}.",
            f"Hi {customer.split()[0]}, order {order} left our warehouse in "
            f"{rng.choice(CITIES)} on {ship} with {carrier}. The tracking number is "
            f"{tracking}.\n\n{agent}",
            "Draft a reply that tells the customer when and how their order was shipped.",
            f"Order {order}",
        ),
        "fr": (
            f"Bonjour, où en est ma commande {order} ? J'en ai besoin avant le week-end.\n\n"
            f"-------- Message transféré --------\nVotre commande {old} a été expédiée le "
            f"{old_ship} avec {other_carrier}.",
            f"Bonjour {customer.split()[0]}, la commande {order} a quitté notre entrepôt de "
            f"{rng.choice(CITIES)} le {ship} avec {carrier}. Le numéro de suivi est "
            f"{tracking}.\n\n{agent}",
            "Rédige une réponse qui dit au client quand et comment sa commande a été expédiée.",
            f"Commande {order}",
        ),
        "de": (
            f"Hallo, wo ist meine Bestellung {order}? Ich brauche sie vor dem Wochenende.\n\n"
            f"-------- Weitergeleitete Nachricht --------\nIhre Bestellung {old} wurde am "
            f"{old_ship} mit {other_carrier} versandt.",
            f"Hallo {customer.split()[0]}, die Bestellung {order} hat unser Lager in "
            f"{rng.choice(CITIES)} am {ship} mit {carrier} verlassen. Die Sendungsnummer ist "
            f"{tracking}.\n\n{agent}",
            "Schreibe eine Antwort, die dem Kunden sagt, wann und wie seine Bestellung "
            "versandt wurde.",
            f"Bestellung {order}",
        ),
        "es": (
            f"Hola, ¿dónde está mi pedido {order}? Lo necesito antes del fin de semana.\n\n"
            f"-------- Mensaje reenviado --------\nSu pedido {old} se envió el {old_ship} "
            f"con {other_carrier}.",
            f"Hola {customer.split()[0]}, el pedido {order} salió de nuestro almacén de "
            f"{rng.choice(CITIES)} el {ship} con {carrier}. El número de seguimiento es "
            f"{tracking}.\n\n{agent}",
            "Redacta una respuesta que diga al cliente cuándo y cómo se envió su pedido.",
            f"Pedido {order}",
        ),
    }
    m0, m1, question, subject = texts[lang]
    thread = [
        {
            "sender": f"{customer.split()[0].lower()}@mail.example",
            "sent_at": _at(rng, 0),
            "body": m0,
        },
        {"sender": "support@shop.example", "sent_at": _at(rng, 1), "body": m1},
    ]
    job = {"thread": thread, "subject": subject, "question": question, "search_documents": False}
    return Draft(
        "email_reply",
        "shipping",
        lang,
        job,
        [ship, carrier, tracking],
        [invented_date, invented_carrier],
        [old_ship, other_carrier],
        ["m0"],
        must_cite=["m1"],
        expect_outcome="drafted",
    )


def _refund_thread(rng: random.Random, lang: str, n: int) -> Draft:
    amount = money(rng, 20, 900)
    invoice = f"INV-{rng.randint(1000, 9999)}"
    days, wrong_days = distinct(rng, [3, 5, 7, 10, 14], 2)
    wrong_amount = money(rng, 1000, 1900)
    customer = person(rng)
    texts = {
        "en": (
            f"I was charged twice for invoice {invoice}. Please refund the duplicate.",
            f"Finance confirmed the duplicate charge on invoice {invoice}. A refund of "
            f"EUR {amount} was issued today and reaches the card within {days} business days.",
            "Reply to the customer with the refund amount and when it arrives.",
            "business days",
        ),
        "fr": (
            f"J'ai été débité deux fois pour la facture {invoice}. Merci de rembourser le doublon.",
            f"La comptabilité confirme le double débit de la facture {invoice}. Un remboursement "
            f"de EUR {amount} a été émis aujourd'hui et arrive sur la carte sous {days} jours "
            "ouvrés.",
            "Réponds au client avec le montant du remboursement et son délai.",
            "jours ouvrés",
        ),
        "de": (
            f"Mir wurde die Rechnung {invoice} doppelt belastet. Bitte erstatten Sie den Betrag.",
            f"Die Buchhaltung bestätigt die doppelte Belastung der Rechnung {invoice}. Eine "
            f"Erstattung von EUR {amount} wurde heute veranlasst und ist in {days} Werktagen "
            "auf der Karte.",
            "Antworte dem Kunden mit dem Erstattungsbetrag und wann er ankommt.",
            "Werktagen",
        ),
        "es": (
            f"Me cobraron dos veces la factura {invoice}. Por favor, devuelvan el duplicado.",
            f"Contabilidad confirma el cobro duplicado de la factura {invoice}. Hoy se emitió "
            f"un reembolso de EUR {amount} que llegará a la tarjeta en {days} días laborables.",
            "Responde al cliente con el importe del reembolso y cuándo llegará.",
            "días laborables",
        ),
    }
    m0, m1, question, unit = texts[lang]
    thread = [
        {
            "sender": f"{customer.split()[1].lower()}@corp.example",
            "sent_at": _at(rng, 0),
            "body": m0,
        },
        {"sender": "billing@saas.example", "sent_at": _at(rng, 1), "body": m1},
    ]
    job = {"thread": thread, "subject": invoice, "question": question, "search_documents": False}
    return Draft(
        "email_reply",
        "billing",
        lang,
        job,
        [amount, f"{days} {unit}", invoice],
        [wrong_amount, f"{wrong_days} {unit}"],
        must_cite=["m1"],
        expect_outcome="drafted",
    )


def _meeting_thread(rng: random.Random, lang: str, n: int) -> Draft:
    weekdays = WEEKDAYS[lang].split()
    first, second = rng.sample(weekdays, 2)
    hour = rng.randint(9, 16)
    wrong_hour = hour + 1 if hour < 16 else 8
    other = rng.choice([d for d in weekdays if d not in (first, second)])
    candidate = person(rng)
    recruiter = person(rng)
    room = rng.choice(("Room Alder", "Room Birch", "the Harbour room"))
    m0 = (
        f"Dear {recruiter}, thank you for the invitation. I am not available on {first}; "
        f"could we move the interview?\n\nBest regards,\n{candidate}"
    )
    m1 = (
        f"Hello {candidate.split()[0]}, no problem: the interview is moved to {second} at "
        f"{hour}:00 in {room}, with {recruiter} and the team lead. Please bring an ID for "
        "reception."
    )
    thread = [
        {"sender": "candidate@mail.example", "sent_at": _at(rng, 0), "body": m0},
        {"sender": "recruiting@company.example", "sent_at": _at(rng, 1), "body": m1},
    ]
    job = {
        "thread": thread,
        "subject": "Interview",
        "question": "Confirm the new interview time and place to the candidate.",
        "tone": "formal",
        "search_documents": False,
    }
    return Draft(
        "email_reply",
        "hr",
        "en",
        job,
        [second, f"{hour}:00", room],
        [f"{wrong_hour}:00", other],
        must_cite=["m1"],
        expect_outcome="drafted",
    )


def _renewal_thread(rng: random.Random, lang: str, n: int) -> Draft:
    seats, wrong_seats = distinct(rng, [20, 35, 40, 60, 80, 120, 250], 2)
    price = rng.choice((18, 22, 24, 29, 32))
    wrong_price = price + rng.choice((3, 5, 7))
    company = rng.choice(COMPANIES)
    renewal, day, month = date(rng, "en")
    wrong_date = other_date(rng, "en", day, month)
    account_exec = person(rng)
    m0 = (
        f"Hi {account_exec.split()[0]}, our contract renews soon. Can you confirm the "
        f"price per seat and the renewal date for {company}?"
    )
    m1 = (
        f"Hello, {company}'s contract renews on {renewal} for {seats} seats at EUR {price} "
        f"per seat per month, billed annually. The price is held for 12 months.\n\n"
        f"{account_exec}"
    )
    m2 = "Thanks. Legal will review the order form this week."
    thread = [
        {"sender": "procurement@client.example", "sent_at": _at(rng, 0), "body": m0},
        {"sender": "sales@vendor.example", "sent_at": _at(rng, 1), "body": m1},
        {"sender": "procurement@client.example", "sent_at": _at(rng, 2), "body": m2},
    ]
    job = {
        "thread": thread,
        "subject": f"{company} renewal",
        "question": "Reply restating the renewal terms so procurement can file them.",
        "tone": rng.choice(("neutral", "formal")),
        "search_documents": False,
    }
    return Draft(
        "email_reply",
        "b2b",
        "en",
        job,
        [renewal, f"{seats} seats", f"EUR {price}"],
        [wrong_date, f"{wrong_seats} seats", f"EUR {wrong_price}", "24 months"],
        must_cite=["m1"],
        expect_outcome="drafted",
    )


def _access_thread(rng: random.Random, lang: str, n: int) -> Draft:
    plan = rng.choice(("Team", "Business", "Pro"))
    other_plan = rng.choice([p for p in ("Starter", "Enterprise", "Scale") if p != plan])
    ws = rng.choice(("acme-design", "north-ops", "fjord-data", "lumiere-web"))
    hours, wrong_hours = distinct(rng, [2, 4, 6, 12, 24, 48], 2)
    m0 = (
        f"Our workspace {ws} was locked after the failed payment. We paid the invoice "
        "yesterday. When will it be unlocked?"
    )
    m1 = (
        f"The payment for {ws} has been received. The workspace stays on the {plan} plan and "
        f"will be unlocked automatically within {hours} hours. No data was deleted."
    )
    thread = [
        {"sender": "admin@customer.example", "sent_at": _at(rng, 0), "body": m0},
        {"sender": "accounts@saas.example", "sent_at": _at(rng, 1), "body": m1},
    ]
    job = {
        "thread": thread,
        "question": "Tell the admin when the workspace is unlocked and whether data was lost.",
        "search_documents": False,
    }
    return Draft(
        "email_reply",
        "saas",
        "en",
        job,
        [f"{hours} hours", f"{plan} plan"],
        [f"{wrong_hours} hours", f"{other_plan} plan"],
        must_cite=["m1"],
        expect_outcome="drafted",
    )


EMAIL_TEMPLATES: tuple[tuple[Callable[[random.Random, str, int], Draft], tuple[str, ...]], ...] = (
    (_order_thread, LANGS),
    (_refund_thread, LANGS),
    (_meeting_thread, ("en",)),
    (_renewal_thread, ("en",)),
    (_access_thread, ("en",)),
)


def _at(rng: random.Random, step: int) -> str:
    return f"2026-11-{10 + step:02d}T{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00Z"


def email_reply(rng: random.Random, n: int) -> Draft:
    lang = rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
    choices = [t for t, langs in EMAIL_TEMPLATES if lang in langs]
    return choices[n % len(choices)](rng, lang, n)


# --- account_summary ----------------------------------------------------------------------


def account_summary(rng: random.Random, n: int) -> Draft:
    company = COMPANIES[n % len(COMPANIES)]
    other = COMPANIES[(n + 5) % len(COMPANIES)]
    seats, wrong_seats, other_seats = distinct(rng, [30, 45, 60, 80, 120, 150, 200, 350], 3)
    renewal, day, month = date(rng, "en")
    wrong_renewal = other_date(rng, "en", day, month)
    champion = person(rng)
    ticket = f"TCK-{rng.randint(1000, 9999)}"
    issue = rng.choice(
        (
            "exports to CSV time out for reports over 10,000 rows",
            "the SSO login loops back to the sign-in page",
            "invoices show the wrong VAT number",
            "mobile push notifications arrive hours late",
        )
    )
    emails = [
        {
            "id": "e1",
            "sender": f"{champion.split()[0].lower()}@{company.split()[0].lower()}.example",
            "subject": "Open problem",
            "body": f"Hello,\n\nSince last week {issue}. We reported it as {ticket}. "
            f"Please fix it before our renewal.\n\nRegards,\n{champion}",
        },
        {
            "id": "e2",
            "sender": "support@vendor.example",
            "body": f"Hello {champion.split()[0]}, {ticket} is with engineering and we will "
            "update you by Friday.",
        },
    ]
    notes = [
        {
            "id": "n1",
            "author": person(rng),
            "text": f"Renewal on {renewal} for {seats} seats. Champion is {champion}.",
        },
        {
            "id": "n2",
            "author": person(rng),
            "text": f"Wrongly filed here, belongs to {other}: renewal for {other_seats} seats.",
        },
    ]
    job = {"account": company, "emails": emails, "crm_notes": notes, "max_points": 5}
    return Draft(
        "account_summary",
        "b2b",
        "en",
        job,
        [ticket, f"{seats} seats"],
        [f"{wrong_seats} seats", wrong_renewal, "legal action"],
        [f"{other_seats} seats"],
        ["n2"],
        must_cite=["e1", "n1"],
        expect_outcome="summarized",
    )


# --- follow_up_draft ---------------------------------------------------------------------


def follow_up_draft(rng: random.Random, n: int) -> Draft:
    rep, client = person(rng), person(rng)
    company = COMPANIES[(n * 7) % len(COMPANIES)]
    discount, asked, invented = distinct(rng, [5, 8, 10, 12, 15, 20, 25], 3)
    weekday = rng.choice(WEEKDAYS["en"].split())
    other_day = rng.choice([d for d in WEEKDAYS["en"].split() if d != weekday])
    pilot, wrong_pilot = distinct(rng, [2, 3, 4, 6, 8], 2)
    turns = [
        {"id": "t1", "speaker": client, "text": f"We'd need {asked} % off to get this approved."},
        {
            "id": "t2",
            "speaker": rep,
            "text": f"I can offer {discount} % on the first year, not more. I will send the "
            f"revised quote by {weekday}.",
        },
        {
            "id": "t3",
            "speaker": client,
            "text": f"Fine. We'll run a {pilot}-week pilot with the support team first.",
        },
    ]
    job = {
        "conversation": turns,
        "sender": rep,
        "recipient": client,
        "about": f"{company} pricing call",
        "tone": rng.choice(("neutral", "friendly", "formal")),
    }
    return Draft(
        "follow_up_draft",
        "b2b",
        "en",
        job,
        [f"{discount} %", weekday, f"{pilot}-week"],
        [f"{invented} %", other_day, f"{wrong_pilot}-week", "free onboarding"],
        must_cite=["t2", "t3"],
        expect_outcome="drafted",
    )


# --- product_description / metadata_enrichment -------------------------------------------

PRODUCTS = (
    ("Trail Runner {v} jacket", "Rain jackets", "recycled polyester", "Gore-Tex", "weight_g"),
    ("Summit {v} backpack", "Backpacks", "ripstop nylon", "leather", "weight_g"),
    ("Cascade {v} kettle", "Kitchen appliances", "brushed stainless steel", "glass", "capacity_ml"),
    ("Nimbus {v} desk lamp", "Lighting", "anodised aluminium", "bamboo", "power_w"),
    (
        "Harbor {v} office chair",
        "Office furniture",
        "recycled mesh",
        "genuine leather",
        "weight_kg",
    ),
)


def _product(rng: random.Random, n: int) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    name, category, material, wrong_material, measure = PRODUCTS[n % len(PRODUCTS)]
    version = rng.randint(2, 9)
    value, sibling_value, invented = distinct(rng, [180, 240, 320, 450, 600, 750, 1200], 3)
    warranty, wrong_warranty = distinct(rng, [1, 2, 3, 5], 2)
    colour = rng.choice(("slate grey", "forest green", "ochre", "navy blue", "sand"))
    product = {
        "name": name.format(v=version),
        "brand": rng.choice(("Northpeak", "Lumen & Co", "Hearthly", "Ergon Works")),
        "category": category,
        "sku": f"SKU-{rng.randint(10000, 99999)}",
        "attributes": {"material": material, measure: value, "colour": colour},
        "features": [f"{warranty}-year warranty", "Ships in recyclable packaging"],
    }
    sibling = {
        "id": "sheet-sibling",
        "title": f"Spec sheet: {name.format(v=version + 1)}",
        "text": f"{name.format(v=version + 1)}: {measure} {sibling_value}, "
        f"{wrong_warranty}-year warranty.",
    }
    facts = {
        "material": material,
        "colour": colour,
        "value": str(value),
        "sibling": str(sibling_value),
        "invented": str(invented),
        "wrong_material": wrong_material,
        "warranty": f"{warranty}-year",
        "wrong_warranty": f"{wrong_warranty}-year",
        "measure": measure,
    }
    return product, sibling, [facts[k] for k in facts]


def product_description(rng: random.Random, n: int) -> Draft:
    product, sibling, facts = _product(rng, n)
    material, colour, value, sibling_value, invented, wrong_material, warranty, wrong_w, _ = facts
    job = {
        "product": product,
        "locale": "en-GB",
        "customer_tier": rng.choice(("standard", "premium", "business")),
        "references": [sibling] if n % 2 == 0 else [],
    }
    return Draft(
        "product_description",
        "retail",
        "en",
        job,
        [product["name"], material, value],
        [wrong_material, invented, "lifetime warranty"],
        [sibling_value, wrong_w] if n % 2 == 0 else [],
        ["sheet-sibling"] if n % 2 == 0 else [],
        must_cite=["metadata"],
        expect_outcome="written",
    )


def metadata_enrichment(rng: random.Random, n: int) -> Draft:
    product, sibling, facts = _product(rng, n)
    material, colour, value, sibling_value, invented, wrong_material, warranty, wrong_w, measure = (
        facts
    )
    spec = {
        "id": "sheet-own",
        "title": f"Spec sheet: {product['name']}",
        "text": f"Material: {material}\n{measure}: {value}\nWarranty: {warranty}",
    }
    job = {
        "title": product["name"],
        "description": f"{product['category']} by {product['brand']}, in {colour}.",
        "references": [spec, sibling],
        "fields": ["material", measure, "warranty", "country_of_origin"],
    }
    return Draft(
        "metadata_enrichment",
        "retail",
        "en",
        job,
        [material, value],
        [wrong_material, invented],
        [sibling_value, wrong_w],
        ["sheet-sibling"],
        must_cite={"material": "sheet-own", measure: "sheet-own"},
        expect_outcome="enriched",
    )


# --- document_extraction -----------------------------------------------------------------


def document_extraction(rng: random.Random, n: int) -> Draft:
    vendor = rng.choice(COMPANIES)
    number = f"{vendor.split()[0][:2].upper()}-{rng.randint(10000, 99999)}"
    old_number = f"{number[:3]}{int(number[3:]) - rng.randint(10, 90)}"
    total = money(rng, 200, 9000)
    old_total = money(rng, 9100, 12000)
    issue = f"2026-{rng.randint(1, 9):02d}-{rng.randint(10, 28):02d}"
    currency = rng.choice(("EUR", "USD", "GBP"))
    text = (
        f"{vendor}\nInvoice no.: {number}\nInvoice date: {issue}\n\n"
        f"Consulting services, {rng.randint(4, 40)} hours    {currency} {total}\n"
        f"Total due: {currency} {total}\n\n"
        f"This invoice replaces credit note {old_number}.\n"
        f"Payment is due within {rng.choice((14, 30))} days of the invoice date.\n"
    )
    job = {"document_type": "invoice", "text": text}
    line = next(i for i, t in enumerate(text.splitlines()) if old_number in t)
    return Draft(
        "document_extraction",
        "billing",
        "en",
        job,
        [number, total, issue],
        [old_total, "2027-"],
        [old_number],
        [f"line{line}"],
        expect_outcome="extracted",
    )


# --- bio ---------------------------------------------------------------------------------


def bio(rng: random.Random, n: int) -> Draft:
    name = person(rng)
    org = COMPANIES[(n * 3) % len(COMPANIES)]
    prior = COMPANIES[(n * 3 + 4) % len(COMPANIES)]
    role = rng.choice(
        ("Head of Customer Support", "Payroll Manager", "Staff Engineer", "Logistics Lead")
    )
    start = rng.randint(2008, 2016)
    end = start + rng.randint(3, 6)
    job = {
        "profile": {
            "name": name,
            "role": role,
            "organization": org,
            "pronouns": rng.choice(("she", "he", "they")),
            "experience": [
                {"role": "Team Lead", "organization": prior, "start_year": start, "end_year": end}
            ],
            "skills": rng.sample(
                ["PostgreSQL", "negotiation", "Zendesk", "SAP", "forecasting", "coaching"], 3
            ),
            "achievements": [f"Cut response times by {rng.randint(20, 45)} % in one year"],
        },
        "tone": rng.choice(("professional", "friendly", "formal")),
        "length": rng.choice(("short", "medium", "long")),
    }
    return Draft(
        "bio",
        "hr",
        "en",
        job,
        [name, org],
        ["PhD", "award-winning", "Harvard", f"{end - start + 7} years", "Fortune 500"],
        expect_outcome="written",
    )


KINDS: dict[str, Callable[[random.Random, int], Draft]] = {
    "email_reply": email_reply,
    "support_answer": support_answer,
    "account_summary": account_summary,
    "follow_up_draft": follow_up_draft,
    "product_description": product_description,
    "metadata_enrichment": metadata_enrichment,
    "document_extraction": document_extraction,
    "bio": bio,
}
COUNTS = {"email_reply": EMAIL_REPLY, "support_answer": SUPPORT_ANSWER, **OTHERS}


def grounded_cases(rng: random.Random) -> list[Case]:
    cases = []
    for kind, count in COUNTS.items():
        for n in range(count):
            cases.append(_composed(rng, kind, n))
    return cases


def _composed(rng: random.Random, kind: str, n: int) -> Case:
    """The n-th case of ``kind``; drawn again (from the same generator, so still
    deterministic) in the rare event that a drawn figure makes a label untrue, e.g. a
    banned number that happens to occur inside a SKU."""
    for _ in range(20):
        draft = KINDS[kind](rng, n)
        case = draft.case(f"hg-{kind}-{n:03d}-{draft.domain}-{draft.lang}")
        if not mislabelled(case):
            return case
    raise AssertionError(f"{kind} {n}: no case with true labels in 20 draws")


def mislabelled(case: Case) -> list[str]:
    """What is untrue of a case's labels: a banned fact must occur only where its label
    says (nowhere, or only in the distractor sources), a required one in a right source."""
    job = case["input"]
    wrong = set(case.get("distractor", ()))
    parts = _texts(job)
    trusted = " ".join(t for i, t in parts if i not in wrong).casefold()
    everything = json.dumps(job, ensure_ascii=False).casefold()
    errors = []
    for fact, origin in case["banned"].items():
        if fact.casefold() in trusted:
            errors.append(f"banned {fact!r} is in a right source")
        if (fact.casefold() in everything) != (origin == "distractor"):
            errors.append(f"banned {fact!r} is not {origin}")
    errors += [
        f"{fact!r} is in no right source"
        for fact in case["must_contain"]
        if fact.casefold() not in trusted
    ]
    return errors


def _texts(job: dict[str, Any]) -> list[tuple[str | None, str]]:
    """Every text of an input with the id of the source it belongs to (None: the job's
    own fields; a document's lines are line0, line1, ...)."""
    if "thread" in job:
        return [(f"m{i}", m["body"]) for i, m in enumerate(job["thread"])] + [
            (None, job["question"]),
            (None, job.get("subject") or ""),
        ]
    if "sources" in job:
        return [(s["id"], f"{s['title']} {s['text']}") for s in job["sources"]] + [
            (None, job["question"])
        ]
    if "emails" in job:
        return [(e["id"], e["body"]) for e in job["emails"]] + [
            (c["id"], c["text"]) for c in job["crm_notes"]
        ]
    if "references" in job:
        rest = {k: v for k, v in job.items() if k != "references"}
        return [(r["id"], f"{r.get('title', '')} {r['text']}") for r in job["references"]] + [
            (None, json.dumps(rest, ensure_ascii=False))
        ]
    if job.get("document_type"):
        return [(f"line{i}", line) for i, line in enumerate(job["text"].splitlines())]
    return [(None, json.dumps(job, ensure_ascii=False))]
