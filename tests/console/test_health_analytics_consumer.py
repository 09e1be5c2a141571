"""The RabbitMQ analytics consumer's state in the console's machine-readable health endpoint
(``GET /healthz``, ``analytics_consumer``). Before, only 数据分析's banner (admins, in words)
said the consumer was cut off or stopped; monitoring polling /healthz heard "ok" throughout.
The codes come from the banner's own rule (analytics.consumer_health.consumer_state); the
console itself stays healthy (200) whatever the consumer's state, and a database that cannot
be read gives ``unknown`` in moments, never an error."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine

from analytics import store
from analytics.consumer_health import STALE_AFTER_S
from console import analytics_pages

QUEUE = "shop_analytics_health"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _health(client) -> dict:
    response, body = client.request("GET", "/healthz")       # no sign-in: monitoring's view
    assert response.status == 200
    return json.loads(body)


def test_healthz_reports_the_rabbitmq_consumers_state(console, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'analytics.db'}"
    monkeypatch.setenv("ANALYTICS_DB_URL", url)
    monkeypatch.setenv("ANALYTICS_SOURCE", "rabbitmq")
    monkeypatch.setenv("ANALYTICS_QUEUE", QUEUE)
    engine = create_engine(url, future=True)
    store.create_tables(engine)
    client = console()

    assert _health(client) == {"status": "ok", "analytics_consumer": "never_reported"}
    store.record_consumer_status(engine, QUEUE, False, _now())
    assert _health(client)["analytics_consumer"] == "broker_unreachable"
    store.record_consumer_status(engine, QUEUE, True, _now())
    assert _health(client)["analytics_consumer"] == "ok"
    store.record_consumer_status(engine, QUEUE, True, _now() - timedelta(seconds=STALE_AFTER_S + 60))
    assert _health(client)["analytics_consumer"] == "stale"


def test_the_embedded_setup_has_no_consumer(console, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYTICS_EVENTS_DB_PATH", str(tmp_path / "events.db"))
    monkeypatch.setenv("ANALYTICS_DB_URL", f"sqlite:///{tmp_path / 'analytics.db'}")
    monkeypatch.setenv("ANALYTICS_SOURCE", "sql")
    assert _health(console()) == {"status": "ok", "analytics_consumer": "not_used"}


def test_reports_that_cannot_be_read_are_unknown_in_moments(console, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ANALYTICS_DB_URL", f"sqlite:///{tmp_path / 'analytics.db'}")
    monkeypatch.setenv("ANALYTICS_SOURCE", "rabbitmq")
    monkeypatch.setattr(analytics_pages, "HEALTH_READ_TIMEOUT_S", 0.5)
    reads = []

    def hangs(settings):                     # a database that accepts and never answers
        reads.append(settings)
        time.sleep(3)
        raise OSError("no answer")

    monkeypatch.setattr(analytics_pages, "_consumer_state", hangs)
    client = console()
    with caplog.at_level("WARNING", logger="console.analytics"):
        first, second = _health(client), _health(client)
    assert first["analytics_consumer"] == second["analytics_consumer"] == "unknown"
    assert first["status"] == "ok"
    assert len(reads) == 1                   # the second call waited on the first read, no thread of its own
    assert "could not be read" in caplog.text
