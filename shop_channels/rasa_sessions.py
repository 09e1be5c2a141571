"""A long conversation goes on in a new Rasa session, so a turn's cost stays bounded.

Rasa 3.6 rebuilds the tracker of the conversation's current session on every turn (the SQL
tracker store reads, decodes and replays every event since the last ``session_started``),
sends that whole tracker to the action server on every custom action, and the policies and
``applied_events`` walk it: a turn costs in proportion to the session's length (bare Rasa:
about 5× from 20 to 300 turns, bench/TURN_COST.md). Sessions end only after
``session_expiration_time`` (60 min) of silence, so a shopper who keeps talking makes every
turn dearer.

``install()`` wraps ``MessageProcessor._has_session_expired`` (pinned Rasa only): the session
also counts as expired once it holds ``SESSION_MAX_USER_TURNS`` messages from the shopper
(default 40; 0 turns the roll-over off), no form is active (a form's questions and answers
stay in one session) and the bot's last turn made no offer (``pending_offer``: a "好的" must
still find it; actions/offers.py reads only offers made within the current session). Rasa then runs ``action_session_start`` before the new message,
as for an expired session: ``carry_over_slots_to_new_session`` (domain.yml) keeps every slot —
the order in view, a pending look-up, the recommendation request. What a new session does not
carry is the events before it: the few readers of the previous turns (a follow-up fragment
read as the question before it, "尾号1234" continuing the last flow, an offer made in the
bot's last turn, the hand-off summary's turns) see only the current session, as after an
expired one. The conversation store keeps every session: the operator console's transcript
(``console/transcript.py``) and the improvement loop (``shop_nlu/improve``) read all of them.

The carried slots are one ``SlotSet`` per slot (``carried_slot_events``). Rasa's
``ActionSessionStart`` carries *every* ``SlotSet`` of the session — the ones it carried into it
included — so each new session started with more of them than the last (26, 48, 72, 78 … in a
130-turn conversation, measured on the tracker store), and every turn of a later session paid
for them in the tracker read, the policies' states and the action call's payload: the turn at
300 cost about twice the turn at 20 (bench/TURN_COST.md, round 4). Keeping each slot's last
``SlotSet`` (its value and metadata, in the order of those last sets) gives the new session the
same slot values.
"""
from __future__ import annotations

import logging
from typing import Iterable, List, Optional

from rasa.core.actions.action import ActionSessionStart
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import Restarted, SessionStarted, SlotSet, UserUttered

from assistant.offers import OFFER_SLOT
from shop_channels.patching import patch_pinned
from shop_channels.settings import DEFAULT_SESSION_MAX_USER_TURNS as DEFAULT_MAX_TURNS

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
_stock_has_session_expired = MessageProcessor._has_session_expired
STOCK_CARRIED_SLOTS = ActionSessionStart._slot_set_events_from_tracker
_max_turns: Optional[int] = None


def session_is_full(events: Iterable, limit: int) -> bool:
    """Whether the current session (events after the last session start or restart) holds
    ``limit`` user messages; walks back at most that far."""
    if limit <= 0:
        return False
    count = 0
    for event in reversed(events):
        if isinstance(event, UserUttered):
            count += 1
            if count >= limit:
                return True
        elif isinstance(event, (SessionStarted, Restarted)):
            return False
    return False


def offered_in_last_turn(events) -> bool:
    """Whether the bot's turn since the shopper's last message left an offer open."""
    for event in reversed(events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, SlotSet) and event.key == OFFER_SLOT:
            return event.value is not None
    return False


def carried_slot_events(tracker) -> List[SlotSet]:
    """Rasa's carried ``SlotSet`` events with only the last one of each slot kept."""
    carried = STOCK_CARRIED_SLOTS(tracker)
    last = {event.key: index for index, event in enumerate(carried)}
    return [event for index, event in enumerate(carried) if last[event.key] == index]


def has_session_expired(self: MessageProcessor, tracker) -> bool:
    if _stock_has_session_expired(self, tracker):
        return True
    if (not self.domain.session_config.are_sessions_enabled() or tracker.active_loop_name
            or offered_in_last_turn(tracker.events)):
        return False
    if session_is_full(tracker.events, _max_turns if _max_turns is not None else DEFAULT_MAX_TURNS):
        logger.debug("conversation %s: %d user turns in this session, going on in a new one",
                     tracker.sender_id, _max_turns)
        return True
    return False


def install(max_turns: int = DEFAULT_MAX_TURNS) -> bool:
    """Patch once with ``max_turns`` (``ChannelSettings.session_max_user_turns``, checked at
    start-up); True when the roll-over is in place (not with 0 turns or another Rasa)."""
    global _max_turns
    _max_turns = max_turns
    if _max_turns == 0:
        MessageProcessor._has_session_expired = _stock_has_session_expired
        ActionSessionStart._slot_set_events_from_tracker = staticmethod(STOCK_CARRIED_SLOTS)
        return False
    return patch_pinned([(MessageProcessor, "_has_session_expired", has_session_expired),
                         (ActionSessionStart, "_slot_set_events_from_tracker", staticmethod(carried_slot_events))],
                        PATCHED_RASA_VERSIONS, "long sessions are not rolled over", logger=logger)
