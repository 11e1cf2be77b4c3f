"""The ninth held-out grounded set (``heldout/grounded_i.jsonl``), written blind.

Written without reading the eight earlier grounded sets, the offline provider, the
prompts, the guards or the kinds' rules, to be run once, at the end, by someone who did
not write it. Each case is drawn from a domain, a language and a trap family
(``pattern``); the figures are drawn per case and written the language's way. A case
states what a correct answer must give (``must_contain``, ``must_cite``) and what it
must never give (``must_not_contain``, labelled in ``banned``: ``invented`` figures the
input states nowhere, ``distractor`` figures only the wrong source named in
``distractor`` states, on their own line, ``distractor_passage`` when that line sits
inside a right source). :func:`mislabelled` checks the labels against the input and the
generator draws a case again until they hold.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from evals import grounding

SEED = 20261213

LANGS = ("en", "fr", "de", "es")
OLD_FAMILIES = ("leaflet", "disregard", "sibling", "other_customer", "missing", "inflated")
"""Families the earlier sets used, here in new forms: an old printed leaflet beside this
year's price list, a staff member's "please ignore the amount in my previous message",
the neighbouring offering's price, another customer's booking forwarded for reference,
the answering source missing, a bio's figure rounded up."""
NEW_FAMILIES = ("season", "intro", "cost_price", "first_unit")
"""Families no earlier set used: the high-season rate beside the low-season one asked
for (or the reverse), the introductory first-month price beside the regular one a
customer past that month pays, the supplier's cost price in an internal note beside the
customer price, and the first unit's price beside each additional unit's for a customer
with one."""
PATTERNS = ("plain", *OLD_FAMILIES, *NEW_FAMILIES)

PLANS: dict[str, dict[str, int]] = {
    "email_reply": {
        "plain": 32,
        "leaflet": 6,
        "disregard": 6,
        "sibling": 6,
        "other_customer": 5,
        "missing": 3,
        "season": 6,
        "intro": 6,
        "cost_price": 5,
        "first_unit": 5,
    },
    "support_answer": {
        "plain": 32,
        "leaflet": 6,
        "disregard": 6,
        "sibling": 6,
        "other_customer": 5,
        "missing": 3,
        "season": 6,
        "intro": 6,
        "cost_price": 5,
        "first_unit": 5,
    },
    "account_summary": {
        "plain": 9,
        "other_customer": 4,
        "disregard": 3,
        "season": 3,
        "first_unit": 3,
    },
    "follow_up_draft": {"plain": 9, "disregard": 4, "sibling": 3, "season": 3, "first_unit": 3},
    "product_description": {"plain": 9, "sibling": 4, "leaflet": 3, "cost_price": 6},
    "metadata_enrichment": {"plain": 9, "sibling": 4, "leaflet": 3, "cost_price": 6},
    "document_extraction": {"plain": 9, "intro": 7, "first_unit": 6},
    "bio": {"plain": 12, "inflated": 10},
}
COUNTS = Counter({kind: sum(plan.values()) for kind, plan in PLANS.items()})

PROMISE = {
    "en": "I will send you",
    "fr": "Je vous enverrai",
    "de": "Ich schicke Ihnen",
    "es": "Le enviaré",
}
"""The words of a commitment a follow-up's sender makes (the turn a follow-up rests on)."""


@dataclass(frozen=True)
class Domain:
    name: str
    company: str
    currency: str
    items: tuple[str, str, str]
    plan: str
    product: tuple[str, str]
    category: str
    units: dict[str, str]
    nouns: dict[str, str]
    staff: str


def _u(en: str, fr: str, de: str, es: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "de": de, "es": es}


