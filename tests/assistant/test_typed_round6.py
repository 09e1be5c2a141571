"""Round 6's typed gaps, the pure rules: a kind asked for after a list, how to reach the shop,
a coupon that cannot be used, two requests in one message, fresh food, corrections and
follow-ups of a question the assistant answered although the NLU was unsure."""
from types import SimpleNamespace

import pytest

from assistant.after_sales_dialogue import names_fresh_food, on_screen_first, route_before_services
from assistant.contact import contact_topic
from assistant.follow_up import follow_up, previous_question, requests_beside_order_clause
from assistant.form_questions import AFTER_SALES, untagged_topics
from assistant.offer_questions import coupon_unusable
from assistant.order_matching import asks_arrival, values_within, without_order_clause
from assistant.recommendation_requests import asked_kind, kind_stems, refinement_words


@pytest.mark.parametrize("text, kind", [
    ("要头戴式的", "头戴式"), ("有没有入耳的", "入耳"), ("骨传导的呢", "骨传导"), ("有折叠屏的吗", "折叠屏"),
    ("油皮能用吗", "油皮"), ("适合敏感肌吗", "敏感肌"), ("这个能用吗", None), ("要好看的", None),
    ("哈哈", None), ("好的", None), ("要的", None), ("我要退货", None), ("这款怎么样", None),
])
def test_a_kind_asked_for_in_so_many_words(text, kind):
    assert asked_kind(text) == kind


def test_a_kind_is_looked_for_without_its_ending_too():
    assert kind_stems("头戴式") == ["头戴式", "头戴"]
    assert kind_stems("大型") == ["大型"]
    assert refinement_words("要入耳式的") == ["入耳式", "入耳"]


@pytest.mark.parametrize("text, topic", [
    ("怎么联系商家", "contact"), ("商家电话多少", "contact"), ("联系卖家", "contact"), ("店家联系方式", "contact"),
    ("怎么联系你们", "contact"), ("你们几点下班", "service_hours"),
    # (a marketplace's desk is the shop's own since round 13: typed_round13.yml)
    ("京东客服电话多少", "contact"), ("京东物流电话多少", None), ("银行客服电话", None),
    ("快递员电话多少", None), ("手机号码怎么改", None), ("我的快递到哪了", None),
])
def test_how_to_reach_the_shop(text, topic):
    assert contact_topic(text) == topic


@pytest.mark.parametrize("text, unusable", [
    ("优惠券怎么用不了", True), ("券不能用", True), ("下单的时候优惠券没抵扣", True), ("为什么用不了优惠券", True),
    ("优惠券怎么用", False), ("有优惠券吗", False), ("这个手机怎么用", False),
])
def test_a_coupon_that_cannot_be_used(text, unusable):
    assert coupon_unusable(text) is unusable


def test_the_request_beside_an_order_question_is_read_on_its_own():
    text = "耳机到哪了 另外我想退那个手机"
    assert without_order_clause(text) == "我想退那个手机"
    assert without_order_clause("我想退那个手机") == "我想退那个手机"
    entities = [{"entity": "category", "value": "耳机耳麦", "start": 0}, {"entity": "category", "value": "手机", "start": 12}]
    assert values_within(text, "我想退那个手机", entities, ("category",)) == ["手机"]
    assert values_within(text, "耳机到哪了", entities, ("category",)) == ["耳机耳麦"]
    assert values_within(text, text, entities, ("category",)) == ["耳机耳麦", "手机"]


def test_two_requests_in_one_message_go_to_the_after_sales_route():
    text = "耳机到哪了，还有那个手机我想退"
    entities = [{"entity": "category", "value": "耳机耳麦", "start": 0}, {"entity": "service_type", "value": "退货", "start": 12}]
    assert requests_beside_order_clause(text, entities)
    assert not requests_beside_order_clause("耳机到哪了", [{"entity": "service_type", "value": "退货", "start": 1}])
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "order_status", "confidence": 0.45}]
    assert follow_up(text, ranking, entities, None, []).intent == "after_sales"


def test_an_unsure_message_answered_as_an_order_question_is_followed_up_as_one():
    events = [{"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}},
              {"event": "action", "name": "action_clarify"}, {"event": "action", "name": "action_order_status"}]
    assert previous_question(events) == "order_status"
    assert previous_question([{"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}},
                              {"event": "action", "name": "action_clarify"}]) == "nlu_fallback"
    assert previous_question([{"event": "user", "parse_data": {"intent": {"name": "purchase"}}}]) == "purchase"
    assert previous_question([]) is None
    shown = [{"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}},
             {"event": "action", "name": "action_clarify"},
             {"event": "bot", "data": {"custom": {"type": "order_timeline"}}}]
    assert previous_question(shown) == "order_status"



def test_a_purchase_question_answered_with_the_shoppers_order_is_followed_up_as_an_order_question():
    # "牛奶今天能到吗" read as a delivery question before buying, answered with the milk order on
    # its way (actions.purchase): "还要等多久" is about that order, not the delivery times.
    carded = [{"event": "user", "parse_data": {"intent": {"name": "purchase"}}},
              {"event": "action", "name": "action_purchase_help"},
              {"event": "bot", "data": {"custom": {"type": "order_timeline"}}}]
    assert previous_question(carded) == "order_status"
    policy = [{"event": "user", "parse_data": {"intent": {"name": "purchase"}}},
              {"event": "action", "name": "action_purchase_help"}, {"event": "bot", "text": "现货商品当天发货"}]
    assert previous_question(policy) == "purchase"
    cards = [{"event": "user", "parse_data": {"intent": {"name": "purchase"}}},
             {"event": "bot", "data": {"custom": {"type": "product_cards"}}}]
    assert previous_question(cards) == "purchase"

def test_fresh_food_and_the_list_it_narrows_to():
    assert names_fresh_food("生鲜坏了能退吗") and names_fresh_food("水果烂了") and not names_fresh_food("手机坏了")
    orders = [SimpleNamespace(order_no=n) for n in ("a", "b", "c", "d")]
    assert [o.order_no for o in on_screen_first(orders, ["c", "a"])] == ["c", "a", "b", "d"]
    assert [o.order_no for o in on_screen_first(orders, [])] == ["a", "b", "c", "d"]


def test_money_back_timing_is_a_refund_progress_question():
    assert "refund_progress" in untagged_topics("那钱哪天退回来", AFTER_SALES)
    route = route_before_services("那钱哪天退回来", [], wants=False)
    assert route is not None and route.kind == "status" and route.policy_topics == ("refund_progress",)


def test_a_complaint_about_slowness_hurries_the_order():
    from assistant.order_urging import is_urging

    assert is_urging("好慢啊") and is_urging("物流太慢了") and not is_urging("慢慢来")


@pytest.mark.parametrize("text, asks", [("牛奶今天能到吗", True), ("耳机啥时候到", True), ("推荐个耳机", False)])
def test_when_something_arrives(text, asks):
    assert asks_arrival(text) is asks


@pytest.mark.parametrize("text, cancels", [
    ("取消吧", True), ("那算了 取消吧", True), ("帮我取消", True), ("算了", False), ("不用了", False),
    ("取消售后", False), ("取消订单吧", False),
])
def test_cancelling_the_order_just_shown(text, cancels):
    from assistant.order_matching import cancels_the_order_shown

    assert cancels_the_order_shown(text) is cancels
