"""Copies the Rasa server made on every turn and did not need (bench/TURN_COST.md, round 7).

1. Running an action copies the tracker without replaying the conversation. Before each
action of a turn, Rasa's ``MessageProcessor._run_action`` takes ``tracker.copy()`` (so that a
rejected action leaves the tracker as it was), and ``DialogueStateTracker.copy`` is
``travel_back_in_time(inf)``: a new tracker, every slot copied, every slot reset, then every
event of the session applied again, one ``update`` each. A turn runs two to four actions, so
this replayed the session two to four times per turn (6 % of the Rasa server's main-thread CPU
in a cProfile of bench/turn_cpu.py's flows; more in long sessions: the replay grows with the
session). The tracker's state is, by Rasa's own rule, what its events make of the initial
state ("MUST be re-creatable by processing all the events"), so ``copy_tracker`` builds the
copy from that state directly: the same events (a new deque of the same event objects, as the
replay appends them), each slot copied as ``init_copy`` copies it (``copy.copy``, done
directly — a new object with the same attributes — for slot classes whose copy is exactly
that, ``copy_slot``: 13 instead of 61 µs for the domain's 18 slots; the value object is the one
the last ``SlotSet`` gave, as after the replay), the loop and the latest
action as new objects of equal value (the replay builds new ones; Rasa edits the loop in
place), the latest user and bot messages the same event objects (a new empty one when no such
event set it), and what ``init_copy`` leaves out left out again (``model_id``,
``assistant_id``, ``sender_source``, and anything else kept in the tracker's ``__dict__``:
this project's notes of fix 5 / 7 in ``rasa_speedups`` and of ``policy_states``).
A tracker that drops old events (``max_event_history``), holds Rasa's any-slot dictionary, or
is of a subclass of ``DialogueStateTracker`` keeps Rasa's replay. Test: the copy's state equal
to the replay's, attribute by attribute, after every event of conversations with forms,
undone turns, restarts and new sessions, and editing the copy leaves the original as it was.

2. An action's events are deep-copied for the debug log only when the debug log is on.
``MessageProcessor._log_action_on_tracker`` passes ``copy.deepcopy(prediction.events)`` and
``copy.deepcopy(events)`` to ``structlogger.debug`` on every action, and Rasa's structlog
configuration (``make_filtering_bound_logger`` at the server's log level) turns ``debug`` into
a function that does nothing below DEBUG: the copies were thrown away (3.4 % of the main
thread's CPU in the same profile). The patched method does the same updates in the same order
and skips only the two copies when ``debug`` is that no-op; with the debug log on it is
Rasa's own method.

Both patch only the Rasa version they were written against (``shop_channels.patching``).
"""
from __future__ import annotations

import copy
import copyreg
import logging
from collections import deque
from typing import Any, Dict, List, Optional

import structlog
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.events import ActionExecutionRejected, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
STOCK_TRACKER_COPY = DialogueStateTracker.copy
STOCK_LOG_ACTION_ON_TRACKER = MessageProcessor._log_action_on_tracker

try:  # the function structlog's filtering loggers use for a level that is off
    from structlog._native import _nop as _STRUCTLOG_NOP
except ImportError:  # pragma: no cover - another structlog: always take Rasa's own method
    _STRUCTLOG_NOP = None


# Slot classes for which copy.copy comes down to "a new object with the same __dict__" (Python's
# generic path: object.__reduce_ex__, copyreg.__newobj__, then __dict__.update); None: not yet
# looked at.
_PLAIN_COPY: Dict[type, bool] = {}


def _copies_plainly(cls: type) -> bool:
    plain = _PLAIN_COPY.get(cls)
    if plain is None:
        plain = _PLAIN_COPY[cls] = (
            cls not in copy._copy_dispatch and cls not in copyreg.dispatch_table  # type: ignore[attr-defined]
            and getattr(cls, "__copy__", None) is None
            and cls.__reduce_ex__ is object.__reduce_ex__ and cls.__reduce__ is object.__reduce__
            and getattr(cls, "__getstate__", object.__getstate__) is object.__getstate__
            and getattr(cls, "__setstate__", None) is None
            and not _slot_names(cls)
            and cls.__new__ is object.__new__)
    return plain


