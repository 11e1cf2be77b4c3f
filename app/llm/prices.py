"""What a model call costs: list prices per million tokens, from settings.

Tokens are priced as providers price them: the part of the input served from the
provider's prompt cache at the cached-input price, the rest at the input price,
and every output token, reasoning tokens included (they are part of the output
count), at the output price. A model absent from the table is an error, not a free
call: add it to ``COURIER_PRICES_MODELS`` (a ``"*"`` entry prices every model not
named, e.g. a self-hosted one at 0). A dated snapshot such as
``gpt-4.1-mini-2025-04-14`` is priced as its model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from app.errors import CourierError

if TYPE_CHECKING:
    from app.llm.ledger import TokenUsage

PER_MILLION = Decimal(1_000_000)
_SNAPSHOT = re.compile(r"^(?P<model>.+)-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ModelPrice:
    """US dollars per million tokens."""

    input_per_mtok: Decimal
    cached_input_per_mtok: Decimal
    output_per_mtok: Decimal


FREE = ModelPrice(Decimal(0), Decimal(0), Decimal(0))

DEFAULT_PRICES: dict[str, ModelPrice] = {
    "gpt-4.1": ModelPrice(Decimal("2.00"), Decimal("0.50"), Decimal("8.00")),
    "gpt-4.1-mini": ModelPrice(Decimal("0.40"), Decimal("0.10"), Decimal("1.60")),
    "extractive": FREE,
}
"""OpenAI list prices (standard tier) of the default tiers; the extractive provider is free."""


class UnpricedModel(CourierError):
    """The price table has no entry for this model."""


def price_of(model: str, prices: Mapping[str, ModelPrice]) -> ModelPrice:
    """The model's entry; else its dated snapshot's model's; else ``"*"``'s; else
    :class:`UnpricedModel`."""
    if model in prices:
        return prices[model]
    if (snapshot := _SNAPSHOT.match(model)) and snapshot["model"] in prices:
        return prices[snapshot["model"]]
    if "*" in prices:
        return prices["*"]
    raise UnpricedModel(
        f"no price for model {model!r}: add it to COURIER_PRICES_MODELS "
        f"(priced now: {', '.join(sorted(prices))})"
    )


def check_priced(models: Mapping[str, str], prices: Mapping[str, ModelPrice]) -> None:
    """:class:`UnpricedModel` unless every model has a price; ``models`` maps the setting
    that names each model (e.g. ``COURIER_MODEL_SMALL``) to it. A call to an unpriced
    model can never start (its worst case is reserved first), so a worker whose tiers
    name one refuses to start rather than fail every job."""
    unpriced = {}
    for setting, model in models.items():
        try:
            price_of(model, prices)
        except UnpricedModel:
            unpriced[setting] = model
    if unpriced:
        named = ", ".join(f"{setting}={model}" for setting, model in unpriced.items())
        example = next(iter(unpriced.values()))
        raise UnpricedModel(
            f"no price for {named}: add it to COURIER_PRICES_MODELS (US dollars per million "
            f'tokens), e.g. \'{{"{example}": {{"input_per_mtok": 0, "cached_input_per_mtok": 0, '
            f'"output_per_mtok": 0}}}}\' for a self-hosted model, or a "*" entry'
        )


def call_cost(model: str, usage: TokenUsage, prices: Mapping[str, ModelPrice]) -> Decimal:
    """What a call with this usage cost, in US dollars."""
    price = price_of(model, prices)
    cached = min(usage.cached_input_tokens, usage.input_tokens)
    return (
        (usage.input_tokens - cached) * price.input_per_mtok
        + cached * price.cached_input_per_mtok
        + usage.output_tokens * price.output_per_mtok
    ) / PER_MILLION


def worst_case_cost(
    model: str, max_input_tokens: int, max_output_tokens: int, prices: Mapping[str, ModelPrice]
) -> Decimal:
    """The most a call can cost: every input token uncached, every allowed output token used."""
    price = price_of(model, prices)
    return (
        max(max_input_tokens, 0) * price.input_per_mtok
        + max(max_output_tokens, 0) * price.output_per_mtok
    ) / PER_MILLION
