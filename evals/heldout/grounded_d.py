"""The fourth held-out grounded set (``heldout/grounded_d.jsonl``), written blind.

Written without reading the three earlier grounded sets, the offline provider, the
prompts or the guards, to be run once, at the end, by someone who did not write it.
New domains (pharmacy refills, family health cover, freight and customs, hotels,
schools, electronics warranty, media subscriptions, coworking) and new traps
(``pattern``): a policy whose exception applies to the customer (the general figure
banned), a figure given as a range (a point inside it, or its upper bound as "up to",
banned), a percentage read as an amount, a deadline in a named time zone asked about
from another (the deadline relabelled with the customer's zone banned), an attachment
whose automatic summary misreads it, a customer's own wrong claim the source
contradicts, a qualification still in progress (bios) and the right source missing
(support escalates). About a third of the cases are plain: one source, no trap.

Every case states what a correct output must contain and cite, and what it must not
contain (``banned``: ``invented``, found nowhere in the input, or ``distractor``, found
only in the ``distractor`` source, or only inside its ``distractor_passage`` when the
wrong figure sits in a right source). :func:`mislabelled` checks those labels against
the input; a case whose drawn figures break them is drawn again.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evals import grounding

SEED = 20261208
LANGS = ("en", "fr", "de", "es")

Case = dict[str, Any]


@dataclass(frozen=True)
class Domain:
    """One line of business: its sources' wording, per trap, with the values drawn."""

    name: str
    company: str
    mail: str
    currency: str
    label: str
    fact: dict[str, str]
    fact_ask: dict[str, str]
    fact_unit: dict[str, str]
    fact_values: tuple[int, ...]
    range_rule: str
    range_ask: str
    range_unit: str
    pct_rule: str
    pct_ask: str
    deadline_rule: str
    deadline_ask: str
    exc_general: str
    exc_rule: str
    exc_situation: str
    exc_ask: str
    exc_values: tuple[int, ...]
    doc_title: str
    amount_label: str
    filler: tuple[str, ...]
    others: tuple[tuple[str, str], ...]
    product: dict[str, Any]
    people: tuple[str, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain(
        name="pharmacy",
        company="Lindenhof Apotheke Online",
        mail="lindenhof-apotheke.example",
        currency="€",
        label="prescription refills",
        fact={
            "en": "Refill requests sent through the app are ready for collection within {v}.",
            "fr": "Les demandes de renouvellement envoyées par l'application sont prêtes à "
            "retirer sous {v}.",
            "de": "Über die App gesendete Folgerezepte liegen innerhalb von {v} zur Abholung "
            "bereit.",
            "es": "Las renovaciones solicitadas por la app están listas para recoger en {v}.",
        },
        fact_ask={
            "en": "How long until my refill is ready to collect?",
            "fr": "Dans combien de temps mon renouvellement sera-t-il prêt à retirer ?",
            "de": "Wann kann ich mein Folgerezept abholen?",
            "es": "¿Cuándo estará lista mi renovación para recoger?",
        },
        fact_unit={"en": "hours", "fr": "heures", "de": "Stunden", "es": "horas"},
        fact_values=(24, 36, 48, 72),
        range_rule="Home delivery of refills takes {v}.",
        range_ask="How long does home delivery of a refill take?",
        range_unit="working days",
        pct_rule="Over-the-counter items ordered together with a refill are discounted by {p}.",
        pct_ask="Is there a discount on the paracetamol I add to my refill order?",
        deadline_rule="Refill orders placed by {when} are dispatched before the holiday closure.",
        deadline_ask="What is the last moment to order my refill before the holiday closure?",
        exc_general="Repeat prescriptions can be refilled up to {v} before they run out.",
        exc_rule="Except: controlled medicines can be refilled at most {v} before they run out.",
        exc_situation="My prescription is for methylphenidate, which is a controlled medicine.",
        exc_ask="How early can I request the refill?",
        exc_values=(5, 7, 10),
        doc_title="Prescription charges statement",
        amount_label="Amount charged",
        filler=(
            "Please bring your insurance card when you collect.",
            "You will get a text message as soon as the order is ready.",
        ),
        others=(
            (
                "Opening hours",
                "Our counter is open Monday to Saturday; on public holidays "
                "the emergency pharmacy rota applies.",
            ),
            (
                "Disposal of old medicines",
                "Bring expired medicines to the counter in their "
                "packaging; we dispose of them free of charge.",
            ),
        ),
        product={
            "name": "Upper-arm blood pressure monitor BP-40",
            "brand": "Lindenhof Care",
            "category": "Health monitors",
            "feature": "stores readings for two users",
            "range_attr": "battery_life",
            "range_unit": "measurements per set of batteries",
            "pct_attr": "recycled_plastic",
        },
        people=("pharmacists", "pharmacies"),
    ),
    Domain(
        name="health_cover",
        company="Famiglia Health Cover",
        mail="famiglia-cover.example",
        currency="€",
        label="family health cover",
        fact={
            "en": "Dental treatment is covered after a waiting period of {v}.",
            "fr": "Les soins dentaires sont couverts après un délai de carence de {v}.",
            "de": "Zahnbehandlungen sind nach einer Wartezeit von {v} versichert.",
            "es": "Los tratamientos dentales están cubiertos tras un periodo de carencia de {v}.",
        },
        fact_ask={
            "en": "When does my dental cover start?",
            "fr": "Quand ma couverture dentaire commence-t-elle ?",
            "de": "Ab wann bin ich für Zahnbehandlungen versichert?",
            "es": "¿Cuándo empieza mi cobertura dental?",
        },
        fact_unit={"en": "months", "fr": "mois", "de": "Monaten", "es": "meses"},
        fact_values=(3, 6, 8, 9),
        range_rule="Claims are reimbursed within {v} of receipt.",
        range_ask="How long does it take to get my claim reimbursed?",
        range_unit="business days",
        pct_rule="Once the deductible is met, you pay {p} of each bill (co-insurance).",
        pct_ask="What do I pay for a bill after the deductible is met?",
        deadline_rule="Claims for last year's treatment must be filed by {when}.",
        deadline_ask="What is the deadline to file my claims for last year?",
        exc_general="The annual deductible is {v} per insured adult.",
        exc_rule="Except: for insured children under 18 the annual deductible is {v}.",
        exc_situation="I'm asking about my daughter, she is nine and on our family policy.",
        exc_ask="What is her annual deductible?",
        exc_values=(150, 250, 300, 400),
        doc_title="Claim settlement statement",
        amount_label="Amount reimbursed",
        filler=(
            "You can follow every claim in the member portal.",
            "Keep the original invoices for two years.",
        ),
        others=(
            (
                "Adding a newborn",
                "Add a newborn to the family policy by sending the birth "
                "certificate; cover starts from the date of birth.",
            ),
            (
                "Choosing a doctor",
                "You may see any licensed doctor; referrals are needed only for specialists.",
            ),
        ),
        product={
            "name": "Family first-aid kit FA-200",
            "brand": "Famiglia Essentials",
            "category": "First aid",
            "feature": "colour-coded pouches for wounds, burns and medicines",
            "range_attr": "shelf_life",
            "range_unit": "years",
            "pct_attr": "recycled_plastic",
        },
        people=("claims handlers", "member families"),
    ),
    Domain(
        name="freight_customs",
        company="Nordkap Freight & Customs",
        mail="nordkap-freight.example",
        currency="€",
        label="customs clearance",
        fact={
            "en": "Goods held at customs are stored free of charge for {v}.",
            "fr": "Les marchandises retenues en douane sont stockées gratuitement pendant {v}.",
            "de": "Beim Zoll liegende Waren werden {v} lang kostenlos gelagert.",
            "es": "La mercancía retenida en aduana se almacena gratis durante {v}.",
        },
        fact_ask={
            "en": "How long is storage free while my shipment is held at customs?",
            "fr": "Combien de temps le stockage est-il gratuit pendant la retenue en douane ?",
            "de": "Wie lange ist die Lagerung beim Zoll kostenlos?",
            "es": "¿Cuánto tiempo es gratis el almacenaje en aduana?",
        },
        fact_unit={"en": "days", "fr": "jours", "de": "Tage", "es": "días"},
        fact_values=(3, 5, 7, 8),
        range_rule="Customs clearance usually takes {v} once all documents are in.",
        range_ask="How long will customs clearance take for my consignment?",
        range_unit="working days",
        pct_rule="Import duty on this tariff line is charged at {p} of the customs value.",
        pct_ask="How much duty will I pay on the bicycles I'm importing?",
        deadline_rule="Commercial invoices for the next sailing must be uploaded by {when}.",
        deadline_ask="By when do I need to upload the commercial invoice?",
        exc_general="Import duty is charged on consignments valued above {v}.",
        exc_rule="Except: gifts sent between private individuals are duty-free up to {v}.",
        exc_situation="The parcel is a birthday present from my brother, sent privately.",
        exc_ask="Up to what value is it free of duty?",
        exc_values=(150, 250, 350, 450),
        doc_title="Customs duty notice",
        amount_label="Duty payable",
        filler=(
            "Our brokers work from the port office on weekdays.",
            "Track the consignment with your house bill of lading number.",
        ),
        others=(
            (
                "Dangerous goods",
                "Lithium batteries and aerosols need a dangerous goods "
                "declaration before we can book space.",
            ),
            (
                "Pallet sizes",
                "We accept Euro pallets and industrial pallets; oversized loads need a quote.",
            ),
        ),
        product={
            "name": "Heavy-duty export crate XC-12",
            "brand": "Nordkap Packaging",
            "category": "Shipping supplies",
            "feature": "ISPM 15 heat-treated timber",
            "range_attr": "load_capacity",
            "range_unit": "kg",
            "pct_attr": "recycled_timber",
        },
        people=("customs brokers", "freight forwarders"),
    ),
    Domain(
        name="hotel",
        company="Hotel Rivabella",
        mail="rivabella-hotel.example",
        currency="€",
        label="your booking",
        fact={
            "en": "Breakfast is free for children up to {v} old.",
            "fr": "Le petit-déjeuner est gratuit pour les enfants jusqu'à {v}.",
            "de": "Das Frühstück ist für Kinder bis {v} kostenlos.",
            "es": "El desayuno es gratis para niños de hasta {v}.",
        },
        fact_ask={
            "en": "Up to what age is breakfast free for children?",
            "fr": "Jusqu'à quel âge le petit-déjeuner est-il gratuit pour les enfants ?",
            "de": "Bis zu welchem Alter ist das Frühstück für Kinder kostenlos?",
            "es": "¿Hasta qué edad es gratis el desayuno para los niños?",
        },
        fact_unit={"en": "years", "fr": "ans", "de": "Jahre", "es": "años"},
        fact_values=(6, 8, 11, 12),
        range_rule="Refunds reach your card {v} after the cancellation is confirmed.",
        range_ask="When will the refund for my cancelled room show on my card?",
        range_unit="business days",
        pct_rule="A late cancellation costs {p} of the first night.",
        pct_ask="What does a late cancellation cost?",
        deadline_rule="Free cancellation for your stay is possible until {when}.",
        deadline_ask="Until when can I cancel for free?",
        exc_general="Flexible rate bookings can be cancelled free of charge up to {v} before "
        "arrival.",
        exc_rule="Except: Advance Saver bookings can be cancelled free of charge only within "
        "{v} of booking.",
        exc_situation="I booked the Advance Saver rate last week.",
        exc_ask="Until when can I cancel without paying?",
        exc_values=(24, 48, 72),
        doc_title="Guest folio",
        amount_label="Balance due",
        filler=(
            "Check-in opens at 15:00 and the garage has charging points.",
            "Our reception is staffed around the clock.",
        ),
        others=(
            ("Pets", "Dogs are welcome in ground-floor rooms; please tell us when booking."),
            (
                "Parking",
                "The underground garage is reserved for guests; spaces are given on arrival.",
            ),
        ),
        product={
            "name": "Rivabella waffle bathrobe",
            "brand": "Rivabella Home",
            "category": "Bath textiles",
            "feature": "waffle weave with a shawl collar",
            "range_attr": "wash_cycles",
            "range_unit": "washes",
            "pct_attr": "organic_cotton",
        },
        people=("receptionists", "hotels"),
    ),
    Domain(
        name="school",
        company="Westbrook International School",
        mail="westbrook-school.example",
        currency="£",
        label="term dates and fees",
        fact={
            "en": "The registration deposit is refunded if you withdraw at least {v} before "
            "the start of term.",
            "fr": "L'acompte d'inscription est remboursé en cas de retrait au moins {v} avant "
            "la rentrée.",
            "de": "Die Anmeldegebühr wird erstattet, wenn Sie mindestens {v} vor "
            "Schuljahresbeginn abmelden.",
            "es": "La matrícula se reembolsa si se da de baja al menos {v} antes del inicio "
            "del curso.",
        },
        fact_ask={
            "en": "Can we get the registration deposit back if we withdraw?",
            "fr": "Pouvons-nous récupérer l'acompte d'inscription en cas de retrait ?",
            "de": "Bekommen wir die Anmeldegebühr zurück, wenn wir abmelden?",
            "es": "¿Nos devuelven la matrícula si damos de baja a nuestro hijo?",
        },
        fact_unit={"en": "weeks", "fr": "semaines", "de": "Wochen", "es": "semanas"},
        fact_values=(4, 6, 8, 9),
        range_rule="End-of-term reports are sent {v} after the last day of term.",
        range_ask="When will we receive our son's end-of-term report?",
        range_unit="weeks",
        pct_rule="Siblings enrolled at the same time get a reduction of {p} on tuition.",
        pct_ask="Is there a reduction for our second child's tuition?",
        deadline_rule="Applications for the spring term close at {when}.",
        deadline_ask="When do applications for the spring term close?",
        exc_general="Term fees are due {v} before the first day of term.",
        exc_rule="Except: families on the monthly instalment plan pay each instalment {v} "
        "before the month starts.",
        exc_situation="We are on the monthly instalment plan.",
        exc_ask="When is our payment due?",
        exc_values=(5, 10, 14),
        doc_title="Fee statement",
        amount_label="Amount due",
        filler=(
            "The school office is open from 08:00 during term.",
            "Uniform can be ordered through the parent portal.",
        ),
        others=(
            ("Lunch menus", "Lunch menus are published every Friday for the following week."),
            ("Lost property", "Lost items are kept at reception until the end of each term."),
        ),
        product={
            "name": "Student scientific calculator SC-300",
            "brand": "Westbrook Supplies",
            "category": "School supplies",
            "feature": "exam-approved, no programmable memory",
            "range_attr": "battery_life",
            "range_unit": "hours",
            "pct_attr": "recycled_plastic",
        },
        people=("teachers", "schools"),
    ),
    Domain(
        name="electronics_warranty",
        company="Voltaro Electronics",
        mail="voltaro.example",
        currency="$",
        label="warranty and returns",
        fact={
            "en": "Returns are accepted within {v} of delivery.",
            "fr": "Les retours sont acceptés dans les {v} suivant la livraison.",
            "de": "Rücksendungen werden innerhalb von {v} nach Lieferung angenommen.",
            "es": "Se aceptan devoluciones en los {v} siguientes a la entrega.",
        },
        fact_ask={
            "en": "How long do I have to return my speaker?",
            "fr": "Combien de temps ai-je pour retourner mon enceinte ?",
            "de": "Wie lange kann ich meinen Lautsprecher zurückschicken?",
            "es": "¿Cuánto tiempo tengo para devolver mi altavoz?",
        },
        fact_unit={"en": "days", "fr": "jours", "de": "Tagen", "es": "días"},
        fact_values=(14, 21, 30, 45),
        range_rule="Warranty repairs take {v} from the day we receive the device.",
        range_ask="How long will the repair of my headphones take?",
        range_unit="working days",
        pct_rule="Accidental damage repairs outside the warranty cost {p} of the list price.",
        pct_ask="I dropped my tablet. What would the repair cost?",
        deadline_rule="Trade-in devices for the autumn offer must be registered by {when}.",
        deadline_ask="By when do I have to register my old phone for the trade-in offer?",
        exc_general="Products bought in our own stores and web shop carry a warranty of {v}.",
        exc_rule="Except: products bought from an authorised reseller are covered for {v} by "
        "the reseller.",
        exc_situation="I bought my soundbar from an authorised reseller, not from you.",
        exc_ask="How long is it covered?",
        exc_values=(12, 18, 24, 36),
        doc_title="Repair quote",
        amount_label="Total",
        filler=(
            "Please keep your proof of purchase.",
            "Register your device to get software updates by e-mail.",
        ),
        others=(
            ("Firmware updates", "Updates install overnight when the device is charging."),
            ("Recycling old devices", "Drop old devices at any store; we recycle them for free."),
        ),
        product={
            "name": "Voltaro Aria wireless headphones",
            "brand": "Voltaro",
            "category": "Headphones",
            "feature": "active noise cancelling with a transparency mode",
            "range_attr": "battery_life",
            "range_unit": "hours",
            "pct_attr": "recycled_plastic",
        },
        people=("repair technicians", "stores"),
    ),
    Domain(
        name="media_subscription",
        company="Lumen Stream",
        mail="lumenstream.example",
        currency="$",
        label="your subscription",
        fact={
            "en": "Downloaded episodes stay available offline for {v}.",
            "fr": "Les épisodes téléchargés restent disponibles hors ligne pendant {v}.",
            "de": "Heruntergeladene Folgen bleiben {v} lang offline verfügbar.",
            "es": "Los episodios descargados siguen disponibles sin conexión durante {v}.",
        },
        fact_ask={
            "en": "How long can I watch downloaded episodes offline?",
            "fr": "Combien de temps puis-je regarder les épisodes téléchargés hors ligne ?",
            "de": "Wie lange kann ich heruntergeladene Folgen offline ansehen?",
            "es": "¿Cuánto tiempo puedo ver sin conexión los episodios descargados?",
        },
        fact_unit={"en": "days", "fr": "jours", "de": "Tage", "es": "días"},
        fact_values=(7, 14, 30, 48),
        range_rule="When you upgrade mid-cycle, the prorated charge appears on your statement "
        "within {v}.",
        range_ask="When will I see the prorated charge for my upgrade?",
        range_unit="business days",
        pct_rule="Paying yearly instead of monthly saves {p} on the Premium plan.",
        pct_ask="How much do I save by paying yearly?",
        deadline_rule="Switch to yearly billing by {when} to keep the launch price.",
        deadline_ask="Until when can I switch to yearly billing at the launch price?",
        exc_general="You can pause your subscription for up to {v} a year.",
        exc_rule="Except: on the Family plan pauses are limited to {v} a year.",
        exc_situation="I'm on the Family plan with my kids.",
        exc_ask="How long can I pause it?",
        exc_values=(4, 6, 8, 12),
        doc_title="Invoice",
        amount_label="Total charged",
        filler=(
            "Manage your plan under Account > Subscription.",
            "Each profile keeps its own watch history.",
        ),
        others=(
            ("Parental controls", "Set a PIN for each profile under Account > Profiles."),
            (
                "Supported devices",
                "The app runs on smart TVs, streaming sticks, phones and browsers.",
            ),
        ),
        product={
            "name": "Lumen Stream 4K stick",
            "brand": "Lumen",
            "category": "Streaming devices",
            "feature": "voice remote with a dedicated Lumen button",
            "range_attr": "remote_battery_life",
            "range_unit": "months",
            "pct_attr": "recycled_plastic",
        },
        people=("support agents", "partner channels"),
    ),
    Domain(
        name="coworking",
        company="Hive Commons Coworking",
        mail="hivecommons.example",
        currency="€",
        label="your membership",
        fact={
            "en": "Unused meeting-room credits roll over for {v}.",
            "fr": "Les crédits de salle de réunion non utilisés sont reportés pendant {v}.",
            "de": "Nicht genutzte Besprechungsraum-Guthaben werden {v} lang übertragen.",
            "es": "Los créditos de sala no usados se conservan durante {v}.",
        },
        fact_ask={
            "en": "What happens to the meeting-room credits I don't use this month?",
            "fr": "Que deviennent mes crédits de salle non utilisés ce mois-ci ?",
            "de": "Was passiert mit meinem ungenutzten Besprechungsraum-Guthaben?",
            "es": "¿Qué pasa con los créditos de sala que no uso este mes?",
        },
        fact_unit={"en": "months", "fr": "mois", "de": "Monate", "es": "meses"},
        fact_values=(2, 3, 4, 6),
        range_rule="New access cards are issued within {v} of signing up.",
        range_ask="When will I get my access card?",
        range_unit="working days",
        pct_rule="Members get {p} off meeting-room hours booked outside their plan.",
        pct_ask="Do I get a discount on extra meeting-room hours?",
        deadline_rule="Desk bookings for the December closure week must be made by {when}.",
        deadline_ask="By when do I have to book a desk for the closure week?",
        exc_general="Meeting rooms can be cancelled free of charge up to {v} before the "
        "booking starts.",
        exc_rule="Except: rooms booked for more than 8 people need {v} notice to cancel free "
        "of charge.",
        exc_situation="I booked the large room for 12 people on Thursday.",
        exc_ask="How much notice do I need to give to cancel it for free?",
        exc_values=(24, 48, 72),
        doc_title="Invoice",
        amount_label="Total due",
        filler=(
            "The front desk is staffed from 08:30 to 18:00.",
            "Printing is included up to the monthly allowance.",
        ),
        others=(
            (
                "Guest access",
                "Register guests in the app the day before; they collect a "
                "badge at the front desk.",
            ),
            ("Quiet zones", "Calls are not allowed in the library zone."),
        ),
        product={
            "name": "Hive sit-stand desk SD-2",
            "brand": "Hive Commons Furniture",
            "category": "Office furniture",
            "feature": "dual motor with four memory positions",
            "range_attr": "height_range",
            "range_unit": "cm",
            "pct_attr": "recycled_steel",
        },
        people=("community managers", "coworking spaces"),
    ),
)

