"""A NUL character (U+0000) typed or pasted into the console, on SQLite and PostgreSQL.

PostgreSQL stores no NUL in text: psycopg2 refuses the whole statement with a ValueError
(no database error), so on PostgreSQL a sign-in name, an agent's reply or a transfer note
holding one answered the console's 500 「控制台开了个小差」 — and a sign-in that failed that
way was not even counted by the sign-in limits. SQLite kept the NUL. Now the data layer keeps
text without NUL characters on both (they show as nothing) and a name with one is no
account's, so the same input gives the same answer everywhere (``shop.db.validation.NUL``)."""
from __future__ import annotations

import contextlib

import pytest

from console import passwords
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import desk_ticket, ticket_messages
from shop.db.migrate import upgrade_to_head
from shop.domain.clock import utc_now
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD
from tests.support.postgres import scratch_databases


@pytest.fixture(params=["sqlite", "postgresql"])
def console_engine(request, tmp_path):
    """The console's database (overrides conftest's SQLite-only one)."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'console.db'}"
        else:
            url = stack.enter_context(scratch_databases("console_nul"))[0].render_as_string(hide_password=False)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        upgrade_to_head(engine)
        with session_scope(engine) as session:
            create_account(session, "boss", "老板", "admin", passwords.hash_password(ADMIN_PASSWORD), utc_now())
            create_account(session, "agent1", "小王", "agent", passwords.hash_password(AGENT_PASSWORD), utc_now())
        yield engine


def test_a_sign_in_name_with_a_nul_is_refused_like_any_wrong_name(console):
    c = console()
    for name in ("boss\x00", "\x00", "agent1\x00' OR 1=1 --"):
        response, body = c.request("POST", "/login", data={"username": name, "password": "wrong-password-1",
                                                           "csrf_token": c.csrf("/login")})
        assert response.status == 401 and "用户名或密码不正确" in body, (repr(name), response.status, body[:200])
    # The right password with a NUL in the name: no account has that name.
    response, _ = c.request("POST", "/login", data={"username": "agent1\x00", "password": AGENT_PASSWORD,
                                                    "csrf_token": c.csrf("/login")})
    assert response.status == 401
    assert c.sign_in("agent1", AGENT_PASSWORD)[0].status in (302, 303)


def test_a_reply_and_a_transfer_note_with_a_nul_are_kept_without_it(console, console_engine):
    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "nul-desk", None, "诉求：售后", utc_now()).id
    c = console()
    assert c.sign_in("agent1", AGENT_PASSWORD)[0].status in (302, 303)
    csrf = c.csrf("/handoff")
    assert c.request("POST", f"/handoff/{ticket}/claim", data={"csrf_token": csrf})[0].status == 303
    response, body = c.request("POST", f"/api/handoff/{ticket}/reply", json={"text": "您好\x00，请稍等"},
                               headers={"X-CSRF-Token": csrf})
    assert response.status == 200, (response.status, body[:200])
    response, body = c.request("POST", f"/handoff/{ticket}/reply", data={"csrf_token": csrf, "text": "\x00"})
    assert response.status == 303 and response.headers["Location"].endswith("?flash=empty"), body[:200]
    with session_scope(console_engine) as s:
        agent_lines = [m.text for m in ticket_messages(s, ticket, 0) if m.author == "agent"]
    assert agent_lines == ["您好，请稍等"]
    response, body = c.request("POST", f"/handoff/{ticket}/transfer",
                               data={"csrf_token": csrf, "to": "queue", "note": "\x00退款\x00问题"})
    assert response.status == 303 and response.headers["Location"] == "/handoff?flash=transferred", body[:200]
    with session_scope(console_engine) as s:
        assert desk_ticket(s, ticket).status == "open"



@pytest.fixture()
def postgres_analytics():
    """The analytics tables on PostgreSQL (asked for before ``console``, so the console and
    its connections are gone before the database is dropped)."""
    from tests.support.analytics import postgres_analytics_database

    with postgres_analytics_database("console_nul_analytics") as engine:
        yield engine


def test_a_recorded_conversation_asked_for_with_a_nul_is_no_such_conversation(postgres_analytics, console, tmp_path):
    """The analytics database on PostgreSQL: 未解决的对话's page for an id with a NUL was a 500."""
    from dataclasses import replace

    from analytics.settings import AnalyticsSettings
    from console.config import load_settings

    analytics = AnalyticsSettings(events_db_path=tmp_path / "events.db",
                                  db_url=postgres_analytics.url.render_as_string(hide_password=False))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tmp_path / 'tracker.db'}\n",
                         encoding="utf-8")
    admin = console(replace(load_settings(), analytics=analytics, rasa_endpoints=endpoints))
    assert admin.sign_in("boss", ADMIN_PASSWORD)[0].status in (302, 303)
    for path in ("/analytics/conversations/a%00b", "/analytics/conversations/%00"):
        response, body = admin.request("GET", path)
        assert response.status == 404, (path, response.status, body[:200])
