"""Round 16 (typed16): a wrong address with the parcel held back is an address change, not a
cancellation; a brand named as left out after a list refines the list; a colour turned down
("不要黑色") is left out, not asked for; the confirmation button's title typed is a yes."""

import pytest

from assistant.follow_up import follow_up, wishes_a_service
from assistant.offers import CANCEL_OFFER_PREFIX
from assistant.order_matching import cancels_outright
from assistant.pending_answers import answer_to_offer
from assistant.recommendation_requests import (
    RecommendationRequest, leaves_out_brand, next_request, other_colour_in_stock, understand,
)
from assistant.typed_answers import asks_item_alone, verb_answer


@pytest.mark.parametrize("text", ["精华液那单先别发 我地址写错了", "先别发货 地址填错了", "等下再发 收货地址不对"])
def test_a_parcel_held_back_for_the_address_is_no_cancellation(text):
    assert not cancels_outright(text)


@pytest.mark.parametrize("text", ["取消订单吧 地址也写错了", "地址写错了 不要了", "不想要了 地址也不对", "退款吧"])
def test_cancelling_said_outright(text):
    assert cancels_outright(text)


@pytest.mark.parametrize("text,brands", [("不要耐克", ["耐克"]), ("除了苹果都行", ["苹果"]), ("不考虑华为的", ["华为"])])
def test_a_brand_named_as_left_out(text, brands):
    assert leaves_out_brand(text, brands)


@pytest.mark.parametrize("text,brands", [("要耐克的", ["耐克"]), ("不要了", []), ("不要这个", [None])])
def test_no_brand_left_out(text, brands):
    assert not leaves_out_brand(text, brands)


@pytest.mark.parametrize("text", ["确认修改", "确定改", "确认修改地址", "嗯 确认修改"])
def test_the_confirmation_buttons_title_typed_is_a_yes(text):
    assert verb_answer(text, "改|修改") == "yes"


@pytest.mark.parametrize("text", ["确认修改成公司地址", "确认不改了"])
def test_a_confirmation_that_names_more_is_no_plain_yes(text):
    assert verb_answer(text, "改|修改") != "yes"


@pytest.mark.parametrize("text", ["有什么好的蓝牙耳机 不要黑色", "不要黑色的", "黑色的不要", "除了黑色都行", "别要黑的"])
def test_a_colour_turned_down_is_left_out_not_asked_for(text):
    said = understand(text, {"color": "黑色"}, None)
    assert said.colour is None and said.excluded_colour == "黑色"
    request = next_request(RecommendationRequest(category="耳机耳麦", colour="黑色"), said)
    assert request.colour is None and request.exclude_colours == ("黑色",)
    assert "不要黑色" in request.describe()
    assert RecommendationRequest.from_slot(request.to_slot()) == request


@pytest.mark.parametrize("text", ["推荐个黑色的耳机", "要黑色的", "黑色有吗"])
def test_a_colour_asked_for_stays_asked_for(text):
    said = understand(text, {"color": "黑色"}, None)
    assert said.colour == "黑色" and said.excluded_colour is None


def test_a_colour_asked_for_after_it_was_turned_down_is_wanted_again():
    request = RecommendationRequest(category="耳机耳麦", exclude_colours=("黑色",))
    again = next_request(request, understand("还是要黑色的吧", {"color": "黑色"}, None))
    assert again.colour == "黑色" and again.exclude_colours == ()


class _Sku:
    def __init__(self, colour, stock=5):
        self.attributes, self.in_stock = {"颜色": colour}, stock > 0


class _Listing:
    def __init__(self, *shades, stocks=None):
        self.attributes = {}
        self.skus = [_Sku(c, (stocks or {}).get(c, 5)) for c in shades]


def test_a_listing_is_kept_when_it_sells_another_colour_in_stock():
    assert other_colour_in_stock(_Listing("黑色", "白色"), ("黑色",))
    assert not other_colour_in_stock(_Listing("黑色", "雅丹黑"), ("黑色",))
    assert not other_colour_in_stock(_Listing("黑色", "白色", stocks={"白色": 0}), ("黑色",))
    assert other_colour_in_stock(_Listing(), ("黑色",))


def test_a_brand_named_with_another_brand_wanted_is_that_brand():
    shown = RecommendationRequest(category="手机", brand="华为", shown_brands=("华为",))
    request = next_request(shown, understand("换个牌子 小米的有吗", {"brand": "小米"}, None))
    assert request.brand == "小米" and request.exclude_brands == ("华为",)


@pytest.mark.parametrize("text,answer", [("确认取消👌", "affirm"), ("好的🙏", "affirm"), ("不用了😅", "deny"),
                                         ("嗯嗯👍 取消吧", "affirm")])
def test_emoji_at_the_cancel_question_carry_no_answer_of_their_own(text, answer):
    assert answer_to_offer(text, CANCEL_OFFER_PREFIX + "202612061086547273") == answer


@pytest.mark.parametrize("text,wished", [
    ("衬衫那单我要退", True), ("手机那单我想退货", True), ("充电器帮我换一个", True),
    ("衬衫那单能退吗", False), ("我要退吗？", False), ("手机那单我要退 可以吗", False), ("耳机到哪了 我要退", False),
])
def test_a_service_wished_for_an_order_named(text, wished):
    assert wishes_a_service(text, [{"entity": "service_type", "value": "退货"}]) is wished


def test_an_unsure_order_question_that_wishes_a_service_is_the_request():
    ranking = [{"name": "order_status", "confidence": 0.56}, {"name": "after_sales", "confidence": 0.4}]
    entities = [{"entity": "category", "value": "服饰鞋包"}, {"entity": "service_type", "value": "退货"}]
    routed = follow_up("衬衫那单我要退", ranking, entities, None, [])
    assert routed is not None and routed.intent == "after_sales"
    sure = [{"name": "order_status", "confidence": 0.95}]
    assert follow_up("衬衫那单我要退", sure, entities, None, []) is None


@pytest.mark.parametrize("text,alone", [("充电器能单独退吗？", True), ("只退充电器可以吗", True), ("我只换手机", True),
                                        ("充电器也坏了", False), ("能退吗", False)])
def test_an_item_asked_about_on_its_own(text, alone):
    assert asks_item_alone(text) is alone
