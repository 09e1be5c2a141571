"""The dashboard's figures are right: known conversations (one a hand-off the shopper
cancelled while waiting) through the live stack (Rasa's
SQL event broker on, the shop site's checkout), then the dashboard and its CSV compared with
what was driven. The live stack is shared by the session, so figures are compared as the
change across this test (nothing else talks to it meanwhile)."""
from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, select

from analytics import dashboard, sql_source, store
from analytics.settings import load_settings
from shop.db import models as m
from shop.db.engine import make_engine, session_scope

CUSTOMER = 331          # the growth simulator test uses 301-330


def figures(analytics, events_db, shop_engine):
    sql_source.sync(analytics, events_db)
    today = datetime.now(load_settings().timezone).date()
    return dashboard.build(analytics, lambda: session_scope(shop_engine), today, today)


def test_dashboard_and_csv_match_known_conversations(live_stack, tmp_path):
    tracker = Path(live_stack.env["TRACKER_DB_PATH"])
    events_db = sql_source.broker_engine(tracker.with_name("events.db"))
    analytics = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(analytics)
    shop_engine = make_engine(live_stack.database_url)
    # Earlier tests' last events may still be on their way (the broker writes in the
    # background): let them land before taking the baseline.
    settle = time.monotonic() + 10
    while sql_source.sync(analytics, events_db) and time.monotonic() < settle:
        time.sleep(0.5)
    before = figures(analytics, events_db, shop_engine)
    run = uuid.uuid4().hex[:8]

    assert live_stack.say(f"resolved-{run}", "你好")
    assert "人工" in "".join(r.get("text") or "" for r in live_stack.say(f"handoff-{run}", "转人工"))
    live_stack.say(f"oos-{run}", "今天天气怎么样")
    # Asked for a human, then gave up waiting (typed): the channel's gate closes the ticket.
    assert "人工" in "".join(r.get("text") or "" for r in live_stack.say(f"gave-up-{run}", "转人工"))
    assert "已取消人工服务" in "".join(r.get("text") or "" for r in live_stack.say(f"gave-up-{run}", "取消人工"))
    # A signed-in shopper is shown cards, clicks one, orders and pays it.
    token = requests.post(f"{live_stack.web_url}/api/demo/login", json={"customer_id": CUSTOMER},
                          timeout=30).json()["token"]
    cards = [r["custom"] for r in live_stack.say(f"buyer-{run}", "推荐几款手机", {"customer_token": token})
             if (r.get("custom") or {}).get("type") == "product_cards"]
    assert cards, "no recommendation cards"
    product, exposures = int(cards[0]["products"][0]["id"]), cards[0]["exposure_ids"]
    auth = {"Authorization": f"Bearer {token}"}
    requests.post(f"{live_stack.web_url}/api/recommendation-clicks", headers=auth, timeout=30,
                  json={"product_id": product, "exposure_ids": exposures}).raise_for_status()
    placed = requests.post(f"{live_stack.web_url}/api/orders", headers=auth, timeout=30,
                           json={"items": [{"product_id": product, "quantity": 1, "exposure_ids": exposures}]})
    placed.raise_for_status()
    order_no = placed.json()["order_no"]
    requests.post(f"{live_stack.web_url}/api/orders/{order_no}/pay", headers=auth, timeout=30).raise_for_status()
    with session_scope(shop_engine) as session:
        subtotal = session.execute(select(m.OrderItem.subtotal_cents).join(m.Order, m.Order.id == m.OrderItem.order_id)
                                   .where(m.Order.order_no == order_no)).scalar_one()

    # The broker writes in the background: wait (bounded) until the five conversations are in.
    deadline = time.monotonic() + 15
    while True:
        after = figures(analytics, events_db, shop_engine)
        if after["conversations"] - before["conversations"] >= 5 or time.monotonic() > deadline:
            break
        time.sleep(0.3)

    def delta(key, section=None):
        a, b = (after[section], before[section]) if section else (after, before)
        return a[key] - b[key]

    assert delta("conversations") == 5
    assert delta("handed_off") == 1             # the cancelled one is not an agent's hand-off
    assert delta("handoff_cancelled") == 1
    assert delta("contained") == 3
    assert delta("messages") == 5               # "取消人工" never reached Rasa
    assert delta("out_of_scope_messages") == 1
    assert "今天天气怎么样" in {row["text"] for row in after["not_understood"]}
    assert delta("displays", "funnel") >= 1 and delta("cards_shown", "funnel") >= len(cards[0]["products"])
    assert delta("clicks", "funnel") == 1
    assert delta("ordered_items", "funnel") == 1 and delta("orders", "funnel") == 1
    assert delta("gmv_cents", "funnel") == subtotal
    assert after["latency_ms"]["turns"] - before["latency_ms"]["turns"] == 5

    # The CSV carries the same numbers as the dashboard.
    rows = list(csv.DictReader(io.StringIO(dashboard.to_csv(after))))
    summary = {r["metric"]: r["value"] for r in rows if r["section"] == "summary"}
    for name in dashboard.SUMMARY_FIELDS:
        assert summary[name] == ("" if after[name] is None else str(after[name])), name
    funnel = {r["metric"]: r["value"] for r in rows if r["section"] == "funnel"}
    assert int(funnel["gmv_cents"]) == after["funnel"]["gmv_cents"]
    assert int(funnel["clicks"]) == after["funnel"]["clicks"]
    shop_engine.dispose()
    analytics.dispose()
