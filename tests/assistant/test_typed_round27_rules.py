"""Round 27: an answer typed as a place in the buttons on screen is that button tapped —
ordinals, bare numbers, "下面那个" of two, "最上面", "中间那个" of three — at every question
that offers buttons (assistant.typed_answers.button_picked, applied at parse time by
shop_channels.rasa_follow_ups)."""
import pytest

from assistant.follow_up import is_choice
from assistant.typed_answers import (
    button_picked, buttons_offered, choice_index, has_ordinal, only_a_place, place_in,
)

CONFIRM = [{"title": "确认提交", "payload": "确认提交"}, {"title": "取消申请", "payload": "取消"}]
SERVICES = [{"title": t, "payload": f'/inform{{"service_type": "{t}"}}'} for t in ("退货退款", "换货", "仅退款", "维修", "补发")]


@pytest.mark.parametrize("text,count,place", [
    ("下面那个", 2, 1), ("上面那个", 2, 0), ("后面那件", 2, 1), ("前面的", 2, 0), ("就下面那个吧", 2, 1),
    ("最下面那个", 5, 4), ("最上面的", 5, 0), ("头一个", 3, 0), ("中间那个", 3, 1),
    ("选2", 3, 1), ("2号", 3, 1), ("第二个吧", 3, 1), ("最后一个吧", 3, 2), ("好的 第一个", 2, 0),
    # of a longer list "下面那个" says not which; out of range picks nothing
    ("下面那个", 4, None), ("中间那个", 4, None), ("第五个", 3, None), ("12", 3, None), ("下面怎么办", 2, None),
])
def test_a_place_in_a_list(text, count, place):
    assert place_in(text, count) == place


@pytest.mark.parametrize("text", ["第二个", "2", "选下面那个", "最后一个吧", "就第一个", "1号", "最下面的"])
def test_a_message_made_only_of_a_place(text):
    assert only_a_place(text)
    assert is_choice(text)


@pytest.mark.parametrize("text", ["第二个多少钱", "第一个和第二个哪个好", "下面怎么办", "12345", "那个", "不是这个 换一个",
                                  "退货运费谁出", "20261207"])
def test_more_than_a_place_is_read_as_typed(text):
    assert not only_a_place(text)


def test_position_words_pick_from_a_list_of_two_by_their_words_too():
    options = ["Apple iPhone 15 Pro Max", "绿联 65W氮化镓充电器"]
    assert choice_index("下面那个", options) == 1
    assert choice_index("上面那个", options) == 0
    assert has_ordinal("下面那个") and not has_ordinal("下面怎么办")


@pytest.mark.parametrize("text,title", [
    ("第一个", "确认提交"), ("1", "确认提交"), ("下面那个", "取消申请"), ("第二个吧", "取消申请"), ("最后一个", "取消申请"),
])
def test_a_place_typed_at_a_confirmation_is_its_button(text, title):
    assert button_picked(text, CONFIRM)["title"] == title


def test_a_place_typed_at_the_service_question_is_that_service():
    assert button_picked("4", SERVICES)["title"] == "维修"
    assert button_picked("最下面那个", SERVICES)["title"] == "补发"
    # "下面那个" of five says not which, nor does anything more than a place
    assert button_picked("下面那个", SERVICES) is None
    assert button_picked("第二个是什么意思", SERVICES) is None


def test_an_item_counted_by_件_is_no_button_of_another_list():
    reasons = [{"title": t, "payload": f'/inform{{"reason": "{t}"}}'} for t in ("质量问题", "商品破损", "发错货")]
    assert button_picked("第二件", reasons) is None
    assert button_picked("第二个", reasons)["title"] == "商品破损"


def test_a_number_above_a_list_is_a_size_or_a_budget_not_a_place():
    assert not only_a_place("那42呢") and not is_choice("那42呢")
    assert only_a_place("那2呢")


def test_one_button_or_none_is_no_list_to_pick_from():
    assert button_picked("第一个", [{"title": "转人工", "payload": "/human_handoff"}]) is None
    assert button_picked("第一个", []) is None


def test_the_buttons_offered_are_those_since_the_shoppers_last_message():
    asked = {"event": "bot", "text": "确认提交吗？", "data": {"buttons": CONFIRM}}
    earlier = {"event": "bot", "text": "请问需要办理哪种服务？", "data": {"buttons": SERVICES}}
    user = {"event": "user", "text": "质量问题"}
    assert buttons_offered([earlier, user, asked]) == CONFIRM
    # a question asked in words only shows none; a restart forgets what was shown
    assert buttons_offered([asked, user, {"event": "bot", "text": "请问还有什么可以帮您？", "data": {}}]) == []
    assert buttons_offered([asked, {"event": "restart"}]) == []


@pytest.mark.parametrize("text,meant", [
    ("不是这个 换一个", True), ("取消另一个", True), ("换一个", True), ("嗯 不是这单 换一单", True),
    ("不是这个，是另一单", True), ("是另外一单", True),
    # a plain no ("不是这个") keeps the order; a yes cancels it; a question is no pick of another order
    ("不是", False), ("不是这个", False), ("不是这单", False), ("不对", False), ("算了", False), ("确认取消", False),
    ("不是这个意思", False),
])
def test_another_order_meant_at_the_cancel_question(text, meant):
    from assistant.offers import another_order_meant

    assert another_order_meant(text, "cancel_order:202612071086547273") is meant
    assert not another_order_meant(text, "recommend")


@pytest.mark.parametrize("text", ["只退钱不退货", "仅退款", "光退款", "退款不退货", "不用退货 退钱就行", "不想寄回 退款就好",
                                  "退款 不用退货"])
def test_a_refund_without_the_goods_sent_back(text):
    from assistant.typed_answers import service_in
    from shop.domain.after_sales import ServiceType

    assert service_in(text) is ServiceType.REFUND_ONLY


def test_goods_not_returned_but_exchanged_is_no_refund():
    from assistant.typed_answers import service_in
    from shop.domain.after_sales import ServiceType

    assert service_in("不想退货了 换货吧") is not ServiceType.REFUND_ONLY


@pytest.mark.parametrize("text", ["码数不对", "码子偏小", "码数太大了"])
def test_size_said_as_码数(text):
    from assistant.typed_answers import reason_in
    from shop.domain.after_sales import AfterSalesReason

    assert reason_in(text) is AfterSalesReason.SIZE_FIT


@pytest.mark.parametrize("text,none", [("都不是", True), ("嗯 都不是", True), ("没有我要的", True), ("都不是吧", True),
                                       ("不是", False), ("第二个", False), ("都不是 我想问问运费", False)])
def test_none_of_the_choices(text, none):
    from assistant.answer_words import NONE_OF_THEM

    assert (NONE_OF_THEM.match(text) is not None) is none
