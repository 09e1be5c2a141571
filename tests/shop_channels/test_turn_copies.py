"""shop_channels.turn_copies: a tracker copied for an action has the state Rasa's replay gives,
shares nothing the copy may edit with the original, and an action's events are logged on the
tracker as Rasa logs them, with or without the debug log."""
from __future__ import annotations

import copy
import logging
from pathlib import Path

import pytest
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActionExecutionRejected, ActionReverted, ActiveLoop,
                                     AllSlotsReset, BotUttered, ConversationPaused, ConversationResumed,
                                     FollowupAction, LoopInterrupted, Restarted, SessionStarted, SlotSet, UserUttered,
                                     UserUtteranceReverted)
from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker
from rasa.utils.log_utils import configure_structlog

from shop_channels import turn_copies
from shop_channels.turn_copies import (STOCK_LOG_ACTION_ON_TRACKER, STOCK_TRACKER_COPY, copy_slot, copy_tracker,
                                      log_action_on_tracker)

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


def conversation():
    """Forms, rejected and undone actions, an undone user turn, a pause, a restart, a new
    session with carried slots, a reset of all slots, bot messages, a list-valued slot."""
    return [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("我要退货", intent={"name": "after_sales", "confidence": 0.97},
                    entities=[{"entity": "service_type", "value": "退货", "start": 2, "end": 4}]),
        ActionExecuted("after_sales_form"), ActiveLoop("after_sales_form"), SlotSet("requested_slot", "order_no"),
        BotUttered("请问是哪个订单？", {"buttons": []}), ActionExecuted("action_listen"),
        UserUttered("先不说这个", intent={"name": "chitchat", "confidence": 0.8}), LoopInterrupted(True),
        ActionExecutionRejected("after_sales_form", "RulePolicy"), ActionExecuted("utter_chitchat"),
        ActionExecuted("after_sales_form"), LoopInterrupted(False), ActionExecuted("action_listen"),
        UserUttered("SO20240101", intent={"name": "inform", "confidence": 0.9}),
        SlotSet("order_no", "SO20240101"), SlotSet("products_shown", ["p1", "p2"]), ActionExecuted("after_sales_form"),
        ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen"),
        ActionExecuted("action_listen"), UserUttered("谢谢", intent={"name": "thank", "confidence": 0.99}),
        ActionExecuted("utter_thank"), BotUttered("不客气"), ActionExecuted("action_listen"),
        UserUttered("不对", intent={"name": "deny", "confidence": 0.6}), UserUtteranceReverted(),
        UserUttered("查订单", intent={"name": "order_status", "confidence": 0.9}),
        ActionExecuted("action_order_status"), ActionReverted(), ActionExecuted("action_order_status"),
        ConversationPaused(), ConversationResumed(), ActionExecuted("action_listen"),
        Restarted(), ActionExecuted("action_listen"),
        UserUttered("你好", intent={"name": "greet", "confidence": 0.99}), ActionExecuted("utter_greet"),
        ActionExecuted("action_session_start"), SessionStarted(), SlotSet("order_no", "SO1"),
        ActionExecuted("action_listen"), UserUttered("到哪了", intent={"name": "order_status", "confidence": 0.8}),
        AllSlotsReset(), ActionExecuted("action_listen"),
    ]


def snapshot(tracker: DialogueStateTracker) -> dict:
    """Everything the tracker holds, objects named by what they are: an event of the tracker by
    its position, a slot's value by identity and equality, a new empty message by its kind."""
    events = list(tracker.events)

    def ref(obj):
        for index, event in enumerate(events):
            if event is obj:
                return ("event", index)
        return ("new", type(obj).__name__, getattr(obj, "text", None), getattr(obj, "intent", None))

    return {
        "type": type(tracker),
        "attributes": sorted(vars(tracker)),
        "events": [id(e) for e in events],
        "maxlen": tracker.events.maxlen,
        "scalars": {name: getattr(tracker, name) for name in (
            "_max_event_history", "sender_id", "sender_source", "is_rule_tracker", "_paused", "followup_action",
            "model_id", "assistant_id", "latest_action")},
        "latest_message": ref(tracker.latest_message),
        "latest_bot_utterance": ref(tracker.latest_bot_utterance),
        "active_loop": copy.deepcopy(tracker.active_loop),
        "slots": {key: (type(slot), {k: v for k, v in vars(slot).items()}, id(slot.value))
                  for key, slot in tracker.slots.items()},
    }


