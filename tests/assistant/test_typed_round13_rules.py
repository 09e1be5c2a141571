"""Round 13's rules, pure: the address change's answers in its own verb ("不改了", "改吧"), a
correction after the after-sales form stopped at an order, a marketplace's desk asked for,
guests' numbers typed with dashes or with the phone's digits beside them (typed
conversations: typed_round13.yml)."""

import pytest

from rasa_sdk import Tracker

from actions.orders import _suffix_said_before, gives_awaited_digits
from assistant.contact import asks_for_contact_means, contact_topic
from assistant.follow_up import after_sales_stopped, corrects_the_order, follow_up
from assistant.typed_answers import bare_phone_suffix, verb_answer
from shop_nlu.normalize import normalize_text
from shop_nlu.rules import find_all

CHANGE = "改|修改"


@pytest.mark.parametrize("text, answer", [
    ("不改了", "no"), ("先不改了，我再想想", "no"), ("不用改了 谢谢", "no"), ("算了 还是不改了吧。。", "no"),
    ("不改", "no"), ("嗯 改吧", "yes"), ("改吧", "yes"), ("帮我改吧", "yes"), ("还是改吧", "yes"), ("改", "yes"),
    # the no followed by the verb again is a new address, not a plain no; other words are not the verb's
    ("不改了 改成公司", None), ("改到公司", None), ("不对", None), ("确认", None), ("换一个", None),
])
def test_an_answer_in_the_questions_own_verb(text, answer):
    assert verb_answer(text, CHANGE) == answer


def _stopped_events(value="answered"):
    return [{"event": "user", "text": "耳机那单"}, {"event": "action", "name": "after_sales_form"},
            {"event": "slot", "name": "after_sales_confirmed", "value": value}, {"event": "bot", "text": "…"}]


def test_the_form_stopping_at_an_order_is_read_from_the_tail_of_the_tracker():
    assert after_sales_stopped(_stopped_events())
    assert not after_sales_stopped(_stopped_events(value=None))
    assert not after_sales_stopped([{"event": "user", "text": "手机到了吗"}, {"event": "bot", "text": "…"}])


@pytest.mark.parametrize("text, corrects", [
    ("不对 是手机那单", True), ("搞错了，手机那个", True), ("哦不是 是奇异果那单", True), ("说错了 应该是T恤那单", True),
    ("不对", False), ("不是", False), ("不对 我要退货", False), ("好的", False),
    # without the correction's words, only an order named by its words
    ("手机那单", True), ("是手机那单", True), ("那手机那单呢", True), ("T恤那个", True),
    ("第二个", False), ("那个", False), ("好的 那个", False), ("手机到哪了", False),
])
def test_a_correction_naming_another_order(text, corrects):
    assert corrects_the_order(text, []) is corrects


def test_a_correction_after_the_form_stopped_is_the_same_request_for_that_order():
    looked_up = [{"name": "order_status", "confidence": 0.9}]
    phone = [{"entity": "category", "value": "手机", "start": 4, "end": 6}]
    exchange = [{"entity": "service_type", "value": "换货", "start": 4, "end": 6}]
    result = follow_up("不对 是手机那单", looked_up, phone, "order_status", exchange, after_sales_refused=True)
    assert result.intent == "after_sales"
    assert phone[0] in result.entities and exchange[0] in result.entities   # the service said before carries over
    # without the form having stopped, the words are the order look-up the classifier heard
    assert follow_up("不对 是手机那单", looked_up, phone, "order_status", exchange) is None


def test_the_channel_patch_reopens_the_form_after_it_stopped_at_an_order():
    from shop_channels.rasa_follow_ups import reread

    parse = {"text": "不对 是手机那单", "intent": {"name": "order_status", "confidence": 0.9},
             "entities": [{"entity": "category", "value": "手机", "start": 4, "end": 6}],
             "intent_ranking": [{"name": "order_status", "confidence": 0.9}]}
    assert reread(parse, _stopped_events())["intent"]["name"] == "after_sales"
    assert reread(parse, _stopped_events(value=None))["intent"]["name"] == "order_status"


@pytest.mark.parametrize("text, topic, means", [
    ("京东客服电话多少", "contact", True), ("淘宝客服电话是多少啊？", "contact", True), ("你们客服电话", "contact", True),
    ("拼多多客服怎么联系", "contact", False), ("售后怎么找", "contact", False),
    ("京东物流电话多少", None, False), ("快递员电话多少", None, False), ("银行客服电话", None, False),
])
def test_a_marketplaces_desk_is_the_shops_own(text, topic, means):
    assert contact_topic(text) == topic
    assert asks_for_contact_means(text) is means


@pytest.mark.parametrize("text, suffix", [
    ("202612069409591205 3949", "3949"), ("订单202612069409591205，手机3949 到哪了", "3949"),
    ("2026 1206 9409 5912 05 3949", "3949"),
    ("202612069409591205 2025年买的", None), ("202612069409591205 1999元", None), ("202612069409591205", None),
    ("202612069409591205 39490", None),
])
def test_four_digits_beside_an_order_number_are_the_phones(text, suffix):
    found = [e.value for e in find_all(normalize_text(text)) if e.entity == "phone_suffix"]
    assert found == ([suffix] if suffix else [])


@pytest.mark.parametrize("text, digits", [
    ("3949", "3949"), ("尾号3949", "3949"), ("打错了 是3949", "3949"), ("不好意思，应该是3949", "3949"),
    ("不对 3949", "3949"), ("打错了", None), ("3949元的那个", None), ("３９４９", "3949"), ("12345", None),
])
def test_the_digits_again_after_a_slip(text, digits):
    assert bare_phone_suffix(text) == digits


@pytest.mark.parametrize("typed, seen", [
    ("查一下 2026-1204-6925-0253-07", "查一下 2026 1204 6925 0253 07"), ("152-1239-3949", "152 1239 3949"),
    ("2024-05-03", "2024-05-03"), ("RTX-4060-Ti", "RTX-4060-Ti"), ("1-2-3", "1-2-3"),
])
def test_a_long_number_typed_with_dashes_reads_as_its_groups(typed, seen):
    assert normalize_text(typed) == seen


def _guest(*messages):
    events = [{"event": "user", "text": text, "parse_data": {"entities": entities}} for text, entities in messages]
    return Tracker("g1", {}, events[-1]["parse_data"], events, False, None, {}, "action_listen")


def test_the_phone_digits_given_before_the_order_number_are_kept_for_it():
    suffix = [{"entity": "phone_suffix", "value": "3949"}]
    order = [{"entity": "order_no", "value": "202612069409591205"}]
    assert _suffix_said_before(_guest(("手机尾号3949 帮我查下快递", suffix), ("202612069409591205", order))) == "3949"
    assert _suffix_said_before(_guest(("帮我查下快递", []), ("202612069409591205", order))) is None
    assert _suffix_said_before(_guest(("202612069409591205", order))) is None


@pytest.mark.parametrize("text, pending, answers", [
    ("打错了 是3949", "phone_suffix", True), ("3949", "phone_suffix", True),
    # (round 26: digits typed where the order number was asked for are kept for it —
    # actions.orders answers SUFFIX_BEFORE_ORDER)
    ("打错了 是3949", "order_no", True), ("三九四九", "phone_suffix", True), ("打错了 是3949", None, False), ("打错了", "phone_suffix", False),
])
def test_the_digits_again_answer_the_look_up_whatever_the_classifier_said(text, pending, answers):
    tracker = Tracker("g1", {"pending_lookup": pending}, {"text": text}, [], False, None, {}, "action_listen")
    assert gives_awaited_digits(tracker) is answers
