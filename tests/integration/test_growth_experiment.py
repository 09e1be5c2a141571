"""A small simulated experiment through the live stack (REST conversations, the shop site's
checkout), and its report checked against the database.

The live stack runs the A/A experiment ``live_aa`` (tests/support/experiments_live.yml).
Simulated shoppers are customers 301-330 (no test fixture uses them)."""
from __future__ import annotations

from datetime import timedelta

import yaml
from sqlalchemy import func, select

from growth.analyse import build_report, format_report
from growth.experiments import parse_plan
from growth.simulator import Behaviour, Simulator, load_shoppers
from shop.db import models as m
from shop.db.engine import make_engine, session_scope
from shop.db.experiments import unit_outcomes
from tests.support.stack import LIVE_EXPERIMENTS

FIRST, COUNT = 300, 30


def test_a_simulated_experiment_report_matches_the_database(live_stack):
    engine = make_engine(live_stack.database_url)
    try:
        shoppers = load_shoppers(engine, COUNT, offset=FIRST)
        # Generous buying, so a handful of orders happen in 30 shoppers.
        sim = Simulator(live_stack.rasa_url, live_stack.web_url, engine,
                        behaviour=Behaviour(0.5, 0.2, 0.8, 0.5), seed=1, max_seconds=240, max_requests=600)
        result = sim.run(shoppers)
        assert result.stopped_by is None and result.shoppers == COUNT and result.cards > 0
        assert result.clicks > 0 and result.orders > 0

        plan = parse_plan(yaml.safe_load(LIVE_EXPERIMENTS.read_text("utf-8")))
        weights = {v.name: v.weight for v in plan.get("live_aa").variants}
        units = {f"c:{s.customer_id}" for s in shoppers}
        with session_scope(engine) as session:
            outcomes = [o for o in unit_outcomes(session, "live_aa", timedelta(days=7)) if o.unit in units]
            ids = [s.customer_id for s in shoppers]
            first_exposure = (select(m.ExperimentExposure.customer_id, func.min(m.ExperimentExposure.shown_at)
                                     .label("first")).where(m.ExperimentExposure.experiment == "live_aa",
                                                            m.ExperimentExposure.customer_id.in_(ids))
                              .group_by(m.ExperimentExposure.customer_id).subquery())
            paid = session.execute(
                select(func.count(), func.coalesce(func.sum(m.Order.payable_cents), 0))
                .join(first_exposure, first_exposure.c.customer_id == m.Order.customer_id)
                .where(m.Order.paid_at.isnot(None), m.Order.payment_method == "模拟支付")).one()
            clicks = session.execute(
                select(func.count()).select_from(m.RecommendationClick)
                .join(m.ExperimentExposure, m.ExperimentExposure.id == m.RecommendationClick.exposure_id)
                .where(m.ExperimentExposure.experiment == "live_aa", m.ExperimentExposure.customer_id.in_(ids))
            ).scalar_one()
            attributed = session.execute(
                select(func.count(func.distinct(m.OrderAttribution.order_id)))
                .join(m.Order, m.Order.id == m.OrderAttribution.order_id).where(m.Order.customer_id.in_(ids))
            ).scalar_one()
        report = build_report("live_aa", outcomes, weights)
        print(format_report(report))

        rows = {r["variant"]: r for r in report["variants"]}
        assert sum(r["units"] for r in rows.values()) == len(units) == COUNT
        assert sum(r["clicks"] for r in rows.values()) == clicks == result.clicks
        assert sum(r["orders"] for r in rows.values()) == paid[0] == result.orders
        assert round(sum(r["gmv"] for r in rows.values()) * 100) == paid[1]
        assert sum(r["attributed_orders"] for r in rows.values()) == attributed == result.orders
        # Per-unit rates are the counts divided by the units.
        for r in rows.values():
            converted = sum(1 for o in outcomes if o.variant == r["variant"] and o.orders)
            assert r["conversion"]["value"] == converted / r["units"]
        assert not report["srm"]["mismatch"]
    finally:
        engine.dispose()
