"""The seed generator: determinism, believability, fixtures, internal consistency."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.db import models as m
from shop.db.engine import make_engine
from shop.db.migrate import upgrade_to_head
from shop.domain.after_sales import AFTER_SALES_MACHINE, AfterSalesStatus
from shop.domain.numbers import AFTER_SALES_NO_REGEX, ORDER_NO_REGEX
from shop.domain.orders import ORDER_MACHINE, OrderStatus
from shop.seed.fixtures import FIXTURE_ORDERS, fixture_order_number
from shop.seed.runner import SeedError, seed_database

from tests.support.shop_db import ANCHOR, PROFILE, SEED

VOLATILE = {"seed_runs"}     # timing of the run itself


def _dump(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(table).order_by(*table.primary_key.columns)).all()
            for table in m.Base.metadata.sorted_tables if table.name not in VOLATILE
        }


def _seeded(url: str, seed: int):
    engine = make_engine(url)
    upgrade_to_head(engine)
    seed_database(engine, PROFILE, seed, ANCHOR)
    return engine


def test_same_seed_same_rows_other_seed_other_rows(backend, seeded_engine):
    first = _dump(seeded_engine)
    again = _seeded(backend.new_database("again"), SEED)
    other = _seeded(backend.new_database("other"), SEED + 1)
    try:
        second, different = _dump(again), _dump(other)
    finally:
        again.dispose()
        other.dispose()
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"table {name} differs between two seeds with the same value"
    assert first["orders"] != different["orders"] and first["customers"] != different["customers"]


def test_seeding_twice_is_refused_without_changes(seeded_engine):
    with seeded_engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(m.Order)).scalar_one()
    with pytest.raises(SeedError, match="already has data"):
        seed_database(seeded_engine, PROFILE, SEED, ANCHOR)
    with seeded_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(m.Order)).scalar_one() == before


def test_profile_sizes_and_categories(session):
    count = lambda model: session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
    assert count(m.Product) == 300 and count(m.Customer) == 60 and count(m.Order) == 400
    tops = session.execute(select(m.Category.name).where(m.Category.parent_id.is_(None))).scalars().all()
    assert len(tops) >= 12
    assert {"手机数码", "电脑办公", "家用电器", "服饰鞋包", "美妆护肤", "食品生鲜", "母婴用品", "运动户外", "家居家装",
            "图书文具"} <= set(tops)
    assert count(m.Interaction) > count(m.OrderItem) * 2


def test_titles_look_like_chinese_listings(session):
    titles = session.execute(select(m.Product.title)).scalars().all()
    assert any(re.match(r"Apple iPhone 15 Pro \d+(GB|TB) \S+ 5G手机", t) for t in titles)
    assert any(t.startswith("华为 Mate 60 Pro") for t in titles)
    assert any(t.startswith("小米14 ") for t in titles)
    assert any(t.startswith("耐克 ") and "跑步鞋" in t for t in titles)
    assert all(len(t) <= 200 for t in titles)


def test_phone_specs_fit_brand_and_model(session):
    """An iPhone has an Apple chip, a Huawei a Kirin, nobody else either (issue 15)."""
    rows = session.execute(
        select(m.Product.title, m.Product.model, m.Product.attributes, m.Brand.name)
        .join(m.Brand, m.Brand.id == m.Product.brand_id)
        .where(m.Product.title.like("%5G手机%"))
    ).all()
    assert rows
    apple_models = set()
    for title, model, attributes, brand in rows:
        chip = attributes["处理器"]
        if model.startswith("iPhone"):
            apple_models.add(model)
            assert chip.startswith("A1"), (title, chip)
        else:
            assert not chip.startswith("A1"), (title, chip)
            assert chip.startswith("麒麟") == (brand == "华为"), (title, brand, chip)
        if model.startswith("iPhone 15 Pro"):
            assert chip == "A17 Pro" and attributes["屏幕尺寸"] == ("6.7英寸" if "Max" in model else "6.1英寸")
    assert apple_models


def test_prices_fit_their_category(session):
    rows = session.execute(
        select(m.Category.name, func.min(m.Product.price_cents), func.max(m.Product.price_cents))
        .join(m.Product, m.Product.category_id == m.Category.id).group_by(m.Category.name)
    ).all()
    ranges = {name: (low / 100, high / 100) for name, low, high in rows}
    assert ranges["手机"][0] >= 500 and ranges["手机"][1] <= 20_000
    assert ranges["休闲零食"][1] < 500
    assert ranges["笔记本电脑"][0] > 2_000


def test_fixtures_are_in_their_documented_states(session):
    for fixture in FIXTURE_ORDERS:
        order = session.get(m.Order, fixture.order_id)
        assert order.customer_id == fixture.customer_id
        assert order.status == fixture.status.value, fixture.key
        assert order.order_no == fixture_order_number(fixture.key, int(ANCHOR.timestamp()))
        if fixture.after_sales_status:
            request = session.execute(select(m.AfterSalesRequest).where(m.AfterSalesRequest.order_id == order.id)).scalar_one()
            assert request.status == fixture.after_sales_status.value
    returnable = session.get(m.Order, 1)
    assert ANCHOR - timedelta(days=3) < returnable.delivered_at < ANCHOR - timedelta(days=1)
    in_transit = session.get(m.Order, 2)
    events = session.execute(
        select(m.LogisticsEvent.description).join(m.Shipment, m.Shipment.id == m.LogisticsEvent.shipment_id)
        .where(m.Shipment.order_id == in_transit.id)
    ).scalars().all()
    assert any("揽收" in e for e in events) and any("转运中心" in e for e in events)
    fixture_customers = {f.customer_id for f in FIXTURE_ORDERS}
    stray = session.execute(select(func.count()).select_from(m.Order).where(
        m.Order.customer_id.in_(fixture_customers), m.Order.id > len(FIXTURE_ORDERS))).scalar_one()
    assert stray == 0


def test_numbers_follow_the_documented_formats(session):
    for number in session.execute(select(m.Order.order_no)).scalars():
        assert re.fullmatch(ORDER_NO_REGEX, number)
    for number in session.execute(select(m.AfterSalesRequest.request_no)).scalars():
        assert re.fullmatch(AFTER_SALES_NO_REGEX, number)


def test_every_recorded_status_change_is_a_legal_transition(session):
    by_order = defaultdict(list)
    for change in session.execute(select(m.OrderStatusChange).order_by(m.OrderStatusChange.id)).scalars():
        by_order[change.order_id].append(change)
    orders = {o.id: o for o in session.execute(select(m.Order)).scalars()}
    assert set(by_order) == set(orders)
    for order_id, changes in by_order.items():
        assert changes[0].from_status is None and changes[0].to_status == OrderStatus.PENDING_PAYMENT.value
        for change in changes[1:]:
            ORDER_MACHINE.check(OrderStatus(change.from_status), OrderStatus(change.to_status))
        assert changes[-1].to_status == orders[order_id].status
    for request in session.execute(select(m.AfterSalesRequest)).scalars():
        history = session.execute(select(m.AfterSalesStatusChange).where(
            m.AfterSalesStatusChange.request_id == request.id).order_by(m.AfterSalesStatusChange.id)).scalars().all()
        for change in history[1:]:
            AFTER_SALES_MACHINE.check(AfterSalesStatus(change.from_status), AfterSalesStatus(change.to_status))
        assert history[-1].to_status == request.status


def test_statuses_timestamps_and_logistics_agree(session):
    statuses = dict(session.execute(select(m.Order.status, func.count()).group_by(m.Order.status)).all())
    assert statuses.get("completed", 0) > statuses.get("cancelled", 0) > 0
    for order in session.execute(select(m.Order)).scalars():
        status = OrderStatus(order.status)
        assert order.created_at <= ANCHOR
        if status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            assert order.delivered_at is not None and order.paid_at <= order.shipped_at <= order.delivered_at
        if status is OrderStatus.PENDING_PAYMENT:
            assert order.paid_at is None and order.payment_status == "unpaid"
    for shipment in session.execute(select(m.Shipment)).scalars():
        last = session.execute(select(m.LogisticsEvent.status).where(m.LogisticsEvent.shipment_id == shipment.id)
                               .order_by(m.LogisticsEvent.occurred_at.desc(), m.LogisticsEvent.id.desc()).limit(1)).scalar()
        assert (last == "delivered") == (shipment.delivered_at is not None)


def test_behaviour_has_skew_repeats_and_co_purchases(session):
    purchases = session.execute(select(m.Interaction.customer_id, m.Interaction.product_id).where(
        m.Interaction.kind == "purchase")).all()
    per_product = defaultdict(int)
    for _, product in purchases:
        per_product[product] += 1
    counts = sorted(per_product.values(), reverse=True)
    top_share = sum(counts[: max(1, len(counts) // 10)]) / sum(counts)
    assert top_share > 0.2                       # the top 10% of products get well over 10% of sales
    repeats = defaultdict(int)
    for pair in purchases:
        repeats[pair] += 1
    assert any(n > 1 for n in repeats.values())  # consumables bought again
    times = session.execute(select(m.Interaction.occurred_at).order_by(m.Interaction.id)).scalars().all()
    assert times == sorted(times)


def test_foreign_keys_hold(session):
    if session.bind.dialect.name == "sqlite":
        assert session.connection().exec_driver_sql("PRAGMA foreign_key_check").all() == []
    else:
        orphans = session.execute(select(func.count()).select_from(m.OrderItem).outerjoin(
            m.Order, m.Order.id == m.OrderItem.order_id).where(m.Order.id.is_(None))).scalar_one()
        assert orphans == 0


def test_search_index_is_reproducible_from_the_catalogue(session):
    from shop.db.search_maintenance import rebuild_search_index

    def snapshot():
        terms = session.execute(select(m.ProductSearchTerm.term, m.ProductSearchTerm.product_id, m.ProductSearchTerm.weight)
                                .order_by(m.ProductSearchTerm.term, m.ProductSearchTerm.product_id)).all()
        facets = session.execute(select(m.ProductFacet).order_by(m.ProductFacet.name, m.ProductFacet.value,
                                                                 m.ProductFacet.product_id)).scalars().all()
        return terms, [(f.name, f.value, f.product_id) for f in facets]

    before = snapshot()
    assert rebuild_search_index(session) == 300
    session.flush()
    assert snapshot() == before
