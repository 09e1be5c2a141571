"""Round 17 (typed17): a return question about the PLUS membership or about goods paid with a
gift card is answered for what it is about; "不要耐克" with no Nike on screen is said so and
the next cards follow; "有没有大一码的" is one size up from the size asked before; the address
change names who the parcel now goes to."""
from types import SimpleNamespace

import pytest

from actions.order_changes import address_changed_text
from actions.product import earlier_texts, size_step_reply
from assistant.after_sales_dialogue import offers_request, refund_subject, route_after_services
from assistant.product_facts import size_step, stepped_size
from assistant.recommendation_requests import RecommendationRequest, turned_down_unseen, understand
from shop.db.records import AddressChangeResult


@pytest.mark.parametrize("text", ["plus会员能退吗", "PLUS 会员可以退款吗", "会员费能退吗", "开通的会员能不能退"])
def test_the_membership_refunded_is_its_own_topic(text):
    assert refund_subject(text) == "membership_refund"
    assert route_after_services(text, ["return_policy"], False, None, False).policy_topics == ("membership_refund",)


@pytest.mark.parametrize("text", ["能退吗 礼品卡买的东西", "礼品卡付款的能退货吗", "用礼品卡买的可以退吗"])
def test_goods_paid_with_a_gift_card_are_their_own_topic(text):
    assert refund_subject(text) == "gift_card_return"
    assert route_after_services(text, ["return_policy"], False, None, True).policy_topics == ("gift_card_return",)


@pytest.mark.parametrize("text", ["会员价买的能退吗", "支持七天无理由退货吗", "plus会员价的东西能退吗", "会员券买的能退吗"])
def test_goods_bought_the_usual_way_keep_the_return_rules(text):
    assert refund_subject(text) is None


def test_a_membership_refund_offers_no_goods_return_request():
    assert not offers_request(["membership_refund"])
    assert offers_request(["gift_card_return"])


def phones_shown(*brands):
    return RecommendationRequest(category="手机", shown=(1, 2), shown_prices=(999.0, 1999.0), shown_brands=brands)


def said(text, brand):
    return understand(text, {"brand": brand}, None, brands=[brand])


def test_a_brand_turned_down_that_was_not_on_screen_is_said():
    assert turned_down_unseen(phones_shown("小米", "华为"), said("不要耐克", "耐克")) == ("耐克",)


def test_a_brand_turned_down_that_was_on_screen_narrows_as_before():
    assert turned_down_unseen(phones_shown("小米", "Apple"), said("不要Apple的", "Apple")) == ()


def test_nothing_shown_or_more_asked_narrows_as_before():
    assert turned_down_unseen(None, said("不要耐克", "耐克")) == ()
    assert turned_down_unseen(RecommendationRequest(category="手机"), said("不要耐克", "耐克")) == ()
    # "不要耐克 1000以内": a budget too is a new list.
    more = understand("不要耐克 1000以内", {"brand": "耐克", "budget_max": 1000}, None, brands=["耐克"])
    assert turned_down_unseen(phones_shown("小米"), more) == ()


@pytest.mark.parametrize("text,step", [("有没有大一码的", 1), ("大一号的有吗", 1), ("小一码的呢", -1), ("有41码吗", 0),
                                       ("一码大", 0)])
def test_one_size_up_or_down(text, step):
    assert size_step(text) == step


def sku(size, stock=5):
    return SimpleNamespace(attributes={"尺码": size}, is_active=True, stock=stock, in_stock=stock > 0,
                           name=f"灰色 {size}", price=969)


def shoe(*sizes):
    return SimpleNamespace(skus=[sku(s) for s in sizes], title="耐克 Air Zoom Pegasus 40", model="Air Zoom Pegasus 40",
                           attributes={})


def test_the_next_size_is_by_how_sizes_run_not_the_list_order():
    assert stepped_size(shoe("42", "39", "41", "40"), "41", 1) == "42"
    assert stepped_size(shoe("42", "39", "41", "40"), "41", -1) == "40"
    assert stepped_size(shoe("39", "40"), "40", 1) is None
    shirt = SimpleNamespace(skus=[sku(s) for s in ("XL", "S", "M", "L")], attributes={})
    assert stepped_size(shirt, "M", 1) == "L"
    assert stepped_size(shirt, "S", -1) is None


def test_one_size_up_names_it_after_the_size_asked_before():
    reply = size_step_reply(shoe("39", "40", "41", "42"), 1, ["耐克Pegasus 40有41码吗"])
    assert reply.startswith("比 41码 大一码是 42码") and "可选尺码" not in reply
    largest = size_step_reply(shoe("39", "40", "41", "42"), 1, ["有42码吗"])
    assert "已经是这款最大的尺码" in largest
    assert size_step_reply(shoe("39", "40"), 1, ["推荐双跑鞋"]) is None


def test_the_address_change_names_the_new_recipient_masked():
    text = address_changed_text(AddressChangeResult("2026", "旧", "北京市朝阳区建国路88号", "李雷", "13800138000"))
    assert "收货人：李雷 138****8000" in text and "13800138000" not in text
    assert "收货人" not in address_changed_text(AddressChangeResult("2026", "旧", "北京市朝阳区建国路88号"))


def test_the_sizes_asked_before_are_read_from_this_session_only():
    events = [{"event": "user", "text": "有40码吗"}, {"event": "session_started"}, {"event": "user", "text": "有41码吗"},
              {"event": "bot", "text": "…"}, {"event": "user", "text": "有没有大一码的"}, {"event": "action", "name": "x"}]
    assert earlier_texts(SimpleNamespace(events=events)) == ["有41码吗"]