ZONES = (
    ("CET", "Chicago", "CST"),
    ("CET", "New York", "EST"),
    ("GMT", "Singapore", "SGT"),
    ("EST", "Berlin", "CET"),
    ("PST", "London", "GMT"),
    ("CET", "Toronto", "EST"),
)
"""(the zone the source names, the customer's city, that city's zone)."""

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

NAMES = {
    "en": (
        "Olivia Grant",
        "Marcus Bell",
        "Priya Nair",
        "Daniel Okafor",
        "Hannah Cole",
        "Tom Whitaker",
        "Grace Liu",
        "Samuel Reyes",
    ),
    "fr": ("Camille Laurent", "Julien Moreau", "Élodie Garnier", "Hugo Lefèvre"),
    "de": ("Katrin Vogel", "Jonas Albrecht", "Miriam Hoffmann", "Lukas Brenner"),
    "es": ("Lucía Serrano", "Javier Ortega", "Marta Iglesias", "Diego Campos"),
}
PRONOUNS = {
    **dict.fromkeys(("Olivia", "Priya", "Hannah", "Grace", "Camille", "Élodie"), "she"),
    **dict.fromkeys(("Katrin", "Miriam", "Lucía", "Marta"), "she"),
    **dict.fromkeys(("Marcus", "Daniel", "Tom", "Samuel", "Julien", "Hugo"), "he"),
    **dict.fromkeys(("Jonas", "Lukas", "Javier", "Diego"), "he"),
}
AGENTS = ("Nadia Petrova", "Sven Olsen", "Aisha Rahman", "Leo Martins")

