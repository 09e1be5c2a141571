"""Changing where an order is delivered: saved or typed address, only before shipping, with an
audit row, never on somebody else's order or with somebody else's address (SQLite and
PostgreSQL, like every data-layer test)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.db import models as m
from shop.db.customers import get_customer, saved_addresses
from shop.db.errors import AddressChangeNotAllowed, InvalidRequest, OrderNotFound
from shop.db.orders import change_order_address, get_order
from shop.domain.addresses import parse_address
from shop.seed.fixtures import MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID, fixture_order_number
from tests.support.shop_db import ANCHOR

NOW = ANCHOR + timedelta(hours=10)


def number(key: str) -> str:
    return fixture_order_number(key, int(ANCHOR.timestamp()))


def address_row(session, order_no: str):
    order = session.execute(select(m.Order).where(m.Order.order_no == order_no)).scalar_one()
    return (order.recipient_name, order.recipient_phone, order.province, order.city, order.district,
            order.address_detail, order.status)


def test_saved_addresses_default_first_with_the_fixture_work_address(session):
    addresses = saved_addresses(session, MAIN_CUSTOMER_ID)
    assert addresses[0].is_default and addresses[0].label == "家"
    work = [a for a in addresses if a.label == "公司"]
    assert len(work) == 1 and work[0].city == "上海市" and work[0].one_line.startswith("上海市浦东新区")
    assert "*" in work[0].masked_phone


def test_the_profile_writes_the_default_address_as_the_saved_list_does(session):
    """One rule for an address on one line (a municipality named once), whichever record
    carries it."""
    default = get_customer(session, MAIN_CUSTOMER_ID).default_address
    assert default.one_line == saved_addresses(session, MAIN_CUSTOMER_ID)[0].one_line
    shanghai = replace(default, province="上海市", city="上海市", district="浦东新区", detail="世纪大道1号")
    assert shanghai.one_line == "上海市浦东新区世纪大道1号"


def test_change_to_a_saved_address_writes_the_snapshot_and_an_audit_row(session):
    order_no = number("AWAITING_SHIPMENT")
    work = next(a for a in saved_addresses(session, MAIN_CUSTOMER_ID) if a.label == "公司")
    before = get_order(session, MAIN_CUSTOMER_ID, order_no).address
    result = change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW, saved_address_id=work.id)
    assert result.old_address == before and result.new_address == "上海市浦东新区世纪大道88号金茂大厦12楼"
    # Written as on a parcel, as the saved address is (上海市 once): the form compares the two to
    # tell the shopper the order already goes there.
    assert get_order(session, MAIN_CUSTOMER_ID, order_no).address == work.one_line
    audit = session.execute(select(m.OrderAddressChange)).scalars().all()
    assert [(a.old_address, a.new_address, a.actor) for a in audit] == [(before, result.new_address, "customer")]


def test_change_to_a_typed_address_keeps_recipient_and_phone(session):
    order_no = number("PENDING_PAYMENT")
    name, phone, *_ = address_row(session, order_no)
    typed = parse_address("改到北京市朝阳区建国路88号SOHO现代城")
    result = change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW, typed=typed, actor="assistant")
    assert address_row(session, order_no)[:6] == (name, phone, "北京市", "北京市", "朝阳区", "建国路88号SOHO现代城")
    assert (result.recipient, result.recipient_phone) == (name, phone)


def test_a_typed_address_with_its_own_recipient_and_mobile_sends_it_to_them(session):
    order_no = number("PENDING_PAYMENT")
    typed = parse_address("北京市朝阳区建国路88号SOHO现代城 李雷 13800138000")
    result = change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW, typed=typed)
    assert address_row(session, order_no)[:6] == ("李雷", "13800138000", "北京市", "北京市", "朝阳区", "建国路88号SOHO现代城")
    # The result says who it now goes to: the assistant's "已将订单…改为" names them.
    assert (result.recipient, result.recipient_phone) == ("李雷", "13800138000")


def test_a_typed_mobile_that_is_not_one_is_refused(session):
    order_no = number("PENDING_PAYMENT")
    before = address_row(session, order_no)
    typed = replace(parse_address("北京市朝阳区建国路88号SOHO现代城"), phone="12345")
    with pytest.raises(InvalidRequest):
        change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW, typed=typed)
    assert address_row(session, order_no) == before


@pytest.mark.parametrize("key", ["IN_TRANSIT", "DELIVERED_RETURNABLE", "OUT_FOR_DELIVERY", "CANCELLED"])
def test_shipped_or_closed_orders_are_refused_and_unchanged(session, key):
    order_no = number(key)
    before = address_row(session, order_no)
    with pytest.raises(AddressChangeNotAllowed) as info:
        change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW, typed=parse_address("上海市浦东新区世纪大道1号"))
    assert "无法在线修改" in info.value.message
    assert address_row(session, order_no) == before
    assert not session.execute(select(m.OrderAddressChange)).scalars().all()


def test_nobody_changes_another_shoppers_order_or_uses_their_address(session):
    other_address = saved_addresses(session, OTHER_CUSTOMER_ID)[0]
    mine = number("AWAITING_SHIPMENT")
    before = address_row(session, mine)
    with pytest.raises(OrderNotFound):
        change_order_address(session, MAIN_CUSTOMER_ID, mine, NOW, saved_address_id=other_address.id)
    with pytest.raises(OrderNotFound):
        change_order_address(session, OTHER_CUSTOMER_ID, mine, NOW, typed=parse_address("上海市浦东新区世纪大道1号"))
    assert address_row(session, mine) == before


def test_bad_arguments_write_nothing(session):
    order_no = number("AWAITING_SHIPMENT")
    before = address_row(session, order_no)
    with pytest.raises(InvalidRequest):
        change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW)
    with pytest.raises(InvalidRequest):
        change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW, saved_address_id="1")
    assert address_row(session, order_no) == before


def test_a_change_to_the_address_the_order_already_has_changes_nothing(session):
    order_no = number("AWAITING_SHIPMENT")
    work = next(a for a in saved_addresses(session, MAIN_CUSTOMER_ID) if a.label == "公司")
    change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW, saved_address_id=work.id)
    before, audits = address_row(session, order_no), session.execute(select(m.OrderAddressChange)).scalars().all()
    # The same saved address again, and the same place typed (spaces aside): already there.
    typed = parse_address("上海市浦东新区世纪大道88号 金茂大厦12楼")
    for how in ({"saved_address_id": work.id}, {"typed": typed}):
        with pytest.raises(AddressChangeNotAllowed) as refused:
            change_order_address(session, MAIN_CUSTOMER_ID, order_no, NOW + timedelta(minutes=1), **how)
        assert refused.value.code == "SAME_ADDRESS" and "已经是" in refused.value.message
    assert address_row(session, order_no) == before
    assert len(session.execute(select(m.OrderAddressChange)).scalars().all()) == len(audits)
