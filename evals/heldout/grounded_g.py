"""The seventh held-out grounded set (``heldout/grounded_g.jsonl``), written blind.

Written without reading the six earlier grounded sets' generators or files, the offline
provider, the prompts, the guards or the kinds' rules, to be run once, at the end, by
someone who did not write it. Each case asks for one figure of one domain (a garage's
diagnostic fee, a venue's hire fee, a broadband installation fee, ...) and states what a
correct answer gives (``must_contain``, ``must_cite``) and what it never gives
(``must_not_contain``, labelled in ``banned``: ``invented``, found nowhere in the input,
or ``distractor``, found only in the source ``distractor`` names or, where the wrong
figure sits inside a right source, only in its ``distractor_passage``).

About 40 % of the cases are plain (one relevant source); about 30 % carry a trap of a
family the earlier sets used, in new forms (:data:`OLD_FAMILIES`); about 30 % one of a
new family (:data:`NEW_FAMILIES`). A wrong figure never shares a sentence or a line with
the right one, so an answer that quotes the line it relies on is never counted wrong.
Figures are drawn per case and written the case's language's way (``£1,240.50``,
``1 240,50 €``, ``1.240,50 €``); labels hold the number as the source writes it, without
the currency sign, so an answer that moves the sign still counts. :func:`mislabelled`
checks every label against the input and the generator draws a case again until they
hold.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evals import grounding

SEED = 20261207
LANGS = ("en", "fr", "de", "es")
NON_EN = ("fr", "de", "es")

OLD_FAMILIES = ("changelog", "correction", "sibling", "other_customer", "missing", "namesake")
"""Families the earlier sets used, in new forms: a price history table, a sender's own
typing-slip correction, the sibling plan's price list, another customer's note, the
answering source missing, and a bio's earlier employer named like the current one."""
NEW_FAMILIES = (
    "currency",
    "weekend",
    "threshold",
    "legacy",
    "estimate_final",
    "negotiation",
    "target",
)
"""New families: another country's store in another currency, the weekday rate beside
the weekend one asked for, a price valid only from a quantity the customer does not
reach, a grandfathered rate for long-standing customers, the estimate beside the final
invoice, the customer's own proposal beside the figure agreed, and a bio's target beside
what was achieved."""
PATTERNS = ("plain", *OLD_FAMILIES, *NEW_FAMILIES)

PLANS: dict[str, dict[str, int]] = {
    "email_reply": {
        "plain": 32,
        "changelog": 5,
        "correction": 5,
        "sibling": 5,
        "other_customer": 5,
        "missing": 4,
        "currency": 4,
        "weekend": 4,
        "threshold": 4,
        "legacy": 4,
        "estimate_final": 4,
        "negotiation": 4,
    },
    "support_answer": {
        "plain": 32,
        "changelog": 6,
        "sibling": 6,
        "other_customer": 6,
        "missing": 6,
        "currency": 5,
        "weekend": 5,
        "threshold": 5,
        "legacy": 5,
        "estimate_final": 4,
    },
    "account_summary": {
        "plain": 8,
        "correction": 4,
        "other_customer": 3,
        "negotiation": 4,
        "estimate_final": 3,
    },
    "follow_up_draft": {"plain": 8, "correction": 4, "sibling": 3, "negotiation": 4, "legacy": 3},
    "product_description": {
        "plain": 8,
        "sibling": 4,
        "changelog": 3,
        "currency": 4,
        "legacy": 3,
    },
    "metadata_enrichment": {
        "plain": 8,
        "sibling": 4,
        "changelog": 3,
        "currency": 4,
        "legacy": 3,
    },
    "document_extraction": {
        "plain": 8,
        "changelog": 4,
        "correction": 3,
        "estimate_final": 4,
        "threshold": 3,
    },
    "bio": {"plain": 8, "namesake": 7, "target": 7},
}
"""Per kind, how many cases of each pattern."""
COUNTS = Counter({kind: sum(plan.values()) for kind, plan in PLANS.items()})

NEEDS_TAG = {
    "weekend": "T",
    "threshold": "B",
    "legacy": "S",
    "estimate_final": "J",
    "negotiation": "N",
    "currency": "C",
}
"""A family that fits only some figures: a weekend rate needs a booking (T), a quantity
price something bought in numbers (B), a grandfathered rate a subscription (S), an
estimate a job (J), a negotiation a price worth haggling over (N), another country's
store something sold abroad (C)."""


@dataclass(frozen=True)
class Topic:
    field: str
    tags: str
    low: int
    high: int
    names: dict[str, tuple[str, ...]]
    """Per language: the bare label, then the label with its article (German: the
    nominative, then the accusative)."""
    unit: dict[str, str] | None = None


@dataclass(frozen=True)
class Domain:
    name: str
    company: str
    slug: str
    pound: bool
    """English cases are in pounds (a UK company), else in euros."""
    plans: tuple[str, str]
    topics: tuple[Topic, ...]


def _t(
    field: str,
    tags: str,
    low: int,
    high: int,
    en: tuple[str, str],
    fr: tuple[str, str],
    de: tuple[str, str, str],
    es: tuple[str, str],
    unit: dict[str, str] | None = None,
) -> Topic:
    return Topic(field, tags, low, high, {"en": en, "fr": fr, "de": de, "es": es}, unit)


