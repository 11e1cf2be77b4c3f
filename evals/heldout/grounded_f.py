"""The sixth held-out grounded set (``heldout/grounded_f.jsonl``), written blind.

Written without reading the five earlier grounded sets, the offline provider, the prompts,
the guards or the kinds' rules, once all five had been seen by whoever tunes the offline
answer; to be run once, at the end, by someone who did not write it. New domains
(pet boarding, rooftop solar, mortgage brokers, language schools, bike share, concert
venue hire, letting agents' repairs, fertility clinics, parcel lockers, museum
memberships, print shops, water connections); English with French, German and Spanish,
figures written the language's way (``€1,240.50``, ``1 240,50 €``, ``1.240,50 €``).

About a third of the cases are plain (one relevant source, no trap). The others carry
one trap (``pattern``): families the earlier sets used, in new forms (a struck-through
old price, a notice "From 1 March: ...", an "Edit:" correction, a revision table, a
sibling offering's page, a generated call recap with two digits swapped, the answering
source missing), and new families real support data has (another customer segment's
price, net against gross of VAT, a spring offer that has ended, a competitor's column
in a comparison table, the minimum against the typical charge, the add-on against the
bundle, a chat bot's wrong answer a person corrects, a customer's colleague against the
account manager, a cancelled order beside the live one, the next phase's price; in a
bio, a next phase only planned, whose sum with what was done is banned).

Each case states what a correct answer must give (``must_contain``, ``must_cite``) and
must not (``must_not_contain``, labelled in ``banned`` as ``invented``: found nowhere in
the input, or ``distractor``: found only in the source named by ``distractor``, or only
in its ``distractor_passage``). :func:`mislabelled` checks the labels against the input;
the generator draws a case again until they hold.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evals import grounding

SEED = 20261215
LANGS = ("en", "fr", "de", "es")
LANG_CYCLE = ("en", "fr", "de", "es", "en", "en")
"""Per pattern, the language of its n-th email or support case: every family is written
in each language, English about half of those two kinds and all of the others."""

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
OLD_FAMILIES = (
    "strikethrough",
    "effective_from",
    "edit_line",
    "revision_table",
    "sibling",
    "recap",
    "missing",
)
"""Families the earlier sets used, here in new forms."""
NEW_FAMILIES = (
    "segment",
    "vat",
    "promo_ended",
    "competitor",
    "minimum_typical",
    "addon_bundle",
    "bot_corrected",
    "authority",
    "cancelled_order",
    "later_phase",
)
PATTERNS = ("plain", *OLD_FAMILIES, *NEW_FAMILIES)
ALL_TRAPS = (*OLD_FAMILIES, *NEW_FAMILIES)
PLANS: dict[str, tuple[str, ...]] = {
    "email_reply": ALL_TRAPS,
    "support_answer": ALL_TRAPS,
    "account_summary": (
        "edit_line",
        "recap",
        "effective_from",
        "bot_corrected",
        "authority",
        "cancelled_order",
        "segment",
        "sibling",
    ),
    "follow_up_draft": (
        "edit_line",
        "authority",
        "bot_corrected",
        "vat",
        "addon_bundle",
        "later_phase",
        "cancelled_order",
        "recap",
    ),
    "product_description": ("strikethrough", "sibling", "competitor", "edit_line"),
    "metadata_enrichment": (
        "strikethrough",
        "sibling",
        "competitor",
        "edit_line",
        "vat",
        "minimum_typical",
    ),
    "document_extraction": ("strikethrough", "edit_line", "vat", "minimum_typical", "segment"),
    "bio": ("later_phase",),
}
"""Per kind, the traps it carries (besides plain cases)."""
PLAIN: dict[str, int] = {
    "email_reply": 24,
    "support_answer": 24,
    "account_summary": 7,
    "follow_up_draft": 7,
    "product_description": 7,
    "metadata_enrichment": 6,
    "document_extraction": 6,
    "bio": 14,
}
"""How many plain cases each kind has: about a third of the set."""

PROMISE = {
    "en": "I'll send you the written confirmation by Friday.",
    "fr": "Je vous envoie la confirmation écrite d'ici vendredi.",
    "de": "Ich schicke Ihnen die schriftliche Bestätigung bis Freitag.",
    "es": "Le envío la confirmación por escrito antes del viernes.",
}
"""The commitment every follow-up conversation's right turn makes."""


# --- domains -------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    key: str
    label: dict[str, tuple[str, str]]
    """Per language: the noun phrase with its article, and the heading without it."""
    low: int
    high: int


@dataclass(frozen=True)
class Domain:
    name: str
    brand: str
    items: tuple[str, str]
    topics: tuple[Topic, Topic]
    competitor: str
    pound: bool
    phases: bool
    bio: tuple[str, str, int, int]
    """A role, an achievement with ``{n}``, and the range of ``n``."""

    @property
    def site(self) -> str:
        return "".join(c for c in self.brand.lower() if c.isalnum()) + ".example"


def _t(key: str, low: int, high: int, **label: tuple[str, str]) -> Topic:
    return Topic(key, label, low, high)


