"""How the assistant writes amounts of money (yuan, ``Decimal`` or float), in one place.

Three forms, each for a reason:
- ``money``: exact, two decimals ("¥1,299.00") — what an order or a product costs;
- ``money_compact``: no ".00" on whole amounts ("¥80", "¥12.50") — fees quoted in a sentence;
- ``money_rounded``: whole yuan ("¥2,000") — a shopper's budget, which is never exact.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional, Union

Amount = Union[Decimal, float, int]


def money(amount: Optional[Amount]) -> str:
    if amount is None:
        return "—"
    return f"¥{Decimal(amount):,.2f}"


def money_compact(amount: Decimal) -> str:
    return f"¥{amount:,.0f}" if amount == amount.to_integral_value() else f"¥{amount:,.2f}"


def money_rounded(amount: Amount) -> str:
    return f"¥{amount:,.0f}"
