"""The analytics tables and the one function that applies a Rasa event to them, exactly once.

Tables (documented for Metabase / Superset in the README, "Analytics"):

- ``analytics_events``  — ledger: one row per event ever applied (key, conversation, type,
  time). Its primary key makes ingestion idempotent: an event already here is skipped.
- ``analytics_turns``   — one row per shopper message: text, intent, confidence, the first
  action that answered, outcome flags and the response latency.
- ``analytics_conversations`` — one row per conversation (Rasa sender id): day it started,
  turns, how many times the assistant handed it to the desk and how many of those tickets the
  shopper cancelled while waiting, whether it was handed off / only cancelled hand-offs (the
  one rule, ``_handoff_state``) and how many turns fell back / were out of scope / got a
  clarifying question.
- ``analytics_desk_tickets`` / ``analytics_desk_transfers`` / ``analytics_desk_claims`` — the
  human desk's tickets, transfers and claims from the queue, copied from the shop database
  (``analytics.desk``): waits, outcomes, who closed, who claimed, transfers and reassignments,
  with staff names and nothing of the shopper.
- ``analytics_satisfaction`` — shoppers' satisfaction ratings (the assistant or an agent,
  the score, when), copied from the shop database (``analytics.desk``), without the comment.
- ``analytics_rejected_events`` — messages (RabbitMQ) and broker rows (SQL broker) that could
  not be applied (not JSON, not an event, or an error while applying one), set aside with the
  error instead of stopping the consumer (``apply_message``, the one rule for both consumers);
  one row per distinct body.
- ``analytics_offsets`` — how far the SQL-broker consumer and the desk copy have read (per source).

The tables live in their own database (``ANALYTICS_DB_URL``), created by ``create_tables``
(plain DDL, no Alembic): they are a read model rebuilt from the event stream, and a shop can
give Metabase read access to them without opening the shop database's personal data.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone as dt_timezone, tzinfo
from typing import Any, Dict, Optional, Union

from sqlalchemy import exc as sa_exc
from sqlalchemy import (Boolean, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text,
                        inspect, select, text, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from analytics.settings import DEFAULT_TIMEZONE
from analytics.events import HANDOFF_CANCELLED, action_outcome, is_button_payload, user_turn
from shop.json_limits import parse_json

metadata = MetaData()

EVENTS = Table(
    "analytics_events", metadata,
    Column("event_key", String(64), primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("at", DateTime, nullable=False),          # naive UTC
)

TURNS = Table(
    "analytics_turns", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_key", String(64), nullable=False, unique=True),
    Column("sender_id", String(255), nullable=False),
    Column("at", DateTime, nullable=False),          # naive UTC
    Column("day", String(10), nullable=False),       # YYYY-MM-DD in the shop's time zone
    Column("text", Text),
    Column("is_button", Boolean, nullable=False, default=False),
    Column("intent", String(100)),
    Column("confidence", Float),
    Column("first_action", String(100)),
    Column("fallback", Boolean, nullable=False, default=False),
    Column("out_of_scope", Boolean, nullable=False, default=False),
    Column("clarification", Boolean, nullable=False, default=False),
    Column("handoff", Boolean, nullable=False, default=False),
    Column("latency_ms", Float),                     # shopper message → assistant listening again
    Index("ix_analytics_turns_sender_at", "sender_id", "at"),
    Index("ix_analytics_turns_day", "day"),
)

CONVERSATIONS = Table(
    "analytics_conversations", metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("day", String(10), nullable=False),
    Column("last_at", DateTime, nullable=False),
    Column("turns", Integer, nullable=False, default=0),
    Column("handed_off", Boolean, nullable=False, default=False),        # a ticket not cancelled
    Column("fallback_turns", Integer, nullable=False, default=0),
    Column("out_of_scope_turns", Integer, nullable=False, default=0),
    Column("clarification_turns", Integer, nullable=False, default=0),
    Column("handoffs", Integer, nullable=False, default=0),              # action_handoff runs
    Column("handoffs_cancelled", Integer, nullable=False, default=0),    # tickets cancelled waiting
    Column("handoff_cancelled", Boolean, nullable=False, default=False),  # every ticket cancelled
    Index("ix_analytics_conversations_day", "day"),
)
# Columns added after the table first shipped: (name, DDL type, default), added to an
# existing table by ``create_tables`` (the read model has no migrations of its own).
_ADDED_COLUMNS = (("handoffs", "INTEGER", "0"), ("handoffs_cancelled", "INTEGER", "0"),
                  ("handoff_cancelled", "BOOLEAN", "FALSE"))

# The human desk, copied from the shop database by ``analytics.desk.sync_desk`` (times,
# outcomes and staff names; nothing of the shopper), so Metabase sees hand-off transfers,
# waits and who resolved what without access to the shop database.
DESK_TICKETS = Table(
    "analytics_desk_tickets", metadata,
    Column("ticket_id", Integer, primary_key=True, autoincrement=False),
    Column("day", String(10), nullable=False),       # shop day of the hand-off
    Column("created_at", DateTime, nullable=False),  # naive UTC, as every time here
    Column("first_assigned_at", DateTime),           # first claim: the wait ends
    Column("wait_s", Float),                         # hand-off → first claim, seconds
    Column("closed_at", DateTime),
    Column("status", String(16), nullable=False),    # open / assigned / closed
    Column("cancelled", Boolean, nullable=False, default=False),   # the shopper gave up waiting
    Column("resolution", String(32)),
    Column("closed_by", String(64)),                 # the account's name
    Column("transfers", Integer, nullable=False, default=0),
    Column("reassignments", Integer, nullable=False, default=0),   # of those, by an admin
    Index("ix_analytics_desk_tickets_day", "day"),
)

DESK_TRANSFERS = Table(
    "analytics_desk_transfers", metadata,
    Column("transfer_id", Integer, primary_key=True, autoincrement=False),
    Column("ticket_id", Integer, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("day", String(10), nullable=False),
    Column("from_agent", String(64)),
    Column("to_agent", String(64)),                  # NULL: back to the queue
    Column("reassigned_by", String(64)),             # NULL: the holder passed it on
    Index("ix_analytics_desk_transfers_day", "day"),
)

DESK_CLAIMS = Table(
    "analytics_desk_claims", metadata,
    Column("claim_id", Integer, primary_key=True, autoincrement=False),
    Column("ticket_id", Integer, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("day", String(10), nullable=False),
    Column("agent", String(64)),                     # who took it from the queue
    Column("wait_s", Float),                         # queued since → this claim; NULL: not known
    Index("ix_analytics_desk_claims_day", "day"),
)

# Shopper satisfaction (CSAT, shop migration 0020), copied from the shop database by
# ``analytics.desk.sync_satisfaction``: who was rated (the assistant or an agent, by name),
# when, and the score — not the shopper's comment nor who they are.
SATISFACTION = Table(
    "analytics_satisfaction", metadata,
    Column("survey_id", Integer, primary_key=True, autoincrement=False),
    Column("day", String(10), nullable=False),       # shop day the question was asked
    Column("asked_at", DateTime, nullable=False),
    Column("answered_at", DateTime),
    Column("subject", String(16), nullable=False),   # assistant / desk
    Column("agent", String(64)),                     # the agent who served (desk)
    Column("status", String(16), nullable=False),    # asked / rated / skipped
    Column("score", Integer),                        # 1-5 when rated
    Index("ix_analytics_satisfaction_day", "day"),
)

REJECTED = Table(
    "analytics_rejected_events", metadata,
    Column("body_key", String(64), primary_key=True),   # SHA-256 of the message body
    Column("rejected_at", DateTime, nullable=False),    # naive UTC, the first time
    Column("error", Text, nullable=False),
    Column("body", Text, nullable=False),               # as received (UTF-8; other bytes escaped)
)

OFFSETS = Table(
    "analytics_offsets", metadata,
    Column("source", String(100), primary_key=True),
    Column("last_id", Integer, nullable=False, default=0),
)

# The RabbitMQ consumer's own state, written by it every ``analytics.rabbit.STATUS_EVERY_S``:
# whether it holds its RabbitMQ connection. A RabbitMQ-side outage (RabbitMQ down, the
# consumer cut off or not running) otherwise showed only in the consumer's log while the
# dashboard froze; the console reads this for admins (console/analytics_pages.py).
CONSUMER_STATUS = Table(
    "analytics_consumer_status", metadata,
    Column("queue", String(200), primary_key=True),
    Column("rabbitmq_connected", Boolean, nullable=False),
    Column("seen_at", DateTime, nullable=False),        # naive UTC, the consumer's last report
    Column("since", DateTime, nullable=False),          # naive UTC, when the connection state last changed
)


def record_consumer_status(engine: Engine, queue: str, connected: bool, now: datetime) -> None:
    """The consumer's report (``now`` naive UTC): kept ``since`` while the state is unchanged."""
    with engine.begin() as connection:
        row = connection.execute(select(CONSUMER_STATUS).where(CONSUMER_STATUS.c.queue == queue)).first()
        if row is None:
            connection.execute(CONSUMER_STATUS.insert().values(queue=queue, rabbitmq_connected=connected,
                                                               seen_at=now, since=now))
            return
        since = row.since if row.rabbitmq_connected == connected else now
        connection.execute(CONSUMER_STATUS.update().where(CONSUMER_STATUS.c.queue == queue)
                           .values(rabbitmq_connected=connected, seen_at=now, since=since))


