"""SQL on Rasa's SQL tracker store (its ``events`` table), for the patched store of
``shop_channels.rasa_speedups``: the turn's read and write in SQLAlchemy Core.

Rasa 3.6 reads a conversation with an ORM query built anew on every turn and loads one ORM
object per row; it writes one ORM object per event through the unit of work. Both cost more
than the database work itself (bench/TURN_COST.md, round 4). Here the read is the same SQL as
Rasa's ``SQLTrackerStore._event_query`` (latest session, ordered by id) built once with bound
parameters, returning plain rows; the write is one INSERT with every row as parameters.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from sqlalchemy import Table, bindparam, func, or_, select

SESSION_STARTED = "session_started"   # rasa.shared.core.events.SessionStarted.type_name
_latest_session_queries: Dict[Table, object] = {}


def _latest_session_query(events: Table):
    """Rasa's ``_event_query(session, sender, fetch_events_from_all_sessions=False)``: the
    events at or after the latest ``session_started`` (all of them when there is none), by
    id; the same FROM and WHERE (so the same plan), only the columns the store needs."""
    query = _latest_session_queries.get(events)
    if query is None:
        start = (select(func.max(events.c.timestamp).label("session_start"))
                 .where(events.c.sender_id == bindparam("sender"), events.c.type_name == SESSION_STARTED)
                 .subquery())
        query = _latest_session_queries[events] = (
            select(events.c.data)
            .where(events.c.sender_id == bindparam("sender"),
                   or_(events.c.timestamp >= start.c.session_start, start.c.session_start.is_(None)))
            .order_by(events.c.id))
    return query


def latest_session_data(session, events: Table, sender_id: str) -> List[str]:
    """The ``data`` column (the event's JSON) of the conversation's latest session, in order."""
    return session.execute(_latest_session_query(events), {"sender": sender_id}).scalars().all()


def insert_events(session, events: Table, rows: Sequence[dict]) -> None:
    """Append rows (column name -> value) to the events table in one executemany INSERT."""
    if rows:
        session.execute(events.insert(), list(rows))


_latest_id_queries: Dict[Table, object] = {}


def latest_event_id(session, events: Table, sender_id: str) -> Optional[int]:
    """The id of the conversation's last stored event (None when it has none): it changes
    whenever anything writes to or deletes from the conversation, so a copy of the
    conversation kept in memory is current exactly while this is unchanged."""
    query = _latest_id_queries.get(events)
    if query is None:
        query = _latest_id_queries[events] = (
            select(events.c.id).where(events.c.sender_id == bindparam("sender"))
            .order_by(events.c.id.desc()).limit(1))
    return session.execute(query, {"sender": sender_id}).scalar()
