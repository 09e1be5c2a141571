"""Experiment bookkeeping: exposures shown, card clicks, and the outcomes the report joins.

Units are strings (``c:<customer>`` / ``s:<conversation>``, see ``growth.assignment``). A
unit's variant in the report is the one of its *first* exposure (intent to treat), so a
later exclusion or re-weighting cannot move a unit's past outcomes between variants.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional, Sequence

from sqlalchemy import exc, func, insert, select
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import ExperimentExposure, Order, OrderAttribution, OrderItem, RecommendationClick
from shop.db.validation import customer_id_arg, text_arg
from shop.domain.clock import require_aware

# Pre-experiment spend (the CUPED covariate) is read over this window before the first exposure.
PRE_PERIOD = timedelta(days=90)
EXPOSURES = ExperimentExposure.__table__


@dataclass(frozen=True)
class Shown:
    experiment: str
    variant: str


def log_exposures(session: Session, shown: Sequence[Shown], unit: str, customer_id: Optional[int],
                  sender_id: str, product_ids: Iterable[int], now: datetime) -> list[int]:
    """Record that each (experiment, variant) was shown to ``unit`` with these cards; returns
    the exposure ids in the same order (one INSERT per exposure, no read)."""
    now = require_aware(now)
    if customer_id is not None:
        customer_id_arg(customer_id)
    sender = text_arg(sender_id, "sender_id", 255)
    unit = text_arg(unit, "unit", 300)
    ids = [int(p) for p in product_ids]
    out = []
    for item in shown:
        result = session.execute(insert(EXPOSURES).values(
            experiment=item.experiment, variant=item.variant, unit=unit, customer_id=customer_id,
            sender_id=sender, product_ids=ids, shown_at=now))
        out.append(int(result.inserted_primary_key[0]))
    return out


def record_click(session: Session, customer_id: Optional[int], exposure_id: int, product_id: int,
                 now: datetime) -> bool:
    """A card button pressed on an exposure. Recorded only when the exposure showed that
    product and belongs to this shopper (or a guest), and only once per exposure and product
    (a unique index, migration 0016): pressing again, or a script posting the same click in a
    loop, neither inflates the experiment's clicks per exposure nor grows the table. False
    (nothing written) otherwise."""
    now = require_aware(now)
    if isinstance(exposure_id, bool) or not isinstance(exposure_id, int) or isinstance(product_id, bool) \
            or not isinstance(product_id, int):
        raise InvalidRequest("exposure_id and product_id must be integers")
    exposure = session.get(ExperimentExposure, exposure_id)
    if exposure is None or product_id not in (exposure.product_ids or []) \
            or exposure.customer_id not in (None, customer_id):
        return False
    already = session.execute(
        select(RecommendationClick.id).where(RecommendationClick.exposure_id == exposure_id,
                                             RecommendationClick.product_id == product_id).limit(1)
    ).first()
    if already is not None:
        return False
    try:
        with session.begin_nested():      # a concurrent press of the same card: one row
            session.add(RecommendationClick(exposure_id=exposure_id, customer_id=customer_id, product_id=product_id,
                                            clicked_at=now))
            session.flush()
    except exc.IntegrityError:
        return False
    return True


@dataclass
class UnitOutcome:
    """One unit's exposures and what followed, for the report."""

    unit: str
    variant: str
    customer_id: Optional[int]
    first_shown_at: datetime
    exposures: int = 0
    cards: int = 0
    clicks: int = 0
    orders: int = 0              # paid orders within the attribution window
    gmv_cents: int = 0           # their payable amount
    attributed_orders: int = 0   # orders with an item bought from this experiment's cards
    pre_spend_cents: int = 0     # paid in PRE_PERIOD before the first exposure (CUPED)


def unit_outcomes(session: Session, experiment: str, window: timedelta) -> list[UnitOutcome]:
    """Every unit exposed in ``experiment`` with its clicks, orders and GMV within ``window``
    after its first exposure, and its spend in the PRE_PERIOD before it."""
    units: dict[str, UnitOutcome] = {}
    rows = session.execute(
        select(EXPOSURES.c.unit, EXPOSURES.c.variant, EXPOSURES.c.customer_id, EXPOSURES.c.shown_at,
               EXPOSURES.c.product_ids)
        .where(EXPOSURES.c.experiment == experiment).order_by(EXPOSURES.c.shown_at, EXPOSURES.c.id))
    for unit, variant, customer_id, shown_at, product_ids in rows:
        outcome = units.get(unit)
        if outcome is None:
            outcome = units[unit] = UnitOutcome(unit, variant, customer_id, shown_at)
        outcome.exposures += 1
        outcome.cards += len(product_ids or [])
    if not units:
        return []

    in_experiment = EXPOSURES.c.experiment == experiment
    for unit, clicks in session.execute(
            select(EXPOSURES.c.unit, func.count(RecommendationClick.id))
            .join(RecommendationClick, RecommendationClick.exposure_id == EXPOSURES.c.id)
            .where(in_experiment).group_by(EXPOSURES.c.unit)):
        units[unit].clicks = int(clicks)
    for unit, orders in session.execute(
            select(EXPOSURES.c.unit, func.count(func.distinct(OrderAttribution.order_id)))
            .join(OrderAttribution, OrderAttribution.exposure_id == EXPOSURES.c.id)
            .where(in_experiment).group_by(EXPOSURES.c.unit)):
        units[unit].attributed_orders = int(orders)

    by_customer = {o.customer_id: o for o in units.values() if o.customer_id is not None}
    customers = select(EXPOSURES.c.customer_id).where(in_experiment, EXPOSURES.c.customer_id.isnot(None)).distinct()
    paid = session.execute(
        select(Order.customer_id, Order.paid_at, Order.payable_cents)
        .where(Order.customer_id.in_(customers), Order.paid_at.isnot(None)))
    for customer_id, paid_at, payable in paid:
        outcome = by_customer.get(customer_id)
        if outcome is None:
            continue
        start = outcome.first_shown_at
        if start <= paid_at <= start + window:
            outcome.orders += 1
            outcome.gmv_cents += int(payable)
        elif start - PRE_PERIOD <= paid_at < start:
            outcome.pre_spend_cents += int(payable)
    return list(units.values())


def experiment_names(session: Session) -> list[str]:
    return list(session.execute(select(EXPOSURES.c.experiment).distinct().order_by(EXPOSURES.c.experiment))
                .scalars())


def attributed_sales(session: Session, experiment: str, start: datetime, end: datetime) -> list[tuple]:
    """(variant, paid_at, subtotal cents) of every order item bought from a card this
    experiment showed, in orders paid in [start, end): what the assistant sold under each
    variant (the experiment page's sales per day). An item counts once per experiment: its
    attribution to this experiment's exposure (``order_attributions`` holds one per experiment)."""
    start, end = require_aware(start), require_aware(end)
    name = text_arg(experiment, "experiment", 100)
    rows = session.execute(
        select(EXPOSURES.c.variant, Order.paid_at, OrderItem.subtotal_cents)
        .select_from(OrderAttribution)
        .join(EXPOSURES, EXPOSURES.c.id == OrderAttribution.exposure_id)
        .join(OrderItem, OrderItem.id == OrderAttribution.order_item_id)
        .join(Order, Order.id == OrderAttribution.order_id)
        .where(EXPOSURES.c.experiment == name, Order.paid_at.isnot(None),
               Order.paid_at >= start, Order.paid_at < end)
        .order_by(Order.paid_at, OrderItem.id)).all()
    return [(variant, paid_at, int(cents)) for variant, paid_at, cents in rows]
