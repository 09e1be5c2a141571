"""The order life cycle and the customer-facing cancellation rule.

Statuses are stored as their English ``value`` and shown with their Chinese ``label``.

::

    待付款 ──pay──▶ 待发货 ──ship──▶ 已发货 ─▶ 运输中 ─▶ 派送中 ─▶ 已签收 ─▶ 已完成
      │               │                 └──────────┴──────────┴─────┐   │        │
      ▼               ▼                                              ▼   ▼        ▼
    已取消          退款中 ◀──────────────── refund requested ──────── 退款中 ◀──────┘
                      │  └─ request rejected / withdrawn: back to where the order was
                      ▼
                    已退款

Shipped parcels may skip intermediate carrier scans (已发货 -> 派送中 / 已签收), because
carriers do not always report every step.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional

from shop.domain.state_machine import StateMachine


class OrderStatus(str, Enum):
    PENDING_PAYMENT = "pending_payment"
    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDING = "refunding"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return ORDER_STATUS_LABELS[self]


ORDER_STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: "待付款",
    OrderStatus.AWAITING_SHIPMENT: "待发货",
    OrderStatus.SHIPPED: "已发货",
    OrderStatus.IN_TRANSIT: "运输中",
    OrderStatus.OUT_FOR_DELIVERY: "派送中",
    OrderStatus.DELIVERED: "已签收",
    OrderStatus.COMPLETED: "已完成",
    OrderStatus.CANCELLED: "已取消",
    OrderStatus.REFUNDING: "退款中",
    OrderStatus.REFUNDED: "已退款",
}

# Parcel on its way (a refund then means intercepting it or refusing delivery).
IN_DELIVERY = frozenset({OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT, OrderStatus.OUT_FOR_DELIVERY})
# Paid and not yet delivered: an order the shopper can still be waiting for.
AWAITED = frozenset({OrderStatus.AWAITING_SHIPMENT}) | IN_DELIVERY
# The shopper has the goods.
RECEIVED = frozenset({OrderStatus.DELIVERED, OrderStatus.COMPLETED})
# Where a cancellation leaves an order (``cancellation_decision``: 已取消, or 退款中 and then
# 已退款): a second "确认取消" for an order now in one of these finds it already cancelled.
CANCELLED_NOW = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDING, OrderStatus.REFUNDED})
# Not yet paid or called off: no after-sales service applies (``eligibility`` says why).
NO_AFTER_SALES = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED})


def after_sales_applies(status: OrderStatus | str) -> bool:
    """May the shopper ask for any after-sales service on an order in ``status`` at all?"""
    return OrderStatus(status) not in NO_AFTER_SALES
# Before the parcel leaves the warehouse its delivery address can still be changed.
ADDRESS_CHANGEABLE = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.AWAITING_SHIPMENT})


def address_change_allowed(status: OrderStatus | str) -> bool:
    """May the shopper change where an order in ``status`` is delivered?"""
    return OrderStatus(status) in ADDRESS_CHANGEABLE


# Statuses an order can be restored to when a refund request is rejected or withdrawn.
REFUND_RESTORABLE = frozenset({OrderStatus.AWAITING_SHIPMENT}) | IN_DELIVERY | RECEIVED

ORDER_MACHINE: StateMachine[OrderStatus] = StateMachine(
    name="order",
    label="订单状态",
    transitions={
        OrderStatus.PENDING_PAYMENT: {OrderStatus.AWAITING_SHIPMENT, OrderStatus.CANCELLED},
        OrderStatus.AWAITING_SHIPMENT: {OrderStatus.SHIPPED, OrderStatus.REFUNDING},
        OrderStatus.SHIPPED: {OrderStatus.IN_TRANSIT, OrderStatus.OUT_FOR_DELIVERY,
                              OrderStatus.DELIVERED, OrderStatus.REFUNDING},
        OrderStatus.IN_TRANSIT: {OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED,
                                 OrderStatus.REFUNDING},
        OrderStatus.OUT_FOR_DELIVERY: {OrderStatus.DELIVERED, OrderStatus.REFUNDING},
        OrderStatus.DELIVERED: {OrderStatus.COMPLETED, OrderStatus.REFUNDING},
        OrderStatus.COMPLETED: {OrderStatus.REFUNDING},
        OrderStatus.REFUNDING: {OrderStatus.REFUNDED} | REFUND_RESTORABLE,
        OrderStatus.CANCELLED: set(),
        OrderStatus.REFUNDED: set(),
    },
    status_label=lambda status: status.label,
)


class PaymentStatus(str, Enum):
    UNPAID = "unpaid"
    PAID = "paid"
    REFUNDING = "refunding"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return PAYMENT_STATUS_LABELS[self]


PAYMENT_STATUS_LABELS = {
    PaymentStatus.UNPAID: "未支付",
    PaymentStatus.PAID: "已支付",
    PaymentStatus.REFUNDING: "退款中",
    PaymentStatus.PARTIALLY_REFUNDED: "部分退款",
    PaymentStatus.REFUNDED: "已退款",
}

PAYMENT_METHODS = ("微信支付", "支付宝", "银行卡", "京东白条", "云闪付")


@dataclass(frozen=True)
class CancellationDecision:
    """What cancelling an order in ``status`` does, or why it cannot be cancelled."""

    allowed: bool
    to_status: Optional[OrderStatus]
    reason_code: Optional[str]
    message: str


# Why an unpaid order is closed, by who closed it (the status history's actor of its change
# to 已取消). Only an unpaid order ends in 已取消 with nothing to refund (a paid one goes through
# 退款中), so each says that no money was taken.
UNPAID_CANCELLED_BY = {
    "system": "这笔订单下单后没有在 30 分钟内付款，系统已自动取消，没有扣款；需要的话重新下单即可。",
    "customer": "这笔订单是您自己取消的（当时还没付款），没有扣款；需要的话重新下单即可。",
    "assistant": "这笔订单是您在对话中确认取消的（当时还没付款），没有扣款；需要的话重新下单即可。",
    "staff": "这笔订单由客服为您取消（当时还没付款），没有扣款；有疑问可以说“转人工”。",
}


def unpaid_cancellation_note(cancelled_by: Optional[str]) -> Optional[str]:
    """What to tell the shopper about an unpaid order that was cancelled, given who cancelled
    it; None when the history does not say (no guess: "系统已自动取消" was once said of an
    order the shopper had cancelled in the chat)."""
    return UNPAID_CANCELLED_BY.get(cancelled_by or "")


# What a cancellation carried out says first (the follow-up rule knows a reply that says it
# ended a cancellation: "那多久能到" next is the refund's timing).
CANCELLED = "订单已取消"


def cancellation_decision(status: OrderStatus) -> CancellationDecision:
    """Customers may cancel before the parcel leaves the warehouse.

    - 待付款: cancelled at once, nothing was paid.
    - 待发货: cancelled with a full refund, so the order goes to 退款中 until the money is back.
    - shipped or later: refused; the shopper can refuse delivery or return it after 签收.
    """
    if status is OrderStatus.PENDING_PAYMENT:
        return CancellationDecision(True, OrderStatus.CANCELLED, None, f"{CANCELLED}。")
    if status is OrderStatus.AWAITING_SHIPMENT:
        return CancellationDecision(
            True, OrderStatus.REFUNDING, None,
            f"{CANCELLED}，货款将原路退回，预计1-3个工作日到账。",
        )
    if status in IN_DELIVERY:
        return CancellationDecision(
            False, None, "ALREADY_SHIPPED",
            "订单已发货，无法直接取消。您可以拒收包裹，或在签收后申请7天无理由退货。",
        )
    if status in RECEIVED:
        return CancellationDecision(
            False, None, "ALREADY_DELIVERED",
            "订单已签收，无法取消。如需退换，请申请售后。",
        )
    if status is OrderStatus.CANCELLED:
        return CancellationDecision(False, None, "ALREADY_CANCELLED", "订单已经取消了，无需重复操作。")
    if status is OrderStatus.REFUNDING:
        return CancellationDecision(False, None, "REFUND_IN_PROGRESS", "订单正在退款中，请耐心等待退款到账。")
    return CancellationDecision(False, None, "ALREADY_REFUNDED", "订单已退款，无法取消。")