DOMAINS = (
    Domain(
        "pet_boarding",
        "Pawhaven Boarding",
        ("Garden Suite", "Standard Kennel"),
        (
            _t(
                "nightly_rate",
                25,
                70,
                en=("the nightly rate", "Nightly rate"),
                fr=("le tarif par nuit", "Tarif par nuit"),
                de=("der Preis pro Nacht", "Preis pro Nacht"),
                es=("la tarifa por noche", "Tarifa por noche"),
            ),
            _t(
                "booking_deposit",
                40,
                150,
                en=("the booking deposit", "Booking deposit"),
                fr=("l'acompte de réservation", "Acompte de réservation"),
                de=("die Buchungsanzahlung", "Buchungsanzahlung"),
                es=("el depósito de reserva", "Depósito de reserva"),
            ),
        ),
        "WagInn Hotels",
        True,
        False,
        (
            "Head of Animal Care",
            "Has looked after more than {n} dogs and cats as a boarder",
            1200,
            9800,
        ),
    ),
    Domain(
        "solar",
        "Brightroof Solar",
        ("Rooftop Kit Compact", "Rooftop Kit Plus"),
        (
            _t(
                "installation_price",
                4800,
                9800,
                en=("the installation price", "Installation price"),
                fr=("le prix d'installation", "Prix d'installation"),
                de=("der Installationspreis", "Installationspreis"),
                es=("el precio de instalación", "Precio de instalación"),
            ),
            _t(
                "site_survey_fee",
                90,
                260,
                en=("the site survey fee", "Site survey fee"),
                fr=("le forfait de visite technique", "Forfait visite technique"),
                de=("die Gebühr für die Vor-Ort-Besichtigung", "Gebühr Vor-Ort-Besichtigung"),
                es=("la tarifa de visita técnica", "Tarifa de visita técnica"),
            ),
        ),
        "SunMatic",
        False,
        True,
        ("Installation Lead", "Led {n} rooftop installations", 1100, 4800),
    ),
    Domain(
        "mortgage_broker",
        "Keystone Mortgage Partners",
        ("Remortgage Service", "First-Time Buyer Service"),
        (
            _t(
                "broker_fee",
                395,
                995,
                en=("the broker fee", "Broker fee"),
                fr=("la commission de courtage", "Commission de courtage"),
                de=("die Vermittlungsgebühr", "Vermittlungsgebühr"),
                es=("la comisión de intermediación", "Comisión de intermediación"),
            ),
            _t(
                "valuation_fee",
                150,
                450,
                en=("the valuation fee", "Valuation fee"),
                fr=("le forfait d'évaluation", "Forfait d'évaluation"),
                de=("die Bewertungsgebühr", "Bewertungsgebühr"),
                es=("la tarifa de tasación", "Tarifa de tasación"),
            ),
        ),
        "LoanLoop",
        True,
        False,
        ("Senior Mortgage Adviser", "Has arranged {n} mortgages for clients", 1100, 3900),
    ),
    Domain(
        "language_school",
        "Lingua Viva School",
        ("Evening Course B1", "Evening Course A2"),
        (
            _t(
                "course_fee",
                280,
                690,
                en=("the course fee", "Course fee"),
                fr=("le prix du cours", "Prix du cours"),
                de=("die Kursgebühr", "Kursgebühr"),
                es=("el precio del curso", "Precio del curso"),
            ),
            _t(
                "placement_test_fee",
                20,
                60,
                en=("the placement test fee", "Placement test fee"),
                fr=("le prix du test de niveau", "Prix du test de niveau"),
                de=("die Gebühr für den Einstufungstest", "Gebühr Einstufungstest"),
                es=("el precio de la prueba de nivel", "Precio de la prueba de nivel"),
            ),
        ),
        "Parlio Languages",
        False,
        False,
        ("Director of Studies", "Has taught {n} adult learners", 1200, 6400),
    ),
    Domain(
        "bike_share",
        "CityPedal",
        ("E-bike Annual Pass", "Classic Annual Pass"),
        (
            _t(
                "pass_price",
                49,
                169,
                en=("the pass price", "Pass price"),
                fr=("le prix de l'abonnement", "Prix de l'abonnement"),
                de=("der Abopreis", "Abopreis"),
                es=("el precio del abono", "Precio del abono"),
            ),
            _t(
                "replacement_card_fee",
                5,
                15,
                en=("the replacement card fee", "Replacement card fee"),
                fr=("le prix de la carte de remplacement", "Carte de remplacement"),
                de=("die Gebühr für eine Ersatzkarte", "Gebühr Ersatzkarte"),
                es=("el precio de la tarjeta de reposición", "Tarjeta de reposición"),
            ),
        ),
        "RideNow",
        False,
        False,
        ("Membership Manager", "Grew the scheme to {n} annual pass holders", 2100, 9800),
    ),
    Domain(
        "concert_venue",
        "The Foundry Hall",
        ("Main Hall (Friday evening)", "Studio Room (Friday evening)"),
        (
            _t(
                "hire_fee",
                1800,
                6800,
                en=("the hire fee", "Hire fee"),
                fr=("le prix de location", "Prix de location"),
                de=("die Saalmiete", "Saalmiete"),
                es=("el precio de alquiler", "Precio de alquiler"),
            ),
            _t(
                "security_deposit",
                400,
                950,
                en=("the security deposit", "Security deposit"),
                fr=("le dépôt de garantie", "Dépôt de garantie"),
                de=("die Kaution", "Kaution"),
                es=("la fianza", "Fianza"),
            ),
        ),
        "Arena Loft",
        False,
        True,
        ("Venue Programmer", "Has booked {n} concerts and club nights", 1100, 2900),
    ),
    Domain(
        "lettings_repairs",
        "Northgate Lettings",
        ("Boiler repair call-out", "Plumbing call-out"),
        (
            _t(
                "callout_fee",
                55,
                140,
                en=("the call-out fee", "Call-out fee"),
                fr=("le forfait de déplacement", "Forfait de déplacement"),
                de=("die Anfahrtspauschale", "Anfahrtspauschale"),
                es=("la tarifa de desplazamiento", "Tarifa de desplazamiento"),
            ),
            _t(
                "approval_limit",
                250,
                750,
                en=("the repair approval limit", "Repair approval limit"),
                fr=("le plafond d'accord pour réparation", "Plafond d'accord"),
                de=("die Freigabegrenze für Reparaturen", "Freigabegrenze"),
                es=("el límite de aprobación de reparaciones", "Límite de aprobación"),
            ),
        ),
        "FixFlat",
        True,
        True,
        ("Head of Property Maintenance", "Manages repairs across {n} rental homes", 1100, 4200),
    ),
    Domain(
        "fertility_clinic",
        "Aurora Fertility Clinic",
        ("IVF Essential package", "IVF Plus package"),
        (
            _t(
                "package_price",
                3900,
                6900,
                en=("the package price", "Package price"),
                fr=("le prix du forfait", "Prix du forfait"),
                de=("der Paketpreis", "Paketpreis"),
                es=("el precio del paquete", "Precio del paquete"),
            ),
            _t(
                "storage_fee",
                250,
                490,
                en=("the annual embryo storage fee", "Embryo storage (per year)"),
                fr=("le tarif annuel de conservation des embryons", "Conservation (par an)"),
                de=("die jährliche Gebühr für die Embryonenlagerung", "Lagerung (pro Jahr)"),
                es=("la tarifa anual de conservación de embriones", "Conservación (anual)"),
            ),
        ),
        "NovaLife Clinics",
        False,
        False,
        ("Patient Coordinator", "Has coordinated {n} treatment cycles", 1100, 3600),
    ),
    Domain(
        "parcel_lockers",
        "BoxPoint Lockers",
        ("Business Locker M", "Business Locker L"),
        (
            _t(
                "monthly_rental",
                19,
                89,
                en=("the monthly rental", "Monthly rental"),
                fr=("le loyer mensuel", "Loyer mensuel"),
                de=("die Monatsmiete", "Monatsmiete"),
                es=("el alquiler mensual", "Alquiler mensual"),
            ),
            _t(
                "setup_fee",
                90,
                390,
                en=("the set-up fee", "Set-up fee"),
                fr=("le forfait de mise en service", "Mise en service"),
                de=("die Einrichtungsgebühr", "Einrichtungsgebühr"),
                es=("la tarifa de alta", "Tarifa de alta"),
            ),
        ),
        "ParcelNest",
        False,
        True,
        ("Network Rollout Manager", "Rolled out {n} parcel lockers", 1100, 5200),
    ),
    Domain(
        "museum_membership",
        "Harbour Museum of Science",
        ("Family Membership", "Individual Membership"),
        (
            _t(
                "membership_price",
                45,
                169,
                en=("the annual price", "Annual price"),
                fr=("le prix annuel", "Prix annuel"),
                de=("der Jahrespreis", "Jahrespreis"),
                es=("el precio anual", "Precio anual"),
            ),
            _t(
                "guest_pass_price",
                6,
                18,
                en=("the guest pass price", "Guest pass"),
                fr=("le prix du pass invité", "Pass invité"),
                de=("der Preis für den Gästepass", "Gästepass"),
                es=("el precio del pase de invitado", "Pase de invitado"),
            ),
        ),
        "City Art Gallery",
        True,
        False,
        ("Head of Membership", "Raised membership to {n} households", 2100, 8800),
    ),
    Domain(
        "print_shop",
        "Inkwell Print Co.",
        ("A5 flyer run", "A4 poster run"),
        (
            _t(
                "order_price",
                85,
                480,
                en=("the order price", "Order price"),
                fr=("le prix de la commande", "Prix de la commande"),
                de=("der Auftragspreis", "Auftragspreis"),
                es=("el precio del pedido", "Precio del pedido"),
            ),
            _t(
                "proof_fee",
                12,
                45,
                en=("the hard-copy proof fee", "Hard-copy proof"),
                fr=("le prix de l'épreuve papier", "Épreuve papier"),
                de=("die Gebühr für den Papierproof", "Papierproof"),
                es=("el precio de la prueba impresa", "Prueba impresa"),
            ),
        ),
        "PrintHero",
        True,
        True,
        ("Production Manager", "Has shipped {n} print orders for business customers", 2100, 9600),
    ),
    Domain(
        "water_connection",
        "Vale Water",
        ("Domestic connection", "Commercial connection"),
        (
            _t(
                "connection_charge",
                1200,
                3900,
                en=("the connection charge", "Connection charge"),
                fr=("le coût de raccordement", "Coût de raccordement"),
                de=("die Anschlussgebühr", "Anschlussgebühr"),
                es=("el coste de conexión", "Coste de conexión"),
            ),
            _t(
                "infrastructure_charge",
                350,
                950,
                en=("the infrastructure charge", "Infrastructure charge"),
                fr=("la contribution d'infrastructure", "Contribution d'infrastructure"),
                de=("der Infrastrukturbeitrag", "Infrastrukturbeitrag"),
                es=("el cargo de infraestructura", "Cargo de infraestructura"),
            ),
        ),
        "Riverside Water",
        True,
        True,
        ("New Connections Engineer", "Oversaw {n} new water connections", 1100, 4600),
    ),
)
PHASED = ("later_phase",)
"""Patterns only a project (a domain with phases) can carry."""

# --- figures and dates -----------------------------------------------------------------

CENTS = (0.5, 0.9, 0.95, 0.4, 0.75, 0.25, 0.6, 0.85)
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}
VAT_RATE = {"en": 20, "fr": 20, "de": 19, "es": 21}


@dataclass(frozen=True)
class Figure:
    shown: str
    """As a source writes it (``€1,240.50``, ``1 240,50 €``)."""
    core: str
    """The number as the language writes it (``1,240.50``): what an answer must state."""
    value: float = 0.0


def draw(rng: random.Random, low: int, high: int) -> float:
    whole = rng.randint(low, high)
    return float(whole) if whole >= 1000 else whole + rng.choice(CENTS)


