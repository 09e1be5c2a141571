"""Issue 13 over live HTTP (REST and socket.io), both servers running: conversations bound to
the shopper who started them, "/" commands and deep nesting refused politely, tokens not
stored, and a reply for every turn while the action server is down."""
import asyncio
import json
import re
import sqlite3
import uuid

import pytest
import requests
import websockets
from sqlalchemy import select

from shop.db.models import Order
from shop.identity import issue_customer_token
from shop.seed.fixtures import MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID
from shop_channels.commands import COMMAND_REPLY
from tests.support.stack import TEST_TOKEN_SECRET, _spawn, _wait_ready

pytestmark = pytest.mark.integration

ORDER_NO = re.compile(r"20\d{16}")
TICKET_NO = re.compile(r"RG\d{14}")
APOLOGY = "小差"
NOT_UNDERSTOOD = "没太明白"


def sender() -> str:
    return f"attack-{uuid.uuid4().hex}"


def signed_in(customer_id: int) -> dict:
    return {"customer_token": issue_customer_token(customer_id, secret=TEST_TOKEN_SECRET)}


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def everything(replies) -> str:
    return json.dumps(replies, ensure_ascii=False)


def orders_of(shop_session, customer_id):
    with shop_session() as session:
        return set(session.execute(select(Order.order_no).where(Order.customer_id == customer_id)).scalars())


# --- REST: a conversation belongs to the identity that started it ----------------------

def test_rest_conversation_is_bound_to_the_shopper_who_started_it(live_stack, shop_session):
    victim = sender()
    token = signed_in(MAIN_CUSTOMER_ID)
    first = live_stack.say(victim, "我的快递到哪了", metadata=token)
    victims_orders = orders_of(shop_session, MAIN_CUSTOMER_ID)
    shown = set(ORDER_NO.findall(everything(first))) & victims_orders
    assert shown, everything(first)
    assert all(reply["recipient_id"] == victim for reply in first)
    ticket = TICKET_NO.search(text_of(live_stack.say(victim, "转人工", metadata=token))).group(0)

    # Another customer with a valid token of their own, and a guest, in the same conversation id.
    for intruder in (signed_in(OTHER_CUSTOMER_ID), None, {"customer_token": "forged"}):
        for message in ("这个订单到哪了", "订单到哪了", "转人工"):
            replies = live_stack.say(victim, message, metadata=intruder)
            seen = everything(replies)
            assert not set(ORDER_NO.findall(seen)) & victims_orders, (intruder, message, seen)
            assert ticket not in seen, (intruder, message, seen)

    # The victim's conversation is untouched: its ticket is still the one in the queue.
    again = text_of(live_stack.say(victim, "转人工", metadata=token))
    assert ticket in again and "排队" in again, again


def test_tokens_are_not_stored_in_the_conversation_store(live_stack):
    talk = sender()
    token = signed_in(MAIN_CUSTOMER_ID)
    live_stack.say(talk, "我的快递到哪了", metadata=token)
    with sqlite3.connect(live_stack.workdir / "tracker.db") as connection:
        rows = connection.execute("SELECT sender_id, data FROM events WHERE sender_id LIKE ?",
                                  (f"{talk}%",)).fetchall()
    assert rows, "the turn was not stored"
    stored = "\n".join(data for _, data in rows)
    assert token["customer_token"] not in stored
    assert token["customer_token"].split(".")[2] not in stored   # not even the signature
    assert "customer_token" not in stored
    assert "shop_identity" in stored                              # what the actions verify instead
    assert {sender_id for sender_id, _ in rows} == {f"{talk}~c{MAIN_CUSTOMER_ID}"}


def test_a_signed_token_for_an_impossible_customer_id_is_a_guest_not_a_500(live_stack):
    # Correctly signed (a bug in the shop's back end, say), but no database holds the id: the
    # handoff gate's query overflowed and every turn was a 500.
    token = {"customer_token": issue_customer_token(10**29, secret=TEST_TOKEN_SECRET)}
    reply = requests.post(live_stack.webhook, json={"sender": sender(), "message": "我的快递到哪了",
                                                    "metadata": token}, timeout=60)
    assert reply.status_code == 200, reply.text
    assert "订单号" in text_of(reply.json()), reply.text     # asked as a guest is


# --- "/" commands, nesting, sizes -------------------------------------------------------

@pytest.mark.parametrize("command", [
    "/restart", "/session_start", "/back", " /restart", "/nlu_fallback", "/affirm",
    "/order_status@0.01", "/action_restart", "/greet{\"order_no\": {\"a\": 1}}",
    "/inform{\"phone_suffix\": \"<img src=x onerror=alert(1)>\"}",
    "/inform{\"order_no\": " + "[" * 600 + "]" * 600 + "}",
], ids=lambda command: command[:40])
def test_slash_commands_get_a_polite_reply(live_stack, command):
    talk = sender()
    live_stack.say(talk, "我要换货", metadata=signed_in(MAIN_CUSTOMER_ID))
    replies = live_stack.say(talk, command, metadata=signed_in(MAIN_CUSTOMER_ID))
    assert text_of(replies) == COMMAND_REPLY, replies
    assert "onerror" not in everything(replies)


