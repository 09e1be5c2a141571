"""Faults in the scale-out setup, for real: ``scripts/run_scaled.sh`` (2 Rasa servers and 2
action servers behind nginx, conversations in PostgreSQL, Redis lock store) on a private,
throw-away PostgreSQL cluster and a private Redis server, each on a free port, so that
restarting them touches nothing else on the machine (tests/support/scaled.py).

- the Redis lock store restarted mid-conversation: the conversation carries on;
- PostgreSQL (shop database and conversations) restarted mid-conversation: likewise;
- one Rasa server of two killed (SIGKILL) under a bounded load of shoppers who retry a
  failed turn with the same ``message_id``: no turn lost, none processed twice, and the
  shoppers whose conversation the dead server held go on within seconds (its hold in the
  lock store expires after TICKET_LOCK_LIFETIME) instead of timing out.

Needs nginx, redis-server and PostgreSQL's initdb/pg_ctl: skipped with the reason when one is
missing, failed instead when ``SHOP_TEST_REQUIRE_POSTGRES=1`` (CI).
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import requests
from sqlalchemy import create_engine, select, text

from shop.db.models import Order
from shop.seed.fixtures import OTHER_CUSTOMER_ID
from tests.support.scaled import PrivatePostgres, PrivateRedis, RunScaled, delete_queue, require_nginx
from tests.support.stack import REPO_ROOT, free_ports

pytestmark = pytest.mark.timeout(900)
SECRET = "test-secret-for-the-scaled-fault-tests-0123456789"
LOCK_LIFETIME_S = 10          # run_scaled.sh's TICKET_LOCK_LIFETIME default
TURN_TIMEOUT_S = 30           # a client's patience for one attempt


@dataclass
class Scaled:
    webhook: str
    rasa_ports: List[int]
    postgres: PrivatePostgres
    redis: PrivateRedis
    shop_db: str
    tracker_db: str
    log: Path


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    require_nginx()
    var = tmp_path_factory.mktemp("scaled-faults")
    postgres = PrivatePostgres()
    redis_server = run = None
    queue = f"analytics_faults_{uuid.uuid4().hex[:8]}"
    try:
        redis_server = PrivateRedis(var)
        lb_port, action_lb_port = free_ports(2)
        shop_db, tracker_db = "shop", "rasa_tracker"
        run = RunScaled(var, {
            # the analytics consumer: its database in the same private cluster, its own queue
            "SCALED_ANALYTICS_DB_URL": postgres.url("shop_analytics"), "ANALYTICS_QUEUE": queue,
            "LB_PORT": str(lb_port), "ACTION_LB_PORT": str(action_lb_port),
            # Every test shopper comes from 127.0.0.1, so one address's allowance would be all
            # of theirs (the limits themselves: tests/integration/test_nginx_limits.py).
            "LB_REQUESTS_PER_S": "1000", "LB_REQUEST_BURST": "1000", "GUEST_LOOKUP_MAX_CLIENT_FAILURES": "100000",
            "PG_ADMIN_URL": postgres.url("postgres", driver=""),
            "SCALED_SHOP_DATABASE_URL": postgres.url(shop_db),
            "SCALED_TRACKER_DB_URL": postgres.url(tracker_db, driver=""),
            "TRACKER_DB_NAME": tracker_db,
            "SCALED_RASA_ENDPOINTS": str(REPO_ROOT / "deploy/endpoints.scale.yml"),
            "REDIS_PORT": str(redis_server.port), "REDIS_LOCK_DB": "1",
            "SHOP_TOKEN_SECRET": SECRET,
        })
        run.wait_until_up()
        yield Scaled(webhook=f"http://127.0.0.1:{lb_port}/webhooks/rest/webhook",
                     rasa_ports=run.rasa_ports, postgres=postgres, redis=redis_server,
                     shop_db=shop_db, tracker_db=tracker_db, log=run.log)
        # The script stops everything it started, promptly (it used to sleep through SIGTERM).
        took, stopped = run.stop(), run
        run = None
        assert took < 30, f"run_scaled.sh took {took:.1f} s to stop"
        assert not stopped.listening(), f"still listening after SIGTERM: {stopped.listening()}"
    finally:
        if run is not None:
            run.stop()
        if redis_server is not None:
            redis_server.stop()
        postgres.destroy()
        delete_queue(queue)


def turn(scaled: Scaled, sender: str, message: str, message_id: Optional[str] = None,
         attempts: int = 6) -> list:
    """One turn as a careful client sends it: with a message_id, retried on 5xx, connection
    errors and timeouts."""
    message_id = message_id or uuid.uuid4().hex
    last = None
    for attempt in range(attempts):
        try:
            reply = requests.post(scaled.webhook, json={"sender": sender, "message": message,
                                                        "message_id": message_id}, timeout=TURN_TIMEOUT_S)
            if reply.status_code == 200:
                return reply.json()
            last = f"HTTP {reply.status_code}: {reply.text[:200]}"
        except requests.RequestException as error:
            last = repr(error)
        time.sleep(0.5 * (attempt + 1))
    pytest.fail(f"turn {message!r} of {sender} failed {attempts} times; last: {last}")


def texts(replies: list) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def guest_order(scaled: Scaled):
    engine = create_engine(scaled.postgres.url(scaled.shop_db), future=True)
    with engine.connect() as connection:
        number, phone = connection.execute(
            select(Order.order_no, Order.recipient_phone)
            .where(Order.customer_id == OTHER_CUSTOMER_ID, Order.status == "in_transit").order_by(Order.id)
        ).first()
    engine.dispose()
    return number, phone


def assert_guest_lookup_completes(scaled: Scaled, sender: str, number: str, phone: str) -> None:
    replies = turn(scaled, sender, f"尾号{phone[-4:]}")
    orders = [r["custom"]["order"] for r in replies if r.get("custom", {}).get("type") == "order_timeline"]
    assert orders and orders[0]["order_no"] == number, texts(replies)


def user_events(scaled: Scaled, senders: List[str]) -> Dict[str, List[str]]:
    """message_id of every recorded user message, per conversation, in order."""
    engine = create_engine(scaled.postgres.url(scaled.tracker_db), future=True)
    found: Dict[str, List[str]] = {sender: [] for sender in senders}
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id = ANY(:senders) ORDER BY id"
        ), {"senders": senders})
        for sender, data in rows:
            found[sender].append(json.loads(data).get("message_id"))
    engine.dispose()
    return found


def test_a_conversation_carries_on_after_the_redis_lock_store_restarts(scaled):
    number, phone = guest_order(scaled)
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    assert "订单号" in texts(turn(scaled, sender, "查一下我的订单"))
    assert "后四位" in texts(turn(scaled, sender, number))
    scaled.redis.restart()
    # The first attempt after the restart must already work (no client retry needed).
    reply = requests.post(scaled.webhook, json={"sender": sender, "message": f"尾号{phone[-4:]}"},
                          timeout=TURN_TIMEOUT_S)
    assert reply.status_code == 200, reply.text
    orders = [r["custom"]["order"] for r in reply.json() if r.get("custom", {}).get("type") == "order_timeline"]
    assert orders and orders[0]["order_no"] == number, reply.text
    # Several turns after it, on both servers.
    for _ in range(4):
        assert turn(scaled, f"redis-{uuid.uuid4().hex[:8]}", "你好")


def test_a_conversation_carries_on_after_postgresql_restarts(scaled):
    number, phone = guest_order(scaled)
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    assert "订单号" in texts(turn(scaled, sender, "查一下我的订单"))
    assert "后四位" in texts(turn(scaled, sender, number))
    scaled.postgres.restart()
    # The state given before the restart (the order number) is still there, and the shop
    # database answers again.
    assert_guest_lookup_completes(scaled, sender, number, phone)
    for _ in range(4):
        assert "订单号" in texts(turn(scaled, f"pg-{uuid.uuid4().hex[:8]}", "查一下我的订单"))


@dataclass
class Shopper:
    sender: str
    sent: List[str] = field(default_factory=list)      # message_ids, in order, each answered
    retried: int = 0
    slowest_s: float = 0.0
    slowest: str = ""                                   # that turn's attempts
    error: Optional[str] = None


SCRIPT = ["你好", "推荐个两千左右的手机", "运费怎么算", "查一下订单", "谢谢"]


def shop(scaled: Scaled, shopper: Shopper, stop_at: float) -> None:
    """Turns one after another until ``stop_at``; a failed attempt is retried with the same
    message_id (up to 6 attempts, within TURN_TIMEOUT_S each)."""
    i = 0
    while time.monotonic() < stop_at:
        message, message_id = SCRIPT[i % len(SCRIPT)], f"{shopper.sender}-{i}"
        started, attempts = time.monotonic(), []
        for attempt in range(6):
            try:
                reply = requests.post(scaled.webhook, json={"sender": shopper.sender, "message": message,
                                                            "message_id": message_id}, timeout=TURN_TIMEOUT_S)
                attempts.append(f"{reply.status_code} after {time.monotonic() - started:.1f} s")
                if reply.status_code == 200 and reply.json():
                    break
            except requests.RequestException as error:
                attempts.append(f"{error.__class__.__name__} after {time.monotonic() - started:.1f} s")
            shopper.retried += 1
            time.sleep(0.2 * (attempt + 1))
        else:
            shopper.error = f"turn {message_id} ({message}) failed 6 times: {attempts}"
            return
        took = time.monotonic() - started
        if took > shopper.slowest_s:
            shopper.slowest_s, shopper.slowest = took, f"{message_id}: {attempts}"
        shopper.sent.append(message_id)
        i += 1


def rasa_server_pid(port: int) -> int:
    """The Rasa server listening on ``port`` (its command line names the port)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"run" in args and b"--port" in args and args[args.index(b"--port") + 1] == str(port).encode() \
                and any(a.endswith(b"rasa") for a in args):
            return int(entry.name)
    raise AssertionError(f"no Rasa server found on port {port}")


