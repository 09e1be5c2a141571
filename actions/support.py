"""What every action needs: the verified shopper, database work off the event loop, and a
polite apology (plus a log line an operator can act on) when something fails."""
from __future__ import annotations

import abc
import asyncio
import functools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection
from sqlalchemy.exc import SQLAlchemyError

from actions.settings import ActionSettings, load_settings
from assistant.mood import HANDOFF_AFTER, SORRY_FIRST, sounds_angry
from shop.db import search_index
from shop.db.engine import default_engine, session_scope
from assistant.after_sales_dialogue import topic_intents
from assistant.faq import faq_book, use_faq_file
from growth.experiments import use_experiments_file
from recommender.service import use_model_dir
from shop.domain.handoff_queue import DeskHours
from shop.domain.numbers import as_product_id  # noqa: F401 - the actions' name for it
from shop.identity import CLIENT_METADATA_KEY, IdentityConfigError, is_client_tag, resolve_customer_id

logger = logging.getLogger(__name__)

T = TypeVar("T")

SERVICE_UNAVAILABLE = "utter_service_unavailable"
# A confirmed change the database refused (see ``confirm_again``).
NOT_SAVED = "抱歉，系统暂时开了个小差，{what}还没有提交成功，您填写的信息都还在。请稍后再回复“确认”重新提交，或说“转人工”。"


class _Runtime:
    """The action server runs on one asyncio loop; SQLAlchemy is synchronous. Every query
    runs on this bounded pool so one slow query never stalls other shoppers' turns.
    ``lock_wait_s``: how long a shopper-facing write waits for another writer's lock before
    it gives up and the shopper gets a polite reply (instead of SQLite's 10 s or
    PostgreSQL's forever)."""

    def __init__(self, settings: ActionSettings, configured: bool = False) -> None:
        self.settings = settings
        self.configured = configured     # by the server at start-up (not lazily, in-process)
        self.pool = ThreadPoolExecutor(max_workers=settings.db_threads, thread_name_prefix="shop-db")


_runtime: Optional[_Runtime] = None
_runtime_lock = threading.Lock()


def configure(settings: ActionSettings) -> None:
    """Called once at start-up by ``actions.server.main`` with the checked settings: the
    pool, and the files and folders the assistant reads (passed down, not looked up)."""
    global _runtime
    with _runtime_lock:
        if _runtime is not None:
            _runtime.pool.shutdown(wait=False)
        _runtime = _Runtime(settings, configured=True)
    # Answers from memory on the event loop; the file is checked off it (``under_error_policy``).
    use_faq_file(settings.faq_path, {"desk_hours": settings.desk_hours.text}, checks_file_on_read=False)
    use_experiments_file(settings.experiments_path)
    use_model_dir(settings.recommender_dir)


def _current() -> _Runtime:
    """The configured runtime; in-process use (tests, tools) that never called ``configure``
    gets the environment's settings on first use, checked the same way."""
    global _runtime
    if _runtime is None:
        with _runtime_lock:
            if _runtime is None:
                _runtime = _Runtime(load_settings(require_secret=False))
    return _runtime


def desk_hours() -> DeskHours:
    """The human desk's hours (SHOP_DESK_HOURS, read at start-up)."""
    return _current().settings.desk_hours


def guest_lookup_max_client_failures() -> int:
    """Failed guest look-ups one client may make an hour (GUEST_LOOKUP_MAX_CLIENT_FAILURES)."""
    return _current().settings.guest_lookup_max_client_failures


def warm_up() -> None:
    """Before the first turn: jieba's dictionary for product search (about a second), the FAQ
    file and the vocabulary's topic intents (read once; not on the event loop in a turn)."""
    search_index.warm_up()
    faq_book().refresh()
    topic_intents()


async def run_blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_current().pool, functools.partial(function, *args, **kwargs))