GREET = {"en": "Hello {n},", "fr": "Bonjour {n},", "de": "Hallo {n},", "es": "Hola {n}:"}
SIGN = {
    "en": "Kind regards,\n{a}\n{c}",
    "fr": "Cordialement,\n{a}\n{c}",
    "de": "Viele Grüße\n{a}\n{c}",
    "es": "Un saludo,\n{a}\n{c}",
}
CLAIM = {
    "en": 'Your website says: "{rule}" So that still applies, right?',
    "fr": "D'après votre site : « {rule} » C'est toujours le cas ?",
    "de": "Auf Ihrer Website steht: „{rule}“ Gilt das noch?",
    "es": "En su web pone: «{rule}» ¿Sigue siendo así?",
}
THANKS = {
    "en": "Thanks, {n}",
    "fr": "Merci, {n}",
    "de": "Danke, {n}",
    "es": "Gracias, {n}",
}

PLANS: dict[str, dict[str, int]] = {
    "email_reply": {
        "plain": 26,
        "exception": 9,
        "range": 9,
        "percent": 9,
        "timezone": 9,
        "attachment": 9,
        "customer_claim": 9,
    },
    "support_answer": {
        "plain": 26,
        "exception": 8,
        "range": 8,
        "percent": 8,
        "timezone": 8,
        "attachment": 8,
        "customer_claim": 8,
        "missing": 6,
    },
    "account_summary": {"plain": 8, "attachment": 5, "percent": 5, "range": 5},
    "follow_up_draft": {"plain": 8, "range": 4, "percent": 4, "timezone": 4, "customer_claim": 3},
    "product_description": {"plain": 8, "range": 7, "percent": 7},
    "metadata_enrichment": {"plain": 8, "range": 8, "percent": 7},
    "document_extraction": {"plain": 8, "percent": 5, "range": 5, "timezone": 5},
    "bio": {"plain": 8, "range": 7, "in_progress": 7},
}
"""Per kind, how many cases of each trap (``plain``: none)."""
COUNTS = Counter({kind: sum(plan.values()) for kind, plan in PLANS.items()})
MULTILINGUAL = ("plain", "customer_claim")
"""The patterns whose e-mail and support cases are written in French, German and
Spanish too (every other in the customer's English)."""