DOMAINS = (
    Domain(
        "car_repair",
        "Halden Motor Works",
        "haldenmotors",
        True,
        ("CarePlus service", "CareBasic service"),
        (
            _t(
                "diagnostic_fee",
                "TJ",
                45,
                120,
                ("diagnostic check fee", "the diagnostic check fee"),
                ("frais de diagnostic", "les frais de diagnostic"),
                ("Diagnosegebühr", "die Diagnosegebühr", "die Diagnosegebühr"),
                ("tarifa de diagnóstico", "la tarifa de diagnóstico"),
            ),
            _t(
                "timing_belt_price",
                "JN",
                280,
                690,
                ("timing belt replacement price", "the timing belt replacement price"),
                (
                    "prix du remplacement de la courroie",
                    "le prix du remplacement de la courroie",
                ),
                (
                    "Preis für den Zahnriemenwechsel",
                    "der Preis für den Zahnriemenwechsel",
                    "den Preis für den Zahnriemenwechsel",
                ),
                ("precio del cambio de correa", "el precio del cambio de correa"),
            ),
        ),
    ),
    Domain(
        "home_insurance",
        "Brightwell Home Insurance",
        "brightwell",
        True,
        ("HomeShield Complete", "HomeShield Essential"),
        (
            _t(
                "water_damage_excess",
                "S",
                150,
                600,
                ("escape-of-water excess", "the escape-of-water excess"),
                ("franchise dégât des eaux", "la franchise dégât des eaux"),
                (
                    "Selbstbeteiligung bei Leitungswasserschäden",
                    "die Selbstbeteiligung bei Leitungswasserschäden",
                    "die Selbstbeteiligung bei Leitungswasserschäden",
                ),
                ("franquicia por daños por agua", "la franquicia por daños por agua"),
            ),
            _t(
                "accidental_damage_excess",
                "S",
                75,
                350,
                ("accidental damage excess", "the accidental damage excess"),
                ("franchise bris accidentel", "la franchise bris accidentel"),
                (
                    "Selbstbeteiligung bei Unfallschäden",
                    "die Selbstbeteiligung bei Unfallschäden",
                    "die Selbstbeteiligung bei Unfallschäden",
                ),
                ("franquicia por daños accidentales", "la franquicia por daños accidentales"),
            ),
        ),
    ),
    Domain(
        "university_fees",
        "Northbridge University",
        "northbridge",
        True,
        ("MSc Data Science", "MSc Business Analytics"),
        (
            _t(
                "annual_tuition_fee",
                "S",
                4200,
                14800,
                ("annual tuition fee", "the annual tuition fee"),
                ("frais de scolarité annuels", "les frais de scolarité annuels"),
                (
                    "jährliche Studiengebühr",
                    "die jährliche Studiengebühr",
                    "die jährliche Studiengebühr",
                ),
                ("matrícula anual", "la matrícula anual"),
            ),
            _t(
                "guest_ticket_price",
                "B",
                18,
                45,
                ("graduation guest ticket price", "the graduation guest ticket price"),
                (
                    "prix du billet invité pour la cérémonie",
                    "le prix du billet invité pour la cérémonie",
                ),
                (
                    "Preis für eine Gastkarte zur Abschlussfeier",
                    "der Preis für eine Gastkarte zur Abschlussfeier",
                    "den Preis für eine Gastkarte zur Abschlussfeier",
                ),
                (
                    "precio de la entrada de invitado a la graduación",
                    "el precio de la entrada de invitado a la graduación",
                ),
                {"en": "tickets", "fr": "billets", "de": "Karten", "es": "entradas"},
            ),
        ),
    ),
    Domain(
        "wedding_venue",
        "Ashcombe Manor",
        "ashcombemanor",
        True,
        ("Orangery", "Great Barn"),
        (
            _t(
                "venue_hire_fee",
                "TN",
                2500,
                9000,
                ("venue hire fee", "the venue hire fee"),
                ("prix de location du lieu", "le prix de location du lieu"),
                ("Saalmiete", "die Saalmiete", "die Saalmiete"),
                ("alquiler del espacio", "el alquiler del espacio"),
            ),
            _t(
                "catering_per_guest",
                "BN",
                28,
                95,
                ("evening buffet price per guest", "the evening buffet price per guest"),
                ("prix du buffet du soir par invité", "le prix du buffet du soir par invité"),
                (
                    "Preis für das Abendbuffet pro Gast",
                    "der Preis für das Abendbuffet pro Gast",
                    "den Preis für das Abendbuffet pro Gast",
                ),
                (
                    "precio del bufé de noche por invitado",
                    "el precio del bufé de noche por invitado",
                ),
                {"en": "guests", "fr": "invités", "de": "Gäste", "es": "invitados"},
            ),
        ),
    ),
    Domain(
        "vet_pharmacy",
        "PawRx Pharmacy",
        "pawrx",
        False,
        ("Medium Dog pack", "Large Dog pack"),
        (
            _t(
                "flea_treatment_price",
                "BSC",
                14,
                48,
                (
                    "monthly flea and tick treatment price",
                    "the monthly flea and tick treatment price",
                ),
                ("prix du traitement antipuces mensuel", "le prix du traitement antipuces mensuel"),
                (
                    "Preis für die monatliche Flohbehandlung",
                    "der Preis für die monatliche Flohbehandlung",
                    "den Preis für die monatliche Flohbehandlung",
                ),
                (
                    "precio del tratamiento antipulgas mensual",
                    "el precio del tratamiento antipulgas mensual",
                ),
                {"en": "packs", "fr": "boîtes", "de": "Packungen", "es": "cajas"},
            ),
            _t(
                "prescription_fee",
                "SC",
                8,
                29,
                ("repeat prescription fee", "the repeat prescription fee"),
                ("frais d'ordonnance renouvelée", "les frais d'ordonnance renouvelée"),
                (
                    "Gebühr für Folgerezepte",
                    "die Gebühr für Folgerezepte",
                    "die Gebühr für Folgerezepte",
                ),
                ("tarifa de receta renovada", "la tarifa de receta renovada"),
            ),
        ),
    ),
    Domain(
        "co_living",
        "Hivehaus Co-Living",
        "hivehaus",
        False,
        ("Riverside house", "Parkside house"),
        (
            _t(
                "monthly_rent",
                "SN",
                650,
                1450,
                ("monthly rent for a private room", "the monthly rent for a private room"),
                ("loyer mensuel d'une chambre privée", "le loyer mensuel d'une chambre privée"),
                (
                    "Monatsmiete für ein Privatzimmer",
                    "die Monatsmiete für ein Privatzimmer",
                    "die Monatsmiete für ein Privatzimmer",
                ),
                (
                    "alquiler mensual de una habitación privada",
                    "el alquiler mensual de una habitación privada",
                ),
            ),
            _t(
                "security_deposit",
                "N",
                500,
                2100,
                ("security deposit", "the security deposit"),
                ("dépôt de garantie", "le dépôt de garantie"),
                ("Kaution", "die Kaution", "die Kaution"),
                ("fianza", "la fianza"),
            ),
        ),
    ),
    Domain(
        "it_managed_services",
        "Corvid IT Services",
        "corvidit",
        True,
        ("Managed Pro", "Managed Essentials"),
        (
            _t(
                "per_user_monthly_fee",
                "BSNC",
                18,
                72,
                ("monthly fee per user", "the monthly fee per user"),
                ("forfait mensuel par utilisateur", "le forfait mensuel par utilisateur"),
                (
                    "monatliche Gebühr pro Nutzer",
                    "die monatliche Gebühr pro Nutzer",
                    "die monatliche Gebühr pro Nutzer",
                ),
                ("cuota mensual por usuario", "la cuota mensual por usuario"),
                {"en": "users", "fr": "utilisateurs", "de": "Nutzer", "es": "usuarios"},
            ),
            _t(
                "out_of_hours_charge",
                "TJ",
                90,
                260,
                ("out-of-hours call-out charge", "the out-of-hours call-out charge"),
                (
                    "forfait d'intervention hors heures ouvrées",
                    "le forfait d'intervention hors heures ouvrées",
                ),
                (
                    "Einsatzpauschale außerhalb der Geschäftszeiten",
                    "die Einsatzpauschale außerhalb der Geschäftszeiten",
                    "die Einsatzpauschale außerhalb der Geschäftszeiten",
                ),
                (
                    "tarifa de intervención fuera de horario",
                    "la tarifa de intervención fuera de horario",
                ),
            ),
        ),
    ),
    Domain(
        "season_tickets",
        "Metrolink Regional",
        "metrolinkregional",
        False,
        ("Zones 1-3", "Zones 1-4"),
        (
            _t(
                "annual_ticket_price",
                "SB",
                640,
                2400,
                ("annual season ticket price", "the annual season ticket price"),
                ("prix de l'abonnement annuel", "le prix de l'abonnement annuel"),
                ("Preis des Jahresabos", "der Preis des Jahresabos", "den Preis des Jahresabos"),
                ("precio del abono anual", "el precio del abono anual"),
                {"en": "tickets", "fr": "abonnements", "de": "Abos", "es": "abonos"},
            ),
            _t(
                "replacement_card_fee",
                "",
                5,
                25,
                ("replacement card fee", "the replacement card fee"),
                ("frais de remplacement de la carte", "les frais de remplacement de la carte"),
                (
                    "Gebühr für eine Ersatzkarte",
                    "die Gebühr für eine Ersatzkarte",
                    "die Gebühr für eine Ersatzkarte",
                ),
                ("tarifa por tarjeta de sustitución", "la tarifa por tarjeta de sustitución"),
            ),
        ),
    ),
    Domain(
        "kitchen_installation",
        "Oakline Kitchens",
        "oaklinekitchens",
        True,
        ("Shaker range", "Linea range"),
        (
            _t(
                "installation_price",
                "JNT",
                900,
                3800,
                ("installation price", "the installation price"),
                ("prix de la pose", "le prix de la pose"),
                ("Montagepreis", "der Montagepreis", "den Montagepreis"),
                ("precio de instalación", "el precio de instalación"),
            ),
            _t(
                "templating_fee",
                "JC",
                80,
                260,
                ("worktop templating fee", "the worktop templating fee"),
                ("frais de gabarit du plan de travail", "les frais de gabarit du plan de travail"),
                (
                    "Aufmaßgebühr für die Arbeitsplatte",
                    "die Aufmaßgebühr für die Arbeitsplatte",
                    "die Aufmaßgebühr für die Arbeitsplatte",
                ),
                ("tarifa de plantilla de la encimera", "la tarifa de plantilla de la encimera"),
            ),
        ),
    ),
    Domain(
        "photo_studio",
        "Lumen Studio",
        "lumenstudio",
        False,
        ("Studio A", "Studio B"),
        (
            _t(
                "half_day_hire",
                "TNB",
                180,
                520,
                ("half-day studio hire", "the half-day studio hire"),
                ("location du studio à la demi-journée", "la location du studio à la demi-journée"),
                (
                    "Studiomiete für einen halben Tag",
                    "die Studiomiete für einen halben Tag",
                    "die Studiomiete für einen halben Tag",
                ),
                (
                    "alquiler del estudio por media jornada",
                    "el alquiler del estudio por media jornada",
                ),
                {
                    "en": "half days",
                    "fr": "demi-journées",
                    "de": "halbe Tage",
                    "es": "medias jornadas",
                },
            ),
            _t(
                "lighting_kit_rental",
                "TC",
                35,
                140,
                ("lighting kit rental", "the lighting kit rental"),
                ("location du kit d'éclairage", "la location du kit d'éclairage"),
                (
                    "Miete für das Lichtset",
                    "die Miete für das Lichtset",
                    "die Miete für das Lichtset",
                ),
                ("alquiler del kit de iluminación", "el alquiler del kit de iluminación"),
            ),
        ),
    ),
    Domain(
        "tax_adviser",
        "Fairweather Tax Advisers",
        "fairweathertax",
        True,
        ("Landlord package", "Sole Trader package"),
        (
            _t(
                "tax_return_fee",
                "JNS",
                180,
                650,
                ("tax return fee", "the tax return fee"),
                (
                    "honoraires de déclaration de revenus",
                    "les honoraires de déclaration de revenus",
                ),
                (
                    "Honorar für die Steuererklärung",
                    "das Honorar für die Steuererklärung",
                    "das Honorar für die Steuererklärung",
                ),
                (
                    "tarifa por la declaración de la renta",
                    "la tarifa por la declaración de la renta",
                ),
            ),
            _t(
                "enquiry_hourly_rate",
                "J",
                90,
                240,
                (
                    "hourly rate for tax office enquiries",
                    "the hourly rate for tax office enquiries",
                ),
                (
                    "taux horaire en cas de contrôle fiscal",
                    "le taux horaire en cas de contrôle fiscal",
                ),
                (
                    "Stundensatz bei Rückfragen des Finanzamts",
                    "der Stundensatz bei Rückfragen des Finanzamts",
                    "den Stundensatz bei Rückfragen des Finanzamts",
                ),
                (
                    "tarifa por hora en inspecciones de Hacienda",
                    "la tarifa por hora en inspecciones de Hacienda",
                ),
            ),
        ),
    ),
    Domain(
        "broadband_installation",
        "Fibrewave Broadband",
        "fibrewave",
        True,
        ("Fibre 900", "Fibre 500"),
        (
            _t(
                "installation_fee",
                "TC",
                29,
                149,
                ("installation fee", "the installation fee"),
                ("frais d'installation", "les frais d'installation"),
                ("Installationsgebühr", "die Installationsgebühr", "die Installationsgebühr"),
                ("cuota de instalación", "la cuota de instalación"),
            ),
            _t(
                "early_termination_fee",
                "S",
                60,
                240,
                ("early termination fee", "the early termination fee"),
                ("frais de résiliation anticipée", "les frais de résiliation anticipée"),
                (
                    "Gebühr bei vorzeitiger Kündigung",
                    "die Gebühr bei vorzeitiger Kündigung",
                    "die Gebühr bei vorzeitiger Kündigung",
                ),
                ("penalización por baja anticipada", "la penalización por baja anticipada"),
            ),
        ),
    ),
)

