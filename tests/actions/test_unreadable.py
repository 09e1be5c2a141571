"""Messages the NLU found no readable Chinese in (its ``readability`` verdict in the parse
data): a polite reply with the main options, logged by kind, no slot or other event."""
import logging

from rasa_sdk import Tracker

from actions.continuation import ActionContinueWithDetails
from actions.out_of_scope import ActionOutOfScope
from actions.unreadable import FOREIGN_IN_FORM, IN_FORM, NOT_UNDERSTOOD
from assistant.mood import APOLOGY
from tests.support.actions import run_action, tracker


def marked(text, intent, verdict, **kwargs):
    t = tracker(text, intent, **kwargs)
    t.latest_message["readability"] = verdict
    return t


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def test_no_content_gets_not_understood_with_the_main_options(shop_db):
    messages, events = run_action(ActionOutOfScope(), marked("....", "out_of_scope", {"kind": "no_content"}))
    assert texts(messages) == NOT_UNDERSTOOD
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/order_status", "/product_inquiry", "/after_sales", "/ask_recommendation", "/human_handoff"]
    assert events == []


def test_another_language_is_asked_for_chinese_with_the_likeliest_meaning_first(shop_db):
    verdict = {"kind": "foreign", "language": "en", "classifier_intent": "after_sales"}
    messages, events = run_action(ActionOutOfScope(), marked("I want to return this item", "out_of_scope", verdict))
    reply = texts(messages)
    assert "请用中文" in reply and "Sorry" in reply
    assert reply.index("我要退货") < reply.index("我的订单到哪了")
    assert events == []
    # Russian: the classifier's guess is noise there, the examples keep their order.
    verdict = {"kind": "foreign", "language": "ru", "classifier_intent": "after_sales"}
    reply = texts(run_action(ActionOutOfScope(), marked("Я хочу вернуть товар", "out_of_scope", verdict))[0])
    assert reply.index("我的订单到哪了") < reply.index("我要退货")


def test_in_a_form_only_the_apology_the_form_asks_again(shop_db):
    for verdict, wanted in (({"kind": "markup"}, IN_FORM), ({"kind": "foreign", "language": "ko"}, FOREIGN_IN_FORM)):
        base = marked("<script>alert(1)</script>", "out_of_scope", verdict)
        in_form = Tracker(base.sender_id, {"requested_slot": "reason"}, base.latest_message, base.events, False, None,
                          {"name": "after_sales_form"}, "action_listen")
        messages, events = run_action(ActionOutOfScope(), in_form)
        assert texts(messages) == wanted and not messages[0].get("buttons")
        assert events == []


def test_an_angry_face_still_gets_the_apology_and_a_person(shop_db):
    messages, _ = run_action(ActionOutOfScope(), marked("😡😡😡", "out_of_scope", {"kind": "no_content"}))
    assert texts(messages) == APOLOGY


def test_digits_with_nothing_asked_for_are_not_a_detail(shop_db):
    messages, events = run_action(ActionContinueWithDetails(), marked("123", "inform", {"kind": "digits"}))
    assert texts(messages) == NOT_UNDERSTOOD and "好的，收到" not in texts(messages)
    assert events == []
    # a readable detail with nothing to continue keeps its answer
    messages, _ = run_action(ActionContinueWithDetails(), tracker("嗯嗯就这样", "inform"))
    assert "好的，收到" in texts(messages)


def test_hostile_input_is_logged_by_kind_and_length_never_its_text(shop_db, caplog):
    caplog.set_level(logging.INFO, logger="actions.unreadable")
    run_action(ActionOutOfScope(), marked("<script>alert(1)</script>", "out_of_scope", {"kind": "markup"}))
    run_action(ActionOutOfScope(), marked("😀" * 500, "out_of_scope", {"kind": "no_content"}))
    records = [r for r in caplog.records if r.name == "actions.unreadable"]
    assert [r.levelname for r in records] == ["WARNING", "INFO"]
    assert "markup, 25 characters" in records[0].getMessage() and "500 characters" in records[1].getMessage()
    assert all("script" not in r.getMessage() and "😀" not in r.getMessage() for r in records)
