"""The conversation store refusing the save of the turn that filed an after-sales request
(or cancelled an order), over live HTTP: the shopper's "确认" at the summary files the request in the shop database,
then the conversation store (SQLite, write-locked by another connection) refuses to keep the
turn.

The shopper must hear a clear Chinese message that does not claim nothing happened, and their
retry — the same message sent again with its ``message_id``, as a client retries, or a fresh
"确认" — must report the request already filed with its number, never file a second one.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from tests.integration.test_late_writes import requests_for, status_changes_of
from tests.integration.test_under_attack import StoreLock
from tests.integration.test_writes_under_lock import at_the_after_sales_summary, at_the_cancellation_question, rows

pytestmark = pytest.mark.integration


def test_a_request_filed_in_a_turn_the_store_could_not_keep_is_reported_not_filed_again(live_stack):
    shop_db = live_stack.workdir / "shop.db"
    shopper, order_no = at_the_after_sales_summary(live_stack)
    confirm = {"sender": shopper.sender, "message": "确认", "metadata": shopper.metadata,
               "message_id": f"confirm-{uuid.uuid4().hex}"}

    lock = StoreLock(live_stack.workdir / "tracker.db")
    try:
        lock.take()
        refused = requests.post(live_stack.webhook, json=confirm, timeout=90)
    finally:
        lock.release()
        lock.connection.close()
    # The request went into the shop database before the store refused the turn.
    filed = requests_for(shop_db, order_no)
    assert len(filed) == 1, filed
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["error"] == "conversation_store_unavailable", body
    # Chinese, never "nothing happened", and where to look instead of filling it in again.
    assert "小差" in body["message"] and "售后进度" in body["message"] and "不必重新填写" in body["message"], body

    # The client retries the same message: the store never kept it, so it is handled again —
    # and the filing's own check reports the request already filed.
    retried = requests.post(live_stack.webhook, json=confirm, timeout=90)
    assert retried.status_code == 200, retried.text
    retried_text = "\n".join(r.get("text") or "" for r in retried.json())
    assert filed[0][0] in retried_text and "无需重复提交" in retried_text, retried_text
    assert requests_for(shop_db, order_no) == filed

    # A fresh "确认" and the progress question: still that one request.
    shopper.says("确认")
    assert requests_for(shop_db, order_no) == filed
    assert filed[0][0] in shopper.says("售后进度")


def test_a_cancellation_made_in_a_turn_the_store_could_not_keep_is_reported_not_made_again(live_stack):
    shop_db = live_stack.workdir / "shop.db"
    shopper, order_no = at_the_cancellation_question(live_stack, 4)
    history = status_changes_of(order_no)
    before = rows(shop_db, history)[0][0]

    lock = StoreLock(live_stack.workdir / "tracker.db")
    try:
        lock.take()
        refused = requests.post(live_stack.webhook, timeout=90, json={
            "sender": shopper.sender, "message": "确认取消", "metadata": shopper.metadata})
    finally:
        lock.release()
        lock.connection.close()
    assert rows(shop_db, history)[0][0] == before + 1
    assert refused.status_code == 503 and "查订单" in refused.json()["message"], refused.text

    # The conversation is still at "确认要取消吗？": the same answer reports the order as it is.
    again = shopper.says("确认取消")
    assert order_no in again and "退款中" in again, again
    assert rows(shop_db, history)[0][0] == before + 1
