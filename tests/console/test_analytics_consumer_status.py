"""A RabbitMQ-side analytics outage on 数据分析 (scale-out, ANALYTICS_SOURCE=rabbitmq). Before,
RabbitMQ down or the consumer cut off / stopped showed only in the consumer's log, and the
page drew the older figures as if current. Now the consumer records whether it holds its
RabbitMQ connection (analytics_consumer_status) and admins see the outage in words: never
reported, reports stopped, or RabbitMQ unreachable since a time. Agents see nothing of it
(fail closed: not in the JSON, not on the page)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine

from analytics import store
from analytics.consumer_health import NEVER_REPORTED, STALE_AFTER_S
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD

PERIOD = "/api/analytics?from=2026-12-01&to=2026-12-01"
QUEUE = "shop_analytics_probe"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _problem(client) -> object:
    response, body = client.request("GET", PERIOD)
    assert response.status == 200
    return json.loads(body).get("consumer_problem", "absent")


def test_admins_see_a_rabbitmq_side_outage_and_agents_see_nothing(console, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'analytics.db'}"
    monkeypatch.setenv("ANALYTICS_DB_URL", url)
    monkeypatch.setenv("ANALYTICS_SOURCE", "rabbitmq")
    monkeypatch.setenv("ANALYTICS_QUEUE", QUEUE)
    engine = create_engine(url, future=True)
    store.create_tables(engine)

    admin = console()
    admin.sign_in("boss", ADMIN_PASSWORD)
    agent = console()
    agent.sign_in("agent1", AGENT_PASSWORD)

    assert _problem(admin) == NEVER_REPORTED                       # no consumer has ever run
    response, html = admin.request("GET", "/analytics")
    assert response.status == 200 and 'id="consumer-problem"' in html
    _, script = admin.request("GET", "/static/analytics.js")
    assert "consumer.textContent = d.consumer_problem" in script and "innerHTML" not in script

    down_since = _now() - timedelta(minutes=3)
    store.record_consumer_status(engine, QUEUE, True, down_since - timedelta(minutes=1))
    store.record_consumer_status(engine, QUEUE, False, down_since)
    store.record_consumer_status(engine, QUEUE, False, _now())     # still down: "since" kept
    problem = _problem(admin)
    assert "连不上 RabbitMQ" in problem and f"{down_since:%Y-%m-%d %H:%M}" in problem

    store.record_consumer_status(engine, QUEUE, True, _now())
    assert _problem(admin) is None                                 # connected and reporting

    store.record_consumer_status(engine, QUEUE, True, _now() - timedelta(seconds=STALE_AFTER_S + 120))
    assert "没有报告状态" in _problem(admin)                        # the consumer stopped

    # Agents: nothing of it, whatever the state.
    assert _problem(agent) == "absent"
    response, html = agent.request("GET", "/analytics")
    assert response.status == 200 and 'id="consumer-problem"' not in html and "RabbitMQ" not in html


def test_the_embedded_setup_has_no_consumer_to_report_on(console, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYTICS_EVENTS_DB_PATH", str(tmp_path / "events.db"))
    monkeypatch.setenv("ANALYTICS_DB_URL", f"sqlite:///{tmp_path / 'analytics.db'}")
    monkeypatch.setenv("ANALYTICS_SOURCE", "sql")
    admin = console()
    admin.sign_in("boss", ADMIN_PASSWORD)
    assert _problem(admin) == "absent"
