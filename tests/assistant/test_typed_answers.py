"""Typed answers to the assistant's own questions: labels, everyday words, ordinals,
descriptions, explicit cancels, policy questions versus requests."""
import pytest

from assistant.typed_answers import (
    asks_about_policy, change_target, choice_index, confirmation_in, is_cancel, new_value_part, products_on_screen, reason_in,
    service_in,
)
from shop.domain.after_sales import REASON_LABELS, AfterSalesReason, ServiceType
from shop.domain.numbers import as_product_id


@pytest.mark.parametrize("reason,label", list(REASON_LABELS.items()))
def test_every_reason_button_label_typed_out_is_that_reason(reason, label):
    assert reason_in(label) is reason


@pytest.mark.parametrize("text,reason", [
    ("不想要了", AfterSalesReason.CHANGED_MIND),
    ("买错了", AfterSalesReason.CHANGED_MIND),
    ("七天无理由", AfterSalesReason.NO_REASON),
    ("屏幕坏了", AfterSalesReason.QUALITY),
    ("屏幕有条线", AfterSalesReason.QUALITY),
    ("屏幕上有条绿线", AfterSalesReason.QUALITY),
    ("有坏点", AfterSalesReason.QUALITY),
    ("收到的时候就碎了", AfterSalesReason.DAMAGED),
    ("发错货了", AfterSalesReason.WRONG_ITEM),
    ("鞋子偏小", AfterSalesReason.SIZE_FIT),
    ("第二个", None),
])
def test_everyday_words_give_the_reason(text, reason):
    assert reason_in(text) is reason


@pytest.mark.parametrize("text,service", [("退货", ServiceType.RETURN), ("我想换货", ServiceType.EXCHANGE),
                                          ("仅退款", ServiceType.REFUND_ONLY), ("维修", ServiceType.REPAIR),
                                          ("好的", None)])
def test_service_typed(text, service):
    assert service_in(text) is service


@pytest.mark.parametrize("text", ["取消", "算了", "不办了", "取消申请", "不申请了"])
def test_explicit_cancels(text):
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["不想要了", "不要了", "质量问题", "第二个"])
def test_a_reason_is_not_a_cancel(text):
    assert not is_cancel(text)


OPTIONS = ["小米 14 手机 黑色 256GB", "倍思 65W 氮化镓充电器 白色", "华为 FreeBuds 耳机 黑色"]


@pytest.mark.parametrize("text,index", [
    ("第二个", 1), ("第2个", 1), ("第一件", 0), ("最后那个", 2), ("最后一个", 2),
    ("充电器那个", 1), ("耳机", 2), ("手机那个", 0), ("第五个", None), ("随便", None),
    # a number typed alone is its place in the list; one out of range or longer picks nothing
    ("2", 1), (" 3。", 2), ("1", 0), ("5", None), ("0", None), ("1234", None),
])
def test_choice_by_ordinal_or_description(text, index):
    assert choice_index(text, OPTIONS) == index


@pytest.mark.parametrize("text,index", [
    # an order number typed at a list: never a two-digit fragment of it ("56" of 256GB) …
    ("202611201234567890", None), ("订单号202611201234567890", None),
    # … but the order that holds it whole; a number typed whole still picks its variant
    ("202612063167308256", 1), ("256GB那个", 0), ("要256的", 0), ("65W的", 1),
])
def test_numbers_pick_only_whole(text, index):
    options = [*OPTIONS[:1], "待发货 倍思 65W 氮化镓充电器 202612063167308256"]
    assert choice_index(text, options) == index


def test_an_ambiguous_description_picks_nothing():
    assert choice_index("黑色那件", OPTIONS) is None


@pytest.mark.parametrize("text", ["支持七天无理由退货吗", "退换货政策是什么", "这个能退吗", "保修多久？"])
def test_policy_questions(text):
    assert asks_about_policy(text)


@pytest.mark.parametrize("text", ["我要退货", "帮我申请换货", "怎么申请退货", "不想要了"])
def test_requests_are_not_policy_questions(text):
    assert not asks_about_policy(text)


# --- the answer to the after-sales summary's "确认提交吗？" ---------------------------------

@pytest.mark.parametrize("text", ["是的", "确认", "对", "提交吧", "确认提交", "好的", "没问题", "对的没问题", "嗯"])
def test_confirmations(text):
    assert confirmation_in(text) == "yes"


@pytest.mark.parametrize("text", ["取消", "算了不退了", "算了", "不申请了", "不想要了", "那算了吧", "不要了", "我不想退了"])
def test_cancels_at_the_summary(text):
    assert confirmation_in(text) == "cancel"


@pytest.mark.parametrize("text", ["不想要了，换成换货", "不是质量问题，是不想要了"])
def test_a_drop_it_that_names_a_change_is_a_change(text):
    assert confirmation_in(text) == "change"


def test_choices_on_screen_are_the_buttons_since_the_shoppers_previous_message():
    from assistant.typed_answers import choices_on_screen

    asked = {"event": "bot", "text": "请问是什么原因呢？", "data": {"buttons": [{"title": "质量问题"}, {"title": "破损"}]}}
    said = {"event": "bot", "text": "请问是什么原因呢？", "data": {}}
    user = {"event": "user", "text": "x"}
    assert choices_on_screen([user, asked, user]) == ["质量问题", "破损"]
    # Buttons of an earlier turn are no longer on screen; a question in words shows none.
    assert choices_on_screen([asked, user, said, user]) == []


@pytest.mark.parametrize("text,target", [
    ("不对", None), ("改一下原因", "reason"), ("换个商品", "item"), ("改成换货", "service"),
    ("不是质量问题，是不想要了", "reason"), ("原因写错了，是尺码不合适", "reason"), ("换一个订单", "order"),
    ("不对，是第一件", "item"),
])
def test_corrections_and_what_they_change(text, target):
    assert confirmation_in(text) == "change"
    assert change_target(text) == target


