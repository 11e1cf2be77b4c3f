"""Each kind's deterministic rules refuse a bad answer; its offline answer (the
extractive provider) is valid, cites only given sources, or declines honestly."""

from __future__ import annotations

import pytest

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import email_reply, support_answer, taxonomy_tagging
from tasks.kinds.email_reply import Citation, EmailReplyDraft
from tasks.kinds.support_answer import SupportAnswer, SupportAnswerInput, SupportCitation
from tasks.kinds.taxonomy_tagging import Tag, TaxonomyTags
from tests.support.kind_inputs import QUESTION, TAGGING, THREAD


def _draft(**update) -> EmailReplyDraft:
    good = EmailReplyDraft(
        subject="Re: refund",
        body="It arrives within 5 business days.",
        citations=[Citation(source="m1", quote="The refund will arrive within 5 business days.")],
        outcome="drafted",
    )
    return good.model_copy(update=update)


def _tags(*tags: tuple[str, float], **update) -> TaxonomyTags:
    return TaxonomyTags(
        tags=[Tag(tag=t, confidence=c) for t, c in tags], outcome="tagged"
    ).model_copy(update=update)


def _answer(**update) -> SupportAnswer:
    good = SupportAnswer(
        answer="Five to seven business days.",
        citations=[
            SupportCitation(source="kb-12", quote="Refunds to a card take 5 to 7 business days")
        ],
        outcome="answered",
    )
    return good.model_copy(update=update)


def test_rules__a_good_answer_of_each_kind_keeps_them_all():
    assert email_reply.RULES.problems(THREAD, _draft()) == []
    assert taxonomy_tagging.RULES.problems(TAGGING, _tags(("hiking", 0.9))) == []
    assert support_answer.RULES.problems(QUESTION, _answer()) == []


@pytest.mark.parametrize(
    ("draft", "problem"),
    [
        (_draft(citations=[Citation(source="m7", quote="x")]), "citations.source[0]"),
        (_draft(citations=[Citation(source="m1", quote="It arrives tomorrow.")]), "word for word"),
        (_draft(body="x" * 10_001), "body: 10001 characters"),
        (_draft(subject="x" * 301), "subject"),
    ],
)
def test_email_reply_rules__refuse(draft, problem):
    assert problem in "; ".join(email_reply.RULES.problems(THREAD, draft))


@pytest.mark.parametrize(
    ("tags", "problem"),
    [
        (_tags(("cooking", 0.9)), "tags.tag[0]: not one of the allowed values"),
        (_tags(("hiking", 1.5)), "tags.confidence[0]: must be between 0.0 and 1.0"),
        (_tags(("hiking", 0.9), ("hiking", 0.8)), "tags[1]: the same tag twice"),
        (_tags(("hiking", 0.9), ("outdoor", 0.8), ("rain-jacket", 0.7)), "at most 2"),
        (_tags(("hiking", 0.9), outcome="refused", refusal_reason="no"), "refusal carries no"),
    ],
)
def test_taxonomy_tagging_rules__refuse(tags, problem):
    assert problem in "; ".join(taxonomy_tagging.RULES.problems(TAGGING, tags))


def test_taxonomy_tagging_prune__drops_tags_outside_the_taxonomy_never_returns_them():
    broken = _tags(("cooking", 0.99), ("hiking", 0.9), ("outdoor", 0.6), ("rain-jacket", 0.7))

    pruned = taxonomy_tagging.RULES.bind(TAGGING).pruned(broken)

    assert pruned is not None
    assert [t.tag for t in pruned.tags] == ["hiking", "rain-jacket"]


def test_taxonomy_tagging_prune__cannot_fix_a_confidence_out_of_range():
    assert taxonomy_tagging.RULES.bind(TAGGING).pruned(_tags(("hiking", 7.0))) is None


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (_answer(citations=[SupportCitation(source="kb-99", quote="x")]), "citations.source[0]"),
        (_answer(citations=[SupportCitation(source="kb-12", quote="In 2 days.")]), "word for word"),
        (_answer(citations=[]), "an answer cites the sources"),
        (_answer(outcome="escalated", refusal_reason="unsure"), "an escalation carries no answer"),
        (_answer(answer="x" * 4001), "answer: 4001 characters"),
    ],
)
def test_support_answer_rules__refuse(answer, problem):
    assert problem in "; ".join(support_answer.RULES.problems(QUESTION, answer))


async def test_email_reply_offline__cites_only_messages_of_the_thread():
    result = await email_reply.draft_email_reply(THREAD, ExtractiveProvider())

    assert result.model == "extractive" and result.prompt_version == "email_reply/v2"
    assert result.output.outcome == "drafted"
    assert {c.source for c in result.output.citations} <= {"m0", "m1"}


async def test_taxonomy_tagging_offline__tags_only_from_the_taxonomy_with_confidences():
    result = await taxonomy_tagging.tag_content(TAGGING, ExtractiveProvider())

    assert result.model == "extractive" and result.prompt_version == "taxonomy_tagging/v1"
    assert result.output.outcome == "tagged"
    assert sorted(t.tag for t in result.output.tags) == ["hiking", "rain-jacket"]
    assert all(0 < t.confidence <= 0.8 for t in result.output.tags)


async def test_taxonomy_tagging_offline__refuses_when_no_tag_matches():
    job = TAGGING.model_copy(update={"taxonomy": ["kitchen", "garden-tools"]})

    result = await taxonomy_tagging.tag_content(job, ExtractiveProvider())

    assert (result.output.outcome, result.output.tags) == ("refused", [])
    assert result.output.refusal_reason == "no tag of the taxonomy matches the text"


async def test_support_answer_offline__answers_from_the_source_that_says_it_cited():
    result = await support_answer.answer_question(QUESTION, ExtractiveProvider())

    assert result.model == "extractive" and result.output.outcome == "answered"
    assert [c.source for c in result.output.citations] == ["kb-12"]
    assert "5 to 7 business days" in result.output.answer


@pytest.mark.parametrize(
    "sources",
    [[], [{"id": "kb-40", "text": "Orders ship from Lyon every weekday."}]],
)
async def test_support_answer_offline__escalates_when_the_sources_do_not_answer(sources):
    job = QUESTION.model_copy(
        update={"sources": SupportAnswerInput(question="q", sources=sources).sources}
    )

    result = await support_answer.answer_question(job, ExtractiveProvider())

    assert result.output.outcome == "escalated" and result.output.citations == []
    assert result.output.refusal_reason == "the sources do not answer the question"


def test_refusals__of_every_kind_keep_its_rules():
    assert email_reply.RULES.problems(THREAD, email_reply.refuse(THREAD, "no")) == []
    assert taxonomy_tagging.RULES.problems(TAGGING, taxonomy_tagging.refuse(TAGGING, "no")) == []
    assert support_answer.RULES.problems(QUESTION, support_answer.escalate("no")) == []
