"""A tracker's dialogue states, rebuilt once per tracker state instead of once per policy call.

Rasa's policies read the conversation as a list of states (``DialogueStateTracker.past_states``
→ ``Domain.states_for_tracker_history``), which replays every event of the session onto a
fresh tracker copy and takes the active state after each action: its cost grows with the
session. RulePolicy asks for the same states twice right after a shopper's message (once to
match rules on the message text, once on its intent), and nothing changes the tracker in
between. ``install()`` keeps the last states on the tracker they were made from, keyed by what
they depend on (the domain, the number of events, the last event itself, the three options),
and hands every caller its own copy: Rasa's featurizers edit the last state in place
(``_choose_last_user_input`` deletes the user's text or intent), so the kept list is never
given out.

A tracker with more events is not replayed from its first event either (for the options
RulePolicy uses, ``ignore_rule_only_turns`` off). Rasa replays the whole session onto a fresh
copy on every call, so the policies' cost grew with the session (py-spy, 160 turns in one
session: the largest growing cost after the action-server payload, bench/TURN_COST.md). The
tracker keeps the replay where it stopped (the replayed copy, the events it applied and the
states taken before each action) and, when Rasa's applied events still begin with exactly
those event objects, replays only the events added since; anything else (an undone turn, a
restart, a new session, another domain or ``omit_unset_slots``) replays from the start as
Rasa does. The replay is not copied with the tracker (``copy.deepcopy``): a copy has other
event objects and starts its own. The states are built by Rasa's own methods in Rasa's order
(the ones ``Domain.states_for_tracker_history`` calls), so they are equal to Rasa's.

Measured in bench/TURN_COST.md (round 4). Installed by ``shop_channels`` for the Rasa server,
only on the Rasa version it was written against; training keeps Rasa's own method.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
STOCK_PAST_STATES = DialogueStateTracker.past_states
_CACHE_ATTRIBUTE = "_shop_past_states"
_REPLAY_ATTRIBUTE = "_shop_states_replay"


class _Replay:
    """How far a tracker's events were replayed for its states (see the module's docstring)."""

    __slots__ = ("domain", "omit_unset_slots", "replayed", "applied", "states")

    def __init__(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> None:
        self.domain, self.omit_unset_slots = domain, omit_unset_slots
        self.replayed = tracker.init_copy()        # what Rasa's generate_all_prior_trackers starts from
        self.applied: List[Event] = []
        self.states: List[State] = []               # the state before each applied ActionExecuted

    def continues(self, applied: List[Event], domain: Domain, omit_unset_slots: bool) -> bool:
        done = self.applied
        return (self.domain is domain and self.omit_unset_slots == omit_unset_slots and len(applied) >= len(done)
                and all(a is b for a, b in zip(done, applied)))

    def __deepcopy__(self, memo: Dict[int, Any]) -> None:
        return None        # a copied tracker starts its own replay (its events are other objects)

    __copy__ = __deepcopy__


def replayed_states(tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> List[State]:
    """``Domain.states_for_tracker_history(tracker, omit_unset_slots)`` with
    ``ignore_rule_only_turns`` off, replaying only the events added since the last call."""
    applied = tracker.applied_events()
    replay = tracker.__dict__.get(_REPLAY_ATTRIBUTE)
    if replay is None or not replay.continues(applied, domain, omit_unset_slots):
        replay = tracker.__dict__[_REPLAY_ATTRIBUTE] = _Replay(tracker, domain, omit_unset_slots)
    replayed = replay.replayed
    for event in applied[len(replay.applied):]:
        if isinstance(event, ActionExecuted):
            replay.states.append(domain._clean_state(domain.get_active_state(replayed, omit_unset_slots=omit_unset_slots)))
        replayed.update(event)
    replay.applied = applied
    last = domain._clean_state(domain.get_active_state(replayed, omit_unset_slots=omit_unset_slots))
    return replay.states + [last]


def _frozen(value: Any) -> Any:
    """A hashable, order-independent stand-in for ``rule_only_data`` (dicts of name lists)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_frozen(item) for item in value)
    return value


def _copy(states: List[State]) -> List[State]:
    """Each state and each of its sub-states copied: what Rasa's featurizers may edit."""
    return [{key: dict(sub) if isinstance(sub, dict) else sub for key, sub in state.items()} for state in states]


def past_states(self: DialogueStateTracker, domain: Domain, omit_unset_slots: bool = False,
                ignore_rule_only_turns: bool = False,
                rule_only_data: Optional[Dict[Text, Any]] = None) -> List[State]:
    """``DialogueStateTracker.past_states``, answered from the tracker's last result when
    nothing it depends on has changed."""
    events = self.events
    last_event = events[-1] if events else None
    options = (omit_unset_slots, ignore_rule_only_turns, _frozen(rule_only_data))
    kept = self.__dict__.get(_CACHE_ATTRIBUTE)
    # ``is`` on the domain and the last event (both kept alive by the entry, so their ids
    # cannot be reused by other objects while it exists).
    if (kept is not None and kept[0] is domain and kept[1] == len(events) and kept[2] is last_event
            and kept[3] == options):
        return _copy(kept[4])
    if ignore_rule_only_turns:       # rule_only_data is read only then
        states = STOCK_PAST_STATES(self, domain, omit_unset_slots=omit_unset_slots,
                                   ignore_rule_only_turns=ignore_rule_only_turns, rule_only_data=rule_only_data)
    else:
        states = replayed_states(self, domain, omit_unset_slots)
    self.__dict__[_CACHE_ATTRIBUTE] = (domain, len(events), last_event, options, states)
    return _copy(states)


def install() -> bool:
    """Patch Rasa once; True when in place."""
    return patch_pinned([(DialogueStateTracker, "past_states", past_states)], PATCHED_RASA_VERSIONS,
                        "stock dialogue states", logger=logger, level=logging.INFO)


__all__ = ["STOCK_PAST_STATES", "install", "past_states"]
