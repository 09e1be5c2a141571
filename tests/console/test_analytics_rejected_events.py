"""数据分析 shows admins the events the analytics set aside (``analytics_rejected_events``): how
many, and the latest few with the time, the error and the body cut short, as data the page
escapes. A plain agent gets none of it (a body or an error can hold what a shopper typed):
not in the JSON, not on the page."""
from __future__ import annotations

import json

from sqlalchemy import create_engine

from analytics import dashboard, sql_source
from tests.support.analytics import known_events
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD

SECRET = "我的手机号13800138000"
PERIOD = "/api/analytics?from=2026-12-01&to=2026-12-01"


def _broker_with_bad_rows(path) -> None:
    broker = create_engine(f"sqlite:///{path}", future=True)
    sql_source.BROKER_EVENTS.metadata.create_all(broker)
    bad = [
        # A shopper's message with markup in it and a timestamp no date can hold.
        json.dumps({"event": "user", "sender_id": "far", "timestamp": 1e20,
                    "text": "<script>alert(1)</script>" + SECRET + "啊" * 1000}, ensure_ascii=False),
        "not json {",
    ]
    with broker.begin() as connection:
        for data in [json.dumps(event) for event in known_events()] + bad:
            connection.execute(sql_source.BROKER_EVENTS.insert().values(sender_id="s", data=data))
    broker.dispose()


def test_admins_see_the_rejected_events_and_agents_see_nothing_of_them(console, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYTICS_EVENTS_DB_PATH", str(tmp_path / "events.db"))
    monkeypatch.setenv("ANALYTICS_DB_URL", f"sqlite:///{tmp_path / 'analytics.db'}")
    monkeypatch.setenv("ANALYTICS_SOURCE", "sql")
    _broker_with_bad_rows(tmp_path / "events.db")

    admin = console()
    admin.sign_in("boss", ADMIN_PASSWORD)
    response, body = admin.request("GET", PERIOD)
    assert response.status == 200
    data = json.loads(body)
    assert data["conversations"] == 4                 # the good rows are all counted
    rejected = data["rejected_events"]
    assert rejected["count"] == 2 and len(rejected["latest"]) == 2
    by_error = {row["error"].split(": ")[1]: row for row in rejected["latest"]}
    far = by_error["OverflowError"]
    assert far["error"].startswith(f"sql-broker row {len(known_events()) + 1}: OverflowError")
    assert far["body"].startswith('{"event": "user"') and SECRET in far["body"]
    assert len(far["body"]) < 400 and far["body"].endswith("字）")      # cut short, with its length
    assert by_error["not JSON"]["body"] == "not json {"
    assert len(far["at"]) == 19 and far["at"][4] == "-"
    response, html = admin.request("GET", "/analytics")
    assert response.status == 200 and 'id="rejected-events"' in html and "未能计入的事件" in html
    # The page fills the table with textContent (escaped), never as markup.
    _, script = admin.request("GET", "/static/analytics.js")
    assert 'fillTable("rejected-events"' in script and "innerHTML" not in script

    agent = console()
    agent.sign_in("agent1", AGENT_PASSWORD)
    response, body = agent.request("GET", PERIOD)
    assert response.status == 200
    assert "rejected_events" not in json.loads(body) and SECRET not in body and "<script>" not in body
    response, html = agent.request("GET", "/analytics")
    assert response.status == 200 and 'id="rejected' not in html and "未能计入的事件" not in html


def test_the_figures_cut_the_error_and_the_body_and_count_them_all(tmp_path):
    from datetime import datetime

    from analytics import store

    engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(engine)
    for n in range(7):
        store.record_rejected(engine, f"body {n} ".encode() + b"x" * 500, f"error {n} " + "e" * 500)
    data = dashboard.rejected_events(engine)
    assert data["count"] == 7 and len(data["latest"]) == dashboard.REJECTED_SHOWN
    row = data["latest"][0]
    assert len(row["body"]) <= dashboard.REJECTED_CHARS + 12 and row["body"].endswith("（共 507 字）")
    assert row["error"].endswith("（共 508 字）")
    datetime.strptime(row["at"], "%Y-%m-%d %H:%M:%S")
    assert dashboard.rejected_events(engine, latest=0) == {"count": 7, "latest": []}
