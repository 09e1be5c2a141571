"""A guest's "好的" right after a look-up question (actions.orders.ask_lookup_again): the
question again, never the generic "还有什么可以帮您" that dropped the look-up."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ASK_ORDER_NO, ASK_SUFFIX, ask_lookup_again


def _tracker(pending, asked, said):
    events = [{"event": "user", "text": "我的订单"}, {"event": "bot", "text": asked},
              {"event": "user", "text": said}]
    return Tracker("guest", {"pending_lookup": pending}, {"text": said, "intent": {"name": "affirm"}},
                   events, False, None, {}, "action_listen")


@pytest.mark.parametrize("pending,asked", [("phone_suffix", ASK_SUFFIX), ("order_no", ASK_ORDER_NO)])
def test_a_bare_ok_at_a_lookup_question_gets_the_question_again(pending, asked):
    dispatcher = CollectingDispatcher()
    assert ask_lookup_again(dispatcher, _tracker(pending, asked, "好的"))
    assert [m["text"] for m in dispatcher.messages] == [asked]


@pytest.mark.parametrize("pending,asked,said", [
    (None, ASK_SUFFIX, "好的"),                       # no look-up waiting
    ("phone_suffix", "需要我为您推荐吗？", "好的"),       # the look-up's question is not the last word
    ("phone_suffix", ASK_SUFFIX, "好的 帮我转人工"),      # more than an acknowledgement
])
def test_anything_else_is_left_to_the_offer_answers(pending, asked, said):
    dispatcher = CollectingDispatcher()
    assert not ask_lookup_again(dispatcher, _tracker(pending, asked, said))
    assert dispatcher.messages == []
