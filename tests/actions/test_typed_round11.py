"""Round 11 through the actions, on the seeded databases: a budget nothing is priced in shows
the closest prices of that kind; payment and haggle questions get their own answers."""
from __future__ import annotations


from actions.purchase import HAGGLE_REPLY, ActionPurchaseHelp
from actions.recommend import ActionRecommend
from shop.db.catalogue import get_product_detail, search_products
from tests.support.actions import run_action, tracker


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def cards(messages):
    return [p for m in messages if m.get("custom") for p in m["custom"].get("products", [])]


def a_price_gap(shop_db, category):
    """Two neighbouring prices of the category's listings in stock, far enough apart that a
    budget fits between them."""
    with shop_db() as session:
        prices = sorted({float(p.price) for p in search_products(session, category=category, in_stock_only=True,
                                                                  limit=100)})
    return next((low, high) for low, high in zip(prices, prices[1:]) if high - low >= 40)


def test_a_budget_nothing_is_priced_in_shows_the_closest_prices_of_that_kind(shop_db):
    below, above = a_price_gap(shop_db, "手机")
    budget = {"category": "手机", "budget_min": str(below + 10), "budget_max": str(above - 10)}
    messages, events = run_action(ActionRecommend(), tracker("这个价位的手机", "ask_recommendation", budget))
    said, shown = texts(messages), cards(messages)
    assert "暂时没有在售的商品" in said and "价格最接近" in said
    assert shown, said
    prices = [float(card["price"]) for card in shown]
    assert below in prices or above in prices                      # the nearest on either side
    assert prices == sorted(prices)                                # cheapest first
    with shop_db() as session:
        assert all("手机" in get_product_detail(session, int(c["id"])).category_path for c in shown)
    # the request keeps the budget the shopper said
    state = next(e["value"] for e in events if e.get("name") == "recommendation")
    assert state["min_price"] == below + 10 and state["max_price"] == above - 10


def test_a_budget_with_no_kind_named_shows_nothing_unrelated(shop_db):
    messages, _ = run_action(ActionRecommend(), tracker("预算3块", "ask_recommendation",
                                                        {"budget_min": "3", "budget_max": "4"}))
    assert not cards(messages) and "暂时没有找到" in texts(messages)


def test_dispatch_after_paying_is_the_dispatch_times(shop_db):
    messages, _ = run_action(ActionPurchaseHelp(), tracker(
        "付款后多久发货", "purchase", {"topic": "delivery_time"}, ))
    assert "16:00" in texts(messages)
    t = tracker("付款后多久发货", "purchase")
    t.latest_message["entities"] = [{"entity": "topic", "value": "payment"}, {"entity": "topic", "value": "delivery_time"}]
    messages, _ = run_action(ActionPurchaseHelp(), t)
    assert "16:00" in texts(messages) and "微信支付" not in texts(messages)


def test_a_failed_payment_gets_the_steps_and_a_person(shop_db):
    messages, _ = run_action(ActionPurchaseHelp(), tracker("付款一直失败怎么办", "purchase", {"topic": "payment"}))
    said = texts(messages)
    assert "付款没成功" in said and "转人工" in said and "数字人民币" not in said


def test_a_discount_asked_about_the_product_in_view_is_the_haggle_answer(shop_db):
    with shop_db() as session:
        phone = search_products(session, category="手机", in_stock_only=True, limit=1)[0]
    viewed = [{"event": "action", "name": "action_product_inquiry"}]
    messages, _ = run_action(ActionPurchaseHelp(), tracker(
        "可以打折吗", "purchase", {"topic": "promotion"}, slots={"product_id": str(phone.id)}, events=viewed))
    assert HAGGLE_REPLY in texts(messages)
    # with no product in view it is the shop's offers, no haggle line
    messages, _ = run_action(ActionPurchaseHelp(), tracker("可以打折吗", "purchase", {"topic": "promotion"}))
    assert HAGGLE_REPLY not in texts(messages)


def _exposures_of(shop_db, sender_id):
    from sqlalchemy import select

    from shop.db.models import ExperimentExposure

    with shop_db() as session:
        return [(e.id, e.experiment, list(e.product_ids)) for e in session.execute(
            select(ExperimentExposure).where(ExperimentExposure.sender_id == sender_id)
            .order_by(ExperimentExposure.id)).scalars()]


def test_nearest_price_cards_log_one_exposure_with_the_cards_shown(shop_db):
    """The running rec_strategy experiment (content/experiments.yml) counts the nearest-price
    cards as shown, once, with exactly those cards, and the cards carry that exposure (the
    searches that found nothing before them logged nothing)."""
    below, above = a_price_gap(shop_db, "手机")
    t = tracker("这个价位的手机", "ask_recommendation",
                {"category": "手机", "budget_min": str(below + 10), "budget_max": str(above - 10)})
    messages, _ = run_action(ActionRecommend(), t)
    assert "价格最接近" in texts(messages)
    card_message = next(m for m in messages if m.get("custom") and m["custom"].get("products"))
    shown = [int(c["id"]) for c in card_message["custom"]["products"]]
    logged = _exposures_of(shop_db, t.sender_id)
    assert [(experiment, products) for _, experiment, products in logged] == [("rec_strategy", shown)]
    assert card_message["custom"]["exposure_ids"] == [logged[0][0]]