PEOPLE = {
    "en": (
        "Olivia Grant",
        "Daniel Reyes",
        "Priya Nair",
        "Tom Whitfield",
        "Grace Okoye",
        "Liam Doherty",
        "Hannah Price",
        "Marcus Bell",
    ),
    "fr": ("Camille Laurent", "Julien Moreau", "Inès Bernard", "Hugo Lefèvre", "Claire Dubois"),
    "de": ("Lena Hoffmann", "Jonas Weber", "Miriam Schulz", "Felix Braun", "Katrin Vogel"),
    "es": ("Lucía Romero", "Javier Ortega", "Carmen Vidal", "Pablo Serrano", "Elena Navarro"),
}
MONTHS = {
    "en": ("March", "May", "July", "September"),
    "fr": ("mars", "mai", "juillet", "septembre"),
    "de": ("März", "Mai", "Juli", "September"),
    "es": ("marzo", "mayo", "julio", "septiembre"),
}
COUNTRIES = {
    # (the customer's country, another country's store, that store's currency)
    "en": ("the UK", "Ireland", "EUR"),
    "fr": ("France", "Suisse", "CHF"),
    "de": ("Deutschland", "der Schweiz", "CHF"),
    "es": ("España", "Suiza", "CHF"),
}
PROMISE = {
    "en": "I will send you",
    "fr": "Je vous enverrai",
    "de": "Ich schicke Ihnen",
    "es": "Le enviaré",
}
"""How a sender's commitment starts, per language: a follow-up's cited turn has it."""

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "line": "{Topic} ({plan}): {amount}.",
        "msg": "{The_topic} for {plan} is {amount}.",
        "ask": "What is {the_topic} for {plan}?",
        "hello": "Hello {name},",
        "bye": "Kind regards,\n{agent}\n{company}",
        "enquiry": "Hello, we are looking at {plan} and would like to know your prices.",
        "confirm": "Thanks. One more thing before we go ahead: {ask}",
        "prices": "Here are our current prices.",
        "history": "Price history",
        "history_line": "{date}: {amount}",
        "history_head": "{Topic} ({plan}), from the date shown:",
        "correction": "Sorry, a typing slip in my previous email: {the_topic} for {plan} is "
        "{amount}.",
        "note": "Account {acc} ({who}): agreed {topic} for {plan}: {amount}.",
        "fwd": "Forwarding the note from the account file:",
        "ask_mine": "This is {who}, account {acc}. What {topic} did you agree for our {plan}?",
        "store": "Prices for customers in {country} ({cur}).",
        "ask_country": "I live in {country}. {ask}",
        "weekday": "Monday to Friday: {amount}.",
        "weekend": "Saturday and Sunday: {amount}.",
        "week_head": "{Topic} ({plan}):",
        "ask_weekend": "We would like to book a Saturday. {ask}",
        "bulk": "From {n} {unit} in one order: {amount} each.",
        "qty": "We only need {quantity}.",
        "legacy": "Customers who signed up before 1 January 2020 keep the rate they had: {amount}.",
        "ask_legacy": "I signed up in {month} 2025. {ask}",
        "estimate": "Estimate {ref}: {topic} for {plan}, estimated at {amount}. The final "
        "amount follows once the work is done.",
        "invoice": "Invoice {ref}: {topic} for {plan}, final amount {amount}.",
        "ask_final": "What is the final amount for {the_topic} for {plan}?",
        "propose": "Could you do {amount} for {the_topic} for {plan}? That would fit our budget.",
        "agree": "We cannot go quite that low, but we can agree {amount} for {the_topic} "
        "for {plan}.",
        "ask_agreed": "What did we agree for {the_topic} for {plan}?",
        "promise": "I will send you the written confirmation of {amount} for {the_topic} by "
        "Friday.",
        "reply_q": "Answer the customer's last message.",
        "focus": "{The_topic} for {plan}",
        "about": "{The_topic} for {plan}",
        "claim_sibling": "I saw {amount} on your website, is that right?",
        "answer_sibling": "That figure is for {other}. For {plan} it is {amount}.",
        "claim_legacy": "My neighbour pays {amount}, can I have that too?",
        "answer_legacy": "That rate is kept only for customers from before 2020. Yours is "
        "{amount}.",
        "ok": "Fine, please put that in writing.",
        "form_ref": "Customer reference: {ref}",
        "form_head": "{company} - order form",
        "erratum": "Correction to section 2: the amount should read {amount}.",
        "section": "Section 2 - {topic}: {amount}.",
        "ordered": "Quantity ordered: {q}",
    },
    "fr": {
        "line": "{Topic} ({plan}) : {amount}.",
        "msg": "Pour {plan}, voici {the_topic} : {amount}.",
        "ask": "Pouvez-vous m'indiquer {the_topic} pour {plan} ?",
        "hello": "Bonjour {name},",
        "bye": "Cordialement,\n{agent}\n{company}",
        "enquiry": "Bonjour, nous nous intéressons à {plan} et aimerions connaître vos tarifs.",
        "confirm": "Merci. Une dernière question avant de confirmer : {ask}",
        "prices": "Voici nos tarifs actuels.",
        "history": "Historique des tarifs",
        "history_line": "{date} : {amount}",
        "history_head": "{Topic} ({plan}), à partir de la date indiquée :",
        "correction": "Pardon, une faute de frappe dans mon précédent e-mail : pour {plan}, "
        "voici {the_topic} : {amount}.",
        "note": "Compte {acc} ({who}) : {topic} convenu pour {plan} : {amount}.",
        "fwd": "Je transfère la note du dossier client :",
        "ask_mine": "Ici {who}, compte {acc}. Quel montant avez-vous convenu pour {plan} ?",
        "store": "Tarifs pour les clients en {country} ({cur}).",
        "ask_country": "J'habite en {country}. {ask}",
        "weekday": "Du lundi au vendredi : {amount}.",
        "weekend": "Samedi et dimanche : {amount}.",
        "week_head": "{Topic} ({plan}) :",
        "ask_weekend": "Nous voudrions réserver un samedi. {ask}",
        "bulk": "À partir de {n} {unit} par commande : {amount} l'unité.",
        "qty": "Il nous faut seulement {quantity}.",
        "legacy": "Les clients inscrits avant le 1er janvier 2020 conservent leur tarif : "
        "{amount}.",
        "ask_legacy": "Je suis client depuis {month} 2025. {ask}",
        "estimate": "Devis {ref} : {topic} pour {plan}, estimé à {amount}. Le montant définitif "
        "suivra une fois les travaux terminés.",
        "invoice": "Facture {ref} : {topic} pour {plan}, montant définitif {amount}.",
        "ask_final": "Quel est le montant définitif pour {plan} ?",
        "propose": "Pourriez-vous faire {amount} pour {plan} ? Cela entrerait dans notre budget.",
        "agree": "Nous ne pouvons pas descendre aussi bas, mais nous pouvons convenir de "
        "{amount} pour {plan}.",
        "ask_agreed": "Quel montant avons-nous convenu pour {plan} ?",
        "promise": "Je vous enverrai la confirmation écrite de {amount} pour {plan} d'ici "
        "vendredi.",
        "reply_q": "Répondez au dernier message du client.",
        "focus": "{Topic} pour {plan}",
        "about": "{Topic} pour {plan}",
        "claim_sibling": "J'ai vu {amount} sur votre site, est-ce exact ?",
        "answer_sibling": "Ce montant concerne {other}. Pour {plan}, c'est {amount}.",
        "claim_legacy": "Mon voisin paie {amount}, puis-je avoir ce tarif ?",
        "answer_legacy": "Ce tarif est réservé aux clients d'avant 2020. Le vôtre est de {amount}.",
        "ok": "D'accord, merci de me le confirmer par écrit.",
        "form_ref": "Référence client : {ref}",
        "form_head": "{company} - bon de commande",
        "erratum": "Rectificatif à la section 2 : lire {amount}.",
        "section": "Section 2 - {topic} : {amount}.",
        "ordered": "Quantité commandée : {q}",
    },
    "de": {
        "line": "{Topic} ({plan}): {amount}.",
        "msg": "Für {plan} beträgt {the_topic} {amount}.",
        "ask": "Können Sie mir {the_topic_acc} für {plan} nennen?",
        "hello": "Guten Tag {name},",
        "bye": "Mit freundlichen Grüßen\n{agent}\n{company}",
        "enquiry": "Guten Tag, wir interessieren uns für {plan} und hätten gern Ihre Preise.",
        "confirm": "Danke. Eine Frage noch, bevor wir zusagen: {ask}",
        "prices": "Anbei unsere aktuellen Preise.",
        "history": "Preisverlauf",
        "history_line": "{date}: {amount}",
        "history_head": "{Topic} ({plan}), ab dem genannten Datum:",
        "correction": "Entschuldigung, in meiner letzten E-Mail war ein Tippfehler: Für {plan} "
        "beträgt {the_topic} {amount}.",
        "note": "Konto {acc} ({who}): vereinbart für {plan}: {topic} {amount}.",
        "fwd": "Ich leite die Notiz aus der Kundenakte weiter:",
        "ask_mine": "Hier {who}, Konto {acc}. Was haben Sie für {plan} mit uns vereinbart?",
        "store": "Preise für Kunden in {country} ({cur}).",
        "ask_country": "Ich wohne in {country}. {ask}",
        "weekday": "Montag bis Freitag: {amount}.",
        "weekend": "Samstag und Sonntag: {amount}.",
        "week_head": "{Topic} ({plan}):",
        "ask_weekend": "Wir möchten an einem Samstag buchen. {ask}",
        "bulk": "Ab {n} {unit} pro Bestellung: {amount} je Stück.",
        "qty": "Wir brauchen nur {quantity}.",
        "legacy": "Kunden, die sich vor dem 1. Januar 2020 angemeldet haben, behalten ihren "
        "Tarif: {amount}.",
        "ask_legacy": "Ich bin seit {month} 2025 Kunde. {ask}",
        "estimate": "Kostenvoranschlag {ref}: {topic} für {plan}, geschätzt {amount}. Der "
        "Endbetrag folgt nach Abschluss der Arbeiten.",
        "invoice": "Rechnung {ref}: {topic} für {plan}, Endbetrag {amount}.",
        "ask_final": "Wie hoch ist der Endbetrag für {plan}?",
        "propose": "Könnten Sie uns für {plan} {amount} anbieten? Das würde in unser Budget "
        "passen.",
        "agree": "So weit können wir nicht heruntergehen, aber wir können uns für {plan} auf "
        "{amount} einigen.",
        "ask_agreed": "Worauf haben wir uns für {plan} geeinigt?",
        "promise": "Ich schicke Ihnen bis Freitag die schriftliche Bestätigung über {amount} "
        "für {plan}.",
        "reply_q": "Beantworten Sie die letzte Nachricht des Kunden.",
        "focus": "{Topic} für {plan}",
        "about": "{Topic} für {plan}",
        "claim_sibling": "Ich habe auf Ihrer Website {amount} gesehen, stimmt das?",
        "answer_sibling": "Dieser Betrag gilt für {other}. Für {plan} sind es {amount}.",
        "claim_legacy": "Mein Nachbar zahlt {amount}, kann ich das auch bekommen?",
        "answer_legacy": "Dieser Tarif gilt nur für Kunden von vor 2020. Ihrer beträgt {amount}.",
        "ok": "Gut, bitte bestätigen Sie mir das schriftlich.",
        "form_ref": "Kundennummer: {ref}",
        "form_head": "{company} - Bestellformular",
        "erratum": "Berichtigung zu Abschnitt 2: Der Betrag lautet richtig {amount}.",
        "section": "Abschnitt 2 - {topic}: {amount}.",
        "ordered": "Bestellte Menge: {q}",
    },
    "es": {
        "line": "{Topic} ({plan}): {amount}.",
        "msg": "Para {plan}, {the_topic} es de {amount}.",
        "ask": "¿Me puede indicar {the_topic} para {plan}?",
        "hello": "Hola, {name}:",
        "bye": "Un saludo,\n{agent}\n{company}",
        "enquiry": "Hola, estamos interesados en {plan} y nos gustaría conocer sus precios.",
        "confirm": "Gracias. Una pregunta más antes de confirmar: {ask}",
        "prices": "Le enviamos nuestros precios actuales.",
        "history": "Historial de precios",
        "history_line": "{date}: {amount}",
        "history_head": "{Topic} ({plan}), desde la fecha indicada:",
        "correction": "Disculpe, hubo una errata en mi correo anterior: para {plan}, "
        "{the_topic} es de {amount}.",
        "note": "Cuenta {acc} ({who}): {topic} acordado para {plan}: {amount}.",
        "fwd": "Reenvío la nota del expediente del cliente:",
        "ask_mine": "Soy {who}, cuenta {acc}. ¿Qué importe acordaron para {plan}?",
        "store": "Precios para clientes en {country} ({cur}).",
        "ask_country": "Vivo en {country}. {ask}",
        "weekday": "De lunes a viernes: {amount}.",
        "weekend": "Sábado y domingo: {amount}.",
        "week_head": "{Topic} ({plan}):",
        "ask_weekend": "Queremos reservar un sábado. {ask}",
        "bulk": "A partir de {n} {unit} por pedido: {amount} por unidad.",
        "qty": "Solo necesitamos {quantity}.",
        "legacy": "Los clientes dados de alta antes del 1 de enero de 2020 mantienen su "
        "tarifa: {amount}.",
        "ask_legacy": "Soy cliente desde {month} de 2025. {ask}",
        "estimate": "Presupuesto {ref}: {topic} para {plan}, estimado en {amount}. El importe "
        "final llegará cuando terminemos el trabajo.",
        "invoice": "Factura {ref}: {topic} para {plan}, importe final {amount}.",
        "ask_final": "¿Cuál es el importe final para {plan}?",
        "propose": "¿Podrían dejarlo en {amount} para {plan}? Así encajaría en nuestro "
        "presupuesto.",
        "agree": "No podemos bajar tanto, pero podemos acordar {amount} para {plan}.",
        "ask_agreed": "¿Qué importe acordamos para {plan}?",
        "promise": "Le enviaré la confirmación por escrito de {amount} para {plan} antes del "
        "viernes.",
        "reply_q": "Responda al último mensaje del cliente.",
        "focus": "{Topic} para {plan}",
        "about": "{Topic} para {plan}",
        "claim_sibling": "He visto {amount} en su web, ¿es correcto?",
        "answer_sibling": "Ese importe es para {other}. Para {plan} es de {amount}.",
        "claim_legacy": "Mi vecino paga {amount}, ¿puedo tener esa tarifa?",
        "answer_legacy": "Esa tarifa solo se mantiene para clientes de antes de 2020. La suya "
        "es de {amount}.",
        "ok": "De acuerdo, confírmemelo por escrito, por favor.",
        "form_ref": "Referencia de cliente: {ref}",
        "form_head": "{company} - hoja de pedido",
        "erratum": "Corrección a la sección 2: el importe correcto es {amount}.",
        "section": "Sección 2 - {topic}: {amount}.",
        "ordered": "Cantidad pedida: {q}",
    },
}

