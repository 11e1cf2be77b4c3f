"""``moderation_summary``: the rule stage decides the clear cases with no model call;
each rule refuses a bad judgement; a quote not in the content is dropped but a label
is never dropped; the offline answer says no model judged; the refusal keeps the rules."""

from __future__ import annotations

import pytest

from app.llm.extractive import ExtractiveProvider
from app.llm.provider import Generation, GenerationRequest
from tasks.kinds import moderation_summary
from tasks.kinds.moderation_summary import (
    RULES,
    ModerationJudgement,
    ModerationSummaryInput,
    Passage,
    looks_high_risk,
    screen,
)
from tests.support.content_kind_inputs import REVIEW


class NoModel:
    """A provider that must not be asked: the rule stage decides before any model call."""

    name = "no-model"

    async def generate(self, request: GenerationRequest) -> Generation:
        raise AssertionError("the rule stage should have decided without a model call")


def _judgement(**update) -> ModerationJudgement:
    good = ModerationJudgement(
        labels=["harassment"],
        severity="medium",
        rationale="An insult aimed at the seller.",
        passages=[Passage(label="harassment", quote="You are a pathetic loser")],
        outcome="moderated",
    )
    return good.model_copy(update=update)


def _job(content: str, **update) -> ModerationSummaryInput:
    return ModerationSummaryInput.model_validate({"content": content, **update})


@pytest.mark.parametrize(
    ("job", "labels", "severity", "quotes"),
    [
        (_job(""), ["none"], "none", []),
        (_job("   \n "), ["none"], "none", []),
        (
            _job("support@shop.example", allow_list=["support@shop.example"]),
            ["none"],
            "none",
            [],
        ),
        (
            _job("Write to jane.doe@example.com or call +44 20 7946 0958 after six."),
            ["pii_exposure"],
            "medium",
            ["jane.doe@example.com", "+44 20 7946 0958"],
        ),
        (
            _job("Charged twice on 4111 1111 1111 1111, please refund."),
            ["pii_exposure"],
            "high",
            ["4111 1111 1111 1111"],
        ),
        (
            _job("Pay the deposit to DE89 3704 0044 0532 0130 00 today."),
            ["pii_exposure"],
            "high",
            ["DE89 3704 0044 0532 0130 00"],
        ),
        (
            _job("BUY NOW and click here: http://cheap.example/deal"),
            ["spam"],
            "low",
            ["BUY NOW", "click here", "http://cheap.example/deal"],
        ),
        (
            _job(
                "The blender is a Grindmaster knockoff.",
                deny_list=[{"term": "knockoff", "label": "spam", "severity": "low"}],
            ),
            ["spam"],
            "low",
            ["knockoff"],
        ),
    ],
)
async def test_rule_stage__decides_a_clear_case_with_no_model_call(job, labels, severity, quotes):
    result = await moderation_summary.summarise_moderation(job, NoModel())

    assert (result.model, result.output.decided_by) == ("rules", "rules")
    assert (result.output.labels, result.output.severity) == (labels, severity)
    assert [p.quote for p in result.output.passages] == quotes
    assert result.usage.input_tokens == result.usage.output_tokens == 0
    assert RULES.problems(job, result.output) == []


@pytest.mark.parametrize(
    "job",
    [
        _job("My order number is 4111 1111 1111 1112 and it never came."),  # fails Luhn
        _job("Questions? Write to support@shop.example.", allow_list=["support@shop.example"]),
        _job("Read the manual at https://shop.example/manual before use."),  # one link
        _job("Great blender, smooth soups in a minute."),
    ],
)
def test_rule_stage__leaves_what_is_not_clear_to_the_model(job):
    assert screen(job) is None


@pytest.mark.parametrize(
    ("judgement", "problem"),
    [
        (_judgement(labels=["harassment", "harassment"]), "labels: a label twice"),
        (_judgement(labels=["none", "harassment"]), '"none" stands alone'),
        (_judgement(labels=[]), 'labels: give the policies broken, or ["none"]'),
        (_judgement(severity="none"), 'severity: "none" exactly when'),
        (
            _judgement(labels=["none"], severity="medium", passages=[]),
            'severity: "none" exactly when',
        ),
        (
            _judgement(passages=[Passage(label="harassment", quote="You are an idiot")]),
            "passages[0].quote: not found word for word",
        ),
        (
            _judgement(
                passages=[
                    Passage(label="harassment", quote="You are a pathetic loser"),
                    Passage(label="violence", quote="The seller never answered."),
                ]
            ),
            "passages[1].label: not one of the labels given",
        ),
        (_judgement(passages=[]), "labels[0]: no passage quotes the content"),
        (_judgement(rationale=" "), "rationale: empty"),
        (_judgement(rationale="x" * 1001), "rationale: 1001 characters"),
        (
            _judgement(outcome="refused", refusal_reason="cannot judge"),
            "a refusal carries no labels",
        ),
    ],
)
def test_rules__refuse(judgement, problem):
    assert problem in "; ".join(RULES.problems(REVIEW, judgement))


def test_prune__drops_a_quote_not_in_the_content_and_keeps_the_label():
    judgement = _judgement(
        passages=[
            Passage(label="harassment", quote="You are an idiot"),
            Passage(label="harassment", quote="pathetic loser"),
        ]
    )

    pruned = RULES.bind(REVIEW).pruned(judgement)

    assert pruned is not None and pruned.labels == ["harassment"]
    assert [p.quote for p in pruned.passages] == ["pathetic loser"]


def test_prune__never_drops_a_label_left_without_evidence():
    judgement = _judgement(passages=[Passage(label="harassment", quote="You are an idiot")])

    assert RULES.bind(REVIEW).pruned(judgement) is None


async def test_offline__labels_the_lexicon_terms_and_says_no_model_judged():
    result = await moderation_summary.summarise_moderation(REVIEW, ExtractiveProvider())

    assert (result.model, result.output.decided_by) == ("extractive", "model")
    assert (result.output.labels, result.output.severity) == (["harassment"], "medium")
    assert [p.quote for p in result.output.passages] == [
        "You are a pathetic loser and everyone knows it."
    ]
    assert "no model judged" in result.output.rationale
    assert result.prompt_version == "moderation_summary/v1"


async def test_offline__clean_content_is_none_and_says_no_model_judged():
    job = _job("Arrived on time, the soup setting works well.")

    result = await moderation_summary.summarise_moderation(job, ExtractiveProvider())

    assert (result.output.labels, result.output.severity) == (["none"], "none")
    assert result.output.decided_by == "model" and "no model judged" in result.output.rationale


def test_refusal__keeps_the_rules():
    assert RULES.problems(REVIEW, moderation_summary.refuse("cannot judge")) == []


@pytest.mark.parametrize(
    ("content", "high_risk"),
    [
        ("I want to die, nothing helps anymore.", True),
        ("Post my address again and I will kill you.", True),
        ("You are a pathetic loser.", False),
        ("Great blender.", False),
    ],
)
def test_high_risk__is_a_high_severity_term_in_the_content(content, high_risk):
    assert looks_high_risk(_job(content)) is high_risk
