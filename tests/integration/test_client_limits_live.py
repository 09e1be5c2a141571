"""Per-address limits on a single live Rasa server (shop_channels/client_limits.py): one
address holding too many socket.io connections is refused at the handshake, and one sending
too many messages over many made-up conversations is refused politely before anything runs.
Before, a single server (make run) had no per-address limit at all: only the scale-out
nginx had one."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid

import pytest
import requests
import websockets

from tests.integration.test_under_attack import SocketClient, bot_text
from tests.support.stack import stack_with_settings

pytestmark = pytest.mark.integration

MAX_CONNECTIONS = 3
PER_MINUTE = 5


@pytest.fixture(scope="module")
def small_limits_stack(tmp_path_factory):
    yield from stack_with_settings(tmp_path_factory, "client-limits", {
        "CLIENT_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        "CLIENT_MAX_MESSAGES_PER_MINUTE": str(PER_MINUTE),
    })


async def handshake(rasa_url: str):
    """Opens the widget's socket.io connection; (websocket, the server's answer to CONNECT)."""
    ws = await websockets.connect(rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
                                  open_timeout=20)
    assert (await asyncio.wait_for(ws.recv(), 20)).startswith("0")
    await ws.send("40")
    return ws, await asyncio.wait_for(ws.recv(), 20)


def test_one_address_cannot_hold_more_than_its_connections(small_limits_stack):
    async def scenario():
        held = []
        try:
            for _ in range(MAX_CONNECTIONS):
                ws, answer = await handshake(small_limits_stack.rasa_url)
                held.append(ws)
                assert answer.startswith("40"), answer
            ws, answer = await handshake(small_limits_stack.rasa_url)
            held.append(ws)
            assert answer.startswith("44"), answer                 # CONNECT_ERROR
            assert "too_many_connections" in answer
            # One closed gives its place back.
            await held[0].close()
            await asyncio.sleep(1.0)
            ws, answer = await handshake(small_limits_stack.rasa_url)
            held.append(ws)
            assert answer.startswith("40"), answer
        finally:
            for ws in held:
                await ws.close()

    asyncio.run(scenario())
    log = (small_limits_stack.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "socket.io connection refused: client address 127.0.0.1" in log


def stored_user_turns(stack, sender: str) -> int:
    with sqlite3.connect(stack.workdir / "tracker.db") as connection:
        return connection.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                                  (sender,)).fetchone()[0]


def test_one_address_cannot_flood_over_many_conversations(small_limits_stack):
    # Each message from a fresh, made-up sender id: the per-conversation limit never sees two.
    # 2 * PER_MINUTE + 2 of them: even if a clock minute turns during the burst, one of its
    # two windows holds more than PER_MINUTE, so some are refused.
    senders = [f"spread-{uuid.uuid4().hex}" for _ in range(2 * PER_MINUTE + 2)]
    replies = [requests.post(small_limits_stack.webhook, json={"sender": s, "message": "你好"}, timeout=60)
               for s in senders]
    refused = [(s, r) for s, r in zip(senders, replies) if r.status_code == 429]
    assert refused, [r.status_code for r in replies]
    assert all(r.status_code in (200, 429) for r in replies), [r.status_code for r in replies]
    for sender, reply in refused:
        body = reply.json()
        assert body["error"] == "too_many_messages" and "消息发得有点快啦" in body["message"]
        assert int(reply.headers["Retry-After"]) >= 1
        assert stored_user_turns(small_limits_stack, sender) == 0       # nothing ran, nothing kept

    # The widget is refused the same way, with a polite line: one message at a time, each
    # in a new session (the per-conversation limits never see two).
    async def widget():
        events = []
        async with SocketClient(small_limits_stack.rasa_url) as client:
            for _ in range(2 * PER_MINUTE + 2):
                session = await client.session(None)
                await client.emit("user_uttered", {"message": "你好", "session_id": session})
                events += await client.until("bot_uttered", 30)
        return events

    events = asyncio.run(widget())
    assert "消息发得有点快啦" in bot_text(events), json.dumps(events, ensure_ascii=False)[:500]
    log = (small_limits_stack.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "message refused: too many from client address 127.0.0.1" in log


def test_one_address_cannot_flood_agent_message_polls_over_many_conversations(small_limits_stack):
    url = f"{small_limits_stack.rasa_url}/webhooks/rest/agent_messages"
    statuses = []
    with requests.Session() as http:
        for _ in range(2 * PER_MINUTE + 2):      # a fresh sender each: its own count never sees two
            reply = http.post(url, json={"sender": f"poll-{uuid.uuid4().hex}", "after": 0}, timeout=30)
            statuses.append(reply.status_code)
            if reply.status_code == 429:
                assert reply.json()["error"] == "too_many_messages" and int(reply.headers["Retry-After"]) >= 1
                break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}, statuses
    log = (small_limits_stack.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "agent_messages message refused: too many from client address 127.0.0.1" in log