@dataclass
class Trap:
    """What one case's right source says, what the customer asks, and its labels."""

    pattern: str
    right: str
    ask: str
    needed: list[str]
    banned: dict[str, str]
    wrong: str = ""
    passage: str | None = None
    situation: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --- the traps -------------------------------------------------------------------------


def _two(rng: random.Random, values: tuple[int, ...]) -> tuple[int, int, int]:
    """Three of a domain's plausible values: the right one, a wrong one, an invented one."""
    a, b, c = rng.sample(values, 3)
    return a, b, c


def _qty(n: int, unit: str) -> str:
    return f"{n} {unit}"


def _exc_unit(d: Domain) -> str:
    if d.name in ("pharmacy", "school"):
        return "days"
    if d.name in ("hotel", "coworking"):
        return "hours"
    if d.name == "electronics_warranty":
        return "months"
    return "weeks" if d.name == "media_subscription" else ""


def _exc_value(d: Domain, n: int) -> str:
    unit = _exc_unit(d)
    return f"{n} {unit}" if unit else f"{d.currency}{n}"


def trap_plain(d: Domain, lang: str, rng: random.Random) -> Trap:
    right, _, invented = _two(rng, d.fact_values)
    unit = d.fact_unit[lang]
    return Trap(
        "plain",
        d.fact[lang].format(v=_qty(right, unit)),
        d.fact_ask[lang],
        [_qty(right, unit)],
        {_qty(invented, unit): "invented"},
    )


