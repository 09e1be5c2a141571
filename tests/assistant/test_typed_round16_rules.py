"""Round 16 (typed16): a wrong address with the parcel held back is an address change, not a
cancellation; a brand named as left out after a list refines the list."""

import pytest

from assistant.order_matching import cancels_outright
from assistant.recommendation_requests import leaves_out_brand
from assistant.typed_answers import verb_answer


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