def consumer_status(engine: Engine, queue: str) -> Optional[Dict[str, Any]]:
    with engine.connect() as connection:
        row = connection.execute(select(CONSUMER_STATUS).where(CONSUMER_STATUS.c.queue == queue)).first()
    return dict(row._mapping) if row is not None else None


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)
    present = {column["name"] for column in inspect(engine).get_columns(CONVERSATIONS.name)}
    missing = [column for column in _ADDED_COLUMNS if column[0] not in present]
    if missing:
        with engine.begin() as connection:
            for name, kind, default in missing:
                connection.execute(text(f"ALTER TABLE {CONVERSATIONS.name} ADD COLUMN {name} {kind} "
                                        f"NOT NULL DEFAULT {default}"))
            # Before the counts, a handed-off conversation had (at least) one hand-off.
            connection.execute(update(CONVERSATIONS).where(CONVERSATIONS.c.handed_off.is_(True),
                                                           CONVERSATIONS.c.handoffs == 0).values(handoffs=1))


def _handoff_state(handoffs, cancelled) -> Dict[str, Any]:
    """The one rule: handed off while any ticket the assistant opened was not cancelled by the
    shopper while waiting; ``handoff_cancelled`` when every one was (so handed off + cancelled
    + contained = conversations). Works on numbers and on SQL column expressions alike."""
    return {"handed_off": handoffs > cancelled, "handoff_cancelled": (handoffs > 0) & (handoffs == cancelled)}


