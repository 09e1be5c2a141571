"""Pure domain rules: state machines, cancellation, after-sales eligibility, numbers, masking."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from shop.domain.after_sales import (
    AFTER_SALES_MACHINE, AfterSalesReason, AfterSalesStatus, ServiceType, next_after_approval,
)
from shop.domain.clock import CHINA_TZ
from shop.domain.eligibility import ItemFacts, check_eligibility, warranty_deadline
from shop.domain.numbers import (
    AFTER_SALES_NO_REGEX, ORDER_NO_REGEX, after_sales_number, is_after_sales_number, is_order_number, order_number,
)
from shop.domain.orders import CANCELLED_NOW, ORDER_MACHINE, OrderStatus, cancellation_decision
from shop.domain.policies import CategoryPolicy
from shop.domain.privacy import mask_name, mask_phone
from shop.domain.state_machine import IllegalTransition

PHONES = CategoryPolicy("手机", warranty_months=12, no_reason_return=True)
FRUIT = CategoryPolicy("新鲜水果", warranty_months=0, no_reason_return=False, exchange_days=0)
CLOTHES = CategoryPolicy("男装", warranty_months=0, no_reason_return=True)
# 签收 at 15:00 China time on 1 June.
DELIVERED = datetime(2024, 6, 1, 15, 0, tzinfo=CHINA_TZ)


def facts(policy=PHONES, status=OrderStatus.DELIVERED, delivered=DELIVERED, **kw) -> ItemFacts:
    return ItemFacts(order_status=status, paid=kw.pop("paid", True), delivered_at=delivered, policy=policy, **kw)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2024, 6, day, hour, minute, tzinfo=CHINA_TZ)


# --- state machines --------------------------------------------------------------------

def test_order_happy_path_is_allowed():
    path = [OrderStatus.PENDING_PAYMENT, OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT,
            OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED, OrderStatus.COMPLETED]
    for src, dst in zip(path, path[1:]):
        ORDER_MACHINE.check(src, dst)


@pytest.mark.parametrize("src,dst", [
    (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    (OrderStatus.DELIVERED, OrderStatus.PENDING_PAYMENT),
    (OrderStatus.CANCELLED, OrderStatus.AWAITING_SHIPMENT),
    (OrderStatus.REFUNDED, OrderStatus.REFUNDING),
    (OrderStatus.PENDING_PAYMENT, OrderStatus.SHIPPED),
    (OrderStatus.COMPLETED, OrderStatus.DELIVERED),
])
def test_illegal_order_transitions_raise_with_chinese_and_english(src, dst):
    with pytest.raises(IllegalTransition) as info:
        ORDER_MACHINE.check(src, dst)
    message = str(info.value)
    assert f"「{src.label}」" in message and f"「{dst.label}」" in message
    assert f"{src.value} -> {dst.value}" in message
    assert info.value.from_status is src and info.value.to_status is dst


def test_terminal_statuses():
    assert ORDER_MACHINE.is_terminal(OrderStatus.CANCELLED)
    assert ORDER_MACHINE.is_terminal(OrderStatus.REFUNDED)
    assert not ORDER_MACHINE.is_terminal(OrderStatus.COMPLETED)   # after-sales can still refund
    for status in (AfterSalesStatus.REJECTED, AfterSalesStatus.COMPLETED, AfterSalesStatus.CANCELLED):
        assert AFTER_SALES_MACHINE.is_terminal(status)


def test_every_status_has_a_chinese_label():
    assert {s.label for s in OrderStatus} >= {"待付款", "待发货", "已发货", "运输中", "派送中", "已签收", "已完成",
                                               "已取消", "退款中", "已退款"}
    assert {s.label for s in AfterSalesStatus} == {"待审核", "已同意", "已拒绝", "待寄回", "处理中", "已完成", "已取消"}


def test_after_sales_flow_depends_on_service():
    assert next_after_approval(ServiceType.RETURN) is AfterSalesStatus.AWAITING_RETURN
    assert next_after_approval(ServiceType.REFUND_ONLY) is AfterSalesStatus.PROCESSING
    with pytest.raises(IllegalTransition):
        AFTER_SALES_MACHINE.check(AfterSalesStatus.PROCESSING, AfterSalesStatus.CANCELLED)


# --- cancellation ----------------------------------------------------------------------

@pytest.mark.parametrize("status,allowed,target", [
    (OrderStatus.PENDING_PAYMENT, True, OrderStatus.CANCELLED),
    (OrderStatus.AWAITING_SHIPMENT, True, OrderStatus.REFUNDING),
    (OrderStatus.SHIPPED, False, None), (OrderStatus.IN_TRANSIT, False, None),
    (OrderStatus.DELIVERED, False, None), (OrderStatus.CANCELLED, False, None), (OrderStatus.REFUNDED, False, None),
])
def test_what_can_be_cancelled_when(status, allowed, target):
    decision = cancellation_decision(status)
    assert decision.allowed is allowed and decision.to_status is target
    assert decision.message
    if target is not None:
        ORDER_MACHINE.check(status, target)


def test_a_cancellation_leaves_the_order_in_a_cancelled_now_status():
    # Every status a cancellation moves an order to, and where a refund it starts ends, is
    # one a second "确认取消" reads as "already cancelled"; an order still under way is not.
    reached = {cancellation_decision(s).to_status for s in OrderStatus} - {None}
    assert reached | {OrderStatus.REFUNDED} == CANCELLED_NOW
    assert not CANCELLED_NOW & {OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED, OrderStatus.DELIVERED}


# --- eligibility -----------------------------------------------------------------------

def test_seven_day_window_counts_from_the_day_after_delivery():
    # 签收 1 June -> the window ends at 23:59:59 on 8 June, China time.
    assert check_eligibility(facts(), ServiceType.RETURN, AfterSalesReason.NO_REASON, at(8, 23, 59))
    late = check_eligibility(facts(), ServiceType.RETURN, AfterSalesReason.NO_REASON, at(9, 0, 1))
    assert not late and late.reason_code == "RETURN_WINDOW_EXPIRED"
    assert "7天" in late.message


def test_window_uses_china_time_not_utc():
    # 23:30 on 8 June in Beijing is 15:30 UTC: still inside; 00:30 on 9 June (16:30 UTC) is not.
    inside = datetime(2024, 6, 8, 15, 30, tzinfo=timezone.utc)
    outside = datetime(2024, 6, 8, 16, 30, tzinfo=timezone.utc)
    assert check_eligibility(facts(), ServiceType.RETURN, AfterSalesReason.NO_REASON, inside)
    assert not check_eligibility(facts(), ServiceType.RETURN, AfterSalesReason.NO_REASON, outside)


def test_fresh_food_has_no_no_reason_return_but_refund_for_damage():
    refused = check_eligibility(facts(FRUIT), ServiceType.RETURN, AfterSalesReason.NO_REASON, at(2))
    assert refused.reason_code == "NO_REASON_RETURN_NOT_SUPPORTED" and "新鲜水果" in refused.message
    assert check_eligibility(facts(FRUIT), ServiceType.REFUND_ONLY, AfterSalesReason.DAMAGED, at(2))
    assert check_eligibility(facts(FRUIT), ServiceType.EXCHANGE, AfterSalesReason.QUALITY, at(2)).reason_code == \
        "EXCHANGE_NOT_SUPPORTED"


def test_exchange_after_seven_days_needs_a_quality_problem_within_fifteen():
    day12 = at(13)
    assert check_eligibility(facts(CLOTHES), ServiceType.EXCHANGE, AfterSalesReason.QUALITY, day12)
    assert check_eligibility(facts(CLOTHES), ServiceType.EXCHANGE, AfterSalesReason.SIZE_FIT, day12).reason_code == \
        "EXCHANGE_NEEDS_QUALITY_ISSUE"
    assert check_eligibility(facts(CLOTHES), ServiceType.EXCHANGE, AfterSalesReason.QUALITY, at(17)).reason_code == \
        "EXCHANGE_WINDOW_EXPIRED"


def test_warranty_per_category():
    assert warranty_deadline(DELIVERED, 12).date().isoformat() == "2025-06-01"
    assert check_eligibility(facts(), ServiceType.REPAIR, AfterSalesReason.QUALITY, datetime(2025, 5, 30, tzinfo=CHINA_TZ))
    expired = check_eligibility(facts(), ServiceType.REPAIR, AfterSalesReason.QUALITY, datetime(2025, 6, 2, tzinfo=CHINA_TZ))
    assert expired.reason_code == "WARRANTY_EXPIRED"
    assert check_eligibility(facts(CLOTHES), ServiceType.REPAIR, AfterSalesReason.QUALITY, at(3)).reason_code == "NO_WARRANTY"


@pytest.mark.parametrize("kwargs,code", [
    ({"status": OrderStatus.CANCELLED, "delivered": None, "paid": False}, "ORDER_CANCELLED"),
    ({"status": OrderStatus.PENDING_PAYMENT, "delivered": None, "paid": False}, "NOT_PAID"),
    ({"status": OrderStatus.REFUNDED}, "ALREADY_REFUNDED"),
    ({"item_refunded": True}, "ALREADY_REFUNDED"),
    ({"open_request_no": "SH20240602000001"}, "REQUEST_IN_PROGRESS"),
    ({"status": OrderStatus.IN_TRANSIT, "delivered": None}, "NOT_DELIVERED"),
])
def test_refusals_have_stable_codes(kwargs, code):
    result = check_eligibility(facts(**kwargs), ServiceType.RETURN, AfterSalesReason.NO_REASON, at(3))
    assert not result.eligible and result.reason_code == code and result.message


def test_refund_only_before_shipping_but_not_in_transit():
    waiting = facts(status=OrderStatus.AWAITING_SHIPMENT, delivered=None)
    assert check_eligibility(waiting, ServiceType.REFUND_ONLY, AfterSalesReason.CHANGED_MIND, at(3))
    moving = facts(status=OrderStatus.IN_TRANSIT, delivered=None)
    assert check_eligibility(moving, ServiceType.REFUND_ONLY, AfterSalesReason.CHANGED_MIND, at(3)).reason_code == "IN_TRANSIT"


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        check_eligibility(facts(), ServiceType.RETURN, AfterSalesReason.NO_REASON, datetime(2024, 6, 3))


def test_parse_accepts_values_and_chinese_labels_only():
    assert ServiceType.parse("退货退款") is ServiceType.RETURN
    assert ServiceType.parse("repair") is ServiceType.REPAIR
    assert AfterSalesReason.parse("质量问题") is AfterSalesReason.QUALITY
    with pytest.raises(ValueError, match="unknown service type"):
        ServiceType.parse("drop table orders")


# --- numbers and masking ---------------------------------------------------------------

def test_order_numbers_are_18_digits_with_the_china_date_and_unique():
    created = datetime(2024, 6, 1, 17, 0, tzinfo=timezone.utc)          # 2 June 01:00 in Beijing
    numbers = {order_number(created, serial) for serial in range(1, 20_001)}
    assert len(numbers) == 20_000
    for number in list(numbers)[:50]:
        assert re.fullmatch(ORDER_NO_REGEX, number) and number.startswith("20240602") and is_order_number(number)
    assert not is_order_number("2024060212345")
    assert not is_order_number("202406021234567890\n") and not is_after_sales_number(after_sales_number(created) + "\n")
    assert re.search(ORDER_NO_REGEX, "我的订单号是202406021234567890，还没到") is not None
    assert re.fullmatch(AFTER_SALES_NO_REGEX, after_sales_number(created))


def test_masking():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_name("张三丰") == "张**" and mask_name("李娜") == "李*"


def test_an_unpaid_cancelled_order_is_explained_by_who_cancelled_it():
    from shop.domain.orders import unpaid_cancellation_note

    assert "系统已自动取消" in unpaid_cancellation_note("system")
    assert "您自己取消" in unpaid_cancellation_note("customer") and "自动" not in unpaid_cancellation_note("customer")
    assert "客服" in unpaid_cancellation_note("staff")
    assert all("没有扣款" in unpaid_cancellation_note(a) for a in ("system", "customer", "staff", "assistant"))
    assert unpaid_cancellation_note(None) is None and unpaid_cancellation_note("robot") is None


def test_the_desk_queue_ranks_by_hand_off_time_less_the_head_start_of_its_reasons():
    from datetime import datetime, timedelta, timezone

    from shop.domain.handoff_queue import QUEUE_REASONS, head_start, queue_rank, queue_reasons

    t0 = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
    angry = queue_reasons(["angry"])
    assert [r.key for r in queue_reasons(["repeat", "angry"])] == ["angry", "repeat"]     # the table's order
    assert head_start(queue_reasons(["angry", "after_sales"])) == timedelta(minutes=15)
    # An angry shopper who asked 9 minutes after a calm one is served first; 11 minutes after, not.
    assert queue_rank(t0 + timedelta(minutes=9), 2, angry) < queue_rank(t0, 1, ())
    assert queue_rank(t0 + timedelta(minutes=11), 2, angry) > queue_rank(t0, 1, ())
    assert queue_rank(t0, 1, ()) < queue_rank(t0, 2, ())              # same moment: the older ticket
    assert all(r.label and r.head_start > timedelta(0) for r in QUEUE_REASONS)
    with pytest.raises(ValueError):
        queue_reasons(["vip"])