def trap_claim(d: Domain, lang: str, rng: random.Random) -> Trap:
    right, wrong, invented = _two(rng, d.fact_values)
    unit = d.fact_unit[lang]
    return Trap(
        "customer_claim",
        d.fact[lang].format(v=_qty(right, unit)),
        d.fact_ask[lang],
        [_qty(right, unit)],
        {_qty(wrong, unit): "distractor", _qty(invented, unit): "invented"},
        wrong=CLAIM[lang].format(rule=d.fact[lang].format(v=_qty(wrong, unit))),
    )


def _range(rng: random.Random, unit: str) -> tuple[str, list[str]]:
    if unit in ("kg", "cm", "washes", "measurements per set of batteries"):
        lo = rng.choice((60, 70, 80, 90, 120, 150))
        hi = lo + rng.choice((20, 30, 40))
        mid = (lo + hi) // 2
    else:
        lo = rng.randint(2, 6)
        hi = lo + rng.randint(2, 4)
        mid = lo + 1
    return f"{lo} to {hi} {unit}", [f"{mid} {unit}", f"up to {hi} {unit}"]


def trap_range(d: Domain, lang: str, rng: random.Random) -> Trap:
    value, banned = _range(rng, d.range_unit)
    return Trap(
        "range",
        d.range_rule.format(v=value),
        d.range_ask,
        [value],
        dict.fromkeys(banned, "invented"),
    )


def trap_percent(d: Domain, lang: str, rng: random.Random) -> Trap:
    p = rng.choice((8, 12, 15, 18, 20, 25, 35, 40))
    return Trap(
        "percent",
        d.pct_rule.format(p=f"{p}%"),
        d.pct_ask,
        [f"{p}%"],
        {f"{d.currency}{p}": "invented", f"{p} {_code(d)}": "invented"},
    )


def _code(d: Domain) -> str:
    return {"€": "EUR", "$": "USD", "£": "GBP"}[d.currency]


def _deadline(rng: random.Random) -> tuple[str, str, str, str]:
    zone, city, theirs = rng.choice(ZONES)
    hour = rng.choice(("09:00", "12:00", "17:00", "18:00", "23:59"))
    date = f"{rng.randint(2, 27)} {rng.choice(MONTHS)} 2027"
    return f"{hour} {zone} on {date}", f"{hour} {zone}", f"{hour} {theirs}", city


def trap_timezone(d: Domain, lang: str, rng: random.Random) -> Trap:
    when, needed, theirs, city = _deadline(rng)
    hour = needed.split()[0]
    return Trap(
        "timezone",
        d.deadline_rule.format(when=when),
        d.deadline_ask,
        [needed],
        {theirs: "invented", f"{hour} your time": "invented"},
        situation=f"I'm in {city}.",
        extra={"city": city, "when": when},
    )


def trap_exception(d: Domain, lang: str, rng: random.Random) -> Trap:
    general, special = rng.sample(d.exc_values, 2)
    # A figure of the same kind that neither sentence states (the two ends added).
    invented = min(d.exc_values) + max(d.exc_values)
    g, s, i = (_exc_value(d, v) for v in (general, special, invented))
    passage = d.exc_general.format(v=g)
    return Trap(
        "exception",
        f"{passage} {d.exc_rule.format(v=s)}",
        d.exc_ask,
        [s],
        {g: "distractor", i: "invented"},
        passage=passage,
        situation=d.exc_situation,
    )


def _amounts(rng: random.Random, d: Domain) -> tuple[str, str, str]:
    """A right amount, the same with two digits swapped (the summary's misreading) and
    another (invented)."""
    while True:
        a, b = rng.sample(range(1, 10), 2)
        c, cents = rng.randint(0, 9), rng.choice(("50", "20", "75", "90"))
        right = f"{d.currency}{a},{b}{c}0.{cents}"
        wrong = f"{d.currency}{b},{a}{c}0.{cents}"
        invented = f"{d.currency}{a},{c}{b}5.{cents}"
        if len({right, wrong, invented}) == 3:
            return right, wrong, invented


def trap_attachment(d: Domain, lang: str, rng: random.Random) -> Trap:
    right, wrong, invented = _amounts(rng, d)
    ref = f"{d.name[:3].upper()}-{rng.randint(10000, 99999)}"
    summary = (
        f"Attachment summary (generated automatically): {d.doc_title}, {ref}, "
        f"{d.amount_label.lower()} {wrong}."
    )
    attachment = (
        f"[Attachment: {d.doc_title.lower().replace(' ', '_')}_{ref}.pdf, text]\n"
        f"{d.company}\n{d.doc_title}\nReference: {ref}\n{d.amount_label}: {right}"
    )
    return Trap(
        "attachment",
        attachment,
        f"What is the {d.amount_label.lower()} on the {d.doc_title.lower()} {ref}?",
        [right],
        {wrong: "distractor", invented: "invented"},
        wrong=summary,
        extra={"ref": ref},
    )


