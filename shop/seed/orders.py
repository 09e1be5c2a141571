"""Orders with items, status history, shipments, logistics timelines and after-sales; and the
purchase-side interactions (views, add-to-cart, purchase) that led to them.

Shoppers buy mostly in their favourite categories and brands at their price level, popular
listings more often, complements together (phone + case, formula + nappies), and consumables
again roughly every ``repurchase_days``. Orders are spread over ~18 months with peaks at 618
and 双11. Generation runs per block of customers with its own random stream, so memory stays
flat for the large profile and the result does not depend on batch sizes.
"""
from __future__ import annotations

import random
from bisect import bisect_right
from datetime import datetime, timezone
from typing import Optional

from shop.db import models as m
from shop.domain.after_sales import AfterSalesReason, ServiceType
from shop.domain.clock import CHINA_TZ
from shop.domain.numbers import after_sales_number, order_number
from shop.seed.behaviour import InteractionLog
from shop.seed.catalogue import Catalogue, Leaf
from shop.seed.fixtures import (
    FIRST_RANDOM_ORDER_ID, FIXTURE_CUSTOMERS, FIXTURE_ORDERS, fixture_created_at,
)
from shop.seed.people import Shopper
from shop.seed.profiles import Profile
from shop.seed.random_tools import WeightedChoice, between
from shop.seed.timeline import (
    DAY, HOUR, AfterSalesPlan, OrderOutcome, OrderPlan, simulate_order,
)
from shop.seed.vocabulary import (
    CARRIER_WEIGHTS, CARRIERS, COMPLEMENTS, PAYMENT_METHOD_WEIGHTS, WAREHOUSE_CITIES,
)
from shop.seed.writer import BulkWriter

HISTORY_DAYS = 540
CUSTOMER_BLOCK = 1_000
FREE_SHIPPING_CENTS = 9_900
SHIPPING_FEE_CENTS = 600
# Shopping festivals: (month, day) -> extra weight of the days around it.
FESTIVALS = {(6, 18): 3.0, (11, 11): 4.0, (12, 12): 1.5, (1, 20): 1.5}

ORDER_COLUMNS = ("id", "order_no", "customer_id", "status", "payment_status", "payment_method", "goods_cents",
                 "discount_cents", "shipping_fee_cents", "payable_cents", "refunded_cents", "recipient_name",
                 "recipient_phone", "province", "city", "district", "address_detail", "remark", "created_at",
                 "paid_at", "shipped_at", "delivered_at", "completed_at", "cancelled_at", "updated_at")
ITEM_COLUMNS = ("id", "order_id", "product_id", "sku_id", "title", "sku_name", "unit_price_cents", "quantity",
                "subtotal_cents", "refunded_cents")
HISTORY_COLUMNS = ("id", "order_id", "from_status", "to_status", "changed_at", "actor", "note")
SHIPMENT_COLUMNS = ("id", "order_id", "carrier_code", "carrier_name", "tracking_no", "status", "origin_city",
                    "destination_city", "shipped_at", "delivered_at")
EVENT_COLUMNS = ("id", "shipment_id", "occurred_at", "status", "location", "description")
REQUEST_COLUMNS = ("id", "request_no", "customer_id", "order_id", "order_item_id", "service_type", "reason_code",
                   "reason_detail", "status", "quantity", "refund_cents", "order_status_before", "created_at",
                   "updated_at", "resolved_at")
REQUEST_HISTORY_COLUMNS = ("id", "request_id", "from_status", "to_status", "changed_at", "actor", "note")


CARRIER_CHOICE = WeightedChoice(list(CARRIER_WEIGHTS), list(CARRIER_WEIGHTS.values()))
PAYMENT_CHOICE = WeightedChoice(*zip(*PAYMENT_METHOD_WEIGHTS))


def _aware(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc).astimezone(CHINA_TZ)


def tracking_number(carrier: str, shipment_id: int) -> str:
    _, prefix, digits = CARRIERS[carrier]
    return f"{prefix}{(shipment_id * 7_919 + 104_729) % 10 ** digits:0{digits}d}"


