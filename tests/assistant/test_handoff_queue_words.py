"""What a waiting shopper is told, for each state of the desk: a rough wait only when an
agent is on duty; otherwise the truth (nobody online, or outside the desk's hours) and the
way back to the assistant. The desk's hours are China time at both edges."""
from datetime import datetime, time, timedelta, timezone

import pytest

from assistant.handoff_queue import QueuePlace, cancel_and_request, cancelled_message, is_cancel_request, place_sentence, queue_message
from shop.domain.handoff_queue import DEFAULT_DESK_HOURS, DeskHours, parse_desk_hours

desk_is_open = DEFAULT_DESK_HOURS.is_open

UTC = timezone.utc


def test_the_desk_hours_are_china_time_at_both_edges():
    # 9:00 China = 01:00 UTC; 22:00 China = 14:00 UTC.
    assert not desk_is_open(datetime(2026, 12, 7, 0, 59, 59, tzinfo=UTC))
    assert desk_is_open(datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    assert desk_is_open(datetime(2026, 12, 7, 13, 59, 59, tzinfo=UTC))
    assert not desk_is_open(datetime(2026, 12, 7, 14, 0, tzinfo=UTC))
    assert desk_is_open(datetime(2026, 12, 7, 9, 30, tzinfo=timezone(timedelta(hours=8))))


def test_desk_hours_parse_and_say_themselves():
    assert parse_desk_hours("9:00-22:00") == DEFAULT_DESK_HOURS and DEFAULT_DESK_HOURS.text == "9:00-22:00"
    late = parse_desk_hours(" 08:30 – 23:15 ")
    assert late == DeskHours(time(8, 30), time(23, 15)) and late.text == "8:30-23:15"
    assert late.is_open(datetime(2026, 12, 7, 0, 30, tzinfo=UTC))           # 8:30 China
    assert not late.is_open(datetime(2026, 12, 7, 15, 15, tzinfo=UTC))      # 23:15 China
    # Past midnight and round the clock are hours too (tests/test_desk_hours_setting.py).
    assert parse_desk_hours("22:00-9:00") == DeskHours(time(22), time(9))
    assert parse_desk_hours("9:00-24:00").text == "9:00-24:00"
    for raw in ("", "9-22", "9:00-9:00", "9:00-24:01", "9:60-22:00", "9:00 22:00", "全天"):
        with pytest.raises(ValueError):
            parse_desk_hours(raw)


def test_a_wait_is_promised_only_with_an_agent_on_duty():
    staffed = queue_message(QueuePlace("RG1", 2, 4, desk_open=True))
    assert "您前面还有 1 位顾客，预计等待约 4 分钟" in staffed and "请不要离开" in staffed

    nobody = queue_message(QueuePlace("RG1", 1, None, desk_open=True))
    assert "预计等待" not in nobody and "客服暂时都不在线" in nobody and "请不要离开" not in nobody
    assert "取消人工" in nobody and "排在第 1 位" in nobody

    night = queue_message(QueuePlace("RG1", 3, None, desk_open=False))
    assert "不在人工服务时间" in night and "9:00-22:00" in night and "前面还有 2 位" in night
    assert "预计等待" not in night and "取消人工" in night
    # The hours the process was given, not a constant.
    evening = QueuePlace("RG1", 1, None, desk_open=False, hours=parse_desk_hours("10:00-18:30"))
    assert "每天 10:00-18:30" in queue_message(evening) and "9:00-22:00" not in queue_message(evening)
    # Someone working late is on duty: then the estimate is honest, whatever the hour.
    assert "预计等待约 4 分钟" in place_sentence(QueuePlace("RG1", 1, 4, desk_open=False))


def test_only_a_whole_cancel_message_cancels():
    for text in ("取消人工", "取消人工！", "算了，不等了", "那取消转人工", " 不用人工了 。"):
        assert is_cancel_request(text), text
    for text in ("人呢？", "取消人工之后订单还在吗", "取消订单", "", "不"):
        assert not is_cancel_request(text), text


def test_a_give_up_in_the_shoppers_own_words_cancels():
    # Round 18: typed while waiting, these give the person up as "取消人工" does.
    for text in ("不用了 我自己搞定了", "算了不转了", "不用转人工了", "问题解决了 不用人工了", "人工不用了 谢谢",
                 "不找客服了", "不用了", "问题解决了 不用人工了 谢谢"):
        assert is_cancel_request(text), text
    # A request after the no, or a bare "不要了" (an order may be meant), is not one.
    for text in ("不用了 帮我查下牛奶", "不要了", "我自己弄好了", "不用了吗"):
        assert not is_cancel_request(text), text


# --- a cancel with a request after it (round 20) ---------------------------------------------

@pytest.mark.parametrize("text, asked", [
    ("算了不转了 你帮我查下牛奶", "你帮我查下牛奶"),
    ("算了不转了你帮我查下牛奶", "你帮我查下牛奶"),         # no space: the give-up closes with 了
    ("取消人工，帮我查下订单", "帮我查下订单"),
    ("不等了 我要退货", "我要退货"),
    ("取消人工", ""),                                        # only the cancel
    ("问题解决了 不用人工了 谢谢", ""),
    ("不用人工了谢谢", ""),
])
def test_a_cancel_gives_back_what_was_asked_with_it(text, asked):
    assert cancel_and_request(text) == asked


@pytest.mark.parametrize("text", ["取消人工之后订单还在吗", "人呢", "帮我查下牛奶", "不转人工的话能退吗", ""])
def test_no_cancel_is_read_where_none_was_said(text):
    assert cancel_and_request(text) is None


def test_the_cancel_line_before_a_request_asks_nothing():
    assert "请问有什么可以帮您" not in cancelled_message("RG1", request_follows=True)
    assert "请问有什么可以帮您" in cancelled_message("RG1")