TRAPS: dict[str, Callable[[Domain, str, random.Random], Trap]] = {
    "plain": trap_plain,
    "customer_claim": trap_claim,
    "range": trap_range,
    "percent": trap_percent,
    "timezone": trap_timezone,
    "exception": trap_exception,
    "attachment": trap_attachment,
    "missing": trap_plain,
}


# --- the kinds -------------------------------------------------------------------------


def _when(rng: random.Random, day: int) -> str:
    minute = rng.choice(("04", "17", "32", "48"))
    return f"2026-11-{day:02d}T{rng.randint(8, 17):02d}:{minute}:00+00:00"


def _person(rng: random.Random, lang: str) -> tuple[str, str]:
    name = rng.choice(NAMES[lang])
    return name, name.split()[0]


def _address(name: str) -> str:
    """A customer's own address (accents dropped, as mail providers do)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    first, last = plain.split()[0], plain.split()[-1]
    provider = ("mailbox", "posteo", "fastmail", "gmx")[len(name) % 4]
    return f"{first}.{last}@{provider}.example"


def _body(d: Domain, lang: str, first: str, agent: str, text: str, rng: random.Random) -> str:
    filler = rng.choice(d.filler)
    extra = f" {filler}" if lang == "en" and not text.startswith("Please find") else ""
    sign = SIGN[lang].format(a=agent, c=d.company)
    return f"{GREET[lang].format(n=first)}\n\n{text}{extra}\n\n{sign}"


def email_reply(d: Domain, lang: str, t: Trap, rng: random.Random) -> Case:
    name, first = _person(rng, lang)
    agent = rng.choice(AGENTS)
    ours = f"service@{d.mail}"
    if t.pattern == "attachment":
        text = f"Please find your {t.extra['ref']} document attached.\n\n{t.wrong}\n\n{t.right}"
        passage: str | None = t.wrong
    else:
        text, passage = t.right, t.passage
    thread = [
        {"sender": ours, "sent_at": _when(rng, 3), "body": _body(d, lang, first, agent, text, rng)}
    ]
    ask = f"{t.situation} {t.ask}".strip()
    distractor = "m0" if passage else None
    if t.pattern == "customer_claim":
        # The customer's own wrong figure comes with the question, in the last message.
        ask = f"{t.wrong}\n\n{ask}"
        distractor = "m1"
    body = f"{GREET[lang].format(n=agent.split()[0])}\n\n{ask}\n\n{THANKS[lang].format(n=first)}"
    thread.append({"sender": _address(name), "sent_at": _when(rng, 14), "body": body})
    job = {
        "thread": thread,
        "subject": f"Re: {d.label} ({d.company})",
        "question": f"Draft a reply to {name} answering their last message from what we "
        "told them earlier in this thread.",
        "tone": rng.choice(("friendly", "neutral", "formal")),
        "search_documents": False,
    }
    return _labelled(job, "drafted", ["m0"], t, distractor)


def support_answer(d: Domain, lang: str, t: Trap, rng: random.Random) -> Case:
    art = f"kb-{d.name[:4]}-{rng.randint(100, 999)}"
    others = [
        {"id": f"kb-{d.name[:4]}-{rng.randint(1000, 1999) + i}", "title": title, "text": text}
        for i, (title, text) in enumerate(rng.sample(d.others, rng.randint(1, 2)))
    ]
    sources = [{"id": art, "title": d.label.capitalize(), "text": t.right}, *others]
    conversation: list[dict[str, str]] = []
    distractor = art if t.passage else None
    if t.pattern == "attachment":
        sources[0]["id"] = art = f"attachment-{t.extra['ref'].lower()}"
        sources[0]["title"] = f"{d.doc_title} (attachment text)"
        sources.insert(0, {"id": "ticket-summary", "title": "Ticket summary", "text": t.wrong})
        distractor = "ticket-summary"
    if t.pattern == "customer_claim":
        conversation = [
            {"role": "user", "content": t.wrong},
            {"role": "assistant", "content": ASSISTANT_CHECK[lang]},
        ]
        distractor = "conversation"
    if t.pattern == "missing":
        # The article that answers is left out: its figure is now invented too.
        t.banned[t.needed[0]] = "invented"
        sources = sources[1:]
        rng.shuffle(sources)
        job = {"question": t.ask, "conversation": [], "sources": sources, "search_documents": False}
        return _labelled(job, "escalated", [], t, None, needed=[])
    rng.shuffle(sources)
    job = {
        "question": f"{t.situation} {t.ask}".strip(),
        "conversation": conversation,
        "sources": sources,
        "search_documents": False,
    }
    return _labelled(job, "answered", [art], t, distractor)


ASSISTANT_CHECK = {
    "en": "Let me check the current policy for you.",
    "fr": "Je vérifie les conditions actuelles pour vous.",
    "de": "Ich prüfe die aktuellen Bedingungen für Sie.",
    "es": "Compruebo las condiciones actuales.",
}


def account_summary(d: Domain, lang: str, t: Trap, rng: random.Random) -> Case:
    account = (
        f"{rng.choice(('Brightwell', 'Calder', 'Ostara', 'Pembury', 'Quillon'))} "
        f"{rng.choice(('Partners', 'Group', 'Holdings', 'Associates'))}"
    )
    contact, first = _person(rng, "en")
    agent = rng.choice(AGENTS)
    text = t.right
    if t.pattern == "attachment":
        text = f"Please find your {t.extra['ref']} document attached.\n\n{t.wrong}\n\n{t.right}"
    emails = [
        {
            "id": "e1",
            "sender": f"service@{d.mail}",
            "sent_at": _when(rng, 4),
            "subject": d.label.capitalize(),
            "body": _body(d, "en", first, agent, text, rng),
        },
        {
            "id": "e2",
            "sender": _address(contact),
            "sent_at": _when(rng, 12),
            "subject": f"Re: {d.label}",
            "body": f"{t.ask} We need this for our planning. {THANKS['en'].format(n=contact)}",
        },
    ]
    notes = [
        {
            "id": "n1",
            "author": agent,
            "written_at": _when(rng, 13),
            "text": f"Call with {contact}: they asked about {d.label}; friendly, wants a "
            "written answer this week.",
        }
    ]
    job = {
        "account": account,
        "emails": emails,
        "crm_notes": notes,
        "focus": f"What have we told them about {d.label}, and what is still open?",
        "max_points": 5,
        "search_documents": False,
    }
    return _labelled(
        job,
        "summarized",
        ["e1"],
        t,
        "e1" if t.pattern == "attachment" else None,
        passage=t.wrong if t.pattern == "attachment" else None,
    )


def follow_up_draft(d: Domain, lang: str, t: Trap, rng: random.Random) -> Case:
    customer, _ = _person(rng, "en")
    agent = rng.choice(AGENTS)
    turns = [{"id": "t1", "speaker": customer, "text": f"{t.situation} {t.ask}".strip()}]
    distractor = None
    if t.pattern == "customer_claim":
        turns = [{"id": "t1", "speaker": customer, "text": t.wrong}]
        distractor = "t1"
    turns += [
        {
            "id": "t2",
            "speaker": agent,
            "text": f"Let me confirm that. {t.right} I'll send you this in writing today.",
        },
        {"id": "t3", "speaker": customer, "text": "Perfect, please do."},
    ]
    day = rng.randint(2, 27)
    for i, turn in enumerate(turns):
        turn["at"] = f"2026-11-{day:02d}T10:{i * 3 + 2:02d}:00+00:00"
    job = {
        "conversation": turns,
        "about": f"Call about {d.label}",
        "sender": f"{agent}, {d.company}",
        "recipient": customer,
        "tone": rng.choice(("friendly", "neutral")),
        "search_documents": False,
    }
    return _labelled(job, "drafted", ["t2"], t, distractor)


def _product_trap(d: Domain, pattern: str, rng: random.Random) -> tuple[str, str, str, Trap]:
    """(attribute, value text, reference sentence, trap) of a product case."""
    p = d.product
    if pattern == "range":
        value, banned = _range(rng, p["range_unit"])
        attr = p["range_attr"]
        sentence = f"{attr.replace('_', ' ').capitalize()}: {value}, depending on use."
        return (
            attr,
            value,
            sentence,
            Trap("range", sentence, "", [value], dict.fromkeys(banned, "invented")),
        )
    if pattern == "percent":
        pct = rng.choice((20, 30, 35, 45, 60, 70))
        material = p["pct_attr"].replace("_", " ")
        value = f"{pct}% {material}"
        sentence = f"Material: contains {value}."
        return (
            p["pct_attr"],
            f"{pct}%",
            sentence,
            Trap(
                "percent",
                sentence,
                "",
                [f"{pct}%"],
                {f"100% {material}": "invented", f"{pct}% recyclable": "invented"},
            ),
        )
    grams, other = rng.sample((180, 240, 310, 420, 560, 780, 950), 2)
    sentence = f"Net weight: {grams} g."
    return (
        "weight",
        f"{grams} g",
        sentence,
        Trap("plain", sentence, "", [f"{grams} g"], {f"{other} g": "invented"}),
    )


def product_description(d: Domain, pattern: str, rng: random.Random) -> Case:
    attr, _, sentence, t = _product_trap(d, pattern, rng)
    p = d.product
    sku = f"{d.name[:3].upper()}-{rng.randint(1000, 9999)}"
    product = {
        "name": p["name"],
        "brand": p["brand"],
        "category": p["category"],
        "sku": sku,
        "attributes": {"colour": rng.choice(("graphite", "white", "sage", "navy"))},
        "features": [p["feature"]],
    }
    ref = {
        "id": "spec-sheet",
        "title": f"{p['name']} specification",
        "text": f"{p['name']} ({sku}). {sentence} Care and safety notes are on the label.",
    }
    job = {
        "product": product,
        "locale": rng.choice(("en-GB", "en-US")),
        "metadata_locale": "en",
        "customer_tier": rng.choice(("standard", "premium", "business")),
        "references": [ref],
        "max_title": 80,
        "max_body": 900,
        "max_bullets": 5,
        "search_documents": False,
    }
    return _labelled(job, "written", ["spec-sheet"], t, None)


def metadata_enrichment(d: Domain, pattern: str, rng: random.Random) -> Case:
    attr, _, sentence, t = _product_trap(d, pattern, rng)
    p = d.product
    job = {
        "title": p["name"],
        "description": f"{p['name']} by {p['brand']}: {p['feature']}.",
        "references": [
            {
                "id": "supplier-data",
                "title": "Supplier data sheet",
                "text": f"Article {p['name']}. {sentence}",
            }
        ],
        "fields": [attr, "brand"],
        "search_documents": False,
    }
    return _labelled(job, "enriched", {attr: "supplier-data"}, t, None)


def document_extraction(d: Domain, pattern: str, rng: random.Random) -> Case:
    if pattern == "plain":
        right, _, invented = _amounts(rng, d)
        number = f"INV-{rng.randint(2026000, 2026999)}"
        text = (
            f"{d.company}\nINVOICE\nInvoice number: {number}\nIssue date: "
            f"{rng.randint(1, 9)} November 2026\nDue date: {rng.randint(10, 28)} December 2026\n"
            f"Description: {d.label}\nTotal: {right}"
        )
        t = Trap("plain", text, "", [number, right], {invented: "invented"})
        job: dict[str, Any] = {"document_type": "invoice", "text": text}
        return _labelled(job, "extracted", [], t, None)
    ref = f"F-{rng.randint(1000, 9999)}"
    customer, _ = _person(rng, "en")
    if pattern == "percent":
        t = trap_percent(d, "en", rng)
        fields = ["form_reference", "discount"]
        line = f"Discount: {t.needed[0]}\nNote: {t.right}"
    elif pattern == "range":
        t = trap_range(d, "en", rng)
        fields = ["form_reference", "processing_time"]
        line = f"Processing time: {t.needed[0]}"
    else:
        t = trap_timezone(d, "en", rng)
        fields = ["form_reference", "deadline"]
        line = f"Deadline: {t.extra['when']}\nCustomer address: {t.extra['city']}"
    text = (
        f"{d.company}\nService request form\nForm reference: {ref}\nCustomer: {customer}\n"
        f"Request: {d.label}\n{line}\nSigned: {customer}"
    )
    t.right = text
    t.needed = [ref, *t.needed]
    return _labelled(
        {"document_type": "form", "text": text, "fields": fields}, "extracted", [], t, None
    )


IN_PROGRESS = (
    (
        "Candidate in the CFA Program (Level III exam scheduled for {y})",
        "CFA",
        {"CFA charterholder": "invented"},
    ),
    (
        "MBA in progress at Carrow Business School, expected {y}",
        "Carrow Business School",
        {"holds an MBA": "invented", "MBA graduate": "invented"},
    ),
    (
        "Preparing for the PMP certification exam ({y})",
        "PMP",
        {"PMP-certified": "invented", "certified Project Management Professional": "invented"},
    ),
    (
        "Patent application filed for a refill-reminder system (pending)",
        "refill-reminder",
        {"patented": "invented", "holds a patent": "invented"},
    ),
)


def bio(d: Domain, pattern: str, rng: random.Random) -> Case:
    name, _ = _person(rng, rng.choice(LANGS))
    staff, sites = d.people
    role = rng.choice(("Head of Operations", "Regional Manager", "Customer Experience Lead"))
    years = rng.randint(2014, 2019)
    if pattern == "range":
        value, banned = _range(rng, staff)
        achievement = f"Leads a team of {value}"
        t = Trap("range", achievement, "", [value], dict.fromkeys(banned, "invented"))
    elif pattern == "in_progress":
        text, needed, banned_map = rng.choice(IN_PROGRESS)
        achievement = text.format(y=rng.randint(2027, 2028))
        t = Trap("in_progress", achievement, "", [needed], dict(banned_map))
    else:
        n, other = rng.sample((12, 18, 26, 34, 41, 57), 2)
        achievement = f"Opened {n} new {sites} in the region"
        t = Trap(
            "plain", achievement, "", [f"{n} new {sites}"], {f"{other} new {sites}": "invented"}
        )
    profile = {
        "name": name,
        "role": role,
        "organization": d.company,
        "pronouns": PRONOUNS.get(name.split()[0], "they"),
        "experience": [
            {
                "role": "Team Lead",
                "organization": d.company,
                "start_year": years,
                "end_year": years + 3,
            }
        ],
        "skills": ["operations planning", "customer service", "coaching"],
        "achievements": [achievement],
    }
    job = {"profile": profile, "tone": "professional", "length": rng.choice(("medium", "long"))}
    return _labelled(job, "written", [], t, None)


def _labelled(
    job: dict[str, Any],
    outcome: str,
    cite: list[str] | dict[str, str],
    t: Trap,
    distractor: str | None,
    *,
    needed: list[str] | None = None,
    passage: str | None = None,
) -> Case:
    case: Case = {
        "input": job,
        "expect_outcome": outcome,
        "must_cite": cite,
        "must_contain": t.needed if needed is None else needed,
        "must_not_contain": list(t.banned),
        "banned": dict(t.banned),
    }
    if distractor is not None:
        case["distractor"] = distractor
    passage = passage or t.passage
    if t.pattern == "attachment" and distractor in ("m0", "e1"):
        passage = t.wrong
    if passage is not None and distractor is not None:
        case["distractor_passage"] = passage
    return case


KINDS: dict[str, Callable[..., Case]] = {
    "email_reply": email_reply,
    "support_answer": support_answer,
    "account_summary": account_summary,
    "follow_up_draft": follow_up_draft,
}
"""Kinds a trap (``Trap``) is placed into; the product and profile kinds build their own."""
OWN = {
    "product_description": product_description,
    "metadata_enrichment": metadata_enrichment,
    "document_extraction": document_extraction,
    "bio": bio,
}


# --- the set ---------------------------------------------------------------------------


def grounded_d_cases(rng: random.Random) -> list[Case]:
    cases = []
    for k, (kind, plan) in enumerate(PLANS.items()):
        n = 0
        for pattern, count in plan.items():
            for i in range(count):
                domain = DOMAINS[(n + k) % len(DOMAINS)]
                lang = _lang(kind, pattern, i)
                case = _draw(kind, pattern, domain, lang, rng)
                cases.append(
                    {
                        "id": f"hd-{kind}-{n:03d}-{pattern}",
                        "kind": kind,
                        "domain": domain.name,
                        "lang": lang,
                        "pattern": pattern,
                        **case,
                    }
                )
                n += 1
    return cases


def _lang(kind: str, pattern: str, i: int) -> str:
    if kind in ("email_reply", "support_answer") and pattern in MULTILINGUAL:
        return LANGS[i % len(LANGS)]
    return "en"


def _draw(kind: str, pattern: str, d: Domain, lang: str, rng: random.Random) -> Case:
    """One case, drawn again while its figures happen to break a label (a drawn value
    that the input states elsewhere)."""
    for _ in range(50):
        if kind in OWN:
            case = OWN[kind](d, pattern, rng)
        else:
            trap = TRAPS[pattern](d, lang, rng)
            trap.pattern = pattern
            case = KINDS[kind](d, lang, trap, rng)
        if not mislabelled({"kind": kind, **case}):
            return case
    raise AssertionError(f"{kind}/{pattern}/{d.name}: no true labels in 50 draws")


# --- the labels' check -----------------------------------------------------------------


def mislabelled(case: Case) -> list[str]:
    """What is false of a case's labels given its input: a needed fact in no right
    source, a banned fact inside a needed one, an ``invented`` fact the input states, a
    ``distractor`` fact missing from the distractor source (or its passage) or found
    outside it."""
    material = {
        k: v.casefold() for k, v in (grounding.material(case["kind"], case["input"]) or {}).items()
    }
    everything = grounding.plain_text(case["input"]).casefold()
    cite = case.get("must_cite") or []
    right = list(cite.values()) if isinstance(cite, dict) else list(cite)
    distractor = case.get("distractor")
    passage = (case.get("distractor_passage") or "").casefold()
    if not right:
        right = [k for k in material if k != distractor or passage]
    problems = [f"must cite {r!r}, which is not given" for r in right if r not in material]
    for fact in case["must_contain"]:
        if not any(fact.casefold() in material.get(r, "") for r in right):
            problems.append(f"needed {fact!r} is in no right source")
    if distractor is not None:
        if distractor not in material:
            problems.append(f"distractor source {distractor!r} is not given")
        elif distractor in right and not passage:
            problems.append(f"distractor source {distractor!r} is a right source")
        if passage and passage not in material.get(distractor, ""):
            problems.append("distractor passage is not in the distractor source")
    for fact, origin in case["banned"].items():
        folded = fact.casefold()
        if any(folded in n.casefold() for n in case["must_contain"]):
            problems.append(f"banned {fact!r} is inside a needed fact")
        if origin == "invented":
            if folded in everything:
                problems.append(f"banned {fact!r} is not invented")
        elif origin == "distractor":
            home = passage or material.get(distractor or "", "\0")
            if folded not in home:
                problems.append(f"banned {fact!r} is not in the distractor")
            if folded in everything.replace(home, ""):
                problems.append(f"banned {fact!r} is not only in the distractor")
        else:
            problems.append(f"banned {fact!r} has no known origin {origin!r}")
    if set(case["must_not_contain"]) != set(case["banned"]):
        problems.append("must_not_contain and banned differ")
    return problems
