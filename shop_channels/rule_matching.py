"""RulePolicy finds the rules that apply with each rule read once, not once per prediction.

Every prediction of RulePolicy (one or two per action after a message, one per action
otherwise) filters *all* of its rules against the conversation's states, newest first
(``RulePolicy._get_possible_keys``): for each rule and each state it parses the rule's JSON key
again (an LRU cache of 1,000 keys in Rasa), reverses the list of its states, and then checks
each feature of the rule's state, turning lists into tuples again on the way. With the shop's
rules that was the largest cost of the dialogue policy: ~18 % of the Rasa server's main-thread
CPU in a cProfile of the conversation benchmark's scripted flows (bench/TURN_COST.md, perf1).

``install()`` (pinned Rasa only) replaces the method with one that compiles each rule key once
per policy object (kept on it, so a new model starts afresh) into its states, newest first,
each as: whether it has a previous action, the features that must equal a value (lists already
tuples) and the features that must not be set; features whose rule value is empty check
nothing in Rasa either and are left out. The rules are grouped by the previous action their
newest state requires, and only the group of the conversation's previous action (and the rules
that require none) are tried: any other rule fails Rasa's check of that very feature. The
filter then applies Rasa's own tests
(``_is_rule_applicable``, ``_does_rule_match_state``) in the same order of states, so it keeps
exactly the keys Rasa keeps (tests: tests/shop_channels/test_rule_matching.py, on the trained
model's rules and on states built from them).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.core.domain import State
from rasa.shared.nlu.constants import ACTION_NAME

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
STOCK_GET_POSSIBLE_KEYS = RulePolicy._get_possible_keys
_INDEX_ATTRIBUTE = "_shop_rule_index"

# One rule state: (has a previous action, [(state type, feature, value it must have)],
# [(state type, feature)] that must not be set).
CompiledState = Tuple[bool, List[Tuple[Text, Text, Any]], List[Tuple[Text, Text]]]


def compile_state(rule_state: State) -> CompiledState:
    """What ``RulePolicy._does_rule_match_state`` checks of ``rule_state``, read once."""
    equal, unset = [], []
    for state_type, rule_sub_state in rule_state.items():
        for key, value in rule_sub_state.items():
            if isinstance(value, list):
                value = tuple(value)  # json turned Rasa's tuples into lists (as Rasa does)
            if value == SHOULD_NOT_BE_SET:
                unset.append((state_type, key))
            elif value:
                equal.append((state_type, key, value))
            # an empty value (None, 0, "", ()) is checked by neither of Rasa's conditions
    return bool(rule_state.get(PREVIOUS_ACTION)), equal, unset


def compile_rule(rule_key: Text) -> List[CompiledState]:
    """The rule's states, newest first (``turn_index`` order), compiled."""
    return [compile_state(state) for state in reversed(json.loads(rule_key))]


def state_matches(compiled: CompiledState, conversation_state: State) -> bool:
    """``RulePolicy._is_rule_applicable`` for a turn the rule reaches."""
    rule_has_previous_action, equal, unset = compiled
    has_previous_action = bool(conversation_state.get(PREVIOUS_ACTION))
    if not rule_has_previous_action and not has_previous_action:
        return True  # both conversation starters
    if not rule_has_previous_action or not has_previous_action:
        return False
    for state_type, key, value in equal:
        if conversation_state.get(state_type, {}).get(key) != value:
            return False
    for state_type, key in unset:
        present = conversation_state.get(state_type, {}).get(key)
        if present and present != SHOULD_NOT_BE_SET:
            return False
    return True


def _rule_index(self: RulePolicy, lookup: Dict[Text, Text]):
    """The lookup's rules compiled, grouped by the previous action their newest state requires
    (None: no such requirement); built once per lookup object of the policy."""
    indexes = self.__dict__.get(_INDEX_ATTRIBUTE)
    if indexes is None:
        indexes = self.__dict__[_INDEX_ATTRIBUTE] = {}
    entry = indexes.get(id(lookup))
    if entry is not None and entry[0] is lookup and entry[1] == len(lookup):
        return entry[2]
    by_action: Dict[Any, List[Tuple[Text, List[CompiledState]]]] = {None: []}
    for key in lookup:
        rule = compile_rule(key)
        required = None
        if rule:
            required = next(
                (
                    value
                    for state_type, feature, value in rule[0][1]
                    if state_type == PREVIOUS_ACTION and feature == ACTION_NAME
                ),
                None,
            )
        by_action.setdefault(required, []).append((key, rule))
    indexes[id(lookup)] = (lookup, len(lookup), by_action)
    return by_action


def get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
    """``RulePolicy._get_possible_keys`` with each rule compiled once."""
    by_action = _rule_index(self, lookup)
    rules = None
    if states:
        # The newest state: a rule that requires another previous action than the
        # conversation's fails Rasa's check of that feature, so only these can match.
        previous = states[-1].get(PREVIOUS_ACTION) or {}
        action = previous.get(ACTION_NAME) if isinstance(previous, dict) else ...
        if isinstance(action, str):
            rules = by_action[None] + by_action.get(action, [])
        elif action is None:
            rules = by_action[None]
    if rules is None:  # no state, or an odd one: every rule, as Rasa
        rules = [rule for group in by_action.values() for rule in group]
    for turn_index, state in enumerate(reversed(states)):
        # A rule shorter than the history so far applies (Rasa: "got further than the
        # rule's length").
        rules = [
            (key, rule) for key, rule in rules if turn_index >= len(rule) or state_matches(rule[turn_index], state)
        ]
    return {key for key, _ in rules}


def install() -> bool:
    """Patch Rasa once; True when in place."""
    return patch_pinned(
        [(RulePolicy, "_get_possible_keys", get_possible_keys)],
        PATCHED_RASA_VERSIONS,
        "stock rule matching",
        logger=logger,
        level=logging.INFO,
    )


__all__ = ["STOCK_GET_POSSIBLE_KEYS", "compile_rule", "get_possible_keys", "install", "state_matches"]