def test_a_turn_that_searches_twice_logs_its_one_card_set_once(shop_db, monkeypatch):
    """"睫毛膏" finds nothing titled so and shows the category's best instead: two searches,
    one set of cards, one exposure; a turn that shows no card logs none."""
    import actions.recommend as recommend

    searches = []

    def counted(*args, **kwargs):
        searches.append(args)
        return original(*args, **kwargs)
    original = recommend.recommend_in_experiments
    monkeypatch.setattr(recommend, "recommend_in_experiments", counted)
    t = tracker("推荐个睫毛膏", "ask_recommendation", {"category": "彩妆"})
    t.latest_message["entities"] = [{"entity": "category", "value": "彩妆", "start": 3, "end": 6}]
    messages, _ = run_action(ActionRecommend(), t)
    card_message = next(m for m in messages if m.get("custom") and m["custom"].get("products"))
    logged = _exposures_of(shop_db, t.sender_id)
    assert len(searches) == 2
    assert len(logged) == 1 and logged[0][2] == [int(c["id"]) for c in card_message["custom"]["products"]]
    nothing = tracker("预算3块", "ask_recommendation", {"budget_min": "3", "budget_max": "4"})
    assert not cards(run_action(ActionRecommend(), nothing)[0]) and _exposures_of(shop_db, nothing.sender_id) == []


def test_typed_purchase_search_cards_are_logged_as_exposures_like_recommendations(shop_db):
    """"我想买华为手机" shows product cards found by a plain search, not by the recommender; they
    are shown all the same, so the one exposure logger records them (the running rec_strategy
    experiment of content/experiments.yml, with exactly those cards) and the cards carry the
    exposure, so 我要买 and the order name it. A search that finds nothing logs nothing."""
    t = tracker("我想买华为手机", "purchase", {"brand": "华为", "category": "手机"})
    messages, _ = run_action(ActionPurchaseHelp(), t)
    card_message = next(m for m in messages if m.get("custom") and m["custom"].get("products"))
    assert card_message["custom"]["title"].startswith("为您找到这些商品")
    shown = [int(c["id"]) for c in card_message["custom"]["products"]]
    logged = _exposures_of(shop_db, t.sender_id)
    assert [(experiment, products) for _, experiment, products in logged] == [("rec_strategy", shown)]
    assert card_message["custom"]["exposure_ids"] == [logged[0][0]]

    nothing = tracker("我想买个不存在的牌子", "purchase", {"brand": "不存在的牌子zz"})
    messages, _ = run_action(ActionPurchaseHelp(), nothing)
    assert "暂时没有找到相关商品" in texts(messages) and _exposures_of(shop_db, nothing.sender_id) == []


def test_cards_are_shown_at_once_while_the_database_refuses_the_exposure_write(shop_db, action_database, caplog):
    """Seen live with the shop database write-locked: "推荐个手机" waited the database's busy
    timeout (10 s) to log its exposure, then answered with the apology and no cards."""
    import logging
    import sqlite3
    import time

    from sqlalchemy import create_engine

    # Another writer stuck in a transaction: SQLite's whole-file lock; on PostgreSQL a lock on
    # the exposures table that lets reads through and holds every write.
    if action_database.startswith("sqlite"):
        locker = sqlite3.connect(action_database.removeprefix("sqlite:///"), isolation_level=None, timeout=5)
        locker.execute("BEGIN EXCLUSIVE")
        release = lambda: (locker.execute("ROLLBACK"), locker.close())  # noqa: E731
    else:
        pg = create_engine(action_database, future=True)
        connection = pg.connect()
        held = connection.begin()
        connection.exec_driver_sql("LOCK TABLE experiment_exposures IN SHARE MODE")
        release = lambda: (held.rollback(), connection.close(), pg.dispose())  # noqa: E731
    t = tracker("推荐个手机", "ask_recommendation", {"category": "手机"})
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="actions.catalogue_cards"):
            messages, _ = run_action(ActionRecommend(), t)
        took = time.monotonic() - started
    finally:
        release()
    card_message = next(m for m in messages if m.get("custom") and m["custom"].get("products"))
    assert "exposure_ids" not in card_message["custom"]
    assert took < 6, took
    assert "shown without their exposure" in caplog.text
    assert _exposures_of(shop_db, t.sender_id) == []
    # The database back: the next list is logged as before.
    again = tracker("推荐个手机", "ask_recommendation", {"category": "手机"})
    messages, _ = run_action(ActionRecommend(), again)
    assert len(_exposures_of(shop_db, again.sender_id)) == 1
