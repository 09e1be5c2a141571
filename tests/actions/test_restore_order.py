"""Issue 14 round 19: "订单取消了还能恢复吗" gets the policy for a cancelled order (it cannot be
restored; order again; a paid one's money goes back by the original route), never a new
cancellation of one of the shopper's orders."""
from __future__ import annotations

from actions.orders import ActionOrderStatus
from assistant.faq import faq_book
from shop.seed.fixtures import MAIN_CUSTOMER_ID
from tests.support.actions import run_action, token, tracker


def texts(messages):
    return [m.get("text") or "" for m in messages]


def test_restoring_a_cancelled_order_is_answered_with_the_policy(shop_db):
    policy = faq_book().answer("restore_order")
    assert policy is not None and "无法恢复" in policy.pick() and "原路退回" in policy.pick()
    messages, _ = run_action(ActionOrderStatus(), tracker(
        "订单取消了还能恢复吗", "order_status", {"topic": "restore_order"}, metadata=token(MAIN_CUSTOMER_ID)))
    said = "\n".join(texts(messages))
    assert "无法恢复" in said and "重新下单" in said
    assert "确认取消" not in said and "取消成功" not in said
