"""Structured outputs and routing: the strict schema a kind's output model is sent
as, how an answer is checked against it, and the fallback chain (no model twice)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.llm.messages import estimated_tokens
from app.llm.routing import (
    PREMIUM_TENANT_TIERS,
    ModelTiers,
    RoutingSignals,
    fallback_chain,
    route,
)
from app.llm.structured import InvalidAnswer, parse_answer, response_format, strict_schema
from app.tenants.tiers import TENANT_TIERS
from tasks.kinds.email_reply import EmailReplyDraft
from tests.fakes.openai_server import instance_of

TIERS = ModelTiers(small="gpt-4.1-mini", large="gpt-4.1")


def _objects(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [o for item in node for o in _objects(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if node.get("type") == "object" else []
    return own + [o for value in node.values() for o in _objects(value)]


def test_strict_schema__closes_every_object_and_requires_every_property():
    schema = strict_schema(EmailReplyDraft)

    objects = _objects(schema)
    assert len(objects) >= 2  # the draft and its citations
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    assert '"default"' not in json.dumps(schema)
    # An optional field stays optional by being nullable.
    assert {"type": "null"} in schema["properties"]["refusal_reason"]["anyOf"]


def test_response_format__is_a_strict_json_schema_named_after_the_output_model():
    fmt = response_format(EmailReplyDraft)

    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "EmailReplyDraft"
    assert fmt["json_schema"]["strict"] is True


def test_fake_server__answers_a_valid_instance_of_the_schema_it_is_sent():
    value = instance_of(strict_schema(EmailReplyDraft))

    assert parse_answer(EmailReplyDraft, json.dumps(value)).outcome == "drafted"


def test_parse_answer__not_json_says_so():
    with pytest.raises(InvalidAnswer, match="not valid JSON"):
        parse_answer(EmailReplyDraft, '{"subject": ')


def test_parse_answer__names_the_fields_at_fault_without_their_values():
    bad = {"subject": "SECRET-VALUE", "body": 7, "citations": [], "outcome": "sent"}

    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(EmailReplyDraft, json.dumps(bad))

    assert "body" in caught.value.problem and "outcome" in caught.value.problem
    assert "SECRET-VALUE" not in caught.value.problem


def test_parse_answer__the_output_models_own_rules_count_too():
    refused_without_reason = {
        "subject": "Re: x",
        "body": "",
        "citations": [],
        "outcome": "refused",
        "refusal_reason": None,
    }
    with pytest.raises(InvalidAnswer, match="refusal_reason"):
        parse_answer(EmailReplyDraft, json.dumps(refused_without_reason))


@pytest.mark.parametrize(
    ("default", "signals", "tier"),
    [
        ("small", RoutingSignals(), "small"),
        ("large", RoutingSignals(), "large"),
        ("small", RoutingSignals(high_risk=True), "large"),
        ("small", RoutingSignals(tenant_tier="enterprise"), "large"),
        ("large", RoutingSignals(prefer_small=True), "small"),
        ("small", RoutingSignals(high_risk=True, prefer_small=True), "small"),
    ],
)
def test_route__moves_up_on_risk_or_tenant_tier_and_down_on_budget(default, signals, tier):
    assert route(default, signals) == tier


def test_fallback_chain__large_then_small_then_extractive():
    assert fallback_chain("large", TIERS) == ["gpt-4.1", "gpt-4.1-mini", "extractive"]
    assert fallback_chain("small", TIERS) == ["gpt-4.1-mini", "extractive"]


def test_fallback_chain__never_visits_a_model_twice():
    same = ModelTiers(small="one-model", large="one-model")

    assert fallback_chain("large", same) == ["one-model", "extractive"]
    assert fallback_chain("large", ModelTiers(small="extractive", large="x")) == [
        "x",
        "extractive",
    ]


def test_fallback_chain__without_a_provider_only_the_extractive_one():
    assert fallback_chain("large", None) == ["extractive"]


def test_estimated_tokens__counts_the_schema_sent_as_response_format():
    messages = [{"role": "user", "content": "x" * 300}]
    schema_chars = len(json.dumps(response_format(EmailReplyDraft)["json_schema"]["schema"]))

    without = estimated_tokens(messages)
    with_schema = estimated_tokens(messages, EmailReplyDraft)

    assert without == 101
    assert with_schema - without >= schema_chars // 3


@pytest.mark.parametrize(
    "text",
    [
        "退款将在五个工作日内到账。" * 20,
        "返金は5営業日以内に行われます。" * 20,
        "คืนเงินภายในห้าวัน" * 20,
    ],
)
def test_estimated_tokens__counts_at_least_a_token_per_character_of_non_latin_text(text):
    # A reservation must not fall short of the bill: such text can take a token or
    # more per character, where a third of its characters would be far too few.
    assert estimated_tokens([{"role": "user", "content": text}]) >= len(text)


def test_response_format__is_built_once_per_output_model():
    assert response_format(EmailReplyDraft) is response_format(EmailReplyDraft)


def test_route__the_tiers_that_move_up_are_tiers_a_tenant_can_have():
    assert PREMIUM_TENANT_TIERS < set(TENANT_TIERS)
    assert route("small", RoutingSignals(tenant_tier="standard")) == "small"
