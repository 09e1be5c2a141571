"""数据分析's RabbitMQ outage banner and /healthz against a real outage: the real consumer
(``python -m analytics consume-rabbitmq``, its own process) reads the real RabbitMQ through a
TCP proxy this test starts, kills (the broker "goes down": connections reset, new ones
refused) and starts again; the shared RabbitMQ itself is never stopped (other runs use it).
Before, the banner was tested only with status rows written by hand. Checked: the admin's page
says the consumer cannot reach RabbitMQ and /healthz says ``broker_unreachable`` while the
proxy is down; an event published during the outage waits in RabbitMQ and is counted once
the broker is back, as the banner promises, and the banner goes."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid

from sqlalchemy import create_engine, func, select

from analytics import store
from tests.analytics.test_rabbit import RABBITMQ_URL, delete, publish
from tests.support.analytics import known_events, unavailable
from tests.support.console import ADMIN_PASSWORD
from tests.support.stack import REPO_ROOT, free_port
from tests.support.tcp_proxy import ProxyProcess

PERIOD = "/api/analytics?from=2026-12-01&to=2026-12-01"
# The consumer reports every 15 s (analytics.consumer_health.STATUS_EVERY_S): a state shows
# within one report of the change, plus the reconnect.
CHANGE_SHOWS_WITHIN_S = 60


def _wait(condition, timeout_s: float = CHANGE_SHOWS_WITHIN_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def _health(client) -> str:
    response, body = client.request("GET", "/healthz")
    assert response.status == 200
    return json.loads(body)["analytics_consumer"]


def _banner(admin):
    response, body = admin.request("GET", PERIOD)
    assert response.status == 200
    return json.loads(body).get("consumer_problem")


def _events(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(store.EVENTS)).scalar_one()


def test_a_real_broker_outage_shows_on_the_banner_and_health_and_heals(console, tmp_path, monkeypatch):
    if not RABBITMQ_URL.startswith("amqp://guest:guest@127.0.0.1:5672"):
        unavailable("the proxy forwards to 127.0.0.1:5672 only")
    queue = f"analytics_outage_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(publish(queue, []))
    except Exception as error:  # noqa: BLE001
        unavailable(f"RabbitMQ not reachable at {RABBITMQ_URL}: {error}")
    url = f"sqlite:///{tmp_path / 'analytics.db'}"
    monkeypatch.setenv("ANALYTICS_DB_URL", url)
    monkeypatch.setenv("ANALYTICS_SOURCE", "rabbitmq")
    monkeypatch.setenv("ANALYTICS_QUEUE", queue)
    engine = create_engine(url, future=True)
    store.create_tables(engine)
    events = known_events()
    before, during = events[:3], events[3:6]

    port = free_port()
    proxy = ProxyProcess(port, 5672).start()
    env = dict(os.environ, ANALYTICS_DB_URL=url, ANALYTICS_SOURCE="rabbitmq", PYTHONPATH=str(REPO_ROOT))
    log = open(tmp_path / "consumer.log", "wb")
    consumer = subprocess.Popen(
        [sys.executable, "-m", "analytics", "consume-rabbitmq", "--queue", queue,
         "--url", f"amqp://guest:guest@127.0.0.1:{port}/?reconnect_interval=1"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    admin = console()
    admin.sign_in("boss", ADMIN_PASSWORD)
    try:
        asyncio.run(publish(queue, before))
        assert _wait(lambda: _health(admin) == "ok" and _events(engine) == len(before))
        assert _banner(admin) is None

        proxy.kill()                                          # the broker goes down
        assert _wait(lambda: _health(admin) == "broker_unreachable"), (tmp_path / "consumer.log").read_text()
        assert "连不上 RabbitMQ" in _banner(admin)
        asyncio.run(publish(queue, during))                   # Rasa goes on publishing (not via the proxy)
        time.sleep(2)
        assert _events(engine) == len(before)                 # waits in RabbitMQ meanwhile
        assert consumer.poll() is None                        # the consumer keeps trying

        proxy = ProxyProcess(port, 5672).start()              # the broker is back
        assert _wait(lambda: _health(admin) == "ok" and _events(engine) == len(before) + len(during)), \
            (tmp_path / "consumer.log").read_text()
        assert _banner(admin) is None
    finally:
        consumer.send_signal(signal.SIGTERM)
        try:
            consumer.wait(20)
        except subprocess.TimeoutExpired:
            consumer.kill()
        proxy.kill()
        log.close()
        engine.dispose()
        asyncio.run(delete(queue))
