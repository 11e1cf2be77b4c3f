"""The eighth held-out grounded set (``heldout/grounded_h``): written blind, to be run once.

Written without reading the seven earlier grounded sets, the offline provider, the
prompts, the guards or the kinds' rules: only the harness (evals/grounding.py,
evals/metrics.py), the kinds' input models and the set descriptions in evals/README.md.
Twelve domains no earlier set used (marinas, ski schools, funeral directors, driving
schools, self-storage, piano tuning, translation agencies, office catering, laboratory
testing, conference registration, phone repair, home cleaning). About 40 % of the cases
are plain (one relevant source); about 30 % carry a trap family the earlier sets used, in
new forms (a price list dated by its validity period, the sibling offering's price,
another customer's quote, a staff member's own correction, the answering source
missing); about 30 % a family none used (a payment partner's fee beside the company's
own, the deposit beside the full price, the booking fee kept beside the part refunded,
the hourly rate for extra work beside the package price, a forwarded internal chat
floating an unapproved price, a reply about another charge, a bio's team total beside
the person's own share). Each case states the facts a correct answer gives
(``must_contain``, ``must_cite``) and those it must not (``must_not_contain``, labelled in
``banned`` as ``invented`` or ``distractor``; ``distractor`` names the wrong source and
``distractor_passage`` the wrong line inside a right one). :func:`mislabelled` checks the
labels against the input; the generator draws a case again until they hold.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from evals import grounding

SEED = 20261213
LANGS = ("en", "fr", "de", "es")
LOCALES = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE", "es": "es-ES"}
OLD_FAMILIES = ("validity", "sibling", "other_customer", "correction", "missing")
NEW_FAMILIES = (
    "partner_fee",
    "deposit",
    "refundable",
    "package_hourly",
    "internal_chat",
    "other_question",
    "team_share",
)
PATTERNS = ("plain", *OLD_FAMILIES, *NEW_FAMILIES)
IN_SOURCE = ("deposit", "refundable", "package_hourly")
"""Families whose wrong figure sits on its own line inside the right source."""

PLANS: dict[str, dict[str, int]] = {
    "email_reply": {
        "plain": 32,
        "validity": 6,
        "sibling": 5,
        "other_customer": 5,
        "correction": 5,
        "missing": 3,
        "partner_fee": 4,
        "deposit": 4,
        "refundable": 4,
        "package_hourly": 4,
        "internal_chat": 4,
        "other_question": 4,
    },
    "support_answer": {
        "plain": 32,
        "validity": 7,
        "sibling": 7,
        "other_customer": 4,
        "missing": 6,
        "partner_fee": 4,
        "deposit": 4,
        "refundable": 4,
        "package_hourly": 4,
        "internal_chat": 4,
        "other_question": 4,
    },
    "account_summary": {
        "plain": 9,
        "other_customer": 4,
        "correction": 3,
        "internal_chat": 3,
        "deposit": 3,
    },
    "follow_up_draft": {"plain": 9, "correction": 7, "package_hourly": 3, "partner_fee": 3},
    "product_description": {
        "plain": 9,
        "sibling": 4,
        "validity": 3,
        "other_customer": 3,
        "internal_chat": 3,
    },
    "metadata_enrichment": {
        "plain": 9,
        "sibling": 4,
        "validity": 3,
        "package_hourly": 3,
        "refundable": 3,
    },
    "document_extraction": {"plain": 9, "validity": 6, "deposit": 4, "refundable": 3},
    "bio": {"plain": 12, "team_share": 10},
}
COUNTS = Counter({kind: sum(plan.values()) for kind, plan in PLANS.items()})


@dataclass(frozen=True)
class Domain:
    name: str
    company: str
    sign: str
    low: int
    high: int
    thing: dict[str, str]
    sibling: dict[str, str]
    other: dict[str, str]
    partner: str


def _d(
    name: str, company: str, sign: str, low: int, high: int, partner: str, *texts: tuple[str, ...]
) -> Domain:
    thing, sibling, other = ({lang: t[i] for i, lang in enumerate(LANGS)} for t in texts)
    return Domain(name, company, sign, low, high, thing, sibling, other, partner)


DOMAINS = (
    _d(
        "marina",
        "Harbourside Marina",
        "£",
        1800,
        4200,
        "BlueQuay Payments",
        (
            "a summer berth for a 10 m sailing boat",
            "un anneau d'été pour un voilier de 10 m",
            "ein Sommerliegeplatz für ein 10-m-Segelboot",
            "un amarre de verano para un velero de 10 m",
        ),
        (
            "a summer berth for a 12 m sailing boat",
            "un anneau d'été pour un voilier de 12 m",
            "ein Sommerliegeplatz für ein 12-m-Segelboot",
            "un amarre de verano para un velero de 12 m",
        ),
        (
            "the winter haul-out",
            "la mise à terre d'hiver",
            "das Auskranen im Winter",
            "la varada de invierno",
        ),
    ),
    _d(
        "ski_school",
        "Alpenglow Ski School",
        "€",
        220,
        640,
        "SnowPay",
        (
            "the 5-morning group ski course for adults",
            "le cours collectif de ski de 5 matinées pour adultes",
            "der Gruppen-Skikurs an 5 Vormittagen für Erwachsene",
            "el curso colectivo de esquí de 5 mañanas para adultos",
        ),
        (
            "the 5-morning private snowboard course",
            "le cours particulier de snowboard de 5 matinées",
            "der Snowboard-Privatkurs an 5 Vormittagen",
            "el curso particular de snowboard de 5 mañanas",
        ),
        (
            "ski and boot hire",
            "la location de skis et chaussures",
            "der Ski- und Schuhverleih",
            "el alquiler de esquís y botas",
        ),
    ),
    _d(
        "funeral",
        "Whitmore & Daughters Funeral Directors",
        "£",
        1900,
        4800,
        "CareFinance Ltd",
        (
            "the simple cremation package",
            "la formule crémation simple",
            "das Paket schlichte Feuerbestattung",
            "el paquete de incineración sencilla",
        ),
        (
            "the traditional burial package",
            "la formule inhumation traditionnelle",
            "das Paket traditionelle Erdbestattung",
            "el paquete de entierro tradicional",
        ),
        (
            "the notice in the local paper",
            "l'avis dans le journal local",
            "die Traueranzeige in der Lokalzeitung",
            "la esquela en el periódico local",
        ),
    ),
    _d(
        "driving_school",
        "Greenlight Driving School",
        "€",
        380,
        890,
        "DriveCredit",
        (
            "the 10-lesson beginner pack",
            "le forfait débutant de 10 leçons",
            "das Anfängerpaket mit 10 Fahrstunden",
            "el paquete de 10 clases para principiantes",
        ),
        (
            "the 10-lesson automatic refresher pack",
            "le forfait remise à niveau boîte automatique de 10 leçons",
            "das Auffrischungspaket Automatik mit 10 Fahrstunden",
            "el paquete de repaso con cambio automático de 10 clases",
        ),
        (
            "the practical test booking",
            "l'inscription à l'examen pratique",
            "die Anmeldung zur praktischen Prüfung",
            "la inscripción al examen práctico",
        ),
    ),
    _d(
        "self_storage",
        "BoxHaven Self Storage",
        "€",
        60,
        190,
        "LockPay",
        (
            "a 5 m² storage unit per month",
            "un box de 5 m² par mois",
            "ein Lagerabteil mit 5 m² pro Monat",
            "un trastero de 5 m² al mes",
        ),
        (
            "a 10 m² storage unit per month",
            "un box de 10 m² par mois",
            "ein Lagerabteil mit 10 m² pro Monat",
            "un trastero de 10 m² al mes",
        ),
        ("the disc padlock", "le cadenas à disque", "das Diskusschloss", "el candado de disco"),
    ),
    _d(
        "piano_tuning",
        "Harmonie Piano Tuning",
        "€",
        85,
        190,
        "TunePay",
        (
            "a standard tuning of an upright piano",
            "un accord standard de piano droit",
            "eine Standardstimmung eines Klaviers",
            "una afinación estándar de piano vertical",
        ),
        (
            "a standard tuning of a grand piano",
            "un accord standard de piano à queue",
            "eine Standardstimmung eines Flügels",
            "una afinación estándar de piano de cola",
        ),
        (
            "the call-out to outlying villages",
            "le déplacement dans les villages éloignés",
            "die Anfahrt in entlegene Dörfer",
            "el desplazamiento a pueblos alejados",
        ),
    ),
    _d(
        "translation",
        "Lexica Translation Agency",
        "€",
        45,
        140,
        "Payflow Europe",
        (
            "a certified translation of a birth certificate",
            "une traduction assermentée d'un acte de naissance",
            "eine beglaubigte Übersetzung einer Geburtsurkunde",
            "una traducción jurada de un acta de nacimiento",
        ),
        (
            "a certified translation of a university diploma",
            "une traduction assermentée d'un diplôme universitaire",
            "eine beglaubigte Übersetzung eines Hochschulzeugnisses",
            "una traducción jurada de un título universitario",
        ),
        ("express delivery", "la livraison express", "die Expresszustellung", "el envío urgente"),
    ),
    _d(
        "office_catering",
        "Desk & Dine Office Catering",
        "£",
        280,
        720,
        "TabSettle",
        (
            "the hot lunch buffet for 20 people",
            "le buffet chaud pour 20 personnes",
            "das warme Mittagsbuffet für 20 Personen",
            "el bufé caliente para 20 personas",
        ),
        (
            "the cold sandwich platter for 20 people",
            "le plateau de sandwichs froids pour 20 personnes",
            "die kalte Sandwichplatte für 20 Personen",
            "la bandeja de sándwiches fríos para 20 personas",
        ),
        (
            "the crockery hire",
            "la location de vaisselle",
            "die Geschirrmiete",
            "el alquiler de vajilla",
        ),
    ),
    _d(
        "lab_testing",
        "Northfield Analytical Lab",
        "€",
        140,
        480,
        "LabPay",
        (
            "a full drinking-water analysis",
            "une analyse complète d'eau potable",
            "eine vollständige Trinkwasseranalyse",
            "un análisis completo de agua potable",
        ),
        (
            "a basic drinking-water analysis",
            "une analyse simple d'eau potable",
            "eine einfache Trinkwasseranalyse",
            "un análisis básico de agua potable",
        ),
        (
            "the sample pick-up by courier",
            "l'enlèvement de l'échantillon par coursier",
            "die Probenabholung per Kurier",
            "la recogida de la muestra por mensajero",
        ),
    ),
    _d(
        "conference",
        "DataSummit 2027",
        "€",
        690,
        1490,
        "EventCheckout",
        (
            "a full 3-day conference pass",
            "un pass conférence complet de 3 jours",
            "ein Konferenzticket für alle 3 Tage",
            "un pase completo de 3 días para el congreso",
        ),
        (
            "a 1-day conference pass",
            "un pass conférence d'une journée",
            "ein Tagesticket für die Konferenz",
            "un pase de 1 día para el congreso",
        ),
        (
            "the workshop add-on",
            "l'option atelier",
            "die Workshop-Option",
            "el complemento de taller",
        ),
    ),
    _d(
        "phone_repair",
        "FixPoint Phone Repair",
        "€",
        129,
        289,
        "QuickPay",
        (
            "a screen replacement for a Pixel 8",
            "un remplacement d'écran pour un Pixel 8",
            "ein Displaytausch für ein Pixel 8",
            "un cambio de pantalla para un Pixel 8",
        ),
        (
            "a screen replacement for a Pixel 8 Pro",
            "un remplacement d'écran pour un Pixel 8 Pro",
            "ein Displaytausch für ein Pixel 8 Pro",
            "un cambio de pantalla para un Pixel 8 Pro",
        ),
        (
            "the battery health check",
            "le diagnostic de batterie",
            "der Akku-Check",
            "la revisión de batería",
        ),
    ),
    _d(
        "home_cleaning",
        "Sparkle Home Cleaning",
        "£",
        95,
        260,
        "SubsPay",
        (
            "the fortnightly cleaning subscription for a 3-room flat",
            "l'abonnement ménage tous les quinze jours pour un 3 pièces",
            "das 14-tägliche Reinigungsabo für eine 3-Zimmer-Wohnung",
            "la suscripción de limpieza quincenal para un piso de 3 habitaciones",
        ),
        (
            "the weekly cleaning subscription for a 3-room flat",
            "l'abonnement ménage hebdomadaire pour un 3 pièces",
            "das wöchentliche Reinigungsabo für eine 3-Zimmer-Wohnung",
            "la suscripción de limpieza semanal para un piso de 3 habitaciones",
        ),
        ("oven cleaning", "le nettoyage du four", "die Backofenreinigung", "la limpieza del horno"),
    ),
)

NAMES = {
    "en": ("Olivia Hart", "Samuel Price", "Priya Nair", "Tom Ellery", "Grace Okafor", "Liam Doyle"),
    "fr": ("Camille Roux", "Julien Marchand", "Inès Benali", "Hugo Lefèvre", "Léa Fontaine"),
    "de": ("Jana Vogt", "Matthias Brandt", "Aylin Demir", "Felix Hartmann", "Sophie Krüger"),
    "es": ("Lucía Navarro", "Diego Herrera", "Marta Iglesias", "Pablo Serrano", "Elena Ruiz"),
}
STAFF = {
    "en": ("Hannah Cole", "Marcus Webb", "Ruth Ingram"),
    "fr": ("Claire Dubois", "Antoine Girard", "Sarah Lemoine"),
    "de": ("Katrin Wolf", "Stefan Maier", "Nina Schreiber"),
    "es": ("Carmen Ortega", "Javier Molina", "Laura Campos"),
}

# Sentences per language. {T} the thing asked about, {S} its sibling, {O} another charge,
# {C} the company, {P} the payment partner, {R} the right figure, {W} the wrong one.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "ask": "How much is {T}?",
        "price": "{Tc}: {R}.",
        "price_note": "Prices include VAT. Payment is due on booking.",
        "list": "{C} price list 2026",
        "list_new": "{C} price list, valid from 1 January 2026",
        "list_old": "{C} price list, valid 1 January to 31 December 2025",
        "sibling": "{Sc}: {W}.",
        "list_sib": "{C} prices: {S}",
        "quote": "Quote {ref} for {who}: {T} at {X}.",
        "quote_title": "Quote {ref}",
        "ask_quote": "This is {me}. What did you quote me for {T}?",
        "first": "{Tc} comes to {W}.",
        "fix": "Apologies, I read the wrong row in my last message: {T} comes to {R}.",
        "own": "{C} charges {R} for {T}.",
        "partner": "{P}, our payment partner, charges its own fee of {W} for paying in instalments.",  # noqa: E501
        "by_card": "I will pay in full by card.",
        "partner_title": "Paying through {P}",
        "full": "The full price for {T} is {R}.",
        "deposit": "A deposit of {W} is due when you book.",
        "ask_full": "What is the full price for {T}?",
        "refund": "If you cancel at least 14 days ahead, {R} is refunded.",
        "kept": "A booking fee of {W} is kept in every case.",
        "ask_refund": "If I cancel {T} three weeks ahead, how much do I get back?",
        "fixed": "{Tc} is charged at a fixed price of {R}.",
        "hourly": "Work outside the package is billed at {W} per hour.",
        "chat": "Forwarded internal chat\n[09:12] {a}: could we offer {T} at {W} to close this one?\n[09:20] {b}: not signed off, please don't promise it.",  # noqa: E501
        "other": "About your other question: {O} is {W}.",
        "ask_two": "How much is {T}? And what about {O}?",
        "hours": "{C} opening hours: Monday to Friday, 8:00 to 18:00. Phone lines close at 17:30.",
        "hours_title": "Opening hours",
        "hello": "Hello {n},",
        "dear": "Dear team,",
        "bye": "Kind regards,\n{n}",
        "thanks": "Thank you. Could you confirm the price for {T} in writing, please?",
        "instruct": "Reply to {n} and confirm the price for {T}.",
        "focus": "What price applies to {T} for this account?",
        "promise": "I will send you the written confirmation by Friday.",
        "about": "Confirmation of {T}",
        "ok": "Great, please go ahead.",
        "note": "Customer called back and accepted; booking to follow.",
        "card": "{Tc} from {C}. Book online or by phone.",
        "feature": "Booked directly with {C}",
        "field": "price",
        "invoice": "Booking form {ref}\nCustomer: {n}\nService: {T}",
        "form_price": "Price: {R}",
        "form_old": "Price list 2025, valid until 31 December 2025, for reference: {W}",
        "team": "Member of the {k}-person team that handled {W} bookings in 2025",
        "own_share": "Personally handled {R} bookings in 2025",
        "ach": "Handled {R} bookings in 2025",
        "role": "Customer adviser",
        "role_m": "Customer adviser",
    },
    "fr": {
        "ask": "Combien coûte {T} ?",
        "price": "{Tc} : {R}.",
        "price_note": "Prix TTC. Paiement à la réservation.",
        "list": "{C} – tarifs 2026",
        "list_new": "{C} – tarifs applicables à partir du 1er janvier 2026",
        "list_old": "{C} – tarifs applicables du 1er janvier au 31 décembre 2025",
        "sibling": "{Sc} : {W}.",
        "list_sib": "{C} – tarifs : {S}",
        "quote": "Devis {ref} pour {who} : {T} à {X}.",
        "quote_title": "Devis {ref}",
        "ask_quote": "Ici {me}. Quel prix m'avez-vous indiqué pour {T} ?",
        "first": "{Tc} revient à {W}.",
        "fix": "Pardon, j'ai lu la mauvaise ligne dans mon dernier message : {T} revient à {R}.",
        "own": "{C} facture {R} pour {T}.",
        "partner": "{P}, notre partenaire de paiement, prélève {W} pour un paiement en plusieurs fois.",  # noqa: E501
        "by_card": "Je paierai en une fois par carte.",
        "partner_title": "Payer via {P}",
        "full": "Le prix total pour {T} est de {R}.",
        "deposit": "Un acompte de {W} est demandé à la réservation.",
        "ask_full": "Quel est le prix total pour {T} ?",
        "refund": "En cas d'annulation au moins 14 jours avant, {R} vous est remboursé.",
        "kept": "Des frais de dossier de {W} sont conservés dans tous les cas.",
        "ask_refund": "Si j'annule {T} trois semaines avant, combien me sera remboursé ?",
        "fixed": "{Tc} est facturé au forfait, {R}.",
        "hourly": "Tout travail hors forfait est facturé {W} de l'heure.",
        "chat": "Discussion interne transférée\n[09:12] {a} : on pourrait proposer {T} à {W} pour conclure ?\n[09:20] {b} : pas validé, ne le promettez pas.",  # noqa: E501
        "other": "Pour votre autre question : {O} coûte {W}.",
        "ask_two": "Combien coûte {T} ? Et {O} ?",
        "hours": "Horaires de {C} : du lundi au vendredi, de 8h00 à 18h00. Standard fermé à partir de 17h30.",  # noqa: E501
        "hours_title": "Horaires",
        "hello": "Bonjour {n},",
        "dear": "Bonjour,",
        "bye": "Cordialement,\n{n}",
        "thanks": "Merci. Pouvez-vous me confirmer par écrit le prix pour {T} ?",
        "instruct": "Réponds à {n} et confirme le prix pour {T}.",
        "focus": "Quel prix s'applique à {T} pour ce client ?",
        "promise": "Je vous enverrai la confirmation écrite d'ici vendredi.",
        "about": "Confirmation : {T}",
        "ok": "Parfait, allez-y.",
        "note": "Rappel reçu, accord donné ; réservation à suivre.",
        "card": "{Tc} chez {C}. Réservation en ligne ou par téléphone.",
        "feature": "Réservation directe auprès de {C}",
        "field": "prix",
        "invoice": "Bon de réservation {ref}\nClient : {n}\nPrestation : {T}",
        "form_price": "Prix : {R}",
        "form_old": "Tarifs 2025, applicables jusqu'au 31 décembre 2025, pour mémoire : {W}",
        "team": "Membre de l'équipe de {k} personnes qui a traité {W} réservations en 2025",
        "own_share": "A traité personnellement {R} réservations en 2025",
        "ach": "A traité {R} réservations en 2025",
        "role": "Conseillère clientèle",
        "role_m": "Conseiller clientèle",
    },
    "de": {
        "ask": "Was kostet {T}?",
        "price": "{Tc}: {R}.",
        "price_note": "Preise inkl. MwSt. Zahlung bei Buchung.",
        "list": "{C} – Preisliste 2026",
        "list_new": "{C} – Preisliste, gültig ab 1. Januar 2026",
        "list_old": "{C} – Preisliste, gültig vom 1. Januar bis 31. Dezember 2025",
        "sibling": "{Sc}: {W}.",
        "list_sib": "{C} – Preise: {S}",
        "quote": "Angebot {ref} für {who}: {T} zu {X}.",
        "quote_title": "Angebot {ref}",
        "ask_quote": "Hier {me}. Was kostet {T} laut Ihrem Angebot an mich?",
        "first": "{Tc} kostet {W}.",
        "fix": "Entschuldigung, ich hatte die falsche Zeile gelesen: {T} kostet {R}.",
        "own": "Bei {C} kostet {T} {R}.",
        "partner": "{P}, unser Zahlungspartner, berechnet eine eigene Gebühr von {W} für Ratenzahlung.",  # noqa: E501
        "by_card": "Ich zahle den vollen Betrag per Karte.",
        "partner_title": "Bezahlen über {P}",
        "full": "{Tc} kostet insgesamt {R}.",
        "deposit": "Bei der Buchung ist eine Anzahlung von {W} fällig.",
        "ask_full": "Was kostet {T} insgesamt?",
        "refund": "Bei Stornierung mindestens 14 Tage vorher werden {R} erstattet.",
        "kept": "Eine Buchungsgebühr von {W} wird in jedem Fall einbehalten.",
        "ask_refund": "Wie viel wird erstattet, wenn {T} drei Wochen vorher storniert wird?",
        "fixed": "{Tc} wird pauschal mit {R} berechnet.",
        "hourly": "Arbeiten außerhalb des Pakets werden mit {W} pro Stunde berechnet.",
        "chat": "Weitergeleiteter interner Chat\n[09:12] {a}: Kann {T} für {W} raus, damit wir abschließen?\n[09:20] {b}: Nicht freigegeben, bitte nicht zusagen.",  # noqa: E501
        "other": "Zu Ihrer anderen Frage: {O} kostet {W}.",
        "ask_two": "Was kostet {T}? Und {O}?",
        "hours": "Öffnungszeiten von {C}: Montag bis Freitag, 8:00 bis 18:00 Uhr. Telefonisch bis 17:30 Uhr.",  # noqa: E501
        "hours_title": "Öffnungszeiten",
        "hello": "Hallo {n},",
        "dear": "Guten Tag,",
        "bye": "Viele Grüße\n{n}",
        "thanks": "Danke. Können Sie mir bitte schriftlich bestätigen, was {T} kostet?",
        "instruct": "Antworte {n} und bestätige, was {T} kostet.",
        "focus": "Was kostet {T} für diesen Kunden?",
        "promise": "Ich schicke Ihnen die schriftliche Bestätigung bis Freitag.",
        "about": "Bestätigung: {T}",
        "ok": "Prima, bitte so buchen.",
        "note": "Rückruf erhalten, Zusage erteilt; Buchung folgt.",
        "card": "{Tc} bei {C}. Buchung online oder telefonisch.",
        "feature": "Direkt bei {C} gebucht",
        "field": "preis",
        "invoice": "Buchungsformular {ref}\nKunde: {n}\nLeistung: {T}",
        "form_price": "Preis: {R}",
        "form_old": "Preisliste 2025, gültig bis 31. Dezember 2025, zur Information: {W}",
        "team": "Mitglied des {k}-köpfigen Teams, das 2025 {W} Buchungen bearbeitet hat",
        "own_share": "Hat 2025 persönlich {R} Buchungen bearbeitet",
        "ach": "Hat 2025 {R} Buchungen bearbeitet",
        "role": "Kundenberaterin",
        "role_m": "Kundenberater",
    },
    "es": {
        "ask": "¿Cuánto cuesta {T}?",
        "price": "{Tc}: {R}.",
        "price_note": "Precios con IVA incluido. Pago al reservar.",
        "list": "{C} – tarifas 2026",
        "list_new": "{C} – tarifas vigentes desde el 1 de enero de 2026",
        "list_old": "{C} – tarifas vigentes del 1 de enero al 31 de diciembre de 2025",
        "sibling": "{Sc}: {W}.",
        "list_sib": "{C} – tarifas: {S}",
        "quote": "Presupuesto {ref} para {who}: {T} a {X}.",
        "quote_title": "Presupuesto {ref}",
        "ask_quote": "Soy {me}. ¿Qué precio me indicaron para {T}?",
        "first": "{Tc} sale por {W}.",
        "fix": "Disculpe, en mi último mensaje leí la fila equivocada: {T} sale por {R}.",
        "own": "{C} cobra {R} por {T}.",
        "partner": "{P}, nuestro socio de pagos, cobra su propia comisión de {W} por pagar a plazos.",  # noqa: E501
        "by_card": "Pagaré el total con tarjeta.",
        "partner_title": "Pagar con {P}",
        "full": "El precio total de {T} es de {R}.",
        "deposit": "Al reservar se paga una señal de {W}.",
        "ask_full": "¿Cuál es el precio total de {T}?",
        "refund": "Si cancela con al menos 14 días de antelación, se le devuelven {R}.",
        "kept": "Una tasa de reserva de {W} no se devuelve en ningún caso.",
        "ask_refund": "Si cancelo {T} con tres semanas de antelación, ¿cuánto me devuelven?",
        "fixed": "{Tc} se cobra a precio cerrado: {R}.",
        "hourly": "Los trabajos fuera del paquete se cobran a {W} la hora.",
        "chat": "Chat interno reenviado\n[09:12] {a}: ¿podríamos ofrecer {T} a {W} para cerrarlo?\n[09:20] {b}: no está aprobado, no lo prometas.",  # noqa: E501
        "other": "Sobre su otra pregunta: {O} cuesta {W}.",
        "ask_two": "¿Cuánto cuesta {T}? ¿Y {O}?",
        "hours": "Horario de {C}: de lunes a viernes, de 8:00 a 18:00. Teléfono hasta las 17:30.",
        "hours_title": "Horario",
        "hello": "Hola, {n}:",
        "dear": "Buenos días:",
        "bye": "Un saludo,\n{n}",
        "thanks": "Gracias. ¿Me pueden confirmar por escrito el precio de {T}?",
        "instruct": "Responde a {n} y confirma el precio de {T}.",
        "focus": "¿Qué precio se aplica a {T} para este cliente?",
        "promise": "Le enviaré la confirmación por escrito antes del viernes.",
        "about": "Confirmación: {T}",
        "ok": "Perfecto, adelante.",
        "note": "Llamada recibida: acepta el precio; reserva pendiente.",
        "card": "{Tc} con {C}. Reserva en línea o por teléfono.",
        "feature": "Reservado directamente con {C}",
        "field": "precio",
        "invoice": "Hoja de reserva {ref}\nCliente: {n}\nServicio: {T}",
        "form_price": "Precio: {R}",
        "form_old": "Tarifas 2025, vigentes hasta el 31 de diciembre de 2025, a título informativo: {W}",  # noqa: E501
        "team": "Miembro del equipo de {k} personas que gestionó {W} reservas en 2025",
        "own_share": "Gestionó personalmente {R} reservas en 2025",
        "ach": "Gestionó {R} reservas en 2025",
        "role": "Asesora de clientes",
        "role_m": "Asesor de clientes",
    },
}
PROMISE = {lang: TEXT[lang]["promise"] for lang in LANGS}
MALE = {"Marcus", "Antoine", "Stefan", "Javier"}
EARLIER = {
    "en": ("Front desk assistant", "Lakeside Hotel"),
    "fr": ("Agent d'accueil", "Hôtel du Lac"),
    "de": ("Empfang", "Hotel Seeblick"),
    "es": ("Recepción", "Hotel del Lago"),
}
SKILLS = {
    "en": ("Customer service", "Booking management"),
    "fr": ("Service client", "Gestion des réservations"),
    "de": ("Kundenservice", "Buchungsverwaltung"),
    "es": ("Atención al cliente", "Gestión de reservas"),
}


def number(lang: str, value: float) -> str:
    """A figure written the language's way: 1,240.50 / 1 240,50 / 1.240,50."""
    text = f"{value:,.2f}"
    if lang == "en":
        return text
    whole, cents = text.split(".")
    return whole.replace(",", " " if lang == "fr" else ".") + "," + cents


