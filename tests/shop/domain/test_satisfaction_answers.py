"""How a shopper's answer to the satisfaction question reads (``shop.domain.satisfaction``):
buttons and typed words, stars, a decline, and messages that are no answer at all."""
from __future__ import annotations

import pytest

from shop.domain.satisfaction import BUTTONS, SKIPPED, THANKS, THANKS_LOW, read_answer, reply_to


@pytest.mark.parametrize("text, score", [
    ("满意", 5), ("非常满意", 5), ("五星好评！", 5), ("5星", 5), ("５ 星", 5), ("5", 5), ("好评", 5),
    ("比较满意", 4), ("还不错", 4), ("4分", 4), ("四颗星", 4),
    ("还行", 3), ("一般", 3), ("一般般吧", 3), ("3星", 3), ("凑合", 3),
    ("不太满意", 2), ("不满意", 2), ("2星", 2), ("服务不好", 2),
    ("差评", 1), ("非常不满意", 1), ("1星", 1), ("太差了", 1), ("1", 1),
])
def test_ratings_typed_or_clicked(text, score):
    answer = read_answer(text)
    assert answer is not None and answer.score == score, (text, answer)


def test_every_button_is_an_answer():
    assert [read_answer(b).score for b in BUTTONS] == [5, 3, 2]


@pytest.mark.parametrize("text", ["不评价", "跳过", "不想评价，谢谢", "懒得评"])
def test_a_decline_is_kept_as_skipped(text):
    answer = read_answer(text)
    assert answer is not None and answer.skipped and reply_to(answer) == SKIPPED


@pytest.mark.parametrize("text", [
    "我的快递到哪了", "推荐个耳机", "可以退货吗", "满意吗", "5分钟能到吗", "10分", "6", "谢谢", "好的",
    "不好意思 再问一下", "差不多吧那个订单", "", "   ", "x" * 600,
])
def test_what_is_no_answer(text):
    assert read_answer(text) is None


def test_the_comment_is_the_whole_message_and_a_request_in_it_is_passed_on():
    complaint = read_answer("差评，等太久了")
    assert (complaint.score, complaint.comment, complaint.wants_more) == (1, "差评，等太久了", False)
    assert reply_to(complaint) == THANKS_LOW
    wants = read_answer("不满意 我要投诉")
    assert wants.score == 2 and wants.wants_more
    assert read_answer("满意").comment is None and reply_to(read_answer("满意")) == THANKS
