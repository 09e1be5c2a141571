"""Segment offers and segment cold start as experiment variants, through the live stack, and an
operator's edit of the experiment file taking effect on the very next turn (no deploy).

The stack is this module's own: its experiment file (a temporary copy) runs ``winback_coupon``
(a coupon for 沉睡/流失风险 shoppers, against no coupon) and ``segment_cold_start`` (shoppers
with no history start from their segment's best sellers, against the plain recommender), and
the tests edit it. Segments are computed as an operator does (``growth.segments``) after two
new shoppers sign up. Shoppers type their request; signed in with the shop's token.
"""
from __future__ import annotations

from datetime import timedelta
from itertools import count
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import func, select

from growth.analyse import analyse
from growth.assignment import unit_for
from growth.experiments import ExperimentBook, parse_plan
from growth.experiments_file import change_experiment
from growth.segments import recompute
from shop.db import models as m
from shop.db.engine import make_engine, session_scope
from shop.db.segments import segment_best_sellers
from shop.domain.clock import utc_now
from shop.identity import issue_customer_token
from tests.support.required import unavailable
from tests.support.stack import TEST_TOKEN_SECRET, latest_model, start_stack

pytestmark = pytest.mark.integration

EXPERIMENTS = """\
experiments:
  - name: winback_coupon
    status: running
    segments: [at_risk]
    attribution_days: 14
    variants:
      - {name: control, weight: 1}
      - {name: coupon, weight: 1, offer: winback}
  - name: segment_cold_start
    status: running
    variants:
      - {name: control, weight: 1}
      - {name: segment, weight: 1, cold_start: segment}
offers:
  winback:
    coupon_code: HUIGU20
    title: 老顾客回归券
    threshold_yuan: 99
    discount_yuan: 20
    valid_days: 14
    message: 好久不见！送您一张满99减20的回归券，已放入您的账户，14天内有效。
"""
OFFER_TEXT = "好久不见！送您一张满99减20的回归券"
SEGMENT_REASON = "同类顾客都在买"
ASK = "给我推荐几款商品吧"
NEW_SHOPPERS = 12
_senders = count(1)


@pytest.fixture(scope="module")
def growth(tmp_path_factory):
    model = latest_model()
    if model is None:
        unavailable("no trained model in models/: run `make train` (make test does it)")
    work = tmp_path_factory.mktemp("growth-variants")
    experiments = work / "experiments.yml"
    experiments.write_text(EXPERIMENTS, encoding="utf-8")
    stack = start_stack(work / "stack", model, with_site=False, experiments=experiments)
    engine = make_engine(stack.database_url)
    try:
        now = utc_now()
        with session_scope(engine) as session:
            first = session.execute(select(func.max(m.Customer.id))).scalar_one() + 1
            session.add_all(m.Customer(id=first + i, name=f"新顾客{i}", phone=f"1770000{first + i:04d}",
                                       registered_at=now - timedelta(hours=1)) for i in range(NEW_SHOPPERS))
        result, _ = recompute(engine)
        segment_of = dict(zip(result.customer_ids.tolist(), result.codes))
        yield SimpleNamespace(stack=stack, engine=engine, experiments=experiments, segment_of=segment_of,
                              new_shoppers=list(range(first, first + NEW_SHOPPERS)), used=set())
    finally:
        engine.dispose()
        stack.stop()


def shopper(growth, experiment: str, variant: str, segment: str = None, among=None) -> int:
    """A shopper not used by an earlier test whom the assignment puts in ``variant`` while the
    experiment runs at full ramp with every variant (the file as first written)."""
    plan = parse_plan(yaml.safe_load(EXPERIMENTS))
    candidates = among if among is not None else sorted(c for c, s in growth.segment_of.items() if s == segment)
    for customer_id in candidates:
        if customer_id in growth.used:
            continue
        chosen = plan.get(experiment).assign(unit_for(customer_id, "unused"), growth.segment_of[customer_id])
        if chosen is not None and chosen.name == variant:
            growth.used.add(customer_id)
            return customer_id
    pytest.fail(f"no unused shopper in {experiment}/{variant}")


def ask(growth, customer_id: int) -> SimpleNamespace:
    token = issue_customer_token(customer_id, secret=TEST_TOKEN_SECRET)
    sender = f"growth-variants-{customer_id}-{next(_senders)}"
    messages = growth.stack.say(sender, ASK, metadata={"customer_token": token})
    cards = [c for msg in messages for c in ((msg.get("custom") or {}).get("products") or [])
             if (msg.get("custom") or {}).get("type") == "product_cards"]
    exposure_ids = [i for msg in messages for i in ((msg.get("custom") or {}).get("exposure_ids") or [])]
    return SimpleNamespace(sender=sender, cards=cards, exposure_ids=exposure_ids,
                           text="\n".join(msg.get("text") or "" for msg in messages))


def exposures(growth, experiment: str, customer_id: int) -> list:
    with session_scope(growth.engine) as session:
        return session.execute(
            select(m.ExperimentExposure.variant, m.ExperimentExposure.product_ids, m.ExperimentExposure.id)
            .where(m.ExperimentExposure.experiment == experiment, m.ExperimentExposure.customer_id == customer_id)
            .order_by(m.ExperimentExposure.id)).all()


