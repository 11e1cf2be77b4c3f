"""Amounts of US dollars as Courier shows them: the ledger keeps 10 decimals
(``numeric(18, 10)``) and a model call can cost a millionth of a dollar, so an
amount is never rounded to cents where that would hide it ($0.004 shown as $0.00).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

CENT = Decimal("0.01")
LEDGER_UNIT = Decimal("1e-10")
"""The smallest amount the ledger keeps (``numeric(…, 10)``)."""
MICRO = Decimal("0.000001")


def usd_amount(amount: Decimal) -> Decimal:
    """``amount`` exactly, with at least two decimals and no trailing zeros past them:
    12.5000000000 → 12.50, 0.0040000000 → 0.004."""
    cents = amount.quantize(CENT)
    return cents if cents == amount else amount.normalize()


def usd(amount: Decimal) -> str:
    """``amount`` for a message: ``$12.50``, ``$0.004``, ``$0.0000012345``."""
    return f"${usd_amount(amount):f}"


def micro_usd(amount: Decimal, *, rounding: str = ROUND_CEILING) -> Decimal:
    """``amount`` to the micro-dollar, rounded up by default: what was spent is never
    shown as less than it was (``ROUND_FLOOR`` for what is left, never shown as more)."""
    return amount.quantize(MICRO, rounding=rounding)