def assert_shares_nothing_editable(original: DialogueStateTracker, copied: DialogueStateTracker) -> None:
    assert copied.events is not original.events
    assert copied.slots is not original.slots
    assert all(copied.slots[key] is not slot for key, slot in original.slots.items())
    if original.latest_action:
        assert copied.latest_action is not original.latest_action
    if original.active_loop is not None:
        assert copied.active_loop is not original.active_loop
    for name in ("latest_message", "latest_bot_utterance"):
        # An empty message the replay's reset made is a new object in Rasa's copy too.
        if not any(event is getattr(original, name) for event in original.events):
            assert getattr(copied, name) is not getattr(original, name)


def growing_trackers():
    """One tracker after each event of the conversation, as the Rasa server holds it (slots
    from the domain, stamped with a model id, notes of other patches in its __dict__)."""
    tracker = DialogueStateTracker("shopper", DOMAIN.slots)
    tracker.model_id = "model-1"
    tracker.assistant_id = "shop"
    tracker.sender_source = "rest"
    tracker.__dict__["_shop_note"] = ("kept by another patch", 1)
    yield tracker
    for event in conversation():
        tracker.update(event)
        yield tracker


def test_the_copy_has_the_state_rasas_replay_gives_after_every_event():
    for tracker in growing_trackers():
        expected = snapshot(STOCK_TRACKER_COPY(tracker))
        copied = copy_tracker(tracker)
        assert snapshot(copied) == expected
        assert_shares_nothing_editable(tracker, copied)


def test_a_tracker_rebuilt_from_its_events_copies_as_rasa_copies_it():
    events = conversation()
    for cut in range(len(events) + 1):
        tracker = DialogueStateTracker.from_events("s", events[:cut], slots=DOMAIN.slots)
        assert snapshot(copy_tracker(tracker)) == snapshot(STOCK_TRACKER_COPY(tracker))


def test_editing_the_copy_leaves_the_original_as_it_was():
    events = conversation()
    tracker = DialogueStateTracker.from_events("s", events[:8], slots=DOMAIN.slots)   # inside the form
    assert tracker.active_loop is not None and tracker.latest_action
    before = snapshot(tracker)
    before_loop = copy.deepcopy(tracker.active_loop)
    copied = copy_tracker(tracker)
    copied.update(ActionExecuted("utter_ask_order_no"))
    copied.update(SlotSet("order_no", "SO9"))
    copied.interrupt_loop(True)
    copied.reject_action("after_sales_form")
    copied.active_loop.trigger_message["text"] = "edited"
    copied.latest_action["action_name"] = "edited"
    copied.slots["requested_slot"].value = "edited"
    assert snapshot(tracker) == before
    assert tracker.active_loop == before_loop


def test_the_copy_goes_on_as_rasas_copy_goes_on():
    events = conversation()
    for cut in (4, 12, 20, 31):
        tracker = DialogueStateTracker.from_events("s", events[:cut], slots=DOMAIN.slots)
        ours, rasas = copy_tracker(tracker), STOCK_TRACKER_COPY(tracker)
        for event in events[cut:]:
            ours.update(event)
            rasas.update(event)
            assert snapshot(ours) == snapshot(rasas)


def test_trackers_the_copy_does_not_know_keep_rasas_replay(monkeypatch):
    replays = []
    stock = DialogueStateTracker.travel_back_in_time

    def counting(self, target_time):
        replays.append(target_time)
        return stock(self, target_time)

    monkeypatch.setattr(DialogueStateTracker, "travel_back_in_time", counting)
    bounded = DialogueStateTracker.from_events("s", conversation(), slots=DOMAIN.slots)
    bounded._max_event_history = 5
    bounded.events = bounded._create_events(list(bounded.events)[-5:])
    any_slots = DialogueStateTracker("s", None)
    assert isinstance(any_slots.slots, AnySlotDict)

    class OwnTracker(DialogueStateTracker):
        pass

    own = OwnTracker.from_events("s", conversation()[:10], slots=DOMAIN.slots)
    for tracker in (bounded, any_slots, own):
        copy_tracker(tracker)
    assert len(replays) == 3
    plain = DialogueStateTracker.from_events("s", conversation(), slots=DOMAIN.slots)
    copy_tracker(plain)
    assert len(replays) == 3