BIO_ROLES = (
    # (domain, the yearly count's range, role per language, what is counted per language)
    (
        "car_repair",
        (300, 950),
        {
            "en": "Head of Workshop",
            "fr": "Chef d'atelier",
            "de": "Werkstattleiter",
            "es": "Jefe de taller",
        },
        {
            "en": "vehicle repairs",
            "fr": "réparations de véhicules",
            "de": "Fahrzeugreparaturen",
            "es": "reparaciones de vehículos",
        },
    ),
    (
        "kitchen_installation",
        (80, 400),
        {
            "en": "Installation Manager",
            "fr": "Responsable de la pose",
            "de": "Montageleiterin",
            "es": "Responsable de instalaciones",
        },
        {
            "en": "kitchen installations",
            "fr": "cuisines posées",
            "de": "Küchenmontagen",
            "es": "cocinas instaladas",
        },
    ),
    (
        "broadband_installation",
        (300, 950),
        {
            "en": "Field Operations Lead",
            "fr": "Responsable des interventions",
            "de": "Leiter Außendienst",
            "es": "Jefa de operaciones de campo",
        },
        {
            "en": "fibre connections",
            "fr": "raccordements fibre",
            "de": "Glasfaseranschlüsse",
            "es": "conexiones de fibra",
        },
    ),
    (
        "wedding_venue",
        (40, 140),
        {
            "en": "Events Director",
            "fr": "Directrice des événements",
            "de": "Veranstaltungsleiterin",
            "es": "Directora de eventos",
        },
        {"en": "weddings", "fr": "mariages", "de": "Hochzeiten", "es": "bodas"},
    ),
    (
        "tax_adviser",
        (120, 600),
        {
            "en": "Senior Tax Adviser",
            "fr": "Conseiller fiscal principal",
            "de": "Leitender Steuerberater",
            "es": "Asesor fiscal sénior",
        },
        {
            "en": "tax returns",
            "fr": "déclarations fiscales",
            "de": "Steuererklärungen",
            "es": "declaraciones de la renta",
        },
    ),
    (
        "it_managed_services",
        (300, 950),
        {
            "en": "Service Desk Manager",
            "fr": "Responsable du centre de services",
            "de": "Service-Desk-Leiterin",
            "es": "Responsable del centro de soporte",
        },
        {
            "en": "support tickets",
            "fr": "tickets de support",
            "de": "Support-Tickets",
            "es": "tickets de soporte",
        },
    ),
)
BIO_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "done": "Completed {n} {unit} in 2025",
        "target": "Set the team's 2027 target of {n} {unit}",
        "earlier": "Team Lead",
        "at": "{role} at {org}",
        "years": "{n} years",
    },
    "fr": {
        "done": "A mené à bien {n} {unit} en 2025",
        "target": "A fixé l'objectif de l'équipe pour 2027 : {n} {unit}",
        "earlier": "Chef d'équipe",
        "at": "{role} chez {org}",
        "years": "{n} ans",
    },
    "de": {
        "done": "{n} {unit} im Jahr 2025 abgeschlossen",
        "target": "Teamziel für 2027 festgelegt: {n} {unit}",
        "earlier": "Teamleitung",
        "at": "{role} bei {org}",
        "years": "{n} Jahre",
    },
    "es": {
        "done": "Completó {n} {unit} en 2025",
        "target": "Fijó el objetivo del equipo para 2027: {n} {unit}",
        "earlier": "Jefe de equipo",
        "at": "{role} en {org}",
        "years": "{n} años",
    },
}
BIO_SKILLS: dict[str, tuple[str, ...]] = {
    "en": ("customer service", "team leadership", "scheduling"),
    "fr": ("service client", "management d'équipe", "planification"),
    "de": ("Kundenservice", "Teamführung", "Einsatzplanung"),
    "es": ("atención al cliente", "liderazgo de equipos", "planificación"),
}
ORG_VARIANTS = {
    # The current organisation and an earlier one named like it (another company).
    "car_repair": ("Halden Motor Works", "Halden Motors Group"),
    "kitchen_installation": ("Oakline Kitchens", "Oakline Interiors"),
    "broadband_installation": ("Fibrewave Broadband", "Fibrewave Networks"),
    "wedding_venue": ("Ashcombe Manor", "Ashcombe Hall Hotel"),
    "tax_adviser": ("Fairweather Tax Advisers", "Fairweather & Co Accountants"),
    "it_managed_services": ("Corvid IT Services", "Corvid Systems"),
}