def event_key(event: Dict[str, Any]) -> str:
    """The event's identity: Rasa events carry no id, but conversation + exact content
    (with its float timestamp) does not repeat; a redelivered message hashes the same. A
    hand-off cancel is its ticket (a ticket is cancelled once): the gate's event and the one
    ``analytics.backfill`` makes for the same ticket are one event, whichever comes first."""
    if event.get("event") == HANDOFF_CANCELLED and isinstance(event.get("ticket_no"), str):
        event = {name: event.get(name) for name in ("event", "sender_id", "ticket_no")}
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Rejected(Exception):
    """The message cannot be applied, now or ever (it is recorded and set aside)."""


def database_unavailable(error: BaseException) -> bool:
    """The database could not do the work (down, unreachable, locked): try the same message
    again later. Anything else raised while applying a message is the message's fault."""
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return True
    return isinstance(error, sa_exc.DBAPIError) and bool(error.connection_invalidated)


def decode_event(body: Union[bytes, str, None]) -> Dict[str, Any]:
    """The Rasa event in a message body (a RabbitMQ message, a SQL broker row's ``data``);
    ``Rejected`` when it is not one."""
    if body is None:
        raise Rejected("not JSON: no data")
    try:
        event = parse_json(body)
    except ValueError as error:     # not JSON, not UTF-8, or nested too deep
        raise Rejected(f"not JSON: {error.__class__.__name__}: {error}") from None
    if not isinstance(event, dict):
        raise Rejected(f"not an event: a JSON {type(event).__name__}")
    problem = event_problem(event)
    if problem is not None:
        raise Rejected(problem)
    return event


