"""Demo fixtures: customers and orders every seeded database contains, whatever the profile.

Tests and demos rely on these. Times are relative to the seed's *anchor* (its "now"; by
default midnight China time of the day the seed ran), so a database seeded today has an
order delivered two days ago that is still inside the 7-day return window. Each fixture
order's number is ``YYYYMMDD`` of its creation day + a fixed 10-digit tail derived from its
id (``shop.domain.numbers.order_number``); use ``fixture_order_number(key, anchor)`` or read
the numbers from the database (``recent_orders``) rather than hard-coding them.

Customer 1 (张伟) — the main demo shopper, only fixture orders:

====  ==========================  ==========  =====================================================
id    key                         status      what it is for
====  ==========================  ==========  =====================================================
1     DELIVERED_RETURNABLE        已签收       phone + accessory, 签收 2 days ago: 7-day return OK
2     IN_TRANSIT                  运输中       earphones shipped yesterday, logistics timeline
3     CANCELLED                   已取消       snacks, not paid, cancelled by the 30-minute timeout
4     REFUNDED                    已退款       running shoes returned (七天无理由), refund completed
5     AWAITING_SHIPMENT           待发货       skincare paid 3 h ago: cancellable with refund
6     PENDING_PAYMENT             待付款       clothes not paid yet: cancellable
7     COMPLETED_UNDER_WARRANTY    已完成       laptop from ~200 days ago: no return, repair OK
8     OUT_FOR_DELIVERY            派送中       milk, courier on the way
9     DELIVERED_FRESH             已签收       fresh fruit: no 7-day no-reason return (生鲜)
10    COMPLETED_EXCHANGE_WINDOW   已完成       shirt 签收 12 days ago: return expired, exchange OK
====  ==========================  ==========  =====================================================

Customer 2 (李娜) — orders 11 DELIVERED (已签收, phone) and 12 IN_TRANSIT (运输中, nappies);
the "other shopper" for ownership tests.

Customer 3 (王芳) — order 13 REFUNDING (退款中: smartwatch with a return request 待审核),
order 14 COMPLETED (已完成, cat food) and order 15 DELIVERED_AWAITING_INSTALLATION (已签收: an
air conditioner just delivered, waiting for the installer — ``shop.domain.installation``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from shop.domain.after_sales import AfterSalesReason, AfterSalesStatus, ServiceType
from shop.domain.clock import CHINA_TZ
from shop.domain.numbers import order_number
from shop.domain.orders import OrderStatus

HOUR = 3_600
DAY = 86_400
CHINA_OFFSET = 8 * HOUR

FIXTURE_CUSTOMERS = {1: "张伟", 2: "李娜", 3: "王芳"}
MAIN_CUSTOMER_ID = 1
OTHER_CUSTOMER_ID = 2
REFUNDING_CUSTOMER_ID = 3
INSTALLATION_CUSTOMER_ID = 3


# Saved addresses every seed gives customer 1 besides the generated ones: the home address
# (generated, labelled 家 here) and a labelled work address in another city, so an address
# change can be picked by ordinal, label ("公司那个") or city. (label, province, city,
# district, street address); recipient and phone are the customer's own.
FIXTURE_HOME_LABEL = "家"
FIXTURE_ADDRESSES: dict[int, tuple[tuple[str, str, str, str, str], ...]] = {
    1: (("公司", "上海市", "上海市", "浦东新区", "世纪大道88号金茂大厦12楼"),),
}


@dataclass(frozen=True)
class FixtureOrder:
    key: str
    order_id: int
    customer_id: int
    products: tuple[tuple[str, int], ...]     # (leaf category, n-th product generated in it)
    days_before: int                          # created on the anchor's local day minus this
    hour: float                               # at this local (China) time
    status: OrderStatus                       # the status the order is in at the anchor
    description: str
    plan: dict = field(default_factory=dict)  # OrderPlan overrides
    after_sales: Optional[dict] = None        # AfterSalesPlan fields
    after_sales_status: Optional[AfterSalesStatus] = None


FIXTURE_ORDERS: tuple[FixtureOrder, ...] = (
    FixtureOrder("DELIVERED_RETURNABLE", 1, 1, (("手机", 0), ("手机配件", 0)), 4, 10.0, OrderStatus.DELIVERED,
                 "手机+配件，两天前签收，在7天无理由退货期内"),
    FixtureOrder("IN_TRANSIT", 2, 1, (("耳机耳麦", 0),), 1, 9.0, OrderStatus.IN_TRANSIT,
                 "耳机，昨天发货，运输中", plan={"ship_after": 6 * HOUR, "stop_stage": "in_transit"}),
    FixtureOrder("CANCELLED", 3, 1, (("休闲零食", 0),), 20, 20.0, OrderStatus.CANCELLED,
                 "零食，未付款，超时自动取消", plan={"pay_after": None, "cancel_unpaid_after": 30 * 60}),
    FixtureOrder("REFUNDED", 4, 1, (("跑步鞋", 0),), 40, 11.0, OrderStatus.REFUNDED,
                 "跑步鞋，七天无理由退货，已退款",
                 after_sales={"service": ServiceType.RETURN, "reason": AfterSalesReason.NO_REASON, "item_index": 0,
                              "delay": DAY, "outcome": "completed"},
                 after_sales_status=AfterSalesStatus.COMPLETED),
    FixtureOrder("AWAITING_SHIPMENT", 5, 1, (("面部护肤", 0),), 1, 21.0, OrderStatus.AWAITING_SHIPMENT,
                 "护肤品，已付款待发货，可取消并退款", plan={"ship_after": 10 * DAY}),
    FixtureOrder("PENDING_PAYMENT", 6, 1, (("女装", 0),), 1, 23.5, OrderStatus.PENDING_PAYMENT,
                 "女装，待付款", plan={"pay_after": None}),
    FixtureOrder("COMPLETED_UNDER_WARRANTY", 7, 1, (("笔记本电脑", 0),), 200, 15.0, OrderStatus.COMPLETED,
                 "笔记本电脑，约200天前购买，已过退货期，仍在保修期"),
    FixtureOrder("OUT_FOR_DELIVERY", 8, 1, (("牛奶乳品", 0),), 3, 8.0, OrderStatus.OUT_FOR_DELIVERY,
                 "牛奶，派送中", plan={"stop_stage": "out_for_delivery"}),
    FixtureOrder("DELIVERED_FRESH", 9, 1, (("新鲜水果", 0),), 3, 7.0, OrderStatus.DELIVERED,
                 "生鲜水果，昨天签收，不支持7天无理由退货"),
    FixtureOrder("COMPLETED_EXCHANGE_WINDOW", 10, 1, (("男装", 0),), 14, 10.0, OrderStatus.COMPLETED,
                 "男装，12天前签收：已过7天退货期，15天内可因质量问题换货"),
    FixtureOrder("OTHER_DELIVERED", 11, 2, (("手机", 1),), 5, 10.0, OrderStatus.DELIVERED,
                 "另一位顾客的手机订单（权限测试用）"),
    FixtureOrder("OTHER_IN_TRANSIT", 12, 2, (("纸尿裤", 0),), 1, 9.0, OrderStatus.IN_TRANSIT,
                 "另一位顾客的纸尿裤，运输中", plan={"ship_after": 6 * HOUR, "stop_stage": "in_transit"}),
    FixtureOrder("REFUNDING", 13, 3, (("智能手表", 0),), 6, 10.0, OrderStatus.REFUNDING,
                 "智能手表，申请退货退款，待审核",
                 after_sales={"service": ServiceType.RETURN, "reason": AfterSalesReason.QUALITY, "item_index": 0,
                              "delay": 2 * DAY + 12 * HOUR, "outcome": "completed", "review": 10 * DAY},
                 after_sales_status=AfterSalesStatus.PENDING_REVIEW),
    FixtureOrder("THIRD_COMPLETED", 14, 3, (("猫粮", 0),), 60, 19.0, OrderStatus.COMPLETED, "猫粮，已完成"),
    FixtureOrder("DELIVERED_AWAITING_INSTALLATION", 15, 3, (("空调", 0),), 3, 9.0, OrderStatus.DELIVERED,
                 "空调，刚签收，等师傅上门安装（承诺签收后48小时内）"),
)
FIXTURES_BY_KEY = {f.key: f for f in FIXTURE_ORDERS}
FIRST_RANDOM_ORDER_ID = max(f.order_id for f in FIXTURE_ORDERS) + 1


def local_midnight(anchor: int) -> int:
    """Epoch seconds of 00:00 China time on the anchor's local day."""
    return anchor - (anchor + CHINA_OFFSET) % DAY


def fixture_created_at(fixture: FixtureOrder, anchor: int) -> int:
    return local_midnight(anchor) - fixture.days_before * DAY + int(fixture.hour * HOUR)


def fixture_order_number(key: str, anchor: int) -> str:
    """The order number fixture ``key`` gets in a database seeded with ``anchor`` (epoch s)."""
    from datetime import datetime

    fixture = FIXTURES_BY_KEY[key]
    created = datetime.fromtimestamp(fixture_created_at(fixture, anchor), tz=CHINA_TZ)
    return order_number(created, fixture.order_id)
