"""May this order item get this after-sales service now? Pure rules, no I/O.

The data layer gathers the facts (``ItemFacts``) in the same transaction that writes the
request, so the decision and the write cannot drift apart. Every refusal carries a stable
``reason_code`` (for dialogue logic and tests) and a Chinese sentence for the shopper.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from shop.domain.after_sales import AfterSalesReason, ServiceType
from shop.domain.clock import CHINA_TZ, china_date, end_of_china_day, require_aware
from shop.domain.orders import IN_DELIVERY, OrderStatus
from shop.domain.policies import NO_REASON_RETURN_DAYS, CategoryPolicy


@dataclass(frozen=True)
class ItemFacts:
    """What the rules need to know about one order item."""

    order_status: OrderStatus
    paid: bool
    delivered_at: Optional[datetime]
    policy: CategoryPolicy
    item_refunded: bool = False
    open_request_no: Optional[str] = None


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason_code: Optional[str]
    message: str
    # Last moment the service can still be requested (None when not time-bound / not eligible).
    deadline: Optional[datetime] = None

    def __bool__(self) -> bool:
        return self.eligible


def _no(code: str, message: str) -> Eligibility:
    return Eligibility(False, code, message)


def _ok(message: str, deadline: Optional[datetime] = None) -> Eligibility:
    return Eligibility(True, None, message, deadline)


def _day_label(value: datetime) -> str:
    local = value.astimezone(CHINA_TZ)
    return f"{local.year}年{local.month}月{local.day}日"


def days_after_delivery_deadline(delivered_at: datetime, days: int) -> datetime:
    """The window runs from the day after 签收 for ``days`` calendar days, to 23:59:59 China time."""
    return end_of_china_day(china_date(delivered_at) + timedelta(days=days))


def add_months(value: datetime, months: int) -> datetime:
    month_index = value.month - 1 + months
    year = value.year + month_index // 12
    month = month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def warranty_deadline(delivered_at: datetime, warranty_months: int) -> datetime:
    local_delivery = delivered_at.astimezone(CHINA_TZ)
    return end_of_china_day(add_months(local_delivery, warranty_months).date())


def check_eligibility(facts: ItemFacts, service: ServiceType, reason: AfterSalesReason,
                      now: datetime) -> Eligibility:
    """Decide whether ``service`` may be requested for the item described by ``facts``."""
    require_aware(now)
    status = facts.order_status
    if status is OrderStatus.CANCELLED:
        return _no("ORDER_CANCELLED", "该订单已取消，无需申请售后。")
    if not facts.paid or status is OrderStatus.PENDING_PAYMENT:
        return _no("NOT_PAID", "该订单尚未付款，无需申请售后；不需要的话可以直接取消订单。")
    if status is OrderStatus.REFUNDED or facts.item_refunded:
        return _no("ALREADY_REFUNDED", "该商品已经退款完成，无法再次申请售后。")
    if facts.open_request_no:
        return _no("REQUEST_IN_PROGRESS",
                   f"该商品已有进行中的售后申请（服务单号 {facts.open_request_no}），请勿重复提交。")

    delivered_at = facts.delivered_at
    if service is ServiceType.REFUND_ONLY:
        return _refund_only(facts, reason, now)
    if delivered_at is None:
        if status is OrderStatus.REFUNDING:
            return _no("REFUND_IN_PROGRESS", "订单正在退款中，请耐心等待退款到账。")
        if status in IN_DELIVERY:
            return _no("NOT_DELIVERED", "商品还在配送途中，请签收后再申请；如不想要可以拒收。")
        return _no("NOT_DELIVERED", "商品尚未发货，不需要的话可以直接取消订单或申请仅退款。")

    if service is ServiceType.RETURN:
        return _return(facts, reason, now)
    if service is ServiceType.EXCHANGE:
        return _exchange(facts, reason, now)
    if service is ServiceType.REPAIR:
        return _repair(facts, now)
    return _resend(facts, reason, now)


def _refund_only(facts: ItemFacts, reason: AfterSalesReason, now: datetime) -> Eligibility:
    status = facts.order_status
    if facts.delivered_at is None:
        if status is OrderStatus.AWAITING_SHIPMENT:
            return _ok("商品尚未发货，可以申请仅退款，审核通过后货款原路退回。")
        if status is OrderStatus.REFUNDING:
            return _no("REFUND_IN_PROGRESS", "订单正在退款中，请耐心等待退款到账。")
        return _no("IN_TRANSIT", "商品正在配送中，暂不能仅退款；您可以拒收包裹，或签收后申请退货退款。")
    deadline = days_after_delivery_deadline(facts.delivered_at, NO_REASON_RETURN_DAYS)
    if now > deadline:
        return _no("WINDOW_EXPIRED",
                   f"商品已于{_day_label(facts.delivered_at)}签收，超过7天，无法申请仅退款。")
    if not reason.is_sellers_fault:
        return _no("RETURN_REQUIRED",
                   "已签收的商品如不想要，请申请退货退款（需寄回商品）；仅退款适用于破损、少件、质量问题等情况。")
    return _ok("可以申请仅退款，无需寄回商品，审核通过后货款原路退回。", deadline)


def _return(facts: ItemFacts, reason: AfterSalesReason, now: datetime) -> Eligibility:
    deadline = days_after_delivery_deadline(facts.delivered_at, NO_REASON_RETURN_DAYS)
    delivered = _day_label(facts.delivered_at)
    if now > deadline:
        hint = "如有质量问题，可以申请换货或保修维修。" if facts.policy.has_warranty or facts.policy.exchange_days else ""
        return _no("RETURN_WINDOW_EXPIRED",
                   f"商品已于{delivered}签收，已超过7天无理由退货期限（截止{_day_label(deadline)}）。{hint}")
    if not facts.policy.no_reason_return and not reason.is_sellers_fault:
        return _no("NO_REASON_RETURN_NOT_SUPPORTED",
                   f"「{facts.policy.category_name}」类商品不支持7天无理由退货；如有质量问题可以申请售后。")
    return _ok(f"可以申请退货退款，请在{_day_label(deadline)}前提交。", deadline)


def _exchange(facts: ItemFacts, reason: AfterSalesReason, now: datetime) -> Eligibility:
    if facts.policy.exchange_days <= 0:
        return _no("EXCHANGE_NOT_SUPPORTED", f"「{facts.policy.category_name}」类商品不支持换货。")
    no_reason_deadline = days_after_delivery_deadline(facts.delivered_at, NO_REASON_RETURN_DAYS)
    if now <= no_reason_deadline and facts.policy.no_reason_return:
        return _ok("可以申请换货。", no_reason_deadline)
    deadline = days_after_delivery_deadline(facts.delivered_at, facts.policy.exchange_days)
    if now > deadline:
        return _no("EXCHANGE_WINDOW_EXPIRED",
                   f"已超过{facts.policy.exchange_days}天换货期限（截止{_day_label(deadline)}）。"
                   + ("在保修期内可以申请维修。" if facts.policy.has_warranty else ""))
    if not reason.is_sellers_fault:
        return _no("EXCHANGE_NEEDS_QUALITY_ISSUE",
                   f"签收7天后只有质量问题才能换货（截止{_day_label(deadline)}）。")
    return _ok("可以申请换货。", deadline)


def _repair(facts: ItemFacts, now: datetime) -> Eligibility:
    policy = facts.policy
    if not policy.has_warranty:
        return _no("NO_WARRANTY", f"「{policy.category_name}」类商品不提供保修维修服务。")
    deadline = warranty_deadline(facts.delivered_at, policy.warranty_months)
    if now > deadline:
        return _no("WARRANTY_EXPIRED",
                   f"商品保修期为{policy.warranty_months}个月，已于{_day_label(deadline)}到期，可以联系品牌售后付费维修。")
    return _ok(f"商品在保修期内（至{_day_label(deadline)}），可以申请免费维修。", deadline)


def _resend(facts: ItemFacts, reason: AfterSalesReason, now: datetime) -> Eligibility:
    if reason not in (AfterSalesReason.MISSING_PARTS, AfterSalesReason.WRONG_ITEM,
                      AfterSalesReason.DAMAGED):
        return _no("RESEND_NEEDS_MISSING_ITEM", "补寄适用于少件、漏发、发错货或破损的情况。")
    deadline = days_after_delivery_deadline(facts.delivered_at, facts.policy.exchange_days or NO_REASON_RETURN_DAYS)
    if now > deadline:
        return _no("RESEND_WINDOW_EXPIRED", f"已超过补寄申请期限（截止{_day_label(deadline)}）。")
    return _ok("可以申请补寄，核实后会尽快为您重新发出。", deadline)