def figure(value: float, lang: str, pound: bool) -> Figure:
    value = round(value) if value >= 1000 else round(value, 2)
    text = f"{value:,.0f}" if value >= 1000 else f"{value:,.2f}"
    if lang == "en":
        return Figure(("£" if pound else "€") + text, text, value)
    thousands = " " if lang == "fr" else "."
    core = text.replace(",", "\0").replace(".", ",").replace("\0", thousands)
    return Figure(f"{core} €", core, value)


def date_words(lang: str, year: int, month: int, day: int) -> str:
    name = MONTHS[lang].split()[month - 1]
    return {
        "en": f"{day} {name} {year}",
        "fr": f"{'1er' if day == 1 else day} {name} {year}",
        "de": f"{day}. {name} {year}",
        "es": f"{day} de {name} de {year}",
    }[lang]


# --- the words of each language ----------------------------------------------------------

W: dict[str, dict[str, str]] = {
    "en": {
        "state": "{What} for {item} is {fig}.",
        "ask": "Could you confirm {what} for {item}?|What is {what} for {item}?|"
        "How much is {what} for {item}, please?",
        "today": "(I'm asking today, {date}.)",
        "pay": "Payment is taken when the booking is confirmed.",
        "hi": "Hi {name},",
        "sign": "Best regards,\n{agent}\n{brand}",
        "thanks": "Thanks,\n{name}",
        "reply": "Reply to {name}: confirm {what} for {item}.",
        "reply_missing": "Reply to {name} about {what} for {item}.",
        "strike": "The struck-through price is shown for comparison only.",
        "from": "From {eff}: {what} for {item} is {fig}.",
        "pricelist": "Price list {year}",
        "notice": "Price change",
        "edit_sep": "Edit to my last message: I mistyped the amount. {What} for {item} is {fig}.",
        "edit_inline": "Edit ({date}): typo in the line above, the correct amount is {fig}.",
        "rev_head": "| Rev. | Valid from | Amount |",
        "recap": "Recap (auto-generated from the call recording): customer was quoted {wrong} "
        "for {item}.",
        "quote": "As discussed on the phone: {state}",
        "seg_std": "Standard",
        "segs": "Students|Seniors (65+)|Under-26s",
        "seg_ctx": "I'm a regular adult customer, no student or senior discount.",
        "incl": "including VAT",
        "excl": "excluding VAT",
        "net": "{fig} excl. VAT",
        "gross": "{fig} incl. VAT",
        "vat": "{What} for {item}: {net} / {gross} ({rate}% VAT).",
        "promo": "Spring offer: {wrong} for bookings made by {end}.",
        "compare": "How we compare",
        "min_line": "Minimum charge: {fig}",
        "typ_line": "Typical total for most customers: {fig}",
        "min": "(the minimum charge)",
        "typ": "(what most customers pay in total)",
        "addon_line": "As an add-on to an existing booking: {fig}",
        "bundle_line": "In the All-in package (incl. {other}): {fig}",
        "addon": "(as an add-on to my existing booking)",
        "bundle": "(in the All-in package)",
        "bot": "Virtual assistant (automated reply): {what} for {item} is {wrong}.",
        "human": "Hello, {agent} here from the {brand} team. Sorry, the virtual assistant gave "
        "you the wrong figure: {what} for {item} is {fig}.",
        "doubt": "Hm, that doesn't match what I saw on your website. Can you check?",
        "colleague": "I think we agreed {wrong} for {item}, but I wasn't in that meeting.",
        "manager": "Confirming as your account manager: {what} for {item} is {fig}.",
        "cancelled": "Order {no} - status: cancelled on {date}",
        "live": "Order {no} - status: confirmed",
        "order": "(on my current order)",
        "phase1": "Phase 1 (until {date}): {fig}",
        "phase2": "Phase 2 (from {date}): {wrong}",
        "phase_ctx": "We are starting now, in phase 1.",
        "manager_title": "{agent}, account manager",
        "recap_title": "Call recap",
    },
    "fr": {
        "state": "{What} pour {item} est de {fig}.",
        "ask": "Pouvez-vous me confirmer {what} pour {item} ?|"
        "À combien s'élève {what} pour {item} ?",
        "today": "(Je pose la question aujourd'hui, le {date}.)",
        "pay": "Le paiement est demandé à la confirmation de la réservation.",
        "hi": "Bonjour {name},",
        "sign": "Bien cordialement,\n{agent}\n{brand}",
        "thanks": "Merci,\n{name}",
        "reply": "Répondre à {name} : confirmer {what} pour {item}.",
        "reply_missing": "Répondre à {name} au sujet de {what} pour {item}.",
        "strike": "Le prix barré est indiqué à titre de comparaison.",
        "from": "À partir du {eff} : {what} pour {item} est de {fig}.",
        "pricelist": "Grille tarifaire {year}",
        "notice": "Changement de tarif",
        "edit_sep": "Rectificatif à mon dernier message : erreur de frappe. {What} pour {item} "
        "est de {fig}.",
        "edit_inline": "Modification ({date}) : coquille dans la ligne ci-dessus, le bon montant "
        "est {fig}.",
        "rev_head": "| Rév. | En vigueur le | Montant |",
        "recap": "Compte rendu (généré à partir de l'enregistrement de l'appel) : montant "
        "annoncé au client {wrong} pour {item}.",
        "quote": "Comme convenu au téléphone : {state}",
        "seg_std": "Tarif normal",
        "segs": "Étudiants|Seniors (65 ans et plus)|Moins de 26 ans",
        "seg_ctx": "Je suis un client adulte au tarif normal, ni étudiant ni senior.",
        "incl": "TTC",
        "excl": "hors taxes",
        "net": "{fig} HT",
        "gross": "{fig} TTC",
        "vat": "{What} pour {item} : {net} / {gross} (TVA {rate} %).",
        "promo": "Offre de printemps : {wrong} pour toute réservation jusqu'au {end}.",
        "compare": "Comparatif",
        "min_line": "Minimum facturé : {fig}",
        "typ_line": "Montant habituel pour la plupart des clients : {fig}",
        "min": "(le minimum facturé)",
        "typ": "(le montant que paient la plupart des clients)",
        "addon_line": "En option sur une réservation existante : {fig}",
        "bundle_line": "Dans le forfait Tout compris (avec {other}) : {fig}",
        "addon": "(en option sur ma réservation existante)",
        "bundle": "(dans le forfait Tout compris)",
        "bot": "Assistant virtuel (réponse automatique) : {what} pour {item} est de {wrong}.",
        "human": "Bonjour, ici {agent} de l'équipe {brand}. Désolé, l'assistant virtuel vous a "
        "donné un mauvais montant : {what} pour {item} est de {fig}.",
        "doubt": "Hum, ce n'est pas ce que j'ai vu sur votre site. Pouvez-vous vérifier ?",
        "colleague": "Il me semble qu'on avait parlé de {wrong} pour {item}, mais je n'étais "
        "pas à cette réunion.",
        "manager": "Je confirme en tant que chargé de compte : {what} pour {item} est de {fig}.",
        "cancelled": "Commande {no} - statut : annulée le {date}",
        "live": "Commande {no} - statut : confirmée",
        "order": "(sur ma commande en cours)",
        "phase1": "Phase 1 (jusqu'au {date}) : {fig}",
        "phase2": "Phase 2 (à partir du {date}) : {wrong}",
        "phase_ctx": "Nous démarrons maintenant, en phase 1.",
        "manager_title": "{agent}, chargé(e) de compte",
        "recap_title": "Compte rendu d'appel",
    },
    "de": {
        "state": "{What} für {item} beträgt {fig}.",
        "ask": "Wie hoch ist {what} für {item}?|"
        "Können Sie mir sagen, wie hoch {what} für {item} ist?",
        "today": "(Ich frage heute, am {date}.)",
        "pay": "Die Zahlung erfolgt bei der Bestätigung der Buchung.",
        "hi": "Hallo {name},",
        "sign": "Viele Grüße\n{agent}\n{brand}",
        "thanks": "Danke,\n{name}",
        "reply": "Antwort an {name}: {what} für {item} bestätigen.",
        "reply_missing": "Antwort an {name} zu {what} für {item}.",
        "strike": "Der durchgestrichene Preis dient nur zum Vergleich.",
        "from": "Ab dem {eff}: {What} für {item} beträgt {fig}.",
        "pricelist": "Preisliste {year}",
        "notice": "Preisanpassung",
        "edit_sep": "Korrektur zu meiner letzten Nachricht: Tippfehler. {What} für {item} "
        "beträgt {fig}.",
        "edit_inline": "Bearbeitet ({date}): Tippfehler in der Zeile oben, richtig ist {fig}.",
        "rev_head": "| Rev. | Gültig ab | Betrag |",
        "recap": "Zusammenfassung (aus der Gesprächsaufzeichnung erzeugt): dem Kunden wurden "
        "{wrong} für {item} genannt.",
        "quote": "Wie am Telefon besprochen: {state}",
        "seg_std": "Normalpreis",
        "segs": "Studierende|Senioren (ab 65)|Unter 26",
        "seg_ctx": "Ich bin regulärer erwachsener Kunde, weder Student noch Senior.",
        "incl": "inklusive MwSt.",
        "excl": "ohne MwSt.",
        "net": "{fig} netto",
        "gross": "{fig} brutto",
        "vat": "{What} für {item}: {net} / {gross} ({rate} % MwSt.).",
        "promo": "Frühjahrsangebot: {wrong} bei Buchung bis zum {end}.",
        "compare": "Vergleich",
        "min_line": "Mindestbetrag: {fig}",
        "typ_line": "Üblicher Gesamtbetrag für die meisten Kunden: {fig}",
        "min": "(der Mindestbetrag)",
        "typ": "(was die meisten Kunden insgesamt zahlen)",
        "addon_line": "Als Zusatzoption zu einer bestehenden Buchung: {fig}",
        "bundle_line": "Im Komplettpaket (inkl. {other}): {fig}",
        "addon": "(als Zusatzoption zu meiner bestehenden Buchung)",
        "bundle": "(im Komplettpaket)",
        "bot": "Virtueller Assistent (automatische Antwort): {What} für {item} beträgt {wrong}.",
        "human": "Hallo, hier ist {agent} vom Team {brand}. Entschuldigung, der virtuelle "
        "Assistent hat Ihnen einen falschen Betrag genannt: {What} für {item} beträgt {fig}.",
        "doubt": "Hm, das passt nicht zu dem, was ich auf Ihrer Website gesehen habe. Können "
        "Sie das prüfen?",
        "colleague": "Ich glaube, für {item} hatten wir {wrong} vereinbart, aber ich war beim "
        "Termin nicht dabei.",
        "manager": "Als Ihr Kundenbetreuer bestätige ich: {What} für {item} beträgt {fig}.",
        "cancelled": "Bestellung {no} - Status: storniert am {date}",
        "live": "Bestellung {no} - Status: bestätigt",
        "order": "(für meine aktuelle Bestellung)",
        "phase1": "Phase 1 (bis {date}): {fig}",
        "phase2": "Phase 2 (ab {date}): {wrong}",
        "phase_ctx": "Wir starten jetzt, in Phase 1.",
        "manager_title": "{agent}, Kundenbetreuung",
        "recap_title": "Gesprächszusammenfassung",
    },
    "es": {
        "state": "{What} para {item} es de {fig}.",
        "ask": "¿Me pueden confirmar {what} para {item}?|¿Cuánto es {what} para {item}?",
        "today": "(Lo pregunto hoy, {date}.)",
        "pay": "El pago se realiza al confirmar la reserva.",
        "hi": "Hola, {name}:",
        "sign": "Un saludo,\n{agent}\n{brand}",
        "thanks": "Gracias,\n{name}",
        "reply": "Responder a {name}: confirmar {what} para {item}.",
        "reply_missing": "Responder a {name} sobre {what} para {item}.",
        "strike": "El precio tachado se muestra solo como referencia.",
        "from": "A partir del {eff}: {what} para {item} es de {fig}.",
        "pricelist": "Tarifas {year}",
        "notice": "Cambio de tarifa",
        "edit_sep": "Corrijo mi último mensaje: error al teclear. {What} para {item} es de {fig}.",
        "edit_inline": "Editado ({date}): errata en la línea anterior, el importe correcto es "
        "{fig}.",
        "rev_head": "| Rev. | Vigente desde | Importe |",
        "recap": "Resumen (generado a partir de la grabación de la llamada): se indicó al "
        "cliente {wrong} para {item}.",
        "quote": "Como hablamos por teléfono: {state}",
        "seg_std": "Tarifa general",
        "segs": "Estudiantes|Mayores de 65|Menores de 26",
        "seg_ctx": "Soy cliente adulto con tarifa normal, ni estudiante ni jubilado.",
        "incl": "con IVA incluido",
        "excl": "sin IVA",
        "net": "{fig} sin IVA",
        "gross": "{fig} con IVA",
        "vat": "{What} para {item}: {net} / {gross} (IVA del {rate} %).",
        "promo": "Oferta de primavera: {wrong} para reservas hechas hasta el {end}.",
        "compare": "Comparativa",
        "min_line": "Importe mínimo: {fig}",
        "typ_line": "Importe habitual para la mayoría de clientes: {fig}",
        "min": "(el importe mínimo)",
        "typ": "(lo que paga en total la mayoría de clientes)",
        "addon_line": "Como extra de una reserva existente: {fig}",
        "bundle_line": "En el paquete Todo incluido (con {other}): {fig}",
        "addon": "(como extra de mi reserva actual)",
        "bundle": "(en el paquete Todo incluido)",
        "bot": "Asistente virtual (respuesta automática): {what} para {item} es de {wrong}.",
        "human": "Hola, soy {agent}, del equipo de {brand}. Disculpe, el asistente virtual le "
        "dio un importe equivocado: {what} para {item} es de {fig}.",
        "doubt": "Mmm, no coincide con lo que vi en su web. ¿Pueden comprobarlo?",
        "colleague": "Creo que para {item} acordamos {wrong}, pero yo no estuve en esa reunión.",
        "manager": "Le confirmo como gestor de su cuenta: {what} para {item} es de {fig}.",
        "cancelled": "Pedido {no} - estado: cancelado el {date}",
        "live": "Pedido {no} - estado: confirmado",
        "order": "(en mi pedido actual)",
        "phase1": "Fase 1 (hasta el {date}): {fig}",
        "phase2": "Fase 2 (desde el {date}): {wrong}",
        "phase_ctx": "Empezamos ahora, en la fase 1.",
        "manager_title": "{agent}, gestor(a) de cuenta",
        "recap_title": "Resumen de la llamada",
    },
}
FIRST = {
    "en": ("Olivia Hart", "Daniel Price", "Priya Shah", "Tom Whitaker", "Grace Nolan"),
    "fr": ("Camille Roux", "Julien Marchand", "Léa Fontaine", "Hugo Perrin", "Inès Moreau"),
    "de": ("Jonas Becker", "Lena Vogel", "Felix Hartmann", "Miriam Kraus", "Tobias Lang"),
    "es": ("Lucía Ortega", "Javier Molina", "Carmen Ruiz", "Diego Navarro", "Marta Gil"),
}
AGENTS = {
    "en": ("Sam Fletcher", "Megan Doyle", "Ravi Patel"),
    "fr": ("Claire Dubois", "Antoine Lefèvre", "Sophie Garnier"),
    "de": ("Katrin Wolf", "Stefan Brandt", "Anna Keller"),
    "es": ("Elena Vidal", "Pablo Serrano", "Rosa Campos"),
}
PRONOUNS = {
    "Olivia Hart": "she",
    "Daniel Price": "he",
    "Priya Shah": "she",
    "Tom Whitaker": "he",
    "Grace Nolan": "she",
    "Sam Fletcher": "they",
    "Megan Doyle": "she",
    "Ravi Patel": "he",
}
COMPANIES = (
    "Larkspur Events",
    "Meridian Dental",
    "Copperline Studio",
    "Fenwick & Hale",
    "Tidewater Cafe",
)