def test_button_payloads_still_work(live_stack):
    replies = live_stack.say(sender(), "/order_status", metadata=signed_in(MAIN_CUSTOMER_ID))
    assert replies and text_of(replies) != COMMAND_REPLY and ORDER_NO.search(everything(replies))


@pytest.mark.parametrize("odd", ["①", "²", "9" * 90])
def test_a_product_id_int_cannot_read_does_not_break_the_conversation(live_stack, odd):
    """A short plain value passes the channel and fills the ``product_id`` slot: "①" and "²"
    are ``isdigit()`` but no ``int()``, so that turn and every later product or purchase turn
    answered the outage apology (the action raised ValueError)."""
    talk = sender()
    command = "/product_inquiry" + json.dumps({"product_id": odd}, ensure_ascii=False)
    for message in (command, "这个多少钱", "怎么买", "推荐一款手机"):
        replies = live_stack.say(talk, message)
        assert replies and APOLOGY not in text_of(replies), (message, replies)


def test_deep_nesting_and_oversized_input_are_4xx(live_stack):
    deep = json.loads("{\"a\": " * 600 + "1" + "}" * 600)
    for body in (
        {"sender": sender(), "message": "你好", "metadata": deep},
        {"sender": sender(), "message": "你好", "metadata": json.dumps(deep)},
    ):
        reply = requests.post(live_stack.webhook, json=body, timeout=30)
        assert reply.status_code == 400 and reply.json()["error"] == "invalid_metadata", reply.text
    raw = '{"sender": "x", "message": "hi", "extra": ' + "[" * 20000 + "]" * 20000 + "}"
    reply = requests.post(live_stack.webhook, data=raw.encode(), timeout=30,
                          headers={"Content-Type": "application/json"})
    assert reply.status_code in (400, 413), reply.text
    reply = requests.post(live_stack.webhook, json={"sender": sender(), "message": "查" + "1" * 5000}, timeout=30)
    assert reply.status_code == 413


# --- socket.io --------------------------------------------------------------------------

class SocketClient:
    """The socket.io protocol over a raw WebSocket, as the widget speaks it."""

    def __init__(self, rasa_url: str):
        self.url = rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.events = []

    async def __aenter__(self):
        self.ws = await websockets.connect(self.url, open_timeout=20)
        assert (await asyncio.wait_for(self.ws.recv(), 20)).startswith("0")
        await self.ws.send("40")
        assert (await asyncio.wait_for(self.ws.recv(), 20)).startswith("40")
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def emit(self, event, data):
        await self.ws.send("42" + json.dumps([event, data], ensure_ascii=False))

    async def until(self, event, timeout=60.0, count=1):
        """Events until ``count`` of ``event`` have arrived (then a short quiet period)."""
        got = []
        deadline = asyncio.get_running_loop().time() + timeout
        quiet = None
        while True:
            now = asyncio.get_running_loop().time()
            limit = (quiet or deadline) - now
            if limit <= 0:
                return got
            try:
                packet = await asyncio.wait_for(self.ws.recv(), limit)
            except asyncio.TimeoutError:
                return got
            if packet == "2":
                await self.ws.send("3")
            elif packet.startswith("42"):
                name, *args = json.loads(packet[2:])
                got.append((name, args[0] if args else None))
                self.events.append(got[-1])
                if quiet is None and sum(1 for n, _ in got if n == event) >= count:
                    quiet = asyncio.get_running_loop().time() + 1.5

    async def session(self, proposed):
        await self.emit("session_request", {"session_id": proposed})
        confirmed = [data for name, data in await self.until("session_confirm", 20) if name == "session_confirm"]
        return confirmed[0]


def bot_text(events):
    return json.dumps([data for name, data in events if name == "bot_uttered"], ensure_ascii=False)