def apply_message(connection: Connection, body: Union[bytes, str, None], zone: tzinfo = DEFAULT_TIMEZONE) -> bool:
    """Apply one message inside the caller's transaction, in a SAVEPOINT of its own: a message
    that cannot be applied is undone alone and raises ``Rejected`` (what the caller applied
    before it stays); the database's unavailability (``database_unavailable``) is raised as
    it is, for the caller to roll back and try again later. False: applied before."""
    event = decode_event(body)
    try:
        with connection.begin_nested():
            return ingest(connection, event, zone)
    except Exception as error:  # noqa: BLE001 - sorted here: the database's fault or the message's
        if database_unavailable(error):
            raise
        raise Rejected(f"{error.__class__.__name__}: {error}") from error


def reject(connection: Connection, body: Union[bytes, str, None], error: str) -> bool:
    """Record a message that cannot be applied in ``analytics_rejected_events`` inside the
    caller's transaction; one seen before (the same body) is recorded once (False)."""
    raw = body.encode("utf-8", errors="surrogatepass") if isinstance(body, str) else (body or b"")
    text_body = raw.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")
    row = {"body_key": hashlib.sha256(raw).hexdigest(), "rejected_at": datetime.now(dt_timezone.utc).replace(tzinfo=None),
           "error": error.replace("\x00", "\\x00")[:2000], "body": text_body}
    return _insert_ignoring_duplicates(connection, REJECTED, row)


def record_rejected(engine: Engine, body: bytes, error: str) -> bool:
    """``reject`` in a transaction of its own."""
    with engine.begin() as connection:
        return reject(connection, body, error)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=dt_timezone.utc).replace(tzinfo=None)


def _day(timestamp: float, zone: tzinfo) -> str:
    return datetime.fromtimestamp(timestamp, tz=zone).date().isoformat()


def _insert_ignoring_duplicates(connection: Connection, table: Table, row: dict) -> bool:
    dialect = connection.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).values(**row).on_conflict_do_nothing()
    return connection.execute(statement).rowcount == 1


def event_problem(event: Dict[str, Any]) -> Optional[str]:
    """Why ``ingest`` cannot take this as a Rasa event (it needs ``sender_id`` and ``event`` as
    text and a numeric ``timestamp``), or None."""
    fields = {"sender_id": str, "event": str, "timestamp": (int, float)}
    wrong = [name for name, kind in fields.items()
             if not isinstance(event.get(name), kind) or isinstance(event.get(name), bool)]
    return f"not a Rasa event: {', '.join(wrong)} missing or of the wrong type" if wrong else None


def ingest(connection: Connection, event: Dict[str, Any], zone: tzinfo = DEFAULT_TIMEZONE) -> bool:
    """Apply one event (a dict as Rasa's brokers publish it, with ``sender_id``) inside the
    caller's transaction; ``zone`` makes the shop's days (``AnalyticsSettings.timezone``).
    Returns False when the event was already applied (nothing changes)."""
    if event_problem(event) is not None:
        return False
    sender, kind, timestamp = event["sender_id"], event["event"], event["timestamp"]
    key = event_key(event)
    if not _insert_ignoring_duplicates(connection, EVENTS, {
            "event_key": key, "sender_id": sender[:255], "event_type": kind[:32], "at": _utc(timestamp)}):
        return False
    if kind == "user":
        _user(connection, key, sender, float(timestamp), event, zone)
    elif kind == "action":
        _action(connection, sender, float(timestamp), event.get("name"))
    elif kind == HANDOFF_CANCELLED:
        _handoff_cancelled(connection, sender)
    return True