class OrderWriter:
    """Turns simulated orders into rows, buffering them until ``flush``."""

    def __init__(self, writer: BulkWriter, catalogue: Catalogue, log: InteractionLog, anchor: int,
                 profile: Profile) -> None:
        self.writer, self.catalogue, self.log, self.anchor = writer, catalogue, log, anchor
        self.profile = profile
        self.ids = {name: 0 for name in ("item", "history", "shipment", "event", "request", "request_history")}
        self._reset()

    def _reset(self) -> None:
        self.orders, self.items, self.history, self.shipments, self.events = [], [], [], [], []
        self.requests, self.request_history = [], []

    def _next(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def add(self, order_id: int, shopper: Shopper, items: list[tuple[int, int, int]], plan: OrderPlan,
            rng: random.Random) -> OrderOutcome:
        carrier = CARRIER_CHOICE.pick(rng)
        origin = shopper.city if shopper.city in WAREHOUSE_CITIES and rng.random() < 0.6 else rng.choice(WAREHOUSE_CITIES)
        plan.same_city = origin == shopper.city
        outcome = simulate_order(plan, self.anchor, len(items), CARRIERS[carrier][0], origin, shopper.city,
                                 shopper.district, rng)
        price = self.catalogue.sku_price
        goods = sum(price[sku] * qty for _, sku, qty in items)
        discount = rng.choice((0, 0, 0, 500, 1000, 2000)) if goods > 10_000 else 0
        fee = 0 if goods >= FREE_SHIPPING_CENTS else SHIPPING_FEE_CENTS
        payable = goods - discount + fee
        item_ids = []
        refunded_total = 0
        for index, (product_id, sku_id, qty) in enumerate(items):
            item_id = self._next("item")
            item_ids.append(item_id)
            subtotal = price[sku_id] * qty
            refunded = subtotal if (outcome.fully_refunded or outcome.refunded_item == index) else 0
            refunded_total += refunded
            self.items.append((item_id, order_id, product_id, sku_id, self.catalogue.product_title[product_id],
                               self.catalogue.sku_name[sku_id], price[sku_id], qty, subtotal, refunded))
        if outcome.fully_refunded:
            refunded_total = payable
        created = plan.created
        self.orders.append((
            order_id, order_number(_aware(created), order_id), shopper.id, outcome.status.value,
            outcome.payment_status.value,
            PAYMENT_CHOICE.pick(rng) if outcome.paid_at else None,
            goods, discount, fee, payable, refunded_total, shopper.name, shopper.phone, shopper.province,
            shopper.city, shopper.district, shopper.address, None, created, outcome.paid_at, outcome.shipped_at,
            outcome.delivered_at, outcome.completed_at, outcome.cancelled_at, outcome.updated_at,
        ))
        keep_history = self.profile.full_history or not plan.compact
        for ts, before, after, actor, note in (outcome.history if keep_history else ()):
            self.history.append((self._next("history"), order_id, before, after, ts, actor, note))
        if outcome.shipped_at is not None:
            shipment_id = self._next("shipment")
            self.shipments.append((shipment_id, order_id, carrier, CARRIERS[carrier][0],
                                   tracking_number(carrier, shipment_id), outcome.shipment_status.value, origin,
                                   shopper.city, outcome.shipped_at, outcome.delivered_at))
            for ts, stage, location, text in outcome.events:
                self.events.append((self._next("event"), shipment_id, ts, stage, location, text))
        if outcome.after_sales is not None:
            self._add_request(order_id, shopper.id, item_ids, items, outcome)
        self._log_purchase(shopper.id, items, outcome, created, rng)
        return outcome

    def _add_request(self, order_id: int, customer_id: int, item_ids: list[int], items, outcome: OrderOutcome) -> None:
        a = outcome.after_sales
        request_id = self._next("request")
        item_index = a.plan.item_index
        _, sku_id, qty = items[item_index]
        refund = self.catalogue.sku_price[sku_id] * qty if a.plan.service.refunds_money else 0
        last = a.history[-1][0]
        self.requests.append((
            request_id, after_sales_number(_aware(a.created), request_id), customer_id, order_id,
            item_ids[item_index], a.plan.service.value, a.plan.reason.value, None, a.status.value, qty, refund,
            a.order_status_before, a.created, last, a.resolved,
        ))
        for ts, before, after, actor, note in a.history:
            self.request_history.append((self._next("request_history"), request_id, before, after, ts, actor, note))

    def _log_purchase(self, customer_id: int, items, outcome: OrderOutcome, created: int, rng: random.Random) -> None:
        for product_id, _, _ in items:
            for _ in range(1 + (rng.random() < self.profile.second_view_rate)):
                self.log.add(customer_id, product_id, "view", created - between(rng, 20 * 60, 3 * DAY))
            if rng.random() < 0.7 or outcome.paid_at is None:
                self.log.add(customer_id, product_id, "cart", created - between(rng, 60, 15 * 60))
            if outcome.paid_at is not None:
                self.log.add(customer_id, product_id, "purchase", outcome.paid_at)

    def flush(self) -> None:
        w = self.writer
        w.insert(m.Order.__table__, ORDER_COLUMNS, self.orders)
        w.insert(m.OrderItem.__table__, ITEM_COLUMNS, self.items)
        w.insert(m.OrderStatusChange.__table__, HISTORY_COLUMNS, self.history)
        w.insert(m.Shipment.__table__, SHIPMENT_COLUMNS, self.shipments)
        w.insert(m.LogisticsEvent.__table__, EVENT_COLUMNS, self.events)
        w.insert(m.AfterSalesRequest.__table__, REQUEST_COLUMNS, self.requests)
        w.insert(m.AfterSalesStatusChange.__table__, REQUEST_HISTORY_COLUMNS, self.request_history)
        self._reset()


# --- choosing what and when ------------------------------------------------------------

def _sku_for(catalogue: Catalogue, product_id: int, shopper: Shopper, rng: random.Random) -> int:
    skus = catalogue.product_skus[product_id]
    if len(skus) == 1:
        return skus[0]
    by_price = sorted(skus, key=lambda s: catalogue.sku_price[s])
    if shopper.price_level == "premium":
        return by_price[-1 - int(rng.random() ** 2 * len(by_price))]
    if shopper.price_level == "budget":
        return by_price[int(rng.random() ** 2 * len(by_price))]
    return rng.choice(skus)


def _product_in(leaf: Leaf, shopper: Shopper, rng: random.Random) -> int:
    for brand in shopper.brands:
        if brand in leaf.by_brand and rng.random() < 0.35:
            return rng.choice(leaf.by_brand[brand])
    return leaf.sample(rng, shopper.price_level)


def _favourite_leaf(catalogue: Catalogue, shopper: Shopper, rng: random.Random) -> Leaf:
    if rng.random() < 0.75:
        # The first favourite three times as often as the third.
        cumulative = (3, 5, 6)[:len(shopper.leaves)]
        return catalogue.leaves[shopper.leaves[bisect_right(cumulative, rng.random() * cumulative[-1])]]
    return catalogue.sample_leaf(rng)


def _basket(catalogue: Catalogue, shopper: Shopper, rng: random.Random, created: int,
            consumables: dict[int, tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(product, sku, quantity) of one order: re-buys of due consumables, a main item, complements."""
    basket: dict[int, tuple[int, int]] = {}
    for product_id, (last, sku_id) in consumables.items():
        cycle = catalogue.leaf_of(product_id).repurchase_days * DAY
        if created - last >= 0.7 * cycle and rng.random() < 0.5 and len(basket) < 2:
            basket[product_id] = (sku_id, rng.choice((1, 1, 2)))
    if not basket or rng.random() < 0.4:
        leaf = _favourite_leaf(catalogue, shopper, rng)
        product_id = _product_in(leaf, shopper, rng)
        basket.setdefault(product_id, (_sku_for(catalogue, product_id, shopper, rng),
                                       rng.choice((1, 1, 1, 2, 3)) if leaf.repurchase_days else 1))
        extra = rng.random()
        complements = COMPLEMENTS.get(leaf.spec.name, ())
        if complements and extra < 0.35:
            other = catalogue.leaf_by_name[rng.choice(complements)]
            pid = _product_in(other, shopper, rng)
            basket.setdefault(pid, (_sku_for(catalogue, pid, shopper, rng), 1))
        elif extra < 0.5:
            other = _favourite_leaf(catalogue, shopper, rng)
            pid = _product_in(other, shopper, rng)
            basket.setdefault(pid, (_sku_for(catalogue, pid, shopper, rng), 1))
    for product_id, (sku_id, _) in basket.items():
        if catalogue.leaf_of(product_id).repurchase_days:
            consumables[product_id] = (created, sku_id)
    return [(pid, sku, qty) for pid, (sku, qty) in basket.items()]


_DAY_WEIGHTS: dict[int, float] = {}


def _day_weight(ts: int) -> float:
    """Relative order volume of the China-time day of ``ts`` (cached per day)."""
    local_day = (ts + 8 * HOUR) // DAY
    weight = _DAY_WEIGHTS.get(local_day)
    if weight is None:
        day = _aware(local_day * DAY)
        weight = 1.0 + sum(extra for (month, mday), extra in FESTIVALS.items()
                           if day.month == month and abs(day.day - mday) <= 2)
        _DAY_WEIGHTS[local_day] = weight
    return weight


def _order_times(rng: random.Random, count: int, start: int, end: int) -> list[int]:
    """``count`` times in [start, end), denser around 618 and 双11, sorted."""
    times = []
    while len(times) < count:
        ts = between(rng, start, end - 1)
        if rng.random() * 5.0 < _day_weight(ts):
            times.append(ts)
    return sorted(times)


def _after_sales_plan(catalogue: Catalogue, items, rng: random.Random) -> Optional[AfterSalesPlan]:
    index = rng.randrange(len(items))
    leaf = catalogue.leaf_of(items[index][0])
    warranty = leaf.spec.warranty_months if leaf.spec.warranty_months is not None else leaf.top.warranty_months
    no_reason = leaf.spec.no_reason_return if leaf.spec.no_reason_return is not None else leaf.top.no_reason_return
    exchange_days = leaf.spec.exchange_days if leaf.spec.exchange_days is not None else leaf.top.exchange_days
    outcome = rng.choices(("completed", "rejected", "cancelled"), weights=(80, 10, 10))[0]
    short_delay = between(rng, 4 * HOUR, 6 * DAY)
    if warranty and rng.random() < 0.2:
        delay = between(rng, 20 * DAY, min(200, warranty * 30 - 5) * DAY)
        return AfterSalesPlan(ServiceType.REPAIR, AfterSalesReason.QUALITY, index, delay, outcome,
                              processing=between(rng, 3, 10) * DAY)
    if no_reason:
        service = rng.choices((ServiceType.RETURN, ServiceType.EXCHANGE, ServiceType.REFUND_ONLY, ServiceType.RESEND),
                              weights=(60, 15 if exchange_days else 0, 10, 15))[0]
    else:
        service = rng.choices((ServiceType.REFUND_ONLY, ServiceType.RESEND), weights=(70, 30))[0]
    reason = {
        ServiceType.RETURN: (AfterSalesReason.NO_REASON, AfterSalesReason.SIZE_FIT, AfterSalesReason.QUALITY,
                             AfterSalesReason.NOT_AS_DESCRIBED, AfterSalesReason.CHANGED_MIND),
        ServiceType.EXCHANGE: (AfterSalesReason.SIZE_FIT, AfterSalesReason.QUALITY),
        ServiceType.REFUND_ONLY: (AfterSalesReason.DAMAGED, AfterSalesReason.QUALITY, AfterSalesReason.MISSING_PARTS),
        ServiceType.RESEND: (AfterSalesReason.MISSING_PARTS,),
    }[service]
    return AfterSalesPlan(service, rng.choice(reason), index, short_delay, outcome,
                          review=between(rng, 1 * HOUR, 30 * HOUR), goods_back=between(rng, 1, 4) * DAY,
                          processing=between(rng, 1, 3) * DAY)


def _random_plan(catalogue: Catalogue, created: int, anchor: int, items, rng: random.Random) -> OrderPlan:
    plan = OrderPlan(created=created, pay_after=between(rng, 30, 25 * 60), ship_after=between(rng, 2 * HOUR, 40 * HOUR),
                     legs=(between(rng, 1 * HOUR, 5 * HOUR), between(rng, 1 * HOUR, 3 * HOUR),
                           between(rng, 8 * HOUR, 48 * HOUR), between(rng, 2 * HOUR, 8 * HOUR)),
                     deliver_after=between(rng, 30 * 60, 6 * HOUR), compact=anchor - created > 60 * DAY)
    r = rng.random()
    if r < 0.05:
        plan.pay_after = None
        plan.cancel_unpaid_after = rng.choice((30 * 60, between(rng, 60, 29 * 60)))   # timeout or changed mind
    elif r < 0.07:
        plan.cancel_paid_after = between(rng, 30 * 60, 20 * HOUR)
    elif r < 0.13:
        plan.after_sales = _after_sales_plan(catalogue, items, rng)
    return plan


# --- entry point -----------------------------------------------------------------------

def generate_orders(seed: int, profile: Profile, catalogue: Catalogue, shoppers: list[Shopper], writer: BulkWriter,
                    anchor: int, log: InteractionLog, browse) -> None:
    """Fixture orders first (fixed ids), then everybody else's, block by block.

    ``browse(shopper, order_count, rng)`` adds the shopper's browsing sessions to ``log``.
    """
    out = OrderWriter(writer, catalogue, log, anchor, profile)
    by_id = {s.id: s for s in shoppers}
    fixture_rng = random.Random(f"{seed}:fixtures")
    for fixture in FIXTURE_ORDERS:
        shopper = by_id[fixture.customer_id]
        items = []
        for leaf_name, n in fixture.products:
            leaf = catalogue.leaf_by_name[leaf_name]
            product_id = leaf.product_ids[min(n, len(leaf.product_ids) - 1)]
            items.append((product_id, catalogue.product_skus[product_id][0], 1))
        plan = OrderPlan(created=fixture_created_at(fixture, anchor), **fixture.plan)
        if fixture.after_sales:
            plan.after_sales = AfterSalesPlan(**fixture.after_sales)
        out.add(fixture.order_id, shopper, items, plan, fixture_rng)
    out.flush()

    # Order counts per shopper: a long tail of occasional buyers and some heavy ones.
    allocation_rng = random.Random(f"{seed}:allocation")
    regular = [s for s in shoppers if s.id not in FIXTURE_CUSTOMERS]
    weights = [min(allocation_rng.paretovariate(1.3), 60.0) for _ in regular]
    total_weight = sum(weights)
    wanted = max(0, profile.orders - len(FIXTURE_ORDERS))
    counts = [int(wanted * w / total_weight) for w in weights]
    for i in sorted(range(len(regular)), key=lambda i: weights[i], reverse=True)[: wanted - sum(counts)]:
        counts[i] += 1

    order_id = FIRST_RANDOM_ORDER_ID - 1
    start_of_history = anchor - HISTORY_DAYS * DAY
    for block_start in range(0, len(regular), CUSTOMER_BLOCK):
        rng = random.Random(f"{seed}:orders:{block_start // CUSTOMER_BLOCK}")
        for shopper, count in zip(regular[block_start:block_start + CUSTOMER_BLOCK],
                                  counts[block_start:block_start + CUSTOMER_BLOCK]):
            consumables: dict[int, tuple[int, int]] = {}
            for created in _order_times(rng, count, max(shopper.registered_at, start_of_history), anchor):
                items = _basket(catalogue, shopper, rng, created, consumables)
                order_id += 1
                out.add(order_id, shopper, items, _random_plan(catalogue, created, anchor, items, rng), rng)
            browse(shopper, count, rng)
        out.flush()
