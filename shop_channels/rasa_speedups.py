"""Measured fixes to Rasa's hot path, applied when the shop's channels are loaded.

1. Action-server responses validated against one compiled JSON-schema validator.

Rasa 3.6 checks every action-server response with the one-shot ``jsonschema.validate()``
(``RemoteAction._validate_action_result``). That helper rebuilds a validator and checks the
*schema itself* against the JSON-Schema meta-schema on every call, then throws it away. Rasa
sends every custom action and every form validation to the action server, so this ran several
times per shopper turn: profiling the conversation benchmark (py-spy on the Rasa process at 8
concurrent shoppers) put 36 % of the Rasa server's CPU time in it.

``install()`` replaces that method with one that validates against a validator compiled once.
Same schema (``RemoteAction.action_response_format_spec()``), same choice of error
(``jsonschema.exceptions.best_match``, as ``jsonschema.validate`` does), same message suffix,
same ``ValidationError``: a malformed action-server response is still refused.

2. The SQL tracker store reads the conversation once per save, not twice.
``SQLTrackerStore.save`` first calls ``stream_events`` (there is an event broker: analytics),
which *retrieves and rebuilds the whole tracker of the session* only to learn how many
events are already stored, then counts the stored events a second time to know which rows
to add. Rebuilding the tracker costs time in proportion to the length of the conversation
(bench/TURN_COST.md: py-spy put it at the top of the Rasa server's profile, and it made a
turn at 300 turns cost several times a turn at 20). The patched ``save`` counts once and
publishes and stores the same new events, in the same order, with the same rows.

3. The SQL tracker store in a SQLite file commits to a write-ahead log. Rasa opens it with
SQLite's defaults (rollback journal, ``synchronous=FULL``, a new connection per session):
the commit and the connection's close were the top of the Rasa server's profile. The store
built by Rasa gets, right after Rasa built it, the engine of
``shop.db.engine.conversation_log_engine`` (WAL, ``synchronous=NORMAL``, connections kept
open; durability in its docstring) and two indexes on its ``events`` table
(``index_tracker_events``: finding the latest session no longer reads every stored event of
the conversation). Same tables, same rows; any other database (PostgreSQL in the scale-out
setup) keeps Rasa's engine and indexes untouched.

4. An event's class is looked up by its type name in a table, not by walking Rasa's class
hierarchy. ``Event.from_parameters`` (every event read back from the tracker store, every
event an action returns) calls ``Event.resolve_by_type``, which lists every subclass of
``Event`` (``all_subclasses``: recursion plus ``inspect.isabstract`` on each, ~60 classes)
for each event; a retrieve rebuilds the whole session's events, so this was the largest part
of the cost that grows with the session (bench/TURN_COST.md, round 2: ~20 % of the Rasa
server's extra time at 80 turns). ``resolve_event_class`` answers from a table built by one
such walk — the same first match in the same order — rebuilt whenever a new subclass of
``Event`` is defined (``Event.__init_subclass__``); a name the table lacks goes to Rasa's own
lookup (its default, the old "topic" events, its error).

5. A save does not count the stored events again, and writes its rows in one statement.
Stock ``save`` (and fix 2 above) asks the database how many events of the latest session are
stored (``_event_query(...).count()``, 3.8 % of the Rasa server's busy samples at one
shopper) to know which of the tracker's events are new; but a turn's tracker was just read by
``retrieve`` under the conversation's lock, and that read returned exactly those rows. The
patched ``retrieve`` notes, on the tracker it returns, how many rows it read; ``save`` uses
the note when the tracker is that very object, noted by that very store, and no other save
of the conversation came in between; after its commit it notes how many of the tracker's
events are now stored. Otherwise the count query runs as before: a tracker built elsewhere
or copied (``copy.deepcopy`` copies the note, not the identity it records), a note taken
before another save of the same conversation in this process (a version per sender, bumped
by every save), a new conversation (no row read), a save that failed (a commit may have
happened or not: the note is taken off before the save), a tracker that drops old events
(``max_event_history``). Several Rasa servers on one store (deploy/: PostgreSQL behind the
Redis lock store) are safe for the reason a turn is: a tracker is read and saved under the
conversation's lock, so no other process writes that conversation in between.
One difference from stock, deliberate: a tracker saved twice after it started a new session
(``session_started`` in its new events). The count query counts events by timestamp from the
latest session's start; the tracker's older events then do not count, and stock Rasa writes
them again (Rasa's own turn saves once, so it never meets this). The note counts the
tracker's own events, which are all stored: nothing is written twice.
The new rows go in with one Core ``INSERT`` and all rows as parameters (executemany) instead
of one ORM object per event and the unit of work's flush: same table, columns, values, order.

6. ``retrieve`` reads with Rasa's query built once. Stock ``retrieve`` builds its ORM query
(a sub-query for the latest session's start) anew on every turn and loads one ORM object per
row, which cost more than the database's work. ``shop.db.tracker_events`` has the same SQL
(same FROM and WHERE, so the same plan and the same rows in the same order) built once with
bound parameters, selecting only the ``data`` column; the tracker is rebuilt from those rows
as stock Rasa rebuilds it. A subclass of the store with its own ``_event_query`` keeps it.

7. The turn's tracker stays in memory until the conversation's next turn (a "warm" tracker).
Stock ``retrieve`` rebuilds the latest session from its rows on every turn: one JSON parse and
one ``tracker.update`` per stored event, so a turn late in a 40-turn session cost ~1.5x one at
its start (bench/turn_growth.py; py-spy put the growth in ``retrieve`` first). After a save
that commits, the store keeps that tracker object with the id of the conversation's last stored
event; the next ``retrieve`` of the conversation takes it (out of the store: one owner at a
time, as a rebuilt tracker has) when the last stored id is still that one — one indexed query
instead of reading and rebuilding the session. Anything else rebuilds from the rows as before:
another server or process wrote (ids only grow; deleting a conversation changes its last id),
the store's domain changed (a new model), the tracker is not exactly the latest session
(a new conversation's first tracker also holds the ``action_session_start`` before its
``session_started``, which ``retrieve`` leaves out; a save that started a new session), its
note could not be trusted (fix 5: copies, trackers built elsewhere), a save failed (the tracker
was taken and not put back), or the store holds ``WARM_TRACKERS`` others more recently saved.
The tracker returned holds the same events (the objects that were saved, not their JSON read
back) and so the same slots, active loop and latest message as the rebuilt one.

8. An action-server response is checked against the schema of each event's own type. Rasa's
event schema is a ``oneOf`` over 23 alternatives, each pinning ``event`` to its own constant,
so the full validator tried all 23 on every event of every response (with fix 1 in place still
~7 % of the Rasa server's CPU in a cProfile of the scripted flows, bench/TURN_COST.md). Since
``event`` is a required string, the alternatives of the other types always fail on their
constant: an event is valid exactly when it passes the common part of the schema and the one
alternative of its type. The response passes when the rest of the response schema and each
event's check pass; anything else (an unknown type, an invalid event) goes to the full
validator of fix 1, which finds the same error as before. Built from Rasa's own schema; a
schema of another shape turns this off.

9. ``Domain.is_empty`` compares with the empty domain's dictionary built once. Rasa checks the
parse against the domain on every message (``_check_for_unseen_features``), which first asks
``domain.is_empty()``: that built a whole new empty ``Domain`` (``Domain.from_dict({})``, with its
default slots, actions and deep copies) each time only to compare dictionaries. Same comparison,
same answer; the empty domain does not depend on anything that changes while the server runs.

10. A new conversation's first save does not count the stored events either. A conversation's
first turn finds no tracker (``retrieve`` reads no row) and Rasa's ``get_or_create_tracker`` then
creates one and saves it at once, with the count query of fix 5 (no note: the tracker was
created, not read): ~0.5 ms, on a third of the benchmark's turns (its conversations are 2-4
turns long). ``retrieve`` that reads no row of the latest session now leaves a claim in the
turn's context (a context variable of the asyncio task: the same request, nothing shared with
other requests): this store, this conversation, its save version. The next save of that
conversation *in the same task* takes 0 as the number stored when the claim is this store's
and no save of the conversation came in between (the version); every retrieve and save first
clears the claim. The count would have read those same rows (the same query), and a turn
holds the conversation's lock from its retrieve to its save, so no other process writes the
conversation in between (as for fix 5).

All of them only patch the Rasa version they were written against and leave any other untouched.
"""
from __future__ import annotations