# --- figures ----------------------------------------------------------------------------


def number(value: float, lang: str) -> str:
    """An amount's digits as the language writes them: 1,240.50 / 1 240,50 / 1.240,50."""
    whole, cents = f"{value:,.2f}".split(".")
    if lang == "en":
        return f"{whole}.{cents}"
    sep = " " if lang == "fr" else "."
    return f"{whole.replace(',', sep)},{cents}"


def money(value: float, lang: str, currency: str) -> str:
    digits = number(value, lang)
    sign = {"GBP": "£", "EUR": "€"}.get(currency)
    if lang == "en":
        return f"{sign}{digits}" if sign else f"{currency} {digits}"
    return f"{digits} {sign or currency}"


def _amount(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high)) + rng.choice((0.0, 0.5, 0.9, 0.95, 0.4, 0.25))


def _other(rng: random.Random, value: float, avoid: list[float]) -> float:
    """A plausible other amount near ``value``: never equal to one already used."""
    while True:
        candidate = round(value * rng.uniform(0.72, 1.32)) + rng.choice((0.0, 0.5, 0.9, 0.75))
        if all(abs(candidate - a) >= 1 for a in [value, *avoid]):
            return candidate


# --- composing one case -----------------------------------------------------------------


@dataclass
class Draft:
    """What a pattern puts in front of the kind: the right text, a wrong text in a source
    of its own or a passage inside the right one, the customer's question."""

    right: str
    ask: str
    wrong: str | None = None
    passage: str | None = None
    right_title: str = ""
    wrong_title: str = ""
    wrong_first: bool = False
    wrong_by_customer: bool = False


class Ctx:
    """One case's drawn parts: domain, figure, language, people, amounts."""

    def __init__(self, rng: random.Random, domain: Domain, topic: Topic, lang: str) -> None:
        self.rng, self.domain, self.topic, self.lang = rng, domain, topic, lang
        self.plan, self.other_plan = domain.plans
        self.currency = "GBP" if lang == "en" and domain.pound else "EUR"
        self.right = _amount(rng, topic.low, topic.high)
        self.wrong = _other(rng, self.right, [])
        self.invented = _other(rng, self.right, [self.wrong])
        people = list(PEOPLE[lang])
        rng.shuffle(people)
        self.customer, self.agent, self.third = people[:3]
        self.acc = f"{rng.randint(10, 99)}-{rng.randint(10000, 99999)}"
        self.acc2 = f"{rng.randint(10, 99)}-{rng.randint(10000, 99999)}"
        self.quantity = ""
        """What the customer orders, where a price depends on it (``12 packs``)."""
        self.when = datetime(
            2026,
            rng.randint(3, 11),
            rng.randint(1, 27),
            rng.randint(8, 17),
            rng.choice((0, 15, 30, 45)),
        )

    def amount(self, value: float, currency: str | None = None) -> str:
        return money(value, self.lang, currency or self.currency)

    def num(self, value: float) -> str:
        return number(value, self.lang)

    def fill(self, key: str, **extra: Any) -> str:
        names = self.topic.names[self.lang]
        the = names[1]
        values = {
            "topic": names[0],
            "Topic": names[0][0].upper() + names[0][1:],
            "the_topic": the,
            "The_topic": the[0].upper() + the[1:],
            "the_topic_acc": names[2] if self.lang == "de" else the,
            "plan": self.plan,
            "other": self.other_plan,
            "company": self.domain.company,
            "name": self.customer.split()[0],
            "agent": self.agent,
        }
        return TEXT[self.lang][key].format(**(values | extra))

    def date(self, days_before: int) -> str:
        day = self.when - timedelta(days=days_before)
        if self.lang == "en":
            # Month names spelt here, not by the C library's locale.
            return f"{day.day:02d} {_MONTH_ABBR[day.month - 1]} {day.year}"
        if self.lang == "de":
            return day.strftime("%d.%m.%Y")
        return day.strftime("%d/%m/%Y")

    def ref(self, prefix: str) -> str:
        return f"{prefix}-{self.rng.randint(1000, 9999)}"


