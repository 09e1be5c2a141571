"""A typed purchase search through the live stack (REST, the real NLU and actions): the
product cards "我想买华为手机" gets are found by a plain catalogue search, not the recommender,
and are logged as an exposure of the running experiment all the same (the stack's A/A test,
tests/support/experiments_live.yml) with exactly the cards shown, which carry its id — so the
experiments and the dashboard's funnel count them and buying from them is attributed."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from shop.db import models as m
from shop.db.engine import make_engine, session_scope


def test_typed_purchase_search_cards_are_logged_as_an_exposure(live_stack):
    sender = f"purchase-cards-{uuid.uuid4().hex[:8]}"
    replies = live_stack.say(sender, "我想买华为手机")
    cards = [r["custom"] for r in replies if (r.get("custom") or {}).get("type") == "product_cards"]
    assert cards and cards[0]["title"].startswith("为您找到这些商品"), replies
    shown = [int(p["id"]) for p in cards[0]["products"]]
    engine = make_engine(live_stack.database_url)
    try:
        with session_scope(engine) as session:
            logged = session.execute(select(m.ExperimentExposure.id, m.ExperimentExposure.experiment,
                                            m.ExperimentExposure.product_ids)
                                     .where(m.ExperimentExposure.sender_id == sender)).all()
    finally:
        engine.dispose()
    assert [(experiment, list(products)) for _, experiment, products in logged] == [("live_aa", shown)]
    assert cards[0]["exposure_ids"] == [logged[0][0]]
