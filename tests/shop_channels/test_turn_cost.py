"""The turn-cost changes of issue 18 (bench/TURN_COST.md) keep Rasa's behaviour: the
conversation stores' SQLite engine, the session roll-over of long conversations and the
kept action-server connections."""
import asyncio
import json
import sqlite3
import time
import types

import pytest
from aiohttp import web
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import shop_channels  # noqa: F401  (installs the patches, as in the Rasa server)
from shop.db.engine import conversation_log_engine, is_sqlite_file
from shop_channels import rasa_keepalive, rasa_sessions, rasa_speedups

DOMAIN = Domain.from_yaml("""
version: '3.1'
slots:
  order_no: {type: text, mappings: []}
  pending_offer: {type: text, mappings: []}
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: true
""")


# --- the conversation stores' SQLite engine ------------------------------------------------

def _pragmas(path):
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]


def test_the_tracker_store_writes_a_write_ahead_log_and_keeps_its_connection(tmp_path):
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(DOMAIN, db=str(path))
    tracker = DialogueStateTracker.from_events("s1", [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("你好", {"name": "greet", "confidence": 1.0})], DOMAIN.slots)
    asyncio.run(store.save(tracker))
    assert _pragmas(path) == "wal"
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1   # NORMAL
    assert store.engine.pool.checkedin() >= 1          # not closed after the session
    again = asyncio.run(store.retrieve("s1"))
    assert [e.type_name for e in again.events] == [e.type_name for e in list(tracker.events)[1:]]


def test_the_tracker_store_finds_the_latest_session_through_indexes(tmp_path):
    store = SQLTrackerStore(DOMAIN, db=str(tmp_path / "tracker.db"))
    with store.session_scope() as session:
        query = store._event_query(session, "s1", fetch_events_from_all_sessions=False)
        sql = str(query.statement.compile(compile_kwargs={"literal_binds": True}))
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        plan = " ".join(row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + sql))
    assert "ix_events_sender_type_time" in plan and "ix_events_sender_time" in plan, plan


def test_a_non_sqlite_tracker_store_keeps_rasas_engine(monkeypatch):
    import sqlalchemy as sa

    rasas = sa.create_engine("postgresql://rasa@127.0.0.1:5432/rasa")   # no connection made

    def stock_init(self, *args, **kwargs):
        self.engine = rasas
        self.sessionmaker = "rasa's"

    monkeypatch.setattr(rasa_speedups, "_stock_sql_tracker_init", stock_init)
    store = SQLTrackerStore.__new__(SQLTrackerStore)
    rasa_speedups.init_sql_tracker(store)
    assert store.engine is rasas and store.sessionmaker == "rasa's"
    assert not is_sqlite_file("postgresql://rasa@127.0.0.1:5432/rasa")
    assert not is_sqlite_file("sqlite://") and not is_sqlite_file("sqlite:///:memory:")
    assert conversation_log_engine("postgresql://rasa@127.0.0.1:5432/rasa").pool.__class__ is rasas.pool.__class__


def test_the_event_broker_writes_a_write_ahead_log(tmp_path):
    from analytics.broker import BackgroundSQLEventBroker

    path = tmp_path / "events.db"
    broker = BackgroundSQLEventBroker(db=str(path))
    broker.publish({"sender_id": "s1", "event": "user", "text": "你好"})
    broker.flush()
    assert _pragmas(path) == "wal"
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT sender_id FROM events").fetchall() == [("s1",)]
    asyncio.run(broker.close())


# --- the session roll-over -------------------------------------------------------------------

def _turns(count, first_id=0):
    events = []
    for i in range(count):
        events += [UserUttered(f"问题{first_id + i}", {"name": "greet", "confidence": 1.0}),
                   ActionExecuted("utter_greet"), ActionExecuted("action_listen")]
    return events


def _tracker(events):
    start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for order, event in enumerate(start + events):   # in order, as Rasa creates them
        event.timestamp = time.time() - 60 + order / 100
    return DialogueStateTracker.from_events("s1", start + events, DOMAIN.slots)


def _expired(tracker):
    return MessageProcessor._has_session_expired(types.SimpleNamespace(domain=DOMAIN), tracker)


def test_a_session_rolls_over_after_the_limit_of_user_turns():
    assert MessageProcessor._has_session_expired is rasa_sessions.has_session_expired
    limit = rasa_sessions.DEFAULT_MAX_TURNS
    assert not _expired(_tracker(_turns(limit - 1)))
    assert _expired(_tracker(_turns(limit)))


def test_no_roll_over_inside_a_form_or_after_an_offer():
    limit = rasa_sessions.DEFAULT_MAX_TURNS
    in_form = _turns(limit) + [ActiveLoop("after_sales_form")]
    assert not _expired(_tracker(in_form))
    offered = _turns(limit)[:-1] + [SlotSet("pending_offer", "recommend"), ActionExecuted("action_listen")]
    assert not _expired(_tracker(offered))
    answered = offered + _turns(1, first_id=99)[:-1] + [SlotSet("pending_offer", None), ActionExecuted("action_listen")]
    assert _expired(_tracker(answered))


