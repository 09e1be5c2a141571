"""``python -m analytics backfill-cancels``: hand-offs the shopper cancelled while waiting
before the hand-off gate published ``handoff_cancelled`` (or before the analytics listened)
are counted as handed off; this applies a cancel event for each of them, read from the shop
database (``shop.db.handoff_desk.cancelled_tickets``), through the same ``store.ingest`` as the
live stream, so the one rule (``store._handoff_state``) moves them to ``handoff_cancelled``.

Idempotent, and never counts a cancel twice:
- a cancel's ledger key is its ticket (``store.event_key``), so a backfilled cancel and the
  gate's own event for the same ticket are one row, whichever arrives first;
- events the gate published before tickets were their key are found by number: per
  conversation, only as many cancels are added as the shop database has more than the
  ledger holds (the oldest first: those are the ones from before the event existed).
Run it after the stream is applied: the command syncs the SQL broker first (embedded); on
the scale-out, with the RabbitMQ consumer running and its queue drained.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import tzinfo
from typing import Dict, List, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from analytics import store
from analytics.events import HANDOFF_CANCELLED, handoff_cancelled_event
from analytics.settings import DEFAULT_TIMEZONE
from shop.db.handoff_desk import CancelledTicket
from shop.identity import conversation_id_for


@dataclass(frozen=True)
class BackfillResult:
    tickets: int          # cancelled tickets in the shop database
    applied: int          # cancel events added to the ledger now (the rest were in it already)
    counted: int = 0      # of those, cancels a conversation's figures took (handoffs_cancelled + 1)
    moved: int = 0        # conversations that went from handed off to cancelled with them

    @property
    def unchanged(self) -> int:
        """Cancels recorded that changed no figure: a conversation the analytics never saw,
        or one with no hand-off left to cancel."""
        return self.applied - self.counted


def _figures(connection, conversation: str):
    return connection.execute(select(store.CONVERSATIONS.c.handoffs_cancelled, store.CONVERSATIONS.c.handed_off)
                              .where(store.CONVERSATIONS.c.sender_id == conversation)).first()


def backfill_cancels(analytics: Engine, tickets: Sequence[CancelledTicket],
                     zone: tzinfo = DEFAULT_TIMEZONE) -> BackfillResult:
    by_conversation: Dict[str, List[CancelledTicket]] = defaultdict(list)
    for ticket in sorted(tickets, key=lambda t: t.cancelled_at):
        by_conversation[conversation_id_for(ticket.sender_id, ticket.customer_id)].append(ticket)
    applied = taken = moved = 0
    with analytics.begin() as connection:
        for conversation, cancelled in by_conversation.items():
            before = _figures(connection, conversation)
            events = [handoff_cancelled_event(conversation, t.ticket_no, t.cancelled_at.timestamp())
                      for t in cancelled]
            keys = [store.event_key(e) for e in events]
            in_ledger = set(connection.execute(select(store.EVENTS.c.event_key).where(
                store.EVENTS.c.event_key.in_(keys))).scalars())
            counted = connection.execute(select(func.count()).select_from(store.EVENTS).where(
                store.EVENTS.c.sender_id == conversation,
                store.EVENTS.c.event_type == HANDOFF_CANCELLED)).scalar_one()
            missing = len(cancelled) - counted
            for event, key in zip(events, keys):
                if missing <= 0:
                    break
                if key not in in_ledger and store.ingest(connection, event, zone):
                    applied += 1
                    missing -= 1
            # What the figures show, not what the ledger took: a cancel for a conversation
            # the analytics never saw is recorded (so it is never taken again) and counts nothing.
            after = _figures(connection, conversation)
            if before is not None and after is not None:
                taken += after.handoffs_cancelled - before.handoffs_cancelled
                moved += int(bool(before.handed_off) and not after.handed_off)
    return BackfillResult(tickets=len(tickets), applied=applied, counted=taken, moved=moved)