import functools
import itertools
import json
import logging
import weakref
from collections import OrderedDict
from contextvars import ContextVar
from typing import Any, Dict, NamedTuple, Optional

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.utils.common import all_subclasses
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.constants import DOCS_BASE_URL

from shop.db.engine import adopt_conversation_log_engine, index_tracker_events
from shop.db.tracker_events import insert_events, latest_event_id, latest_session_data
from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
# Kept for the equivalence test (tests/shop_channels/test_rasa_speedups.py).
STOCK_SQL_TRACKER_SAVE = SQLTrackerStore.save
STOCK_SQL_TRACKER_RETRIEVE = SQLTrackerStore.retrieve
_stock_event_query = SQLTrackerStore._event_query
_stock_sql_tracker_init = SQLTrackerStore.__init__
STOCK_RESOLVE_BY_TYPE = Event.resolve_by_type
# type name -> event class, as Event.resolve_by_type finds it; None until first needed and
# again whenever a new Event subclass is defined.
_event_classes: Dict[str, type] | None = None


@functools.lru_cache(maxsize=1)
def action_response_validator():
    """The validator of action-server responses, built and schema-checked once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def _validators_by_event_type():
    """(validator of the response without its events' schema, {event type: validator of an
    event of that type}), or None when the schema is not shaped as fix 8 expects."""
    schema = RemoteAction.action_response_format_spec()
    try:
        event_schema = schema["properties"]["events"]["items"]
        alternatives = event_schema["oneOf"]
        consts = [alternative["properties"]["event"]["const"] for alternative in alternatives]
    except (KeyError, TypeError):
        return None
    if set(event_schema) - {"type", "properties", "required", "oneOf"} or len(set(consts)) != len(consts):
        return None
    validator_class = validator_for(schema)
    shell = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    return (validator_class(shell),
            {const: validator_class({"allOf": [common, alternative]})
             for const, alternative in zip(consts, alternatives)})


def _valid_by_event_type(result: Any) -> bool:
    """True only when the response is valid against Rasa's schema (fix 8); False means "ask
    the full validator", which then finds the error."""
    validators = _validators_by_event_type()
    if validators is None or not isinstance(result, dict):
        return False
    shell, by_type = validators
    if not shell.is_valid(result):
        return False
    for event in result.get("events") or ():
        kind = event.get("event") if isinstance(event, dict) else None
        validator = by_type.get(kind) if isinstance(kind, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


@functools.lru_cache(maxsize=1)
def _empty_domain_dict() -> Dict[str, Any]:
    return Domain.empty().as_dict()


def domain_is_empty(self: Domain) -> bool:
    """``Domain.is_empty`` against the empty domain's dictionary built once (fix 9)."""
    return self.as_dict() == _empty_domain_dict()


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if _valid_by_event_type(result):
        return True
    error = best_match(action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


# On a tracker returned by the patched retrieve or saved by the patched save: (the store,
# id(tracker), how many of the tracker's events are stored, the sender's save version).
# See fix 5 in the docstring.
STORED_EVENTS_NOTE = "_shop_stored_events"
# Every save bumps a version per sender (hashed into a fixed table: a collision only makes
# a note look stale, never current), so a note taken before another save of the same
# conversation in this process (a copy of the tracker, another tracker object) is not used.
SAVE_VERSION_SLOTS = 4096


def _version_slot(store: SQLTrackerStore, sender_id: str) -> tuple[list, int]:
    versions = store.__dict__.get("_shop_save_versions")
    if versions is None:
        versions = store.__dict__["_shop_save_versions"] = [0] * SAVE_VERSION_SLOTS
    return versions, hash(sender_id) % SAVE_VERSION_SLOTS


def _note_stored(store: SQLTrackerStore, tracker: DialogueStateTracker, count: int) -> None:
    versions, slot = _version_slot(store, tracker.sender_id)
    # A weak reference: the note must not keep the store alive, and copy.deepcopy copies a
    # weak reference as it is (the store itself, with its engine, cannot be deep-copied).
    tracker.__dict__[STORED_EVENTS_NOTE] = (weakref.ref(store), id(tracker), count, versions[slot])


def _noted_stored(store: SQLTrackerStore, tracker: DialogueStateTracker) -> int | None:
    """How many of this tracker object's events this store noted as stored, unless another
    save of the conversation came since; None when there is no note it can trust."""
    note = tracker.__dict__.pop(STORED_EVENTS_NOTE, None)
    if note is None:
        return None
    noted_store, noted_id, count, version = note
    versions, slot = _version_slot(store, tracker.sender_id)
    if (noted_store() is not store or noted_id != id(tracker) or version != versions[slot]
            or tracker.events.maxlen is not None or count > len(tracker.events)):
        return None
    return count


# Fix 7. On a tracker whose events are exactly its conversation's latest session as stored
# (rebuilt by retrieve, then extended by saves that started no session): id(tracker), so
# that a deep copy (which copies the mark, not the identity) is not taken for it.
LATEST_SESSION_MARK = "_shop_latest_session"
# How many warm trackers a store keeps (the most recently saved conversations). A tracker of a
# 40-turn session is ~100-200 KB; a conversation beyond these is rebuilt from its rows.
WARM_TRACKERS = 256


class WarmTracker(NamedTuple):
    tracker: DialogueStateTracker
    last_event_id: int
    domain: Any


def _warm_trackers(store: SQLTrackerStore) -> "OrderedDict[str, WarmTracker]":
    warm = store.__dict__.get("_shop_warm_trackers")
    if warm is None:
        warm = store.__dict__["_shop_warm_trackers"] = OrderedDict()
    return warm


def _keeps_warm_trackers(store: SQLTrackerStore) -> bool:
    # A subclass with its own query decides what a "session" is: it keeps stock behaviour.
    return type(store)._event_query is _stock_event_query and bool(store.domain)


def _take_warm_tracker(store: SQLTrackerStore, session, sender_id: str) -> Optional[DialogueStateTracker]:
    """The tracker saved by this store's last save of the conversation, when nothing was
    written to the conversation since and the store's domain is the same; taken out."""
    warm = _warm_trackers(store).pop(sender_id, None)
    if warm is None or warm.domain is not store.domain:
        return None
    if latest_event_id(session, store.SQLEvent.__table__, sender_id) != warm.last_event_id:
        return None
    return warm.tracker


def _is_latest_session(tracker: DialogueStateTracker) -> bool:
    return tracker.__dict__.get(LATEST_SESSION_MARK) == id(tracker)


# Fix 10: (weak reference to the store, sender id, the sender's save version) of this task's
# last retrieve that read no row, or None.
_KNOWN_EMPTY: ContextVar[Optional[tuple]] = ContextVar("shop_known_empty_conversation", default=None)


def _claim_empty(store: SQLTrackerStore, sender_id: str) -> None:
    versions, slot = _version_slot(store, sender_id)
    _KNOWN_EMPTY.set((weakref.ref(store), sender_id, versions[slot]))


def _claimed_empty(store: SQLTrackerStore, sender_id: str) -> bool:
    """True when this task's last retrieve, by this store, of this conversation read no row
    and no save of the conversation came since; the claim is used up either way."""
    claim = _KNOWN_EMPTY.get()
    if claim is None:
        return False
    _KNOWN_EMPTY.set(None)
    claimed_store, claimed_sender, version = claim
    versions, slot = _version_slot(store, sender_id)
    return claimed_store() is store and claimed_sender == sender_id and version == versions[slot]


async def retrieve_sql_tracker(self: SQLTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    """``SQLTrackerStore.retrieve`` of Rasa 3.6.21 (the latest session) with the query's
    SQL built once and plain rows (fix 6), noting on the tracker how many rows it read:
    what the count query would answer; or the warm tracker, when it is current (fix 7)."""
    _KNOWN_EMPTY.set(None)
    with self.session_scope() as session:
        warm = _take_warm_tracker(self, session, sender_id) if _keeps_warm_trackers(self) else None
        if warm is not None:
            logger.debug("Tracker of sender id '%s' kept from its last save", sender_id)
            return warm
        if type(self)._event_query is _stock_event_query:
            stored = latest_session_data(session, self.SQLEvent.__table__, sender_id)
        else:                       # a subclass with its own query keeps it
            stored = [row.data for row in self._event_query(session, sender_id, fetch_events_from_all_sessions=False)]
        events = [json.loads(data) for data in stored]
        if not stored:
            _claim_empty(self, sender_id)
        if not (self.domain and events):
            logger.debug("Can't retrieve tracker matching sender id '%s' from SQL storage. "
                         "Returning `None` instead.", sender_id)
            return None
        logger.debug("Recreating tracker from sender id '%s'", sender_id)
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        _note_stored(self, tracker, len(stored))
        tracker.__dict__[LATEST_SESSION_MARK] = id(tracker)
        return tracker


def _event_row(sender_id: str, event: Event) -> dict:
    """The ``events`` row stock ``save`` writes for ``event``."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


async def save_sql_tracker(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """``SQLTrackerStore.save`` of Rasa 3.6.21, with ``stream_events``' second read of the
    tracker replaced by the number of stored events (fix 2), that number taken from the
    tracker's note when it can be trusted (fix 5), and the rows inserted in one statement."""
    stored = _noted_stored(self, tracker)   # taken off: a save that fails leaves no note
    if _claimed_empty(self, tracker.sender_id) and stored is None:
        stored = 0                          # fix 10: this turn's retrieve read no row
    # Fix 7: the tracker stays warm only if it held exactly the latest session, its note was
    # trusted (so no other tracker object was saved for the conversation since) and this save
    # starts no new session; any other warm copy of the conversation is out of date now.
    latest_session = stored is not None and _is_latest_session(tracker)
    tracker.__dict__.pop(LATEST_SESSION_MARK, None)
    warm_trackers = _warm_trackers(self)
    warm_trackers.pop(tracker.sender_id, None)
    versions, slot = _version_slot(self, tracker.sender_id)
    versions[slot] += 1         # every other note on this conversation is stale from now on
    last_event_id = None
    with self.session_scope() as session:
        if stored is None:
            stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
        latest_session = latest_session and not any(isinstance(e, SessionStarted) for e in new_events)
        if self.event_broker is not None:
            # Stock ``stream_events`` takes its offset from ``retrieve``, which rebuilds no
            # tracker (offset 0: everything is published again) while the store has no domain.
            published = new_events if self.domain else list(tracker.events)
            await self._stream_new_events(self.event_broker, published, tracker.sender_id)
        insert_events(session, self.SQLEvent.__table__, [_event_row(tracker.sender_id, event) for event in new_events])
        if latest_session and _keeps_warm_trackers(self):
            last_event_id = latest_event_id(session, self.SQLEvent.__table__, tracker.sender_id)
        session.commit()
    # Committed: the tracker's events up to the last one written are stored now.
    _note_stored(self, tracker, stored + len(new_events))
    if last_event_id is not None:
        tracker.__dict__[LATEST_SESSION_MARK] = id(tracker)
        warm_trackers[tracker.sender_id] = WarmTracker(tracker, last_event_id, self.domain)
        while len(warm_trackers) > WARM_TRACKERS:
            warm_trackers.popitem(last=False)
    logger.debug("Tracker with sender_id '%s' stored to database", tracker.sender_id)


def init_sql_tracker(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
    """``SQLTrackerStore.__init__``, then, for a SQLite file, the conversation-log engine."""
    _stock_sql_tracker_init(self, *args, **kwargs)
    adopt_conversation_log_engine(self)
    index_tracker_events(self.engine)


def _event_class_table() -> Dict[str, type]:
    table: Dict[str, type] = {}
    for cls in all_subclasses(Event):          # Rasa's order: the first match wins, as in Rasa
        table.setdefault(cls.type_name, cls)
    return table


def resolve_event_class(type_name: str, default: Any = None) -> Any:
    """``Event.resolve_by_type`` from a table instead of a walk over the class hierarchy."""
    global _event_classes
    table = _event_classes
    if table is None:
        table = _event_classes = _event_class_table()
    found = table.get(type_name)
    if found is not None:
        return found
    return STOCK_RESOLVE_BY_TYPE(type_name, default)


def _forget_event_classes(cls: type, **kwargs: Any) -> None:
    """``Event.__init_subclass__``: a new event class (imported later, defined by a test)
    makes the next lookup rebuild the table."""
    global _event_classes
    _event_classes = None
    super(Event, cls).__init_subclass__(**kwargs)


def install() -> bool:
    """Patch Rasa once; True when the fixes are in place."""
    return patch_pinned([(RemoteAction, "_validate_action_result", validate_action_result),
                         (SQLTrackerStore, "save", save_sql_tracker),
                         (SQLTrackerStore, "retrieve", retrieve_sql_tracker),
                         (SQLTrackerStore, "__init__", init_sql_tracker),
                         (Event, "__init_subclass__", classmethod(_forget_event_classes)),
                         (Event, "resolve_by_type", staticmethod(resolve_event_class)),
                         (Domain, "is_empty", domain_is_empty)],
                        PATCHED_RASA_VERSIONS, "stock action-response validation and tracker saving",
                        logger=logger, level=logging.INFO)


__all__ = ["ValidationError", "action_response_validator", "domain_is_empty", "init_sql_tracker", "install", "resolve_event_class",
           "retrieve_sql_tracker", "save_sql_tracker", "validate_action_result"]
