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


def _event_samples():
    """One serialised event of every type Rasa's schema names, as Rasa writes them."""
    from rasa.shared.core import events as e
    return [ev.as_dict() for ev in [
        e.UserUttered("我的快递到哪了", {"name": "order_status", "confidence": 0.9},
                      [{"entity": "order_no", "value": "1", "start": 0, "end": 1, "extractor": "x"}],
                      {"text": "我的快递到哪了", "intent": {"name": "order_status", "confidence": 0.9},
                       "intent_ranking": [{"name": "order_status", "confidence": 0.9}], "entities": []},
                      input_channel="rest", message_id="m1"),
        e.ActionExecuted("action_order_status", policy="RulePolicy", confidence=1.0),
        e.SlotSet("order_no", "202611201234567890"), e.SlotSet("products_on_screen", [{"id": 1}]),
        e.EntitiesAdded([{"entity": "product", "value": "手机"}]), e.BotUttered("好的", {"buttons": []}),
        e.ActiveLoop("after_sales_form"), e.ActiveLoop(None), e.AllSlotsReset(), e.Restarted(),
        e.ActionReverted(), e.UserUtteranceReverted(), e.FollowupAction("action_listen"),
        e.ConversationPaused(), e.ConversationResumed(), e.SessionStarted(), e.LoopInterrupted(True),
        e.ActionExecutionRejected("action_x"), e.AgentUttered("hi"), e.StoryExported(),
        e.ReminderCancelled(name="r"), e.DefinePrevUserUtteredFeaturization(False),
    ]] + [{"event": "form", "name": "f"}, {"event": "form_validation", "validate": True},
          {"event": "reminder", "intent": "x", "date_time": "2026-12-07T00:00:00"}]


_ODD_VALUES = [None, 0, 1.5, True, "", "x", [], [1], {}, {"a": 1}, {"name": 3}, [{"entity": "e"}],
               [{"entity": 1, "value": 2}], [{"name": 1}]]


def _mutations(rng, event):
    """Copies of ``event`` with one field (at the top or one level down) set to an odd value,
    removed, or added."""
    import copy
    out = []
    for _ in range(6):
        changed = copy.deepcopy(event)
        target = changed
        nested = [k for k, v in changed.items() if isinstance(v, dict)]
        if nested and rng.random() < 0.4:
            target = changed[rng.choice(nested)]
        keys = list(target) + ["event", "name", "value", "entities", "intent", "extra"]
        key = rng.choice(keys)
        if rng.random() < 0.2:
            target.pop(key, None)
        else:
            target[key] = copy.deepcopy(rng.choice(_ODD_VALUES + ["user", "slot", "action", "bot"]))
        out.append(changed)
    return out


def _outcome(validate, result):
    try:
        validate(result)
    except jsonschema.ValidationError as error:
        return ("refused", error.message.split(". Failed to validate")[0], list(error.path))
    return ("valid",)


def test_validation_by_event_type_answers_as_the_full_schema():
    """On every event type, on many copies with one field broken, and on responses mixing
    them: the same verdict and the same error as stock Rasa's validation, and the quick check
    says valid exactly for what the full schema accepts."""
    import random
    rng = random.Random(8)
    samples = _event_samples()
    candidates = [{"events": [event]} for event in samples]
    candidates += [{"events": [bad]} for event in samples for bad in _mutations(rng, event)]
    candidates += [{"events": rng.sample(samples, 5), "responses": [{"text": "好"}]} for _ in range(30)]
    candidates += [{"events": [*rng.sample(samples, 3), bad], "responses": []}
                   for bad in (c["events"][0] for c in candidates[len(samples):len(samples) + 60])]
    candidates += [{"events": None}, {"events": [1]}, {"events": [[]]}, {"responses": [{"text": 1}]},
                   {"responses": "x"}, [], "x", None, {"events": [{"event": 5}]}]
    valid = 0
    for result in candidates:
        stock = _outcome(stock_validate, result)
        ours = _outcome(lambda r: RemoteAction("action_x", None)._validate_action_result(r), result)
        assert ours == stock, result
        assert rasa_speedups._valid_by_event_type(result) == (stock == ("valid",)), result
        valid += stock == ("valid",)
    assert valid > 40 and len(candidates) - valid > 40     # both verdicts well represented


def test_domain_is_empty_answers_as_rasa():
    from pathlib import Path
    from rasa.shared.core.domain import Domain
    assert Domain.is_empty is rasa_speedups.domain_is_empty
    stock = lambda d: d.as_dict() == Domain.empty().as_dict()     # Rasa 3.6.21's is_empty
    repository = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
    for domain in (Domain.empty(), Domain.from_dict({}), repository, Domain.from_dict({"intents": ["greet"]}),
                   Domain.from_dict({"slots": {"s": {"type": "any", "mappings": []}}})):
        assert domain.is_empty() == stock(domain)
    assert Domain.empty().is_empty() and not repository.is_empty()


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
