"""Which failed action calls may have made a change the shopper confirmed (the Rasa server's
side of "check before retry, never twice", ``shop_channels.rasa_failures.unsure_write_events``):
the after-sales filing and the address change once their form ended confirmed, and a yes to
"确认要取消订单 X 吗？". Those get "可能已经提交" and the same question again; every other call
gets nothing here (the stock apology)."""
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.offers import fresh_offer_in
from shop_channels.rasa_failures import unsure_write_events

ORDER_NO = "202612010000000001"
SLOTS = [AnySlot(name, mappings=[{"type": "custom"}])
         for name in ("pending_offer", "address_confirmed", "after_sales_confirmed", "requested_slot")]


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("unsure", list(events), slots=SLOTS)


def said(text: str, intent: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9})


def asked_to_cancel(*answer) -> DialogueStateTracker:
    return tracker(said(f"帮我取消订单{ORDER_NO}", "order_status"), ActionExecuted("action_order_status"),
                   BotUttered(f"确认要取消订单 {ORDER_NO} 吗？"), SlotSet("pending_offer", f"cancel_order:{ORDER_NO}"),
                   ActionExecuted("action_listen"), *answer)


def text_of(events) -> str:
    return "\n".join(e.text for e in events if isinstance(e, BotUttered))


def test_a_confirmed_address_change_is_asked_again_with_the_form_reopened():
    events = unsure_write_events("action_change_address", tracker(
        said("确认", "affirm"), SlotSet("address_confirmed", "yes"), ActiveLoop(None)))
    assert "地址修改可能已经提交" in text_of(events) and "“确认”" in text_of(events), text_of(events)
    assert ActiveLoop("address_change_form") in events
    assert SlotSet("requested_slot", "address_confirmed") in events and SlotSet("address_confirmed", None) in events


def test_an_address_form_that_ended_without_a_yes_changed_nothing():
    for ended in ("cancelled", "answered", None):
        assert unsure_write_events("action_change_address", tracker(
            said("不改了", "deny"), SlotSet("address_confirmed", ended))) == []


def test_the_after_sales_filing_still_counts():
    events = unsure_write_events("action_submit_after_sales", tracker(
        said("确认", "affirm"), SlotSet("after_sales_confirmed", "yes")))
    assert "售后申请可能已经提交" in text_of(events) and ActiveLoop("after_sales_form") in events


def test_a_yes_to_the_cancellation_is_asked_again_and_the_offer_stays_fresh():
    # "确认取消" reads as a "no" to the NLU; the words confirm it.
    asked = asked_to_cancel(said("确认取消", "deny"))
    events = unsure_write_events("action_answer_offer", asked)
    assert ORDER_NO in text_of(events) and "可能已经提交" in text_of(events) and "“确认取消”" in text_of(events)
    assert SlotSet("pending_offer", f"cancel_order:{ORDER_NO}") in events
    # The shopper's next "确认取消" answers that offer (it was made after their last message).
    after = [e.as_dict() for e in [*asked.events, *events, ActionExecuted("action_listen"), said("确认取消", "deny")]]
    assert fresh_offer_in(reversed(after)) == f"cancel_order:{ORDER_NO}"


def test_a_no_to_the_cancellation_or_a_stale_offer_is_only_the_apology():
    assert unsure_write_events("action_answer_offer", asked_to_cancel(said("不用了", "deny"))) == []
    stale = asked_to_cancel(said("你好", "greet"), ActionExecuted("action_greet"), ActionExecuted("action_listen"),
                            said("确认取消", "deny"))
    assert unsure_write_events("action_answer_offer", stale) == []


def test_any_other_call_is_only_the_apology():
    assert unsure_write_events("action_order_status", tracker(said("确认", "affirm"))) == []


def test_a_yes_to_the_cancellation_is_unsure_whichever_action_timed_out():
    # The actions hand messages to each other: "确认 取消这个订单吧" the NLU read as a wish for
    # a recommendation reaches the order flow through action_recommend ("订单"), which cancels;
    # purchase and after-sales answers carry an order clause to it. A list of the actions that
    # cancel missed those, and their timeout was told as a plain "系统开了个小差".
    for action, text, intent in (
        ("action_recommend", "确认 取消这个订单吧", "ask_recommendation"),
        ("action_purchase_help", "确认取消，另外退款多久到账", "ask_purchase"),
        ("action_after_sales_route", "确认取消订单", "request_return"),
        ("action_out_of_scope", "确认取消", "out_of_scope"),
        ("action_order_status", "确认取消订单", "order_status"),
        ("action_clarify", "确认取消订单", "nlu_fallback"),
        ("action_continue_with_details", "确认取消订单", "inform"),
        ("action_answer_offer", "好的", "affirm"),
    ):
        events = unsure_write_events(action, asked_to_cancel(said(text, intent)))
        assert ORDER_NO in text_of(events) and "可能已经提交，也可能没有" in text_of(events), action
        assert SlotSet("pending_offer", f"cancel_order:{ORDER_NO}") in events, action


def test_a_message_that_keeps_the_order_is_never_unsure():
    for action in ("action_recommend", "action_answer_offer", "action_order_status"):
        for text in ("不用了", "我不取消了", "算了不取消"):
            assert unsure_write_events(action, asked_to_cancel(said(text, "deny"))) == [], (action, text)
