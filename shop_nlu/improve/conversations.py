"""The conversation store, and which shopper messages the operator should look at.

The store is opened with Rasa's own classes from the same endpoints file the server uses
(``read_endpoint_config`` + ``TrackerStore.create``), so the SQLite file, a PostgreSQL
database or any other store Rasa supports is read exactly as the server wrote it, events
deserialised by Rasa. No SQL against Rasa's tables: its schema is Rasa's business.

A user turn is listed when the shopper saw that the assistant did not understand, or when
the classifier was unsure even though it answered:

- ``nlu_fallback`` — the NLU fell back (intent ``nlu_fallback``) or the clarifying question
  (``action_clarify``) was asked;
- ``out_of_scope`` — intent ``out_of_scope`` or the out-of-scope reply;
- ``core_fallback`` — no rule covered the turn (``action_default_fallback`` / ``utter_default``);
- ``low_confidence`` — the classifier's top intent scored below the ``--min-confidence``
  threshold.

Button clicks (``/intent{...}`` payloads) are not shopper wording and are never listed, but a
click right after the clarifying question or the out-of-scope reply is what the shopper said
they meant: it is kept as ``shopper_chose`` on the message before it.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.nlu.classifiers.fallback_classifier import (
    is_fallback_classifier_prediction,
    undo_fallback_prediction,
)
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

CLARIFY_ACTIONS = frozenset({"action_clarify"})
OUT_OF_SCOPE_ACTIONS = frozenset({"action_out_of_scope", "utter_out_of_scope"})
CORE_FALLBACK_ACTIONS = frozenset({"action_default_fallback", "utter_default"})
OUT_OF_SCOPE_INTENT = "out_of_scope"
# A click on "都不是，转人工" says "none of these", not what the message meant.
NOT_A_CHOICE = frozenset({"human_handoff", "nlu_fallback"})

REASONS = ("nlu_fallback", "out_of_scope", "core_fallback", "low_confidence")
DEFAULT_MIN_CONFIDENCE = 0.6


class StoreError(Exception):
    """The conversation store cannot be read (message meant for the operator)."""


class NoStoreYet(StoreError):
    """The SQLite conversation store does not exist yet: nobody has talked to the assistant
    since install. Not a failure for a page, which shows an empty listing."""


@dataclass(frozen=True)
class Candidate:
    """One listed shopper message (one occurrence)."""

    text: str
    timestamp: float
    # A digest of the conversation id: counts distinct conversations, reveals nothing.
    conversation: str
    guessed_intent: Optional[str]
    confidence: float
    second_intent: Optional[str]
    second_confidence: float
    reasons: Tuple[str, ...]
    shopper_chose: Optional[str] = None


@dataclass
class Reading:
    """What was read from the store, and what of it is listed."""

    candidates: List[Candidate]
    conversations_read: int
    user_messages_in_range: int
    store: str


# --- the store ---------------------------------------------------------------------------

def tracker_store_config(endpoints_path: Path) -> EndpointConfig:
    if not Path(endpoints_path).is_file():
        raise StoreError(f"no endpoints file at {endpoints_path}")
    try:
        config = read_endpoint_config(str(endpoints_path), endpoint_type="tracker_store")
    except RasaException as error:  # e.g. a ${VARIABLE} that is not set
        raise StoreError(f"{endpoints_path}: {error} (run `source scripts/env.sh` first, "
                         f"or use `make improve`)") from error
    if config is None or not config.type:
        raise StoreError(f"{endpoints_path} configures no tracker_store: the conversations are "
                         "kept in memory only and there is nothing to read")
    return config


def _sql_url(config: EndpointConfig):
    import sqlalchemy as sa

    kwargs = config.kwargs
    url = SQLTrackerStore.get_db_url(
        kwargs.get("dialect", "sqlite"), config.url or None, kwargs.get("port"),
        kwargs.get("db", "rasa.db"), kwargs.get("username"), kwargs.get("password"),
        kwargs.get("login_db"), kwargs.get("query"),
    )
    return sa.engine.make_url(url) if isinstance(url, str) else url


def _check_sql_store(config: EndpointConfig) -> str:
    """Fail cleanly where Rasa would not: it creates a missing SQLite file (an empty store,
    silently) and retries an unreachable server forever. Returns a printable description
    (no password)."""
    import sqlalchemy as sa

    url = _sql_url(config)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or not Path(url.database).exists():
            raise NoStoreYet(f"no conversation store at {url.database or '(no file)'} — has the "
                             "assistant run yet? (TRACKER_DB_PATH / TRACKER_DB_URL)")
        return shown
    connect_args = {"connect_timeout": 10} if url.get_backend_name() == "postgresql" else {}
    engine = sa.create_engine(url, connect_args=connect_args)
    try:
        with engine.connect():
            pass
    except Exception as error:  # any failure to connect: say so, do not hang
        raise StoreError(f"cannot connect to the conversation store {shown}: "
                         f"{type(error).__name__}") from error
    finally:
        engine.dispose()
    return shown


def open_store(endpoints_path: Path, domain: Domain) -> Tuple[TrackerStore, str]:
    """The tracker store the server uses, and a printable description of it."""
    config = tracker_store_config(endpoints_path)
    shown = config.type
    if config.type.lower() == "sql":
        shown = _check_sql_store(config)
    # Rasa logs conversation ids at debug level; nothing of a conversation goes to logs here.
    logging.getLogger("rasa.core.tracker_store").setLevel(logging.WARNING)
    try:
        store = TrackerStore.create(config, domain=domain)
    except Exception as error:
        raise StoreError(f"cannot open the conversation store ({config.type}): {error}") from error
    return store, shown


# --- which turns are listed ---------------------------------------------------------------

@dataclass
class _Turn:
    user: UserUttered
    actions: List[str]
    next_user: Optional[UserUttered]


def _turns(events: Iterable[Event]) -> Iterator[_Turn]:
    turn: Optional[_Turn] = None
    for event in events:
        if isinstance(event, UserUttered):
            if turn is not None:
                turn.next_user = event
                yield turn
            turn = _Turn(event, [], None)
        elif isinstance(event, ActionExecuted) and turn is not None:
            if event.action_name and event.action_name != ACTION_LISTEN_NAME:
                turn.actions.append(event.action_name)
    if turn is not None:
        yield turn


def _is_payload(text: Optional[str]) -> bool:
    return (text or "").lstrip().startswith(INTENT_MESSAGE_PREFIX)


def _ranked(parse_data: dict) -> Tuple[Optional[str], float, Optional[str], float]:
    """The classifier's own top two intents (its guess before any fallback)."""
    if is_fallback_classifier_prediction(parse_data):
        parse_data = undo_fallback_prediction(parse_data)
    ranking = [r for r in parse_data.get("intent_ranking") or []
               if r.get("name") not in (None, "nlu_fallback")]
    if not ranking:
        top = parse_data.get("intent") or {}
        ranking = [top] if top.get("name") not in (None, "nlu_fallback") else []
    if not ranking:
        return None, 0.0, None, 0.0
    first = ranking[0]
    second = ranking[1] if len(ranking) > 1 else {}
    return (first["name"], float(first.get("confidence") or 0.0),
            second.get("name"), float(second.get("confidence") or 0.0))


