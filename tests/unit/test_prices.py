"""What a model call costs: tokens priced as the provider prices them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.llm.ledger import TokenUsage
from app.llm.prices import DEFAULT_PRICES, ModelPrice, UnpricedModel, call_cost, worst_case_cost
from app.settings import PriceSettings


def test_call_cost__prices_cached_input_at_the_cached_price_and_reasoning_as_output():
    usage = TokenUsage(
        input_tokens=1_000_000,
        cached_input_tokens=250_000,
        output_tokens=100_000,
        reasoning_tokens=60_000,
    )
    # gpt-4.1: 750k at $2.00 + 250k at $0.50 + 100k (reasoning included) at $8.00.
    assert call_cost("gpt-4.1", usage, DEFAULT_PRICES) == Decimal("1.5") + Decimal(
        "0.125"
    ) + Decimal("0.8")


def test_call_cost__of_gpt_4_1_mini_at_list_prices():
    usage = TokenUsage(input_tokens=2_000, cached_input_tokens=1_000, output_tokens=500)
    assert call_cost("gpt-4.1-mini", usage, DEFAULT_PRICES) == Decimal("0.0013")


def test_call_cost__extractive_is_free():
    assert call_cost("extractive", TokenUsage(10**6, 0, 10**6, 0), DEFAULT_PRICES) == 0


def test_call_cost__a_dated_snapshot_is_priced_as_its_model():
    usage = TokenUsage(input_tokens=1_000_000)
    assert call_cost("gpt-4.1-mini-2025-04-14", usage, DEFAULT_PRICES) == Decimal("0.40")
    assert call_cost("gpt-4.1-2025-04-14", usage, DEFAULT_PRICES) == Decimal("2.00")


def test_call_cost__an_unpriced_model_is_an_error_not_a_free_call():
    with pytest.raises(UnpricedModel, match="COURIER_PRICES_MODELS"):
        call_cost("gpt-9", TokenUsage(input_tokens=1), DEFAULT_PRICES)


def test_call_cost__a_star_entry_prices_every_model_not_named():
    prices = {**DEFAULT_PRICES, "*": ModelPrice(Decimal(1), Decimal(1), Decimal(1))}
    assert call_cost("llama3", TokenUsage(input_tokens=10**6), prices) == Decimal(1)
    assert call_cost("gpt-4.1", TokenUsage(input_tokens=10**6), prices) == Decimal("2.00")


def test_worst_case_cost__is_every_input_token_uncached_plus_the_output_cap():
    assert worst_case_cost("gpt-4.1", 1000, 1000, DEFAULT_PRICES) == Decimal("0.01")


def test_price_settings__merge_over_the_defaults(monkeypatch):
    monkeypatch.setenv(
        "COURIER_PRICES_MODELS",
        '{"llama3": {"input_per_mtok": 0, "cached_input_per_mtok": 0, "output_per_mtok": 0},'
        ' "gpt-4.1": {"input_per_mtok": 3, "cached_input_per_mtok": 1, "output_per_mtok": 9}}',
    )
    models = PriceSettings().models
    assert models["llama3"].output_per_mtok == 0
    assert models["gpt-4.1"].input_per_mtok == 3
    assert models["gpt-4.1-mini"] == DEFAULT_PRICES["gpt-4.1-mini"]
