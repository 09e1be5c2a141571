"""A goodbye inside a form (actions/leave_form.py): every form in domain.yml is left by a
goodbye rule and says what it left undone."""
from pathlib import Path

import yaml

from actions.leave_form import LEFT, form_left

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
