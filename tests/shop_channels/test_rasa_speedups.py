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


# The tracker store's save: the patched one stores and publishes exactly what stock Rasa does.

class RecordingBroker:
    def __init__(self):
        self.published = []

    def publish(self, event):
        self.published.append(event)


def _conversation():
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

    first = [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.1),
             ActionExecuted("action_listen", timestamp=1.2),
             UserUttered("你好", {"name": "greet", "confidence": 0.9}, timestamp=2.0)]
    second = [ActionExecuted("utter_greet", timestamp=2.1), SlotSet("order_no", "202611201234567890", timestamp=2.2),
              ActionExecuted("action_listen", timestamp=2.3)]
    restart = [ActionExecuted("action_session_start", timestamp=3.0), SessionStarted(timestamp=3.1),
               ActionExecuted("action_listen", timestamp=3.2),
               UserUttered("谢谢", {"name": "thanks", "confidence": 0.8}, timestamp=3.3)]
    return [first, second, restart]


def _save_in_steps(tmp_path, name, save, with_domain=True):
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("version: '3.1'\nslots:\n  order_no:\n    type: text\n    mappings: []\n")
    broker = RecordingBroker()
    store = SQLTrackerStore(domain if with_domain else None, db=str(tmp_path / f"{name}.db"), event_broker=broker)
    events = []
    for step in _conversation():
        events = events + step
        tracker = DialogueStateTracker.from_events("shopper-1", events, domain.slots)
        asyncio.run(save(store, tracker))
    with store.session_scope() as session:
        rows = [(r.sender_id, r.type_name, r.timestamp, r.intent_name, r.action_name, r.data)
                for r in session.query(store.SQLEvent).order_by(store.SQLEvent.id)]
    return rows, broker.published


@pytest.mark.parametrize("with_domain", [True, False])
def test_patched_tracker_save_stores_and_publishes_what_stock_rasa_does(tmp_path, with_domain):
    from rasa.core.tracker_store import SQLTrackerStore

    assert SQLTrackerStore.save is rasa_speedups.save_sql_tracker
    stock_save = rasa_speedups.STOCK_SQL_TRACKER_SAVE
    assert stock_save is not rasa_speedups.save_sql_tracker
    stock = _save_in_steps(tmp_path, "stock", stock_save, with_domain)
    patched = _save_in_steps(tmp_path, "patched", rasa_speedups.save_sql_tracker, with_domain)
    assert patched == stock
    assert len(stock[0]) >= 11 and stock[1]  # every step stored and published something


# --- event classes looked up in a table ----------------------------------------------------

def test_event_classes_are_resolved_as_rasas_walk_resolves_them():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    stock = rasa_speedups.STOCK_RESOLVE_BY_TYPE
    assert Event.resolve_by_type is rasa_speedups.resolve_event_class
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is stock(cls.type_name)
    # Names Rasa's lookup does not know: its default, the old "topic" events, its error.
    assert Event.resolve_by_type("no_such_event", default=Event) is Event
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    # And the events read back are the same.
    user = {"event": "user", "text": "订单到哪了", "parse_data": {"intent": {"name": "order_status", "confidence": 0.9}},
            "timestamp": 1.0}
    assert Event.from_parameters(user) == Event.from_parameters(user)
    assert type(Event.from_parameters({"event": "slot", "name": "order_no", "value": "1"})).__name__ == "SlotSet"


def test_an_event_class_defined_later_is_found_as_rasa_finds_it():
    from rasa.shared.core.events import AlwaysEqualEventMixin, Event

    assert Event.resolve_by_type("user") is not None          # the table is built now

    class ShopTestOnlyEvent(AlwaysEqualEventMixin):
        type_name = "shop_test_only_event"

        def as_story_string(self):
            return None

    assert Event.resolve_by_type("shop_test_only_event") is ShopTestOnlyEvent
    assert rasa_speedups.STOCK_RESOLVE_BY_TYPE("shop_test_only_event") is ShopTestOnlyEvent
    assert isinstance(Event.from_parameters({"event": "shop_test_only_event"}), ShopTestOnlyEvent)
