"""The REST channel over real HTTP, with the real Rasa server and action server running."""
import sqlite3
import uuid

import pytest
import requests

from shop.db.catalogue import search_products

pytestmark = pytest.mark.integration


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_greeting_gets_a_chinese_greeting(live_stack):
    replies = live_stack.say(new_sender(), "你好")
    assert replies, "no reply to a greeting"
    assert "您好" in texts(replies)


def test_product_price_is_read_from_the_shop_database(live_stack, shop_session):
    with shop_session() as session:
        product = search_products(session, brand="小米", in_stock_only=True, limit=1)[0]
    replies = live_stack.say(new_sender(), f"{product.model}多少钱")
    # Either the answer itself, or (several products share the model) a choice that shows
    # each candidate with its price.
    shown = texts(replies) + "\n".join(b["title"] for r in replies for b in r.get("buttons", []))
    assert f"{product.price:,.2f}" in shown, shown
    assert product.title[:30] in shown


def test_conversation_is_stored_in_the_sqlite_tracker_store(live_stack):
    sender = new_sender()
    live_stack.say(sender, "你好")
    with sqlite3.connect(live_stack.workdir / "tracker.db") as connection:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchone()
    assert count == 1


def test_a_guest_look_up_is_counted_against_the_channels_client_tag_never_the_senders(live_stack, shop_session):
    """The per-client limit of guest look-ups counts on the tag the channel records: the one a
    client sends is dropped, the address itself is not stored, and the failed try carries it."""
    import json

    from sqlalchemy import select

    from shop.db.models import GuestLookupFailure

    sender, forged = new_sender(), "f" * 32
    guess = f"2099030{uuid.uuid4().int % 10**11:011d}"
    live_stack.say(sender, f"查一下订单{guess}", metadata={"shop_client": forged})
    replies = live_stack.say(sender, "1234", metadata={"shop_client": forged})
    assert "不匹配" in texts(replies), replies
    with sqlite3.connect(live_stack.workdir / "tracker.db") as connection:
        stored = [json.loads(data) for (data,) in connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,))]
    tags = {event["metadata"].get("shop_client") for event in stored}
    assert len(tags) == 1 and forged not in tags and None not in tags
    assert "127.0.0.1" not in json.dumps(stored)
    with shop_session() as session:
        recorded = session.execute(select(GuestLookupFailure.client).where(GuestLookupFailure.order_no == guess)).all()
    assert [client for (client,) in recorded] == list(tags)


def test_non_json_body_is_a_clean_400(live_stack):
    reply = requests.post(live_stack.webhook, data="这不是JSON", timeout=10)
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_json"
    assert "Traceback" not in reply.text


def test_missing_sender_is_a_clean_400(live_stack):
    reply = requests.post(live_stack.webhook, json={"message": "我的订单到哪了"}, timeout=10)
    assert reply.status_code == 400
    assert reply.json()["error"] == "missing_sender"


def test_blank_message_gets_a_polite_reply(live_stack):
    reply = requests.post(live_stack.webhook, json={"sender": new_sender(), "message": "   "}, timeout=10)
    assert reply.status_code == 200
    assert "没有输入内容" in texts(reply.json())


def test_huge_message_is_refused_with_413(live_stack):
    reply = requests.post(
        live_stack.webhook, json={"sender": new_sender(), "message": "查" * 50_000}, timeout=10
    )
    assert reply.status_code == 413
    assert reply.json()["error"] in {"message_too_long", "body_too_large"}


def test_unknown_route_is_a_clean_404(live_stack):
    reply = requests.get(f"{live_stack.rasa_url}/no/such/route", timeout=10)
    assert reply.status_code == 404
    assert "Traceback" not in reply.text


def test_http_api_is_not_open_without_a_token(live_stack):
    # The stack starts Rasa without --enable-api; the run command enables it only with a token.
    reply = requests.get(f"{live_stack.rasa_url}/conversations/someone/tracker", timeout=10)
    assert reply.status_code in (401, 403, 404, 405)


def test_a_huge_declared_body_is_refused_before_it_is_read(live_stack):
    # 50 MB announced, nothing sent: the server answers from the headers (Sanic's default
    # would have read up to 100 MB of it into memory before the channel saw it).
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(live_stack.webhook)
    with socket.create_connection((url.hostname, url.port), timeout=30) as connection:
        connection.sendall(f"POST {url.path} HTTP/1.1\r\nHost: {url.hostname}\r\nContent-Type: application/json\r\n"
                           f"Content-Length: {50 * 1024 * 1024}\r\n\r\n{{\"sender\":".encode())
        answer = connection.recv(65536).decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert '"error":"body_too_large"' in answer.replace(" ", "") and "Traceback" not in answer