def test_socketio_sessions_are_issued_and_bound_to_their_connection(live_stack, shop_session):
    victims_orders = orders_of(shop_session, MAIN_CUSTOMER_ID)

    async def scenario():
        async with SocketClient(live_stack.rasa_url) as victim, SocketClient(live_stack.rasa_url) as intruder:
            # A guessable id is never accepted: the server issues its own.
            victim_session = await victim.session("app-user-8842")
            assert victim_session != "app-user-8842" and len(victim_session) >= 64
            # Resuming a session this server issued works (a reload).
            assert await victim.session(victim_session) == victim_session
            intruder_session = await intruder.session("app-user-8842")
            assert intruder_session not in ("app-user-8842", victim_session)

            await victim.emit("user_uttered", {"message": "我的快递到哪了", "session_id": victim_session,
                                               "customData": signed_in(MAIN_CUSTOMER_ID)})
            answered, overheard = await asyncio.gather(victim.until("bot_uttered", 60, count=2),
                                                       intruder.until("bot_uttered", 8))
            assert set(ORDER_NO.findall(bot_text(answered))) & victims_orders, bot_text(answered)
            assert not [e for e in overheard if e[0] == "bot_uttered"], overheard

            # The intruder names the victim's session id (leaked, say): a guest or another
            # customer still gets a fresh conversation and none of the victim's replies.
            for metadata in ({}, signed_in(OTHER_CUSTOMER_ID)):
                await intruder.emit("user_uttered", {"message": "这个订单到哪了", "session_id": victim_session,
                                                     "customData": metadata})
                theirs, victim_heard = await asyncio.gather(intruder.until("bot_uttered", 60),
                                                            victim.until("bot_uttered", 5))
                assert theirs and not set(ORDER_NO.findall(bot_text(theirs))) & victims_orders, bot_text(theirs)
                assert not [e for e in victim_heard if e[0] == "bot_uttered"], victim_heard

            # A made-up id in a message (the widget after signing out) starts a new session.
            await intruder.emit("user_uttered", {"message": "你好", "session_id": "made-up", "customData": {}})
            fresh = await intruder.until("bot_uttered", 60)
            confirmed = [data for name, data in fresh if name == "session_confirm"]
            assert confirmed and confirmed[0] not in ("made-up", victim_session)

            # "/" commands and deep nesting get a polite reply here too.
            await victim.emit("user_uttered", {"message": "/restart", "session_id": victim_session,
                                               "customData": signed_in(MAIN_CUSTOMER_ID)})
            assert COMMAND_REPLY in bot_text(await victim.until("bot_uttered", 30))
            deep = json.loads("{\"a\": " * 600 + "1" + "}" * 600)
            await victim.emit("user_uttered", {"message": "你好", "session_id": victim_session, "customData": deep})
            assert "嵌套" in bot_text(await victim.until("bot_uttered", 30))

    asyncio.run(scenario())


# --- the action server down: every turn still gets a reply ------------------------------

@pytest.fixture
def action_server_down(live_stack):
    """Stops the live stack's action server for one test, then starts it again."""
    index, actions = next((i, p) for i, p in enumerate(live_stack.processes) if p.name == "action-server")
    actions.stop()
    try:
        yield
    finally:
        restarted = _spawn("action-server", actions.popen.args, live_stack.env, live_stack.workdir)
        live_stack.processes[index] = restarted
        _wait_ready(f"{live_stack.action_url}/health", restarted, 120)


@pytest.mark.parametrize("message", ["查一下订单", "推荐个两千左右的手机", "转人工", "我要退货"])
def test_every_turn_gets_an_apology_while_the_action_server_is_down(live_stack, action_server_down, message):
    for metadata in (signed_in(MAIN_CUSTOMER_ID), None):
        replies = live_stack.say(sender(), message, metadata=metadata)
        reply = text_of(replies)
        assert APOLOGY in reply and "转人工" in reply, (message, replies)
        assert NOT_UNDERSTOOD not in reply, (message, replies)


# --- the conversation store failing: a clean error / an apology, never an empty conversation

class StoreLock:
    """Holds the live stack's conversation store (SQLite) write-locked, as another writer
    stuck in a transaction would."""

    def __init__(self, path):
        self.connection = sqlite3.connect(str(path), isolation_level=None, timeout=5)
        self.held = False

    def take(self):
        self.connection.execute("BEGIN EXCLUSIVE")
        self.held = True

    def release(self):
        if self.held:
            self.connection.execute("ROLLBACK")
            self.held = False


@pytest.fixture
def conversation_store_lock(live_stack):
    lock = StoreLock(live_stack.workdir / "tracker.db")
    try:
        yield lock
    finally:
        lock.release()
        lock.connection.close()


def test_a_turn_the_conversation_store_cannot_keep_is_refused_politely(live_stack, conversation_store_lock):
    # Stock Rasa answered from memory and forgot the turn: the guest heard "后四位", and once the
    # store was back their digits met a conversation that had never seen the order number.
    guest = sender()
    assert "订单号" in text_of(live_stack.say(guest, "查一下我的订单"))   # stored before the fault
    conversation_store_lock.take()
    order_no = "202612058601981375"
    reply = requests.post(live_stack.webhook, json={"sender": guest, "message": order_no}, timeout=60)
    # A service fault, not the server's own: a clean 503 (retry later) in Chinese, which points
    # at the progress check since the turn's actions may already have run — never a bare 500.
    assert reply.status_code == 503, reply.text
    body = reply.json()
    assert body["error"] == "conversation_store_unavailable" and APOLOGY in body["message"], reply.text
    assert "售后进度" in body["message"], reply.text

    async def over_socketio():
        async with SocketClient(live_stack.rasa_url) as client:
            session = await client.session("")
            await client.emit("user_uttered", {"message": "你好", "session_id": session, "customData": {}})
            return bot_text(await client.until("bot_uttered", 60))

    # socket.io: the widget gets the apology instead of silence.
    assert APOLOGY in asyncio.run(over_socketio())

    conversation_store_lock.release()
    # Back: the conversation carries on from the last turn it kept.
    assert "后四位" in text_of(live_stack.say(guest, order_no))