def _handoff_cancelled(connection: Connection, sender: str) -> None:
    # A cancel is for a ticket this conversation's action_handoff opened; one without (the
    # conversation began before the analytics did) changes nothing.
    handoffs, cancelled = CONVERSATIONS.c.handoffs, CONVERSATIONS.c.handoffs_cancelled + 1
    connection.execute(update(CONVERSATIONS).where(CONVERSATIONS.c.sender_id == sender,
                                                   CONVERSATIONS.c.handoffs > CONVERSATIONS.c.handoffs_cancelled)
                       .values(handoffs_cancelled=cancelled, **_handoff_state(handoffs, cancelled)))


def _user(connection: Connection, key: str, sender: str, timestamp: float, event: dict, zone: tzinfo) -> None:
    turn = user_turn(event)
    at = _utc(timestamp)
    connection.execute(TURNS.insert().values(
        event_key=key, sender_id=sender, at=at, day=_day(timestamp, zone), text=turn.text,
        is_button=is_button_payload(turn.text), intent=turn.intent, confidence=turn.confidence,
        out_of_scope=turn.outcome.out_of_scope, clarification=turn.outcome.clarification,
        fallback=False, handoff=False))
    conversation = connection.execute(
        select(CONVERSATIONS.c.sender_id).where(CONVERSATIONS.c.sender_id == sender)).first()
    if conversation is None:
        connection.execute(CONVERSATIONS.insert().values(
            sender_id=sender, started_at=at, day=_day(timestamp, zone), last_at=at, turns=0,
            handed_off=False, fallback_turns=0, out_of_scope_turns=0, clarification_turns=0,
            handoffs=0, handoffs_cancelled=0, handoff_cancelled=False))
    connection.execute(update(CONVERSATIONS).where(CONVERSATIONS.c.sender_id == sender).values(
        turns=CONVERSATIONS.c.turns + 1, last_at=at,
        out_of_scope_turns=CONVERSATIONS.c.out_of_scope_turns + int(turn.outcome.out_of_scope),
        clarification_turns=CONVERSATIONS.c.clarification_turns + int(turn.outcome.clarification)))


def _action(connection: Connection, sender: str, timestamp: float, name: Optional[str]) -> None:
    if not isinstance(name, str):
        return
    row = connection.execute(
        select(TURNS.c.id, TURNS.c.at, TURNS.c.first_action, TURNS.c.latency_ms, TURNS.c.fallback,
               TURNS.c.out_of_scope, TURNS.c.clarification, TURNS.c.handoff)
        .where(TURNS.c.sender_id == sender).order_by(TURNS.c.at.desc(), TURNS.c.id.desc()).limit(1)).first()
    if row is None or row.latency_ms is not None:
        return          # an action outside a shopper's turn (session start), or the turn is over
    outcome = action_outcome(name)
    if outcome.listens:
        latency = max(0.0, (_utc(timestamp) - row.at).total_seconds() * 1000.0)
        connection.execute(update(TURNS).where(TURNS.c.id == row.id).values(latency_ms=latency))
        return
    changes: Dict[str, Any] = {}
    if row.first_action is None:
        changes["first_action"] = name[:100]
    counters: Dict[str, Any] = {}
    for flag, counter in (("fallback", "fallback_turns"), ("out_of_scope", "out_of_scope_turns"),
                          ("clarification", "clarification_turns")):
        if getattr(outcome, flag) and not getattr(row, flag):
            changes[flag] = True
            counters[counter] = CONVERSATIONS.c[counter] + 1
    if outcome.handoff and not row.handoff:
        changes["handoff"] = True
        handoffs = CONVERSATIONS.c.handoffs + 1
        counters.update(handoffs=handoffs, **_handoff_state(handoffs, CONVERSATIONS.c.handoffs_cancelled))
    if changes:
        connection.execute(update(TURNS).where(TURNS.c.id == row.id).values(**changes))
    if counters:
        connection.execute(update(CONVERSATIONS).where(CONVERSATIONS.c.sender_id == sender).values(**counters))