def coupons_held(growth, customer_id: int) -> int:
    with session_scope(growth.engine) as session:
        return session.execute(
            select(func.count()).select_from(m.CustomerCoupon).join(m.Coupon, m.Coupon.id == m.CustomerCoupon.coupon_id)
            .where(m.CustomerCoupon.customer_id == customer_id, m.Coupon.code == "HUIGU20")).scalar_one()


def test_an_at_risk_shopper_in_the_coupon_variant_gets_the_coupon_once_and_it_is_recorded(growth):
    treated = shopper(growth, "winback_coupon", "coupon", "at_risk")
    control = shopper(growth, "winback_coupon", "control", "at_risk")
    loyal = next(c for c, s in sorted(growth.segment_of.items()) if s == "loyal" and c not in growth.used)
    growth.used.add(loyal)

    first = ask(growth, treated)
    assert first.cards and OFFER_TEXT in first.text
    assert coupons_held(growth, treated) == 1
    shown = exposures(growth, "winback_coupon", treated)
    assert [v for v, _, _ in shown] == ["coupon"]
    assert shown[0][1] == [int(c["id"]) for c in first.cards]        # the cards actually shown
    assert shown[0][2] in first.exposure_ids                           # and the cards name the exposure

    again = ask(growth, treated)                                        # a second visit: no second coupon
    assert again.cards and OFFER_TEXT not in again.text
    assert coupons_held(growth, treated) == 1
    assert [v for v, _, _ in exposures(growth, "winback_coupon", treated)] == ["coupon", "coupon"]

    plain = ask(growth, control)
    assert plain.cards and OFFER_TEXT not in plain.text and coupons_held(growth, control) == 0
    assert [v for v, _, _ in exposures(growth, "winback_coupon", control)] == ["control"]

    other = ask(growth, loyal)                                          # not at risk: not in the experiment
    assert other.cards and OFFER_TEXT not in other.text and coupons_held(growth, loyal) == 0
    assert exposures(growth, "winback_coupon", loyal) == []

    report = analyse(growth.engine, "winback_coupon", book=ExperimentBook(growth.experiments))
    rows = {r["variant"]: r for r in report["variants"]}
    assert (rows["coupon"]["units"], rows["coupon"]["exposures"]) == (1, 2)
    assert (rows["control"]["units"], rows["control"]["exposures"]) == (1, 1)


def test_a_shopper_with_no_history_starts_from_the_segments_best_sellers_in_the_segment_variant(growth):
    assert all(growth.segment_of[c] == "new" for c in growth.new_shoppers)
    treated = shopper(growth, "segment_cold_start", "segment", among=growth.new_shoppers)
    control = shopper(growth, "segment_cold_start", "control", among=growth.new_shoppers)

    seeded = ask(growth, treated)
    with session_scope(growth.engine) as session:
        best = segment_best_sellers(session, "new", utc_now() - timedelta(days=90), limit=200)
    assert seeded.cards and all(c["reason"] == SEGMENT_REASON for c in seeded.cards)
    assert {int(c["id"]) for c in seeded.cards} <= set(best)
    assert [(v, ids) for v, ids, _ in exposures(growth, "segment_cold_start", treated)] == [
        ("segment", [int(c["id"]) for c in seeded.cards])]

    plain = ask(growth, control)
    assert plain.cards and not any(c["reason"] == SEGMENT_REASON for c in plain.cards)
    assert [v for v, _, _ in exposures(growth, "segment_cold_start", control)] == ["control"]


def test_excluding_stopping_and_ramping_in_the_file_take_effect_on_the_next_turn(growth):
    path = growth.experiments
    excluded = shopper(growth, "winback_coupon", "coupon", "at_risk")
    change_experiment(path, "winback_coupon", "exclude", variant="coupon")
    turn = ask(growth, excluded)                   # its shoppers are re-assigned: no coupon, control
    assert turn.cards and OFFER_TEXT not in turn.text and coupons_held(growth, excluded) == 0
    assert [v for v, _, _ in exposures(growth, "winback_coupon", excluded)] == ["control"]

    change_experiment(path, "winback_coupon", "include", variant="coupon")
    change_experiment(path, "winback_coupon", "stop")
    stopped = shopper(growth, "winback_coupon", "coupon", "at_risk")
    turn = ask(growth, stopped)                    # stopped: no exposure, no offer; the other runs on
    assert turn.cards and OFFER_TEXT not in turn.text and coupons_held(growth, stopped) == 0
    assert exposures(growth, "winback_coupon", stopped) == []
    assert len(exposures(growth, "segment_cold_start", stopped)) == 1

    change_experiment(path, "winback_coupon", "start")
    change_experiment(path, "winback_coupon", "ramp", ramp=0)
    ramped_out = shopper(growth, "winback_coupon", "coupon", "at_risk")
    turn = ask(growth, ramped_out)                 # ramp 0 %: nobody new is let in
    assert turn.cards and exposures(growth, "winback_coupon", ramped_out) == []

    change_experiment(path, "winback_coupon", "ramp", ramp=100)
    back = shopper(growth, "winback_coupon", "coupon", "at_risk")
    turn = ask(growth, back)                       # and back at 100 %: the coupon variant again
    assert OFFER_TEXT in turn.text and coupons_held(growth, back) == 1
    assert [v for v, _, _ in exposures(growth, "winback_coupon", back)] == ["coupon"]
