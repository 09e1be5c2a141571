"""The life of one order as a list of dated happenings, from placement to the moment of seeding.

``simulate_order`` turns a plan (when paid, shipped, how long in transit, any after-sales)
into the order's final status, timestamps, status history, logistics events and after-sales
rows. Nothing after the anchor (the seed's "now") is emitted, so recent orders are naturally
still 待付款 / 待发货 / 运输中 / 派送中. Every status change it records is an edge of the
domain state machines (the tests check this on seeded data).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Optional

from shop.domain.after_sales import AfterSalesReason, AfterSalesStatus, ServiceType
from shop.domain.orders import OrderStatus, PaymentStatus
from shop.seed.random_tools import between
from shop.seed.vocabulary import COURIER_SURNAMES, SIGNED_BY

HOUR = 3_600
DAY = 86_400
CHINA_OFFSET = 8 * HOUR
AUTO_CONFIRM = 10 * DAY
# Logistics stages in order; a plan may stop at one of them (fixtures) or run to 签收.
STAGES = ("collected", "in_transit", "out_for_delivery", "delivered")
STAGE_TO_ORDER = {
    "collected": OrderStatus.SHIPPED, "in_transit": OrderStatus.IN_TRANSIT,
    "out_for_delivery": OrderStatus.OUT_FOR_DELIVERY, "delivered": OrderStatus.DELIVERED,
}


@dataclass
class AfterSalesPlan:
    service: ServiceType
    reason: AfterSalesReason
    item_index: int
    delay: int                    # seconds after delivery the request is filed
    outcome: str                  # "completed" / "rejected" / "cancelled"
    review: int = 6 * HOUR
    goods_back: int = 2 * DAY
    processing: int = 2 * DAY


@dataclass
class OrderPlan:
    created: int
    pay_after: Optional[int] = 5 * 60           # None: never paid
    cancel_unpaid_after: Optional[int] = None   # system or shopper cancels before paying
    cancel_paid_after: Optional[int] = None     # shopper cancels after paying, before shipping
    ship_after: int = 8 * HOUR
    legs: tuple[int, ...] = (3 * HOUR, 2 * HOUR, 20 * HOUR, 4 * HOUR)   # hub, depart, dest hub, station
    deliver_after: int = 2 * HOUR               # from out-for-delivery to 签收
    same_city: bool = False
    compact: bool = False                       # old orders keep only the key logistics events
    stop_stage: Optional[str] = None            # fixtures: freeze the parcel at this stage
    after_sales: Optional[AfterSalesPlan] = None


@dataclass
class AfterSalesOutcome:
    plan: AfterSalesPlan
    created: int
    status: AfterSalesStatus
    history: list[tuple[int, Optional[str], str, str, str]]   # (ts, from, to, actor, note)
    resolved: Optional[int]
    order_status_before: Optional[str]


@dataclass
class OrderOutcome:
    status: OrderStatus
    payment_status: PaymentStatus
    paid_at: Optional[int] = None
    shipped_at: Optional[int] = None
    delivered_at: Optional[int] = None
    completed_at: Optional[int] = None
    cancelled_at: Optional[int] = None
    updated_at: int = 0
    history: list[tuple[int, Optional[str], str, str, str]] = field(default_factory=list)
    events: list[tuple[int, str, str, str]] = field(default_factory=list)   # (ts, stage, location, text)
    shipment_status: Optional[OrderStatus] = None
    after_sales: Optional[AfterSalesOutcome] = None
    refunded_item: Optional[int] = None         # index of the item refunded by after-sales
    fully_refunded: bool = False


def next_morning(ts: int, rng: random.Random) -> int:
    """08:00-10:00 China time on the day after ``ts`` (couriers go out in the morning)."""
    local_day = (ts + CHINA_OFFSET) // DAY
    return (local_day + 1) * DAY - CHINA_OFFSET + 8 * HOUR + between(rng, 0, 2 * HOUR)


def courier_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{between(rng, 0, 9)}****{between(rng, 0, 9999):04d}"


def logistics_schedule(plan: OrderPlan, shipped: int, carrier: str, origin: str, city: str, district: str,
                       rng: random.Random) -> list[tuple[int, str, str, str]]:
    """Every scan of the parcel, assuming nothing stops it."""
    station = f"{city}{district}营业部"
    origin_hub, city_hub = f"{origin.removesuffix('市')}转运中心", f"{city.removesuffix('市')}转运中心"
    t = shipped
    events = [(t, "collected", origin, f"【{origin}】您的快件已由{carrier}揽收，正发往【{origin_hub}】")]
    hub, depart, arrive, to_station = plan.legs
    t += hub
    events.append((t, "in_transit", origin, f"运输中，快件已到达【{origin_hub}】"))
    if not plan.same_city:
        t += depart
        events.append((t, "in_transit", origin, f"快件已从【{origin_hub}】发出，下一站【{city_hub}】"))
        t += arrive
        events.append((t, "in_transit", city, f"运输中，快件已到达【{city_hub}】"))
    t += to_station
    events.append((t, "in_transit", city, f"快件已到达【{station}】，准备派送"))
    t = next_morning(t, rng)
    surname = rng.choice(COURIER_SURNAMES)
    events.append((t, "out_for_delivery", city,
                   f"【{station}】快递员{surname}师傅（{courier_phone(rng)}）正在为您派送，请保持电话畅通"))
    t += plan.deliver_after
    events.append((t, "delivered", city, f"您的快件已签收，签收人：{rng.choice(SIGNED_BY)}。感谢使用{carrier}，期待再次为您服务"))
    if plan.compact:
        # Old orders: pick-up, arrival in the destination city, delivery round, 签收.
        keep = {0, len(events) - 4, len(events) - 2, len(events) - 1}
        events = [e for i, e in enumerate(events) if i in keep]
    return events


def simulate_order(plan: OrderPlan, anchor: int, item_count: int, carrier: str, origin: str, city: str,
                   district: str, rng: random.Random) -> OrderOutcome:
    o = OrderOutcome(status=OrderStatus.PENDING_PAYMENT, payment_status=PaymentStatus.UNPAID, updated_at=plan.created)

    def move(ts: int, to: OrderStatus, actor: str, note: str) -> None:
        o.history.append((ts, o.status.value if o.history else None, to.value, actor, note))
        o.status = to
        o.updated_at = ts

    move(plan.created, OrderStatus.PENDING_PAYMENT, "customer", "买家下单")
    if plan.cancel_unpaid_after is not None and plan.created + plan.cancel_unpaid_after <= anchor:
        o.cancelled_at = plan.created + plan.cancel_unpaid_after
        move(o.cancelled_at, OrderStatus.CANCELLED, "system", "超时未支付，订单自动取消")
        return o
    if plan.pay_after is None or plan.created + plan.pay_after > anchor:
        return o
    o.paid_at = plan.created + plan.pay_after
    o.payment_status = PaymentStatus.PAID
    move(o.paid_at, OrderStatus.AWAITING_SHIPMENT, "system", "支付成功")

    if plan.cancel_paid_after is not None and o.paid_at + plan.cancel_paid_after <= anchor:
        o.cancelled_at = o.paid_at + plan.cancel_paid_after
        o.payment_status = PaymentStatus.REFUNDING
        move(o.cancelled_at, OrderStatus.REFUNDING, "customer", "买家取消订单，申请退款")
        refunded = o.cancelled_at + between(rng, 2 * HOUR, 2 * DAY)
        if refunded <= anchor:
            o.payment_status = PaymentStatus.REFUNDED
            o.fully_refunded = True
            move(refunded, OrderStatus.REFUNDED, "system", "退款成功，原路退回")
        return o

    shipped = o.paid_at + plan.ship_after
    if shipped > anchor:
        return o
    o.shipped_at = shipped
    schedule = logistics_schedule(plan, shipped, carrier, origin, city, district, rng)
    stop = STAGES.index(plan.stop_stage) if plan.stop_stage else len(STAGES) - 1
    for event in schedule:
        if event[0] > anchor or STAGES.index(event[1]) > stop:
            break
        o.events.append(event)
    reached = o.events[-1][1]
    o.shipment_status = STAGE_TO_ORDER[reached]
    move(shipped, OrderStatus.SHIPPED, "system", "商家已发货")
    if reached in ("in_transit", "out_for_delivery"):
        first = next(e[0] for e in o.events if e[1] == reached)
        move(first, STAGE_TO_ORDER[reached], "system", "物流更新")
    if reached != "delivered":
        return o
    o.delivered_at = o.events[-1][0]
    move(o.delivered_at, OrderStatus.DELIVERED, "system", "买家已签收")

    confirm_at = o.delivered_at + AUTO_CONFIRM
    service = plan.after_sales
    if service is not None and service.service.refunds_money:
        # A money-back request puts the order in 退款中 and holds off the automatic confirmation.
        _after_sales(service, o, anchor, item_count, move)
        if o.status is not OrderStatus.DELIVERED:
            return o
        if o.after_sales and o.after_sales.resolved:
            confirm_at = max(confirm_at, o.after_sales.resolved + DAY)
    if confirm_at <= anchor:
        o.completed_at = confirm_at
        move(confirm_at, OrderStatus.COMPLETED, "system", "超时自动确认收货")
    if service is not None and not service.service.refunds_money:
        # Exchanges, repairs and resends leave the order's status alone.
        _after_sales(service, o, anchor, item_count, move)
    return o


def _after_sales(p: AfterSalesPlan, o: OrderOutcome, anchor: int, item_count: int, move) -> None:
    created = o.delivered_at + p.delay
    if created > anchor:
        return
    steps: list[tuple[int, AfterSalesStatus, str, str]] = [
        (created, AfterSalesStatus.PENDING_REVIEW, "customer", f"提交{p.service.label}申请：{p.reason.label}")]
    t = created + p.review
    if p.outcome == "rejected":
        steps.append((t, AfterSalesStatus.REJECTED, "staff", "经核实不符合售后条件，申请已驳回"))
    else:
        steps.append((t, AfterSalesStatus.APPROVED, "staff", "审核通过"))
        if p.service.needs_goods_back:
            steps.append((t, AfterSalesStatus.AWAITING_RETURN, "staff", "请在7天内寄回商品"))
            t += p.goods_back
            if p.outcome == "cancelled":
                steps.append((t, AfterSalesStatus.CANCELLED, "customer", "买家撤销申请"))
            else:
                steps.append((t, AfterSalesStatus.PROCESSING, "staff", "商品已收到，正在处理"))
        else:
            steps.append((t, AfterSalesStatus.PROCESSING, "staff", "正在处理"))
        if p.outcome == "completed":
            t += p.processing
            note = {"return": "退款已原路退回", "refund_only": "退款已原路退回", "exchange": "换货商品已寄出",
                    "repair": "维修完成，商品已寄回", "resend": "补寄商品已发出"}[p.service.value]
            steps.append((t, AfterSalesStatus.COMPLETED, "staff", note))
    emitted = [s for s in steps if s[0] <= anchor]
    history, previous = [], None
    for ts, status, actor, note in emitted:
        history.append((ts, previous, status.value, actor, note))
        previous = status.value
    final = emitted[-1][1]
    resolved = emitted[-1][0] if final in (AfterSalesStatus.COMPLETED, AfterSalesStatus.REJECTED,
                                            AfterSalesStatus.CANCELLED) else None
    before = None
    if p.service.refunds_money:
        before = o.status.value
        o.payment_status = PaymentStatus.REFUNDING
        move(created, OrderStatus.REFUNDING, "customer", f"申请{p.service.label}")
        if resolved is not None:
            if final is AfterSalesStatus.COMPLETED:
                o.refunded_item = p.item_index
                if item_count == 1:
                    o.fully_refunded = True
                    o.payment_status = PaymentStatus.REFUNDED
                    move(resolved, OrderStatus.REFUNDED, "staff", "退款完成")
                else:
                    o.payment_status = PaymentStatus.PARTIALLY_REFUNDED
                    move(resolved, OrderStatus.DELIVERED, "staff", "售后结束，订单恢复")
            else:
                o.payment_status = PaymentStatus.PAID
                move(resolved, OrderStatus.DELIVERED, "staff", "售后结束，订单恢复")
    o.after_sales = AfterSalesOutcome(p, created, final, history, resolved, before)
