"""Hand-off to a human agent: the ticket the assistant opens when it cannot help."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import exc, select
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import HandoffRequest
from shop.db.records import HandoffTicket
from shop.db.validation import customer_id_arg, text_arg
from shop.domain.clock import require_aware
from shop.domain.numbers import handoff_number, is_order_number

MAX_SUMMARY = 4000
NUMBER_ATTEMPTS = 5
HANDOFF_STATUSES = ("open", "assigned", "closed")


def _ticket(row: HandoffRequest) -> HandoffTicket:
    return HandoffTicket(id=row.id, ticket_no=row.ticket_no, sender_id=row.sender_id, customer_id=row.customer_id,
                         channel=row.channel, reason=row.reason, summary=row.summary, order_no=row.order_no,
                         status=row.status, created_at=row.created_at)


def create_handoff_request(session: Session, sender_id: str, customer_id: Optional[int], summary: str,
                           now: datetime, channel: Optional[str] = None, reason: Optional[str] = None,
                           order_no: Optional[str] = None) -> HandoffTicket:
    """Queue the conversation for a human agent and return the ticket (with its 工单号).

    ``customer_id`` is None for shoppers who are not signed in. ``order_no`` is kept only if
    it is well-formed; agents' tools must still check it belongs to the customer.
    """
    require_aware(now)
    sender = text_arg(sender_id, "sender_id", 255)
    text = text_arg(summary, "summary", MAX_SUMMARY)
    if customer_id is not None:
        customer_id = customer_id_arg(customer_id)
    order = text_arg(order_no, "order_no", 20, required=False)
    if order is not None and not is_order_number(order):
        raise InvalidRequest(f"order_no {order_no!r} is not an order number")
    row = HandoffRequest(sender_id=sender, customer_id=customer_id, summary=text, order_no=order,
                         channel=text_arg(channel, "channel", 32, required=False),
                         reason=text_arg(reason, "reason", 32, required=False),
                         status="open", created_at=now, updated_at=now)
    for attempt in range(NUMBER_ATTEMPTS):
        row.ticket_no = handoff_number(now)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            break
        except exc.IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    return _ticket(row)


def open_handoff_for_sender(session: Session, sender_id: str,
                            customer_id: Optional[int]) -> Optional[HandoffTicket]:
    """The conversation's newest ticket that is not closed (to avoid opening a second one),
    found by conversation *and* shopper: a ticket a customer opened is never shown to a
    guest or another customer who sends the same conversation id, and the reverse."""
    sender = text_arg(sender_id, "sender_id", 255)
    if customer_id is None:
        owner = HandoffRequest.customer_id.is_(None)
    else:
        owner = HandoffRequest.customer_id == customer_id_arg(customer_id)
    row = session.execute(
        select(HandoffRequest).where(HandoffRequest.sender_id == sender, owner, HandoffRequest.status != "closed")
        .order_by(HandoffRequest.created_at.desc(), HandoffRequest.id.desc()).limit(1)
    ).scalar_one_or_none()
    return _ticket(row) if row else None


def handoff_queue(session: Session, limit: int = 50) -> list[HandoffTicket]:
    """Open tickets, oldest first: the agents' work queue."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 500:
        raise InvalidRequest(f"limit must be an integer between 1 and 500, got {limit!r}")
    rows = session.execute(
        select(HandoffRequest).where(HandoffRequest.status == "open")
        .order_by(HandoffRequest.created_at, HandoffRequest.id).limit(limit)
    ).scalars().all()
    return [_ticket(r) for r in rows]