_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def draft(ctx: Ctx, pattern: str) -> Draft:
    """The texts a pattern puts in front of the kind (see :data:`PATTERNS`)."""
    r, w = ctx.amount(ctx.right), ctx.amount(ctx.wrong)
    ask = ctx.fill("ask")
    line = ctx.fill("line", amount=r)
    title = f"{ctx.domain.company} - {ctx.plan}"
    if pattern in ("plain", "missing", "sibling"):
        wrong = ctx.fill("line", amount=w, plan=ctx.other_plan) if pattern != "plain" else None
        return Draft(
            right=line,
            ask=ask,
            wrong=wrong,
            right_title=title,
            wrong_title=f"{ctx.domain.company} - {ctx.other_plan}",
            wrong_first=ctx.rng.random() < 0.5,
        )
    if pattern == "changelog":
        old = ctx.fill("history_line", date=ctx.date(ctx.rng.randint(300, 500)), amount=w)
        new = ctx.fill("history_line", date=ctx.date(ctx.rng.randint(20, 120)), amount=r)
        text = f"{ctx.fill('history')}\n{ctx.fill('history_head')}\n{new}\n{old}"
        return Draft(right=text, ask=ask, passage=old, right_title=title)
    if pattern == "correction":
        return Draft(
            right=ctx.fill("correction", amount=r),
            ask=ask,
            wrong=ctx.fill("msg", amount=w),
            wrong_first=True,
            right_title=title,
        )
    if pattern == "other_customer":
        mine = ctx.fill("note", acc=ctx.acc, who=ctx.customer, amount=r)
        theirs = ctx.fill("note", acc=ctx.acc2, who=ctx.third, amount=w)
        return Draft(
            right=mine,
            wrong=theirs,
            ask=ctx.fill("ask_mine", acc=ctx.acc, who=ctx.customer),
            wrong_first=ctx.rng.random() < 0.5,
        )
    if pattern == "currency":
        home, abroad, other_cur = COUNTRIES[ctx.lang]
        if ctx.lang == "en" and ctx.currency == "EUR":
            home, abroad, other_cur = "Ireland", "Switzerland", "CHF"
        wrong = ctx.amount(ctx.wrong, other_cur)
        return Draft(
            right=f"{ctx.fill('store', country=home, cur=ctx.currency)}\n{line}",
            wrong=f"{ctx.fill('store', country=abroad, cur=other_cur)}\n"
            f"{ctx.fill('line', amount=wrong)}",
            ask=ctx.fill("ask_country", country=home, ask=ask),
            right_title=f"{title} ({home})",
            wrong_title=f"{title} ({abroad})",
            wrong_first=ctx.rng.random() < 0.5,
        )
    if pattern == "weekend":
        weekday = ctx.fill("weekday", amount=w)
        text = f"{ctx.fill('week_head')}\n{weekday}\n{ctx.fill('weekend', amount=r)}"
        return Draft(
            right=text, passage=weekday, ask=ctx.fill("ask_weekend", ask=ask), right_title=title
        )
    if pattern == "threshold":
        # The bulk price is lower; the customer's quantity stays under its threshold.
        ctx.wrong = min(ctx.wrong, round(ctx.right * 0.8) + 0.5)
        w = ctx.amount(ctx.wrong)
        unit = (ctx.topic.unit or {}).get(ctx.lang, "")
        n = ctx.rng.choice((10, 20, 25, 50))
        bulk = ctx.fill("bulk", n=n, unit=unit, amount=w)
        ctx.quantity = f"{ctx.rng.randint(n // 3 + 1, n - 1)} {unit}"
        return Draft(
            right=f"{line}\n{bulk}",
            passage=bulk,
            right_title=title,
            ask=f"{ctx.fill('qty', quantity=ctx.quantity)} {ask}",
        )
    if pattern == "legacy":
        # A grandfathered rate is the lower one.
        ctx.wrong = min(ctx.wrong, round(ctx.right * 0.85) + 0.9)
        old = ctx.fill("legacy", amount=ctx.amount(ctx.wrong))
        return Draft(
            right=f"{line}\n{old}",
            passage=old,
            right_title=title,
            ask=ctx.fill("ask_legacy", month=ctx.rng.choice(MONTHS[ctx.lang]), ask=ask),
        )
    if pattern == "estimate_final":
        return Draft(
            right=ctx.fill("invoice", ref=ctx.ref("INV"), amount=r),
            wrong=ctx.fill("estimate", ref=ctx.ref("EST"), amount=w),
            ask=ctx.fill("ask_final"),
            wrong_first=True,
            right_title=title,
        )
    if pattern == "negotiation":
        return Draft(
            right=ctx.fill("agree", amount=r),
            wrong=ctx.fill("propose", amount=w),
            ask=ctx.fill("ask_agreed"),
            wrong_first=True,
            wrong_by_customer=True,
        )
    raise ValueError(pattern)


# --- the kinds --------------------------------------------------------------------------


def _mail(ctx: Ctx, who: str) -> str:
    first, last = who.lower().split()[0], who.lower().split()[-1]
    first = first.translate(str.maketrans("éèíúáóñ", "eeiuaon"))
    last = last.translate(str.maketrans("éèíúáóñ", "eeiuaon"))
    if who == ctx.agent:
        return f"{first}.{last}@{ctx.domain.slug}.example"
    return f"{first}.{last}@mail.example"


def _stamp(ctx: Ctx, hours_before: int) -> str:
    return (ctx.when - timedelta(hours=hours_before)).isoformat() + "Z"


def _company_mail(ctx: Ctx, text: str) -> str:
    return f"{ctx.fill('hello')}\n\n{text}\n\n" + TEXT[ctx.lang]["bye"].format(
        agent=ctx.agent, company=ctx.domain.company
    )


PRICE_LISTS = (
    "plain",
    "sibling",
    "missing",
    "currency",
    "changelog",
    "weekend",
    "threshold",
    "legacy",
)
"""Patterns whose company message sends a price list."""


def email_reply(ctx: Ctx, pattern: str, d: Draft) -> dict[str, Any]:
    thread = [
        {
            "sender": _mail(ctx, ctx.customer),
            "sent_at": _stamp(ctx, 96),
            "body": ctx.fill("enquiry"),
        }
    ]
    right_at = wrong_at = None
    pieces: list[tuple[str, str]] = []
    if pattern != "missing":
        pieces.append(("right", d.right))
    if d.wrong is not None:
        pieces.insert(0 if d.wrong_first else len(pieces), ("wrong", d.wrong))
    for n, (what, text) in enumerate(pieces):
        if what == "wrong" and d.wrong_by_customer:
            message = {"sender": _mail(ctx, ctx.customer), "body": text}
        elif pattern == "other_customer":
            message = {"sender": _mail(ctx, ctx.agent), "body": f"{ctx.fill('fwd')}\n{text}"}
        else:
            body = f"{ctx.fill('prices')}\n{text}" if pattern in PRICE_LISTS else text
            message = {"sender": _mail(ctx, ctx.agent), "body": _company_mail(ctx, body)}
        message["sent_at"] = _stamp(ctx, 72 - 20 * n)
        index = len(thread)
        thread.append(
            {"sender": message["sender"], "sent_at": message["sent_at"], "body": message["body"]}
        )
        if what == "right":
            right_at = index
        else:
            wrong_at = index
    last = ctx.fill("confirm", ask=d.ask)
    thread.append({"sender": _mail(ctx, ctx.customer), "sent_at": _stamp(ctx, 2), "body": last})
    job = {
        "thread": thread,
        "subject": f"{ctx.domain.company}: {ctx.plan}",
        "question": ctx.fill("reply_q"),
        "tone": "friendly",
    }
    labels: dict[str, Any] = {}
    if right_at is not None:
        labels["must_cite"] = [f"m{right_at}"]
    if wrong_at is not None:
        labels["distractor"] = f"m{wrong_at}"
    elif d.passage is not None:
        labels["distractor"] = f"m{right_at}"
    return {"input": job, **labels}


def support_answer(ctx: Ctx, pattern: str, d: Draft) -> dict[str, Any]:
    right_id = f"kb-{ctx.domain.slug}-{ctx.rng.randint(100, 999)}"
    wrong_id = f"kb-{ctx.domain.slug}-{ctx.rng.randint(1000, 1999)}"
    if pattern == "other_customer":
        right_id, wrong_id = f"note-{ctx.acc}", f"note-{ctx.acc2}"
    sources = []
    if pattern != "missing":
        sources.append({"id": right_id, "title": d.right_title or None, "text": d.right})
    if d.wrong is not None:
        wrong = {"id": wrong_id, "title": d.wrong_title or None, "text": d.wrong}
        sources.insert(0 if d.wrong_first else len(sources), wrong)
    sources = [{k: v for k, v in s.items() if v is not None} for s in sources]
    job = {"question": d.ask, "sources": sources}
    labels: dict[str, Any] = {}
    if pattern != "missing":
        labels["must_cite"] = [right_id]
    if d.wrong is not None:
        labels["distractor"] = wrong_id
    elif d.passage is not None:
        labels["distractor"] = right_id
    return {"input": job, **labels}


