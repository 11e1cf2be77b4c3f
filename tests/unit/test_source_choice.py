"""The extractive provider picks the right source among similar ones: the asked order,
plan, account or model over a sibling's, a message's own text over the mail it
forwards, the business's latest answer over earlier words on the same point."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.llm.extractive import (
    ExtractiveProvider,
    choose_extracts,
    content_words,
    current_clause,
    hedged,
    read_row,
    sentences,
    struck_out,
    table_headers,
)
from app.llm.provider import Source
from app.llm.quoting import split_footer, split_quoted
from app.llm.regions import locale_region
from app.llm.relevance import (
    Focus,
    another_name,
    labelled_subjects,
    mentions,
    sibling,
    subjects,
)
from tasks.kinds import (
    account_summary,
    document_extraction,
    follow_up_draft,
    metadata_enrichment,
    product_description,
)
from tasks.kinds.account_summary import AccountSummaryInput
from tasks.kinds.account_summary.models import AccountSummary, Point
from tasks.kinds.email_reply import EmailReplyInput, draft_email_reply
from tasks.kinds.email_reply.handler import written_by_us
from tasks.kinds.metadata_enrichment import MetadataEnrichmentInput
from tasks.kinds.product_description import ProductDescriptionInput
from tasks.kinds.support_answer import SupportAnswerInput
from tasks.kinds.support_answer.handler import answer_question

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _thread(*messages: tuple[str, str], subject: str | None, question: str) -> EmailReplyInput:
    return EmailReplyInput.model_validate(
        {
            "thread": [
                {"sender": sender, "sent_at": T0 + timedelta(hours=i), "body": body}
                for i, (sender, body) in enumerate(messages)
            ],
            "subject": subject,
            "question": question,
        }
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Where is order #5521?", {("num:order", "5521")}),
        ("Ticket 88231 is about order no. 5521.", {("num:ticket", "88231"), ("num:order", "5521")}),
        ("Commande n° 4410, réf. 7781, #9912", {("num:order", "4410"), ("num:#", "9912")}),
        ("Invoice INV-2041 was charged twice.", {("inv#", "inv2041")}),
        ("Ihre Bestellnummer 05521 ist unterwegs.", {("num:order", "5521")}),
        ("Does the Business plan include SSO?", {("plan", "business")}),
        ("Der Business-Tarif kostet 20 EUR im Monat.", {("plan", "business")}),
        ("Le forfait Premium inclut le support.", {("plan", "premium")}),
        ("Call notes: Globex Ltd renews in April.", {("org", "globex")}),
        ("The X200 runs for 12 hours.", {("x#", "x200")}),
        ("Model X-200 runs for 12 hours.", {("x#", "x200"), ("model", "x-200")}),
        ("Trail Runner 2 jacket", {("trail runner #", "trail runner 2")}),
        # Quantities, dates and amounts name nothing.
        ("Refunds take 5 to 7 days; it ships on March 18 for EUR 25, or 1200 USD.", set()),
        ("Each plan includes exports; your account renews.", set()),
    ],
)
def test_mentions__identifiers_and_names_with_their_shape(text, expected):
    assert mentions(text) == expected


def test_focus__another_entity_of_an_asked_shape_conflicts_unless_the_asked_one_is_there():
    focus = Focus.of("When will it ship?", "Order 5521 delayed")
    assert focus.conflicts("Order 4410 shipped on 3 May.")
    assert not focus.conflicts("Orders 4410 and 5521 ship together.")
    assert not focus.conflicts("It ships on Thursday.")  # names nothing: no conflict
    assert not focus.conflicts("The Team plan has SSO.")  # another shape
    assert not focus.conflicts("Ticket 88231: it ships on Thursday.")  # a ticket is no order
    assert not Focus.of("When will it ship?").conflicts("Order 4410 shipped on 3 May.")
    # The same identifier written another way is the same one.
    assert Focus.of("Invoice INV2041?").matches("Refund for inv-2041 sent.")
    assert Focus.of("Order #05521?").matches("Order 5521 shipped.")


def test_split_quoted__forwarded_and_quoted_lines_are_older_context():
    own, quoted = split_quoted(
        "Where is my order 5521?\n> Thanks, we will check.\nIt was due Monday.\n\n"
        "---------- Forwarded message ---------\nFrom: shop@example.com\n"
        "Your order 4410 will arrive on 12 May."
    )
    assert own == ["Where is my order 5521?", "It was due Monday."]
    assert "Thanks, we will check." in quoted and "Your order 4410 will arrive on 12 May." in quoted
    assert split_quoted("Hi,\nOn Tue, 3 May 2026, Ann <a@x.example> wrote:\nOld.")[1][-1] == "Old."


@pytest.mark.parametrize(
    "header",
    [
        "Am Mo., 3. Mai 2026 um 10:02 Uhr schrieb Shop <orders@shop.example>:",
        "Le lun. 3 mai 2026 à 10:02, Shop <orders@shop.example> a écrit :",
        "El lun, 3 may 2026 a las 10:02, Shop (<orders@shop.example>) escribió:",
        "-----Ursprüngliche Nachricht-----",
        "---------- Mensaje reenviado ---------",
        "Début du message réexpédié :",
        "De: Shop <orders@shop.example>\nEnviado el: lunes, 3 de mayo de 2026 10:02",
    ],
)
def test_split_quoted__reply_and_forward_headers_of_other_languages(header):
    assert split_quoted(f"Hola.\n{header}\nPedido 4410 enviado.") == (
        ["Hola."],
        [*header.split("\n"), "Pedido 4410 enviado."],
    )


def test_split_quoted__a_sentence_that_only_mentions_writing_is_own_text():
    assert split_quoted("On Monday we wrote: hello\nMore.")[1] == []


async def test_email_reply__the_agents_answer_not_the_forwarded_older_order():
    job = _thread(
        (
            "maria@customer.example",
            "My order 5521 has not arrived yet, when will it arrive?\n\n"
            "-------- Forwarded message --------\nFrom: orders@shop.example\n"
            "Subject: Your order 4410\n"
            "Your order 4410 will arrive on 12 May by DHL Express.",
        ),
        ("support@shop.example", "Your order 5521 will arrive on Thursday 26 November."),
        subject="Order 5521 not delivered",
        question="When will the order arrive?",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert draft.outcome == "drafted"
    assert "Thursday 26 November" in draft.body
    assert "12 May" not in draft.body and "DHL" not in draft.body
    assert {c.source for c in draft.citations} == {"m1"}


async def test_email_reply__a_later_answer_of_ours_supersedes_an_earlier_one():
    job = _thread(
        ("tom@customer.example", "When will the replacement router ship?"),
        ("support@isp.example", "The replacement router ships on Monday."),
        ("tom@customer.example", "Any news? Monday has passed."),
        ("support@isp.example", "Sorry for the delay: the replacement router ships on Wednesday."),
        subject="Replacement router",
        question="When does the replacement router ship?",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "Wednesday" in draft.body and "ships on Monday" not in draft.body


async def test_email_reply__a_later_date_of_ours_in_other_words_supersedes_the_first():
    job = _thread(
        ("lea@customer.example", "When will my order 7731 be delivered?"),
        ("ana@shop.example", "Your order 7731 will be delivered on Monday 23 November."),
        ("ana@shop.example", "Update: the carrier now expects to deliver on Friday 27 November."),
        subject="Order 7731",
        question="When will the order be delivered?",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "Friday 27 November" in draft.body and "Monday 23 November" not in draft.body


async def test_email_reply__a_senders_own_correction_supersedes_their_first_figure():
    # The business opened the thread, so the opener is not the customer here: whoever
    # wrote it, a sender's later figure on the same point replaces their earlier one.
    job = _thread(
        ("kim@waterco.example", "The final bill for meter WM-4471 is 312.40 EUR."),
        ("jo@home.example", "Could you check the final bill for WM-4471, please?"),
        ("kim@waterco.example", "Correction: the final bill for meter WM-4471 is 87.10 EUR."),
        subject="Meter WM-4471",
        question="What is the final bill for meter WM-4471?",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "87.10 EUR" in draft.body and "312.40" not in draft.body


def test_written_by_us__role_mailboxes_else_whoever_did_not_open_the_thread():
    by_role = _thread(
        ("support@shop.example", "We shipped it."),
        ("ann@customer.example", "Thanks."),
        ("billing@shop.example", "Invoice attached."),
        subject=None,
        question="q",
    )
    assert written_by_us(by_role) == [True, False, True]
    plain = _thread(("ann@a.example", "Hi"), ("bob@b.example", "Hello"), subject=None, question="q")
    assert written_by_us(plain) == [False, True]


def _help_center(question: str, conversation: list[dict] | None = None) -> SupportAnswerInput:
    return SupportAnswerInput.model_validate(
        {
            "question": question,
            "conversation": conversation or [],
            "sources": [
                {
                    "id": "kb-team-exports",
                    "title": "Team plan: exports",
                    "text": "You can export up to 10 reports per day. Exports are kept 7 days.",
                },
                {
                    "id": "kb-business-exports",
                    "title": "Business plan: exports",
                    "text": "You can export up to 100 reports per day. Exports are kept 30 days.",
                },
            ],
        }
    )


@pytest.mark.parametrize(
    ("job", "right", "wrong"),
    [
        (_help_center("How many reports can I export per day on the Business plan?"), "100", "10 "),
        (_help_center("How many reports can I export per day on the Team plan?"), "10 ", "100"),
        (
            _help_center(
                "How many reports can I export per day?",
                [{"role": "user", "content": "We are on the Business plan."}],
            ),
            "100",
            "10 ",
        ),
    ],
)
async def test_support_answer__the_asked_plans_article_not_the_other_plans(job, right, wrong):
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "answered"
    assert f"up to {right}" in answer.answer and f"up to {wrong}" not in answer.answer


async def test_support_answer__escalates_when_only_another_plans_article_answers():
    job = _help_center("How many reports can I export per day on the Enterprise plan?")
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "escalated"


def test_choose_extracts__a_title_naming_a_plan_the_sources_know_without_the_word_plan():
    sources = [
        Source("kb-1", "Storage is 50 GB per workspace.", title="Limits: Starter"),
        Source("kb-2", "Storage is 1 TB per workspace.", title="Limits: Scale"),
        Source("kb-3", "The Starter plan and the Scale plan differ in storage."),
    ]
    extracts = choose_extracts("How much storage do I get on the Scale plan?", sources)
    assert [e.source_id for e in extracts] == ["kb-2", "kb-3"]


def test_focus__a_name_the_sources_give_a_shape_is_asked_without_its_noun():
    focus = Focus.of("Does Business include SSO?", sources=["The Business plan has SSO."])
    assert focus.asked == {("plan", "business")}
    assert focus.names_another("Team: single sign-on") is False
    focus = Focus.of("Does Business include SSO?", sources=["Team plan and Business plan."])
    assert focus.names_another("Team: single sign-on")


def test_focus__a_name_counts_only_capitalised():
    focus = Focus.of("Does the Business plan include SSO?")
    assert not focus.matches("Refunds take five business days.")
    assert focus.matches("SSO is part of Business.")


def test_choose_extracts__an_untitled_source_about_another_order_ranks_below():
    sources = [
        Source("note-1", "Order 4410: the refund of 25 EUR was approved."),
        Source("note-2", "The refund for this order was approved on Friday."),
    ]
    extracts = choose_extracts("Was the refund approved?", sources, about="order 5521")
    assert [e.source_id for e in extracts] == ["note-2"]


async def test_account_summary__leaves_out_a_note_filed_under_another_account():
    job = AccountSummaryInput.model_validate(
        {
            "account": "Acme Corp",
            "emails": [
                {"id": "e1", "body": "Acme Corp renews on 30 June for 40 seats."},
            ],
            "crm_notes": [
                {"id": "n1", "text": "Acme wants SSO before the renewal."},
                {"id": "n2", "text": "Globex Ltd asked for a 20% discount on 120 seats."},
            ],
        }
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    quoted = " ".join(c.quote for c in output.citations)
    assert output.outcome == "summarized" and "40 seats" in quoted
    assert "Globex" not in quoted and "n2" not in {c.source for c in output.citations}


async def test_product_description__leaves_out_the_sibling_models_sheet():
    job = ProductDescriptionInput.model_validate(
        {
            "locale": "en-US",
            "product": {
                "name": "Trail Runner 2 jacket",
                "brand": "Northpeak",
                "category": "rain jacket",
                "features": ["Taped seams keep the rain out"],
            },
            "references": [
                {"id": "sheet-3", "text": "The Trail Runner 3 jacket weighs 260 g."},
                {"id": "sheet-2", "text": "The Trail Runner 2 jacket weighs 240 g."},
            ],
        }
    )
    output = (await product_description.describe_product(job, ExtractiveProvider())).output
    assert output.outcome == "written"
    assert "240 g" in output.body and "260 g" not in output.body


async def test_metadata_enrichment__leaves_out_the_sibling_models_reference():
    job = MetadataEnrichmentInput.model_validate(
        {
            "title": "Aurora X2 desk lamp",
            "references": [
                {"id": "spec-x3", "title": "Aurora X3 spec sheet", "text": "Material: walnut."},
                {"id": "spec-x2", "title": "Aurora X2 spec sheet", "text": "Material: oak."},
            ],
            "fields": ["material"],
        }
    )
    output = (await metadata_enrichment.enrich_metadata(job, ExtractiveProvider())).output
    assert [(f.value, f.source) for f in output.fields] == [("oak", "spec-x2")]


async def test_metadata_enrichment__leaves_out_the_discontinued_models_sheet():
    # Both sheets name the same product: only the title says which one is no longer made.
    job = MetadataEnrichmentInput.model_validate(
        {
            "title": "Breeze desk fan",
            "references": [
                {
                    "id": "sheet-old",
                    "title": "Product sheet (end-of-life model)",
                    "text": "Breeze desk fan\nNoise: 48 dB",
                },
                {
                    "id": "sheet-new",
                    "title": "Product sheet",
                    "text": "Breeze desk fan\nNoise: 39 dB",
                },
            ],
            "fields": ["noise"],
        }
    )
    output = (await metadata_enrichment.enrich_metadata(job, ExtractiveProvider())).output
    assert [(f.value, f.source) for f in output.fields] == [("39 dB", "sheet-new")]


def test_stale_sources__discontinued_and_no_longer_sold_items_are_out_of_date():
    from app.llm.staleness import stale_sources

    sources = [
        Source("a", "Weight: 2 kg", title="Spec sheet, discontinued model"),
        Source("b", "Weight: 3 kg", title="Kettle K1 (no longer sold)"),
        Source("c", "Weight: 1 kg", title="Spec sheet, current model"),
    ]
    assert stale_sources(sources) == {0, 1}


async def test_account_summary__leaves_out_forwarded_older_mail():
    job = AccountSummaryInput.model_validate(
        {
            "account": "Acme Corp",
            "emails": [
                {
                    "id": "e1",
                    "body": "Our 40 seats renew on 30 June.\n\n"
                    "-------- Forwarded message --------\nLast year we renewed 25 seats.",
                },
            ],
        }
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    quoted = " ".join(c.quote for c in output.citations)
    assert "40 seats" in quoted and "25 seats" not in quoted


async def test_email_reply__the_customers_own_words_name_the_order_a_forwarded_subject_does_not():
    job = _thread(
        (
            "maria@customer.example",
            "Hello, my order 5521 has still not arrived.\n\n"
            "---------- Forwarded message ---------\n"
            "Your order 4410 has shipped and will arrive on 12 May.",
        ),
        ("ana@shop.example", "Your parcel will arrive on Thursday 26 November."),
        ("ana@shop.example", "Order 4410 was delivered on 12 May, as the tracking shows."),
        subject="Fwd: Your order 4410 has shipped",
        question="When will the order arrive?",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "Thursday 26 November" in draft.body
    assert "12 May" not in draft.body


def _support(question: str, sources: list[dict], conversation: list | None = None):
    return SupportAnswerInput.model_validate(
        {"question": question, "conversation": conversation or [], "sources": sources}
    )


_DELIVERY = [
    {
        "id": "kb-eu",
        "title": "Delivery times",
        "text": "In the EU, standard delivery takes 2 to 4 business days.",
    },
    {
        "id": "kb-us",
        "title": "Delivery times",
        "text": "In the United States, standard delivery takes 5 to 8 business days.",
    },
]


async def test_support_answer__the_region_an_earlier_turn_names_picks_the_article():
    job = _support(
        "How long does standard delivery take?",
        _DELIVERY,
        [{"role": "user", "content": "Hi, I'm ordering from Germany."}],
    )
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "answered"
    assert "2 to 4" in answer.answer and "5 to 8" not in answer.answer


async def test_support_answer__escalates_when_regions_differ_and_none_is_known():
    job = _support("How long does standard delivery take?", _DELIVERY)
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "escalated" and "region" in (answer.refusal_reason or "")


_EXPORTS = [
    {
        "id": "kb-exports",
        "title": "Exports",
        "text": "On the Business plan, exports are kept for 90 days. Download them as CSV.",
    },
    {
        "id": "kb-exports-team",
        "title": "Exporting reports",
        "text": "On the Team plan, exports are kept for 14 days.",
    },
]


async def test_support_answer__a_plan_named_only_in_an_articles_body_counts():
    job = _support(
        "How long are exports kept?",
        _EXPORTS,
        [{"role": "user", "content": "Our workspace is on the Team plan."}],
    )
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "answered"
    assert "14 days" in answer.answer and "90 days" not in answer.answer


async def test_support_answer__escalates_when_plans_differ_and_the_customers_is_unknown():
    answer = (
        await answer_question(
            _support("How long are exports kept?", _EXPORTS), ExtractiveProvider()
        )
    ).output
    assert answer.outcome == "escalated"


async def test_support_answer__one_plan_named_and_a_general_article_is_no_conflict():
    sources = [
        {"id": "kb-1", "title": "Exports", "text": "Exports are kept for 30 days."},
        {"id": "kb-2", "title": "Refunds", "text": "Refunds to a card take 5 to 7 days."},
    ]
    answer = (
        await answer_question(_support("How long are exports kept?", sources), ExtractiveProvider())
    ).output
    assert answer.outcome == "answered" and "30 days" in answer.answer


@pytest.mark.parametrize(
    "old",
    [
        {
            "id": "kb-old",
            "title": "Refund policy (archived)",
            "text": "Refunds to a card take 10 to 14 days.",
        },
        {
            "id": "kb-old",
            "title": "Refunds",
            "text": "This article is outdated.\nRefunds to a card take 10 to 14 days.",
        },
        {
            "id": "kb-old",
            "title": "Refund policy 2023",
            "text": "Refunds to a card take 10 to 14 days.",
        },
    ],
)
async def test_support_answer__the_current_article_not_the_archived_or_older_one(old):
    current = {
        "id": "kb-new",
        "title": "Refund policy 2025",
        "text": "Refunds to a card take 5 to 7 days.",
    }
    for sources in ([old, current], [current, old]):
        job = _support("How long does a refund to a card take?", sources)
        answer = (await answer_question(job, ExtractiveProvider())).output
        assert answer.outcome == "answered"
        assert "5 to 7" in answer.answer and "10 to 14" not in answer.answer


def test_stale_sources__a_feature_called_deprecated_is_no_stale_article():
    from app.llm.staleness import stale_sources

    sources = [
        Source("a", "The v1 API is deprecated; use v2. Last updated March 3, 2025.", title="API"),
        Source("b", "Updated 2024-01-10. Webhooks retry five times.", title="Webhooks"),
        Source("c", "Updated 2023-05-01. Webhooks retry three times.", title="Webhooks (v1)"),
    ]
    assert stale_sources(sources) == {2}


def _account(account: str, notes: list[dict], emails: list[dict] | None = None):
    return AccountSummaryInput.model_validate(
        {"account": account, "emails": emails or [], "crm_notes": notes}
    )


async def _quoted(job: AccountSummaryInput) -> tuple[str, set[str]]:
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    assert output.outcome == "summarized"
    return " ".join(c.quote for c in output.citations), {c.source for c in output.citations}


@pytest.mark.parametrize(
    "other",
    [
        "Met Globex about their renewal: they want 25% off 200 seats.",
        "Met Peter from Initech: they want 25% off 200 seats.",
        "Acme Logistics asked for 25% off 200 seats.",
    ],
)
async def test_account_summary__leaves_out_a_note_about_another_company(other):
    job = _account(
        "Acme Tools",
        [
            {"id": "n1", "text": "Acme renews on 30 June with 40 seats."},
            {"id": "n2", "text": other},
        ],
    )
    quoted, cited = await _quoted(job)
    assert "40 seats" in quoted and "200 seats" not in quoted and "n2" not in cited


async def test_account_summary__a_meeting_with_a_person_of_the_input_is_kept():
    job = _account(
        "Acme Tools",
        [{"id": "n1", "author": "Tom Reed", "text": "Met Maria about the renewal for 40 seats."}],
        [{"id": "e1", "sender": "maria.lopez@acme.example", "body": "We need SSO for 40 seats."}],
    )
    quoted, cited = await _quoted(job)
    assert "n1" in cited


async def test_account_summary__a_later_figure_replaces_the_earlier_one():
    job = _account(
        "Acme Tools",
        [
            {
                "id": "n2",
                "written_at": "2026-05-10T10:00:00Z",
                "text": "Call: the discount is 12% for the renewal.",
            },
            {
                "id": "n1",
                "written_at": "2026-03-01T10:00:00Z",
                "text": "Agreed a 20% discount on the renewal.",
            },
        ],
    )
    quoted, _ = await _quoted(job)
    assert "12%" in quoted and "20%" not in quoted


async def test_account_summary__undated_figures_are_replaced_only_by_a_revision():
    job = _account(
        "Acme Tools",
        [
            {"id": "n1", "text": "Acme signed at 120 seats in January."},
            {"id": "n2", "text": "Acme wants to add 50 seats in the autumn."},
            {"id": "n3", "text": "Agreed a 20% discount. The discount was later revised to 15%."},
        ],
    )
    quoted, _ = await _quoted(job)
    assert "120 seats" in quoted and "50 seats" in quoted
    assert "15%" in quoted and "Agreed a 20% discount." not in quoted


def test_identity__greetings_departments_and_the_account_itself_are_no_other_company():
    from tasks.kinds.account_summary.identity import Identity

    identity = Identity.of(_account("Acme Tools", [{"id": "n1", "text": "x"}]))
    for text in (
        "Hi team, thanks.",
        "The Sales team called.",
        "Met the Acme team.",
        "Acme Tools Inc signed.",
    ):
        assert identity.others(text) == set(), text
    assert identity.others("Globex Ltd signed.") == {"Globex Ltd"}


async def test_support_answer__the_version_the_customer_runs_picks_the_article():
    sources = [
        {
            "id": "kb-v3",
            "title": "Resetting the hub",
            "text": "On firmware 3, hold the reset button for 10 seconds.",
        },
        {
            "id": "kb-v4",
            "title": "Resetting the hub",
            "text": "On firmware 4.0, hold the reset button for 3 seconds.",
        },
    ]
    job = _support(
        "How long do I hold the reset button?",
        sources,
        [{"role": "user", "content": "My hub runs v4 since the update."}],
    )
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "answered"
    assert "3 seconds" in answer.answer and "10 seconds" not in answer.answer
    unknown = _support("How long do I hold the reset button?", sources)
    assert (await answer_question(unknown, ExtractiveProvider())).output.outcome == "escalated"


async def test_account_summary__leaves_out_mail_from_a_similarly_named_company():
    job = _account(
        "Acme Tools",
        [{"id": "n1", "text": "Acme renews on 30 June with 40 seats."}],
        [
            {
                "id": "e1",
                "sender": "ann@acme.example",
                "body": "We still have not received the invoice.",
            },
            {
                "id": "e2",
                "sender": "bob@acmelogistics.example",
                "body": "We need 200 more seats by Friday.",
            },
        ],
    )
    quoted, cited = await _quoted(job)
    assert "e1" in cited and "e2" not in cited and "200" not in quoted


def test_stale_sources__notices_that_an_article_is_about_an_older_state():
    from app.llm.staleness import stale_sources

    sources = [
        Source(
            "a", "Note: this page describes the previous billing system. Invoices go out monthly."
        ),
        Source(
            "b", "This policy applied until 31 March 2024. Refunds took 14 days.", title="Refunds"
        ),
        Source(
            "c", "Legacy plans are no longer sold; existing customers keep them.", title="Plans"
        ),
        Source("d", "This article covers the new dashboard.", title="Dashboard"),
        Source("e", "As of 2 May 2026 we ship daily.", ours=False),
        Source("f", "As of 9 May 2026 we ship weekly.", ours=True),
    ]
    assert stale_sources(sources) == {0, 1}


_SUBSCRIPTIONS = [
    {
        "id": "kb-pause",
        "title": "Pausing a magazine subscription",
        "text": "A print subscription can be paused for up to 12 weeks a year.",
    },
    {
        "id": "kb-pause-digital",
        "title": "Digital access",
        "text": "Digital access can be paused for 4 weeks at most.",
    },
]


async def test_support_answer__another_articles_answer_to_the_same_point_is_left_out():
    # The question names the print subscription: the digital article's pause is an
    # alternative answer for another product, not more of the same answer.
    job = _support("How many weeks can I pause my print subscription?", _SUBSCRIPTIONS)
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "answered"
    assert "12 weeks" in answer.answer and "4 weeks" not in answer.answer
    assert {c.source for c in answer.citations} == {"kb-pause"}


async def test_support_answer__another_articles_answer_to_another_point_stays():
    sources = [
        {"id": "kb-1", "title": "Returns", "text": "Shoes can be returned within 30 days."},
        {"id": "kb-2", "title": "Refunds", "text": "Refunds reach your card within 5 days."},
    ]
    job = _support("Can I return shoes, and when do refunds reach my card?", sources)
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert "30 days" in answer.answer and "5 days" in answer.answer


def test_focus__an_asked_plan_does_not_hide_another_region():
    focus = Focus.of("We are in Canada. What does the Pro plan cost per user?")
    assert focus.conflicts("Customers in Japan pay 900 JPY per user on the Pro plan.")
    assert focus.about_another("On the Pro plan users pay 900 JPY.", title="Pro plan – Japan")
    assert not focus.conflicts("In Canada the Pro plan costs 12 CAD per user.")


def test_focus__a_message_on_the_asked_order_may_name_any_region():
    focus = Focus.of("Where is order 7731? I live in Canada.")
    assert not focus.conflicts("Order 7731 left our warehouse in Japan on Monday.")


async def test_support_answer__escalates_when_the_asked_plans_article_is_for_another_region():
    sources = [
        {
            "id": "kb-pro-jp",
            "title": "Pro plan pricing – Japan",
            "text": "Customers in Japan pay 900 JPY per user per month on the Pro plan.",
        }
    ]
    job = _support("We are in Canada. How much does the Pro plan cost per user?", sources)
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "escalated" and "900" not in answer.answer


def test_regions__countries_named_in_french_german_and_spanish():
    from app.llm.regions import regions

    assert regions("Client en Belgique, livré depuis la Suède.") == {"belgium", "sweden"}
    assert regions("Versand nach Österreich und Dänemark.") == {"austria", "denmark"}
    assert regions("Envío a Noruega.") == {"norway"}
    assert regions("Island hopping is fun.") == set()


async def test_support_answer__escalates_when_only_another_countrys_article_answers():
    sources = [
        {
            "id": "kb-se",
            "title": "Délais de livraison : Suède",
            "text": "La livraison standard vers la Suède prend 6 à 9 jours ouvrés.",
        }
    ]
    job = _support("Combien de temps prend la livraison standard en Autriche ?", sources)
    answer = (await answer_question(job, ExtractiveProvider())).output
    assert answer.outcome == "escalated"


@pytest.mark.parametrize(
    "other",
    [
        # Says itself it is about another customer.
        "Wrongly filed here, belongs to Harbor Cafe: renewal for 900 seats.",
        "Misfiled: renewal for 900 seats, not this account.",
        # A customer spelt like this one, or named with this one's whole name and more.
        "Northwynd Travel: renewal for 900 seats.",
        "Northwind Travel Partners: renewal for 900 seats.",
        "Northwind Adventure Travel: renewal for 900 seats.",
    ],
)
async def test_account_summary__leaves_out_a_note_about_a_similarly_named_or_other_customer(other):
    job = _account(
        "Northwind Travel",
        [
            {"id": "n1", "text": "Northwind Travel: renewal on 3 May for 40 seats."},
            {"id": "n2", "text": other},
        ],
    )
    quoted, cited = await _quoted(job)
    assert "40 seats" in quoted and "900" not in quoted and cited == {"n1"}


async def test_account_summary__the_accounts_own_team_and_a_meeting_are_kept():
    job = _account(
        "Northwind Travel",
        [
            {"id": "n1", "text": "Met Northwind Travel about the renewal for 40 seats."},
            {"id": "n2", "text": "The Northwind Travel team asked for 5 more seats in May."},
        ],
    )
    quoted, cited = await _quoted(job)
    assert cited == {"n1", "n2"}


async def test_account_summary__undated_conflicting_figures_are_left_out():
    job = _account(
        "Acme Tools",
        [
            {"id": "n1", "text": "Acme Tools renews for 60 seats."},
            {"id": "n2", "text": "Acme Tools renews for 150 seats."},
            {"id": "n3", "text": "Acme Tools wants SSO before the renewal."},
        ],
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    facts = {p.text: p.sources for p in output.key_facts}
    assert facts == {"Acme Tools wants SSO before the renewal.": ["n3"]}


async def test_account_summary__a_models_summary_with_two_figures_for_one_quantity_is_reviewed():
    output = AccountSummary(
        summary="Acme Tools renews soon.",
        key_facts=[
            Point(text="Acme Tools renews for 60 seats.", sources=["n1"]),
            Point(text="Acme Tools renews for 150 seats.", sources=["n2"]),
        ],
        open_issues=[],
        sentiment="neutral",
        sentiment_sources=["n1"],
        citations=[],
        outcome="summarized",
    )
    reasons = account_summary.KIND.review.reasons(high_risk_input=False, output=output)
    assert [r.code for r in reasons] == ["low_confidence"]


@pytest.mark.parametrize(
    ("sent", "other"),
    [
        ("On the Standard plan, the refund window is 41 days.", "the refund window is 35 days"),
        ("The monthly standing charge is €18.16.", "the monthly standing charge is €16.79"),
        ("Der Grundpreis beträgt 18,16 € im Monat.", "der Grundpreis beträgt 16,79 € im Monat"),
    ],
)
async def test_account_summary__a_figure_another_note_gives_differently_is_left_out(sent, other):
    job = _account(
        "Acme Tools",
        [
            {"id": "n1", "text": f"Acme Tools: {sent}"},
            {"id": "n2", "text": f"Draft for Acme Tools: {other}."},
        ],
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    points = " ".join(p.text for p in output.key_facts + output.open_issues)
    assert not any(figure in points for figure in ("41", "35", "18", "16"))


async def test_account_summary__the_figure_another_source_confirms_is_kept():
    job = _account(
        "Acme Tools",
        [
            {"id": "n1", "text": "Acme Tools renews for 60 seats."},
            {"id": "n2", "text": "Acme Tools renews for 150 seats."},
        ],
        [{"id": "e1", "sender": "ana@acmetools.example", "body": "All 60 of our seats are used."}],
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    quoted = " ".join(p.text for p in output.key_facts)
    assert "60 seats" in quoted and "150 seats" not in quoted
    assert not account_summary.KIND.review.reasons(high_risk_input=False, output=output)


async def test_account_summary__an_added_figure_is_no_conflict():
    job = _account(
        "Acme Tools",
        [
            {"id": "n1", "text": "Acme Tools renews for 60 seats."},
            {"id": "n2", "text": "Acme Tools wants to add 15 seats in June."},
        ],
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    assert len(output.key_facts) == 2
    assert not account_summary.KIND.review.reasons(high_risk_input=False, output=output)


async def _support_answer(question: str, *sources: tuple[str, str | None, str]) -> str:
    job = SupportAnswerInput.model_validate(
        {
            "question": question,
            "sources": [{"id": i, "title": title, "text": text} for i, title, text in sources],
        }
    )
    output = (await answer_question(job, ExtractiveProvider())).output
    return output.answer if output.outcome == "answered" else f"escalated: {output.refusal_reason}"


async def test_support_answer__a_question_s_parenthesis_names_what_it_is_about_not_what_it_asks():
    answer = await _support_answer(
        "What is the late checkout fee at Seabright Hotels (Room 12, North Wing, Garden View)?",
        ("faq-1", "Seabright Hotels charges", "The late checkout fee is €35.\nBreakfast is €18."),
    )
    assert "€35" in answer and "€18" not in answer


def test_split_footer__the_lines_below_the_signature_delimiter():
    own, footer = split_footer(["Hi Ann,", "Your plan costs €20.", "--", "Promo: €15 for new."])
    assert own == ["Hi Ann,", "Your plan costs €20."]
    assert footer == ["Promo: €15 for new."]
    assert split_footer(["A -- B costs €20.", "-- not a delimiter"]) == (
        ["A -- B costs €20.", "-- not a delimiter"],
        [],
    )


async def test_email_reply__the_figure_in_the_body_not_the_one_in_the_signature_footer():
    job = _thread(
        ("ann@mail.example", "What is the monthly fee of my Basic membership?"),
        (
            "help@clubfit.example",
            "Hello Ann,\nThe monthly fee of the Basic membership is €29.\n\nBest,\nLea\n\n"
            "-- \nClubFit · Mon-Sat 7-22\nNew members: monthly fee of the Basic membership €19.",
        ),
        subject="Monthly fee",
        question="Tell Ann the monthly fee of her Basic membership.",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "€29" in draft.body and "€19" not in draft.body


async def test_account_summary__a_signature_footer_is_not_a_fact_of_the_account():
    job = _account(
        "Ann Lee",
        [],
        [
            {
                "id": "e1",
                "sender": "help@clubfit.example",
                "body": "Hello Ann,\nThe monthly fee of your Basic membership is €29.\n\n--\n"
                "ClubFit · Mon-Sat 7-22\nNew members: monthly fee of the Basic membership €19.",
            }
        ],
    )
    quoted, _ = await _quoted(job)
    assert "€29" in quoted and "€19" not in quoted


@pytest.mark.parametrize(
    ("sentence", "now"),
    [
        ("Shipping is no longer free: since May it costs €4.", "since May it costs €4."),
        (
            "Versand: nicht mehr 3,00 €; ab dem 2. Juni 2026: 4,50 €.",
            "ab dem 2. Juni 2026: 4,50 €.",
        ),
        ("Livraison : ce n'est plus 3 € ; depuis mai : 5 €.", "depuis mai : 5 €."),
        ("Envío: ya no es 3 €; desde mayo: 5 €.", "desde mayo: 5 €."),
        ("We no longer ship to Norway.", "We no longer ship to Norway."),
        ("The fee is €24 (previously €19).", "The fee is €24"),
        ("Die Gebühr beträgt 24 € (zuvor 19 €).", "Die Gebühr beträgt 24 €"),
        ("Seats: 40, up from 25.", "Seats: 40"),
        (
            "Order 5521, previously delayed, ships on 3 May.",
            "Order 5521, previously delayed, ships on 3 May.",
        ),
    ],
)
def test_current_clause__the_clause_after_the_one_negating_an_old_value(sentence, now):
    assert current_clause(sentence) == now


def test_sentences__a_day_written_as_an_ordinal_does_not_end_a_sentence():
    assert sentences("Gültig ab dem 2. Juni 2026. Danach 5 €.\nSchritt 2. Fertig.") == [
        "Gültig ab dem 2. Juni 2026.",
        "Danach 5 €.",
        "Schritt 2.",
        "Fertig.",
    ]


async def test_support_answer__quotes_the_current_value_not_the_one_it_replaced():
    answer = await _support_answer(
        "How much is the Basic plan's monthly fee?",
        ("kb-1", "Pricing", "The Basic plan's monthly fee is no longer €19: since June it is €24."),
    )
    assert "€24" in answer and "€19" not in answer


def test_stale_sources__a_heading_that_marks_itself_replaced():
    from app.llm.staleness import stale_sources

    sources = [
        Source(
            "a", "Hi Ann,\nPrice list valid until 30 June 2025 (replaced):\nBasic: €19.", ours=True
        ),
        Source("b", "Hi Ann,\nPrice list valid from 1 July 2025:\nBasic: €24.", ours=True),
        Source("c", "Preisliste gültig bis 30. Juni 2025 (ersetzt):\nBasic: 19 €."),
        Source("d", "Lista de precios (sustituida): Basic 19 €."),
        Source("e", "Our plans (Basic, Pro) are billed monthly."),
    ]
    assert stale_sources(sources) == {0, 2, 3}


async def test_email_reply__a_later_message_quoting_a_replaced_price_list_does_not_supersede():
    job = _thread(
        ("ann@mail.example", "What does my Basic plan cost per month?"),
        (
            "help@shop.example",
            "Hi Ann,\nPrice list valid from 1 July 2025:\nBasic plan: €24 per month.",
        ),
        (
            "help@shop.example",
            "Hi Ann,\nPrice list valid until 30 June 2025 (superseded):\nBasic plan: €19 a month.",
        ),
        subject="Basic plan",
        question="Tell Ann what her Basic plan costs per month.",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "€24" in draft.body and "€19" not in draft.body


async def test_support_answer__a_sister_brands_page_with_another_fee_escalates():
    # Only the titles' words tell the pages apart, and a title's words also mislead (a
    # sibling package's page titled with the package's name): a person chooses.
    answer = await _support_answer(
        "What is the late checkout fee at Seabright Hotels?",
        ("kb-1", "Seabright Hostels charges", "The late checkout fee is €15.\nTowels are €2."),
        ("kb-2", "Seabright Hotels charges", "The late checkout fee is €35.\nTowels are free."),
    )
    assert answer.startswith("escalated") and "€15" not in answer and "€35" not in answer


_TIERS = (
    "| Item | Basic | Pro |\n| --- | --- | --- |\n| Storage | 10 GB | 1 TB |\n| Seats | 3 | 25 |"
)


async def test_support_answer__a_table_row_is_read_in_the_customer_s_plan_column():
    answer = await _support_answer(
        "How much storage do I get? I am on the Pro plan.", ("kb-1", "Plans", _TIERS)
    )
    assert answer == "Storage (Pro): 1 TB [kb-1]"


async def test_support_answer__cites_the_cell_it_read():
    job = SupportAnswerInput.model_validate(
        {
            "question": "How much storage do I get? I am on the Pro plan.",
            "sources": [{"id": "kb-1", "title": "Plans", "text": _TIERS}],
        }
    )
    output = (await answer_question(job, ExtractiveProvider())).output
    assert [(c.source, c.quote) for c in output.citations] == [("kb-1", "1 TB")]


def test_read_row__only_when_one_column_is_named():
    tables = table_headers(_TIERS.splitlines())
    assert tables.titles == {"| Item | Basic | Pro |", "| --- | --- | --- |"}
    row = "| Storage | 10 GB | 1 TB |"
    assert read_row(row, tables.rows[row], Focus.of("I am on the Basic plan")) == (
        "Storage (Basic): 10 GB",
        "10 GB",
        "Basic plan",
    )
    assert read_row(row, tables.rows[row], Focus.of("Which plan has more storage?")) is None
    assert read_row("Storage is 10 GB.", None, Focus.of("the Basic plan")) is None


def test_sibling__shares_a_word_with_the_asked_subject_and_adds_one():
    asked = subjects("What does parking cost (Lakeside Hotel, Level 2)?")
    assert asked == {"Lakeside Hotel", "Level 2"}
    assert sibling("Lakeside Lodge", asked) and sibling("Level 3", asked)
    assert not sibling("Lakeside Hotel", asked) and not sibling("Hotel", asked)
    assert not sibling("about $22", asked) and not sibling("2 nights", asked)
    assert labelled_subjects("Parking for Level 3: €9.", "FAQ: Lakeside Lodge") == {
        "Level 3",
        "Lakeside Lodge",
    }


async def test_support_answer__escalates_rather_than_answer_from_a_sibling_s_faq():
    answer = await _support_answer(
        "What does parking cost per night (Lakeside Hotel, Level 2)?",
        ("kb-1", "FAQ: Lakeside Lodge", "Parking per night (Lakeside Lodge): €9."),
    )
    assert answer.startswith("escalated")


async def test_support_answer__the_asked_subject_s_line_not_its_sibling_s():
    answer = await _support_answer(
        "What does parking cost per night (Lakeside Hotel, Level 2)?",
        ("kb-1", "FAQ: Level 3", "Parking per night (Level 3): €9."),
        ("kb-2", "Lakeside Hotel prices", "Parking per night (Level 2): €14."),
    )
    assert "€14" in answer and "€9" not in answer


def test_content_words__accented_words_are_whole_and_request_wording_is_no_content():
    assert content_words("Bitte bestätigen: Größe, Mietkaution?") == {"größ", "mietkaution"}
    assert content_words("¿Pueden confirmar: la fianza?") == {"fianza"}


async def test_support_answer__a_german_request_for_one_figure():
    answer = await _support_answer(
        "Bitte bestätigen: Mietkaution (Wohnung 3, Hafenstraße 9)?",
        ("kb-1", "Preise", "Mietkaution: 1.200,00 €.\nWohnfläche: 80 m²."),
    )
    assert "1.200,00 €" in answer and "80 m²" not in answer


async def _enriched(field: str, *references: tuple[str, str]) -> dict[str, object]:
    job = MetadataEnrichmentInput.model_validate(
        {
            "title": "Lakeside Hotel Garden Room",
            "references": [
                {"id": f"r{i}", "title": title, "text": text}
                for i, (title, text) in enumerate(references, 1)
            ],
            "fields": [field],
        }
    )
    output = (await metadata_enrichment.enrich_metadata(job, ExtractiveProvider())).output
    if output.outcome != "enriched":
        return {"refused": output.refusal_reason}
    return output.fields[0].model_dump()


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("checkout_fee", "The late checkout fee is €35.\nBreakfast is €18.", "€35"),
        ("parking_fee", "Underground parking for guests: €12 a night.", None),
        ("pet_fee", "The pet fee is no longer €10: since May it is €15.", "€15"),
        ("minibar", "The minibar is restocked daily.", "restocked daily"),
        # Lines joined into one sentence: the value after its own label, not the last one.
        ("material", "Material: ripstop nylon Poles: aluminium", "ripstop nylon"),
    ],
)
async def test_metadata_enrichment__a_sentence_that_says_the_field_s_value(field, text, value):
    found = await _enriched(field, ("Lakeside Hotel charges", text))
    if value is None:
        assert "refused" in found
    else:
        assert found["value"] == value and found["source"] == "r1"
        assert found["quote"] and value in str(found["quote"])


async def test_metadata_enrichment__the_item_s_own_sheet_before_a_sister_brand_s():
    found = await _enriched(
        "checkout_fee",
        ("Lakeside Lodge charges", "The late checkout fee is €20."),
        ("Lakeside Hotel charges", "The late checkout fee is €35."),
    )
    assert found["value"] == "€35" and found["source"] == "r2"


async def _described(attributes: dict, *references: tuple[str, str]) -> tuple[str, set[str]]:
    job = ProductDescriptionInput.model_validate(
        {
            "product": {"name": "Garden Room", "brand": "Lakeside Hotel", "attributes": attributes},
            "locale": "en-GB",
            "metadata_locale": "en",
            "references": [
                {"id": f"r{i}", "title": title, "text": text}
                for i, (title, text) in enumerate(references, 1)
            ],
        }
    )
    output = (await product_description.describe_product(job, ExtractiveProvider())).output
    assert output.outcome == "written", output.refusal_reason
    text = " ".join([output.body, *output.bullets])
    return text, {c.source for c in output.citations}


async def test_product_description__without_features_the_product_s_own_sheet_describes_it():
    text, cited = await _described(
        {},
        ("Lakeside Lodge rates", "The late checkout fee is €20."),
        ("Lakeside Hotel rates", "The late checkout fee is no longer €30: since May it is €35."),
    )
    assert "€35" in text and "€20" not in text and "€30" not in text
    assert cited == {"metadata", "r2"}


async def test_product_description__a_table_is_read_in_the_product_s_plan_column():
    text, _ = await _described(
        {"plan": "Pro"},
        ("Lakeside Hotel rates", "| Item | Basic | Pro |\n| --- | --- | --- |\n| Spa | €20 | €0 |"),
    )
    assert "Spa (Pro): €0" in text and "€20" not in text


async def test_support_answer__a_sub_brands_page_with_another_fee_escalates():
    answer = await _support_answer(
        "What is the late checkout fee at Seabright?",
        ("kb-1", "Seabright Express charges", "The late checkout fee is €15."),
        ("kb-2", "Seabright charges", "The late checkout fee is €35."),
    )
    assert answer.startswith("escalated") and "€15" not in answer


async def test_support_answer__a_how_much_question_gets_one_amount():
    answer = await _support_answer(
        "How much is the 5-morning adult group ski course? I will pay in full by card.",
        ("kb-1", "Prices 2026", "We charge €417.75 for the 5-morning adult group ski course."),
        (
            "kb-2",
            "Paying with SnowPay",
            "SnowPay, our payment partner, charges €112.75 for paying in instalments.",
        ),
    )
    assert "€417.75" in answer and "€112.75" not in answer


async def test_support_answer__a_package_page_titled_with_its_name_is_no_answer_for_another():
    answer = await _support_answer(
        "How much is the 10-lesson package for beginners?",
        (
            "kb-1",
            "Driving school prices: the 10-lesson automatic refresher package",
            "The 10-lesson automatic refresher package: €395.00.",
        ),
        ("kb-2", "Driving school prices 2026", "The 10-lesson package for beginners: €490.25."),
    )
    assert "€395.00" not in answer


async def test_account_summary__a_tier_table_is_read_in_the_account_s_plan_column():
    job = _account(
        "Ann Lee",
        [],
        [
            {"id": "e1", "sender": "ann@mail.example", "body": "I am on the Pro plan."},
            {
                "id": "e2",
                "sender": "help@shop.example",
                "body": "Our prices:\n| Item | Basic | Pro |\n| --- | --- | --- |\n"
                "| Monthly fee | €19.00 | €24.00 |",
            },
        ],
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    points = " ".join(p.text for p in output.key_facts)
    assert "Monthly fee (Pro): €24.00" in points and "€19.00" not in points
    assert ("e2", "€24.00") in {(c.source, c.quote) for c in output.citations}


def test_supersedes__the_same_label_before_a_figure_in_any_language():
    from tasks.kinds.account_summary.figures import supersedes

    assert supersedes("Cuota mensual: 24,00 €.", "Cuota mensual: 19,00 €.")
    assert not supersedes("Cuota de alta: 24,00 €.", "Cuota mensual: 19,00 €.")
    assert not supersedes("Cuota mensual: 24,00 €.", "Nos vemos el lunes.")


async def test_account_summary__an_agent_s_corrected_figure_replaces_the_first_in_spanish():
    job = _account(
        "Ana Ruiz",
        [],
        [
            {
                "id": "e1",
                "sender": "help@shop.example",
                "sent_at": "2026-11-02T09:00:00Z",
                "body": "Cuota mensual del plan: 19,00 €.",
            },
            {
                "id": "e2",
                "sender": "help@shop.example",
                "sent_at": "2026-11-02T10:00:00Z",
                "body": "Disculpe el error. Cuota mensual del plan: 24,00 €.",
            },
        ],
    )
    quoted, _ = await _quoted(job)
    assert "24,00 €" in quoted and "19,00 €" not in quoted


def test_another_name__a_name_sharing_no_word_with_the_question():
    asked = {"Garden Room"}
    question = "What does parking cost (Garden Room)?"
    assert another_name("Harbour Suite", asked, question)
    assert another_name("Suite S2", asked, question)
    assert not another_name("Garden Room", asked, question)
    assert not another_name("new guests", asked, question)
    assert not another_name("MM/DD/YYYY", asked, question) and not another_name(
        "USD", asked, question
    )
    assert not another_name("Harbour Suite", set(), question)


async def test_support_answer__escalates_rather_than_answer_from_another_product_s_faq():
    answer = await _support_answer(
        "What does parking cost per night (Garden Room)?",
        ("kb-1", "FAQ: Harbour Suite", "Parking per night for Harbour Suite: €9."),
    )
    assert answer.startswith("escalated")


def test_split_footer__what_follows_a_closing_or_a_rule_is_the_signature():
    own, footer = split_footer(["Your fee is €20.", "Kind regards,", "Lea", "New: €15."])
    assert own == ["Your fee is €20.", "Kind regards,"] and footer == ["Lea", "New: €15."]
    assert split_footer(["Fee: 20 €.", "Mit freundlichen Grüßen", "Lea"])[1] == ["Lea"]
    assert split_footer(["Fee: €20.", "_____", "Promo: €15."])[1] == ["Promo: €15."]
    assert split_footer(["Regards to your team: the fee is €20."])[1] == []


async def test_email_reply__a_footer_below_the_sign_off_without_a_delimiter():
    job = _thread(
        ("ann@mail.example", "What is the monthly fee of my Basic membership?"),
        (
            "help@clubfit.example",
            "Hello Ann,\nThe monthly fee of the Basic membership is €29.\n\nKind regards,\n"
            "Lea\nClubFit\nNew members: monthly fee of the Basic membership €19.",
        ),
        subject="Monthly fee",
        question="Tell Ann the monthly fee of her Basic membership.",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "€29" in draft.body and "€19" not in draft.body


def test_mentions__a_hyphen_joins_a_name_a_spaced_dash_separates():
    assert ("plan", "all-access") in mentions("I am on the All-Access plan.")
    assert mentions("Pricing - the Team plan") == {("plan", "team")}


def test_an_exception_naming_the_asked_case_replaces_the_rule_before_it() -> None:
    article = Source(
        id="kb-1",
        text="Standard tickets can be exchanged up to 14 days before the concert. "
        "Except: Early Bird tickets can be exchanged only within 3 days of purchase.",
    )
    chosen = choose_extracts("I bought an Early Bird ticket. When can I exchange it?", [article])
    texts = " ".join(e.text for e in chosen)
    assert "3 days" in texts
    assert "14 days" not in texts


def test_an_exception_the_question_does_not_name_leaves_the_rule() -> None:
    article = Source(
        id="kb-1",
        text="Standard tickets can be exchanged up to 14 days before the concert. "
        "Except: Early Bird tickets can be exchanged only within 3 days of purchase.",
    )
    chosen = choose_extracts("I have a standard ticket. When can I exchange it?", [article])
    assert "14 days" in " ".join(e.text for e in chosen)


def test_an_automatic_summary_does_not_outrank_the_document_it_summarises() -> None:
    summary = Source(
        id="summary",
        title="Ticket summary",
        text="Summary (generated automatically): Order confirmation, ORD-55120, total $7,310.00.",
    )
    document = Source(
        id="doc",
        title="Order confirmation",
        text="Order confirmation\nReference: ORD-55120\nTotal: $3,710.00",
    )
    chosen = choose_extracts("What is the total on order ORD-55120?", [summary, document])
    assert chosen
    assert all("7,310" not in e.text for e in chosen)


def test_an_automatic_summary_still_answers_when_it_is_all_there_is() -> None:
    summary = Source(
        id="summary",
        text="Summary (generated automatically): Order confirmation, ORD-55120, total $7,310.00.",
    )
    chosen = choose_extracts("What is the total on order ORD-55120?", [summary])
    assert [e.source_id for e in chosen] == ["summary"]


async def test_account_summary__leaves_out_an_attachments_automatic_summary():
    job = AccountSummaryInput.model_validate(
        {
            "account": "Acme Corp",
            "emails": [
                {
                    "id": "e1",
                    "body": "Our 40 seats renew on 30 June; the renewal quote is attached.\n\n"
                    "Summary (generated automatically): renewal quote, 14 seats, $4,100.00.",
                },
            ],
        }
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    quoted = " ".join(c.quote for c in output.citations)
    assert "40 seats" in quoted and "4,100" not in quoted


@pytest.mark.parametrize(
    ("question", "text"),
    [
        (
            "Combien de temps faut-il pour que la caution soit remboursée ?",
            "La caution est remboursée sous 10 jours.",
        ),
        (
            "Wie lange dauert bei uns die Reparatur von einem Fahrrad?",
            "Die Reparatur eines Fahrrads dauert 5 Werktage.",
        ),
        (
            "¿Cuándo me llega a mí la factura de mi suscripción por correo?",
            "Enviamos cada factura de suscripción por correo el día 3.",
        ),
    ],
)
async def test_support_answer__answers_a_question_asked_in_another_language(
    question: str, text: str
) -> None:
    job = SupportAnswerInput.model_validate(
        {"question": question, "sources": [{"id": "kb-1", "title": "Policy", "text": text}]}
    )
    output = (await answer_question(job, ExtractiveProvider())).output
    assert output.outcome == "answered"
    assert [c.source for c in output.citations] == ["kb-1"]


def test_function_words_of_other_languages_are_not_content_words() -> None:
    assert content_words("Combien de temps le stockage est-il gratuit ?") == {
        "temp",
        "stockag",
        "est",
        "gratuit",
    }
    assert "son" in content_words("the report of our son")


async def test_support_answer__a_deadline_question_is_answered_by_the_date() -> None:
    job = SupportAnswerInput.model_validate(
        {
            "question": "I'm abroad until spring. What's the deadline to renew my parking permit?",
            "sources": [
                {
                    "id": "kb-1",
                    "title": "Permits",
                    "text": "Parking permits must be renewed by 17:00 on 31 January.",
                }
            ],
        }
    )
    output = (await answer_question(job, ExtractiveProvider())).output
    assert output.outcome == "answered"
    assert "31 January" in output.answer


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("recycled_polyester", "Fabric: made with 45% recycled polyester.", "45%"),
        ("organic_linen", "The curtains contain 12.5 % organic linen.", "12.5 %"),
        ("recycled_aluminium", "The frame is 100% recycled aluminium.", "100%"),
    ],
)
async def test_metadata_enrichment__a_field_naming_a_material_takes_its_stated_share(
    field: str, text: str, value: str
) -> None:
    assert (await _enriched(field, ("Supplier sheet", text)))["value"] == value


async def test_metadata_enrichment__a_share_of_another_material_is_not_the_fields() -> None:
    found = await _enriched(
        "recycled_plastic", ("Supplier sheet", "Contains 40% recyclable plastic.")
    )
    assert "refused" in found


async def test_support_answer__two_articles_giving_the_same_fee_differently_escalate():
    answer = await _support_answer(
        "What is the monthly standing charge on the Smart meter plan?",
        (
            "kb-1",
            "Standing charges",
            "On the Smart meter plan, the monthly standing charge is €13.33.",
        ),
        (
            "kb-2",
            "Standing charges",
            "On the Smart meter plan, the monthly standing charge is €13.29.",
        ),
    )
    assert answer.startswith("escalated") and "13.33" not in answer and "13.29" not in answer


async def test_email_reply__our_two_notes_giving_another_figure_are_not_chosen_between():
    job = _thread(
        ("ann@mail.example", "Hello, what is the monthly standing charge on my Smart meter plan?"),
        (
            "support@volta.example",
            "On the Smart meter plan, the monthly standing charge is €18.16.",
        ),
        (
            "support@volta.example",
            "On the Smart meter plan, the monthly standing charge is €16.79.",
        ),
        subject="Standing charge",
        question="Tell Ann the monthly standing charge on her Smart meter plan.",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert draft.outcome == "refused" and "which figure" in (draft.refusal_reason or "")
    assert "18.16" not in draft.body and "16.79" not in draft.body


@pytest.mark.parametrize(
    "correction",
    [
        "Correction: on the Smart meter plan, the monthly standing charge is €16.79.",
        "Sorry, I gave you the wrong figure: on the Smart meter plan, the monthly standing "
        "charge is €16.79.",
        "Update: on the Smart meter plan, the monthly standing charge is €16.79 from May.",
    ],
)
async def test_email_reply__a_message_that_says_it_corrects_ours_replaces_it(correction):
    job = _thread(
        ("ann@mail.example", "Hello, what is the monthly standing charge on my Smart meter plan?"),
        (
            "support@volta.example",
            "On the Smart meter plan, the monthly standing charge is €18.16.",
        ),
        ("support@volta.example", correction),
        subject="Standing charge",
        question="Tell Ann the monthly standing charge on her Smart meter plan.",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert draft.outcome == "drafted" and "18.16" not in draft.body


async def test_email_reply__the_question_names_which_of_the_customers_two_bookings():
    job = _thread(
        ("owen@mail.example", "I have two bookings, APT-49440 and APT-49404. Their fees?"),
        ("desk@clinic.example", "The consultation fee for booking APT-49404 is €51.00."),
        ("desk@clinic.example", "The consultation fee for booking APT-49440 is €100.00."),
        subject="Two bookings",
        question="What is the consultation fee for booking APT-49440?",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "€100.00" in draft.body and "€51.00" not in draft.body


async def test_product_description__a_reference_contradicting_the_catalog_is_left_out():
    job = ProductDescriptionInput.model_validate(
        {
            "locale": "en-GB",
            "product": {
                "name": "PawSure Complete plan",
                "brand": "PawSure",
                "category": "pet insurance",
                "attributes": {"illness_waiting_period": "32 days"},
                "features": ["Covers illness and injury"],
            },
            "references": [
                {
                    "id": "ref-1",
                    "title": "PawSure Complete plan",
                    "text": "On the PawSure Complete plan, the illness waiting period is 53 days.",
                },
            ],
        }
    )
    output = (await product_description.describe_product(job, ExtractiveProvider())).output
    assert output.outcome == "written" and "53 days" not in output.model_dump_json()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nightly rate: ~~£65.95~~ £58.50", "£58.50"),
        ("Price: <del>€40</del> €35 per night", "€35 per night"),
        ("Nightly rate: £58.50", "Nightly rate: £58.50"),
        ("~~Old wording~~ no figure after it", "~~Old wording~~ no figure after it"),
    ],
)
def test_struck_out__the_struck_through_price_is_not_the_value(text, expected):
    assert struck_out(text) == expected
    assert current_clause(text) == expected


def test_sentences__an_abbreviations_point_ends_no_sentence():
    text = "The charge is £2,920 excl. VAT / £3,504 incl. VAT. Payment on booking."
    assert sentences(text) == [
        "The charge is £2,920 excl. VAT / £3,504 incl. VAT.",
        "Payment on booking.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "I think we agreed €8.00 for the pass, but I wasn't in that meeting.",
        "Je crois que c'était 8 €.",
        "Ich glaube, es waren 8 €.",
        "Creo que eran 8 €.",
    ],
)
def test_hedged__a_guess_is_recognised(sentence):
    assert hedged(sentence)


def test_hedged__a_plain_statement_is_not():
    assert not hedged("The replacement card fee is €9.40.")


@pytest.mark.parametrize(
    ("question", "expected", "absent"),
    [
        ("What is the connection charge including VAT?", "£3,504", "£2,920"),
        ("What is the connection charge excluding VAT?", "£2,920", "£3,504"),
    ],
)
async def test_support_answer__quotes_the_alternative_the_question_names(
    question, expected, absent
):
    answer = await _support_answer(
        question,
        ("kb-1", "Connection", "The connection charge: £2,920 excl. VAT / £3,504 incl. VAT."),
    )
    assert expected in answer and absent not in answer


async def test_support_answer__alternatives_the_question_does_not_choose_between_escalate():
    answer = await _support_answer(
        "What is the connection charge?",
        ("kb-1", "Connection", "The connection charge: £2,920 excl. VAT / £3,504 incl. VAT."),
    )
    assert answer.startswith("escalated") and "£" not in answer


async def test_support_answer__a_figure_its_own_source_corrects_later_is_not_stated():
    answer = await _support_answer(
        "How much is the IVF Plus package?",
        (
            "kb-1",
            "IVF Plus package",
            "The package price for IVF Plus package is €6,155.\n\n"
            "Edit (13 October 2026): typo in the line above, the correct amount is €6,785.",
        ),
    )
    assert "6,155" not in answer


async def test_email_reply__a_comparison_rows_values_are_not_quoted_whole():
    job = _thread(
        ("grace@mail.example", "What is the hire fee for the Main Hall?"),
        (
            "megan@hall.example",
            "How we compare:\n| | Foundry Hall | Arena Loft |\n"
            "| Hire fee (Main Hall) | €1,995 | €1,780 |",
        ),
        subject="Hire fee",
        question="Confirm the hire fee for the Main Hall.",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert "€1,780" not in draft.body


async def test_email_reply__two_fees_whose_sentences_do_not_say_which_order_are_not_both_given():
    job = _thread(
        ("priya@mail.example", "How much is the valuation fee on my current order?"),
        (
            "sam@broker.example",
            "Order PO-47688 - status: cancelled\nValuation fee (First-Time Buyer): £170.10",
        ),
        (
            "sam@broker.example",
            "Order PO-44933 - status: confirmed\nValuation fee (First-Time Buyer): £232.95",
        ),
        subject="Valuation fee",
        question="Confirm the valuation fee on Priya's current order.",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert not ("£170.10" in draft.body and "£232.95" in draft.body)
    assert "£170.10" not in draft.body


async def test_follow_up_draft__a_colleagues_guess_is_no_commitment():
    job = follow_up_draft.FollowUpDraftInput.model_validate(
        {
            "conversation": [
                {"id": "t1", "speaker": "Tom", "text": "How much is the replacement card fee?"},
                {
                    "id": "t2",
                    "speaker": "Sam Fletcher",
                    "text": "The fee is €9.40. I'll send you the written confirmation by Friday.",
                },
                {
                    "id": "t3",
                    "speaker": "Daniel Price",
                    "text": "I think we agreed €8.00, but I wasn't in that meeting.",
                },
            ],
            "about": "Replacement card fee",
            "sender": "Sam Fletcher",
            "recipient": "Tom",
        }
    )
    output = (await follow_up_draft.draft_follow_up(job, ExtractiveProvider())).output
    assert output.outcome == "drafted" and "€8.00" not in output.model_dump_json()


async def test_document_extraction__the_struck_through_price_is_not_the_fields_value():
    job = document_extraction.DocumentExtractionInput.model_validate(
        {
            "document_type": "form",
            "text": "Order form\nCustomer: Grace Nolan\nMonthly rental: ~~€73.75~~ €58.60",
            "fields": ["monthly_rental"],
        }
    )
    output = (await document_extraction.extract_document(job, ExtractiveProvider())).output
    (field,) = output.fields
    assert field.value == "€58.60" and "73.75" not in output.model_dump_json()


async def test_metadata_enrichment__the_struck_through_price_is_not_the_fields_value():
    job = MetadataEnrichmentInput.model_validate(
        {
            "title": "First-Time Buyer Service",
            "description": "First-Time Buyer Service\nBroker fee: ~~£914.65~~ £789.75",
            "fields": ["broker_fee"],
        }
    )
    output = (await metadata_enrichment.enrich_metadata(job, ExtractiveProvider())).output
    (field,) = output.fields
    assert field.value == "£789.75" and "914.65" not in output.model_dump_json()


async def test_email_reply__asked_only_to_answer_the_last_message_answers_what_it_asks():
    job = _thread(
        ("daniel@mail.example", "Hello, we would like to know your prices for CarePlus service."),
        (
            "hannah@garage.example",
            "Hello Daniel,\nHere are our current prices.\n"
            "Diagnostic check fee (CarePlus service): £115.50.",
        ),
        ("daniel@mail.example", "Thanks. What is the diagnostic check fee for CarePlus service?"),
        subject="CarePlus service",
        question="Answer the customer's last message.",
    )
    draft = (await draft_email_reply(job, ExtractiveProvider())).output
    assert draft.outcome == "drafted" and "£115.50" in draft.body


async def test_support_answer__the_question_names_the_product_a_siblings_price_is_not_its():
    answer = await _support_answer(
        "What is the escape-of-water excess for HomeShield Complete?",
        (
            "kb-1",
            "Brightwell Home Insurance - HomeShield Essential",
            "Escape-of-water excess (HomeShield Essential): £194.75.",
        ),
    )
    assert answer.startswith("escalated") and "194.75" not in answer


async def test_product_description__a_sheets_price_and_its_shipping_both_stay():
    job = ProductDescriptionInput.model_validate(
        {
            "locale": "en-GB",
            "product": {"name": "Trail Jacket", "brand": "Northpeak", "features": []},
            "references": [
                {
                    "id": "sheet-1",
                    "title": "Trail Jacket",
                    "text": "The Trail Jacket costs €129. "
                    "Shipping for the Trail Jacket costs €4.95.",
                },
            ],
        }
    )
    output = (await product_description.describe_product(job, ExtractiveProvider())).output
    assert "€129" in output.body and "€4.95" in output.body


async def test_product_description__another_countrys_price_list_is_not_the_locales():
    job = ProductDescriptionInput.model_validate(
        {
            "locale": "fr-FR",
            "metadata_locale": "fr",
            "product": {"name": "Pack Chien Moyen", "brand": "PawRx", "features": []},
            "references": [
                {
                    "id": "sheet-fr",
                    "title": "PawRx - Pack Chien Moyen (France)",
                    "text": "Tarifs pour les clients en France.\n"
                    "Frais d'ordonnance (Pack Chien Moyen) : 23,25 €.",
                },
                {
                    "id": "sheet-ch",
                    "title": "PawRx - Pack Chien Moyen (Suisse)",
                    "text": "Tarifs pour les clients en Suisse.\n"
                    "Frais d'ordonnance (Pack Chien Moyen) : 28,50 CHF.",
                },
            ],
        }
    )
    output = (await product_description.describe_product(job, ExtractiveProvider())).output
    assert "28,50" not in output.model_dump_json()


async def test_account_summary__a_question_is_no_key_fact():
    job = _account(
        "Lucía Romero",
        [],
        [
            {"id": "e1", "body": "¿Podrían dejarlo en 2.880,50 € para Shaker range?"},
            {"id": "e2", "body": "Podemos acordar 2.254,50 € para Shaker range."},
        ],
    )
    output = (await account_summary.summarize_account(job, ExtractiveProvider())).output
    facts = " ".join(p.text for p in output.key_facts)
    assert "2.880,50" not in facts


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Hourly rate for tax office enquiries (Landlord package): £145.25.", "£145.25"),
        ("Enquiries, hourly rate: £145.25", "£145.25"),
    ],
)
async def test_metadata_enrichment__a_label_with_the_fields_words_in_its_own_order(text, value):
    job = MetadataEnrichmentInput.model_validate(
        {
            "title": "Landlord package",
            "description": "Landlord package.",
            "references": [{"id": "ref-1", "text": text}],
            "fields": ["enquiry_hourly_rate"],
        }
    )
    output = (await metadata_enrichment.enrich_metadata(job, ExtractiveProvider())).output
    (field,) = output.fields
    assert field.value == value and field.source == "ref-1"


async def test_metadata_enrichment__two_labelled_lines_giving_two_values_give_none():
    job = MetadataEnrichmentInput.model_validate(
        {
            "title": "Landlord package",
            "description": "Landlord package.",
            "references": [
                {"id": "ref-1", "text": "Hourly rate for enquiries (Landlord package): £145.25"},
                {"id": "ref-2", "text": "Hourly rate for enquiries (Investor package): £110.50"},
            ],
            "fields": ["enquiry_hourly_rate"],
        }
    )
    output = (await metadata_enrichment.enrich_metadata(job, ExtractiveProvider())).output
    assert "110.50" not in output.model_dump_json()


def test_locale_region__the_locales_country_as_a_text_names_it():
    assert locale_region("fr-FR") == "France"
    assert locale_region("en_GB") == "UK"
    assert locale_region("de") == ""


async def test_support_answer__a_two_part_price_question_gets_both_amounts():
    answer = await _support_answer(
        "How much is the cleaning fee and how much is the deposit?",
        ("kb-1", "Fees", "The cleaning fee is €45."),
        ("kb-2", "Deposits", "The deposit is €200."),
    )
    assert "€45" in answer and "€200" in answer


async def test_support_answer__one_amount_written_two_ways_is_no_conflict():
    answer = await _support_answer(
        "How much is the cleaning fee?",
        ("kb-1", "Fees", "The cleaning fee is €45."),
        ("kb-2", "Fees 2026", "The cleaning fee is €45.00."),
    )
    assert answer.startswith("The cleaning fee is €45")


@pytest.mark.parametrize(
    "text",
    [
        "The cleaning fee is €45.\nCorrection: the cleaning fee is €54.",
        "The cleaning fee is €45.\nEdit: typo above, the correct cleaning fee is €54.",
    ],
)
async def test_support_answer__a_sources_own_correction_is_the_answer(text):
    answer = await _support_answer("How much is the cleaning fee?", ("kb-1", "Cleaning", text))
    assert "€54" in answer and "€45" not in answer


async def test_support_answer__a_source_that_says_it_corrects_another_is_the_answer():
    answer = await _support_answer(
        "How much is the cleaning fee?",
        ("kb-1", "Cleaning", "The cleaning fee is €45."),
        ("kb-2", "Cleaning update", "Correction: the cleaning fee is €60."),
    )
    assert "€60" in answer and "€45" not in answer


async def test_support_answer__words_after_both_alternatives_choose_neither():
    answer = await _support_answer(
        "What does the Pro plan cost per month?",
        ("kb-1", "Pro plan", "The Pro plan costs €20 excl. VAT / €24 incl. VAT per month."),
    )
    assert answer.startswith("escalated")
