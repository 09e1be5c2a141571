"""Follow-ups read in context, over HTTP with both servers: a fragment that only makes sense
after the previous question ("那要几天", "那怎么办") is answered as that question, not with
"您是想：…？" and not as something unrelated."""
import uuid

import pytest

from shop.identity import issue_customer_token
from shop.seed.fixtures import MAIN_CUSTOMER_ID
from tests.support.stack import TEST_TOKEN_SECRET

pytestmark = pytest.mark.integration
CLARIFY = "不太确定您的意思"


def _sender() -> str:
    return f"follow-{uuid.uuid4().hex[:12]}"


def _me() -> dict:
    return {"customer_token": issue_customer_token(MAIN_CUSTOMER_ID, secret=TEST_TOKEN_SECRET)}


def _text(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@pytest.mark.parametrize("first, fragment, topic_word", [
    ("我的退款到哪了", "那要几天", "退款"),
    ("退货的钱退到哪里", "那多久能到", "退"),
    ("我想开个发票", "那电子的还是纸质的", "发票"),
])
def test_a_follow_up_gets_the_answer_of_the_question_it_continues(live_stack, first, fragment, topic_word):
    sender = _sender()
    live_stack.say(sender, first, metadata=_me())
    replies = live_stack.say(sender, fragment, metadata=_me())
    text = _text(replies)
    assert CLARIFY not in text, text
    assert topic_word in text, text


def test_an_order_follow_up_answers_about_the_order(live_stack):
    sender = _sender()
    first = live_stack.say(sender, "我的快递到哪了", metadata=_me())
    assert any((r.get("custom") or {}).get("type") == "order_timeline" for r in first), first
    replies = live_stack.say(sender, "那怎么办呢", metadata=_me())
    text = _text(replies)
    assert CLARIFY not in text, text
    assert replies, "the follow-up got no reply"
