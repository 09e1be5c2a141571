"""Round 12's rules, pure: the desk's hours said once to a waiting shopper, an order's own
terms for a return question asked about it, how a return is sent back, a category the NLU
read from a narrower word (typed conversations: typed_round12.yml)."""

import pytest

from assistant.after_sales_dialogue import offers_request, policy_for_order_in_view
from assistant.form_questions import AFTER_SALES, question_topics
from assistant.handoff_queue import QueuePlace, waiting_answer
from assistant.order_categories import another_name_typed, typed_names


def test_the_hours_asked_while_the_desk_is_closed_are_said_once():
    place = QueuePlace("RG1", 1, None, desk_open=False)
    answer = waiting_answer("你们几点下班", place)
    assert answer.count(place.hours.text) == 1
    assert "现在不在人工服务时间" in answer and "正在排队" in answer
    # any other message while waiting still explains the closed desk with its hours
    assert place.hours.text in waiting_answer("人呢", place)


def test_a_return_question_about_a_fresh_food_order_gets_fresh_foods_terms():
    milk = "特仑苏 纯牛奶 250ml*16盒 整箱装 标准版 食品生鲜 牛奶乳品"
    assert policy_for_order_in_view(["return_policy"], milk, names_other=False) == ["fresh_food"]
    assert not offers_request(["fresh_food"])  # no exchange or repair buttons for food


@pytest.mark.parametrize(
    "topics, words, named",
    [
        (["return_policy"], "Apple iPhone 15 Pro Max 手机数码 手机", False),  # not food: the general rules
        (["return_policy"], "特仑苏 纯牛奶 食品生鲜 牛奶乳品", True),  # another product named
        (["invoice"], "特仑苏 纯牛奶 食品生鲜 牛奶乳品", False),  # not a return question
    ],
)
def test_other_orders_questions_or_products_keep_their_topics(topics, words, named):
    assert policy_for_order_in_view(topics, words, names_other=named) == topics


@pytest.mark.parametrize("text", ["退货要寄个快递回去吗", "换货是自己寄回去吗", "需要我寄回来吗", "退货怎么寄"])
def test_whether_a_return_is_sent_back_by_parcel_is_the_return_shipping_and_address(text):
    assert set(question_topics(text, [], AFTER_SALES)) >= {"return_shipping", "return_address"}


def test_a_category_counts_only_when_said_in_other_words():
    assert another_name_typed("新鲜水果", "那个水果坏了")
    assert another_name_typed("服饰鞋包", "衣服太小了")
    assert another_name_typed("纸尿裤", "尿不湿到了吗")
    assert not another_name_typed("服饰鞋包", "衬衫那单")  # the NLU's category for 衬衫


def test_the_nlus_names_match_orders_departments_only_where_typed():
    assert typed_names(["纸尿裤"], "尿不湿到了吗", leaf_only=True) == ["纸尿裤"]  # another name of the leaf
    assert typed_names(["服饰鞋包"], "衬衫那单", leaf_only=True) == ["服饰鞋包"]
    assert typed_names(["服饰鞋包"], "衬衫那单", leaf_only=False) == []  # not the whole department
    assert typed_names(["手机"], "是手机那单", leaf_only=False) == ["手机"]


def test_a_sound_of_thinking_before_no_is_not_a_yes_to_the_order_in_view():
    # "是刚才查看的订单…吗？" → "嗯 不是这个": another order, not the one in view.
    from assistant.after_sales_dialogue import NOT_THIS, YES

    for no in ("嗯 不是这个", "额，不对", "嗯嗯 别的", "不是这个 是上一个"):
        assert NOT_THIS.search(no) and not YES.search(no), no
    for yes in ("嗯", "嗯 是这个", "是的", "对", "这单"):
        assert YES.search(yes) and not NOT_THIS.search(yes), yes


def test_every_sound_of_thinking_before_an_answer_is_the_same():
    # The order-in-view question and the summary read one list of them (assistant.answer_words):
    # "噢 不是这个" was no "no" here, though "噢" was a sound of thinking at the summary.
    from assistant.after_sales_dialogue import NOT_THIS, YES
    from assistant.typed_answers import confirmation_in

    for no in ("噢 不是这个", "噢，不对", "呃 别的"):
        assert NOT_THIS.search(no) and not YES.search(no), no
    assert confirmation_in("噢 不退了") == "cancel"
