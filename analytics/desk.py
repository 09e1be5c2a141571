"""The human desk in the analytics database: hand-off tickets and transfers copied from the
shop database (``shop.db.analytics.desk_ticket_facts`` / ``desk_transfer_facts``), so a
Metabase / Superset user with access to the analytics database only sees how many hand-offs
were transferred or reassigned, how long shoppers waited and who closed them with what result
— staff names, times and outcomes; nothing of the shopper.

Incremental and idempotent: transfers are append-only and read on by id; tickets change
(claimed, passed on, closed), so those changed since the last copy are read again — from
``OVERLAP`` before the newest change seen, as a change committed a moment late may carry an
older time — and replaced row by row. Offsets live in ``analytics_offsets``, in the same
transaction as the rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Callable, Optional

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from analytics.settings import DEFAULT_TIMEZONE
from analytics.store import DESK_CLAIMS, DESK_TICKETS, DESK_TRANSFERS, OFFSETS, SATISFACTION

TICKETS_SOURCE = "shop-desk-tickets"  # last_id: epoch seconds of the newest change copied
TRANSFERS_SOURCE = "shop-desk-transfers"  # last_id: the last transfer id copied
CLAIMS_SOURCE = "shop-desk-claims"  # last_id: the last claim id copied
SATISFACTION_SOURCE = "shop-satisfaction"  # last_id: epoch seconds of the newest question or answer copied
OVERLAP = timedelta(minutes=2)
CHUNK = 500


def _utc(value: Optional[datetime]) -> Optional[datetime]:
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value is not None else None


def _offset(connection: Connection, source: str) -> int:
    if (
        connection.execute(update(OFFSETS).where(OFFSETS.c.source == source).values(last_id=OFFSETS.c.last_id)).rowcount
        == 0
    ):
        connection.execute(OFFSETS.insert().values(source=source, last_id=0))
    return int(connection.execute(select(OFFSETS.c.last_id).where(OFFSETS.c.source == source)).scalar_one())


def sync_desk(analytics: Engine, session_factory: Callable, zone: tzinfo = DEFAULT_TIMEZONE) -> tuple[int, int]:
    """Copy the desk's changes since the last copy; returns (tickets, transfers) written
    (claims are copied too: ``sync_claims``)."""
    from shop.db.analytics import desk_ticket_facts, desk_transfer_facts

    sync_claims(analytics, session_factory, zone)
    sync_satisfaction(analytics, session_factory, zone)

    tickets = _copy_changed(analytics, session_factory, TICKETS_SOURCE, desk_ticket_facts, DESK_TICKETS.c.ticket_id,
                            lambda t: t.ticket_id, lambda t: t.updated_at, lambda t: {
                                "ticket_id": t.ticket_id,
                                "day": t.created_at.astimezone(zone).date().isoformat(),
                                "created_at": _utc(t.created_at),
                                "first_assigned_at": _utc(t.first_assigned_at),
                                "wait_s": round((t.first_assigned_at - t.created_at).total_seconds(), 1)
                                if t.first_assigned_at
                                else None,
                                "closed_at": _utc(t.closed_at),
                                "status": t.status,
                                "cancelled": t.cancelled,
                                "resolution": t.resolution,
                                "closed_by": t.closed_by,
                                "transfers": t.transfers,
                                "reassignments": t.reassignments,
                            })
    transfers = _copy_appended(analytics, session_factory, TRANSFERS_SOURCE, desk_transfer_facts, DESK_TRANSFERS,
                               lambda t: t.transfer_id, lambda t: {
                                   "transfer_id": t.transfer_id, "ticket_id": t.ticket_id, **_when(t.created_at, zone),
                                   "from_agent": t.from_agent, "to_agent": t.to_agent,
                                   "reassigned_by": t.reassigned_by})
    return tickets, transfers


def _when(moment: datetime, zone: tzinfo) -> dict:
    """A desk event's time (UTC) and shop day."""
    return {"at": _utc(moment), "day": moment.astimezone(zone).date().isoformat()}


def _copy_changed(analytics: Engine, session_factory: Callable, source: str, read: Callable, key_column,
                  key: Callable, changed: Callable, row: Callable) -> int:
    """Copy a desk table whose rows change (tickets, satisfaction questions): ``read`` (session,
    since) gives the facts changed since ``OVERLAP`` before the newest change copied (None: all),
    each replacing its row of ``key_column``'s table (``key``: the fact's id, ``row``: its row);
    the offset moves to the newest ``changed`` time, in the same transaction. Returns how many
    rows were written."""
    table = key_column.table
    with analytics.begin() as connection:
        mark = _offset(connection, source)
        since = datetime.fromtimestamp(mark, tz=timezone.utc) - OVERLAP if mark else None
        with session_factory() as session:
            facts = read(session, since)
        for start in range(0, len(facts), CHUNK):
            chunk = facts[start : start + CHUNK]
            connection.execute(table.delete().where(key_column.in_([key(f) for f in chunk])))
            connection.execute(table.insert(), [row(f) for f in chunk])
        if facts:
            newest = int(max(changed(f) for f in facts).timestamp())
            connection.execute(update(OFFSETS).where(OFFSETS.c.source == source).values(last_id=max(mark, newest)))
    return len(facts)


def _copy_appended(analytics: Engine, session_factory: Callable, source: str, read: Callable, table,
                   key: Callable, row: Callable) -> int:
    """Copy an append-only desk table (transfers, claims) on from the last id copied: ``read``
    (session, after id, chunk) gives the facts in id order, ``row`` makes each a row of
    ``table``; each chunk and its offset commit together. Returns how many rows."""
    copied = 0
    while True:
        with analytics.begin() as connection:
            after = _offset(connection, source)
            with session_factory() as session:
                facts = read(session, after, CHUNK)
            if not facts:
                return copied
            connection.execute(table.insert(), [row(f) for f in facts])
            connection.execute(update(OFFSETS).where(OFFSETS.c.source == source).values(last_id=key(facts[-1])))
            copied += len(facts)


def sync_claims(analytics: Engine, session_factory: Callable, zone: tzinfo = DEFAULT_TIMEZONE) -> int:
    """Copy the claims from the queue made since the last copy (append-only, read on by id as
    transfers are): who took which ticket when, and how long it had queued. Returns how many."""
    from shop.db.analytics import desk_claim_facts

    return _copy_appended(analytics, session_factory, CLAIMS_SOURCE, desk_claim_facts, DESK_CLAIMS,
                          lambda c: c.claim_id, lambda c: {
                              "claim_id": c.claim_id, "ticket_id": c.ticket_id, **_when(c.claimed_at, zone),
                              "agent": c.agent, "wait_s": c.wait_s})


def sync_satisfaction(analytics: Engine, session_factory: Callable, zone: tzinfo = DEFAULT_TIMEZONE) -> int:
    """Copy the satisfaction questions asked or answered since the last copy (from ``OVERLAP``
    before the newest seen, as tickets are: a question changes once, when answered), replacing
    them row by row; returns how many were written."""
    from shop.db.satisfaction import satisfaction_facts

    return _copy_changed(analytics, session_factory, SATISFACTION_SOURCE, satisfaction_facts, SATISFACTION.c.survey_id,
                         lambda f: f.survey_id, lambda f: f.changed_at, lambda f: {
                             "survey_id": f.survey_id, "day": f.asked_at.astimezone(zone).date().isoformat(),
                             "asked_at": _utc(f.asked_at), "answered_at": _utc(f.answered_at), "subject": f.subject,
                             "agent": f.agent, "status": f.status, "score": f.score})
