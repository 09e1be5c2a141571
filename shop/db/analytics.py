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
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from shop.db.models import (AfterSalesRequest, ExperimentExposure, HandoffRequest, HandoffTransfer, Order,
                            OrderAttribution, OrderItem, Product, RecommendationClick)
from shop.domain.after_sales import REASON_LABELS, SERVICE_TYPE_LABELS, AfterSalesReason, ServiceType
from shop.domain.clock import require_aware
from shop.domain.handoff_resolutions import RESOLUTIONS

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


def _label(labels, enum, value: str) -> str:
    try:
        return labels[enum(value)]
    except (ValueError, KeyError):
        return value