# --- a case in the abstract: its documents and labels ------------------------------------


@dataclass
class Doc:
    voice: str
    """Who wrote it: company (a page or sheet), agent, bot, colleague, manager, recap."""
    text: str
    title: str = ""
    role: str = "other"
    """right, distractor or other."""


@dataclass
class Draft:
    docs: list[Doc]
    needed: list[str]
    wrong: list[str]
    invented: list[str]
    what: str
    context: str = ""
    passage: str | None = None
    missing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ctx:
    rng: random.Random
    kind: str
    pattern: str
    lang: str
    domain: Domain
    topic: Topic
    other: Topic
    item: str
    sibling: str
    agent: str
    customer: str
    colleague: str
    company: str
    year: int
    month: int
    day: int

    @property
    def w(self) -> dict[str, str]:
        return W[self.lang]

    def fig(self, value: float) -> Figure:
        return figure(value, self.lang, self.domain.pound)

    def date(self, month: int, day: int, year: int | None = None) -> str:
        return date_words(self.lang, year or self.year, month, day)

    @property
    def today(self) -> str:
        return self.date(self.month, self.day)

    def what(self, topic: Topic | None = None) -> str:
        return (topic or self.topic).label[self.lang][0]

    def state(self, fig: str, item: str | None = None, topic: Topic | None = None) -> str:
        what = self.what(topic)
        return self.w["state"].format(What=_cap(what), what=what, item=item or self.item, fig=fig)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _near(rng: random.Random, value: float, low: float, high: float) -> float:
    """A price near ``value`` (between ``low`` and ``high`` times it), priced the way a
    company prices: to five cents, or to five units from a thousand up."""
    near = value * rng.uniform(low, high)
    return round(near / 5) * 5.0 if near >= 1000 else round(near * 20) / 20