DOMAINS = (
    Domain(
        "dog_grooming",
        "Fluffy Paws Grooming",
        "£",
        ("Full Groom", "Bath & Tidy", "Puppy Intro Groom"),
        "Groom Club",
        ("Deshedding Comb Duo", "Deshedding Comb Trio"),
        "pet care",
        _u("per visit", "par visite", "pro Termin", "por visita"),
        _u("dog", "chien", "Hund", "perro"),
        "Nadia Brook",
    ),
    Domain(
        "bicycle_repair",
        "Spoke & Chain Workshop",
        "€",
        ("Annual Service", "Brake Bleed", "Wheel Truing"),
        "Service Pass",
        ("Tubeless Repair Kit", "Tubeless Repair Kit XL"),
        "cycling",
        _u("per bike", "par vélo", "pro Rad", "por bicicleta"),
        _u("bike", "vélo", "Fahrrad", "bicicleta"),
        "Tomás Keller",
    ),
    Domain(
        "summer_camps",
        "Pinecrest Summer Camps",
        "$",
        ("Adventure Week", "Junior Day Camp", "Sailing Week"),
        "Camp Club",
        ("Camp Duffel Bag", "Camp Duffel Bag Large"),
        "outdoor gear",
        _u("per week", "par semaine", "pro Woche", "por semana"),
        _u("child", "enfant", "Kind", "niño"),
        "Rachel Ortega",
    ),
    Domain(
        "brewery_tours",
        "Copper Kettle Brewery",
        "£",
        ("Brewhouse Tour", "Tasting Flight Tour", "Brewer for a Day"),
        "Beer Club",
        ("Tasting Gift Box", "Tasting Gift Box Six"),
        "food and drink",
        _u("per person", "par personne", "pro Person", "por persona"),
        _u("guest", "invité", "Gast", "invitado"),
        "Owen Pryce",
    ),
    Domain(
        "hearing_aids",
        "ClearSound Hearing Clinic",
        "€",
        ("Hearing Assessment", "Fitting Appointment", "Wax Removal"),
        "Care Plan",
        ("Charging Case C2", "Charging Case C3"),
        "hearing care",
        _u("per appointment", "par rendez-vous", "pro Termin", "por cita"),
        _u("ear", "oreille", "Ohr", "oído"),
        "Dr. Ines Vogt",
    ),
    Domain(
        "dry_cleaning",
        "Pressed Perfect Dry Cleaners",
        "€",
        ("Suit Clean & Press", "Wedding Dress Clean", "Duvet Clean"),
        "Wardrobe Subscription",
        ("Breathable Garment Bag", "Breathable Garment Bag Long"),
        "clothing care",
        _u("per item", "par article", "pro Stück", "por prenda"),
        _u("item", "article", "Stück", "prenda"),
        "Luca Ferri",
    ),
    Domain(
        "landscaping",
        "Greenline Landscaping",
        "£",
        ("Lawn Renovation", "Hedge Cutting Visit", "Patio Jet Wash"),
        "Garden Maintenance Plan",
        ("Raised Bed Kit 120", "Raised Bed Kit 180"),
        "garden",
        _u("per visit", "par passage", "pro Einsatz", "por visita"),
        _u("garden", "jardin", "Garten", "jardín"),
        "Harriet Moss",
    ),
    Domain(
        "yoga_retreats",
        "Stillwater Yoga Retreats",
        "€",
        ("Weekend Retreat", "Silent Retreat", "Sunrise Retreat"),
        "Online Class Pass",
        ("Cork Yoga Block", "Cork Yoga Block Pair"),
        "fitness",
        _u("per stay", "par séjour", "pro Aufenthalt", "por estancia"),
        _u("guest", "participant", "Teilnehmer", "participante"),
        "Maya Lindqvist",
    ),
    Domain(
        "car_wash",
        "Sparkle Bay Car Wash",
        "$",
        ("Deluxe Wash", "Interior Detail", "Express Wash"),
        "Unlimited Wash",
        ("Ceramic Spray Wax", "Ceramic Spray Wax Refill"),
        "car care",
        _u("per wash", "par lavage", "pro Wäsche", "por lavado"),
        _u("vehicle", "véhicule", "Fahrzeug", "vehículo"),
        "Derek Hollis",
    ),
    Domain(
        "recording_studio",
        "Bluebird Recording Rooms",
        "€",
        ("Live Room Day", "Vocal Booth Block", "Mixing Session"),
        "Producer Membership",
        ("Studio Monitor Headphones", "Studio Monitor Headphones Pro"),
        "audio",
        _u("per day", "par jour", "pro Tag", "por día"),
        _u("band member", "musicien", "Bandmitglied", "músico"),
        "Sofia Marchetti",
    ),
    Domain(
        "escape_rooms",
        "Lockstep Escape Rooms",
        "£",
        ("Pharaoh's Vault", "Midnight Library", "Submarine Sabotage"),
        "Escape Pass",
        ("Puzzle Box Edition", "Puzzle Box Edition Deluxe"),
        "games",
        _u("per team", "par équipe", "pro Team", "por equipo"),
        _u("team", "équipe", "Team", "equipo"),
        "Callum Reid",
    ),
    Domain(
        "kayak_rental",
        "Riverbend Kayak Hire",
        "€",
        ("Half-Day Tandem", "Full-Day Single", "Sunset Paddle"),
        "Paddle Membership",
        ("Roll-Top Dry Bag 20", "Roll-Top Dry Bag 30"),
        "water sports",
        _u("per kayak", "par kayak", "pro Kajak", "por kayak"),
        _u("kayak", "kayak", "Kajak", "kayak"),
        "Elena Duarte",
    ),
)

CUSTOMERS = {
    "en": ("Priya Shah", "George Whitfield", "Hannah Cole", "Marcus Reed", "Olivia Grant"),
    "fr": ("Camille Roux", "Julien Marchand", "Élodie Garnier", "Antoine Faure"),
    "de": ("Jonas Becker", "Lena Hoffmann", "Katrin Schulz", "Felix Wagner"),
    "es": ("Lucía Romero", "Javier Ortiz", "Carmen Delgado", "Pablo Navarro"),
}
OTHERS = ("Bianca Holm", "Arjun Mehta", "Gwen Talbot", "Rafael Souza")
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}  # fmt: skip

