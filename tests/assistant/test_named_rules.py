"""The rules the actions used to apply as bare patterns, by name (tests/test_layers.py keeps
patterns out of actions/)."""
import pytest

from assistant.answer_words import confirms_cancel_alone, says_not_this, says_yes_this_one
from assistant.faq import order_known, without_order_lines
from assistant.order_matching import asks_earlier_order, asks_tracking_number, mentions_own_purchase
from assistant.product_facts import asks_size_advice
from assistant.product_questions import weighs_two
from assistant.recommendation_requests import any_budget, asks_other_brand, title_names_inches
from assistant.warranty import asks_about_own_goods


@pytest.mark.parametrize("rule, yes, no", [
    (confirms_cancel_alone, ["确认取消", " 确定要取消订单吧！ "], ["确认取消吗 怎么退款", "取消", ""]),
    (says_not_this, ["不是这个", "不是"], ["是的", "就这个"]),
    (says_yes_this_one, ["是的", "就这个", "对"], ["不是这个", "哈哈"]),
    (asks_earlier_order, ["不对 是上一个", "再往前一笔", "更早的那单"], ["第一个", "这单"]),
    (asks_tracking_number, ["快递单号发我下", "单号是多少"], ["订单号是多少", "到哪了"]),
    (mentions_own_purchase, ["我买的耳机", "上周买的鞋坏了", "查订单"], ["我想买耳机", "推荐个耳机"]),
    (any_budget, ["不限预算", "多少钱都行", "不差钱"], ["500以内", "便宜点"]),
    (asks_other_brand, ["换个牌子", "有别的品牌吗"], ["换个颜色", "便宜点的"]),
    (title_names_inches, ["海信 75英寸 电视", "小米 65寸"], ["海信电视", "iPhone 15"]),
    (asks_about_own_goods, ["我那个笔记本保修多久", "这单的耳机"], ["耳机保修多久", "笔记本保修几年"]),
])
def test_each_rule_says_what_its_name_says(rule, yes, no):
    assert [text for text in yes if not rule(text)] == []
    assert [text for text in no if rule(text)] == []
    assert not rule(None)


def test_the_size_advice_and_two_products_weighed():
    assert asks_size_advice("穿多大码", []) and asks_size_advice("这个尺码偏大吗", []) and asks_size_advice("好看吗", ["size_advice"])
    assert asks_size_advice("身高175 体重140斤", [])
    assert not asks_size_advice("好看吗", [])
    assert weighs_two("这两个哪个好", []) and weighs_two("比比看", ["compare"]) and not weighs_two("这两个多少钱", [])


def test_a_policy_for_an_order_that_qualifies_for_nothing_offers_no_application():
    policy = "7 天无理由退货。\n告诉我订单号，我可以直接帮您申请。"
    assert without_order_lines(policy) == "7 天无理由退货。"
    assert order_known(policy) == "7 天无理由退货。\n我可以直接帮您申请。"
