"""Round 18 (typed18): "小一码的呢" after "大一码" counts from the size now in play, "大半码" is
read (the half size, or the next whole one said as such), and "不对 是上一个" at the oldest order
says there is none before it."""
from types import SimpleNamespace

import pytest

from actions.product import size_step_reply
from assistant.order_matching import earlier_order, is_oldest
from assistant.product_facts import size_in_play, size_step, stepped_size
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
