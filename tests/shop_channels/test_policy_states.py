"""shop_channels.policy_states: the dialogue states the policies read, built once per tracker
state, equal to Rasa's, and never shared between callers."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Restarted, SessionStarted, SlotSet,
                                     UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

from shop_channels import policy_states
from shop_channels.policy_states import STOCK_PAST_STATES, past_states

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
OPTIONS = [dict(), dict(omit_unset_slots=True), dict(ignore_rule_only_turns=True),
           dict(rule_only_data={"slots": ["requested_slot"], "active_loops": ["after_sales_form"]}),
           dict(ignore_rule_only_turns=True, rule_only_data={"active_loops": ["after_sales_form"], "slots": []})]


def conversation():
    return [
        ActionExecuted("action_session_start"), ActionExecuted("action_listen"),
        UserUttered("我要退货", intent={"name": "after_sales", "confidence": 0.97},
                    entities=[{"entity": "service_type", "value": "退货", "start": 2, "end": 4}]),
        ActionExecuted("after_sales_form"), ActiveLoop("after_sales_form"), SlotSet("requested_slot", "order_no"),
        ActionExecuted("action_listen"),
        UserUttered("SO20240101", intent={"name": "inform", "confidence": 0.9}),
        SlotSet("order_no", "SO20240101"), ActionExecuted("after_sales_form"), ActiveLoop(None),
        ActionExecuted("action_listen"), UserUttered("谢谢", intent={"name": "thank", "confidence": 0.99}),
    ]


def tracker(events):
    return DialogueStateTracker.from_events("s", events, slots=DOMAIN.slots)


@pytest.mark.parametrize("cut", [1, 3, 7, 9, 13])
@pytest.mark.parametrize("options", OPTIONS)
def test_same_states_as_rasa(cut, options):
    t = tracker(conversation()[:cut])
    expected = STOCK_PAST_STATES(t, DOMAIN, **options)
    assert past_states(t, DOMAIN, **options) == expected
    assert past_states(t, DOMAIN, **options) == expected      # answered from the kept states


def test_a_caller_editing_its_states_does_not_change_the_next_callers():
    t = tracker(conversation())
    first = past_states(t, DOMAIN)
    expected = STOCK_PAST_STATES(t, DOMAIN)
    del first[-1]["user"]["intent"]            # what Rasa's _choose_last_user_input does
    first[-1]["prev_action"] = {}
    first.pop(0)
    assert past_states(t, DOMAIN) == expected


def test_a_new_event_or_other_options_rebuild(monkeypatch):
    calls = []

    def counting(self, domain, **kwargs):
        calls.append(kwargs)
        return STOCK_PAST_STATES(self, domain, **kwargs)

    monkeypatch.setattr(policy_states, "STOCK_PAST_STATES", counting)
    t = tracker(conversation()[:7])
    past_states(t, DOMAIN, ignore_rule_only_turns=True)
    past_states(t, DOMAIN, ignore_rule_only_turns=True)
    assert len(calls) == 1
    past_states(t, DOMAIN, ignore_rule_only_turns=True, rule_only_data={"slots": ["order_no"]})
    assert len(calls) == 2
    t.update(UserUttered("SO20240101", intent={"name": "inform", "confidence": 0.9}))
    assert past_states(t, DOMAIN, ignore_rule_only_turns=True) == STOCK_PAST_STATES(
        t, DOMAIN, ignore_rule_only_turns=True)
    assert len(calls) == 3
    other_domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
    past_states(t, other_domain, ignore_rule_only_turns=True)
    assert len(calls) == 4


def _growing_conversation():
    """A conversation with what makes Rasa's applied events shrink or restart: an undone user
    turn, an undone action, a restart, a new session."""
    return conversation() + [
        ActionExecuted("utter_thank"), ActionExecuted("action_listen"),
        UserUttered("不对", intent={"name": "deny", "confidence": 0.6}), UserUtteranceReverted(),
        UserUttered("查订单", intent={"name": "order_status", "confidence": 0.9}),
        ActionExecuted("action_order_status"), ActionReverted(), ActionExecuted("action_order_status"),
        ActionExecuted("action_listen"), Restarted(), ActionExecuted("action_listen"),
        UserUttered("你好", intent={"name": "greet", "confidence": 0.99}), ActionExecuted("utter_greet"),
        ActionExecuted("action_session_start"), SessionStarted(), SlotSet("order_no", "SO1"),
        ActionExecuted("action_listen"), UserUttered("到哪了", intent={"name": "order_status", "confidence": 0.8}),
    ]


@pytest.mark.parametrize("omit_unset_slots", [False, True])
def test_one_tracker_growing_event_by_event_has_rasas_states(omit_unset_slots):
    """The same tracker object asked after every event (the replay continues where it stopped,
    or starts again after an undo, a restart or a new session) gives Rasa's states."""
    t = tracker([])
    for event in _growing_conversation():
        t.update(event)
        assert past_states(t, DOMAIN, omit_unset_slots=omit_unset_slots) == STOCK_PAST_STATES(
            t, DOMAIN, omit_unset_slots=omit_unset_slots)


def test_only_the_new_events_are_replayed(monkeypatch):
    t = tracker(conversation())
    past_states(t, DOMAIN)
    states_built = []
    stock_state = Domain.get_active_state

    def counting(self, *args, **kwargs):
        states_built.append(1)
        return stock_state(self, *args, **kwargs)

    monkeypatch.setattr(Domain, "get_active_state", counting)
    for event in [ActionExecuted("utter_thank"), ActionExecuted("action_listen"),
                  UserUttered("再见", intent={"name": "goodbye", "confidence": 0.9})]:
        t.update(event)
    assert past_states(t, DOMAIN) == STOCK_PAST_STATES(t, DOMAIN)
    # Two actions added: their two states and the last state; Rasa's own call built them all.
    assert len(states_built) - (len(STOCK_PAST_STATES(t, DOMAIN))) == 3


def test_a_copied_tracker_starts_its_own_replay():
    t = tracker(conversation())
    past_states(t, DOMAIN)
    copied = copy.deepcopy(t)
    assert copied.__dict__.get(policy_states._REPLAY_ATTRIBUTE) is None
    copied.update(ActionExecuted("utter_thank"))
    assert past_states(copied, DOMAIN) == STOCK_PAST_STATES(copied, DOMAIN)
    assert past_states(t, DOMAIN) == STOCK_PAST_STATES(t, DOMAIN)


def test_installed_for_the_rasa_server():
    import shop_channels  # noqa: F401
    assert policy_states.install() is True
    assert DialogueStateTracker.past_states is past_states
