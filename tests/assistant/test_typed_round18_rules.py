"""Round 18 (typed18): "小一码的呢" after "大一码" counts from the size now in play, "大半码" is
read (the half size, or the next whole one said as such), and "不对 是上一个" at the oldest order
says there is none before it."""
from types import SimpleNamespace

import pytest

from datetime import datetime, timezone

from actions.product import size_step_reply
from assistant.after_sales_dialogue import ONLY_PART_ARRIVED, REFUND_DRAGGING, route_before_services
from assistant.order_matching import (
    TRACKING_NUMBER, asks_guest_lookup, asks_look_up, cancel_requested, earlier_order, is_oldest, product_words,
)
from assistant.price_protection import price_protection_text
from assistant.product_facts import size_in_play, size_step, stepped_size
from assistant.typed_answers import exchanges_for, reason_in, restates_reason
from tests.assistant.test_typed_round17_rules import shoe


@pytest.mark.parametrize("text,step", [("大半码的呢", 0.5), ("小半码有吗", -0.5), ("有没有大一码的", 1), ("半码", 0)])
def test_half_a_size_is_read(text, step):
    assert size_step(text) == step


def test_the_size_in_play_follows_each_step_since_the_size_named():
    product = shoe("39", "40", "41", "42")
    # latest first, as earlier_texts gives them
    assert size_in_play(product, ["有没有大一码的", "耐克Pegasus 40有41码吗"]) == "42"
    assert size_in_play(product, ["小一码的呢", "有没有大一码的", "有41码吗"]) == "41"
    # a step past the largest stays at the largest
    assert size_in_play(product, ["大一码的呢", "有42码吗"]) == "42"
    assert size_in_play(product, ["推荐双跑鞋"]) is None


def test_one_size_down_after_one_up_is_the_size_first_asked():
    reply = size_step_reply(shoe("39", "40", "41", "42"), -1, ["有没有大一码的", "耐克Pegasus 40有41码吗"])
    assert reply.startswith("比 42码 小一码是 41码")


def test_half_a_size_without_half_sizes_is_the_next_whole_one_said_so():
    reply = size_step_reply(shoe("40", "41", "42"), 0.5, ["有41码吗"])
    assert "没有半码" in reply and "42码" in reply
    assert stepped_size(shoe("41", "41.5", "42"), "41", 0.5) == "41.5"
    assert size_step_reply(shoe("41", "41.5", "42"), 0.5, ["有41码吗"]).startswith("比 41码 大半码是 41.5码")


def orders(*numbers):
    return [SimpleNamespace(order_no=n) for n in numbers]


def test_the_oldest_order_has_none_before_it():
    listed = orders("3", "2", "1")          # newest first
    assert earlier_order(listed, "1") is None and is_oldest(listed, "1")
    assert not is_oldest(listed, "2") and earlier_order(listed, "2").order_no == "1"
    assert not is_oldest(listed, None) and not is_oldest([], "1")


@pytest.mark.parametrize("text,words", [("那箱奶今天能送到不", ["奶"]), ("我那箱牛奶今天能送到不", ["牛奶"]),
                                        ("不粘锅到了吗", ["不粘锅"])])
def test_goods_named_by_a_measure_word_and_a_question_bu(text, words):
    assert product_words(text) == words


@pytest.mark.parametrize("text,asked", [("耳机那个快递单号发我下", True), ("运单号多少", True), ("单号是多少", True),
                                        ("订单号发我下", False), ("我的订单号是多少", False)])
def test_the_tracking_number_asked_is_not_the_order_number(text, asked):
    assert bool(TRACKING_NUMBER.search(text)) is asked


@pytest.mark.parametrize("text,cancels", [("帮我把衣服那单撤了", True), ("精华液不想要了 还没发货吧 能退掉不", True),
                                          ("撤销售后申请", False), ("退货申请撤了", False), ("耳机还没发吗", False)])
def test_cancelling_in_other_words(text, cancels):
    assert cancel_requested(text) is cancels


def test_the_reason_said_again_at_the_summary_is_no_cancel():
    assert restates_reason("就是不想要了", "changed_mind")
    assert restates_reason("对 就是尺码不对", "size_fit")
    assert not restates_reason("不想要了", "changed_mind")        # the request dropped, as before
    assert not restates_reason("就是质量问题", "changed_mind")    # another reason: a change


def test_an_exchange_said_by_what_it_is_for_picks_no_item():
    assert exchanges_for("换个黑色的") and exchanges_for("换L码")
    assert not exchanges_for("不对 是充电器") and not exchanges_for("充电器")


@pytest.mark.parametrize("text,asked", [("没登录能查订单吗", True), ("查快递一定要登录吗", True), ("不注册可以查物流不", True),
                                        ("登录不了", False), ("怎么登录", False)])
def test_a_guest_asking_whether_they_may_look_up(text, asked):
    assert asks_guest_lookup(text) is asked


@pytest.mark.parametrize("text,looks_up", [("帮我查下牛奶", True), ("麻烦查一下我的耳机", True),
                                           ("查一下有没有卖牛奶", False), ("查下牛奶多少钱", False)])
def test_a_look_up_by_name(text, looks_up):
    assert asks_look_up(text) is looks_up


def test_a_refund_that_drags_is_hurried_though_it_names_the_refund():
    assert REFUND_DRAGGING.search("你们什么破服务 退款拖了一个礼拜了")
    assert route_before_services("你们什么破服务 退款拖了一个礼拜了", ["complaint"], True).kind == "hurry"
    assert not REFUND_DRAGGING.search("我要退款") and not REFUND_DRAGGING.search("退款多久到账")


def test_part_of_an_order_missing_is_a_missing_part():
    assert ONLY_PART_ARRIVED.search("我买了手机和充电器 怎么只到了一个")
    assert reason_in("怎么只到了一个").value == "missing_parts"


def test_one_orders_price_protection():
    now = datetime(2026, 12, 7, 4, tzinfo=timezone.utc)
    delivered = datetime(2026, 12, 5, 4, tzinfo=timezone.utc)
    inside = price_protection_text("1", "手机", delivered, delivered, now)
    assert "价保期到12月12日" in inside and "还在价保期内" in inside
    over = price_protection_text("1", "电脑", delivered, datetime(2026, 5, 23, 4, tzinfo=timezone.utc), now)
    assert "已经结束" in over and "还在价保期内" not in over
    assert "不需要申请价保" in price_protection_text("1", "衬衫", None, None, now)
    assert "还没签收" in price_protection_text("1", "耳机", delivered, None, now)
