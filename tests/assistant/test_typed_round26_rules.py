"""Round 26 (typed26): the rules behind tests/conversations/typed_round26.yml."""
from dataclasses import replace

import pytest

from assistant import product_facts as facts
from assistant.after_sales_dialogue import takes_order_asked_about, wished_after_sales
from assistant.faq import faq_book
from assistant.follow_up import follow_up
from assistant.product_questions import asks_colour_options
from shop.domain.numbers import typed_digits
from tests.assistant.test_product_facts import TEE, product, sku


@pytest.mark.parametrize("typed, digits", [
    ("三九四九", "3949"), ("尾号幺三五七", "尾号1357"), ("是一三五七", "是1357"), ("打错了 是零二两八", "打错了 是0228"),
    ("１２３４", "1234"),
    # not four digits read out: amounts and longer runs stay as typed
    ("一千二百", "一千二百"), ("三九四九五", "三九四九五"), ("一二三", "一二三"),
])
def test_four_digits_read_out_in_chinese_are_digits(typed, digits):
    assert typed_digits(typed) == digits


def test_the_bare_suffix_reads_spoken_digits():
    from assistant.typed_answers import bare_phone_suffix
    # The rule reads spoken digits itself (callers pass the text as typed) ...
    assert bare_phone_suffix("三九四九") == "3949"
    assert bare_phone_suffix("不好意思 是三九四九") == "3949"
    assert bare_phone_suffix("尾号幺三五七") == "1357"
    assert bare_phone_suffix("一千二百") is None
    assert bare_phone_suffix("三九四九五") is None
    # ... and text already read gives the same answer.
    assert bare_phone_suffix(typed_digits("三九四九")) == "3949"


@pytest.mark.parametrize("question", ["我不在家怎么办", "今天快递来了家里没人咋办", "白天上班没人收怎么办"])
def test_nobody_at_home_is_where_the_parcel_can_go(question):
    said = faq_book().answer("refuse_delivery").for_question(question)
    assert "快递柜" in said and "当面拒收" not in said


def test_refusing_a_parcel_is_still_the_refusal_rule():
    said = faq_book().answer("refuse_delivery").for_question("到了我要拒收")
    assert "当面拒收" in said


@pytest.mark.parametrize("text", ["退款", "我要退货", "换货吧", "是的", "是的 退款", "申请退款"])
def test_a_service_said_to_the_order_asked_about_takes_it(text):
    assert takes_order_asked_about(text)


@pytest.mark.parametrize("text", ["不是", "不是这个 我要退款", "退款多久到账", "第二个", "耳机那单退款"])
def test_other_answers_to_the_order_asked_about_do_not_take_it(text):
    assert not takes_order_asked_about(text)


def test_an_after_sales_wish_among_a_guests_look_up_texts():
    assert wished_after_sales(["3949", "X这单我要退货"])
    assert not wished_after_sales(["3949", "X到哪了"])


@pytest.mark.parametrize("text", ["什么时候能到账", "钱啥时候到账啊", "退款什么时候到账"])
def test_when_the_money_comes_is_the_refunds_timing(text):
    ranking = [{"name": "order_status", "confidence": 0.7}]
    result = follow_up(text, ranking, [], "order_status", [])
    assert result is not None and result.intent == "after_sales"
    assert {"entity": "topic", "value": "refund_progress"} in result.entities


@pytest.mark.parametrize("text, entities", [
    ("话费什么时候到账", []),
    ("这单什么时候到账", [{"entity": "order_no", "value": "202612041490352188"}]),
])
def test_other_money_or_a_named_order_is_not_the_refunds_timing(text, entities):
    result = follow_up(text, [{"name": "order_status", "confidence": 0.95}], entities, None, [])
    assert result is None or result.entities != [{"entity": "topic", "value": "refund_progress"}]


COOKER = replace(product([sku(1, 5, 颜色="白色"), sku(2, 3, 颜色="黑色"), sku(3, 0, 颜色="薄荷绿")]),
                 title="苏泊尔 球釜电饭煲 4L 白色 智能预约")


@pytest.mark.parametrize("text", ["几升的", "容量多大", "多少升啊"])
def test_the_capacity_is_read_from_the_title(text):
    lines, missing = facts.aspect_answers(COOKER, text)
    assert lines == ["容量：4L"] and not missing


def test_the_battery_is_not_the_capacity():
    assert [a.label for a in facts.asked_aspects("电池容量多大")] == ["续航"]


def test_a_capacity_with_no_figure_is_missing():
    lines, missing = facts.aspect_answers(TEE, "几升的")
    assert not lines and [a.label for a in missing] == ["容量"]


@pytest.mark.parametrize("text", ["刚才那个黑的", "要黑的", "黑的有吗"])
def test_a_colour_said_by_its_first_character(text):
    assert facts.wanted_variant(COOKER, text) == {"颜色": "黑色"}


@pytest.mark.parametrize("text", ["我明白的", "定金的什么时候退", "奶粉的呢"])
def test_words_ending_in_a_colour_character_are_no_colour(text):
    assert facts.wanted_variant(COOKER, text) == {}


@pytest.mark.parametrize("text", ["还有别的颜色吗", "有哪些颜色", "颜色有几种", "有什么颜色可以选"])
def test_the_colours_asked_for(text):
    assert asks_colour_options(text)


@pytest.mark.parametrize("text", ["有黑色吗", "黑色的还有吗", "颜色好看吗"])
def test_one_colour_asked_about_is_no_list_of_colours(text):
    assert not asks_colour_options(text)


def test_a_second_question_beside_the_money_is_answered_as_both():
    result = follow_up("退款多久到账 还有运费险怎么赔", [{"name": "after_sales", "confidence": 0.9}],
                       [{"entity": "topic", "value": "shipping_insurance"}], None, [])
    assert result is None


def test_nobody_at_home_right_after_an_order_is_that_deliverys_question():
    topic = [{"entity": "topic", "value": "refuse_delivery"}]
    result = follow_up("不在家", [{"name": "nlu_fallback", "confidence": 0.3}], topic, "order_status", [])
    assert result is not None and result.intent == "order_status" and result.entities == topic
    assert follow_up("不在家", [{"name": "nlu_fallback", "confidence": 0.3}], topic, "ask_recommendation", []) is None or \
        follow_up("不在家", [{"name": "nlu_fallback", "confidence": 0.3}], topic, "ask_recommendation", []).intent != "order_status"
