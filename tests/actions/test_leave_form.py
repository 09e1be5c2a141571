"""A goodbye inside a form (actions/leave_form.py): every form in domain.yml is left by a
goodbye rule and says what it left undone."""
import asyncio
from pathlib import Path

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.leave_form import LEFT, ActionLeaveForm, form_left

ROOT = Path(__file__).resolve().parents[2]


def test_every_form_has_a_goodbye_rule_and_says_what_it_left():
    forms = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["forms"])
    rules = yaml.safe_load((ROOT / "data/rules.yml").read_text(encoding="utf-8"))["rules"]
    left_by_goodbye = {
        rule["condition"][0]["active_loop"] for rule in rules
        if rule.get("condition") and rule["steps"][0] == {"intent": "goodbye"}
        and {"action": "action_leave_form"} in rule["steps"]
    }
    assert forms == left_by_goodbye
    assert forms <= set(LEFT)


def test_the_form_left_is_the_last_active_one():
    events = [{"event": "active_loop", "name": "address_change_form"}, {"event": "user", "text": "再见"},
              {"event": "active_loop", "name": None}]
    assert form_left(events) == "address_change_form"
    assert form_left([{"event": "user", "text": "再见"}]) is None


def test_a_plain_goodbye_leaves_no_form_even_after_one_ended_earlier():
    # The after-sales form ended two turns ago; "再见" now leaves nothing unfiled.
    events = [{"event": "active_loop", "name": "after_sales_form"}, {"event": "user", "text": "确认"},
              {"event": "active_loop", "name": None}, {"event": "user", "text": "再见"}]
    assert form_left(events) is None


def test_a_plain_goodbye_ends_a_guests_look_up_that_waits_for_the_digits():
    rules = yaml.safe_load((ROOT / "data/rules.yml").read_text(encoding="utf-8"))["rules"]
    plain = [rule for rule in rules if not rule.get("condition") and rule["steps"][0] == {"intent": "goodbye"}]
    assert plain and all(rule["steps"][1] == {"action": "action_leave_form"} for rule in plain)


def _goodbye(slots):
    events = [{"event": "user", "text": "帮我查下订单"}, {"event": "bot", "text": "请提供后四位"},
              {"event": "user", "text": "算了 拜拜"}]
    return Tracker("guest", slots, {"text": "算了 拜拜", "intent": {"name": "goodbye"}}, events, False, None, {},
                   "action_listen")


def test_goodbye_clears_the_look_up_waiting_for_the_digits():
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionLeaveForm().handle(
        dispatcher, _goodbye({"pending_lookup": "phone_suffix", "order_no": "202612069409591205"}), {}))
    assert [m.get("response") for m in dispatcher.messages] == ["utter_goodbye"]
    assert {e["name"]: e["value"] for e in events} == {"pending_lookup": None, "order_no": None}


def test_goodbye_with_nothing_waiting_changes_no_slot():
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionLeaveForm().handle(dispatcher, _goodbye({"order_no": "202612069409591205"}), {}))
    assert [m.get("response") for m in dispatcher.messages] == ["utter_goodbye"]
    assert events == []