def test_turns_of_earlier_sessions_do_not_count():
    limit = rasa_sessions.DEFAULT_MAX_TURNS
    events = _turns(limit - 1) + [ActionExecuted("action_session_start"), SessionStarted(),
                                  ActionExecuted("action_listen")] + _turns(2)
    assert not _expired(_tracker(events))
    assert rasa_sessions.session_is_full(_tracker(_turns(3)).events, 3)
    assert not rasa_sessions.session_is_full(_tracker(_turns(3)).events, 0)


def test_the_limit_is_checked_at_start_up():
    from shop.settings import ConfigError
    from shop_channels.settings import load_settings

    for bad in ("many", "-1", "2.5"):
        with pytest.raises(ConfigError, match="SESSION_MAX_USER_TURNS"):
            load_settings({"SESSION_MAX_USER_TURNS": bad})
    assert load_settings({"SESSION_MAX_USER_TURNS": "12"}).session_max_user_turns == 12
    assert load_settings({}).session_max_user_turns == rasa_sessions.DEFAULT_MAX_TURNS


def test_the_offer_slot_name_is_the_actions_one():
    from actions.offers import OFFER_SLOT

    assert rasa_sessions.OFFER_SLOT == OFFER_SLOT


def test_a_rolled_over_session_is_what_the_store_reads_back_with_the_slots(tmp_path):
    """Rasa's own session start after the roll-over: slots carried, the store's retrieve reads
    only the new session, the full tracker still has every turn."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.core.channels.channel import CollectingOutputChannel

    store = SQLTrackerStore(DOMAIN, db=str(tmp_path / "tracker.db"))
    limit = rasa_sessions.DEFAULT_MAX_TURNS
    tracker = _tracker([SlotSet("order_no", "202611201234567890")] + _turns(limit))
    asyncio.run(store.save(tracker))
    assert _expired(tracker)
    events = asyncio.run(ActionSessionStart().run(CollectingOutputChannel(), None, tracker, DOMAIN))
    for event in events:
        tracker.update(event)
    tracker.update(UserUttered("还在吗", {"name": "greet", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    current = asyncio.run(store.retrieve("s1"))
    assert current.get_slot("order_no") == "202611201234567890"
    assert [e.text for e in current.events if isinstance(e, UserUttered)] == ["还在吗"]
    full = asyncio.run(store.retrieve_full_tracker("s1"))
    assert len([e for e in full.events if isinstance(e, UserUttered)]) == limit + 1


# --- kept action-server connections ------------------------------------------------------------

def test_action_server_calls_reuse_one_connection_with_the_same_answers():
    assert EndpointConfig.request is rasa_keepalive.request

    async def scenario():
        peers = []

        async def webhook(request):
            peers.append(request.transport.get_extra_info("peername"))
            body = await request.json()
            if body.get("fail"):
                return web.json_response({"error": "no"}, status=500)
            return web.json_response({"echo": body, "secret": request.headers.get("X-Action-Secret")})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Action-Secret": "s3"})
        try:
            answers = [await endpoint.request(json={"n": n}, method="post", timeout=5) for n in range(3)]
            with pytest.raises(ClientResponseError) as failed:
                await endpoint.request(json={"fail": True}, method="post")
            assert failed.value.status == 500
        finally:
            await endpoint._shop_session.close()
            await runner.cleanup()
        return answers, peers

    answers, peers = asyncio.run(scenario())
    assert answers == [{"echo": {"n": n}, "secret": "s3"} for n in range(3)]
    assert len(set(peers)) == 1          # one connection for every call


class _RecordingHttpServer(asyncio.Protocol):
    """A minimal HTTP/1.1 server that records how each request's bytes arrived."""

    def __init__(self, arrivals):
        self.arrivals, self.buffer, self.chunks = arrivals, b"", []

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        self.chunks.append(len(data))
        head, separator, rest = self.buffer.partition(b"\r\n\r\n")
        if not separator:
            return
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        if len(rest) < length:
            return
        self.arrivals.append((self.chunks, json.loads(rest[:length])))
        self.buffer, self.chunks = rest[length:], []
        answer = json.dumps({"events": [], "responses": [{"text": "好的"}]}).encode()
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer))


