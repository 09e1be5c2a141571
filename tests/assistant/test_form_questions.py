"""A question typed while a form waits (assistant/form_questions.py), and the after-sales
flow's conversation rules (assistant/after_sales_dialogue.py): pure, no Rasa."""
from types import SimpleNamespace

import pytest

from assistant.after_sales_dialogue import (
    CONFIRM_SLOT, in_view_first, in_view_offered, kept_at_summary, order_in_view, route_after_services,
    route_before_services, value_before_message, wants_request,
)
from assistant.form_questions import ADDRESS_CHANGE, AFTER_SALES, answered_since_message, question_topics
from assistant.recommendation_requests import wants_cheaper_products


@pytest.mark.parametrize("text,nlu_topics,topics", [
    ("退款多久到账", [], ("refund_progress",)),
    ("退款多久到账", ["refund_progress"], ("refund_progress",)),
    ("运费谁出", [], ("return_shipping",)),
    ("寄回去的运费谁出？", ["shipping_fee"], ("return_shipping",)),
    ("有运费险吗", ["shipping_insurance"], ("shipping_insurance",)),
    ("支持七天无理由吗", [], ("return_policy",)),
])
def test_a_question_at_the_after_sales_form_names_its_topics(text, nlu_topics, topics):
    assert question_topics(text, nlu_topics, AFTER_SALES) == topics


@pytest.mark.parametrize("text", ["确认", "不想要了", "质量问题", "第二个", "改一下原因", "我要退货", "不对"])
def test_answers_and_requests_are_no_questions(text):
    assert question_topics(text, ["return_policy"], AFTER_SALES) == ()


def test_the_after_sales_form_leaves_other_topics_to_its_digression_rules():
    # "这个多少钱" is a product question: the product digression answers it, not the FAQ.
    assert question_topics("这个多少钱", ["price"], AFTER_SALES) == ()


def test_the_address_form_answers_any_policy_topic_it_is_asked():
    assert question_topics("改地址要加钱吗", ["address_change"], ADDRESS_CHANGE) == ("address_change",)
    assert question_topics("运费多少", [], ADDRESS_CHANGE) == ("shipping_fee",)
    assert question_topics("公司那个", [], ADDRESS_CHANGE) == ()


def _slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def _user(text):
    return {"event": "user", "text": text}


def test_value_before_the_latest_message_ignores_what_it_set():
    events = [_slot("reason", "quality"), _user("退款多久到账"), _slot("reason", "changed_mind")]
    assert value_before_message(events, "reason") == "quality"
    assert kept_at_summary(events, CONFIRM_SLOT, "退款多久到账", "reason") == "quality"
    assert kept_at_summary(events, CONFIRM_SLOT, "改一下原因", "reason") is None
    assert kept_at_summary(events, "reason", "退款多久到账", "reason") is None


def test_the_order_in_view_is_offered_until_the_shopper_says_no():
    events = [_slot("order_no", "1" * 18), {"event": "action", "name": "action_after_sales_route"}]
    assert order_in_view(events) == "1" * 18
    assert in_view_offered(events) == "1" * 18
    assert in_view_offered(events + [_user("不是这个")]) is None
    orders = [SimpleNamespace(order_no="2" * 18), SimpleNamespace(order_no="1" * 18)]
    assert [o.order_no for o in in_view_first(orders, "1" * 18)] == ["1" * 18, "2" * 18]


def test_routes_of_an_after_sales_message():
    assert route_before_services("我的售后进度怎么样了", [], False).kind == "status"
    assert route_before_services("太差了", ["complaint"], False).kind == "complaint"
    assert route_before_services("我要退货", [], True) is None
    assert route_before_services("能快点吗", ["refund_progress"], False).kind == "hurry"
    # An installation hurried is answered by its visit's times (assistant.services), not the requests.
    assert route_before_services("能快点吗", ["installation"], False) is None
    assert route_after_services("支持七天无理由退货吗", [], False, None, True).policy_topics == ("return_policy",)
    assert route_after_services("退货运费谁出", ["shipping_fee"], False, None, True).policy_topics == ("return_shipping",)
    assert route_after_services("我要退货", [], True, None, True).kind == "form"
    assert route_after_services("我要退货", [], True, None, False).kind == "sign_in"
    assert wants_request(["damaged"], None, None, None)


@pytest.mark.parametrize("text,wanted", [
    ("有没有便宜点的", True), ("有便宜一点的吗", True), ("便宜点的呢", True), ("有没有便宜点的耳机", True),
    ("能便宜点吗", False), ("便宜点呗", False), ("有什么活动能便宜一点", False),
])
def test_cheaper_products_are_not_haggling(text, wanted):
    assert wants_cheaper_products(text) is wanted


def test_a_digression_that_answered_the_message_is_seen_by_the_form():
    asked = [{"event": "action", "name": "after_sales_form"}, {"event": "action", "name": "action_listen"},
             _user("这个耳机多少钱"), {"event": "action", "name": "action_extract_slots"}]
    assert not answered_since_message(asked, "after_sales_form")
    back = asked + [{"event": "action", "name": "action_product_inquiry"}]
    assert answered_since_message(back, "after_sales_form")


def test_a_problem_with_help_wanted_is_a_request_not_a_policy_question():
    assert route_after_services("我那个笔记本电脑开不了机了怎么办", [], False, None, True).kind == "form"
    assert route_after_services("七天无理由怎么算", ["return_policy"], False, None, True).kind == "policy"


# --- round 14: what a form does with a message that is no answer to it ---
from assistant.form_questions import digresses, last_bot_text, only_acknowledges  # noqa: E402


@pytest.mark.parametrize("intent", ["ask_recommendation", "product_inquiry", "purchase", "goodbye", "thank",
                                    "greet", "out_of_scope", "nlu_fallback", "human_handoff", "bot_challenge"])
def test_intents_that_are_never_a_forms_answer_digress(intent):
    assert digresses(intent)


@pytest.mark.parametrize("intent", ["inform", "affirm", "deny", "order_status", "after_sales", None])
def test_answers_corrections_and_order_words_do_not_digress(intent):
    # An address or an order may be read under these; the form reads them itself.
    assert not digresses(intent)


@pytest.mark.parametrize("text", ["好的", "嗯", "嗯嗯", "好", "哦哦 知道了", "ok", "好的。", "嗯，好的～"])
def test_a_bare_acknowledgement_answers_nothing(text):
    assert only_acknowledges(text)


@pytest.mark.parametrize("text", ["第一个", "公司那个", "好的 改到上海那个", "嗯 不改了", "北京市朝阳区建国路88号", "", "再见"])
def test_an_answer_or_anything_more_is_no_bare_acknowledgement(text):
    assert not only_acknowledges(text)


def test_the_last_bot_text_is_the_one_before_the_latest_message():
    events = [{"event": "user", "text": "我的订单"}, {"event": "bot", "text": "请提供后四位。"},
              {"event": "user", "text": "好的"}, {"event": "action", "name": "action_answer_offer"}]
    assert last_bot_text(events) == "请提供后四位。"
    assert last_bot_text([{"event": "user", "text": "好的"}]) is None
    # The assistant said nothing between two messages: no question of its own is open.
    assert last_bot_text([{"event": "bot", "text": "问题？"}, {"event": "user", "text": "a"},
                          {"event": "user", "text": "好的"}]) is None
