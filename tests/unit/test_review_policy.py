"""The per-kind risk policy: which finished outputs wait for a reviewer, and why."""

from __future__ import annotations

import pytest

from app.review.policy import ReviewPolicy
from tasks.kinds import KINDS
from tasks.kinds.support_answer import SupportAnswer
from tasks.kinds.taxonomy_tagging import Tag, TaxonomyTags


def _tags(*confidences: float) -> TaxonomyTags:
    return TaxonomyTags(
        tags=[Tag(tag=f"t{i}", confidence=c) for i, c in enumerate(confidences)], outcome="tagged"
    )


def _codes(policy: ReviewPolicy, output, high_risk: bool = False) -> list[str]:
    return [r.code for r in policy.reasons(high_risk_input=high_risk, output=output)]


def test_policy__by_default_an_output_of_a_plain_input_is_delivered():
    assert _codes(ReviewPolicy(), _tags(0.9)) == []


def test_policy__a_high_risk_kind_holds_every_output_and_a_high_risk_input_its_own():
    assert _codes(ReviewPolicy(always=True), _tags(0.9)) == ["high_risk_kind"]
    assert _codes(ReviewPolicy(), _tags(0.9), high_risk=True) == ["high_risk"]
    assert _codes(ReviewPolicy(high_risk_input=False), _tags(0.9), high_risk=True) == []


@pytest.mark.parametrize(("confidences", "held"), [((0.9, 0.2), True), ((0.9, 0.4), False)])
def test_taxonomy_tagging__holds_a_tagging_whose_least_sure_tag_is_below_its_threshold(
    confidences, held
):
    reasons = KINDS["taxonomy_tagging"].review.reasons(  # type: ignore[union-attr]
        high_risk_input=False, output=_tags(*confidences)
    )
    assert [r.code for r in reasons] == (["low_confidence"] if held else [])
    if held:
        assert reasons[0].detail == "confidence 0.20 is below 0.35"


def test_support_answer__an_escalation_is_held_an_answer_is_not():
    policy = KINDS["support_answer"].review
    assert policy is not None
    escalated = SupportAnswer(answer="", citations=[], outcome="escalated", refusal_reason="?")
    answered = SupportAnswer(answer="Yes.", citations=[], outcome="answered")
    assert _codes(policy, escalated) == ["escalation"]
    assert _codes(policy, answered) == []