def money(lang: str, value: float, sign: str) -> str:
    sign = sign if lang == "en" else "€"
    return f"{sign}{number(lang, value)}" if lang == "en" else f"{number(lang, value)} {sign}"


def count(lang: str, value: int) -> str:
    text = f"{value:,}"
    return text if lang == "en" else text.replace(",", " " if lang == "fr" else ".")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


ARTICLES = ("a", "the", "un", "une", "le", "la", "eine", "ein", "der", "das", "el", "una")


def _bare(text: str) -> str:
    """A name as a title or a form writes it, without its leading article."""
    first, _, rest = text.partition(" ")
    if text.startswith("l'"):
        return _cap(text[2:])
    return _cap(rest if first in ARTICLES else text)


@dataclass
class Facts:
    """One case's figures and the passages they sit in."""

    lang: str
    domain: Domain
    right: str  # the needed figure, as written (no currency sign)
    wrong: str | None  # the distractor's figure
    invented: str
    right_text: str  # the right source's text
    passage: str | None  # the wrong line inside the right source
    wrong_text: str | None  # the distractor source's text
    wrong_title: str | None
    right_title: str
    ask: str
    first: str  # the customer's first message, when it asks more than ``ask``
    customer: str
    staff: str
    other_staff: str


def _draw(rng: random.Random, lang: str, domain: Domain, pattern: str) -> Facts:
    t = TEXT[lang]
    low, high = domain.low, domain.high
    r_val = rng.randint(low * 4, high * 4) / 4
    w_val = r_val
    while abs(w_val - r_val) < max(1.0, r_val * 0.05):
        w_val = round(r_val * rng.uniform(0.55, 1.35) * 4) / 4
    if pattern in ("deposit", "refundable", "partner_fee", "package_hourly"):
        w_val = round(r_val * rng.uniform(0.08, 0.3) * 4) / 4 + 5
    i_val = rng.randint(low * 4, high * 4) / 4
    R, W = money(lang, r_val, domain.sign), money(lang, w_val, domain.sign)
    customer = rng.choice(NAMES[lang])
    staff, other_staff = rng.sample(STAFF[lang], 2)
    fill = {
        "T": domain.thing[lang],
        "Tc": _cap(domain.thing[lang]),
        "S": domain.sibling[lang],
        "Sc": _cap(domain.sibling[lang]),
        "O": domain.other[lang],
        "C": domain.company,
        "P": domain.partner,
        "R": R,
        "W": W,
    }

    def say(key: str, **more: str) -> str:
        return t[key].format(**fill, **more)

    right_text = say("price") + "\n" + say("price_note")
    right_title, ask = say("list"), say("ask")
    first = ""
    passage = wrong_text = wrong_title = None
    wrong: str | None = number(lang, w_val)
    right = number(lang, r_val)
    if pattern == "validity":
        right_title, wrong_title = say("list_new"), say("list_old")
        wrong_text = t["price"].format(**(fill | {"R": W})) + "\n" + say("price_note")
    elif pattern == "sibling":
        wrong_title, wrong_text = say("list_sib"), say("sibling") + "\n" + say("price_note")
    elif pattern == "other_customer":
        other = rng.choice([n for n in NAMES[lang] if n != customer])
        ref_r, ref_w = (f"Q-{rng.randint(10000, 99999)}" for _ in range(2))
        right_title, wrong_title = say("quote_title", ref=ref_r), say("quote_title", ref=ref_w)
        right_text = say("quote", ref=ref_r, who=customer, X=R)
        wrong_text = say("quote", ref=ref_w, who=other, X=W)
        ask = say("ask_quote", me=customer)
    elif pattern == "correction":
        wrong_title, wrong_text = staff, say("first")
        right_text = say("fix")
    elif pattern == "missing":
        right_title, right_text = say("hours_title"), say("hours")
        wrong, right = None, ""
    elif pattern == "partner_fee":
        right_text = say("own") + "\n" + say("price_note")
        wrong_title, wrong_text = say("partner_title"), say("partner")
        ask = ask + " " + say("by_card")
    elif pattern == "deposit":
        passage = say("deposit")
        right_text, ask = say("full") + "\n" + passage, say("ask_full")
    elif pattern == "refundable":
        passage = say("kept")
        right_text, ask = say("refund") + "\n" + passage, say("ask_refund")
    elif pattern == "package_hourly":
        passage = say("hourly")
        right_text = say("fixed") + "\n" + passage
    elif pattern == "internal_chat":
        wrong_title = "chat"
        wrong_text = say("chat", a=staff, b=other_staff)
    elif pattern == "other_question":
        wrong_title, wrong_text, first = staff, say("other"), say("ask_two")
    elif pattern == "plain":
        wrong = None
    return Facts(
        lang,
        domain,
        right,
        wrong,
        number(lang, i_val),
        right_text,
        passage,
        wrong_text,
        wrong_title,
        right_title,
        ask,
        first or ask,
        customer,
        staff,
        other_staff,
    )