def test_the_new_value_of_a_correction():
    assert reason_in(new_value_part("不是质量问题，是不想要了")).value == "changed_mind"
    assert new_value_part("改成换货") == "换货"
    assert new_value_part("不想要了") == "不想要了"
    # the old value said after the new one (typed5)
    assert service_in(new_value_part("等等，我要换货不是退货")) is ServiceType.EXCHANGE
    assert reason_in(new_value_part("质量问题，不是不想要")).value == "quality"
    assert new_value_part("不是质量问题") == "不是质量问题"


def test_two_ordinals_in_one_message_pick_two_of_the_list():
    from assistant.typed_answers import two_choices

    assert two_choices("第二个和第三个哪个好", 5) == (1, 2)
    assert two_choices("第一个跟最后一个比哪个好", 5) == (0, 4)
    assert two_choices("第二个怎么样", 5) is None
    assert two_choices("第二个和第九个哪个好", 5) is None          # the ninth is not on screen


def test_not_knowing_what_was_asked():
    from assistant.typed_answers import forgets

    assert forgets("尾号不记得了") and forgets("订单号忘了") and forgets("想不起来")
    assert forgets("我没有订单号") and forgets("单号删了")
    assert not forgets("1234") and not forgets("订单号是多少")


def test_a_decision_to_buy_naming_nothing():
    from assistant.typed_answers import buys_it

    assert buys_it("我要买") and buys_it("就它了") and buys_it("下单") and buys_it("那我买这个")
    assert not buys_it("我要买手机") and not buys_it("我买了") and not buys_it("我买的耳机")


def test_a_lead_in_asks_nothing_yet():
    from assistant.typed_answers import only_leads_in

    assert only_leads_in("我想问下") and only_leads_in("请问一下") and only_leads_in("咨询一下")
    assert not only_leads_in("我想问下这个手机多少钱") and not only_leads_in("问下订单")


def test_what_of_an_after_sales_message_describes_the_order():
    from assistant.after_sales_dialogue import order_description
    from assistant.order_matching import product_words

    assert "鞋子" in product_words(order_description("我想退上周买的鞋子"))
    assert order_description("我要退货") is None and order_description("不想要了") is None
    assert order_description("质量有问题") is None and order_description("算了，换货吧") is None
    assert product_words(order_description("我想退那双鞋")) == ["鞋"]
    assert order_description("行") is None and order_description("嗯") is None


def test_a_refund_question_at_the_order_question_picks_no_order_by_its_status():
    from assistant.after_sales_dialogue import order_pick_words
    from assistant.typed_answers import choice_index

    listed = ["运输中 Apple AirPods Pro 2", "已签收 Apple iPhone 15 Pro Max", "已退款 耐克 Air Zoom Pegasus"]
    assert choice_index("退款多久到账", listed) == 2          # what the raw words would pick
    assert choice_index(order_pick_words("退款多久到账"), listed) is None
    assert choice_index(order_pick_words("耐克那双退货"), listed) == 2
    assert choice_index(order_pick_words("第二个"), listed) == 1


def test_a_second_question_on_a_purchase_policy():
    from assistant.after_sales_dialogue import second_question_topics

    topics = ["refund_progress", "invoice"]
    assert second_question_topics("退款多久到账？另外能开发票吗", topics, ["refund_progress"]) == ["invoice"]
    assert second_question_topics("退款开发票", topics, ["refund_progress"]) == []


def test_a_short_answer_at_the_summary_is_read_whole_not_by_its_first_word():
    from assistant.typed_answers import confirmation_in

    # a first "嗯" / "好的" is no yes when a no follows: nothing is filed or changed
    for text in ("嗯 不要了", "嗯 不想要了", "好的 不用了", "嗯 算了", "嗯嗯 不退了", "好 取消吧"):
        assert confirmation_in(text) == "cancel", text
    for text in ("行 就这样", "对的", "嗯", "好的", "对 没错"):
        assert confirmation_in(text) == "yes", text
    assert confirmation_in("不是这个") == "change"


def test_the_products_of_the_last_list_shown():
    cards = {"event": "bot", "data": {"custom": {"type": "product_cards", "products": [
        {"id": 7, "title": "保温杯"}, {"id": "x", "title": "typed"}, {"id": "12", "title": "水杯"}]}}}
    buttons = {"event": "bot", "data": {"buttons": [
        {"title": "耳机A", "payload": '/product_inquiry{"product_id": "31"}'},
        {"title": "转人工", "payload": "/human_handoff"},
        {"title": "耳机B", "payload": '/product_inquiry{"product_id":"32"}'}]}}
    said = {"event": "user", "text": "第一个"}
    assert products_on_screen([cards, said]) == [("保温杯", 7), ("水杯", 12)]
    assert products_on_screen([cards, buttons, said]) == [("耳机A", 31), ("耳机B", 32)]
    assert products_on_screen([{"event": "bot", "data": {"buttons": [{"title": "转人工", "payload": "/human_handoff"}]}},
                               said]) == []


def test_a_product_id_is_only_a_short_number():
    assert as_product_id(" 42 ") == 42 and as_product_id(42) == 42
    assert as_product_id("4a") is None and as_product_id("1" * 13) is None and as_product_id(None) is None
    # isdigit() but no int(): a ValueError, the outage apology, before (tests/integration/test_under_attack.py)
    assert as_product_id("①") is None and as_product_id("²") is None and as_product_id("9" * 5000) is None
    assert as_product_id("４２") == 42
