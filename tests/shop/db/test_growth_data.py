"""Checkout through the order state machine, attribution of orders to exposures, clicks,
experiment outcomes, segments, and migration 0006 — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import func, inspect, select

from growth.segments import LABELS, segment, silhouette
from shop.db import models as m
from shop.db.catalogue import product_category_ids
from shop.db.checkout import ensure_coupon, issue_coupon, pay_order_simulated, place_order
from shop.db.customers import seeded_tastes
from shop.db.engine import make_engine
from shop.db.experiments import Shown, log_exposures, record_click, unit_outcomes
from shop.db.migrate import alembic_config, current_revision, upgrade_to_head
from shop.db.orders import get_order
from shop.db.segments import customer_segment, replace_segments, rfm_rows, segment_best_sellers, segment_sizes
from shop.domain.checkout import SIMULATED_PAYMENT_METHOD, CartLine, CartRejected
from shop.domain.orders import OrderStatus
from shop.domain.state_machine import IllegalTransition
from shop.seed.fixtures import MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID
from tests.support.shop_db import ANCHOR

GROWTH_TABLES = {"experiment_exposures", "recommendation_clicks", "order_attributions", "customer_segments"}
NOW = ANCHOR + timedelta(hours=1)


def _in_stock_product(session, skip=()):
    return session.execute(
        select(m.Sku).join(m.Product).where(m.Sku.stock >= 5, m.Sku.is_active.is_(True),
                                            m.Product.is_on_sale.is_(True), m.Sku.product_id.notin_(skip))
        .order_by(m.Sku.id).limit(1)).scalar_one()


def _exposure(session, customer_id, product_ids, experiment="e", variant="a"):
    return log_exposures(session, [Shown(experiment, variant)], f"c:{customer_id}", customer_id,
                         f"web-{customer_id}", product_ids, NOW)[0]


def test_an_order_from_a_card_is_placed_paid_and_attributed(session):
    sku = _in_stock_product(session)
    stock_before = sku.stock
    exposure = _exposure(session, MAIN_CUSTOMER_ID, [sku.product_id])
    placed = place_order(session, MAIN_CUSTOMER_ID, [CartLine(sku.product_id, sku.id, 2, (exposure,))], NOW)
    assert placed.status == OrderStatus.PENDING_PAYMENT.value and placed.status_label == "待付款"
    assert placed.attributed_items == 1 and sku.stock == stock_before - 2
    order = get_order(session, MAIN_CUSTOMER_ID, placed.order_no)
    assert order is not None and order.items[0].quantity == 2
    assert placed.payable == placed.goods - placed.discount + placed.shipping_fee

    assert pay_order_simulated(session, MAIN_CUSTOMER_ID, placed.order_no, NOW) == OrderStatus.AWAITING_SHIPMENT.value
    row = session.execute(select(m.Order).where(m.Order.order_no == placed.order_no)).scalar_one()
    assert row.payment_method == SIMULATED_PAYMENT_METHOD and row.paid_at is not None
    history = session.execute(select(m.OrderStatusChange.to_status, m.OrderStatusChange.note)
                              .where(m.OrderStatusChange.order_id == row.id).order_by(m.OrderStatusChange.id)).all()
    assert [h[0] for h in history] == ["pending_payment", "awaiting_shipment"] and "模拟支付" in history[1][1]
    with pytest.raises(IllegalTransition):       # paying twice is not an edge of the machine
        pay_order_simulated(session, MAIN_CUSTOMER_ID, placed.order_no, NOW)
    assert session.execute(select(func.count()).select_from(m.OrderAttribution)
                           .where(m.OrderAttribution.order_id == row.id)).scalar_one() == 1


def test_a_forged_or_foreign_exposure_is_not_attributed(session):
    sku = _in_stock_product(session)
    other = _in_stock_product(session, skip=[sku.product_id])
    foreign = _exposure(session, OTHER_CUSTOMER_ID, [sku.product_id])
    wrong_product = _exposure(session, MAIN_CUSTOMER_ID, [other.product_id])
    placed = place_order(session, MAIN_CUSTOMER_ID,
                         [CartLine(sku.product_id, sku.id, 1, (foreign, wrong_product, 10**9))], NOW)
    assert placed.attributed_items == 0


def test_bad_carts_are_refused_and_write_nothing(session):
    sku = _in_stock_product(session)
    sku.stock = 3
    session.flush()
    orders_before = session.execute(select(func.count()).select_from(m.Order)).scalar_one()
    for lines, code in [([], "empty_cart"), ([CartLine(sku.product_id, sku.id, 0)], "invalid_quantity"),
                        ([CartLine(sku.product_id, sku.id, 4)], "out_of_stock"),
                        ([CartLine(sku.product_id, 10**8, 1)], "unavailable")]:
        with pytest.raises(CartRejected) as caught:
            place_order(session, MAIN_CUSTOMER_ID, lines, NOW)
        assert caught.value.code == code
    assert session.execute(select(func.count()).select_from(m.Order)).scalar_one() == orders_before


def test_someone_elses_order_cannot_be_paid(session):
    sku = _in_stock_product(session)
    placed = place_order(session, MAIN_CUSTOMER_ID, [CartLine(sku.product_id, None, 1)], NOW)
    from shop.db.errors import OrderNotFound
    with pytest.raises(OrderNotFound):
        pay_order_simulated(session, OTHER_CUSTOMER_ID, placed.order_no, NOW)


def test_an_issued_coupon_is_applied_once_at_checkout(session):
    coupon = ensure_coupon(session, "TESTGMV10", "测试券", 0, 1000, NOW - timedelta(days=1), 14)
    assert issue_coupon(session, OTHER_CUSTOMER_ID, coupon, NOW)
    assert not issue_coupon(session, OTHER_CUSTOMER_ID, coupon, NOW)          # recorded once
    sku = _in_stock_product(session)
    placed = place_order(session, OTHER_CUSTOMER_ID, [CartLine(sku.product_id, sku.id, 1)], NOW)
    assert placed.discount >= 10 and placed.coupon_title is not None


def test_clicks_count_only_for_the_cards_shown_to_this_shopper(session):
    sku = _in_stock_product(session)
    exposure = _exposure(session, MAIN_CUSTOMER_ID, [sku.product_id])
    assert record_click(session, MAIN_CUSTOMER_ID, exposure, sku.product_id, NOW)
    assert not record_click(session, OTHER_CUSTOMER_ID, exposure, sku.product_id, NOW)
    assert not record_click(session, MAIN_CUSTOMER_ID, exposure, sku.product_id + 1, NOW)
    assert not record_click(session, MAIN_CUSTOMER_ID, 10**9, sku.product_id, NOW)


def test_a_card_counts_one_click_however_often_it_is_pressed(session):
    # A script posting the same click in a loop (a guest exposure takes anyone's click) used to
    # add a row each time: the table grew without bound and clicks per exposure meant nothing.
    sku = _in_stock_product(session)
    exposure = _exposure(session, MAIN_CUSTOMER_ID, [sku.product_id], "pressed", "a")
    guest = log_exposures(session, [Shown("pressed", "a")], "s:web-guest", None, "web-guest", [sku.product_id],
                          NOW)[0]
    assert record_click(session, MAIN_CUSTOMER_ID, exposure, sku.product_id, NOW)
    assert [record_click(session, MAIN_CUSTOMER_ID, exposure, sku.product_id, NOW) for _ in range(50)] == [False] * 50
    assert record_click(session, None, guest, sku.product_id, NOW)
    assert not any(record_click(session, who, guest, sku.product_id, NOW) for who in (None, OTHER_CUSTOMER_ID))
    clicks = session.execute(select(func.count()).select_from(m.RecommendationClick)
                             .where(m.RecommendationClick.exposure_id.in_([exposure, guest]))).scalar_one()
    assert clicks == 2
    assert {o.unit: o.clicks for o in unit_outcomes(session, "pressed", timedelta(days=7))} == {
        f"c:{MAIN_CUSTOMER_ID}": 1, "s:web-guest": 1}


def test_migration_0016_keeps_the_first_click_of_each_card(writable_engine):
    from sqlalchemy import exc, text

    from shop.db.engine import session_scope

    with session_scope(writable_engine) as session:
        sku = _in_stock_product(session)
        exposure = _exposure(session, MAIN_CUSTOMER_ID, [sku.product_id, sku.product_id + 1], "m16", "a")
        product = sku.product_id
    with writable_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0015")
        for product_id in (product, product, product, product + 1):
            connection.execute(text("INSERT INTO recommendation_clicks (exposure_id, customer_id, product_id, clicked_at)"
                                    " VALUES (:e, :c, :p, :at)"),
                               {"e": exposure, "c": MAIN_CUSTOMER_ID, "p": product_id, "at": NOW})
        first = connection.execute(text("SELECT min(id) FROM recommendation_clicks WHERE exposure_id = :e"
                                        " AND product_id = :p"), {"e": exposure, "p": product}).scalar_one()
    upgrade_to_head(writable_engine)
    with writable_engine.connect() as connection:
        rows = connection.execute(text("SELECT id, product_id FROM recommendation_clicks WHERE exposure_id = :e"
                                       " ORDER BY product_id"), {"e": exposure}).all()
    assert [r[1] for r in rows] == [product, product + 1] and rows[0][0] == first
    with pytest.raises(exc.IntegrityError):
        with writable_engine.begin() as connection:
            connection.execute(text("INSERT INTO recommendation_clicks (exposure_id, customer_id, product_id, clicked_at)"
                                    " VALUES (:e, NULL, :p, :at)"), {"e": exposure, "p": product, "at": NOW})


def test_outcomes_join_exposures_clicks_and_paid_orders_in_the_window(session):
    sku = _in_stock_product(session)
    first = _exposure(session, MAIN_CUSTOMER_ID, [sku.product_id], "joined", "treat")
    _exposure(session, MAIN_CUSTOMER_ID, [sku.product_id], "joined", "other")   # later: still "treat"
    _exposure(session, OTHER_CUSTOMER_ID, [sku.product_id], "joined", "control")
    record_click(session, MAIN_CUSTOMER_ID, first, sku.product_id, NOW)
    placed = place_order(session, MAIN_CUSTOMER_ID, [CartLine(sku.product_id, sku.id, 1, (first,))], NOW)
    pay_order_simulated(session, MAIN_CUSTOMER_ID, placed.order_no, NOW + timedelta(minutes=5))
    outcomes = {o.unit: o for o in unit_outcomes(session, "joined", timedelta(days=7))}
    main, other = outcomes[f"c:{MAIN_CUSTOMER_ID}"], outcomes[f"c:{OTHER_CUSTOMER_ID}"]
    assert (main.variant, main.exposures, main.clicks, main.orders, main.attributed_orders) == ("treat", 2, 1, 1, 1)
    assert main.gmv_cents == int(placed.payable * 100)
    assert (other.variant, other.orders, other.gmv_cents, other.clicks) == ("control", 0, 0, 0)
    # The seeded customer paid for orders before the experiment: CUPED's covariate.
    paid_before = session.execute(select(func.coalesce(func.sum(m.Order.payable_cents), 0)).where(
        m.Order.customer_id == MAIN_CUSTOMER_ID, m.Order.paid_at.isnot(None),
        m.Order.paid_at >= NOW - timedelta(days=90), m.Order.paid_at < NOW)).scalar_one()
    assert main.pre_spend_cents == paid_before


def test_segments_are_computed_stored_and_read(session):
    rows = list(rfm_rows(session, ANCHOR))
    assert len(rows) == session.execute(select(func.count()).select_from(m.Customer)).scalar_one()
    result = segment(rows, ANCHOR, clusters=4, seed=0)
    assert set(result.codes) <= set(LABELS) and {"at_risk", "loyal"} <= set(result.codes)
    assert silhouette(result) > 0.1
    assert replace_segments(session, result.rows, ANCHOR) == len(rows)
    sizes = segment_sizes(session)
    assert sum(s.customers for s in sizes) == len(rows) and all(s.label == LABELS[s.segment] for s in sizes)
    mine = customer_segment(session, MAIN_CUSTOMER_ID)
    assert mine is not None and mine.label == LABELS[mine.segment]
    loyal = segment_best_sellers(session, "loyal", ANCHOR - timedelta(days=365), limit=5)
    assert 0 < len(loyal) <= 5
    # The at-risk segment really is the one that stopped buying.
    recency = {code: [r.recency_days for r in result.rows if r.segment == code and r.recency_days is not None]
               for code in ("at_risk", "loyal")}
    assert min(recency["at_risk"]) > 0 and sum(recency["at_risk"]) / len(recency["at_risk"]) > \
        sum(recency["loyal"]) / len(recency["loyal"])


def test_migration_0006_upgrades_and_downgrades(empty_url):
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0005")
        with engine.connect() as connection:
            assert not GROWTH_TABLES & set(inspect(connection).get_table_names())
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert GROWTH_TABLES <= set(inspect(connection).get_table_names())
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0005")
            assert current_revision(connection) == "0005"
        with engine.connect() as connection:
            assert not GROWTH_TABLES & set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_the_simulator_reads_seeded_tastes_and_product_categories_through_the_data_layer(session):
    first = seeded_tastes(session, limit=5)
    assert [cid for cid, _ in first] == sorted(cid for cid, _ in first) and len(first) == 5
    assert seeded_tastes(session, limit=3, offset=2) == first[2:5]
    parents = set(session.execute(select(m.Category.parent_id).where(m.Category.parent_id.is_not(None))).scalars())
    for _, tastes in first:
        # two or three favourite leaf categories each (shop.seed.people)
        assert 2 <= len(tastes) <= 3 and not tastes & parents
    products = session.execute(select(m.Product.id, m.Product.category_id).order_by(m.Product.id).limit(4)).all()
    asked = [pid for pid, _ in products] + [10**9]  # an unknown id is left out, not an error
    assert product_category_ids(session, asked) == dict(products)


def test_attributed_sales_are_the_paid_items_bought_from_the_experiments_cards(session):
    """The experiment page's sales per variant: every paid order item attributed to one of the
    experiment's exposures, with its variant, payment time and subtotal; not an unpaid order,
    not another experiment's, not one paid outside the period."""
    from shop.db.experiments import attributed_sales

    sku = _in_stock_product(session)
    other_sku = _in_stock_product(session, skip=(sku.product_id,))
    a = _exposure(session, MAIN_CUSTOMER_ID, [sku.product_id], experiment="sales", variant="a")
    b = _exposure(session, OTHER_CUSTOMER_ID, [sku.product_id, other_sku.product_id], experiment="sales", variant="b")
    elsewhere = _exposure(session, OTHER_CUSTOMER_ID, [other_sku.product_id], experiment="other", variant="x")
    paid_a = place_order(session, MAIN_CUSTOMER_ID, [CartLine(sku.product_id, sku.id, 2, (a,))], NOW)
    paid_b = place_order(session, OTHER_CUSTOMER_ID, [CartLine(sku.product_id, sku.id, 1, (b,)),
                                                      CartLine(other_sku.product_id, other_sku.id, 1, (b, elsewhere))],
                         NOW)
    place_order(session, MAIN_CUSTOMER_ID, [CartLine(sku.product_id, sku.id, 1, (a,))], NOW)      # never paid
    pay_order_simulated(session, MAIN_CUSTOMER_ID, paid_a.order_no, NOW + timedelta(minutes=1))
    pay_order_simulated(session, OTHER_CUSTOMER_ID, paid_b.order_no, NOW + timedelta(minutes=2))
    def subtotals(order_no):
        return dict(session.execute(select(m.OrderItem.product_id, m.OrderItem.subtotal_cents).join(m.Order)
                                    .where(m.Order.order_no == order_no)).all())

    rows = attributed_sales(session, "sales", NOW, NOW + timedelta(hours=1))
    assert [(variant, cents) for variant, _, cents in rows] == [
        ("a", subtotals(paid_a.order_no)[sku.product_id]), ("b", subtotals(paid_b.order_no)[sku.product_id]),
        ("b", subtotals(paid_b.order_no)[other_sku.product_id])]
    assert rows[0][1] == NOW + timedelta(minutes=1)
    assert [v for v, _, _ in attributed_sales(session, "other", NOW, NOW + timedelta(hours=1))] == ["x"]
    assert attributed_sales(session, "sales", NOW + timedelta(hours=1), NOW + timedelta(hours=2)) == []