@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_an_action_call_reaches_the_action_server_in_one_piece(loop_kind):
    """Headers and body arrive together (one read on the action server, not a wake-up for
    the headers and another for the body), the connection is uncorked after every call,
    and the call's answer and body are as before."""
    import socket

    if not hasattr(socket, "TCP_CORK"):
        pytest.fail("TCP_CORK is Linux's; this test runs where the servers run")

    async def scenario():
        arrivals = []
        server = await asyncio.get_running_loop().create_server(
            lambda: _RecordingHttpServer(arrivals), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Action-Secret": "s3"})
        corked_after = []
        try:
            answers = []
            for n in range(5):
                body = {"next_action": "action_order_status", "n": n, "tracker": {"events": ["我的订单"] * 200 * n}}
                answers.append(await endpoint.request(json=body, method="post", timeout=5))
                connections = [c for conns in endpoint._shop_session.connector._conns.values() for c, _ in conns]
                corked_after.extend(
                    proto.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK)
                    for proto in connections)
        finally:
            await endpoint._shop_session.close()
            server.close()
        return answers, arrivals, corked_after

    if loop_kind == "uvloop":
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    try:
        answers, arrivals, corked_after = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert answers == [{"events": [], "responses": [{"text": "好的"}]}] * 5
    assert [body["n"] for _, body in arrivals] == list(range(5))
    assert arrivals[4][1]["tracker"]["events"] == ["我的订单"] * 800
    assert [chunks for chunks, _ in arrivals] == [[sum(chunks)] for chunks, _ in arrivals]   # one read each
    assert corked_after == [0] * 5        # a kept connection is idle and uncorked between calls


def test_only_a_body_that_is_all_there_is_held_back_for_one_piece():
    """A streamed body or one waiting for "100 Continue" is sent as aiohttp sends it: holding
    its headers back would make it wait in the kernel."""
    import aiohttp
    from yarl import URL

    async def chunks():
        yield b"{}"

    async def scenario():
        loop = asyncio.get_running_loop()

        def request(**kwargs):
            return rasa_keepalive.OneSegmentRequest("POST", URL("http://127.0.0.1:1/webhook"), loop=loop, **kwargs)

        as_json = aiohttp.payload.JsonPayload({"n": 1})     # what ClientSession makes of json=
        return [request(data=as_json)._in_one_piece(), request(data=b"{}")._in_one_piece(),
                request(data=chunks())._in_one_piece(), request(data=as_json, expect100=True)._in_one_piece()]

    assert asyncio.run(scenario()) == [True, True, False, False]


def test_action_call_bodies_are_the_json_of_stock_rasa():
    """The kept session's encoder (ujson) writes the values json.dumps writes, and anything
    ujson refuses gets json.dumps' result or its error."""
    import json

    import numpy as np
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    tracker = DialogueStateTracker.from_events("买家/1", [
        UserUttered("我的订单202611201234567890到哪了？", {"name": "order_status", "confidence": 0.8734567},
                    [{"entity": "order_no", "value": "202611201234567890", "start": 4, "end": 22}],
                    timestamp=1733490000.123456),
        SlotSet("order_no", "202611201234567890"), SlotSet("cart", ("a", 2, 0.1 + 0.2)),
        ActionExecuted("action_order_status", policy="RulePolicy", confidence=1.0),
        BotUttered("已发货，查看物流：https://shop.example/track?id=1", {"buttons": [{"title": "好", "payload": "/affirm"}]}),
    ])
    body = {"next_action": "action_x", "tracker": tracker.current_state(EventVerbosity.ALL), "n": {1: "x"}}
    assert json.loads(rasa_keepalive.request_json(body)) == json.loads(json.dumps(body))
    assert rasa_keepalive.request_json({"x": float("nan")}).replace(" ", "") == '{"x":NaN}'   # as json.dumps
    with pytest.raises(TypeError):
        rasa_keepalive.request_json({"x": np.float32(0.5)})


def test_a_new_session_carries_one_slot_set_per_slot_with_the_last_values():
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.slots import AnySlot, TextSlot
    from shop_channels import rasa_sessions

    slots = [TextSlot("order_no", mappings=[{}]), AnySlot("recommendation", mappings=[{}])]
    events = [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("order_no", "A", metadata={"m": 1}),
              SlotSet("recommendation", {"q": "手机"}), ActionExecuted("action_listen"), SlotSet("order_no", "B"),
              SlotSet("order_no", None), SlotSet("recommendation", {"q": "耳机"}), SlotSet("order_no", "C")]
    tracker = DialogueStateTracker.from_events("s", events, slots=slots)
    stock = rasa_sessions.STOCK_CARRIED_SLOTS(tracker)
    carried = rasa_sessions.carried_slot_events(tracker)
    assert len(stock) == 6
    assert [(e.key, e.value) for e in carried] == [("recommendation", {"q": "耳机"}), ("order_no", "C")]
    # the same slot values as Rasa's full carry-over
    replayed = [DialogueStateTracker.from_events("n", list(c), slots=slots) for c in (stock, carried)]
    assert {s: replayed[0].get_slot(s) for s in ("order_no", "recommendation")} == \
           {s: replayed[1].get_slot(s) for s in ("order_no", "recommendation")}