def reasons_for(turn_intent: Optional[str], actions: Sequence[str], confidence: float,
                min_confidence: float) -> Tuple[str, ...]:
    reasons = []
    if turn_intent == "nlu_fallback" or CLARIFY_ACTIONS.intersection(actions):
        reasons.append("nlu_fallback")
    if turn_intent == OUT_OF_SCOPE_INTENT or OUT_OF_SCOPE_ACTIONS.intersection(actions):
        reasons.append("out_of_scope")
    if CORE_FALLBACK_ACTIONS.intersection(actions):
        reasons.append("core_fallback")
    if confidence < min_confidence:
        reasons.append("low_confidence")
    return tuple(reasons)


def _choice(turn: _Turn, reasons: Tuple[str, ...], intents: Iterable[str]) -> Optional[str]:
    if turn.next_user is None or not _is_payload(turn.next_user.text):
        return None
    if not {"nlu_fallback", "out_of_scope"}.intersection(reasons):
        return None
    chosen = turn.next_user.intent_name
    return chosen if chosen in set(intents) - NOT_A_CHOICE else None


def candidates_in(conversation_id: str, events: Iterable[Event], *, since: Optional[float],
                  until: Optional[float], min_confidence: float, wanted: Iterable[str],
                  intents: Iterable[str]) -> Tuple[List[Candidate], int]:
    """The listed turns of one conversation, and how many user messages it had in range."""
    wanted = set(wanted)
    digest = hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:16]
    listed, in_range = [], 0
    for turn in _turns(events):
        user = turn.user
        text = " ".join((user.text or "").split())  # one line, however it was typed
        if not text or _is_payload(text):
            continue
        if (since is not None and user.timestamp < since) or (until is not None and user.timestamp >= until):
            continue
        in_range += 1
        parse_data = user.parse_data or {}
        guessed, confidence, second, second_confidence = _ranked(parse_data)
        reasons = reasons_for(user.intent_name, turn.actions, confidence, min_confidence)
        reasons = tuple(r for r in reasons if r in wanted)
        if not reasons:
            continue
        listed.append(Candidate(
            text=text, timestamp=float(user.timestamp), conversation=digest,
            guessed_intent=guessed, confidence=round(confidence, 4), second_intent=second,
            second_confidence=round(second_confidence, 4), reasons=reasons,
            shopper_chose=_choice(turn, reasons, intents),
        ))
    return listed, in_range


async def _read(store: TrackerStore, **options) -> Tuple[List[Candidate], int, int]:
    candidates: List[Candidate] = []
    conversations = in_range = 0
    for conversation_id in sorted(await store.keys()):
        tracker = await store.retrieve_full_tracker(conversation_id)
        if tracker is None:
            continue
        conversations += 1
        listed, count = candidates_in(conversation_id, tracker.events, **options)
        candidates.extend(listed)
        in_range += count
    return candidates, conversations, in_range


def run_coroutine(coroutine):
    """Run a tracker-store coroutine to completion from synchronous code — also when the
    caller's thread already runs an event loop (an async caller, or Playwright's sync API in
    the test suite), where ``asyncio.run`` refuses: then on a private loop in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def read_candidates(endpoints_path: Path, domain: Domain, *, since: Optional[float] = None,
                    until: Optional[float] = None, min_confidence: float = DEFAULT_MIN_CONFIDENCE,
                    reasons: Iterable[str] = REASONS) -> Reading:
    store, shown = open_store(endpoints_path, domain)
    try:
        candidates, conversations, in_range = run_coroutine(_read(
            store, since=since, until=until, min_confidence=min_confidence, wanted=reasons,
            intents=domain.intents))
    finally:
        engine = getattr(store, "engine", None)
        if engine is not None:
            engine.dispose()
    candidates.sort(key=lambda c: c.timestamp)
    return Reading(candidates, conversations, in_range, shown)