def _in_unit_of_work(lock_wait_s: Optional[float], writes: bool, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with session_scope(default_engine(), lock_wait_s=lock_wait_s, writes=writes) as session:
        return query(session, *args, **kwargs)


async def db(query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``query(session, *args, **kwargs)`` in its own unit of work, off the event loop.
    For reads; a query that writes goes through ``db_confirmed`` or ``db_prompt``."""
    return await run_blocking(_in_unit_of_work, None, False, query, *args, **kwargs)


# Pauses between tries of a confirmed write that collides with another writer (then a last try).
CONFIRMED_WRITE_PAUSES_S = (0.1, 0.3, 0.8)


async def db_confirmed(query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``db`` for a change the shopper confirmed ("确认"): a write lock held elsewhere, a lost
    race with another writer or a deadlock wrote nothing, so it is tried again; by then the
    query's own checks see what the other writer did (an after-sales request already filed, an
    order already cancelled). Each try waits at most ``ACTION_DB_LOCK_WAIT_S`` for the lock
    (``db_prompt``): the tries together must end well inside ``ACTION_CALL_TIMEOUT_S``, so a
    database that keeps refusing is told to the shopper as not done ("还没有提交成功", see
    ``confirm_again``) rather than as a timeout that may or may not have written. Raises the
    last SQLAlchemyError."""
    for pause in CONFIRMED_WRITE_PAUSES_S:
        try:
            return await db_prompt(query, *args, **kwargs)
        except SQLAlchemyError:
            logger.warning("a confirmed write (%s) failed; retrying in %.1f s", query.__name__, pause, exc_info=True)
            await asyncio.sleep(pause)
    return await db_prompt(query, *args, **kwargs)


async def db_prompt(query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``db`` for a write the shopper waits on: if another writer holds the lock for more
    than ``ACTION_DB_LOCK_WAIT_S``, it fails (SQLAlchemyError) rather than keep the shopper waiting.
    Takes the write lock up front (``session_scope(writes=True)``), so on SQLite its reads
    before the write cannot be overtaken by another process's commit ("database is locked" at
    once, with no wait); the wait is for that lock."""
    return await run_blocking(_in_unit_of_work, _current().settings.lock_wait_s, True, query, *args, **kwargs)


def current_customer_id(tracker: Tracker) -> Optional[int]:
    """The shopper behind the latest message, verified from its signed token; None = guest.

    Read on every use from the message itself, never from a slot, so nothing typed into
    the chat (including ``/intent{...}`` messages) can change it.
    """
    metadata = (tracker.latest_message or {}).get("metadata")
    runtime = _runtime
    # The server's settings; in-process use (tests, tools) reads the environment on use.
    identity = runtime.settings.identity if runtime is not None and runtime.configured else None
    try:
        return resolve_customer_id(metadata, tracker.get_latest_input_channel(), tracker.sender_id, identity)
    except IdentityConfigError:
        logger.error("SHOP_TOKEN_SECRET is not configured; treating every shopper as a guest")
        return None


def client_of(tracker: Tracker) -> Optional[str]:
    """The tag of the client the latest message came from, as the channel recorded it
    (``shop_channels.identity.bind_conversation`` drops any a client sent); None when the
    channel knew none (rasa shell)."""
    tag = ((tracker.latest_message or {}).get("metadata") or {}).get(CLIENT_METADATA_KEY)
    return tag if is_client_tag(tag) else None


def entity_values(tracker: Tracker, name: str) -> List[str]:
    """Values of entity ``name`` in the latest message, in order, without duplicates."""
    values: List[str] = []
    for entity in (tracker.latest_message or {}).get("entities", []):
        value = entity.get("value")
        if entity.get("entity") == name and value not in (None, "") and str(value) not in values:
            values.append(str(value))
    return values


def first_entity(tracker: Tracker, name: str) -> Optional[str]:
    values = entity_values(tracker, name)
    return values[0] if values else None


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent the latest message was read as (None before any message)."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


# Actions that answer a question: an angry question ("等了五天还没到😤") is answered with an
# apology first and a hand-off offer after. Out of scope, clarification and hand-off calm
# the shopper themselves.
ANSWERS_WITH_APOLOGY = frozenset({
    "action_order_status", "action_product_inquiry", "action_purchase_help", "action_recommend",
    "action_continue_with_details",
})


class ShopAction(Action, metaclass=abc.ABCMeta):
    """Base class: subclasses implement ``handle``; failures become a polite apology.

    A database outage or a bug in one turn must not break the conversation: the shopper
    gets an apology and can carry on once the service is back; the log records the action,
    the conversation and the intent so an operator can act on it.
    """

    @abc.abstractmethod
    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """The action's work; exceptions are turned into an apology by ``run``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        angry = self.name() in ANSWERS_WITH_APOLOGY and sounds_angry((tracker.latest_message or {}).get("text") or "")
        if angry:
            dispatcher.utter_message(text=SORRY_FIRST)
        events = await under_error_policy(self.name(), dispatcher, tracker,
                                          lambda: self.handle(dispatcher, tracker, domain))
        if angry:
            from actions.offers import OFFER_HANDOFF, OFFER_SLOT  # actions.offers builds on this module

            if not any(e.get("event") == "slot" and e.get("name") == OFFER_SLOT for e in events):
                # The question is answered; the anger gets a way to a person too.
                dispatcher.utter_message(text=HANDOFF_AFTER, buttons=[{"title": "转人工", "payload": "/human_handoff"}])
                events = list(events) + [SlotSet(OFFER_SLOT, OFFER_HANDOFF)]
        return events


class ShopFormValidation(FormValidationAction, metaclass=abc.ABCMeta):
    """``FormValidationAction`` under the same error policy as ``ShopAction``: a database
    error while validating a slot is an apology (the form asks again), not an HTTP 500."""

    @abc.abstractmethod
    def name(self) -> str:
        """``validate_<form name>``; abstract, so rasa_sdk does not register this base itself."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        validate = super().run
        return await under_error_policy(self.name(), dispatcher, tracker,
                                        lambda: validate(dispatcher, tracker, domain))


async def under_error_policy(
    name: str, dispatcher: CollectingDispatcher, tracker: Tracker,
    work: Callable[[], Awaitable[List[Dict[str, Any]]]],
) -> List[Dict[str, Any]]:
    """Run one action's work; any failure becomes the polite apology and a log line naming
    the action, the conversation and the intent (see ``ShopAction``)."""
    try:
        # The FAQ file checked (and re-read when an operator changed it) off the event loop:
        # the turn's answers then come from memory.
        await run_blocking(faq_book().refresh)
        return await work()
    except ActionExecutionRejection:
        raise  # Rasa's protocol for "this form cannot take that slot", not a failure
    except SQLAlchemyError:
        logger.exception("database error in %s (conversation %s, intent %s)",
                         name, tracker.sender_id, latest_intent(tracker))
    except Exception:  # noqa: BLE001 - see ShopAction's docstring
        logger.exception("%s failed (conversation %s, intent %s)", name, tracker.sender_id, latest_intent(tracker))
    dispatcher.utter_message(response=SERVICE_UNAVAILABLE)
    return []


def confirm_again(dispatcher: CollectingDispatcher, form: str, confirm_slot: str, what: str) -> List[Dict[str, Any]]:
    """After a write the shopper confirmed ("确认") failed in the database: nothing was saved.

    By then the form had closed, so the general apology left the shopper's next "确认"
    with no question to answer and the request was silently lost. Instead the shopper hears
    that ``what`` was not saved, and the form is opened again at its confirmation question
    with every answer kept (Rasa then runs the form, which asks that question again without
    re-reading the old "确认"), so "确认" once the database is back saves it once."""
    dispatcher.utter_message(text=NOT_SAVED.format(what=what))
    return [SlotSet(confirm_slot, None), ActiveLoop(form), SlotSet("requested_slot", confirm_slot)]