T: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "bye": "Kind regards,\n{name}",
        "ask": "Could you tell me what the {item} costs {unit}?",
        "confirm": "Thanks. Could you confirm the amount in writing so I can book?",
        "line": "{item}: {amt} {unit}",
        "list": "{co} price list {year}",
        "leaflet": "{co} printed leaflet, spring {old}",
        "leaflet_fwd": "I found your printed leaflet from spring {old} at home and it shows:",
        "wrong_was": "The {item} would be {bad} {unit}.",
        "ignore": "Please ignore the amount in my previous message, I took it from another "
        "customer's quote. The right figure for the {item} is {amt} {unit}.",
        "other": "For reference, this is what we confirmed to {other} for her own group last week:",
        "high": "High season ({months}): {amt} {unit}",
        "low": "Low season ({months}): {amt} {unit}",
        "come": "We would come in {month}.",
        "intro_line": "Introductory price, first month only: {amt}",
        "regular": "Monthly price from the second month: {amt}",
        "past_intro": "I joined the {plan} in {month} and my first month is over.",
        "plan_ask": "What will the {plan} cost me per month from now on?",
        "first": "First {noun}: {amt}",
        "extra": "Each additional {noun} on the same booking: {amt}",
        "one": "It is just for one {noun}.",
        "cost": "Internal note, not for the customer: our supplier charges us {amt} "
        "for the {item}.",
        "checking": "Thanks for your message. I have passed your question to the team and "
        "we will come back to you.",
        "hours": "Opening hours: Monday to Saturday, 9:00 to 18:00. Closed on public holidays.",
        "price_attr": "retail price",
        "book": "the booking confirmation for the {item} at {amt}",
        "by": "by Friday",
        "reply_q": "Reply to {name} with the price of the {item}.",
        "focus": "What price has {name} been given for the {item}?",
        "title_reply": "Your question about the {item}",
    },
    "fr": {
        "hello": "Bonjour {name},",
        "bye": "Cordialement,\n{name}",
        "ask": "Pourriez-vous me dire combien coûte la prestation {item} {unit} ?",
        "confirm": "Merci. Pouvez-vous me confirmer le montant par écrit pour que je réserve ?",
        "line": "{item} : {amt} {unit}",
        "list": "Tarifs {co} {year}",
        "leaflet": "Dépliant imprimé {co}, printemps {old}",
        "leaflet_fwd": "J'ai retrouvé chez moi votre dépliant du printemps {old}, il indique :",
        "wrong_was": "La prestation {item} serait à {bad} {unit}.",
        "ignore": "Merci de ne pas tenir compte du montant de mon message précédent, je l'avais "
        "repris du devis d'un autre client. Le bon montant pour {item} est {amt} {unit}.",
        "other": "Pour information, voici ce que nous avons confirmé à {other} pour son "
        "propre groupe la semaine dernière :",
        "high": "Haute saison ({months}) : {amt} {unit}",
        "low": "Basse saison ({months}) : {amt} {unit}",
        "come": "Nous viendrions en {month}.",
        "intro_line": "Prix de lancement, premier mois uniquement : {amt}",
        "regular": "Prix mensuel à partir du deuxième mois : {amt}",
        "past_intro": "J'ai souscrit à {plan} en {month} et mon premier mois est terminé.",
        "plan_ask": "Combien me coûtera {plan} par mois désormais ?",
        "first": "Premier {noun} : {amt}",
        "extra": "Chaque {noun} supplémentaire sur la même réservation : {amt}",
        "one": "C'est pour un seul {noun}.",
        "cost": "Note interne, à ne pas transmettre au client : notre fournisseur nous "
        "facture {amt} pour {item}.",
        "checking": "Merci pour votre message. J'ai transmis votre question à l'équipe, "
        "nous revenons vers vous.",
        "hours": "Horaires : du lundi au samedi, de 9 h à 18 h. Fermé les jours fériés.",
        "price_attr": "prix de vente",
        "book": "la confirmation de réservation pour {item} à {amt}",
        "by": "d'ici vendredi",
        "reply_q": "Répondre à {name} avec le prix de {item}.",
        "focus": "Quel prix a été indiqué à {name} pour {item} ?",
        "title_reply": "Votre question sur {item}",
    },
    "de": {
        "hello": "Hallo {name},",
        "bye": "Viele Grüße\n{name}",
        "ask": "Können Sie mir sagen, was {item} {unit} kostet?",
        "confirm": "Danke. Können Sie mir den Betrag schriftlich bestätigen, damit ich buchen "
        "kann?",
        "line": "{item}: {amt} {unit}",
        "list": "{co} Preisliste {year}",
        "leaflet": "Gedruckter Flyer von {co}, Frühjahr {old}",
        "leaflet_fwd": "Ich habe zu Hause Ihren gedruckten Flyer vom Frühjahr {old} gefunden, "
        "darin steht:",
        "wrong_was": "{item} würde {bad} {unit} kosten.",
        "ignore": "Bitte beachten Sie den Betrag aus meiner vorigen Nachricht nicht, ich hatte "
        "ihn aus dem Angebot eines anderen Kunden übernommen. Der richtige Betrag für {item} "
        "ist {amt} {unit}.",
        "other": "Zur Information, das haben wir letzte Woche {other} für ihre eigene Gruppe "
        "bestätigt:",
        "high": "Hochsaison ({months}): {amt} {unit}",
        "low": "Nebensaison ({months}): {amt} {unit}",
        "come": "Wir würden im {month} kommen.",
        "intro_line": "Einführungspreis, nur im ersten Monat: {amt}",
        "regular": "Monatspreis ab dem zweiten Monat: {amt}",
        "past_intro": "Ich bin seit {month} bei {plan} und mein erster Monat ist vorbei.",
        "plan_ask": "Was kostet mich {plan} ab jetzt pro Monat?",
        "first": "Erstes {noun}: {amt}",
        "extra": "Jedes weitere {noun} in derselben Buchung: {amt}",
        "one": "Es geht nur um ein {noun}.",
        "cost": "Interne Notiz, nicht für den Kunden: Unser Lieferant berechnet uns {amt} "
        "für {item}.",
        "checking": "Danke für Ihre Nachricht. Ich habe Ihre Frage an das Team weitergegeben, "
        "wir melden uns.",
        "hours": "Öffnungszeiten: Montag bis Samstag, 9 bis 18 Uhr. An Feiertagen geschlossen.",
        "price_attr": "Verkaufspreis",
        "book": "die Buchungsbestätigung für {item} zu {amt}",
        "by": "bis Freitag",
        "reply_q": "Antworte {name} mit dem Preis für {item}.",
        "focus": "Welchen Preis hat {name} für {item} genannt bekommen?",
        "title_reply": "Ihre Frage zu {item}",
    },
    "es": {
        "hello": "Hola, {name}:",
        "bye": "Un saludo,\n{name}",
        "ask": "¿Me podrían decir cuánto cuesta {item} {unit}?",
        "confirm": "Gracias. ¿Me pueden confirmar el importe por escrito para reservar?",
        "line": "{item}: {amt} {unit}",
        "list": "Tarifas de {co} {year}",
        "leaflet": "Folleto impreso de {co}, primavera de {old}",
        "leaflet_fwd": "He encontrado en casa su folleto impreso de la primavera de {old} y pone:",
        "wrong_was": "{item} costaría {bad} {unit}.",
        "ignore": "Por favor, no tenga en cuenta el importe de mi mensaje anterior; lo copié "
        "del presupuesto de otro cliente. El importe correcto para {item} es {amt} {unit}.",
        "other": "Para su información, esto es lo que confirmamos a {other} para su propio "
        "grupo la semana pasada:",
        "high": "Temporada alta ({months}): {amt} {unit}",
        "low": "Temporada baja ({months}): {amt} {unit}",
        "come": "Iríamos en {month}.",
        "intro_line": "Precio de lanzamiento, solo el primer mes: {amt}",
        "regular": "Precio mensual a partir del segundo mes: {amt}",
        "past_intro": "Me apunté a {plan} en {month} y mi primer mes ya ha terminado.",
        "plan_ask": "¿Cuánto me costará {plan} al mes a partir de ahora?",
        "first": "Primer {noun}: {amt}",
        "extra": "Cada {noun} adicional en la misma reserva: {amt}",
        "one": "Es solo para un {noun}.",
        "cost": "Nota interna, no para el cliente: nuestro proveedor nos cobra {amt} por {item}.",
        "checking": "Gracias por su mensaje. He pasado su pregunta al equipo y le responderemos.",
        "hours": "Horario: de lunes a sábado, de 9:00 a 18:00. Cerrado los festivos.",
        "price_attr": "precio de venta",
        "book": "la confirmación de la reserva de {item} por {amt}",
        "by": "antes del viernes",
        "reply_q": "Responde a {name} con el precio de {item}.",
        "focus": "¿Qué precio se ha dado a {name} por {item}?",
        "title_reply": "Su consulta sobre {item}",
    },
}
LOCALES = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE", "es": "es-ES"}
YEAR = 2026
HIGH = (5, 6, 7)  # June to August (0-based month indexes)
LOW = (9, 10, 1)  # October, November, February


