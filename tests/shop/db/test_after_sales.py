"""After-sales: eligibility from real data, transactional creation, life cycle."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.db import models as m
from shop.db.after_sales import advance_after_sales_request, cancel_after_sales_request, check_after_sales_eligibility, create_after_sales_request, get_after_sales_request, list_after_sales_requests
from shop.db.orders import get_order
from shop.db.engine import session_scope
from shop.db.errors import AfterSalesNotAllowed, InvalidRequest
from shop.domain.after_sales import AfterSalesStatus
from shop.domain.state_machine import IllegalTransition
from shop.seed.fixtures import MAIN_CUSTOMER_ID, REFUNDING_CUSTOMER_ID, fixture_order_number
from tests.support.shop_db import ANCHOR

NOW = ANCHOR + timedelta(hours=10)
ME = MAIN_CUSTOMER_ID


def number(key: str) -> str:
    return fixture_order_number(key, int(ANCHOR.timestamp()))


def counts(session):
    return (session.execute(select(func.count()).select_from(m.AfterSalesRequest)).scalar_one(),
            session.execute(select(func.count()).select_from(m.AfterSalesStatusChange)).scalar_one(),
            session.execute(select(func.count()).select_from(m.OrderStatusChange)).scalar_one())


def first_item(session, key: str) -> int:
    return get_order(session, ME, number(key)).items[0].id


@pytest.mark.parametrize("key,service,reason,eligible,code", [
    ("DELIVERED_RETURNABLE", "return", "no_reason", True, None),
    ("DELIVERED_FRESH", "return", "no_reason", False, "NO_REASON_RETURN_NOT_SUPPORTED"),
    ("DELIVERED_FRESH", "refund_only", "damaged", True, None),
    ("COMPLETED_UNDER_WARRANTY", "return", "quality", False, "RETURN_WINDOW_EXPIRED"),
    ("COMPLETED_UNDER_WARRANTY", "repair", "quality", True, None),
    ("COMPLETED_EXCHANGE_WINDOW", "exchange", "quality", True, None),
    ("COMPLETED_EXCHANGE_WINDOW", "return", "no_reason", False, "RETURN_WINDOW_EXPIRED"),
    ("IN_TRANSIT", "return", "no_reason", False, "NOT_DELIVERED"),
    ("CANCELLED", "return", "no_reason", False, "ORDER_CANCELLED"),
    ("REFUNDED", "return", "no_reason", False, "ALREADY_REFUNDED"),
    ("PENDING_PAYMENT", "refund_only", "changed_mind", False, "NOT_PAID"),
    ("AWAITING_SHIPMENT", "refund_only", "changed_mind", True, None),
])
def test_eligibility_of_the_demo_orders(session, key, service, reason, eligible, code):
    item = first_item(session, key)
    result = check_after_sales_eligibility(session, ME, number(key), item, service, reason, NOW)
    assert result.eligible is eligible and result.reason_code == code and result.message


def test_open_request_blocks_a_second_one(session):
    order_no = fixture_order_number("REFUNDING", int(ANCHOR.timestamp()))
    result = check_after_sales_eligibility(session, REFUNDING_CUSTOMER_ID, order_no, None, "退货退款", "质量问题", NOW)
    assert result.reason_code == "REQUEST_IN_PROGRESS" and "SH" in result.message


def test_create_return_writes_request_history_and_order_status_together(writable_engine):
    with session_scope(writable_engine) as session:
        before = counts(session)
        item = first_item(session, "DELIVERED_RETURNABLE")
        created = create_after_sales_request(session, ME, number("DELIVERED_RETURNABLE"), item, "退货退款",
                                                     "七天无理由", NOW, detail="颜色不喜欢")
    assert created.request_no.startswith("SH") and created.status_label == "待审核"
    assert created.service_label == "退货退款" and created.refund_amount > 0
    with session_scope(writable_engine) as session:
        assert counts(session) == (before[0] + 1, before[1] + 1, before[2] + 1)
        order = get_order(session, ME, number("DELIVERED_RETURNABLE"))
        assert order.status == "refunding" and order.payment_status == "refunding"
        assert get_after_sales_request(session, ME, created.request_no) == created
        assert created.request_no in {r.request_no for r in list_after_sales_requests(session, ME)}
        with pytest.raises(AfterSalesNotAllowed) as info:       # the same item again
            create_after_sales_request(session, ME, order.order_no, item, "return", "no_reason", NOW)
        assert info.value.code == "REQUEST_IN_PROGRESS"

    # Staff walk it through to the refund; the order ends 已退款 only when every item is refunded.
    for status in ("approved", "awaiting_return", "processing", "completed"):
        with session_scope(writable_engine) as session:
            advance_after_sales_request(session, created.request_no, status, NOW + timedelta(days=1))
    with session_scope(writable_engine) as session:
        order = get_order(session, ME, number("DELIVERED_RETURNABLE"))
        assert len(order.items) == 2
        assert order.status == "delivered" and order.payment_status == "partially_refunded"
        assert order.items[0].refunded == order.items[0].subtotal and order.refunded == order.items[0].subtotal
        labels = [h.to_label for h in get_after_sales_request(session, ME, created.request_no).history]
        assert labels == ["待审核", "已同意", "待寄回", "处理中", "已完成"]


def test_a_failure_later_in_the_unit_of_work_undoes_everything(writable_engine):
    with session_scope(writable_engine) as session:
        before = counts(session)
        item = first_item(session, "DELIVERED_RETURNABLE")
    with pytest.raises(RuntimeError):
        with session_scope(writable_engine) as session:
            create_after_sales_request(session, ME, number("DELIVERED_RETURNABLE"), item, "return",
                                               "no_reason", NOW)
            raise RuntimeError("the reply to the shopper failed")
    with session_scope(writable_engine) as session:
        assert counts(session) == before
        assert get_order(session, ME, number("DELIVERED_RETURNABLE")).status == "delivered"


@pytest.mark.parametrize("key,service,reason,code", [
    ("DELIVERED_FRESH", "return", "no_reason", "NO_REASON_RETURN_NOT_SUPPORTED"),
    ("COMPLETED_UNDER_WARRANTY", "return", "no_reason", "RETURN_WINDOW_EXPIRED"),
    ("IN_TRANSIT", "exchange", "quality", "NOT_DELIVERED"),
])
def test_ineligible_requests_write_nothing(session, key, service, reason, code):
    before = counts(session)
    status = get_order(session, ME, number(key)).status
    with pytest.raises(AfterSalesNotAllowed) as info:
        create_after_sales_request(session, ME, number(key), None, service, reason, NOW)
    assert info.value.code == code and info.value.message
    assert counts(session) == before and get_order(session, ME, number(key)).status == status


@pytest.mark.parametrize("kwargs,code", [
    ({"service_type": "teleport"}, "INVALID_REQUEST"),
    ({"reason": "because"}, "INVALID_REQUEST"),
    ({"order_item_id": None}, "ITEM_REQUIRED"),          # two items in this order
    ({"order_item_id": 10**8}, "ITEM_NOT_IN_ORDER"),
    ({"detail": "长" * 501}, "INVALID_REQUEST"),
])
def test_malformed_requests_are_refused_cleanly(session, kwargs, code):
    args = dict(order_item_id=first_item(session, "DELIVERED_RETURNABLE"), service_type="return", reason="no_reason")
    args.update(kwargs)
    before = counts(session)
    with pytest.raises(InvalidRequest) as info:
        create_after_sales_request(session, ME, number("DELIVERED_RETURNABLE"), now=NOW, **args)
    assert info.value.code == code and counts(session) == before


def test_withdrawn_refund_restores_the_order(session):
    order_no = number("DELIVERED_FRESH")
    created = create_after_sales_request(session, ME, order_no, None, "refund_only", "damaged", NOW)
    assert get_order(session, ME, order_no).status == "refunding"
    withdrawn = cancel_after_sales_request(session, ME, created.request_no, NOW + timedelta(hours=1))
    assert withdrawn.status_label == "已取消"
    order = get_order(session, ME, order_no)
    assert order.status == "delivered" and order.payment_status == "paid"


def test_illegal_after_sales_step_changes_nothing(session):
    order_no = number("DELIVERED_FRESH")
    created = create_after_sales_request(session, ME, order_no, None, "refund_only", "damaged", NOW)
    before = counts(session)
    with pytest.raises(IllegalTransition) as info:
        advance_after_sales_request(session, created.request_no, AfterSalesStatus.COMPLETED, NOW)
    assert "待审核" in str(info.value) and "已完成" in str(info.value)
    assert counts(session) == before
    assert get_after_sales_request(session, ME, created.request_no).status == "pending_review"
