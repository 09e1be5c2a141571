"""The compiled action-response validator accepts and refuses exactly what Rasa's own does."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import shop_channels  # noqa: F401  (installs the patch, as in the Rasa server)
from shop_channels import rasa_speedups

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "order_no", "value": "202611201234567890"}],
     "responses": [{"text": "好的", "custom": {"type": "order_timeline"}}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},          # a slot event without a name
]


def stock_validate(result):
    jsonschema.validate(result, RemoteAction.action_response_format_spec())


def test_patch_is_installed_on_the_pinned_rasa():
    assert RemoteAction._validate_action_result is rasa_speedups.validate_action_result
    assert rasa_speedups.install() is True


@pytest.mark.parametrize("result", VALID)
def test_valid_responses_pass_both_ways(result):
    stock_validate(result)
    assert RemoteAction("action_x", None)._validate_action_result(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_are_refused_with_the_same_error(result):
    with pytest.raises(jsonschema.ValidationError) as stock:
        stock_validate(result)
    with pytest.raises(jsonschema.ValidationError) as ours:
        RemoteAction("action_x", None)._validate_action_result(result)
    assert ours.value.message.startswith(stock.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.path) == list(stock.value.path)
