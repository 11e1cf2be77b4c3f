"""What a tenant reads about itself over HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field


class Usage(BaseModel):
    """The tenant's model spend this month, and its budget."""

    month: str = Field(description="The UTC calendar month, YYYY-MM.", examples=["2026-05"])
    spent_usd: Decimal = Field(description="Real cost of the model calls settled this month.")
    reserved_usd: Decimal = Field(
        description="Worst-case cost reserved by model calls in flight; replaced by their real "
        "cost when they end."
    )
    budget_usd: Decimal | None = Field(
        description="The monthly budget an operator set; null: no limit."
    )
    remaining_usd: Decimal | None = Field(
        description="budget_usd - spent_usd - reserved_usd, at least 0; null: no limit."
    )
    when_over: Literal["refuse", "small"] | None = Field(
        description="What happens when a call does not fit the budget: refuse (new jobs get 429) "
        "or small (calls move to the small model tier); null: no limit."
    )
