"""assistant.offers: which offer the bot's last turn made, and the last cancellation asked."""
from assistant.offers import confirms_cancellation, fresh_offer_in, last_cancellation_asked

ORDER = "202612010000000001"


def user(text="确认取消"):
    return {"event": "user", "text": text}


def offered(value):
    return {"event": "slot", "name": "pending_offer", "value": value}


def test_a_cancellation_asked_and_answered_is_still_found_after_the_answer():
    events = [{"event": "session_started"}, user("取消订单"), offered(f"cancel_order:{ORDER}"),
              user(), offered(None), user()]
    assert fresh_offer_in(reversed(events)) is None
    assert last_cancellation_asked(reversed(events)) == ORDER


def test_no_cancellation_from_an_earlier_session_or_another_offer():
    assert last_cancellation_asked(reversed([user(), offered(f"cancel_order:{ORDER}"),
                                             {"event": "session_started"}, user()])) is None
    assert last_cancellation_asked(reversed([user(), offered("recommend"), user()])) is None


def test_the_words_that_say_yes_to_a_cancellation():
    assert confirms_cancellation("deny", "确认取消") and confirms_cancellation("affirm", "好")
    assert confirms_cancellation("deny", "不想要了") and not confirms_cancellation("deny", "不用了")


def test_words_that_keep_the_order_win_over_yes_words_and_the_intent():
    # "确定" starts it and "取消吧" is in it, but each says the order stays: nothing is cancelled.
    for kept in ("确定不取消了", "不要取消吧", "别帮我取消 我还要的", "算了不用取消了", "还是要的"):
        assert not confirms_cancellation("deny", kept), kept
        assert not confirms_cancellation("affirm", kept), kept
        assert not confirms_cancellation(None, kept), kept
    assert confirms_cancellation(None, "那就取消吧") and confirms_cancellation(None, "确定")


def test_a_cancellation_of_the_order_shown_outranks_the_offer_made_with_it():
    from assistant.follow_up import cancels_instead_of_answering

    assert cancels_instead_of_answering("那算了 取消吧", "handoff", "order_status")
    assert not cancels_instead_of_answering("那算了 取消吧", f"cancel_order:{ORDER}", "order_status")
    assert not cancels_instead_of_answering("那算了 取消吧", "handoff", "product")
    assert not cancels_instead_of_answering("不用了", "handoff", "order_status")
