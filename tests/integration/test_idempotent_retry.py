"""Over live HTTP: a REST client that retries a turn with the same ``message_id`` gets the
same answer and the turn is recorded (and counted) once; docs/channels.md, "Retrying a turn"."""
from __future__ import annotations

import json
import sqlite3
import time
import uuid

import requests

from shop.identity import conversation_id_for, issue_customer_token
from tests.support.stack import TEST_TOKEN_SECRET


def post(stack, body: dict) -> requests.Response:
    return requests.post(stack.webhook, json=body, timeout=30)


def user_message_ids(stack, sender: str) -> list:
    with sqlite3.connect(stack.workdir / "tracker.db") as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data).get("message_id") for (data,) in rows]


def test_a_retried_turn_is_answered_again_and_recorded_once(live_stack):
    sender = f"retry-{uuid.uuid4().hex}"
    ask = {"sender": sender, "message": "查一下订单", "message_id": "turn-1"}
    first = post(live_stack, ask)
    assert first.status_code == 200 and "订单号" in json.dumps(first.json(), ensure_ascii=False)
    retry = post(live_stack, ask)
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert user_message_ids(live_stack, sender) == ["turn-1"]

    # The conversation goes on from where the first attempt left it (asking for the number).
    number = post(live_stack, {"sender": sender, "message": "123456789012345678", "message_id": "turn-2"})
    assert number.status_code == 200 and "后四位" in json.dumps(number.json(), ensure_ascii=False)
    # Retrying the older turn still answers what it answered then, and changes nothing.
    assert post(live_stack, ask).json() == first.json()
    assert user_message_ids(live_stack, sender) == ["turn-1", "turn-2"]


def test_a_message_id_reused_for_other_text_is_refused_and_changes_nothing(live_stack):
    sender = f"retry-{uuid.uuid4().hex}"
    assert post(live_stack, {"sender": sender, "message": "你好", "message_id": "m1"}).status_code == 200
    reused = post(live_stack, {"sender": sender, "message": "查一下订单", "message_id": "m1"})
    assert reused.status_code == 409
    assert reused.json()["error"] == "message_id_conflict"
    assert "你好" not in reused.text
    assert user_message_ids(live_stack, sender) == ["m1"]


def test_a_malformed_message_id_is_refused(live_stack):
    sender = f"retry-{uuid.uuid4().hex}"
    for bad in ("has space", 7, "x" * 200):
        reply = post(live_stack, {"sender": sender, "message": "你好", "message_id": bad})
        assert reply.status_code == 400 and reply.json()["error"] == "invalid_message_id", reply.text
    assert user_message_ids(live_stack, sender) == []


def test_without_message_id_every_post_is_a_new_turn(live_stack):
    sender = f"retry-{uuid.uuid4().hex}"
    for _ in range(2):
        assert post(live_stack, {"sender": sender, "message": "你好"}).status_code == 200
    ids = user_message_ids(live_stack, sender)
    assert len(ids) == 2 and ids[0] != ids[1]


def test_a_signed_in_shopper_may_retry_with_a_fresh_token_and_nobody_else_gets_the_answer(live_stack):
    sender = f"retry-{uuid.uuid4().hex}"
    ask = {"sender": sender, "message": "查一下订单", "message_id": "turn-1"}

    def token(customer_id: int, issued_ago_s: int) -> dict:
        return {"customer_token": issue_customer_token(customer_id, secret=TEST_TOKEN_SECRET,
                                                        now=time.time() - issued_ago_s)}

    first = post(live_stack, dict(ask, metadata=token(1, 600)))
    assert first.status_code == 200 and "order_timeline" in first.text, first.text
    retry = post(live_stack, dict(ask, metadata=token(1, 60)))   # refreshed
    assert retry.status_code == 200 and retry.json() == first.json()
    assert user_message_ids(live_stack, conversation_id_for(sender, 1)) == ["turn-1"]

    # Another customer sending the same body with their own token has their own conversation:
    # the turn runs for them (their orders), it is not the first customer's answer replayed.
    other = post(live_stack, dict(ask, metadata=token(2, 600)))
    assert other.status_code == 200 and other.json() != first.json()
    first_orders = {m["custom"]["order"]["order_no"] for m in first.json() if "custom" in m
                    and m["custom"].get("type") == "order_timeline"}
    assert first_orders and not any(number in other.text for number in first_orders), other.text
    assert user_message_ids(live_stack, conversation_id_for(sender, 2)) == ["turn-1"]
