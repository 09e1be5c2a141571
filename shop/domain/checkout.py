"""Checkout rules: what a cart may hold, what an order costs, and how payment is simulated.

Shipping follows the policy shoppers are told (content/faq.yml, ``shipping_fee``): free
from ¥99 paid, ¥8 below. The demo shop takes no real money: payment is simulated and says
so on the page, in the order's payment method and in its status history.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

FREE_SHIPPING_FROM_CENTS = 9900
SHIPPING_FEE_CENTS = 800
MAX_CART_LINES = 20
MAX_LINE_QUANTITY = 99
SIMULATED_PAYMENT_METHOD = "模拟支付"
SIMULATED_PAYMENT_NOTE = "模拟支付（演示环境，未真实扣款）"


class CartRejected(ValueError):
    """A cart that cannot become an order; ``message`` is shown to the shopper."""

    def __init__(self, message: str, code: str = "invalid_cart") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CartLine:
    product_id: int
    sku_id: Optional[int]           # None: the product's first SKU in stock
    quantity: int
    # The recommendation exposures (one per running experiment) the card came from, if any.
    exposure_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Totals:
    goods_cents: int
    discount_cents: int
    shipping_fee_cents: int
    payable_cents: int


def check_cart(lines: Sequence[CartLine]) -> None:
    if not lines:
        raise CartRejected("购物车是空的。", "empty_cart")
    if len(lines) > MAX_CART_LINES:
        raise CartRejected(f"一次最多结算 {MAX_CART_LINES} 种商品。", "too_many_lines")
    for line in lines:
        if not 1 <= line.quantity <= MAX_LINE_QUANTITY:
            raise CartRejected(f"每种商品数量需在 1 到 {MAX_LINE_QUANTITY} 件之间。", "invalid_quantity")


def shipping_fee_cents(paid_goods_cents: int) -> int:
    return 0 if paid_goods_cents >= FREE_SHIPPING_FROM_CENTS else SHIPPING_FEE_CENTS


def order_totals(subtotals_cents: Sequence[int], coupon_discount_cents: int = 0) -> Totals:
    goods = sum(subtotals_cents)
    discount = min(max(coupon_discount_cents, 0), goods)
    fee = shipping_fee_cents(goods - discount)
    return Totals(goods, discount, fee, goods - discount + fee)


def coupon_applies(threshold_cents: int, goods_cents: int) -> bool:
    """满减: a coupon applies when the goods reach its threshold."""
    return goods_cents >= threshold_cents