def _swap(core: str) -> str | None:
    """The figure with two neighbouring different digits swapped (a recap's misreading)."""
    digits = [i for i, c in enumerate(core) if c.isdigit()]
    pairs = [
        (a, b)
        for a, b in zip(digits, digits[1:], strict=False)
        if b == a + 1 and core[a] != core[b]
    ]
    if not pairs:
        return None
    a, b = pairs[0]
    return core[:a] + core[b] + core[a] + core[b + 1 :]


@dataclass
class Base:
    """What every pattern starts from: the right figure, an invented one near it, another
    topic's figure, and the phrases naming what is asked."""

    ctx: Ctx
    value: float
    right: Figure
    invented: Figure
    other: Figure

    @property
    def what(self) -> str:
        return self.ctx.what()

    @property
    def page_title(self) -> str:
        return f"{self.ctx.topic.label[self.ctx.lang][1]} - {self.ctx.item}"

    def near(self, low: float, high: float) -> Figure:
        return self.ctx.fig(_near(self.ctx.rng, self.value, low, high))

    def page(self, fig: str | None = None, item: str | None = None) -> str:
        """A plain page stating the figure (the right one unless told)."""
        ctx = self.ctx
        statement = ctx.state(fig or self.right.shown, item=item)
        return f"{item or ctx.item} - {ctx.domain.brand}\n{statement} {ctx.w['pay']}"

    def plain_doc(self) -> Doc:
        return Doc("company", self.page(), self.page_title, "right")

    def other_doc(self) -> Doc:
        ctx = self.ctx
        title = f"{ctx.other.label[ctx.lang][1]} - {ctx.item}"
        return Doc("company", ctx.state(self.other.shown, topic=ctx.other), title)

    def one(self, text: str, wrong: Figure, passage: str, context: str = "") -> Draft:
        """One right source, the wrong figure inside it (its passage)."""
        doc = Doc("company", text, self.page_title, "right")
        return Draft(
            [doc],
            [self.right.core],
            [wrong.core],
            [self.invented.core],
            self.what,
            context,
            passage=passage,
        )

    def two(self, docs: list[Doc], wrong: Figure, context: str = "", what: str = "") -> Draft:
        """A right source and a distractor of its own."""
        return Draft(
            docs,
            [self.right.core],
            [wrong.core],
            [self.invented.core],
            what or self.what,
            context,
        )

    def choice(
        self, text: str, good: Figure, bad: Figure, passage: str, what: str, extra: dict[str, Any]
    ) -> Draft:
        """One source stating two figures, the asker naming which one (``what``)."""
        invented = self.ctx.fig(_near(self.ctx.rng, good.value, 0.8, 0.95))
        doc = Doc("company", text, self.page_title, "right")
        return Draft(
            [doc], [good.core], [bad.core], [invented.core], what, passage=passage, extra=extra
        )


def _today(ctx: Ctx) -> str:
    return ctx.w["today"].format(date=ctx.today)


def _plain(b: Base) -> Draft:
    docs = [b.plain_doc()]
    if b.ctx.kind == "support_answer" and b.ctx.rng.random() < 0.5:
        docs.append(b.other_doc())
    extra = {"shown": b.right.shown}
    return Draft(docs, [b.right.core], [], [b.invented.core], b.what, extra=extra)


def _missing(b: Base) -> Draft:
    return Draft([b.other_doc()], [], [], [b.invented.core], b.what, missing=True)


def _strikethrough(b: Base) -> Draft:
    ctx, wrong = b.ctx, b.near(1.08, 1.3)
    struck = f"~~{wrong.shown}~~"
    head = ctx.topic.label[ctx.lang][1]
    text = f"{ctx.item} - {ctx.domain.brand}\n{head}: {struck} {b.right.shown}\n{ctx.w['strike']}"
    return b.one(text, wrong, struck)


def _effective_from(b: Base) -> Draft:
    ctx, w, wrong = b.ctx, b.ctx.w, b.near(0.8, 0.95)
    eff = ctx.date(ctx.rng.randint(1, ctx.month - 1), 1)
    old = Doc(
        "company",
        f"{ctx.state(wrong.shown)} {w['pay']}",
        w["pricelist"].format(year=ctx.year - 1),
        "distractor",
    )
    notice = w["from"].format(
        eff=eff, what=b.what, What=_cap(b.what), item=ctx.item, fig=b.right.shown
    )
    new = Doc("company", notice, w["notice"], "right")
    # A thread or an account's history runs in time; a list of sources need not.
    in_time = ctx.kind in ("email_reply", "account_summary", "follow_up_draft")
    docs = [old, new] if in_time or ctx.rng.random() < 0.5 else [new, old]
    return b.two(docs, wrong, _today(ctx))


def _revision_table(b: Base) -> Draft:
    ctx, w, wrong = b.ctx, b.ctx.w, b.near(0.8, 0.95)
    eff = ctx.date(ctx.rng.randint(1, ctx.month - 1), 1)
    row = f"| 1 | {ctx.date(ctx.rng.randint(1, 12), 1, ctx.year - 1)} | {wrong.shown} |"
    text = f"{b.page_title}\n{w['rev_head']}\n{row}\n| 2 | {eff} | {b.right.shown} |"
    return b.one(text, wrong, row, _today(ctx))


def _promo_ended(b: Base) -> Draft:
    ctx, wrong = b.ctx, b.near(0.7, 0.9)
    line = ctx.w["promo"].format(wrong=wrong.shown, end=ctx.date(4, 30))
    text = f"{ctx.item} - {ctx.domain.brand}\n{ctx.state(b.right.shown)}\n{line}"
    return b.one(text, wrong, line, _today(ctx))


