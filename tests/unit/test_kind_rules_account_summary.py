"""``account_summary``'s rules refuse a bad answer; its offline answer quotes only given
sources, and it refuses when they say nothing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import account_summary
from tasks.kinds.account_summary import AccountSummary, AccountSummaryInput, Citation, Point
from tests.support.kind_inputs_a import ACCOUNT


def _summary(**update) -> AccountSummary:
    good = AccountSummary(
        summary="A renewal is coming; a duplicate charge is open.",
        key_facts=[Point(text="Renewal on 30 June for 40 seats.", sources=["n1"])],
        open_issues=[Point(text="Charged twice for INV-2231.", sources=["e1"])],
        sentiment="negative",
        sentiment_sources=["e1"],
        citations=[
            Citation(source="n1", quote="Renewal due on 30 June for 40 seats."),
            Citation(source="e1", quote="We were charged twice for invoice INV-2231 in March."),
        ],
        outcome="summarized",
    )
    return good.model_copy(update=update)


def test_rules__a_good_summary_keeps_them_all():
    assert account_summary.RULES.problems(ACCOUNT, _summary()) == []


@pytest.mark.parametrize(
    ("summary", "problem"),
    [
        (_summary(citations=[Citation(source="e9", quote="x")]), "citations.source[0]: not one"),
        (
            _summary(citations=[Citation(source="e1", quote="We were charged three times.")]),
            "citations[0].quote: not found word for word",
        ),
        (_summary(key_facts=[Point(text="x", sources=[])]), "key_facts[0].sources: name"),
        (
            _summary(open_issues=[Point(text="x", sources=["e2"])]),
            "open_issues[0].sources[0]: not a source quoted in citations",
        ),
        (_summary(sentiment_sources=[]), "sentiment_sources: name"),
        (_summary(sentiment_sources=["n2"]), "sentiment_sources[0]: not a source quoted"),
        (_summary(summary="x" * 2001), "summary: 2001 characters"),
        (
            _summary(key_facts=[Point(text="Renewal.", sources=["n1"])] * 6),
            "key_facts: 6 points, at most 5",
        ),
        (_summary(summary=" "), "summary: empty"),
        (_summary(outcome="refused", refusal_reason="no"), "a refusal carries no summary"),
    ],
)
def test_account_summary_rules__refuse(summary, problem):
    assert problem in "; ".join(account_summary.RULES.problems(ACCOUNT, summary))


def test_input__needs_a_source_and_unique_ids():
    with pytest.raises(ValidationError, match="at least one"):
        AccountSummaryInput(account="a")
    with pytest.raises(ValidationError, match="unique"):
        AccountSummaryInput(
            account="a", emails=[{"id": "x", "body": "b"}], crm_notes=[{"id": "x", "text": "t"}]
        )


async def test_offline__quotes_the_open_issue_and_the_fact_never_the_fixed_problem():
    result = await account_summary.summarize_account(ACCOUNT, ExtractiveProvider())
    output = result.output

    assert result.model == "extractive" and result.prompt_version == "account_summary/v1"
    assert output.outcome == "summarized" and output.sentiment == "mixed"
    assert [p.text for p in output.open_issues] == [
        "We were charged twice for invoice INV-2231 in March."
    ]
    assert "Renewal due on 30 June for 40 seats." in [p.text for p in output.key_facts]
    assert {c.source for c in output.citations} <= {"e1", "e2", "n1"}


async def test_offline__refuses_when_the_sources_say_nothing():
    job = AccountSummaryInput(account="a", emails=[{"id": "e1", "body": "Hi!\n\nThanks, Pepper"}])

    result = await account_summary.summarize_account(job, ExtractiveProvider())

    assert result.output.outcome == "refused"
    assert result.output.refusal_reason == "the e-mails and notes say nothing to summarize"


def test_refusal__keeps_the_rules_and_a_legal_threat_is_high_risk():
    assert account_summary.RULES.problems(ACCOUNT, account_summary.refuse("no")) == []
    assert account_summary.KIND.high_risk is not None
    assert not account_summary.KIND.high_risk(ACCOUNT)
    threat = ACCOUNT.model_copy(
        update={
            "emails": [
                *ACCOUNT.emails,
                ACCOUNT.emails[0].model_copy(
                    update={"id": "e3", "body": "Our lawyer will be in touch."}
                ),
            ]
        }
    )
    assert account_summary.KIND.high_risk(threat)