def _slot_names(cls: type) -> List[str]:
    """Names in the ``__slots__`` of the class and its bases (``abc.ABC`` declares none)."""
    names = []
    for base in cls.__mro__:
        declared = vars(base).get("__slots__", ())
        names += [declared] if isinstance(declared, str) else list(declared)
    return [name for name in names if name not in ("__dict__", "__weakref__")]


def copy_slot(slot: Any) -> Any:
    """``copy.copy(slot)``, without its generic path when the slot's class copies plainly."""
    cls = type(slot)
    if not _copies_plainly(cls):
        return copy.copy(slot)
    clone = object.__new__(cls)
    clone.__dict__.update(slot.__dict__)
    return clone


def _latest_event(events: deque, current: Any, empty: Any) -> Any:
    """The tracker's latest user (bot) message for the copy: the same event object when an
    event of the tracker set it, else a new empty one (what the replay's reset makes)."""
    for event in reversed(events):
        if event is current:
            return current
    return empty()


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """``DialogueStateTracker.copy`` without replaying the events (fix 1 above)."""
    if (type(self) is not DialogueStateTracker or self._max_event_history is not None
            or type(self.slots) is not dict):
        return STOCK_TRACKER_COPY(self)
    clone = DialogueStateTracker.__new__(DialogueStateTracker)
    state = clone.__dict__
    # The attributes in the order DialogueStateTracker.__init__ sets them.
    state["_max_event_history"] = None
    state["events"] = deque(self.events)
    state["sender_id"] = self.sender_id or DEFAULT_SENDER_ID
    state["slots"] = {slot.name: copy_slot(slot) for slot in self.slots.values()}
    state["sender_source"] = None
    state["is_rule_tracker"] = self.is_rule_tracker
    state["_paused"] = self._paused
    state["followup_action"] = self.followup_action
    latest_action = self.latest_action
    state["latest_action"] = dict(latest_action) if isinstance(latest_action, dict) else latest_action
    state["latest_message"] = _latest_event(self.events, self.latest_message, UserUttered.empty)
    state["latest_bot_utterance"] = _latest_event(self.events, self.latest_bot_utterance, BotUttered.empty)
    loop = self.active_loop
    if loop is not None:
        loop = copy.copy(loop)
        if isinstance(loop.trigger_message, dict):
            loop.trigger_message = dict(loop.trigger_message)
    state["active_loop"] = loop
    state["model_id"] = None
    state["assistant_id"] = None
    return clone


def _debug_log_is_off() -> bool:
    if _STRUCTLOG_NOP is None:
        return False
    wrapper = structlog.get_config().get("wrapper_class")
    return getattr(wrapper, "debug", None) is _STRUCTLOG_NOP


def log_action_on_tracker(
    self: MessageProcessor,
    tracker: DialogueStateTracker,
    action: Any,
    events: Optional[List[Any]],
    prediction: Any,
) -> None:
    """``MessageProcessor._log_action_on_tracker`` without the debug log's deep copies when
    the debug log is off (fix 2 above); Rasa's own method otherwise."""
    if not _debug_log_is_off():
        return STOCK_LOG_ACTION_ON_TRACKER(self, tracker, action, events, prediction)
    if events is None:
        events = []
    action_was_rejected_manually = any(isinstance(event, ActionExecutionRejected) for event in events)
    if not action_was_rejected_manually:
        tracker.update_with_events(prediction.events, self.domain)
        tracker.update(action.event_for_successful_execution(prediction))
    tracker.update_with_events(events, self.domain)
    return None


def install() -> bool:
    """Patch Rasa once; True when the fixes are in place."""
    return patch_pinned([(DialogueStateTracker, "copy", copy_tracker),
                         (MessageProcessor, "_log_action_on_tracker", log_action_on_tracker)],
                        PATCHED_RASA_VERSIONS, "stock tracker copies and debug-log copies",
                        logger=logger, level=logging.INFO)


__all__ = ["STOCK_LOG_ACTION_ON_TRACKER", "STOCK_TRACKER_COPY", "copy_slot", "copy_tracker", "install", "log_action_on_tracker"]
