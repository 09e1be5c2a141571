"""Shop-side figures for the operator dashboard: the recommendation funnel, after-sales and
how the human desk ended its conversations. (Hand-offs, cancelled ones included, come from
the analytics tables: ``analytics.store``.)

Periods are half-open [start, end) in aware datetimes. Exposures are logged once per
experiment a display belongs to, so a display is counted once by (conversation, time), a
click once by (product, time) and an ordered item once, whatever the number of experiments.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Optional
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from shop.db.models import (AfterSalesRequest, ConsoleUser, ExperimentExposure, HandoffClaim, HandoffMessage,
                            HandoffRequest, HandoffTransfer, Order, OrderAttribution, OrderItem, Product, RecommendationClick)
from shop.domain.after_sales import REASON_LABELS, SERVICE_TYPE_LABELS, AfterSalesReason, ServiceType
from shop.domain.clock import require_aware
from shop.domain.handoff_resolutions import RESOLVED, RESOLUTIONS

EXPOSURES = ExperimentExposure.__table__


@dataclass(frozen=True)
class Funnel:
    displays: int        # times cards were shown
    cards_shown: int     # cards in those displays
    clicks: int          # 我要买 presses on a shown card
    ordered_items: int   # order items attributed to a shown card (paid orders)
    orders: int          # paid orders with at least one such item
    gmv_cents: int       # what those items sold for


def recommendation_funnel(session: Session, start: datetime, end: datetime) -> Funnel:
    start, end = require_aware(start), require_aware(end)
    shown = and_(EXPOSURES.c.shown_at >= start, EXPOSURES.c.shown_at < end)
    displays = session.execute(
        select(EXPOSURES.c.sender_id, EXPOSURES.c.shown_at, func.min(EXPOSURES.c.id))
        .where(shown).group_by(EXPOSURES.c.sender_id, EXPOSURES.c.shown_at)).all()
    cards = 0
    if displays:
        first_ids = [row[2] for row in displays]
        for chunk in range(0, len(first_ids), 500):
            for (product_ids,) in session.execute(
                    select(EXPOSURES.c.product_ids).where(EXPOSURES.c.id.in_(first_ids[chunk:chunk + 500]))):
                cards += len(product_ids or [])
    clicks = session.execute(
        select(func.count()).select_from(
            select(EXPOSURES.c.sender_id, RecommendationClick.product_id, RecommendationClick.clicked_at)
            .join(RecommendationClick, RecommendationClick.exposure_id == EXPOSURES.c.id)
            .where(shown).distinct().subquery())).scalar_one()
    items = (select(OrderItem.id.label("item_id"), OrderItem.order_id, OrderItem.subtotal_cents)
             .join(OrderAttribution, OrderAttribution.order_item_id == OrderItem.id)
             .join(EXPOSURES, EXPOSURES.c.id == OrderAttribution.exposure_id)
             .join(Order, Order.id == OrderItem.order_id)
             .where(shown, Order.paid_at.isnot(None)).distinct().subquery())
    ordered, orders, gmv = session.execute(
        select(func.count(items.c.item_id), func.count(func.distinct(items.c.order_id)),
               func.coalesce(func.sum(items.c.subtotal_cents), 0))).one()
    return Funnel(len(displays), cards, int(clicks), int(ordered), int(orders), int(gmv))


def sales_by_variant(session: Session, start: datetime, end: datetime) -> list[dict]:
    """The funnel of ``recommendation_funnel`` split by experiment and variant (a variant is
    what changed the cards: ``rec_strategy``'s are the recommendation strategies): displays
    of the variant's cards in the period, clicks on them, the paid order items attributed to
    them, their orders and GMV. Within one experiment an item counts once (its attribution to
    that experiment's exposure); across experiments the same sale appears under each, so
    experiments are not to be added up. By experiment, most GMV first."""
    start, end = require_aware(start), require_aware(end)
    shown = and_(EXPOSURES.c.shown_at >= start, EXPOSURES.c.shown_at < end)
    arm = (EXPOSURES.c.experiment, EXPOSURES.c.variant)
    figures: dict = {}

    def of(key) -> dict:
        return figures.setdefault(tuple(key), {"displays": 0, "clicks": 0, "ordered_items": 0, "orders": 0,
                                               "gmv_cents": 0})
    for experiment, variant, n in session.execute(select(*arm, func.count()).where(shown).group_by(*arm)):
        of((experiment, variant))["displays"] = int(n)
    clicked = (select(*arm, RecommendationClick.product_id, RecommendationClick.clicked_at)
               .join(RecommendationClick, RecommendationClick.exposure_id == EXPOSURES.c.id)
               .where(shown).distinct().subquery())
    for experiment, variant, n in session.execute(
            select(clicked.c.experiment, clicked.c.variant, func.count())
            .group_by(clicked.c.experiment, clicked.c.variant)):
        of((experiment, variant))["clicks"] = int(n)
    items = (select(*arm, OrderItem.id.label("item_id"), OrderItem.order_id, OrderItem.subtotal_cents)
             .join(OrderAttribution, OrderAttribution.order_item_id == OrderItem.id)
             .join(EXPOSURES, EXPOSURES.c.id == OrderAttribution.exposure_id)
             .join(Order, Order.id == OrderItem.order_id)
             .where(shown, Order.paid_at.isnot(None)).distinct().subquery())
    for experiment, variant, n, orders, gmv in session.execute(
            select(items.c.experiment, items.c.variant, func.count(items.c.item_id),
                   func.count(func.distinct(items.c.order_id)), func.coalesce(func.sum(items.c.subtotal_cents), 0))
            .group_by(items.c.experiment, items.c.variant)):
        of((experiment, variant)).update(ordered_items=int(n), orders=int(orders), gmv_cents=int(gmv))
    rows = [{"experiment": experiment, "variant": variant, **f} for (experiment, variant), f in figures.items()]
    return sorted(rows, key=lambda r: (r["experiment"], -r["gmv_cents"], r["variant"]))


def after_sales_by_reason(session: Session, start: datetime, end: datetime) -> list[dict]:
    """Requests filed in the period by service type and reason, most frequent first."""
    start, end = require_aware(start), require_aware(end)
    rows = session.execute(
        select(AfterSalesRequest.service_type, AfterSalesRequest.reason_code, func.count())
        .where(AfterSalesRequest.created_at >= start, AfterSalesRequest.created_at < end)
        .group_by(AfterSalesRequest.service_type, AfterSalesRequest.reason_code)
        .order_by(func.count().desc(), AfterSalesRequest.service_type, AfterSalesRequest.reason_code))
    return [{"service_type": kind, "service_type_label": _label(SERVICE_TYPE_LABELS, ServiceType, kind),
             "reason": reason, "reason_label": _label(REASON_LABELS, AfterSalesReason, reason),
             "requests": int(count)} for kind, reason, count in rows]


def return_rate_by_product(session: Session, start: datetime, end: datetime, limit: int = 20) -> list[dict]:
    """Per product: units sold in paid orders placed in the period, units asked back in a
    return (退货退款) on those orders, and the share; the products with most returns first."""
    start, end = require_aware(start), require_aware(end)
    sold = (select(OrderItem.product_id, func.sum(OrderItem.quantity).label("units"))
            .join(Order, Order.id == OrderItem.order_id)
            .where(Order.created_at >= start, Order.created_at < end, Order.paid_at.isnot(None))
            .group_by(OrderItem.product_id).subquery())
    returned = (select(OrderItem.product_id, func.sum(AfterSalesRequest.quantity).label("units"))
                .join(OrderItem, OrderItem.id == AfterSalesRequest.order_item_id)
                .join(Order, Order.id == OrderItem.order_id)
                .where(Order.created_at >= start, Order.created_at < end, Order.paid_at.isnot(None),
                       AfterSalesRequest.service_type == ServiceType.RETURN.value)
                .group_by(OrderItem.product_id).subquery())
    rows = session.execute(
        select(Product.id, Product.title, sold.c.units, returned.c.units)
        .join(sold, sold.c.product_id == Product.id).join(returned, returned.c.product_id == Product.id)
        .order_by(returned.c.units.desc(), Product.id).limit(limit))
    return [{"product_id": pid, "title": title, "units_sold": int(units), "units_returned": int(back),
             "return_rate": round(int(back) / int(units), 4) if units else None}
            for pid, title, units, back in rows]


def desk_resolutions(session: Session, start: datetime, end: datetime) -> list[dict]:
    """Tickets agents closed in the period, by how they ended (every resolution listed, in the
    form's order), then those closed without one (before migration 0012) as ``None``. Tickets
    the shopper cancelled are not the desk's work and are left out."""
    start, end = require_aware(start), require_aware(end)
    counts = dict(session.execute(
        select(HandoffRequest.resolution, func.count())
        .where(HandoffRequest.status == "closed", HandoffRequest.cancelled_at.is_(None),
               HandoffRequest.closed_at >= start, HandoffRequest.closed_at < end)
        .group_by(HandoffRequest.resolution)).all())
    rows = [{"resolution": code, "label": label, "tickets": int(counts.pop(code, 0))}
            for code, label in RESOLUTIONS.items()]
    unknown = sum(int(n) for n in counts.values())
    if unknown:
        rows.append({"resolution": None, "label": "未记录", "tickets": unknown})
    return rows


@dataclass(frozen=True)
class DeskTransfers:
    transfers: int                # transfers made in the period (handoff_transfers.created_at)
    to_agent: int                 # of those, to a colleague on duty
    to_queue: int                 # of those, back to the queue
    closed: int                   # tickets the desk closed in the period (as desk_resolutions)
    closed_transfers: int         # transfers those tickets had, whenever made
    by_count: dict                # tickets closed in the period by transfers they had: {0: n, 1: n, ...}


def desk_transfers(session: Session, start: datetime, end: datetime) -> DeskTransfers:
    """How often agents passed conversations on: the transfers made in the period, and for the
    tickets the desk closed in the period (the population of ``desk_resolutions``: cancelled
    ones are the shopper's) how many transfers each had — transfers per ticket."""
    start, end = require_aware(start), require_aware(end)
    made = dict(session.execute(
        select(HandoffTransfer.to_agent_id.is_(None), func.count())
        .where(HandoffTransfer.created_at >= start, HandoffTransfer.created_at < end)
        .group_by(HandoffTransfer.to_agent_id.is_(None))).all())
    per_ticket = (select(HandoffRequest.id, func.count(HandoffTransfer.id).label("transfers"))
                  .outerjoin(HandoffTransfer, HandoffTransfer.ticket_id == HandoffRequest.id)
                  .where(HandoffRequest.status == "closed", HandoffRequest.cancelled_at.is_(None),
                         HandoffRequest.closed_at >= start, HandoffRequest.closed_at < end)
                  .group_by(HandoffRequest.id).subquery())
    by_count = {int(n): int(tickets) for n, tickets in session.execute(
        select(per_ticket.c.transfers, func.count()).group_by(per_ticket.c.transfers)
        .order_by(per_ticket.c.transfers)).all()}
    to_queue, to_agent = int(made.get(True, 0)), int(made.get(False, 0))
    return DeskTransfers(to_agent + to_queue, to_agent, to_queue, sum(by_count.values()),
                         sum(n * tickets for n, tickets in by_count.items()), by_count)


@dataclass(frozen=True)
class DeskWaits:
    taken_waits_s: list          # per ticket first taken by an agent in the period: seconds it waited
    cancelled_waits_s: list      # per ticket the shopper cancelled in the period: seconds waited first


def desk_waits(session: Session, start: datetime, end: datetime) -> DeskWaits:
    """How long shoppers waited for a person: from the hand-off to the first agent's claim
    (``first_assigned_at``, migration 0014; a transfer does not restart it), for tickets first
    taken in the period; and how long those who gave up first ("取消人工") had waited."""
    start, end = require_aware(start), require_aware(end)
    taken = session.execute(select(HandoffRequest.created_at, HandoffRequest.first_assigned_at).where(
        HandoffRequest.first_assigned_at >= start, HandoffRequest.first_assigned_at < end)).all()
    cancelled = session.execute(select(HandoffRequest.created_at, HandoffRequest.cancelled_at).where(
        HandoffRequest.cancelled_at >= start, HandoffRequest.cancelled_at < end)).all()
    return DeskWaits([max(0.0, (b - a).total_seconds()) for a, b in taken],
                     [max(0.0, (b - a).total_seconds()) for a, b in cancelled])


def desk_agents(session: Session, start: datetime, end: datetime) -> list[dict]:
    """Per console account that did desk work in the period: tickets taken from the queue
    (``handoff_claims``, migration 0017) and the median time those had waited there for it
    (claims of unknown queue time left out), tickets closed (``closed_by``, cancels excluded,
    as ``desk_resolutions``) and of them resolved, replies sent and the tickets replied to,
    transfers made, received, and taken away by an admin's reassignment
    (``handoff_transfers.by_agent_id``); by name. Accounts with nothing in the period are left out."""
    start, end = require_aware(start), require_aware(end)
    closed = session.execute(
        select(HandoffRequest.closed_by, func.count(),
               func.sum(case((HandoffRequest.resolution == RESOLVED, 1), else_=0)),
               func.sum(case((HandoffRequest.resolution.isnot(None), 1), else_=0)))
        .where(HandoffRequest.status == "closed", HandoffRequest.cancelled_at.is_(None),
               HandoffRequest.closed_by.isnot(None),
               HandoffRequest.closed_at >= start, HandoffRequest.closed_at < end)
        .group_by(HandoffRequest.closed_by)).all()
    replies = session.execute(
        select(HandoffMessage.agent_id, func.count(), func.count(func.distinct(HandoffMessage.ticket_id)))
        .where(HandoffMessage.author == "agent", HandoffMessage.agent_id.isnot(None),
               HandoffMessage.created_at >= start, HandoffMessage.created_at < end)
        .group_by(HandoffMessage.agent_id)).all()
    in_period = and_(HandoffTransfer.created_at >= start, HandoffTransfer.created_at < end)
    passed = session.execute(
        select(HandoffTransfer.from_agent_id, HandoffTransfer.by_agent_id.is_(None), func.count())
        .where(in_period).group_by(HandoffTransfer.from_agent_id, HandoffTransfer.by_agent_id.is_(None))).all()
    received = dict(session.execute(
        select(HandoffTransfer.to_agent_id, func.count())
        .where(in_period, HandoffTransfer.to_agent_id.isnot(None)).group_by(HandoffTransfer.to_agent_id)).all())
    claims = session.execute(select(HandoffClaim.agent_id, HandoffClaim.claimed_at, HandoffClaim.queued_at).where(
        HandoffClaim.claimed_at >= start, HandoffClaim.claimed_at < end)).all()
    figures: dict = {}

    def of(agent_id: int) -> dict:
        return figures.setdefault(int(agent_id), {"claimed": 0, "claim_wait_p50_s": None, "closed": 0, "resolved": 0,
                                                  "closed_with_resolution": 0, "replies": 0, "tickets_replied": 0,
                                                  "transferred": 0, "received": 0, "reassigned_away": 0})
    claim_waits: dict = {}
    for agent_id, claimed_at, queued_at in claims:
        of(agent_id)["claimed"] += 1
        if queued_at is not None:
            claim_waits.setdefault(int(agent_id), []).append(max(0.0, (claimed_at - queued_at).total_seconds()))
    for agent_id, waits in claim_waits.items():
        of(agent_id)["claim_wait_p50_s"] = round(median(waits), 1)
    for agent_id, n, solved, with_reason in closed:
        of(agent_id).update(closed=int(n), resolved=int(solved or 0), closed_with_resolution=int(with_reason or 0))
    for agent_id, n, tickets in replies:
        of(agent_id).update(replies=int(n), tickets_replied=int(tickets))
    for agent_id, by_holder, n in passed:
        of(agent_id)["transferred" if by_holder else "reassigned_away"] += int(n)
    for agent_id, n in received.items():
        of(agent_id)["received"] = int(n)
    if not figures:
        return []
    names = dict(session.execute(select(ConsoleUser.id, ConsoleUser.display_name)
                                 .where(ConsoleUser.id.in_(list(figures)))).all())
    rows = [{"agent_id": agent_id, "name": names.get(agent_id, f"#{agent_id}"), **f,
             "resolution_rate": round(f["resolved"] / f["closed_with_resolution"], 4)
             if f["closed_with_resolution"] else None} for agent_id, f in figures.items()]
    return sorted(rows, key=lambda r: (-r["closed"], -r["claimed"], -r["replies"], r["name"], r["agent_id"]))


@dataclass(frozen=True)
class DeskTicketFact:
    """One hand-off ticket as the analytics database keeps it for Metabase: times, outcome and
    the desk's names only — nothing of the shopper (no conversation id, customer, summary)."""
    ticket_id: int
    created_at: datetime
    updated_at: datetime
    first_assigned_at: Optional[datetime]
    closed_at: Optional[datetime]
    status: str
    cancelled: bool
    resolution: Optional[str]
    closed_by: Optional[str]       # the account's name
    transfers: int
    reassignments: int             # of those, made by an admin (改派)


def desk_ticket_facts(session: Session, updated_since: Optional[datetime]) -> list[DeskTicketFact]:
    """Tickets changed since ``updated_since`` (every one when None), oldest change first: a
    claim, transfer, hand-back, close or cancel sets ``updated_at``."""
    closer = ConsoleUser.__table__.alias("closer")
    moves = (select(HandoffTransfer.ticket_id, func.count(HandoffTransfer.id).label("transfers"),
                    func.count(HandoffTransfer.by_agent_id).label("reassignments"))
             .group_by(HandoffTransfer.ticket_id).subquery())
    query = (select(HandoffRequest, closer.c.display_name, moves.c.transfers, moves.c.reassignments)
             .outerjoin(closer, closer.c.id == HandoffRequest.closed_by)
             .outerjoin(moves, moves.c.ticket_id == HandoffRequest.id)
             .order_by(HandoffRequest.updated_at, HandoffRequest.id))
    if updated_since is not None:
        query = query.where(HandoffRequest.updated_at >= require_aware(updated_since))
    return [DeskTicketFact(t.id, t.created_at, t.updated_at, t.first_assigned_at, t.closed_at, t.status,
                           t.cancelled_at is not None, t.resolution, name, int(n or 0), int(by or 0))
            for t, name, n, by in session.execute(query).all()]


@dataclass(frozen=True)
class DeskTransferFact:
    """One transfer for the analytics database: who to whom, and the admin if one reassigned
    it; never the note (the desk's words about a shopper)."""
    transfer_id: int
    ticket_id: int
    created_at: datetime
    from_agent: Optional[str]
    to_agent: Optional[str]        # None: back to the queue
    reassigned_by: Optional[str]


def desk_transfer_facts(session: Session, after_id: int, limit: int = 1000) -> list[DeskTransferFact]:
    """Transfers after ``after_id``, by id (append-only: the analytics sync reads on from there)."""
    giver, taker, admin = (ConsoleUser.__table__.alias(n) for n in ("giver", "taker", "reassigner"))
    rows = session.execute(
        select(HandoffTransfer.id, HandoffTransfer.ticket_id, HandoffTransfer.created_at, giver.c.display_name,
               taker.c.display_name, admin.c.display_name)
        .outerjoin(giver, giver.c.id == HandoffTransfer.from_agent_id)
        .outerjoin(taker, taker.c.id == HandoffTransfer.to_agent_id)
        .outerjoin(admin, admin.c.id == HandoffTransfer.by_agent_id)
        .where(HandoffTransfer.id > int(after_id)).order_by(HandoffTransfer.id).limit(limit)).all()
    return [DeskTransferFact(*row) for row in rows]


@dataclass(frozen=True)
class DeskClaimFact:
    """One claim from the queue for the analytics database: who, when, how long it had queued."""
    claim_id: int
    ticket_id: int
    claimed_at: datetime
    agent: Optional[str]
    wait_s: Optional[float]        # None: a claim from before migration 0017, queue time unknown


def desk_claim_facts(session: Session, after_id: int, limit: int = 1000) -> list[DeskClaimFact]:
    """Claims after ``after_id``, by id (append-only, as transfers)."""
    rows = session.execute(
        select(HandoffClaim.id, HandoffClaim.ticket_id, HandoffClaim.claimed_at, ConsoleUser.display_name,
               HandoffClaim.queued_at)
        .outerjoin(ConsoleUser, ConsoleUser.id == HandoffClaim.agent_id)
        .where(HandoffClaim.id > int(after_id)).order_by(HandoffClaim.id).limit(limit)).all()
    return [DeskClaimFact(i, ticket, at, name, round(max(0.0, (at - queued).total_seconds()), 1) if queued else None)
            for i, ticket, at, name, queued in rows]


def _label(labels, enum, value: str) -> str:
    try:
        return labels[enum(value)]
    except (ValueError, KeyError):
        return value
