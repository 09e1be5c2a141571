"""Entity values in "/" button payloads skip the channel's text cleaning (Rasa decodes the
JSON after it), so they are checked on their own: numbers JSON has not (NaN, Infinity,
1e999) were recorded as ``NaN`` / ``Infinity`` in the conversation store, and escaped lone
surrogates, zero-width and direction characters reached the slots untouched."""
import pytest

from shop_channels import commands


@pytest.mark.parametrize("text", [
    '/inform{"quantity": 1e999}', '/inform{"budget_max": NaN}', '/inform{"budget_min": -Infinity}',
    '/inform{"quantity": Infinity}',
])
def test_numbers_json_has_not_are_refused(text):
    assert commands.refused_command(text) == "entities_not_json"


@pytest.mark.parametrize("value", [
    r"\ud800", r"质量\udfff问题", r"2026\u200b12061086547273", r"\u202e款退", r"\ufeff0000",
    r"\u0085", r"\u009b31m", r"\ue000",
])
def test_invisible_surrogate_and_control_characters_in_values_are_refused(value):
    assert commands.refused_command('/inform{"reason": "%s"}' % value) == "entity_not_plain_text"


@pytest.mark.parametrize("text", [
    '/inform{"quantity": 2}', '/inform{"budget_max": 1999.5}', '/inform{"reason": "质量 问题"}',
    '/inform{"product": "Apple iPhone 15 Pro Max"}', '/inform{"reason": "尺码不合适（偏小）"}',
])
def test_ordinary_values_still_pass(text):
    assert commands.refused_command(text) is None