def money(cents: int, lang: str, currency: str) -> tuple[str, str]:
    """The amount as the language writes it, and its label (the number without its sign)."""
    whole, rest = divmod(cents, 100)
    if lang == "en":
        label = f"{whole:,}.{rest:02d}"
        return f"{currency}{label}", label
    sep = " " if lang == "fr" else "."
    grouped = f"{whole:,}".replace(",", sep)
    label = f"{grouped},{rest:02d}"
    sign = "€" if currency in ("€", "$") and lang != "en" else currency
    return f"{label} {sign}", label


def _amounts(rng: random.Random, n: int, top: int) -> list[int]:
    """n amounts in cents, each a tenth of the base apart: a base and others near it."""
    base = rng.randrange(top // 20, top)
    out = [base]
    while len(out) < n:
        factor = rng.choice((0.62, 0.71, 0.78, 1.17, 1.26, 1.38, 1.45))
        value = int(base * factor) // 5 * 5 + rng.choice((0, 45, 90))
        if all(abs(value - v) > base // 10 for v in out):
            out.append(value)
    return out


@dataclass
class Scene:
    """What one case is about, before it is laid out for a kind."""

    domain: Domain
    lang: str
    pattern: str
    customer: str
    item: str
    sibling: str
    right: str  # the right figure as written
    wrong: str | None
    invented: str
    labels: dict[str, str]  # right / wrong / invented -> label
    ask: str  # the customer's question
    right_lines: list[str]
    wrong_lines: list[str]
    wrong_inside: bool  # the wrong line sits inside the right source

    def inside(self) -> list[str]:
        """The right source's lines with the wrong one among them, each on its own line."""
        if self.pattern == "season":
            return [*self.wrong_lines, *self.right_lines]
        return [*self.right_lines, *self.wrong_lines]

    def t(self, key: str, **kw: Any) -> str:
        return T[self.lang][key].format(**kw)


def scene(rng: random.Random, domain: Domain, lang: str, pattern: str, top: int) -> Scene:
    right_c, wrong_c, invented_c = _amounts(rng, 3, top)
    # A cost price, an introductory price and an additional unit's price are below the
    # customer's price; the high season's above the low season's (fixed below).
    if pattern in ("cost_price", "intro", "first_unit") and wrong_c > right_c:
        right_c, wrong_c = wrong_c, right_c
    high_asked = pattern == "season" and rng.random() < 0.5
    if pattern == "season" and (wrong_c > right_c) == high_asked:
        right_c, wrong_c = wrong_c, right_c
    right, rl = money(right_c, lang, domain.currency)
    wrong, wl = money(wrong_c, lang, domain.currency)
    invented, il = money(invented_c, lang, domain.currency)
    item, sibling = rng.sample(domain.items, 2)
    unit = domain.units[lang]
    customer = rng.choice(CUSTOMERS[lang])
    tr = T[lang]
    ask = tr["ask"].format(item=item, unit=unit)
    right_lines = [tr["line"].format(item=item, amt=right, unit=unit)]
    wrong_lines: list[str] = []
    inside = False
    months = MONTHS[lang]
    if pattern == "leaflet":
        wrong_lines = [tr["line"].format(item=item, amt=wrong, unit=unit)]
    elif pattern == "disregard":
        wrong_lines = [tr["wrong_was"].format(item=item, bad=wrong, unit=unit)]
        right_lines = [tr["ignore"].format(item=item, amt=right, unit=unit)]
    elif pattern == "sibling":
        wrong_lines = [tr["line"].format(item=sibling, amt=wrong, unit=unit)]
        inside = True
    elif pattern == "other_customer":
        wrong_lines = [
            tr["other"].format(other=rng.choice(OTHERS)),
            tr["line"].format(item=item, amt=wrong, unit=unit),
        ]
    elif pattern == "season":
        high_m = ", ".join(months[m] for m in HIGH)
        low_m = ", ".join(months[m] for m in LOW[:2])
        if not high_asked:
            month = months[rng.choice(LOW)]
            right_lines = [tr["low"].format(months=low_m, amt=right, unit=unit)]
            wrong_lines = [tr["high"].format(months=high_m, amt=wrong, unit=unit)]
        else:
            month = months[rng.choice(HIGH)]
            right_lines = [tr["high"].format(months=high_m, amt=right, unit=unit)]
            wrong_lines = [tr["low"].format(months=low_m, amt=wrong, unit=unit)]
        ask = f"{tr['come'].format(month=month)} {ask}"
        inside = True
    elif pattern == "intro":
        ask = (
            f"{tr['past_intro'].format(plan=domain.plan, month=months[rng.randrange(0, 9)])} "
            f"{tr['plan_ask'].format(plan=domain.plan)}"
        )
        right_lines = [tr["regular"].format(amt=right)]
        wrong_lines = [tr["intro_line"].format(amt=wrong)]
        inside = True
        item = domain.plan
    elif pattern == "cost_price":
        wrong_lines = [tr["cost"].format(amt=wrong, item=item)]
    elif pattern == "first_unit":
        noun = domain.nouns[lang]
        right_lines = [f"{item}", tr["first"].format(noun=noun, amt=right)]
        wrong_lines = [tr["extra"].format(noun=noun, amt=wrong)]
        ask = f"{ask} {tr['one'].format(noun=noun)}"
        inside = True
    elif pattern == "missing":
        right_lines = []
    has_wrong = bool(wrong_lines)
    labels = {"right": rl, "invented": il}
    if has_wrong:
        labels["wrong"] = wl
    return Scene(
        domain,
        lang,
        pattern,
        customer,
        item,
        sibling,
        right,
        wrong if has_wrong else None,
        invented,
        labels,
        ask,
        right_lines,
        wrong_lines,
        inside,
    )


# --- layouts per kind ----------------------------------------------------------------


def _at(day: int, hour: int) -> str:
    return f"{YEAR}-03-{day:02d}T{hour:02d}:{(day * 7) % 60:02d}:00+00:00"


def _mail(sender: str, day: int, hour: int, body: str) -> dict[str, Any]:
    return {"sender": sender, "sent_at": _at(day, hour), "body": body}


def _staff_mail(s: Scene, lines: list[str]) -> str:
    return "\n".join(
        [
            s.t("hello", name=s.customer),
            "",
            *lines,
            "",
            s.t("bye", name=f"{s.domain.staff}, {s.domain.company}"),
        ]
    )


def _addr(name: str, host: str) -> str:
    first = unicodedata.normalize("NFKD", name.split()[0].lower())
    return f"{first.encode('ascii', 'ignore').decode()}@{host}"


def email_reply(s: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    host = s.domain.name.replace("_", "-") + ".example"
    cust = _addr(s.customer, "mail.example")
    staff = _addr(s.domain.staff.replace("Dr. ", ""), host)
    thread = [_mail(cust, 2, 9, f"{s.ask}\n\n{s.customer}")]
    labels: dict[str, Any] = {}
    if s.pattern == "missing":
        thread.append(_mail(staff, 2, 11, _staff_mail(s, [s.t("checking")])))
    elif s.pattern in ("leaflet",):
        thread.append(_mail(staff, 2, 11, _staff_mail(s, s.right_lines)))
        fwd = "\n".join([s.t("leaflet_fwd", old=YEAR - 2), *s.wrong_lines, "", s.customer])
        thread.append(_mail(cust, 3, 10, fwd))
        labels = {"right": "m1", "wrong": "m2"}
    elif s.pattern == "disregard":
        thread.append(_mail(staff, 2, 11, _staff_mail(s, s.wrong_lines)))
        thread.append(_mail(staff, 2, 15, _staff_mail(s, s.right_lines)))
        labels = {"right": "m2", "wrong": "m1"}
    elif s.pattern in ("other_customer", "cost_price"):
        thread.append(_mail(staff, 2, 11, _staff_mail(s, s.right_lines)))
        colleague = _addr("Sam Office", host)
        thread.append(_mail(colleague, 2, 12, "\n".join(s.wrong_lines)))
        labels = {"right": "m1", "wrong": "m2"}
    elif s.wrong_inside:
        thread.append(_mail(staff, 2, 11, _staff_mail(s, s.inside())))
        labels = {"right": "m1", "wrong": "m1"}
    else:
        thread.append(_mail(staff, 2, 11, _staff_mail(s, s.right_lines)))
        labels = {"right": "m1"}
    thread.append(_mail(cust, 3, 16, f"{s.t('confirm')}\n\n{s.customer}"))
    job = {
        "thread": thread,
        "subject": s.t("title_reply", item=s.item),
        "question": s.t("reply_q", name=s.customer, item=s.item),
        "tone": "friendly",
    }
    return job, labels


def support_answer(s: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    slug = s.domain.name.replace("_", "-")
    hours = {"id": f"{slug}-hours", "title": s.domain.company, "text": s.t("hours")}
    prices = {
        "id": f"{slug}-prices-{YEAR}",
        "title": s.t("list", co=s.domain.company, year=YEAR),
        "text": "\n".join(s.right_lines),
    }
    conversation: list[dict[str, str]] = []
    sources = [hours]
    labels: dict[str, Any] = {"right": prices["id"]}
    if s.pattern == "missing":
        labels = {}
    elif s.pattern == "disregard":
        conversation = [
            {"role": "user", "content": s.ask},
            {"role": "assistant", "content": s.wrong_lines[0]},
            {"role": "assistant", "content": s.right_lines[0]},
        ]
        labels = {"right": "conversation", "wrong": "conversation"}
    elif s.wrong_inside:
        prices["text"] = "\n".join(s.inside())
        sources.append(prices)
        labels["wrong"] = prices["id"]
    else:
        sources.append(prices)
        if s.wrong_lines:
            if s.pattern == "leaflet":
                other = {
                    "id": f"{slug}-leaflet-{YEAR - 2}",
                    "title": s.t("leaflet", co=s.domain.company, old=YEAR - 2),
                    "text": "\n".join(s.wrong_lines),
                }
            elif s.pattern == "cost_price":
                other = {"id": f"{slug}-internal", "text": "\n".join(s.wrong_lines)}
            else:
                other = {"id": f"{slug}-ticket-4417", "text": "\n".join(s.wrong_lines)}
            sources.insert(0, other)
            labels["wrong"] = other["id"]
    job = {
        "question": s.t("confirm") if s.pattern == "disregard" else s.ask,
        "conversation": conversation,
        "sources": sources,
    }
    return job, labels


def account_summary(s: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    host = s.domain.name.replace("_", "-") + ".example"
    staff = _addr(s.domain.staff.replace("Dr. ", ""), host)
    emails = [
        {
            "id": "e1",
            "sender": _addr(s.customer, "mail.example"),
            "sent_at": _at(4, 9),
            "subject": s.t("title_reply", item=s.item),
            "body": s.ask,
        }
    ]
    notes: list[dict[str, Any]] = []
    labels: dict[str, Any] = {"right": "e2"}
    if s.pattern == "disregard":
        emails.append(
            {
                "id": "e2",
                "sender": staff,
                "sent_at": _at(4, 15),
                "body": _staff_mail(s, s.right_lines),
            }
        )
        emails.insert(
            1,
            {
                "id": "e3",
                "sender": staff,
                "sent_at": _at(4, 11),
                "body": _staff_mail(s, s.wrong_lines),
            },
        )
        labels["wrong"] = "e3"
    else:
        lines = s.inside() if s.wrong_inside else s.right_lines
        emails.append(
            {"id": "e2", "sender": staff, "sent_at": _at(4, 15), "body": _staff_mail(s, lines)}
        )
        if s.wrong_inside:
            labels["wrong"] = "e2"
    notes.append(
        {
            "id": "n1",
            "author": s.domain.staff,
            "written_at": _at(5, 10),
            "text": f"{s.customer}: {s.t('confirm')}",
        }
    )
    if s.pattern == "other_customer":
        notes.append(
            {
                "id": "n2",
                "author": "Sam Office",
                "written_at": _at(5, 12),
                "text": "\n".join(s.wrong_lines),
            }
        )
        labels["wrong"] = "n2"
    job = {
        "account": s.customer,
        "emails": emails,
        "crm_notes": notes,
        "focus": s.t("focus", name=s.customer, item=s.item),
        "max_points": 5,
    }
    return job, labels


def follow_up_draft(s: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    promise = f"{PROMISE[s.lang]} {s.t('book', item=s.item, amt=s.right)} {s.t('by')}."
    turns = [{"id": "t1", "speaker": s.customer, "text": s.ask}]
    labels: dict[str, Any] = {"right": "t3"}
    if s.wrong_lines:
        turns.append({"id": "t2", "speaker": s.domain.staff, "text": " ".join(s.wrong_lines)})
        labels["wrong"] = "t2"
    else:
        turns.append({"id": "t2", "speaker": s.customer, "text": s.t("confirm")})
    body = s.right_lines[-1] if s.pattern == "disregard" else f"{s.right_lines[-1]}."
    turns.append({"id": "t3", "speaker": s.domain.staff, "text": f"{body} {promise}"})
    for i, turn in enumerate(turns):
        turn["at"] = _at(6, 10 + i)
    job = {
        "conversation": turns,
        "about": s.item,
        "sender": s.domain.staff,
        "recipient": s.customer,
        "tone": "neutral",
    }
    return job, labels


def _product_scene(s: Scene) -> tuple[str, str]:
    name, sibling = s.domain.product
    return name, sibling


def product_description(s: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    name, sibling = _product_scene(s)
    attr = T[s.lang]["price_attr"]
    refs = [{"id": "sheet", "title": name, "text": f"{name}\n{attr}: {s.right}"}]
    labels: dict[str, Any] = {"right": "sheet"}
    if s.pattern == "sibling":
        refs.append({"id": "sheet-2", "title": sibling, "text": f"{sibling}\n{attr}: {s.wrong}"})
        labels["wrong"] = "sheet-2"
    elif s.pattern == "leaflet":
        title = s.t("leaflet", co=s.domain.company, old=YEAR - 2)
        refs.append({"id": "leaflet", "title": title, "text": f"{name}\n{attr}: {s.wrong}"})
        labels["wrong"] = "leaflet"
    elif s.pattern == "cost_price":
        refs.append({"id": "internal", "text": s.t("cost", amt=s.wrong, item=name)})
        labels["wrong"] = "internal"
    job = {
        "product": {
            "name": name,
            "brand": s.domain.company,
            "category": s.domain.category,
            "sku": f"{s.domain.name[:3].upper()}-{len(name) * 37 % 900 + 100}",
            "attributes": {},
            "features": [],
        },
        "locale": LOCALES[s.lang],
        "metadata_locale": LOCALES[s.lang],
        "references": refs,
    }
    return job, labels


def metadata_enrichment(s: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    job, labels = product_description(s)
    name = job["product"]["name"]
    return {
        "title": name,
        "description": f"{name} — {s.domain.company}.",
        "references": job["references"],
        "fields": ["retail_price"],
    }, labels


EXTRACT_LINES = {
    "en": ("Booking form", "Customer", "Reference", "Amount payable"),
    "fr": ("Bon de réservation", "Client", "Référence", "Montant à payer"),
    "de": ("Buchungsformular", "Kunde", "Referenz", "Zu zahlender Betrag"),
    "es": ("Formulario de reserva", "Cliente", "Referencia", "Importe a pagar"),
}


def document_extraction(s: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    head, cust, ref, pay = EXTRACT_LINES[s.lang]
    number = f"{s.domain.name[:2].upper()}-{len(s.customer) * 613 % 9000 + 1000}"
    lines = [
        f"{s.domain.company} — {head}",
        f"{cust}: {s.customer}",
        f"{ref}: {number}",
        *([s.item] if s.pattern == "first_unit" else []),
        *s.wrong_lines,
        f"{pay}: {s.right}",
    ]
    job = {
        "document_type": "form",
        "text": "\n".join(lines),
        "fields": ["booking_reference", "amount_payable"],
    }
    labels: dict[str, Any] = {
        "right": "document",
        "extract": {"booking_reference": number, "amount_payable": s.right},
    }
    if s.wrong_lines:
        labels["wrong"] = "document"
    return job, labels


ROLES = (
    ("Head Groomer", "dogs groomed"),
    ("Workshop Lead", "bikes serviced"),
    ("Camp Director", "campers hosted"),
    ("Head Brewer", "tours led"),
    ("Lead Audiologist", "patients fitted"),
    ("Store Manager", "garments cleaned"),
    ("Site Supervisor", "gardens planted"),
    ("Retreat Lead", "retreats taught"),
    ("Operations Manager", "cars washed"),
    ("Chief Engineer", "albums recorded"),
    ("Game Designer", "rooms designed"),
    ("Guide Lead", "paddlers guided"),
)


def bio(rng: random.Random, s: Scene) -> tuple[dict[str, Any], dict[str, Any], str, str]:
    role, what = ROLES[DOMAINS.index(s.domain)]
    count = rng.randrange(113, 4_800)
    figure = f"{count:,}"
    if s.pattern == "inflated":
        step = 1_000 if count > 1_000 else 100
        invented = f"{(count // step + 1) * step:,}"
    else:
        invented = f"{int(count * rng.choice((1.3, 1.6, 0.7))):,}"
    start = rng.randrange(2012, 2022)
    profile = {
        "name": s.domain.staff,
        "role": role,
        "organization": s.domain.company,
        "pronouns": rng.choice(("she", "he", "they")),
        "experience": [
            {
                "role": "Assistant",
                "organization": s.domain.company,
                "start_year": start - 4,
                "end_year": start,
            }
        ],
        "skills": [s.domain.category, "customer care"],
        "achievements": [f"{figure} {what} since {start}"],
    }
    return (
        {"profile": profile, "tone": "professional", "length": "medium"},
        {"right": "profile"},
        figure,
        invented,
    )


LAYOUTS = {
    "email_reply": email_reply,
    "support_answer": support_answer,
    "account_summary": account_summary,
    "follow_up_draft": follow_up_draft,
    "product_description": product_description,
    "metadata_enrichment": metadata_enrichment,
    "document_extraction": document_extraction,
}
OUTCOME = {
    "email_reply": "drafted",
    "support_answer": "answered",
    "account_summary": "summarized",
    "follow_up_draft": "drafted",
    "product_description": "written",
    "metadata_enrichment": "enriched",
    "document_extraction": "extracted",
    "bio": "written",
}


def _case(rng: random.Random, kind: str, pattern: str, lang: str, n: int) -> dict[str, Any]:
    domain = DOMAINS[(n * 5 + len(kind)) % len(DOMAINS)]
    # A shop product costs tens of units; a service booking up to several hundred.
    top = 9_000 if kind in ("product_description", "metadata_enrichment") else 90_000
    s = scene(rng, domain, lang, pattern, top)
    if kind == "bio":
        job, where, right_label, invented = bio(rng, s)
        labels_right = [right_label]
        banned = {invented: "invented"}
    else:
        job, where = LAYOUTS[kind](s)
        labels_right = [s.labels["right"]] if where.get("right") else []
        banned = {s.labels["invented"]: "invented"}
        if pattern == "missing":
            banned[s.labels["right"]] = "invented"
        if "wrong" in where:
            banned[s.labels["wrong"]] = "distractor"
    case: dict[str, Any] = {
        "id": f"hi-{kind}-{n:03d}-{pattern}",
        "kind": kind,
        "pattern": pattern,
        "domain": domain.name,
        "lang": s.lang,
        "input": job,
    }
    if kind == "support_answer" and pattern == "missing":
        case["expect_outcome"] = "escalated"
        case["expect_review"] = True
    else:
        case["expect_outcome"] = OUTCOME[kind]
    case["must_contain"] = labels_right
    if where.get("right"):
        if kind == "metadata_enrichment":
            case["must_cite"] = {"retail_price": where["right"]}
            case["must_fill"] = {"retail_price": s.labels["right"]}
        else:
            case["must_cite"] = [where["right"]]
    if kind == "follow_up_draft":
        case["must_commit"] = list(labels_right)
    if kind == "document_extraction":
        case["must_extract"] = where["extract"]
    case["must_not_contain"] = list(banned)
    case["banned"] = banned
    if "wrong" in where:
        case["distractor"] = where["wrong"]
        if where["wrong"] == where.get("right"):
            case["distractor_passage"] = s.wrong_lines[-1]
    return case


def _spread(total: int) -> dict[int, str]:
    """Which of a family's cases are French, German or Spanish: about a quarter, at
    least one each, spread evenly over the family (so over its kinds too)."""
    m = max(3, round(total / 4))
    return {i * total // m: LANGS[1 + i % 3] for i in range(m)}


def grounded_i_cases(rng: random.Random) -> list[dict[str, Any]]:
    totals: Counter[str] = Counter()
    for kind, plan in PLANS.items():
        if kind != "bio":
            totals.update({p: c for p, c in plan.items() if p != "plain"})
    spread = {pattern: _spread(total) for pattern, total in totals.items()}
    cases = []
    per_pattern: Counter[str] = Counter()
    for kind, plan in PLANS.items():
        n = 0
        for pattern, count in plan.items():
            for j in range(count):
                k = per_pattern[pattern]
                # A bio's profile states no language: English only. Plain cases give each
                # kind French, German and Spanish; each family spreads them over its kinds.
                if kind == "bio":
                    lang = "en"
                elif pattern == "plain":
                    lang = LANGS[1 + (j // 3) % 3] if j % 3 == 1 else "en"
                else:
                    lang = spread[pattern].get(k, "en")
                per_pattern[pattern] += 1
                for _attempt in range(50):
                    case = _case(rng, kind, pattern, lang, n)
                    if not mislabelled(case):
                        break
                else:  # pragma: no cover - a generator bug
                    raise AssertionError(f"{case['id']}: {mislabelled(case)}")
                cases.append(case)
                n += 1
    return cases


# --- label check ---------------------------------------------------------------------


def _right_ids(case: dict[str, Any]) -> list[str]:
    cite = case.get("must_cite") or []
    return list(cite.values()) if isinstance(cite, dict) else list(cite)


def mislabelled(case: dict[str, Any]) -> list[str]:
    """What about the case's labels is not true of its input (empty when all hold)."""
    material = grounding.material(case["kind"], case["input"]) or {}
    whole = grounding.plain_text(case["input"])
    rights = _right_ids(case)
    problems = []
    for needed in case["must_contain"]:
        if not any(needed in material.get(r, "") for r in rights):
            problems.append(f"needed {needed!r} is in no right source")
    distractor = case.get("distractor")
    passage = case.get("distractor_passage")
    if distractor is not None and distractor in rights and passage is None:
        problems.append(f"distractor source {distractor!r} is a right source")
    for value in (case.get("must_extract") or {}).values():
        if value not in case["input"]["text"]:
            problems.append(f"extracted {value!r} is not in the document")
    for fact, origin in case["banned"].items():
        if any(fact in needed or needed in fact for needed in case["must_contain"]):
            problems.append(f"banned {fact!r} is inside a needed fact")
        if origin == "invented" and fact in whole:
            problems.append(f"banned {fact!r} is not invented")
        if origin == "distractor":
            problems += _distractor_problems(case, material, whole, fact)
    return problems


def _distractor_problems(
    case: dict[str, Any], material: dict[str, str], whole: str, fact: str
) -> list[str]:
    source = material.get(case.get("distractor") or "", "")
    passage = case.get("distractor_passage")
    home = passage if passage is not None else source
    if passage is not None and passage not in source:
        return [f"passage of banned {fact!r} is not in its source"]
    if fact not in home or whole.count(fact) != home.count(fact):
        return [f"banned {fact!r} is not only in the distractor"]
    return []