def _at(rng: random.Random, day: int) -> str:
    return f"2026-11-{day:02d}T{rng.randint(8, 17):02d}:{rng.choice((5, 20, 35, 50)):02d}:00Z"


def _email(rng: random.Random, f: Facts, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = TEXT[f.lang]
    domain_mail = f.domain.company.split()[0].lower().replace("&", "") + ".example"
    staff_mail = f"{f.staff.split()[0].lower()}@{domain_mail}"
    customer_mail = f"{f.customer.split()[0].lower()}@mail.example"
    first = t["dear"] + "\n" + f.first + "\n" + t["bye"].format(n=f.customer)

    def staff_body(text: str) -> str:
        return t["hello"].format(n=f.customer) + "\n" + text + "\n" + t["bye"].format(n=f.staff)

    msgs: list[tuple[str, str, str]] = [("customer", customer_mail, first)]
    right = ("right", staff_mail, staff_body(f.right_text))
    wrong = None
    if f.wrong_text is not None:
        if pattern == "internal_chat":
            wrong = ("wrong", staff_mail, f.wrong_text)
        elif pattern in ("validity", "sibling", "partner_fee", "other_customer"):
            wrong = ("wrong", staff_mail, staff_body(f"{f.wrong_title}\n{f.wrong_text}"))
        else:
            wrong = ("wrong", staff_mail, staff_body(f.wrong_text))
    if pattern == "missing":
        msgs.append(("other", staff_mail, staff_body(f.right_text)))
    elif wrong is None:
        msgs.append(right)
    elif pattern in ("correction", "other_question") or rng.random() < 0.5:
        msgs += [wrong, right]
    else:
        msgs += [right, wrong]
    thanks = t["thanks"].format(T=f.domain.thing[f.lang])
    msgs.append(("customer", customer_mail, thanks + "\n" + f.customer))
    thread = [
        {"sender": sender, "sent_at": _at(rng, 10 + i), "body": body}
        for i, (_, sender, body) in enumerate(msgs)
    ]
    job = {
        "thread": thread,
        "subject": f.domain.company,
        "question": t["instruct"].format(n=f.customer, T=f.domain.thing[f.lang]),
        "tone": rng.choice(("neutral", "friendly", "formal")),
    }
    labels: dict[str, Any] = {"expect_outcome": "drafted"}
    roles = [role for role, _, _ in msgs]
    if "right" in roles:
        labels["must_cite"] = [f"m{roles.index('right')}"]
    if "wrong" in roles:
        labels["distractor"] = f"m{roles.index('wrong')}"
    return job, labels


def _support(rng: random.Random, f: Facts, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = TEXT[f.lang]
    ids = rng.sample(range(100, 999), 3)
    sources = [{"id": f"kb-{ids[0]}", "title": f.right_title, "text": f.right_text}]
    if pattern == "missing":
        sources[0]["id"] = f"kb-{ids[0]}"
    wrong_id = None
    if f.wrong_text is not None:
        wrong_id = f"kb-{ids[1]}" if pattern != "internal_chat" else f"chat-{ids[1]}"
        title = f.wrong_title if f.wrong_title not in (f.staff, "chat") else None
        wrong = {"id": wrong_id, "text": f.wrong_text} | ({"title": title} if title else {})
        sources.insert(rng.randint(0, 1), wrong)
    if pattern != "missing" and rng.random() < 0.4:
        sources.append(
            {
                "id": f"kb-{ids[2]}",
                "title": t["hours_title"],
                "text": t["hours"].format(C=f.domain.company),
            }
        )
    job = {"question": f.ask, "sources": sources}
    if pattern == "missing":
        return job, {"expect_outcome": "escalated", "expect_review": True}
    labels: dict[str, Any] = {"expect_outcome": "answered", "must_cite": [f"kb-{ids[0]}"]}
    if wrong_id:
        labels["distractor"] = wrong_id
    return job, labels


def _account(rng: random.Random, f: Facts, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = TEXT[f.lang]
    n = rng.randint(100, 999)
    emails = [
        {
            "id": f"e-{n}",
            "sender": f.customer,
            "sent_at": _at(rng, 3),
            "subject": f.domain.company,
            "body": f.ask + "\n" + f.customer,
        },
        {
            "id": f"e-{n + 1}",
            "sender": f.staff,
            "sent_at": _at(rng, 4),
            "subject": f.domain.company,
            "body": f.right_text + "\n" + f.staff,
        },
    ]
    notes = [{"id": f"crm-{n}", "author": f.staff, "written_at": _at(rng, 5), "text": t["note"]}]
    wrong_id = None
    if pattern == "correction":
        # The staff member's own earlier e-mail, which the right one corrects.
        wrong_id = f"e-{n + 2}"
        emails.insert(
            1,
            {
                "id": wrong_id,
                "sender": f.staff,
                "sent_at": "2026-11-03T19:00:00Z",
                "subject": f.domain.company,
                "body": f"{f.wrong_text}\n{f.staff}",
            },
        )
    elif f.wrong_text is not None:
        wrong_id = f"crm-{n + 1}"
        note = (
            f.wrong_text
            if f.wrong_title in (f.staff, "chat")
            else f"{f.wrong_title}\n{f.wrong_text}"
        )
        notes.insert(
            0, {"id": wrong_id, "author": f.other_staff, "written_at": _at(rng, 2), "text": note}
        )
    job = {
        "account": f.customer,
        "emails": emails,
        "crm_notes": notes,
        "focus": t["focus"].format(T=f.domain.thing[f.lang]),
    }
    labels: dict[str, Any] = {"expect_outcome": "summarized", "must_cite": [f"e-{n + 1}"]}
    if wrong_id:
        labels["distractor"] = wrong_id
    return job, labels


def _follow_up(rng: random.Random, f: Facts, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = TEXT[f.lang]
    turns: list[dict[str, Any]] = [
        {"id": "t1", "speaker": f.customer, "at": _at(rng, 3), "text": f.ask},
    ]
    if pattern == "correction":
        turns.append({"id": "t2", "speaker": f.staff, "at": _at(rng, 4), "text": f.wrong_text})
    elif pattern == "partner_fee":
        turns.append(
            {"id": "t2", "speaker": f.other_staff, "at": _at(rng, 4), "text": f.wrong_text}
        )
    turns.append(
        {
            "id": f"t{len(turns) + 1}",
            "speaker": f.staff,
            "at": _at(rng, 5),
            "text": f.right_text + " " + PROMISE[f.lang],
        }
    )
    turns.append(
        {"id": f"t{len(turns) + 1}", "speaker": f.customer, "at": _at(rng, 6), "text": t["ok"]}
    )
    job = {
        "conversation": turns,
        "about": t["about"].format(T=f.domain.thing[f.lang]),
        "sender": f.staff,
        "recipient": f.customer,
        "tone": rng.choice(("neutral", "friendly", "formal")),
    }
    cited = next(x["id"] for x in turns if PROMISE[f.lang] in x["text"])
    labels: dict[str, Any] = {"expect_outcome": "drafted", "must_cite": [cited]}
    if pattern in ("correction", "partner_fee"):
        labels["distractor"] = "t2"
    return job, labels


def _product(rng: random.Random, f: Facts, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = TEXT[f.lang]
    d = f.domain
    refs: list[dict[str, Any]] = [
        {"id": f"sheet-{rng.randint(10, 99)}", "title": f.right_title, "text": f.right_text}
    ]
    right_id = refs[0]["id"]
    if f.wrong_text is not None and f.passage is None:
        refs.insert(rng.randint(0, 1), _reference(f"{right_id}b", f))
    job = {
        "product": {
            "name": _bare(d.thing[f.lang]),
            "brand": d.company,
            "category": d.name.replace("_", " "),
            "sku": f"{d.name[:3].upper()}-{rng.randint(1000, 9999)}",
            "attributes": {"provider": d.company},
            "features": [t["feature"].format(C=d.company)],
        },
        "locale": LOCALES[f.lang],
        "metadata_locale": LOCALES[f.lang],
        "customer_tier": rng.choice(("standard", "premium", "business")),
        "references": refs,
    }
    labels: dict[str, Any] = {"expect_outcome": "written", "must_cite": [right_id]}
    if f.wrong_text is not None and f.passage is None:
        labels["distractor"] = f"{right_id}b"
    return job, labels


def _reference(ref_id: str, f: Facts) -> dict[str, Any]:
    """The distractor as a reference: a chat or a message has no title of its own."""
    if f.wrong_title in (f.staff, "chat"):
        return {"id": ref_id, "text": f.wrong_text}
    return {"id": ref_id, "title": f.wrong_title, "text": f.wrong_text}


def _metadata(rng: random.Random, f: Facts, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = TEXT[f.lang]
    d = f.domain
    field = "refundable_amount" if pattern == "refundable" else "price"
    right_id = f"ref-{rng.randint(10, 99)}"
    refs: list[dict[str, Any]] = [{"id": right_id, "title": f.right_title, "text": f.right_text}]
    if f.wrong_text is not None and f.passage is None:
        refs.insert(rng.randint(0, 1), _reference(f"{right_id}x", f))
    job = {
        "title": _bare(d.thing[f.lang]),
        "description": t["card"].format(Tc=_cap(d.thing[f.lang]), C=d.company),
        "references": refs,
        "fields": [field],
    }
    labels: dict[str, Any] = {
        "expect_outcome": "enriched",
        "must_cite": {field: right_id},
        "must_fill": {field: f.right},
    }
    if f.wrong_text is not None and f.passage is None:
        labels["distractor"] = f"{right_id}x"
    return job, labels


def _document(rng: random.Random, f: Facts, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = TEXT[f.lang]
    d = f.domain
    ref = f"BK-{rng.randint(10000, 99999)}"
    sign = d.sign if f.lang == "en" else "€"
    r_money = money(f.lang, _value(f.lang, f.right), sign)
    lines = [t["invoice"].format(ref=ref, n=f.customer, T=_bare(d.thing[f.lang])), d.company]
    price_line = t["form_price"].format(R=r_money)
    lines.append(price_line)
    if f.passage is not None:
        lines.append(f.passage)
    elif pattern == "validity":
        assert f.wrong is not None
        f.passage = t["form_old"].format(W=money(f.lang, _value(f.lang, f.wrong), sign))
        lines.append(f.passage)
    lines.append(t["price_note"])
    job = {
        "document_type": "form",
        "text": "\n".join(lines),
        "fields": ["booking_reference", "customer", "price"],
    }
    labels: dict[str, Any] = {
        "expect_outcome": "extracted",
        "must_extract": {"booking_reference": ref, "customer": f.customer, "price": r_money},
    }
    return job, labels


def _value(lang: str, written: str) -> float:
    if lang == "en":
        return float(written.replace(",", ""))
    return float(written.replace(" ", "").replace(".", "").replace(",", "."))


def _bio(rng: random.Random, f: Facts, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = TEXT[f.lang]
    own = rng.randint(300, 1900)
    k = rng.randint(6, 14)
    total = own * rng.randint(5, 9) + rng.randint(1, 99)
    f.right, f.invented = count(f.lang, own), count(f.lang, own + total)
    if pattern == "team_share":
        f.wrong = None
        achievements = [
            t["team"].format(k=k, W=count(f.lang, total)),
            t["own_share"].format(R=f.right),
        ]
    else:
        achievements = [t["ach"].format(R=f.right)]
    start = rng.randint(2012, 2019)
    male = f.staff.split()[0] in MALE
    earlier_role, earlier_org = EARLIER[f.lang]
    job = {
        "profile": {
            "name": f.staff,
            "role": t["role_m"] if male else t["role"],
            "organization": f.domain.company,
            "pronouns": "he" if male else "she",
            "experience": [
                {
                    "role": earlier_role,
                    "organization": earlier_org,
                    "start_year": start - rng.randint(2, 5),
                    "end_year": start,
                }
            ],
            "skills": list(SKILLS[f.lang]),
            "achievements": achievements,
        },
        "tone": "professional",
        "length": rng.choice(("short", "medium")),
    }
    return job, {"expect_outcome": "written"}


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


def _case(
    rng: random.Random, kind: str, pattern: str, lang: str, domain: Domain, n: int
) -> dict[str, Any]:
    f = _draw(rng, lang, domain, pattern)
    job, labels = BUILDERS[kind](rng, f, pattern)
    job = _contract(lang, job)
    if f.passage is not None:
        f.passage = _contract(lang, f.passage)
    case: dict[str, Any] = {
        "id": f"hh-{kind}-{n:03d}-{pattern}",
        "kind": kind,
        "pattern": pattern,
        "lang": lang,
        "domain": domain.name,
        "input": job,
        "expect_outcome": labels.pop("expect_outcome"),
    }
    if "expect_review" in labels:
        case["expect_review"] = labels.pop("expect_review")
    case["must_contain"] = [f.right] if f.right else []
    banned: dict[str, str] = {}
    if f.wrong is not None and pattern != "missing":
        banned[f.wrong] = "distractor"
    banned[f.invented] = "invented"
    case["must_not_contain"] = list(banned)
    case["banned"] = banned
    case.update(labels)
    if f.passage is not None and f.wrong is not None:
        case["distractor"] = _right_ids(case)[0]
        case["distractor_passage"] = f.passage
    return case


def _right_ids(case: dict[str, Any]) -> list[str]:
    """The sources a correct answer rests on."""
    if case["kind"] in ("document_extraction", "bio"):
        return [_home(case["kind"])]
    cite = case.get("must_cite", [])
    return list(cite.values()) if isinstance(cite, dict) else list(cite)


CONTRACTIONS = {
    "es": ((" de el ", " del "), (" a el ", " al ")),
    "fr": ((" de le ", " du "), (" à le ", " au ")),
}


def _contract(lang: str, value: Any) -> Any:
    """Every text of ``value`` with the language's article contractions ("de el" → "del")."""
    if isinstance(value, str):
        for long, short in CONTRACTIONS.get(lang, ()):
            value = value.replace(long, short)
        return value
    if isinstance(value, dict):
        return {k: _contract(lang, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_contract(lang, v) for v in value]
    return value


def _home(kind: str) -> str:
    return {"document_extraction": "document", "bio": "profile"}[kind]


def grounded_h_cases(rng: random.Random) -> list[dict[str, Any]]:
    """Every case of the set, in a fixed order; a case is drawn again until its labels hold."""
    cases: list[dict[str, Any]] = []
    per_pattern: Counter[str] = Counter()
    sizes = sum((Counter(plan) for plan in PLANS.values()), Counter[str]())
    for kind, plan in PLANS.items():
        order = [p for p, k in plan.items() for _ in range(k)]
        rng.shuffle(order)
        for n, pattern in enumerate(order):
            langs = (
                Counter(c["lang"] for c in cases if c["pattern"] == pattern),
                Counter(c["lang"] for c in cases if c["kind"] == kind),
            )
            lang = _lang(langs, per_pattern[pattern], sizes[pattern])
            per_pattern[pattern] += 1
            domain = DOMAINS[len(cases) * 5 % len(DOMAINS)]
            for _ in range(50):
                case = _case(rng, kind, pattern, lang, domain, n)
                if not mislabelled(case):
                    break
            else:  # pragma: no cover - a generator bug, not a data condition
                raise AssertionError(f"no true labels for {kind} {pattern}: {mislabelled(case)}")
            cases.append(case)
    return cases


def _lang(rng_free: tuple[Counter[str], Counter[str]], in_pattern: int, plan_size: int) -> str:
    """About one case in four in French, German or Spanish (one in three for a small
    family), each language in turn where the family, then the kind, has it least."""
    by_pattern, by_kind = rng_free
    if in_pattern % (4 if plan_size >= 12 else 3) != 1:
        return "en"
    return min(LANGS[1:], key=lambda lang: (by_pattern[lang], by_kind[lang]))


def mislabelled(case: dict[str, Any]) -> list[str]:
    """What is untrue of the case's labels: every needed fact in a right source, every
    distractor fact only in the distractor (inside its passage when one is named), every
    invented fact nowhere in the input."""
    material = grounding.material(case["kind"], case["input"]) or {}
    right_ids = _right_ids(case)
    problems = []
    needed = list(case["must_contain"]) + list(case.get("must_fill", {}).values())
    for fact in needed:
        if not any(fact in material.get(i, "") for i in right_ids):
            problems.append(f"needed {fact!r} is in no right source")
    for value in case.get("must_extract", {}).values():
        if value not in case["input"]["text"]:
            problems.append(f"extracted {value!r} is not in the document")
    distractor = case.get("distractor")
    passage = case.get("distractor_passage")
    if distractor is not None and distractor in right_ids and passage is None:
        problems.append(f"distractor source {distractor!r} is a right source")
    everything = grounding.plain_text(case["input"])
    for fact, origin in case["banned"].items():
        if any(fact in n or n in fact for n in needed):
            problems.append(f"banned {fact!r} is inside a needed fact")
        if origin == "invented" and fact in everything:
            problems.append(f"banned {fact!r} is not invented")
        if origin == "distractor":
            home = material.get(distractor or "", "")
            if passage is not None:
                outside = home.replace(passage, "")
                others = [t for i, t in material.items() if i != distractor] + [outside]
                found = fact in passage
            else:
                others = [t for i, t in material.items() if i != distractor]
                found = fact in home
            if not found or any(fact in t for t in others):
                problems.append(f"banned {fact!r} is not only in the distractor")
    return problems
