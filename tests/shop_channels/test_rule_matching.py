"""shop_channels.rule_matching: RulePolicy keeps exactly the rules Rasa's own matching keeps,
on the trained model's rules, for states taken from those rules and for broken variants."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine import loader
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET

from shop_channels import rule_matching
from shop_channels.rule_matching import STOCK_GET_POSSIBLE_KEYS, get_possible_keys
from tests.support.stack import latest_model


@pytest.fixture(scope="module")
def policy(tmp_path_factory) -> RulePolicy:
    model = latest_model()
    assert model is not None, "train a model first (scripts/train.sh)"
    _, runner = loader.load_predict_graph_runner(
        tmp_path_factory.mktemp("rules"), Path(model), LocalModelStorage, DaskGraphRunner
    )
    found = [
        node._component
        for node in runner._instantiated_nodes.values()
        if isinstance(getattr(node, "_component", None), RulePolicy)
    ]
    assert len(found) == 1
    return found[0]


def _rule_states(policy):
    return [
        state
        for lookup in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH)
        for key in policy.lookup[lookup]
        for state in json.loads(key)
    ]


def _values(states):
    """Every (state type, feature) -> values seen in the rules, to build near misses from."""
    seen = {}
    for state in states:
        for state_type, sub_state in state.items():
            for key, value in sub_state.items():
                seen.setdefault((state_type, key), []).append(tuple(value) if isinstance(value, list) else value)
    return seen


def _variant(rng, state, values):
    """A copy of ``state`` with features dropped, changed to another rule's value, emptied or
    set to SHOULD_NOT_BE_SET, a sub-state removed, or another rule's sub-state added."""
    state = copy.deepcopy(state)
    for state_type, sub_state in list(state.items()):
        for key in list(sub_state):
            roll = rng.random()
            if roll < 0.15:
                del sub_state[key]
            elif roll < 0.3:
                sub_state[key] = rng.choice(values[(state_type, key)])
            elif roll < 0.35:
                sub_state[key] = SHOULD_NOT_BE_SET
            elif roll < 0.4:
                sub_state[key] = 0.0
        if rng.random() < 0.1:
            del state[state_type]
    if rng.random() < 0.2:
        state_type, key = rng.choice(list(values))
        state.setdefault(state_type, {})[key] = rng.choice(values[(state_type, key)])
    return state


def test_the_same_rules_as_rasas_matching(policy):
    rng = random.Random(18)
    states = _rule_states(policy)
    values = _values(states)
    histories = [json.loads(key) for key in policy.lookup[RULES]]  # every rule's own states
    histories += [[_variant(rng, s, values) for s in h] for h in histories for _ in range(3)]
    histories += [[rng.choice(states) for _ in range(rng.randint(1, 6))] for _ in range(300)]
    histories += [[{}], [{PREVIOUS_ACTION: {}}], []]
    kept = 0
    for history in histories:
        for lookup in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
            expected = STOCK_GET_POSSIBLE_KEYS(policy, policy.lookup[lookup], copy.deepcopy(history))
            assert get_possible_keys(policy, policy.lookup[lookup], history) == expected
            kept += len(expected)
    assert len(policy.lookup[RULES]) > 50 and kept > 300  # the test matched real rules


def test_patch_is_installed_and_compiles_each_rule_once(policy, monkeypatch):
    import shop_channels  # noqa: F401  (installs it, as in the Rasa server)

    assert RulePolicy._get_possible_keys is get_possible_keys
    compiled = []
    real = rule_matching.compile_rule
    monkeypatch.setattr(rule_matching, "compile_rule", lambda key: compiled.append(key) or real(key))
    policy.__dict__.pop("_shop_rule_index", None)
    states = json.loads(next(iter(policy.lookup[RULES])))
    for _ in range(3):
        policy._get_possible_keys(policy.lookup[RULES], states)
    assert sorted(compiled) == sorted(policy.lookup[RULES])
    changed = dict(policy.lookup[RULES])  # another lookup object: its own index
    changed.pop(next(iter(changed)))
    assert policy._get_possible_keys(changed, states) == STOCK_GET_POSSIBLE_KEYS(policy, changed, states)


@pytest.mark.parametrize(
    "newest",
    [
        {},
        {PREVIOUS_ACTION: {}},
        {PREVIOUS_ACTION: {"action_name": None}},
        {PREVIOUS_ACTION: {"action_name": "action_listen"}},
        {PREVIOUS_ACTION: {"action_text": "hi"}},
        {PREVIOUS_ACTION: {"action_name": "no_such_action"}},
    ],
)
def test_odd_newest_states_keep_what_rasa_keeps(policy, newest):
    for lookup in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        for history in ([newest], [{PREVIOUS_ACTION: {"action_name": "action_listen"}}, newest]):
            expected = STOCK_GET_POSSIBLE_KEYS(policy, policy.lookup[lookup], copy.deepcopy(history))
            assert get_possible_keys(policy, policy.lookup[lookup], history) == expected
