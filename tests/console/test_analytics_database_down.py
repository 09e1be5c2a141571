"""数据分析 while the analytics database is down (a PostgreSQL that refuses connections, a
SQLite file that cannot be opened) and the shop database answers: a Chinese 503 that says
the analytics database is what is down and that the rest of the console works (before: the
shop database's "数据库暂时不可用" / the page's bare "数据加载失败（503）"), for the JSON, the CSV
and a recorded conversation; logged; every other page still works."""
from __future__ import annotations

import json
import logging

import pytest

from console.analytics_pages import ANALYTICS_UNAVAILABLE
from tests.support.console import AGENT_PASSWORD, ADMIN_PASSWORD

PERIOD = "from=2026-12-01&to=2026-12-01"


@pytest.fixture(params=["postgresql", "sqlite"])
def analytics_down(request, tmp_path, monkeypatch):
    if request.param == "postgresql":     # nothing listens on port 1: refused at once
        url = "postgresql+psycopg2://analytics@127.0.0.1:1/analytics"
    else:                                 # a folder that is not there: "unable to open database file"
        url = f"sqlite:///{tmp_path / 'gone' / 'analytics.db'}"
    monkeypatch.setenv("ANALYTICS_DB_URL", url)
    monkeypatch.setenv("ANALYTICS_SOURCE", "sql")
    monkeypatch.setenv("ANALYTICS_EVENTS_DB_PATH", str(tmp_path / "events.db"))
    return url


def test_the_dashboard_says_the_analytics_database_is_down_and_the_console_works(console, analytics_down, caplog):
    caplog.set_level(logging.WARNING, logger="console.analytics")
    agent = console()
    agent.sign_in("agent1", AGENT_PASSWORD)
    response, body = agent.request("GET", f"/api/analytics?{PERIOD}")
    assert response.status == 503 and response.headers["Retry-After"]
    assert json.loads(body) == {"error": "analytics_unavailable", "message": ANALYTICS_UNAVAILABLE}
    assert "统计数据库" in ANALYTICS_UNAVAILABLE and "其他功能照常可用" in ANALYTICS_UNAVAILABLE
    response, body = agent.request("GET", f"/analytics.csv?{PERIOD}")
    assert response.status == 503 and body == ANALYTICS_UNAVAILABLE
    # The page, its script (which shows the server's words) and the rest of the console work.
    for path in ("/analytics", "/handoff", "/static/analytics.js"):
        response, _ = agent.request("GET", path)
        assert response.status == 200, path
    _, script = agent.request("GET", "/static/analytics.js")
    assert "body.message" in script
    assert any("analytics database is unavailable" in r.getMessage() for r in caplog.records)


def test_a_recorded_conversation_says_the_same(console, analytics_down):
    admin = console()
    admin.sign_in("boss", ADMIN_PASSWORD)
    response, body = admin.request("GET", "/analytics/conversations/someone")
    assert response.status == 503 and body == ANALYTICS_UNAVAILABLE