def account_summary(ctx: Ctx, pattern: str, d: Draft) -> dict[str, Any]:
    right_id, wrong_id = f"e-{ctx.rng.randint(100, 499)}", f"n-{ctx.rng.randint(500, 999)}"
    emails: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    mail = {
        "id": right_id,
        "sender": _mail(ctx, ctx.agent),
        "sent_at": _stamp(ctx, 30),
        "subject": f"{ctx.plan}",
        "body": _company_mail(ctx, d.right),
    }
    if pattern == "other_customer":
        right_id = f"n-{ctx.rng.randint(100, 499)}"
        notes.append(
            {"id": right_id, "author": ctx.agent, "written_at": _stamp(ctx, 30), "text": d.right}
        )
    else:
        emails.append(mail)
    if d.wrong is not None:
        if d.wrong_by_customer:
            wrong_id = f"e-{ctx.rng.randint(500, 999)}"
            emails.insert(
                0,
                {
                    "id": wrong_id,
                    "sender": _mail(ctx, ctx.customer),
                    "sent_at": _stamp(ctx, 60),
                    "subject": f"{ctx.plan}",
                    "body": d.wrong,
                },
            )
        elif pattern in ("correction", "estimate_final"):
            wrong_id = f"e-{ctx.rng.randint(500, 999)}"
            emails.insert(
                0,
                {
                    "id": wrong_id,
                    "sender": _mail(ctx, ctx.agent),
                    "sent_at": _stamp(ctx, 60),
                    "subject": f"{ctx.plan}",
                    "body": _company_mail(ctx, d.wrong),
                },
            )
        else:
            notes.append(
                {
                    "id": wrong_id,
                    "author": ctx.third,
                    "written_at": _stamp(ctx, 50),
                    "text": d.wrong,
                }
            )
    emails.insert(
        0,
        {
            "id": f"e-{ctx.rng.randint(1000, 1999)}",
            "sender": _mail(ctx, ctx.customer),
            "sent_at": _stamp(ctx, 90),
            "subject": ctx.plan,
            "body": ctx.fill("enquiry"),
        },
    )
    job: dict[str, Any] = {
        "account": f"{ctx.customer} ({ctx.acc})",
        "emails": emails,
        "crm_notes": notes,
        "focus": ctx.fill("focus"),
    }
    labels: dict[str, Any] = {"must_cite": [right_id]}
    if d.wrong is not None:
        labels["distractor"] = wrong_id
    return {"input": job, **labels}


def follow_up_draft(ctx: Ctx, pattern: str, d: Draft) -> dict[str, Any]:
    r, w = ctx.amount(ctx.right), ctx.amount(ctx.wrong)
    turns: list[tuple[str, str, str]] = [("t1", ctx.customer, ctx.fill("enquiry"))]
    promise = ctx.fill("promise", amount=r)
    wrong_turn = None
    if pattern == "plain":
        turns.append(("t2", ctx.agent, f"{ctx.fill('msg', amount=r)} {promise}"))
        cited = "t2"
    elif pattern == "correction":
        turns.append(("t2", ctx.agent, ctx.fill("msg", amount=w)))
        turns.append(("t3", ctx.agent, f"{ctx.fill('correction', amount=r)} {promise}"))
        cited, wrong_turn = "t3", "t2"
    elif pattern == "sibling":
        turns.append(("t2", ctx.customer, ctx.fill("claim_sibling", amount=w)))
        turns.append(("t3", ctx.agent, f"{ctx.fill('answer_sibling', amount=r)} {promise}"))
        cited, wrong_turn = "t3", "t2"
    elif pattern == "negotiation":
        turns.append(("t2", ctx.customer, ctx.fill("propose", amount=w)))
        turns.append(("t3", ctx.agent, f"{ctx.fill('agree', amount=r)} {promise}"))
        cited, wrong_turn = "t3", "t2"
    else:  # legacy: the customer asks for a neighbour's grandfathered rate
        turns.append(("t2", ctx.customer, ctx.fill("claim_legacy", amount=w)))
        turns.append(("t3", ctx.agent, f"{ctx.fill('answer_legacy', amount=r)} {promise}"))
        cited, wrong_turn = "t3", "t2"
    turns.append((f"t{len(turns) + 1}", ctx.customer, ctx.fill("ok")))
    job = {
        "conversation": [
            {"id": i, "speaker": s, "at": _stamp(ctx, len(turns) - n), "text": t}
            for n, (i, s, t) in enumerate(turns)
        ],
        "about": ctx.fill("about"),
        "sender": ctx.agent,
        "recipient": ctx.customer,
        "tone": "friendly",
    }
    labels: dict[str, Any] = {"must_cite": [cited], "_passage": None}
    if wrong_turn:
        labels["distractor"] = wrong_turn
    return {"input": job, **labels}


LOCALES = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE", "es": "es-ES"}


def product_description(ctx: Ctx, pattern: str, d: Draft) -> dict[str, Any]:
    right_id, wrong_id = f"sheet-{ctx.rng.randint(10, 49)}", f"sheet-{ctx.rng.randint(50, 99)}"
    refs = [{"id": right_id, "title": d.right_title, "text": d.right}]
    if d.wrong is not None:
        wrong = {"id": wrong_id, "title": d.wrong_title, "text": d.wrong}
        refs.insert(0 if d.wrong_first else 1, wrong)
    job = {
        "product": {
            "name": f"{ctx.domain.company} {ctx.plan}",
            "brand": ctx.domain.company,
            "category": ctx.domain.name.replace("_", " "),
            "sku": f"{ctx.domain.slug[:4].upper()}-{ctx.rng.randint(1000, 9999)}",
            "attributes": {"plan": ctx.plan},
            "features": [],
        },
        "locale": LOCALES[ctx.lang],
        "metadata_locale": ctx.lang,
        "customer_tier": ctx.rng.choice(("standard", "premium", "business")),
        "references": refs,
    }
    labels: dict[str, Any] = {"must_cite": [right_id]}
    if d.wrong is not None:
        labels["distractor"] = wrong_id
    elif d.passage is not None:
        labels["distractor"] = right_id
    return {"input": job, **labels}


def metadata_enrichment(ctx: Ctx, pattern: str, d: Draft) -> dict[str, Any]:
    right_id, wrong_id = f"ref-{ctx.rng.randint(10, 49)}", f"ref-{ctx.rng.randint(50, 99)}"
    refs = [{"id": right_id, "title": d.right_title, "text": d.right}]
    if d.wrong is not None:
        refs.insert(
            0 if d.wrong_first else 1, {"id": wrong_id, "title": d.wrong_title, "text": d.wrong}
        )
    job = {
        "title": f"{ctx.domain.company} {ctx.plan}",
        "description": f"{ctx.domain.company}: {ctx.plan}.",
        "references": refs,
        "fields": [ctx.topic.field],
    }
    labels: dict[str, Any] = {
        "must_cite": {ctx.topic.field: right_id},
        "must_fill": {ctx.topic.field: ctx.num(ctx.right)},
    }
    if d.wrong is not None:
        labels["distractor"] = wrong_id
    elif d.passage is not None:
        labels["distractor"] = right_id
    return {"input": job, **labels}


def document_extraction(ctx: Ctx, pattern: str, d: Draft) -> dict[str, Any]:
    r, w = ctx.amount(ctx.right), ctx.amount(ctx.wrong)
    ref = ctx.ref("C")
    head = f"{ctx.fill('form_head')}\n{ctx.fill('form_ref', ref=ref)}\n"
    passage = None
    if pattern == "correction":
        passage = ctx.fill("section", amount=w)
        body = f"{passage}\n{ctx.fill('erratum', amount=r)}"
    elif pattern == "estimate_final":
        passage = d.wrong
        body = f"{d.wrong}\n{d.right}"
    else:
        body = d.right
        passage = d.passage
    if pattern == "threshold":
        # The form states the quantity, so the reader knows which price applies.
        body = f"{ctx.fill('ordered', q=ctx.quantity)}\n{body}"
    job = {
        "document_type": "form",
        "text": head + body,
        "fields": ["customer_reference", ctx.topic.field],
    }
    labels: dict[str, Any] = {
        "must_extract": {"customer_reference": ref, ctx.topic.field: r},
    }
    if passage is not None:
        labels["distractor"] = "document"
    labels["_passage"] = passage
    return {"input": job, **labels}


KIND_BUILDERS = {
    "email_reply": email_reply,
    "support_answer": support_answer,
    "account_summary": account_summary,
    "follow_up_draft": follow_up_draft,
    "product_description": product_description,
    "metadata_enrichment": metadata_enrichment,
    "document_extraction": document_extraction,
}