def test_one_rasa_server_killed_under_load_loses_and_duplicates_no_turn(scaled):
    shoppers = [Shopper(f"load-{i}-{uuid.uuid4().hex[:6]}") for i in range(6)]
    stop_at = time.monotonic() + 30
    threads = [threading.Thread(target=shop, args=(scaled, s, stop_at), daemon=True) for s in shoppers]
    for thread in threads:
        thread.start()
    time.sleep(8)
    victim = rasa_server_pid(scaled.rasa_ports[0])
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=TURN_TIMEOUT_S * 7)

    errors = [s.error for s in shoppers if s.error]
    assert not errors, errors
    recorded = user_events(scaled, [s.sender for s in shoppers])
    for shopper in shoppers:
        assert len(shopper.sent) >= 5, (shopper.sender, shopper.sent)
        # Every answered turn is in the conversation exactly once, in order: none lost,
        # none processed twice (a retry of a turn that had been processed was answered from
        # the conversation store).
        assert recorded[shopper.sender] == shopper.sent, (shopper.sender, recorded[shopper.sender], shopper.sent)
        # A conversation the dead server held waits at most for its hold to expire.
        assert shopper.slowest_s < LOCK_LIFETIME_S + 10, (shopper.slowest_s, shopper.slowest)
    slowest = max(shoppers, key=lambda s: s.slowest_s)
    print("turns:", sum(len(s.sent) for s in shoppers), "retries:", sum(s.retried for s in shoppers),
          f"slowest turn: {slowest.slowest_s:.1f} s ({slowest.slowest})")
    # The surviving server goes on serving new conversations.
    assert turn(scaled, f"after-{uuid.uuid4().hex[:8]}", "你好")
