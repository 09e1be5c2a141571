"""Recommendations under the running experiments: which variant this shopper sees, what it
changes (strategy, number of cards, an offer, cold start from the segment), and the exposure
log that the report reads. On the action server's worker thread (they read and write the
database).

Two steps, because a turn may search several times (relaxed budget, the next gift idea, the
broader category, the nearest prices) and show at most one set of cards:
``recommend_in_experiments`` picks (it may run many times, and writes nothing) and
``log_shown_cards`` — the one place that logs exposures and issues an offer — runs once for the
card set actually shown, whichever search found it. A turn that shows nothing logs nothing.
With no running experiment this is exactly the plain recommend flow.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, List, Optional, Sequence, Tuple

from growth.assignment import unit_for
from growth.experiments import Offer, Plan, experiment_book
from assistant.recommendation_requests import RecommendationRequest, popular_matches, ranked_matches
from assistant.product_picks import recommend_for, still_matches
from shop.db.catalogue import iter_product_details
from shop.db.checkout import ensure_coupon, issue_coupon
from shop.db.experiments import Shown, log_exposures
from shop.db.segments import customer_segment, segment_best_sellers
from shop.domain.clock import utc_now

logger = logging.getLogger(__name__)

# "content": similarity of the shopper's history to item descriptions only (a tie-break of
# popularity keeps a shopper with no history from getting an arbitrary order).
STRATEGY_MIX = {"hybrid": None, "content": {"content": 1.0, "pop": 0.01}}
SEGMENT_LOOKBACK = timedelta(days=90)


@dataclass
class Treatment:
    strategy: str = "hybrid"
    cards: Optional[int] = None
    offer: Optional[Offer] = None
    cold_start_from_segment: bool = False
    shown: List[Shown] = field(default_factory=list)


@dataclass(frozen=True)
class ExperimentalPicks:
    picks: List[Tuple[Any, str]]
    # False when the shopper ranked by a quality the catalogue says nothing about ("拍照好").
    ranking_known: bool = True
    # Who was picking, in which variants: what ``log_shown_cards`` records once cards are shown.
    unit: str = ""
    shown: Tuple[Shown, ...] = ()
    offer: Optional[Offer] = None


@dataclass(frozen=True)
class ShownCards:
    exposure_ids: Tuple[int, ...] = ()
    offer_text: Optional[str] = None


def treatment_for(plan: Plan, unit: str, segment: Optional[str]) -> Treatment:
    """Merge the params of every running experiment this unit takes part in (file order:
    an earlier experiment's setting wins a conflict, so two never fight over one knob)."""
    treatment, set_keys = Treatment(), set()
    for experiment in plan.experiments:
        variant = experiment.assign(unit, segment)
        if variant is None:
            continue
        treatment.shown.append(Shown(experiment.name, variant.name))
        for key, value in variant.params.items():
            if key in set_keys:
                logger.warning("experiment %s also sets %s; the earlier experiment's value stands",
                               experiment.name, key)
                continue
            set_keys.add(key)
            if key == "strategy":
                treatment.strategy = value
            elif key == "cards":
                treatment.cards = value
            elif key == "offer":
                treatment.offer = plan.offers.get(value)
            elif key == "cold_start":
                treatment.cold_start_from_segment = True
    return treatment


def _needs_segment(plan: Plan) -> bool:
    return any(e.running and (e.segments or any("cold_start" in v.params for v in e.variants))
               for e in plan.experiments)


def _segment_picks(session, segment: str, request: RecommendationRequest, limit: int, now) -> List[Tuple[Any, str]]:
    chosen = []
    best_sellers = segment_best_sellers(session, segment, now - SEGMENT_LOOKBACK, limit * 3, exclude=request.shown)
    for _, product in iter_product_details(session, best_sellers, batch=limit):
        if still_matches(product, request):
            chosen.append((product, "同类顾客都在买"))
        if len(chosen) == limit:
            break
    return chosen


def _treatment_of(session, customer_id: Optional[int], sender_id: str):
    """(unit, stored segment, merged treatment) of this shopper under the running experiments."""
    plan = experiment_book().plan()
    unit = unit_for(customer_id, sender_id)
    stored = customer_segment(session, customer_id) if customer_id is not None and _needs_segment(plan) else None
    return unit, stored, treatment_for(plan, unit, stored.segment if stored else None)


def experiment_variants(session, customer_id: Optional[int], sender_id: str) -> ExperimentalPicks:
    """The shopper's variants (and offer), picking nothing: for cards another flow found — a
    typed purchase search ("我想买耳机") — so that ``log_shown_cards`` logs them as it does a
    recommendation's: the experiments' report and the dashboard's funnel count every card
    shown (intent to treat: a unit's exposures are all its card sets, whichever flow found
    them), and the cards' buy buttons name the exposure."""
    unit, _, treatment = _treatment_of(session, customer_id, sender_id)
    return ExperimentalPicks([], True, unit, tuple(treatment.shown), treatment.offer)


def recommend_in_experiments(session, customer_id: Optional[int], sender_id: str,
                             request: RecommendationRequest, default_cards: int) -> ExperimentalPicks:
    now = utc_now()
    unit, stored, treatment = _treatment_of(session, customer_id, sender_id)
    limit = treatment.cards or default_cards

    picks: List[Tuple[Any, str]] = []
    known = True
    if request.order_by:
        # "性价比高的" / "续航好的": the shopper said how to rank; no model ranking overrides it.
        picks, known = ranked_matches(session, request, limit)
    else:
        if treatment.cold_start_from_segment and stored is not None and stored.frequency == 0:
            picks = _segment_picks(session, stored.segment, request, limit, now)
        if not picks:
            if treatment.strategy == "popularity":
                picks = popular_matches(session, request, limit)
            else:
                picks = recommend_for(session, customer_id, request, limit, mix=STRATEGY_MIX.get(treatment.strategy))
    return ExperimentalPicks(picks, known, unit, tuple(treatment.shown), treatment.offer)


def log_shown_cards(session, outcome: ExperimentalPicks, customer_id: Optional[int], sender_id: str,
                    product_ids: Sequence[int]) -> ShownCards:
    """The cards of one turn are on their way to the shopper: one exposure per experiment the
    shopper takes part in (the report's denominator), with exactly these cards, and the
    variant's offer issued. Call it once per card set shown, whichever search picked it
    (``outcome`` carries the variants); nothing when no card is shown or no experiment runs."""
    if not product_ids or not outcome.shown:
        return ShownCards()
    now = utc_now()
    exposure_ids = log_exposures(session, outcome.shown, outcome.unit, customer_id, sender_id, product_ids, now)
    offer_text = None
    if outcome.offer is not None and customer_id is not None:
        offer = outcome.offer
        coupon = ensure_coupon(session, offer.coupon_code, offer.title, offer.threshold_cents,
                               offer.discount_cents, now, offer.valid_days)
        if issue_coupon(session, customer_id, coupon, now):
            offer_text = offer.message or f"送您一张「{offer.title}」，已放入您的账户。"
    return ShownCards(tuple(exposure_ids), offer_text)
