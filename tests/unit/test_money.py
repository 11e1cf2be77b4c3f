"""US dollar amounts as Courier shows them: never rounded to cents where that hides them."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import pytest

from app.money import micro_usd, usd


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("12.5000000000", "$12.50"),
        ("100", "$100.00"),
        ("1E+2", "$100.00"),
        ("0E-10", "$0.00"),
        ("0.0040000000", "$0.004"),
        ("0.0000012345", "$0.0000012345"),
        ("12.345000", "$12.345"),
    ],
)
def test_usd__whole_cents_as_cents_and_smaller_amounts_exactly(amount, shown):
    assert usd(Decimal(amount)) == shown


def test_micro_usd__spend_rounds_up_and_what_is_left_rounds_down():
    assert micro_usd(Decimal("0.0000001")) == Decimal("0.000001")
    assert micro_usd(Decimal("0.9999999"), rounding=ROUND_FLOOR) == Decimal("0.999999")
