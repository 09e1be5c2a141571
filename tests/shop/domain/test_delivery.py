"""Expected delivery (预计送达): the shop's shipping promise, transit days and parcel progress."""
from datetime import date, datetime, timedelta, timezone

import pytest

from shop.domain.clock import CHINA_TZ
from shop.domain.delivery import (
    DeliveryEstimate, Distance, distance_between, estimate_delivery, transit_days,
)
from shop.domain.orders import OrderStatus


def china(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ).astimezone(timezone.utc)


NOW = china(2026, 11, 24, 10)          # a Tuesday morning in China


def test_distance_classes():
    assert distance_between("杭州市", "杭州市") is Distance.SAME_CITY
    assert distance_between("上海市", "杭州市") is Distance.SAME_REGION
    assert distance_between("北京市", "广州市") is Distance.CROSS_REGION
    # Unknown places are treated as far, never as near.
    assert distance_between("北京市", "某某市") is Distance.CROSS_REGION
    assert distance_between(None, "北京市") is Distance.CROSS_REGION


def test_express_carriers_are_faster_than_road_and_ems_slowest():
    sf, zto, ems = (transit_days(c, "北京市", "广州市") for c in ("SF", "ZTO", "EMS"))
    assert sf[1] <= zto[1] <= ems[1] and sf[0] <= zto[0] <= ems[0]


def test_out_for_delivery_arrives_today():
    estimate = estimate_delivery(status=OrderStatus.OUT_FOR_DELIVERY, now=NOW, shipped_at=china(2026, 11, 22),
                                 carrier_code="ZTO", origin_city="北京市", destination_city="广州市")
    assert estimate == DeliveryEstimate(date(2026, 11, 24), date(2026, 11, 24))
    assert estimate.text == "预计11月24日（周二）送达"


def test_parcel_in_destination_city_arrives_next_morning():
    estimate = estimate_delivery(status=OrderStatus.IN_TRANSIT, now=NOW, shipped_at=china(2026, 11, 23),
                                 carrier_code="YTO", origin_city="北京市", destination_city="广州市",
                                 last_event_location="广州市")
    assert (estimate.earliest, estimate.latest) == (date(2026, 11, 25), date(2026, 11, 25))


def test_in_transit_counts_transit_days_from_pick_up():
    estimate = estimate_delivery(status=OrderStatus.IN_TRANSIT, now=NOW, shipped_at=china(2026, 11, 23, 20),
                                 carrier_code="ZTO", origin_city="北京市", destination_city="广州市",
                                 last_event_location="北京市")
    assert (estimate.earliest, estimate.latest) == (date(2026, 11, 25), date(2026, 11, 27))
    assert estimate.text == "预计11月25日（周三）至11月27日（周五）送达"
    assert not estimate.late


def test_late_parcel_is_reported_late_with_a_future_estimate():
    estimate = estimate_delivery(status=OrderStatus.IN_TRANSIT, now=NOW, shipped_at=china(2026, 11, 15),
                                 carrier_code="SF", origin_city="北京市", destination_city="广州市",
                                 last_event_location="武汉市")
    assert estimate.late and estimate.earliest > date(2026, 11, 24)
    assert estimate.text.startswith("比原计划晚了一些")


def test_awaiting_shipment_keeps_the_48_hour_promise():
    paid = china(2026, 11, 24, 9)
    estimate = estimate_delivery(status=OrderStatus.AWAITING_SHIPMENT, now=NOW, paid_at=paid)
    # Ships today (before 16:00) at the earliest and by 11-26 at the latest; standard carrier, far.
    assert estimate.earliest == date(2026, 11, 24) + timedelta(days=2)
    assert estimate.latest == date(2026, 11, 26) + timedelta(days=4)
    assert not estimate.late


def test_awaiting_shipment_after_the_cut_off_ships_tomorrow():
    evening = china(2026, 11, 24, 20)
    estimate = estimate_delivery(status=OrderStatus.AWAITING_SHIPMENT, now=evening, paid_at=evening)
    assert estimate.earliest == date(2026, 11, 25) + timedelta(days=2)


def test_broken_shipping_promise_is_late():
    estimate = estimate_delivery(status=OrderStatus.AWAITING_SHIPMENT, now=NOW, paid_at=china(2026, 11, 19))
    assert estimate.late and estimate.earliest >= date(2026, 11, 24)


def test_unpaid_order_is_quoted_if_paid_now():
    estimate = estimate_delivery(status=OrderStatus.PENDING_PAYMENT, now=NOW)
    assert estimate.if_paid_now and estimate.text.startswith("现在付款的话，预计")


@pytest.mark.parametrize("status", [OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.CANCELLED,
                                    OrderStatus.REFUNDING, OrderStatus.REFUNDED])
def test_nothing_to_expect(status):
    assert estimate_delivery(status=status, now=NOW, paid_at=china(2026, 11, 20),
                             shipped_at=china(2026, 11, 21)) is None


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        estimate_delivery(status=OrderStatus.OUT_FOR_DELIVERY, now=datetime(2026, 11, 24, 10))