def test_sales_by_variant_split_the_funnel_by_experiment_and_variant(session):
    """数据分析's sales by strategy: per experiment and variant, the displays in the period,
    clicks on them, and the paid items attributed to them with their orders and GMV; an item
    bought from cards of two experiments counts under each (once per experiment), an unpaid
    order and another period count nothing."""
    from shop.db.analytics import sales_by_variant

    sku = _in_stock_product(session)
    other_sku = _in_stock_product(session, skip=(sku.product_id,))
    a = _exposure(session, MAIN_CUSTOMER_ID, [sku.product_id], experiment="rec", variant="hybrid")
    _exposure(session, MAIN_CUSTOMER_ID, [other_sku.product_id], experiment="rec", variant="hybrid")
    b = _exposure(session, OTHER_CUSTOMER_ID, [sku.product_id, other_sku.product_id], experiment="rec",
                  variant="popularity")
    coupon = _exposure(session, OTHER_CUSTOMER_ID, [other_sku.product_id], experiment="winback", variant="coupon")
    assert record_click(session, OTHER_CUSTOMER_ID, b, other_sku.product_id, NOW)
    paid_a = place_order(session, MAIN_CUSTOMER_ID, [CartLine(sku.product_id, sku.id, 2, (a,))], NOW)
    paid_b = place_order(session, OTHER_CUSTOMER_ID, [CartLine(other_sku.product_id, other_sku.id, 1, (b, coupon))],
                         NOW)
    place_order(session, MAIN_CUSTOMER_ID, [CartLine(sku.product_id, sku.id, 1, (a,))], NOW)      # never paid
    pay_order_simulated(session, MAIN_CUSTOMER_ID, paid_a.order_no, NOW + timedelta(minutes=1))
    pay_order_simulated(session, OTHER_CUSTOMER_ID, paid_b.order_no, NOW + timedelta(minutes=2))
    cents = {order_no: session.execute(select(func.sum(m.OrderItem.subtotal_cents)).join(m.Order)
                                       .where(m.Order.order_no == order_no)).scalar_one()
             for order_no in (paid_a.order_no, paid_b.order_no)}
    rows = {(r["experiment"], r["variant"]): r for r in sales_by_variant(session, NOW, NOW + timedelta(hours=1))}
    figures = ("displays", "clicks", "ordered_items", "orders", "gmv_cents")
    assert {key: tuple(row[f] for f in figures) for key, row in rows.items()} == {
        ("rec", "hybrid"): (2, 0, 1, 1, cents[paid_a.order_no]),
        ("rec", "popularity"): (1, 1, 1, 1, cents[paid_b.order_no]),
        ("winback", "coupon"): (1, 0, 1, 1, cents[paid_b.order_no])}
    assert sales_by_variant(session, NOW + timedelta(hours=1), NOW + timedelta(hours=2)) == []
