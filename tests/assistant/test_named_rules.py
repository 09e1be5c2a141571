"""The rules the actions used to apply as bare patterns, by name (tests/test_layers.py keeps
patterns out of actions/)."""
import pytest

from assistant.answer_words import confirms_cancel_alone, says_not_this, says_yes_this_one
from assistant.order_matching import asks_earlier_order, asks_tracking_number, mentions_own_purchase
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
