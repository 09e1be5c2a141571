"""A flood from one conversation over live HTTP (REST and socket.io): refused politely at the
door (shop_channels/sender_limits.py), nothing written for what was refused, other shoppers
answered as usual. Before the limit, 40 concurrent messages from one sender were all queued
behind the conversation's lock and took 40 s."""
from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from shop.db.models import HandoffMessage, HandoffRequest
from tests.integration.test_under_attack import SocketClient, bot_text, text_of

pytestmark = pytest.mark.integration

FLOOD = 40
PENDING = 4              # SENDER_MAX_PENDING_TURNS's default: the live stack runs with defaults


def post(live_stack, sender: str, message: str):
    started = time.monotonic()
    reply = requests.post(live_stack.webhook, json={"sender": sender, "message": message}, timeout=120)
    return reply, time.monotonic() - started


def user_turns_stored(live_stack, sender: str) -> int:
    with sqlite3.connect(live_stack.workdir / "tracker.db") as connection:
        return connection.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                                  (sender,)).fetchone()[0]


def test_a_flood_from_one_sender_is_refused_politely_and_does_not_slow_others(live_stack):
    flooder, bystander = f"flood-{uuid.uuid4().hex}", f"calm-{uuid.uuid4().hex}"
    assert live_stack.say(flooder, "你好")        # the conversation exists before the flood
    stored_before = user_turns_stored(live_stack, flooder)

    started = time.monotonic()
    with ThreadPoolExecutor(FLOOD + 1) as pool:
        flood = [pool.submit(post, live_stack, flooder, f"查一下订单 {i}") for i in range(FLOOD)]
        time.sleep(0.3)
        calm = pool.submit(post, live_stack, bystander, "你好")
        results = [f.result() for f in flood]
        calm_reply, calm_seconds = calm.result()
    took = time.monotonic() - started
    print(f"flood of {FLOOD}: {sum(r.status_code == 200 for r, _ in results)} answered, "
          f"{sum(r.status_code == 429 for r, _ in results)} refused, {took:.1f} s; "
          f"another sender's turn {calm_seconds:.2f} s")

    refused = [reply for reply, _ in results if reply.status_code == 429]
    answered = [reply for reply, _ in results if reply.status_code == 200]
    assert len(refused) + len(answered) == FLOOD, [r.status_code for r, _ in results]
    assert len(answered) <= PENDING + 2 and len(refused) >= FLOOD - PENDING - 2, (len(answered), len(refused))
    for reply in refused:
        body = reply.json()
        assert body["error"] == "too_many_messages" and body["status"] == 429, body
        assert "稍等" in body["message"] and int(reply.headers["Retry-After"]) >= 1, (body, reply.headers)
    # The refusals come at once, not after the queued turns: the flood is over in a few seconds.
    assert max(seconds for reply, seconds in results if reply.status_code == 429) < 5
    assert took < 20, took
    assert calm_reply.status_code == 200 and text_of(calm_reply.json()), calm_reply.text
    assert calm_seconds < 5, calm_seconds
    # A refused message never reached the conversation.
    assert user_turns_stored(live_stack, flooder) == stored_before + len(answered)
    # And once the queue is drained the conversation goes on.
    assert "订单号" in text_of(live_stack.say(flooder, "查一下我的订单"))


def test_a_flood_while_waiting_for_an_agent_keeps_only_what_was_admitted(live_stack, shop_session):
    sender = f"flood-desk-{uuid.uuid4().hex}"
    assert "工单号" in text_of(live_stack.say(sender, "转人工"))
    with shop_session() as session:
        ticket = session.execute(select(HandoffRequest.id).where(HandoffRequest.sender_id == sender)).scalar_one()

    def kept() -> set:
        with shop_session() as session:
            return set(session.execute(select(HandoffMessage.text).where(HandoffMessage.ticket_id == ticket)).scalars())

    before = kept()
    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(lambda i: post(live_stack, sender, f"人呢 {i}")[0], range(30)))
    refused = {f"人呢 {i}" for i, reply in enumerate(results) if reply.status_code == 429}
    assert refused and len(refused) + sum(reply.status_code == 200 for reply in results) == 30
    # The desk keeps lines of admitted messages only (an admitted line may also have gone to the
    # assistant: the gate lets Rasa answer when its write waits too long), never a refused one.
    added = kept() - before
    assert added and not added & refused, (added, refused)


def test_a_flood_on_the_widget_gets_a_polite_line(live_stack):
    async def scenario():
        async with SocketClient(live_stack.rasa_url) as client:
            session = await client.session("")
            for i in range(12):
                await client.emit("user_uttered", {"message": f"推荐个手机 {i}", "session_id": session,
                                                   "customData": {}})
            return bot_text(await client.until("bot_uttered", 60, count=12))

    heard = asyncio.run(scenario())
    assert "消息发得有点快" in heard, heard


def test_a_flood_of_agent_message_polls_is_refused_politely(live_stack):
    """The widget polls /agent_messages every 2 s while a ticket is open; a script polling as
    fast as it can gets 429 once over the per-minute count (its own count: messages are not
    held back by it)."""
    sender = f"flood-poll-{uuid.uuid4().hex}"
    url = f"{live_stack.rasa_url}/webhooks/rest/agent_messages"
    statuses = []
    with requests.Session() as http:
        for _ in range(250):       # > 2 × 120: over the limit in some minute, whatever the clock
            reply = http.post(url, json={"sender": sender, "after": 0}, timeout=30)
            statuses.append(reply.status_code)
            if reply.status_code == 429:
                assert reply.json()["error"] == "too_many_messages" and int(reply.headers["Retry-After"]) >= 1
                break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}, statuses
    assert text_of(live_stack.say(sender, "你好"))      # the conversation itself is not held back