def bio(rng: random.Random, pattern: str, lang: str, n: int) -> dict[str, Any]:
    domain, (low, high), roles, units = BIO_ROLES[n % len(BIO_ROLES)]
    current, earlier_org = ORG_VARIANTS[domain]
    text = BIO_TEXT[lang]
    people = list(PEOPLE[lang])
    name = people[rng.randrange(len(people))]
    done = rng.randint(low, high)
    target = done * 2 + rng.randint(10, 90)
    unit = units[lang]
    start = rng.randint(2014, 2019)
    profile: dict[str, Any] = {
        "name": name,
        "role": roles[lang],
        "organization": current,
        "experience": [
            {
                "role": text["earlier"],
                "organization": earlier_org if pattern == "namesake" else "Brookfield Services",
                "start_year": start - 5,
                "end_year": start,
            },
        ],
        "skills": list(BIO_SKILLS[lang]),
        "achievements": [text["done"].format(n=done, unit=unit)],
    }
    banned: dict[str, str] = {}
    if pattern == "target":
        profile["achievements"].append(text["target"].format(n=target, unit=unit))
        # The target added to the achievement, or stated as done: nowhere in the input.
        banned[str(done + target)] = "invented"
        banned[text["done"].format(n=target, unit=unit)] = "invented"
    elif pattern == "namesake":
        # The current role at the earlier, similarly named company: nowhere in the input.
        banned[text["at"].format(role=roles[lang], org=earlier_org)] = "invented"
        banned[f"{roles[lang]}, {earlier_org}"] = "invented"
    years = 2026 - (start - 5)
    banned[text["years"].format(n=years + rng.randint(3, 9))] = "invented"
    banned[str(done + rng.randint(25, 90))] = "invented"
    job = {
        "profile": profile,
        "tone": rng.choice(("professional", "friendly")),
        "length": rng.choice(("short", "medium")),
    }
    return {
        "input": job,
        "must_contain": [name, str(done)],
        "banned": banned,
        "domain": domain,
    }


# --- the set ----------------------------------------------------------------------------


def _foreign(counter: int) -> bool:
    """Whether a family's n-th case is in French, German or Spanish: three of its first
    six cases, then about one case in seven."""
    return counter in (1, 3, 5) or (counter > 5 and counter % 7 == 2)


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


def grounded_g_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for domain_turn, (kind, pattern, lang, n) in enumerate(_slots()):
        for _attempt in range(50):
            if kind == "bio":
                case = _bio_case(rng, pattern, lang, n)
            else:
                case = _case(rng, kind, pattern, lang, domain_turn)
            if not mislabelled(case):
                break
        else:
            raise AssertionError(f"no true labels for {kind} {pattern}")
        cases.append({"id": f"hg-{kind}-{n:03d}-{pattern}", **case})
    return cases


def _slots() -> list[tuple[str, str, str, int]]:
    """Each case's kind, pattern, language and number within its kind. A family's cases
    are foreign (French, German or Spanish) as :func:`_foreign` says, and a small kind
    gets one more; each foreign case takes the language its kind, then its family, has
    least, so every kind and every family has all three."""
    slots = []
    family: Counter[str] = Counter()
    for kind, plan in PLANS.items():
        n = 0
        for pattern, count in plan.items():
            for _ in range(count):
                foreign = _foreign(family[pattern]) or (COUNTS[kind] < 80 and n in (10, 17))
                slots.append((kind, pattern, foreign, n))
                family[pattern] += 1
                n += 1
    by_kind: Counter[tuple[str, str]] = Counter()
    by_family: Counter[tuple[str, str]] = Counter()
    chosen = []
    for kind, pattern, foreign, n in slots:
        lang = "en"
        if foreign:
            lang = min(NON_EN, key=lambda x: (by_family[pattern, x], by_kind[kind, x]))
            by_kind[kind, lang] += 1
            by_family[pattern, lang] += 1
        chosen.append((kind, pattern, lang, n))
    return chosen


def _bio_case(rng: random.Random, pattern: str, lang: str, n: int) -> dict[str, Any]:
    built = bio(rng, pattern, lang, n)
    banned = built["banned"]
    return {
        "kind": "bio",
        "pattern": pattern,
        "domain": built["domain"],
        "lang": lang,
        "input": built["input"],
        "expect_outcome": "written",
        "must_contain": built["must_contain"],
        "must_not_contain": list(banned),
        "banned": banned,
    }


def _case(rng: random.Random, kind: str, pattern: str, lang: str, turn: int) -> dict[str, Any]:
    tag = NEEDS_TAG.get(pattern)
    domains = DOMAINS[turn % len(DOMAINS) :] + DOMAINS[: turn % len(DOMAINS)]
    domain, topic = next(
        (dm, tp)
        for dm in domains
        for tp in rng.sample(dm.topics, len(dm.topics))
        if tag is None or tag in tp.tags
    )
    ctx = Ctx(rng, domain, topic, lang)
    d = draft(ctx, pattern)
    built = KIND_BUILDERS[kind](ctx, pattern, d)
    passage = built.pop("_passage", d.passage)
    right, wrong, invented = ctx.num(ctx.right), ctx.num(ctx.wrong), ctx.num(ctx.invented)
    escalate = kind == "support_answer" and pattern == "missing"
    banned = {invented: "invented"}
    if pattern != "plain":
        banned[wrong] = "distractor"
    if escalate:
        banned[right] = "invented"
    case: dict[str, Any] = {
        "kind": kind,
        "pattern": pattern,
        "domain": domain.name,
        "lang": lang,
        "input": built.pop("input"),
        "expect_outcome": "escalated" if escalate else OUTCOME[kind],
    }
    if escalate:
        case["expect_review"] = True
    must = [] if pattern == "missing" else [right]
    case["must_contain"] = must
    if "must_cite" in built:
        case["must_cite"] = built.pop("must_cite")
    case["must_not_contain"] = list(banned)
    case["banned"] = banned
    if "distractor" in built:
        case["distractor"] = built.pop("distractor")
    if passage is not None and "distractor" in case:
        case["distractor_passage"] = passage
    return case | built


# --- the labels' check ------------------------------------------------------------------


def _right_sources(case: dict[str, Any], material: dict[str, str]) -> list[str]:
    cite = case.get("must_cite")
    if isinstance(cite, dict):
        return list(cite.values())
    if cite:
        return list(cite)
    if case["kind"] in ("document_extraction", "bio"):
        return list(material)
    return []


def mislabelled(case: dict[str, Any]) -> list[str]:
    """What is untrue of a case's labels: a needed fact no right source states, a
    distractor source that is a right one (unless the wrong figure is a passage of it), a
    banned fact inside a needed one, a distractor fact found outside its source or
    passage, an invented fact the input states. Empty when every label holds."""
    problems = []
    material = grounding.material(case["kind"], case["input"]) or {}
    rights = _right_sources(case, material)
    right_text = "\n".join(material.get(s, "") for s in rights).casefold()
    for needed in case.get("must_contain", []):
        if needed.casefold() not in right_text:
            problems.append(f"needed {needed!r} is in no right source")
    distractor = case.get("distractor")
    passage = case.get("distractor_passage")
    if distractor is not None:
        if distractor not in material:
            problems.append(f"distractor source {distractor!r} is not in the input")
        if distractor in rights and passage is None:
            problems.append(f"distractor source {distractor!r} is a right source")
        if passage is not None and passage not in material.get(distractor, ""):
            problems.append("distractor passage is not in its source")
    whole = grounding.plain_text(case["input"]).casefold()
    for fact, origin in case.get("banned", {}).items():
        low = fact.casefold()
        if any(low in needed.casefold() for needed in case.get("must_contain", [])):
            problems.append(f"banned {fact!r} is inside a needed fact")
        if origin == "invented" and low in whole:
            problems.append(f"banned {fact!r} is not invented")
        if origin == "distractor":
            if distractor is None:
                problems.append(f"banned {fact!r} has no distractor")
                continue
            where = (passage or material.get(distractor, "")).casefold()
            rest = whole
            if passage is not None:
                rest = rest.replace(passage.casefold(), "")
            else:
                for line in material.get(distractor, "").casefold().splitlines():
                    rest = rest.replace(line, "") if line.strip() else rest
            if low not in where:
                problems.append(f"banned {fact!r} is not in the distractor")
            elif low in rest:
                problems.append(f"banned {fact!r} is not only in the distractor")
    extract = case.get("must_extract", {})
    for value in extract.values():
        if value not in case["input"].get("text", ""):
            problems.append(f"extracted {value!r} is not in the document")
    return problems
