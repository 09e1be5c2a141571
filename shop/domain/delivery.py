"""Expected delivery (预计送达) of an order, as customer service would quote it.

Nothing here is a promise from the carrier: it is the shop's rule of thumb, stated as a day or
a range of days in China time, from what the order already tells us:

- **Shipping promise**: paid orders leave the warehouse within ``SHIP_PROMISE_HOURS`` (48 h,
  the usual 48小时发货); an order paid before ``SAME_DAY_CUTOFF_HOUR`` (16:00) can go out the
  same day.
- **Transit**: days from pick-up to 签收 by carrier class and distance (same city, same
  region, across regions), the ranges Chinese couriers quote (顺丰/京东 次日达 in a region,
  通达系 2–4 days across the country, EMS slower).
- **Progress**: a parcel already in the destination city is delivered the next morning; one
  that is out for delivery arrives today. A parcel past its latest day is reported as late,
  with a fresh estimate, rather than with a date in the past.

Orders that are delivered, cancelled or refunded have no estimate (``None``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Optional

from shop.domain.clock import CHINA_TZ, china_date, require_aware
from shop.domain.orders import IN_DELIVERY, OrderStatus

SHIP_PROMISE_HOURS = 48
SAME_DAY_CUTOFF_HOUR = 16

WEEKDAYS = "一二三四五六日"


class Distance(str, Enum):
    SAME_CITY = "same_city"
    SAME_REGION = "same_region"
    CROSS_REGION = "cross_region"


# Express carriers with their own fleet and air freight; everyone else is road network.
EXPRESS_CARRIERS = frozenset({"SF", "JD"})
SLOW_CARRIERS = frozenset({"EMS"})

# (earliest, latest) transit days from pick-up, by carrier class and distance.
TRANSIT_DAYS: dict[tuple[str, Distance], tuple[int, int]] = {
    ("express", Distance.SAME_CITY): (1, 1),
    ("express", Distance.SAME_REGION): (1, 2),
    ("express", Distance.CROSS_REGION): (2, 3),
    ("standard", Distance.SAME_CITY): (1, 2),
    ("standard", Distance.SAME_REGION): (2, 3),
    ("standard", Distance.CROSS_REGION): (2, 4),
    ("slow", Distance.SAME_CITY): (1, 2),
    ("slow", Distance.SAME_REGION): (2, 4),
    ("slow", Distance.CROSS_REGION): (3, 5),
}

# Logistics regions (the way carriers route trunk lines). A city not listed counts as far.
REGION_OF_CITY: dict[str, str] = {
    **dict.fromkeys(("北京市", "天津市", "石家庄市", "太原市", "呼和浩特市", "青岛市", "济南市"), "华北"),
    **dict.fromkeys(("上海市", "杭州市", "南京市", "苏州市", "宁波市", "合肥市", "无锡市"), "华东"),
    **dict.fromkeys(("广州市", "深圳市", "厦门市", "福州市", "南宁市", "海口市", "东莞市"), "华南"),
    **dict.fromkeys(("武汉市", "长沙市", "郑州市", "南昌市"), "华中"),
    **dict.fromkeys(("成都市", "重庆市", "昆明市", "贵阳市", "拉萨市"), "西南"),
    **dict.fromkeys(("西安市", "兰州市", "西宁市", "银川市", "乌鲁木齐市"), "西北"),
    **dict.fromkeys(("沈阳市", "大连市", "长春市", "哈尔滨市"), "东北"),
}


@dataclass(frozen=True)
class DeliveryEstimate:
    earliest: date
    latest: date
    late: bool = False         # the first estimate has already passed
    if_paid_now: bool = False  # an unpaid order: the estimate holds if the shopper pays now

    @property
    def text(self) -> str:
        """"预计11月25日（周三）送达" or "预计11月25日（周三）至11月27日（周五）送达"."""
        if self.earliest == self.latest:
            when = _day(self.earliest)
        else:
            when = f"{_day(self.earliest)}至{_day(self.latest)}"
        prefix = "比原计划晚了一些，目前" if self.late else ("现在付款的话，" if self.if_paid_now else "")
        return f"{prefix}预计{when}送达"


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def distance_between(origin_city: Optional[str], destination_city: Optional[str]) -> Distance:
    if not origin_city or not destination_city:
        return Distance.CROSS_REGION
    if origin_city == destination_city:
        return Distance.SAME_CITY
    origin, destination = REGION_OF_CITY.get(origin_city), REGION_OF_CITY.get(destination_city)
    if origin is not None and origin == destination:
        return Distance.SAME_REGION
    return Distance.CROSS_REGION


def carrier_class(carrier_code: Optional[str]) -> str:
    if carrier_code in EXPRESS_CARRIERS:
        return "express"
    if carrier_code in SLOW_CARRIERS:
        return "slow"
    return "standard"


def transit_days(carrier_code: Optional[str], origin_city: Optional[str],
                 destination_city: Optional[str]) -> tuple[int, int]:
    return TRANSIT_DAYS[(carrier_class(carrier_code), distance_between(origin_city, destination_city))]


def ship_days(paid_at: datetime, now: datetime) -> tuple[date, date, bool]:
    """(earliest, latest) day the parcel leaves the warehouse, and whether the promise is broken."""
    paid_local = require_aware(paid_at, "paid_at").astimezone(CHINA_TZ)
    now_local = require_aware(now).astimezone(CHINA_TZ)
    promise = (paid_local + timedelta(hours=SHIP_PROMISE_HOURS)).date()
    # Today if the warehouse can still pack it today, else tomorrow.
    earliest = now_local.date() if now_local.hour < SAME_DAY_CUTOFF_HOUR else now_local.date() + timedelta(days=1)
    if earliest <= promise:
        return earliest, promise, False
    return earliest, earliest + timedelta(days=1), True


def estimate_delivery(
    *,
    status: OrderStatus,
    now: datetime,
    paid_at: Optional[datetime] = None,
    shipped_at: Optional[datetime] = None,
    carrier_code: Optional[str] = None,
    origin_city: Optional[str] = None,
    destination_city: Optional[str] = None,
    last_event_location: Optional[str] = None,
) -> Optional[DeliveryEstimate]:
    """When the shopper can expect the parcel, or None when there is nothing to expect."""
    now = require_aware(now)
    today = china_date(now)
    if status is OrderStatus.PENDING_PAYMENT:
        # "If you pay now": the promise counts from payment.
        (ship_first, ship_last, _), (fast, slow) = ship_days(now, now), transit_days(
            carrier_code, origin_city, destination_city)
        return DeliveryEstimate(ship_first + timedelta(days=fast), ship_last + timedelta(days=slow),
                                if_paid_now=True)
    if status is OrderStatus.AWAITING_SHIPMENT:
        if paid_at is None:
            return None
        ship_first, ship_last, late = ship_days(paid_at, now)
        fast, slow = transit_days(carrier_code, origin_city, destination_city)
        return DeliveryEstimate(ship_first + timedelta(days=fast), ship_last + timedelta(days=slow), late)
    if status not in IN_DELIVERY:
        return None
    if status is OrderStatus.OUT_FOR_DELIVERY:
        return DeliveryEstimate(today, today)
    if destination_city and last_event_location == destination_city:
        # Arrived in the destination city: couriers go out the next morning.
        return DeliveryEstimate(today + timedelta(days=1), today + timedelta(days=1))
    if shipped_at is None:
        return None
    fast, slow = transit_days(carrier_code, origin_city, destination_city)
    shipped_day = china_date(shipped_at)
    earliest, latest = shipped_day + timedelta(days=fast), shipped_day + timedelta(days=slow)
    if latest < today:
        return DeliveryEstimate(today + timedelta(days=1), today + timedelta(days=2), late=True)
    return DeliveryEstimate(max(earliest, today), latest)


def estimate_for_order(order, now: datetime) -> Optional[DeliveryEstimate]:
    """``estimate_delivery`` for an ``OrderDetail`` (shop.db.records) and its latest shipment."""
    shipment = order.shipment
    event = shipment.latest_event if shipment else None
    return estimate_delivery(
        status=OrderStatus(order.status), now=now, paid_at=order.paid_at,
        shipped_at=shipment.shipped_at if shipment else None,
        carrier_code=shipment.carrier_code if shipment else None,
        origin_city=shipment.origin_city if shipment else None,
        destination_city=shipment.destination_city if shipment else _city_of(order.address),
        last_event_location=event.location if event else None,
    )


def _city_of(address: str) -> Optional[str]:
    """The city of a stored address (province + city + district + street), if it is a known one."""
    for city in REGION_OF_CITY:
        if city in (address or ""):
            return city
    return None