def _later_phase(b: Base) -> Draft:
    ctx, w, wrong = b.ctx, b.ctx.w, b.near(1.1, 1.35)
    month = ctx.month + ctx.rng.randint(2, 4)
    later = ctx.date((month - 1) % 12 + 1, 1, ctx.year + (month - 1) // 12)
    line = w["phase2"].format(date=later, wrong=wrong.shown)
    text = f"{b.page_title}\n{w['phase1'].format(date=later, fig=b.right.shown)}\n{line}"
    return b.one(text, wrong, line, f"{_today(ctx)} {w['phase_ctx']}")


def _edit_line(b: Base) -> Draft:
    ctx, w, wrong = b.ctx, b.ctx.w, b.near(0.75, 1.3)
    if ctx.kind in PAGES:
        # A page edited in place: the wrong line stays above its correction.
        first = ctx.state(wrong.shown)
        text = f"{first}\n\n{w['edit_inline'].format(date=ctx.today, fig=b.right.shown)}"
        return b.one(text, wrong, first)
    edit = w["edit_sep"].format(What=_cap(b.what), item=ctx.item, fig=b.right.shown)
    docs = [
        Doc("agent", ctx.state(wrong.shown), role="distractor"),
        Doc("agent", edit, role="right"),
    ]
    return b.two(docs, wrong)


def _sibling(b: Base) -> Draft:
    ctx, wrong = b.ctx, b.near(0.75, 1.35)
    title = f"{ctx.topic.label[ctx.lang][1]} - {ctx.sibling}"
    docs = [
        b.plain_doc(),
        Doc("company", b.page(wrong.shown, ctx.sibling), title, "distractor"),
    ]
    ctx.rng.shuffle(docs)
    return b.two(docs, wrong)


def _recap(b: Base) -> Draft | None:
    ctx, right = b.ctx, b.right
    swapped = _swap(right.core)
    if swapped is None:
        return None
    wrong = Figure(right.shown.replace(right.core, swapped), swapped, right.value)
    docs = [
        Doc("agent", ctx.w["quote"].format(state=ctx.state(right.shown)), role="right"),
        Doc("recap", ctx.w["recap"].format(wrong=wrong.shown, item=ctx.item), role="distractor"),
    ]
    return b.two(docs, wrong)


def _segment(b: Base) -> Draft:
    ctx, w, wrong = b.ctx, b.ctx.w, b.near(0.6, 0.85)
    line = f"{ctx.rng.choice(w['segs'].split('|'))}: {wrong.shown}"
    text = f"{b.page_title}\n{w['seg_std']}: {b.right.shown}\n{line}"
    return b.one(text, wrong, line, w["seg_ctx"])


def _vat(b: Base) -> Draft:
    ctx, w = b.ctx, b.ctx.w
    if ctx.kind == "document_extraction":
        # An invoice: its total is the gross amount, the net one a line above it.
        net, gross, tax = ctx.fig(b.value), ctx.fig(b.value * 1.2), ctx.fig(b.value * 0.2)
        line = f"Net amount: {net.shown}"
        text = f"{line}\nVAT (20%): {tax.shown}\nTotal due: {gross.shown}"
        return b.choice(text, gross, net, line, b.what, {"vat": "gross"})
    rate = VAT_RATE[ctx.lang]
    net, gross = ctx.fig(b.value), ctx.fig(b.value * (1 + rate / 100))
    net_text, gross_text = w["net"].format(fig=net.shown), w["gross"].format(fig=gross.shown)
    text = w["vat"].format(
        What=_cap(b.what), item=ctx.item, net=net_text, gross=gross_text, rate=rate
    )
    if ctx.rng.random() < 0.5:
        return b.choice(text, gross, net, net_text, f"{b.what} {w['incl']}", {"vat": "gross"})
    return b.choice(text, net, gross, gross_text, f"{b.what} {w['excl']}", {"vat": "net"})


def _competitor(b: Base) -> Draft:
    ctx, wrong = b.ctx, b.near(0.75, 0.95)
    head = ctx.topic.label[ctx.lang][1]
    table = (
        f"| | {ctx.domain.brand} | {ctx.domain.competitor} |\n"
        f"| {head} ({ctx.item}) | {b.right.shown} | {wrong.shown} |"
    )
    docs = [b.plain_doc(), Doc("company", table, ctx.w["compare"], "distractor")]
    ctx.rng.shuffle(docs)
    return b.two(docs, wrong)


def _minimum_typical(b: Base) -> Draft:
    ctx, w, low = b.ctx, b.ctx.w, b.near(0.5, 0.75)
    min_line = w["min_line"].format(fig=low.shown)
    typ_line = w["typ_line"].format(fig=b.right.shown)
    text = f"{b.page_title}\n{min_line}\n{typ_line}"
    if ctx.rng.random() < 0.5:
        return b.choice(text, low, b.right, typ_line, f"{b.what} {w['min']}", {"asks": "minimum"})
    return b.choice(text, b.right, low, min_line, f"{b.what} {w['typ']}", {"asks": "typical"})


def _addon_bundle(b: Base) -> Draft:
    ctx, w = b.ctx, b.ctx.w
    bundle = ctx.fig(b.value + draw(ctx.rng, ctx.other.low, ctx.other.high) * 0.9)
    add_line = w["addon_line"].format(fig=b.right.shown)
    bun_line = w["bundle_line"].format(fig=bundle.shown, other=ctx.other.label[ctx.lang][1])
    text = f"{b.page_title}\n{add_line}\n{bun_line}"
    if ctx.rng.random() < 0.5:
        what = f"{b.what} {w['addon']}"
        return b.choice(text, b.right, bundle, bun_line, what, {"asks": "add-on"})
    return b.choice(text, bundle, b.right, add_line, f"{b.what} {w['bundle']}", {"asks": "bundle"})


def _bot_corrected(b: Base) -> Draft:
    ctx, w, wrong = b.ctx, b.ctx.w, b.near(0.6, 0.9)
    said = dict(what=b.what, What=_cap(b.what), item=ctx.item)
    bot = Doc("bot", w["bot"].format(wrong=wrong.shown, **said), role="distractor")
    if ctx.kind == "support_answer":
        # The bot is this conversation's assistant; the help page holds the right figure.
        return b.two([bot, b.plain_doc()], wrong)
    human = w["human"].format(agent=ctx.agent, brand=ctx.domain.brand, fig=b.right.shown, **said)
    return b.two([bot, Doc("agent", human, role="right")], wrong)


def _authority(b: Base) -> Draft:
    ctx, w, wrong = b.ctx, b.ctx.w, b.near(0.75, 0.92)
    said = w["manager"].format(what=b.what, What=_cap(b.what), item=ctx.item, fig=b.right.shown)
    docs = [
        Doc("manager", said, role="right"),
        Doc(
            "colleague", w["colleague"].format(wrong=wrong.shown, item=ctx.item), role="distractor"
        ),
    ]
    return b.two(docs, wrong)


def _cancelled_order(b: Base) -> Draft:
    ctx, w, wrong = b.ctx, b.ctx.w, b.near(0.7, 1.3)
    old, new = (f"PO-{n}" for n in ctx.rng.sample(range(41000, 49999), 2))
    head = ctx.topic.label[ctx.lang][1]
    cancelled = w["cancelled"].format(no=old, date=ctx.date(ctx.month, 1))
    live = w["live"].format(no=new)
    docs = [
        Doc("company", f"{cancelled}\n{head} ({ctx.item}): {wrong.shown}", old, "distractor"),
        Doc("company", f"{live}\n{head} ({ctx.item}): {b.right.shown}", new, "right"),
    ]
    return b.two(docs, wrong, what=f"{b.what} {w['order']}")


PAGES = ("support_answer", "product_description", "metadata_enrichment", "document_extraction")
"""Kinds whose sources are pages (edited in place), not messages in time."""
DRAFTS: dict[str, Callable[[Base], Draft | None]] = {
    "plain": _plain,
    "missing": _missing,
    "strikethrough": _strikethrough,
    "effective_from": _effective_from,
    "revision_table": _revision_table,
    "promo_ended": _promo_ended,
    "later_phase": _later_phase,
    "edit_line": _edit_line,
    "sibling": _sibling,
    "recap": _recap,
    "segment": _segment,
    "vat": _vat,
    "competitor": _competitor,
    "minimum_typical": _minimum_typical,
    "addon_bundle": _addon_bundle,
    "bot_corrected": _bot_corrected,
    "authority": _authority,
    "cancelled_order": _cancelled_order,
}


def draft(ctx: Ctx) -> Draft | None:
    """The documents and labels of one case (None when the draw does not fit: drawn again)."""
    rng = ctx.rng
    value = draw(rng, ctx.topic.low, ctx.topic.high)
    invented = ctx.fig(_near(rng, value, 0.8, 1.25))
    other = ctx.fig(draw(rng, ctx.other.low, ctx.other.high))
    return DRAFTS[ctx.pattern](Base(ctx, value, ctx.fig(value), invented, other))


# --- each kind's input --------------------------------------------------------------------


@dataclass
class Rendered:
    input: dict[str, Any]
    right: list[str]
    """The ids of the sources that hold the needed facts."""
    distractor: str | None = None
    field_name: str | None = None


def _mail(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    first, last = ascii_name.lower().split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@mail.example"


def _customer_mail(ctx: Ctx, d: Draft) -> str:
    """The asker's address: at their company when a colleague of theirs writes too."""
    if any(doc.voice == "colleague" for doc in d.docs):
        return _mail(ctx.customer).replace("mail.example", _company_site(ctx.company))
    return _mail(ctx.customer)


def _at(ctx: Ctx, step: int) -> str:
    return f"{ctx.year}-{ctx.month:02d}-{ctx.day:02d}T{8 + step:02d}:{(step * 17) % 60:02d}:00Z"


def _ask(ctx: Ctx, d: Draft) -> str:
    ask = ctx.rng.choice(ctx.w["ask"].split("|")).format(what=d.what, item=ctx.item)
    return f"{ask} {d.context}".strip()


def render_email(ctx: Ctx, d: Draft) -> Rendered:
    w, site = ctx.w, ctx.domain.site
    first = ctx.customer.split()[0]
    agent_mail = f"{ctx.agent.split()[0].lower()}@{site}"
    thread = [
        {
            "sender": _customer_mail(ctx, d),
            "sent_at": _at(ctx, 0),
            "body": f"{_ask(ctx, d)}\n\n{w['thanks'].format(name=ctx.customer)}",
        }
    ]
    right, distractor = [], None
    for doc in d.docs:
        if doc.voice in ("company", "agent", "manager"):
            text = _titled(doc)
            sender = agent_mail
            body = (
                f"{w['hi'].format(name=first)}\n\n{text}\n\n"
                f"{w['sign'].format(agent=ctx.agent, brand=ctx.domain.brand)}"
            )
        elif doc.voice == "colleague":
            sender = _mail(ctx.colleague).replace("mail.example", _company_site(ctx.company))
            body = f"{doc.text}\n\n{ctx.colleague}"
        elif doc.voice == "bot":
            sender = f"assistant@{site}"
            body = doc.text
        else:
            sender = f"call-recap@{site}"
            body = doc.text
        thread.append({"sender": sender, "sent_at": _at(ctx, len(thread)), "body": body})
        position = f"m{len(thread) - 1}"
        if doc.role == "right":
            right.append(position)
        elif doc.role == "distractor":
            distractor = position
    key = "reply_missing" if d.missing else "reply"
    job = {
        "thread": thread,
        "subject": f"{ctx.topic.label[ctx.lang][1]} - {ctx.item}",
        "question": w[key].format(name=first, what=d.what, item=ctx.item),
        "tone": "friendly",
        "search_documents": False,
    }
    return Rendered(job, right, distractor)


def _titled(doc: Doc) -> str:
    """A page pasted into a message or note, under its title (once)."""
    if not doc.title or doc.text.startswith(doc.title):
        return doc.text
    return f"{doc.title}:\n{doc.text}"


def _company_site(company: str) -> str:
    return "".join(c for c in company.lower() if c.isalnum()) + ".example"


def render_support(ctx: Ctx, d: Draft) -> Rendered:
    prefix = ctx.domain.name.split("_")[0][:6]
    sources: list[dict[str, Any]] = []
    conversation: list[dict[str, str]] = []
    right, distractor = [], None
    for doc in d.docs:
        if doc.voice == "bot":
            conversation += [
                {"role": "user", "content": _ask(ctx, d)},
                {"role": "assistant", "content": doc.text},
                {"role": "user", "content": ctx.w["doubt"]},
            ]
            distractor = "conversation"
            continue
        if doc.voice == "colleague":
            conversation.append(
                {"role": "user", "content": f"{ctx.colleague} ({ctx.company}): {doc.text}"}
            )
            distractor = "conversation"
            continue
        source_id = f"{prefix}-{ctx.rng.randint(100, 999)}-{len(sources) + 1}"
        title = doc.title or {
            "agent": f"{ctx.agent} ({ctx.domain.brand})",
            "manager": ctx.w["manager_title"].format(agent=ctx.agent),
            "recap": ctx.w["recap_title"],
        }.get(doc.voice, ctx.domain.brand)
        sources.append({"id": source_id, "title": title, "text": doc.text})
        if doc.role == "right":
            right.append(source_id)
        elif doc.role == "distractor":
            distractor = source_id
    job = {"question": _ask(ctx, d), "conversation": conversation, "sources": sources}
    return Rendered(job, right, distractor)


def render_account(ctx: Ctx, d: Draft) -> Rendered:
    emails = [
        {
            "id": "e1",
            "sender": _customer_mail(ctx, d),
            "sent_at": _at(ctx, 0),
            "subject": f"{ctx.topic.label['en'][1]} - {ctx.item}",
            "body": _ask(ctx, d),
        }
    ]
    notes: list[dict[str, Any]] = []
    right, distractor = [], None
    for doc in d.docs:
        step = len(emails) + len(notes)
        if doc.voice in ("manager", "agent", "colleague"):
            sender = (
                _mail(ctx.colleague).replace("mail.example", _company_site(ctx.company))
                if doc.voice == "colleague"
                else f"{ctx.agent.split()[0].lower()}@{ctx.domain.site}"
            )
            source_id = f"e{len(emails) + 1}"
            emails.append(
                {"id": source_id, "sender": sender, "sent_at": _at(ctx, step), "body": doc.text}
            )
        else:
            source_id = f"n{len(notes) + 1}"
            author = {"bot": "Chat widget", "recap": "Call recap (auto-generated)"}.get(
                doc.voice, ctx.agent
            )
            text = _titled(doc)
            notes.append(
                {"id": source_id, "author": author, "written_at": _at(ctx, step), "text": text}
            )
        if doc.role == "right":
            right.append(source_id)
        elif doc.role == "distractor":
            distractor = source_id
    job = {
        "account": ctx.company,
        "emails": emails,
        "crm_notes": notes,
        "focus": f"{_cap(d.what)} for {ctx.item}: what has the customer been told?",
        "max_points": 5,
    }
    return Rendered(job, right, distractor)


def render_follow_up(ctx: Ctx, d: Draft) -> Rendered:
    turns = [{"id": "t1", "speaker": ctx.customer, "at": _at(ctx, 0), "text": _ask(ctx, d)}]
    right, distractor = [], None
    for doc in d.docs:
        speaker = {
            "colleague": f"{ctx.colleague} ({ctx.company})",
            "bot": "Booking assistant (bot)",
            "recap": "Call recap (auto-generated)",
        }.get(doc.voice, ctx.agent)
        text = doc.text
        if doc.role == "right":
            text = f"{text}\n{PROMISE[ctx.lang]}"
        turn_id = f"t{len(turns) + 1}"
        turns.append({"id": turn_id, "speaker": speaker, "at": _at(ctx, len(turns)), "text": text})
        if doc.role == "right":
            right.append(turn_id)
        elif doc.role == "distractor":
            distractor = turn_id
    job = {
        "conversation": turns,
        "about": f"{ctx.topic.label['en'][1]} for {ctx.item}",
        "sender": ctx.agent,
        "recipient": ctx.customer,
        "tone": "friendly",
    }
    return Rendered(job, right, distractor)


def render_product(ctx: Ctx, d: Draft) -> Rendered:
    attributes: dict[str, Any] = {"provider": ctx.domain.brand, "bookable_online": True}
    references: list[dict[str, Any]] = []
    right, distractor = [], None
    for doc in d.docs:
        if ctx.pattern == "plain" and ctx.rng.random() < 0.5:
            attributes[ctx.topic.key] = d.extra["shown"]
            right.append("metadata")
            continue
        ref_id = f"sheet-{len(references) + 1}"
        references.append({"id": ref_id, "title": doc.title or ctx.domain.brand, "text": doc.text})
        if doc.role == "right":
            right.append(ref_id)
        elif doc.role == "distractor":
            distractor = ref_id
    job = {
        "product": {
            "name": ctx.item,
            "brand": ctx.domain.brand,
            "category": ctx.domain.name.replace("_", " "),
            "sku": f"{ctx.domain.name[:3].upper()}-{ctx.rng.randint(1000, 9999)}",
            "attributes": attributes,
            "features": ["Bookable online", "Support by phone and e-mail"],
        },
        "locale": "en-GB",
        "metadata_locale": "en",
        "customer_tier": "standard",
        "references": references,
    }
    return Rendered(job, right, distractor)


def _field_name(ctx: Ctx, d: Draft) -> str:
    if ctx.pattern == "vat":
        return f"{ctx.topic.key}_{'incl' if d.extra['vat'] == 'gross' else 'excl'}_vat"
    if ctx.pattern == "minimum_typical":
        return f"{d.extra['asks']}_{ctx.topic.key}"
    return ctx.topic.key


def render_metadata(ctx: Ctx, d: Draft) -> Rendered:
    description = ""
    references: list[dict[str, Any]] = []
    right, distractor = [], None
    for doc in d.docs:
        if doc.role == "right" and not description and ctx.rng.random() < 0.5:
            description = doc.text
            right.append("description")
            continue
        ref_id = f"ref-{len(references) + 1}"
        references.append({"id": ref_id, "title": doc.title or ctx.domain.brand, "text": doc.text})
        if doc.role == "right":
            right.append(ref_id)
        elif doc.role == "distractor":
            distractor = ref_id
    if d.passage is not None:
        distractor = right[0]
    name = _field_name(ctx, d)
    job = {
        "title": f"{ctx.item} - {ctx.domain.brand}",
        "description": description or f"{ctx.item}, offered by {ctx.domain.brand}.",
        "references": references,
        "fields": [name],
    }
    return Rendered(job, right, distractor, name)


def render_document(ctx: Ctx, d: Draft) -> Rendered:
    ref = ctx.rng.randint(10000, 99999)
    if ctx.pattern == "vat":
        text = (
            f"INVOICE\n{ctx.domain.brand}\nInvoice no.: INV-{ref}\nIssue date: {ctx.today}\n"
            f"Due date: {ctx.date(ctx.month, min(ctx.day + 14, 28))}\nBill to: {ctx.company}\n\n"
            f"{ctx.item}\n{d.docs[0].text}"
        )
        job: dict[str, Any] = {"document_type": "invoice", "text": text}
        return Rendered(job, ["document"], "document" if d.passage else None, "total")
    body = d.docs[0].text
    if ctx.pattern == "segment":
        body += f"\nCustomer category: {ctx.w['seg_std']}"
    text = (
        f"{ctx.domain.brand} - order form\nReference: BK-{ref}\nCustomer: {ctx.customer}\n"
        f"Date: {ctx.today}\nItem: {ctx.item}\n\n{body}\n\nSigned: {ctx.customer}"
    )
    name = _field_name(ctx, d)
    job = {"document_type": "form", "text": text, "fields": ["customer", name]}
    return Rendered(job, ["document"], "document" if d.passage else None, name)


RENDER: dict[str, Callable[[Ctx, Draft], Rendered]] = {
    "email_reply": render_email,
    "support_answer": render_support,
    "account_summary": render_account,
    "follow_up_draft": render_follow_up,
    "product_description": render_product,
    "metadata_enrichment": render_metadata,
    "document_extraction": render_document,
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


def render_bio(ctx: Ctx) -> tuple[dict[str, Any], list[str], list[str]]:
    role, achievement, low, high = ctx.domain.bio
    count = ctx.rng.randint(low, high)
    n = f"{count:,}"
    invented = f"{round(count * ctx.rng.choice((1.1, 1.2, 1.3, 0.8))):,}"
    name = ctx.rng.choice(FIRST["en"] + AGENTS["en"])
    profile: dict[str, Any] = {
        "name": name,
        "role": role,
        "organization": ctx.domain.brand,
        "pronouns": PRONOUNS[name],
        "experience": [
            {
                "role": ctx.rng.choice(("Team Lead", "Coordinator", "Operations Assistant")),
                "organization": ctx.rng.choice(COMPANIES),
                "start_year": ctx.year - 12,
                "end_year": ctx.year - 6,
            }
        ],
        "skills": ["customer care", "scheduling", "team leadership"],
        "achievements": [achievement.format(n=n)],
    }
    banned = [invented]
    if ctx.pattern == "later_phase":
        # The next phase is a plan: a bio that adds it to what was done states a total
        # the profile never gives.
        more = ctx.rng.randint(low, high) // 2
        profile["achievements"].append(f"Next phase (planned for {ctx.year + 1}): {more:,} more")
        banned.append(f"{count + more:,}")
    job = {"profile": profile, "tone": "professional", "length": "medium"}
    return job, [n], banned


# --- cases --------------------------------------------------------------------------------


def _context(rng: random.Random, kind: str, pattern: str, lang: str) -> Ctx:
    domains = [d for d in DOMAINS if d.phases or pattern not in PHASED]
    domain = rng.choice(domains)
    topic, other = rng.sample(domain.topics, 2)
    customer, colleague = rng.sample(FIRST[lang], 2)
    return Ctx(
        rng=rng,
        kind=kind,
        pattern=pattern,
        lang=lang,
        domain=domain,
        topic=topic,
        other=other,
        item=domain.items[0] if rng.random() < 0.6 else domain.items[1],
        sibling="",
        agent=rng.choice(AGENTS[lang]),
        customer=customer,
        colleague=colleague,
        company=rng.choice(COMPANIES),
        year=2026,
        month=rng.randint(5, 11),
        day=rng.randint(2, 27),
    )


def _case(rng: random.Random, kind: str, n: int, pattern: str, lang: str) -> dict[str, Any]:
    for _ in range(200):
        ctx = _context(rng, kind, pattern, lang)
        ctx.sibling = next(i for i in ctx.domain.items if i != ctx.item)
        case: dict[str, Any] = {
            "id": f"hof-{kind}-{n:03d}-{pattern}",
            "kind": kind,
            "pattern": pattern,
            "domain": ctx.domain.name,
            "lang": lang,
        }
        if kind == "bio":
            job, needed, invented = render_bio(ctx)
            case |= {"input": job, "expect_outcome": "written", "must_contain": needed}
            case |= _banned(invented, [], None, None)
        else:
            d = draft(ctx)
            if d is None:
                continue
            r = RENDER[kind](ctx, d)
            escalates = d.missing and kind == "support_answer"
            case["input"] = r.input
            case["expect_outcome"] = "escalated" if escalates else OUTCOME[kind]
            if escalates:
                case["expect_review"] = True
            if r.right and kind not in ("document_extraction",):
                case["must_cite"] = (
                    {r.field_name: r.right[0]} if kind == "metadata_enrichment" else r.right
                )
            case["must_contain"] = d.needed
            distractor = r.distractor if d.wrong else None
            if d.passage is not None and d.wrong:
                # The wrong figure sits inside a right source: the passage names it.
                distractor = r.right[0]
            case |= _banned(d.invented, d.wrong, distractor, d.passage if d.wrong else None)
        if not mislabelled(case):
            return case
    raise AssertionError(f"no well-labelled {kind} {pattern} case in 200 draws")


def _banned(
    invented: list[str], wrong: list[str], distractor: str | None, passage: str | None
) -> dict[str, Any]:
    banned = {fact: "invented" for fact in invented} | {fact: "distractor" for fact in wrong}
    labels: dict[str, Any] = {"must_not_contain": list(banned), "banned": banned}
    if distractor is not None:
        labels["distractor"] = distractor
    if passage is not None:
        labels["distractor_passage"] = passage
    return labels


def grounded_f_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    turn: Counter[str] = Counter()
    for kind, count in COUNTS.items():
        traps = PLANS[kind]
        plain = PLAIN[kind]
        patterns = ["plain"] * plain + [traps[i % len(traps)] for i in range(count - plain)]
        for n, pattern in enumerate(patterns):
            lang = "en"
            if kind in ("email_reply", "support_answer"):
                lang = LANG_CYCLE[turn[pattern] % len(LANG_CYCLE)]
                turn[pattern] += 1
            cases.append(_case(rng, kind, n, pattern, lang))
    return cases


# --- labels checked against the input ------------------------------------------------------


def _right_ids(case: dict[str, Any], material: dict[str, str]) -> list[str]:
    cite = case.get("must_cite")
    if isinstance(cite, dict):
        return list(cite.values())
    if cite:
        return list(cite)
    return list(material) if len(material) == 1 else []


def mislabelled(case: dict[str, Any]) -> list[str]:
    """What is wrong with a case's labels, checked against its input (none: []): every
    needed fact is in a right source; a distractor source is not a right one; a banned
    distractor fact occurs in the distractor (or its passage) and nowhere else in the
    input; an invented fact nowhere in it; no banned fact inside a needed one."""
    problems = []
    fold = str.casefold
    material = grounding.material(case["kind"], case["input"]) or {}
    whole = fold(grounding.plain_text(case["input"]))
    right = _right_ids(case, material)
    for needed in case.get("must_contain", []):
        if not any(fold(needed) in fold(material.get(r, "")) for r in right):
            problems.append(f"needed {needed!r} is in no right source")
    distractor = case.get("distractor")
    passage = case.get("distractor_passage")
    if distractor is not None:
        if distractor not in material:
            problems.append(f"distractor source {distractor!r} is not given")
        elif distractor in right and passage is None:
            problems.append(f"distractor source {distractor!r} is a right source")
        if passage is not None and passage not in material.get(distractor, ""):
            problems.append("the distractor passage is not in the distractor source")
    for fact, origin in case.get("banned", {}).items():
        if any(
            fold(fact) in fold(n) or fold(n) in fold(fact) for n in case.get("must_contain", [])
        ):
            problems.append(f"banned {fact!r} is inside a needed fact")
        if origin == "invented":
            if fold(fact) in whole:
                problems.append(f"banned {fact!r} is not invented")
        elif origin == "distractor":
            where = passage if passage is not None else material.get(distractor or "", "")
            rest = whole.replace(fold(where), "\0") if where else whole
            if not where or fold(fact) not in fold(where) or fold(fact) in rest:
                problems.append(f"banned {fact!r} is not only in the distractor")
        else:
            problems.append(f"banned {fact!r} has an unknown origin {origin!r}")
    if set(case.get("must_not_contain", [])) != set(case.get("banned", {})):
        problems.append("must_not_contain and banned name different facts")
    return problems


def render(cases: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in cases)