def test_a_slot_is_copied_as_copy_copy_copies_it():
    from rasa.shared.core.slots import ListSlot, Slot, TextSlot
    from rasa.shared.utils.common import all_subclasses

    def every_slot():
        yield from DOMAIN.slots
        for cls in all_subclasses(Slot):
            try:
                yield cls("probe", mappings=[{"type": "custom"}])
            except Exception:   # a class that needs other arguments: the domain's slots cover it
                continue

    slots = list(every_slot())
    assert {type(s) for s in slots} >= {TextSlot, ListSlot}
    for slot in slots:
        slot.value = ["a"] if isinstance(slot, ListSlot) else slot.value
        ours, stock = copy_slot(slot), copy.copy(slot)
        assert type(ours) is type(stock) and ours is not slot
        assert vars(ours) == vars(stock) and ours.value is slot.value

    class OwnCopy(TextSlot):
        def __copy__(self):
            return "own copy"

    class WithState(TextSlot):
        def __setstate__(self, state):
            self.__dict__.update(state, restored=True)

    class WithSlots(TextSlot):
        __slots__ = ("extra",)

    own = OwnCopy("x", mappings=[{"type": "custom"}])
    with_state = WithState("y", mappings=[{"type": "custom"}])
    with_slots = WithSlots("z", mappings=[{"type": "custom"}])
    with_slots.extra = "kept"
    assert copy_slot(own) == "own copy"
    assert copy_slot(with_state).restored is True
    assert copy_slot(with_slots).extra == "kept"
    # The domain's slots take the direct copy (not copy.copy's generic path).
    assert all(turn_copies._copies_plainly(type(slot)) for slot in DOMAIN.slots)


class _Processor:
    """What ``_log_action_on_tracker`` reads of the processor."""

    domain = DOMAIN


def _log_both_ways(action_events, prediction_events):
    from rasa.core.actions.action import action_for_name_or_text

    results = []
    for method in (STOCK_LOG_ACTION_ON_TRACKER, log_action_on_tracker):
        tracker = DialogueStateTracker.from_events("s", conversation()[:4], slots=DOMAIN.slots)
        action = action_for_name_or_text("utter_greet", DOMAIN, None)
        prediction = PolicyPrediction([0.0], "RulePolicy", events=copy.deepcopy(prediction_events))
        method(_Processor(), tracker, action, copy.deepcopy(action_events), prediction)
        results.append([(type(e).__name__, e.as_dict().get("name"), e.as_dict().get("value")) for e in tracker.events])
    return results


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("action_events, prediction_events", [
    ([], []),
    (None, [SlotSet("order_no", "SO2")]),
    ([BotUttered("你好"), SlotSet("products_shown", ["p1"])], [SlotSet("order_no", "SO2")]),
    ([ActionExecutionRejected("utter_greet")], [SlotSet("order_no", "SO2")]),
])
def test_an_actions_events_go_on_the_tracker_as_rasa_puts_them(debug, action_events, prediction_events):
    configure_structlog(logging.DEBUG if debug else logging.INFO)
    try:
        assert turn_copies._debug_log_is_off() is (not debug)
        stock_result, ours = _log_both_ways(action_events, prediction_events)
        assert ours == stock_result
    finally:
        configure_structlog(logging.INFO)


def test_no_deep_copy_for_a_debug_log_that_is_off(monkeypatch):
    configure_structlog(logging.INFO)
    deep_copies = []
    import rasa.core.processor as processor_module

    class CountingCopy:
        @staticmethod
        def deepcopy(value, *args):
            deep_copies.append(1)
            return copy.deepcopy(value, *args)

    monkeypatch.setattr(processor_module, "copy", CountingCopy)
    tracker = DialogueStateTracker.from_events("s", conversation()[:4], slots=DOMAIN.slots)
    from rasa.core.actions.action import action_for_name_or_text

    action = action_for_name_or_text("utter_greet", DOMAIN, None)
    prediction = PolicyPrediction([0.0], "RulePolicy", events=[SlotSet("order_no", "SO2")])
    log_action_on_tracker(_Processor(), tracker, action, [BotUttered("你好")], prediction)
    assert deep_copies == []
    STOCK_LOG_ACTION_ON_TRACKER(_Processor(), tracker, action, [BotUttered("你好")], prediction)
    assert len(deep_copies) == 2


def test_installed_for_the_rasa_server():
    import shop_channels  # noqa: F401
    assert turn_copies.install() is True
    assert DialogueStateTracker.copy is copy_tracker
    assert MessageProcessor._log_action_on_tracker is log_action_on_tracker
