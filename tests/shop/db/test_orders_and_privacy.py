"""Order queries, cancellation, and the rule that nobody sees another shopper's data."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.db import models as m
from shop.db.after_sales import cancel_after_sales_request, check_after_sales_eligibility, create_after_sales_request, get_after_sales_request, list_after_sales_requests
from shop.db.catalogue import list_customer_coupons
from shop.db.customers import get_customer, list_demo_customers
from shop.db.orders import advance_order_status, cancel_order, get_order, get_order_for_guest, latest_order, lookup_order_for_guest, recent_orders
from shop.db.engine import session_scope
from shop.db.errors import InvalidRequest, OrderCannotBeCancelled, OrderNotFound
from shop.domain.orders import OrderStatus
from shop.domain.state_machine import IllegalTransition
from shop.seed.fixtures import FIXTURES_BY_KEY, MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID, fixture_order_number
from tests.support.shop_db import ANCHOR

NOW = ANCHOR + timedelta(hours=10)


def number(key: str) -> str:
    return fixture_order_number(key, int(ANCHOR.timestamp()))


def snapshot(session, order_no: str):
    order = session.execute(select(m.Order).where(m.Order.order_no == order_no)).scalar_one()
    history = session.execute(select(m.OrderStatusChange.id).where(m.OrderStatusChange.order_id == order.id)).all()
    requests = session.execute(select(m.AfterSalesRequest.id).where(m.AfterSalesRequest.order_id == order.id)).all()
    return order.status, order.payment_status, order.cancelled_at, len(history), len(requests)


def test_get_order_with_items_shipment_and_timeline(session):
    order = get_order(session, MAIN_CUSTOMER_ID, number("IN_TRANSIT"))
    assert order.status == "in_transit" and order.status_label == "运输中"
    assert order.items and order.items[0].subtotal == order.items[0].unit_price * order.items[0].quantity
    shipment = order.shipment
    assert shipment.carrier_name in {"顺丰速运", "京东快递", "中通快递", "圆通速递", "韵达快递", "EMS"}
    assert [e.status for e in shipment.events][0] == "collected"
    assert shipment.latest_event.status_label == "运输中"
    assert [e.occurred_at for e in shipment.events] == sorted(e.occurred_at for e in shipment.events)
    assert re.fullmatch(r"\d{3}\*{4}\d{4}", order.masked_phone)


def test_order_details_carry_every_shipment_and_logistics_event_as_stored(session):
    orders = recent_orders(session, MAIN_CUSTOMER_ID, limit=50)
    for order in orders:
        order_id = session.execute(select(m.Order.id).where(m.Order.order_no == order.order_no)).scalar_one()
        stored = session.execute(select(m.Shipment).where(m.Shipment.order_id == order_id)
                                 .order_by(m.Shipment.id)).scalars().all()
        assert [s.tracking_no for s in order.shipments] == [s.tracking_no for s in stored]
        for shown, row in zip(order.shipments, stored):
            events = session.execute(select(m.LogisticsEvent).where(m.LogisticsEvent.shipment_id == row.id)
                                     .order_by(m.LogisticsEvent.occurred_at, m.LogisticsEvent.id)).scalars().all()
            assert [(e.occurred_at, e.status, e.location, e.description) for e in shown.events] == \
                [(e.occurred_at, e.status, e.location, e.description) for e in events]
            assert (shown.shipped_at, shown.delivered_at) == (row.shipped_at, row.delivered_at)
    assert any(o.shipments and o.shipments[0].events for o in orders)
    assert any(not o.shipments for o in orders)


def test_recent_and_latest_orders(session):
    recent = recent_orders(session, MAIN_CUSTOMER_ID, limit=5)
    assert len(recent) == 5
    assert [o.created_at for o in recent] == sorted((o.created_at for o in recent), reverse=True)
    assert latest_order(session, MAIN_CUSTOMER_ID) == recent[0]
    assert recent[0].order_no == number("PENDING_PAYMENT")
    everything = recent_orders(session, MAIN_CUSTOMER_ID, limit=50)
    assert {o.order_no for o in everything} == {number(k) for k, f in FIXTURES_BY_KEY.items()
                                                  if f.customer_id == MAIN_CUSTOMER_ID}
    with pytest.raises(InvalidRequest):
        recent_orders(session, MAIN_CUSTOMER_ID, limit=0)


def test_guest_lookup_needs_the_phone_digits_and_masks(session):
    order_no = number("IN_TRANSIT")
    phone = session.execute(select(m.Order.recipient_phone).where(m.Order.order_no == order_no)).scalar_one()
    guest = get_order_for_guest(session, order_no, phone[-4:])
    assert guest.order_no == order_no and guest.recipient.endswith("*") and "******" in guest.address
    wrong = f"{(int(phone[-4:]) + 1) % 10000:04d}"
    assert get_order_for_guest(session, order_no, wrong) is None
    assert get_order_for_guest(session, "209901011234567890", phone[-4:]) is None
    with pytest.raises(InvalidRequest):
        get_order_for_guest(session, order_no, "12a4")


def test_guest_lookups_lock_a_number_after_repeated_misses(session):
    from datetime import datetime, timezone

    from shop.domain.privacy import GUEST_LOOKUP_MAX_FAILURES, GUEST_LOOKUP_WINDOW

    order_no = number("IN_TRANSIT")
    phone = session.execute(select(m.Order.recipient_phone).where(m.Order.order_no == order_no)).scalar_one()
    right, wrong = phone[-4:], f"{(int(phone[-4:]) + 1) % 10000:04d}"
    now = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    assert lookup_order_for_guest(session, order_no, right, now).order.order_no == order_no
    for _ in range(GUEST_LOOKUP_MAX_FAILURES):
        outcome = lookup_order_for_guest(session, order_no, wrong, now)
        assert outcome.order is None and not outcome.locked
    # Now even the right digits are refused, and the order is not read.
    locked = lookup_order_for_guest(session, order_no, right, now)
    assert locked.locked and locked.order is None
    # An unknown number locks the same way, so the lock says nothing about existence.
    for _ in range(GUEST_LOOKUP_MAX_FAILURES):
        lookup_order_for_guest(session, MISSING, right, now)
    assert lookup_order_for_guest(session, MISSING, right, now).locked
    # After the window the number can be tried again; other numbers were never affected.
    later = now + GUEST_LOOKUP_WINDOW + GUEST_LOOKUP_WINDOW / 10
    assert lookup_order_for_guest(session, order_no, right, later).order.order_no == order_no
    other = number("DELIVERED_RETURNABLE")
    other_phone = session.execute(select(m.Order.recipient_phone).where(m.Order.order_no == other)).scalar_one()
    assert lookup_order_for_guest(session, other, other_phone[-4:], now).order.order_no == other


def test_guest_lookups_lock_a_client_trying_many_numbers(session):
    # One client opening conversation after conversation, each number tried under its own
    # limit: its misses over every number are counted too, and then it reads nothing.
    from datetime import datetime, timezone

    from shop.domain.privacy import GUEST_LOOKUP_MAX_CLIENT_FAILURES, GUEST_LOOKUP_MAX_FAILURES, GUEST_LOOKUP_WINDOW

    guesser, neighbour = "a" * 32, "b" * 32
    order_no = number("IN_TRANSIT")
    phone = session.execute(select(m.Order.recipient_phone).where(m.Order.order_no == order_no)).scalar_one()
    now = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    guesses = [f"2099010{i:011d}" for i in range(GUEST_LOOKUP_MAX_CLIENT_FAILURES)]
    for guess in guesses:
        outcome = lookup_order_for_guest(session, guess, "1234", now, client=guesser)
        assert outcome.order is None and not outcome.locked
    assert GUEST_LOOKUP_MAX_CLIENT_FAILURES > GUEST_LOOKUP_MAX_FAILURES   # no single number was locked
    failures_before = session.execute(select(m.GuestLookupFailure.id)).all()
    # Now a real order with the right digits is refused for that client, and nothing is read
    # or counted (the number's own allowance is untouched).
    locked = lookup_order_for_guest(session, order_no, phone[-4:], now, client=guesser)
    assert locked.locked and locked.client_locked and locked.order is None
    assert session.execute(select(m.GuestLookupFailure.id)).all() == failures_before
    # Another client (or the shopper signed in) is not affected; after the window it may try again.
    assert lookup_order_for_guest(session, order_no, phone[-4:], now, client=neighbour).order.order_no == order_no
    later = now + GUEST_LOOKUP_WINDOW + GUEST_LOOKUP_WINDOW / 10
    assert lookup_order_for_guest(session, order_no, phone[-4:], later, client=guesser).order.order_no == order_no
    # Only what a channel records is a client: anything else is refused before any write.
    with pytest.raises(InvalidRequest):
        lookup_order_for_guest(session, order_no, phone[-4:], now, client="127.0.0.1")


def test_behind_an_untrusted_proxy_one_guest_cannot_lock_every_guest_out_and_forged_clients_are_bounded(session):
    # The Rasa server not told to trust its proxy: every guest has the proxy's address, and
    # the channels tell them apart by the forwarding headers (shop.identity.client_tag). One
    # guest's misses lock that guest only; forged headers (a fresh "client" per message) buy
    # at most GUEST_LOOKUP_CLIENTS_PER_ADDRESS allowances for the whole address, never more.
    from datetime import datetime, timezone

    from shop.domain.privacy import GUEST_LOOKUP_CLIENTS_PER_ADDRESS
    from shop.identity import client_tag

    key = b"k" * 32
    proxy = "10.0.0.5"
    careless, shopper = client_tag(proxy, key, "x-forwarded-for=203.0.113.7"), client_tag(proxy, key,
                                                                                         "x-forwarded-for=198.51.100.1")
    per_client = 2
    order_no = number("IN_TRANSIT")
    phone = session.execute(select(m.Order.recipient_phone).where(m.Order.order_no == order_no)).scalar_one()
    now = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    guesses = iter(f"2099011{i:011d}" for i in range(1000))
    for _ in range(per_client):
        lookup_order_for_guest(session, next(guesses), "1234", now, client=careless, max_client_failures=per_client)
    assert lookup_order_for_guest(session, next(guesses), "1234", now, client=careless,
                                  max_client_failures=per_client).client_locked
    # Another guest behind the same proxy is not locked out by it.
    found = lookup_order_for_guest(session, order_no, phone[-4:], now, client=shopper, max_client_failures=per_client)
    assert found.order is not None and found.order.order_no == order_no
    # Forged clients, each under its own allowance: the address stops them all together.
    for forged in range(1, GUEST_LOOKUP_CLIENTS_PER_ADDRESS):
        tag = client_tag(proxy, key, f"x-forwarded-for=192.0.2.{forged}")
        for _ in range(per_client):
            assert not lookup_order_for_guest(session, next(guesses), "1234", now, client=tag,
                                              max_client_failures=per_client).locked
    fresh = client_tag(proxy, key, "x-forwarded-for=192.0.2.200")
    assert lookup_order_for_guest(session, next(guesses), "1234", now, client=fresh,
                                  max_client_failures=per_client).client_locked
    # Another address (its own proxy) is untouched.
    elsewhere = client_tag("10.0.9.9", key, "x-forwarded-for=192.0.2.200")
    assert lookup_order_for_guest(session, order_no, phone[-4:], now, client=elsewhere,
                                  max_client_failures=per_client).order is not None


# --- nobody sees anybody else's orders -------------------------------------------------

OTHERS_ORDER = "OTHER_DELIVERED"      # belongs to customer 2
MISSING = "209901019999999999"


def _probe(session, customer_id: int, order_no: str, name: str):
    """Call a personal-data function as ``customer_id`` about ``order_no``; normalise the outcome."""
    calls = {
        "get_order": lambda: get_order(session, customer_id, order_no),
        "eligibility": lambda: check_after_sales_eligibility(
            session, customer_id, order_no, None, "return", "no_reason", NOW),
        "create_after_sales": lambda: create_after_sales_request(
            session, customer_id, order_no, None, "return", "no_reason", NOW),
        "cancel_order": lambda: cancel_order(session, customer_id, order_no, NOW),
    }
    try:
        return ("value", calls[name]())
    except OrderNotFound as error:
        return ("not found", error.code, error.message)


@pytest.mark.parametrize("name", ["get_order", "eligibility", "create_after_sales", "cancel_order"])
def test_someone_elses_order_looks_exactly_like_a_missing_one(session, name):
    others = _probe(session, MAIN_CUSTOMER_ID, number(OTHERS_ORDER), name)
    missing = _probe(session, MAIN_CUSTOMER_ID, MISSING, name)
    if name == "get_order":
        assert others == missing == ("value", None)
    else:
        assert others == missing and others[0] == "not found"
    # ... while the owner does get it, and nothing was changed by the attempts.
    assert get_order(session, OTHER_CUSTOMER_ID, number(OTHERS_ORDER)).status == "delivered"


def test_lists_only_ever_contain_the_callers_own_data(session):
    others = {o.order_no for o in recent_orders(session, OTHER_CUSTOMER_ID, limit=50)}
    mine = {o.order_no for o in recent_orders(session, MAIN_CUSTOMER_ID, limit=50)}
    assert others and mine and not others & mine
    all_requests = session.execute(select(m.AfterSalesRequest.request_no, m.AfterSalesRequest.customer_id)).all()
    for request_no, owner in all_requests[:20]:
        stranger = OTHER_CUSTOMER_ID if owner != OTHER_CUSTOMER_ID else MAIN_CUSTOMER_ID
        assert get_after_sales_request(session, stranger, request_no) is None
        assert request_no not in {r.request_no for r in list_after_sales_requests(session, stranger, 50)}
        assert get_after_sales_request(session, owner, request_no).request_no == request_no
        with pytest.raises(InvalidRequest) as info:
            cancel_after_sales_request(session, stranger, request_no, NOW)
        assert info.value.code == "REQUEST_NOT_FOUND"
    coupons_2 = list_customer_coupons(session, OTHER_CUSTOMER_ID, ANCHOR, only_usable=False)
    owned = session.execute(select(m.CustomerCoupon.id).where(m.CustomerCoupon.customer_id == OTHER_CUSTOMER_ID)).all()
    assert len(coupons_2) == len(owned)


@pytest.mark.parametrize("bad", [None, "1", 0, -3, True, 1.0])
def test_customer_id_must_be_a_real_id(session, bad):
    with pytest.raises(InvalidRequest):
        get_order(session, bad, number("IN_TRANSIT"))
    with pytest.raises(InvalidRequest):
        recent_orders(session, bad)


def test_customer_profile_is_masked(session):
    me = get_customer(session, MAIN_CUSTOMER_ID)
    assert me.name == "张伟" and re.fullmatch(r"1\d{2}\*{4}\d{4}", me.masked_phone)
    assert me.default_address is not None and "*" in me.default_address.masked_phone
    assert get_customer(session, 10**7) is None
    demo = list_demo_customers(session, 3)
    assert [d.id for d in demo] == [1, 2, 3] and demo[0].order_count == 10
    assert all("*" in d.masked_name and "****" in d.masked_phone for d in demo)


# --- cancellation and status changes ----------------------------------------------------

def test_cancel_unpaid_and_paid_orders(session):
    unpaid = cancel_order(session, MAIN_CUSTOMER_ID, number("PENDING_PAYMENT"), NOW, reason="不想要了")
    assert unpaid.status == "cancelled" and unpaid.status_label == "已取消"
    paid = cancel_order(session, MAIN_CUSTOMER_ID, number("AWAITING_SHIPMENT"), NOW)
    assert paid.status == "refunding" and "退" in paid.message
    assert get_order(session, MAIN_CUSTOMER_ID, number("AWAITING_SHIPMENT")).payment_status == "refunding"
    # Who cancelled is read from the history: the shopper here, the system for the seeded
    # order that timed out unpaid; orders not cancelled carry nobody.
    assert get_order(session, MAIN_CUSTOMER_ID, number("PENDING_PAYMENT")).cancelled_by == "customer"
    assert get_order(session, MAIN_CUSTOMER_ID, number("CANCELLED")).cancelled_by == "system"
    assert get_order(session, MAIN_CUSTOMER_ID, number("AWAITING_SHIPMENT")).cancelled_by is None


@pytest.mark.parametrize("key,code", [("IN_TRANSIT", "ALREADY_SHIPPED"), ("DELIVERED_RETURNABLE", "ALREADY_DELIVERED"),
                                      ("CANCELLED", "ALREADY_CANCELLED"), ("REFUNDED", "ALREADY_REFUNDED")])
def test_refused_cancellations_change_nothing(session, key, code):
    before = snapshot(session, number(key))
    with pytest.raises(OrderCannotBeCancelled) as info:
        cancel_order(session, MAIN_CUSTOMER_ID, number(key), NOW)
    assert info.value.code == code and info.value.message
    assert snapshot(session, number(key)) == before


def test_illegal_status_change_leaves_the_order_unchanged(writable_engine):
    order_no = number("IN_TRANSIT")
    with session_scope(writable_engine) as session:
        before = snapshot(session, order_no)
    with pytest.raises(IllegalTransition):
        with session_scope(writable_engine) as session:
            advance_order_status(session, order_no, OrderStatus.CANCELLED, NOW)
    with session_scope(writable_engine) as session:
        assert snapshot(session, order_no) == before
        assert advance_order_status(session, order_no, "out_for_delivery", NOW, actor="carrier") == "out_for_delivery"
    with session_scope(writable_engine) as session:
        assert snapshot(session, order_no)[0] == "out_for_delivery"
        with pytest.raises(InvalidRequest):
            advance_order_status(session, order_no, "teleported", NOW)
