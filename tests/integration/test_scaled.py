"""The scale-out setup for real: ``scripts/run_scaled.sh`` with two Rasa servers and two
action servers behind nginx, conversations in PostgreSQL (or Redis) and a Redis lock store.

One conversation's turns land on different Rasa servers (nginx's access log says which) and
the conversation still carries on: the guest look-up needs three turns whose state (order
number, then phone digits) must be read back from the shared tracker store.

Needs nginx, PostgreSQL and redis-server on this machine: skipped with the reason when one
is missing, failed instead when ``SHOP_TEST_REQUIRE_POSTGRES=1`` (CI, where .ci/run installs
nginx). Uses throw-away PostgreSQL databases and a private Redis server on a free port
(tests/support/scaled.py), so nothing of the machine's Redis is flushed.
"""
from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text

from shop.db.models import Order
from shop.seed.fixtures import OTHER_CUSTOMER_ID
from tests.support.scaled import PrivateRedis, RunScaled, delete_queue, require_nginx, unavailable
from tests.support.stack import REPO_ROOT, free_ports

PG_SERVER = os.environ.get("SHOP_TEST_POSTGRES_SERVER", "postgresql+psycopg2://postgres@127.0.0.1:5432")
SECRET = "test-secret-for-the-scaled-stack-0123456789"

pytestmark = pytest.mark.timeout(900)


def check_postgres() -> None:
    try:
        with create_engine(f"{PG_SERVER}/postgres", future=True).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means "not here"
        unavailable(f"PostgreSQL not reachable at {PG_SERVER}: {error}")


def drop_databases(*names: str) -> None:
    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as connection:
        for name in names:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                               {"n": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))   # names made here, not input
    engine.dispose()


@pytest.fixture(scope="module", params=["deploy/endpoints.scale.yml", "deploy/endpoints.scale-redis.yml"],
                ids=["postgres-tracker", "redis-tracker"])
def scaled(request, tmp_path_factory):
    require_nginx()
    check_postgres()
    run_id = uuid.uuid4().hex[:8]
    var = tmp_path_factory.mktemp("scaled")
    shop_db, tracker_db = f"shop_scaled_{run_id}", f"tracker_scaled_{run_id}"
    analytics_db, queue = f"analytics_scaled_{run_id}", f"analytics_test_{run_id}"
    lb_port, action_lb_port = free_ports(2)
    redis_server = PrivateRedis(var)
    run = None
    try:
        run = RunScaled(var, {
            "LB_PORT": str(lb_port), "ACTION_LB_PORT": str(action_lb_port),
            # Every test shopper comes from 127.0.0.1, so one address's allowance would be all
            # of theirs (the limits themselves: tests/integration/test_nginx_limits.py).
            "LB_REQUESTS_PER_S": "1000", "LB_REQUEST_BURST": "1000", "GUEST_LOOKUP_MAX_CLIENT_FAILURES": "100000",
            "PG_ADMIN_URL": f"{PG_SERVER.replace('+psycopg2', '')}/postgres",
            "SCALED_SHOP_DATABASE_URL": f"{PG_SERVER}/{shop_db}",
            "SCALED_TRACKER_DB_URL": f"{PG_SERVER.replace('+psycopg2', '')}/{tracker_db}",
            "TRACKER_DB_NAME": tracker_db,
            "SCALED_RASA_ENDPOINTS": str(REPO_ROOT / request.param),
            "REDIS_PORT": str(redis_server.port),
            "SHOP_TOKEN_SECRET": SECRET,
            "SCALED_ANALYTICS_DB_URL": f"{PG_SERVER}/{analytics_db}", "ANALYTICS_QUEUE": queue,
        })
        run.wait_until_up()
        yield {"webhook": f"http://127.0.0.1:{lb_port}/webhooks/rest/webhook",
               "access_log": run.access_log,
               "shop_url": f"{PG_SERVER}/{shop_db}",
               "analytics_url": f"{PG_SERVER}/{analytics_db}"}
    finally:
        if run is not None:
            run.stop()
        redis_server.stop()
        drop_databases(shop_db, tracker_db, analytics_db)
        delete_queue(queue)


def say(scaled, sender: str, message: str) -> list:
    reply = requests.post(scaled["webhook"], json={"sender": sender, "message": message}, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def texts(replies: list) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_a_conversation_continues_across_rasa_servers(scaled):
    engine = create_engine(scaled["shop_url"], future=True)
    with engine.connect() as connection:
        number, phone = connection.execute(
            select(Order.order_no, Order.recipient_phone)
            .where(Order.customer_id == OTHER_CUSTOMER_ID, Order.status == "in_transit").order_by(Order.id)
        ).first()
    engine.dispose()
    sender = f"scaled-{uuid.uuid4().hex[:8]}"

    first = say(scaled, sender, "查一下我的订单")
    assert "订单号" in texts(first)
    second = say(scaled, sender, number)            # the order number, remembered ...
    assert "后四位" in texts(second)
    third = say(scaled, sender, f"尾号{phone[-4:]}")  # ... when the digits come, on another server
    order = [r["custom"]["order"] for r in third if r.get("custom", {}).get("type") == "order_timeline"]
    assert order and order[0]["order_no"] == number, texts(third)

    served = logged_upstreams(scaled["access_log"], "/webhooks/rest/webhook", at_least=3)
    assert len(served) >= 3 and len(set(served)) == 2, served
    actions = logged_upstreams(scaled["access_log"], "/webhook", at_least=2)
    assert len(set(actions)) == 2, actions

    # Both Rasa servers' events reached the analytics tables through RabbitMQ, once each.
    from analytics.store import CONVERSATIONS, TURNS

    engine = create_engine(scaled["analytics_url"], future=True)
    deadline = time.monotonic() + 30
    row = None
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            row = connection.execute(select(CONVERSATIONS.c.turns, CONVERSATIONS.c.handed_off)
                                     .where(CONVERSATIONS.c.sender_id.like(f"%{sender}%"))).first()
            latencies = connection.execute(select(TURNS.c.latency_ms).where(
                TURNS.c.sender_id.like(f"%{sender}%"))).scalars().all()
        if row is not None and row.turns == 3 and len(latencies) == 3 and None not in latencies:
            break
        time.sleep(0.5)
    engine.dispose()
    assert row is not None and row.turns == 3 and not row.handed_off, row


def logged_upstreams(access_log: Path, path: str, at_least: int, wait: float = 5.0) -> list:
    """Upstreams nginx logged for successful POSTs to ``path``. nginx writes a request's log
    line after the client already has the response, so the last line may lag a moment."""
    pattern = re.compile(rf'"POST {re.escape(path)} HTTP/1\.1" 200 \S+ upstream=(\S+)')
    deadline = time.monotonic() + wait
    while True:
        found = pattern.findall(access_log.read_text())
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.1)
