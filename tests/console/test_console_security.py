"""Security of the operator console: sessions, roles, CSRF, password storage."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from console.config import Settings
from shop.db.models import ConsoleSession
from shop.identity import issue_customer_token
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD

PAGES = ["/", "/handoff", "/handoff/1", "/accounts"]
APIS = ["/api/handoff/queue", "/api/handoff/1/messages"]
CHANGES = ["/handoff/1/claim", "/handoff/1/reply", "/handoff/1/close", "/api/handoff/1/reply", "/accounts",
           "/accounts/active", "/logout"]


def test_nothing_answers_without_a_session(console):
    c = console()
    for path in PAGES:
        response, _ = c.request("GET", path)
        assert response.status == 303 and response.headers["Location"] == "/login", path
    for path in APIS:
        response, body = c.request("GET", path)
        assert response.status == 401 and "not_signed_in" in body, path
    for path in CHANGES:
        response, _ = c.request("POST", path, data={"text": "x"})
        assert response.status in (303, 401, 403) and response.headers.get("Location") in (None, "/login"), path


def test_a_shopper_token_is_not_an_agent_session(console):
    token = issue_customer_token(1, 3600, secret="s" * 40)
    c = console()
    for headers, cookies in (({"Authorization": f"Bearer {token}"}, None), (None, {"console_session": token})):
        if cookies:
            c.client.session.cookie_jar.update_cookies(cookies)
        response, _ = c.request("GET", "/api/handoff/queue", headers=headers or {})
        assert response.status == 401
        response, _ = c.request("GET", "/handoff", headers=headers or {})
        assert response.status == 303


def test_an_agent_is_not_an_admin(console):
    c = console()
    response, _ = c.sign_in("agent1", AGENT_PASSWORD)
    assert response.status == 303
    assert c.request("GET", "/handoff")[0].status == 200
    response, _ = c.request("GET", "/accounts")
    assert response.status == 403
    token = c.csrf("/handoff")
    response, _ = c.request("POST", "/accounts", data={"username": "evil", "display_name": "x", "role": "admin",
                                                       "password": "evil-password-1", "csrf_token": token})
    assert response.status == 403


def test_admin_creates_an_account(console, console_engine):
    c = console()
    c.sign_in("boss", ADMIN_PASSWORD)
    token = c.csrf("/accounts")
    response, _ = c.request("POST", "/accounts", data={"username": "li", "display_name": "小李", "role": "agent",
                                                       "password": "li-password-2024", "csrf_token": token})
    assert response.status == 303 and "done" in response.headers["Location"]
    fresh = console()
    assert fresh.sign_in("li", "li-password-2024")[0].status == 303


def test_csrf_is_refused(console):
    c = console()
    # Sign-in itself needs the form's token (no login CSRF).
    response, _ = c.request("POST", "/login", data={"username": "boss", "password": ADMIN_PASSWORD})
    assert response.status == 403
    c.sign_in("boss", ADMIN_PASSWORD)
    for data, headers in (({}, {}), ({"csrf_token": "forged"}, {}), ({}, {"X-CSRF-Token": "forged"})):
        response, _ = c.request("POST", "/accounts", data={"username": "x1", "display_name": "x", "role": "agent",
                                                           "password": "whatever-pass-1", **data}, headers=headers)
        assert response.status == 403
    response, _ = c.request("POST", "/api/handoff/1/reply", json={"text": "hi"})
    assert response.status == 403
    # Another user's token does not work either.
    other = console()
    other.sign_in("agent1", AGENT_PASSWORD)
    response, _ = c.request("POST", "/logout", data={"csrf_token": other.csrf("/handoff")})
    assert response.status == 403


def test_wrong_password_and_unknown_user_are_refused_alike(console):
    c = console()
    a, body_a = c.sign_in("boss", "wrong-password")
    b, body_b = c.sign_in("nobody", "wrong-password")
    assert a.status == b.status == 401
    assert "用户名或密码不正确" in body_a and "用户名或密码不正确" in body_b


def test_sessions_expire_and_sign_out_ends_them(console, console_engine):
    c = console(Settings(idle_timeout=timedelta(minutes=30)))
    c.sign_in("agent1", AGENT_PASSWORD)
    assert c.request("GET", "/handoff")[0].status == 200
    from sqlalchemy import update
    from shop.db.engine import session_scope
    from shop.domain.clock import utc_now
    with session_scope(console_engine) as session:   # 31 minutes without the agent's input
        session.execute(update(ConsoleSession).values(last_active_at=utc_now() - timedelta(minutes=31)))
    assert c.request("GET", "/handoff")[0].status == 303
    c.sign_in("agent1", AGENT_PASSWORD)
    with session_scope(console_engine) as session:   # past the absolute lifetime
        session.execute(update(ConsoleSession).values(expires_at=utc_now() - timedelta(seconds=1)))
    assert c.request("GET", "/handoff")[0].status == 303
    c.sign_in("agent1", AGENT_PASSWORD)
    c.request("POST", "/logout", data={"csrf_token": c.csrf("/handoff")})
    assert c.request("GET", "/handoff")[0].status == 303
    with session_scope(console_engine) as session:
        assert session.execute(select(ConsoleSession)).all() == []


def test_cookie_flags(console):
    c = console()
    response, _ = c.sign_in("agent1", AGENT_PASSWORD)
    cookie = response.cookies["console_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    # Behind TLS every cookie is Secure (the test client speaks http, so it stops there).
    secure = console(Settings(secure_cookie=True))
    assert secure.request("GET", "/login")[0].cookies["console_presession"]["secure"]


def test_passwords_and_tokens_are_never_stored_or_logged_in_clear(console, console_engine, caplog):
    caplog.set_level(logging.DEBUG)
    c = console()
    response, _ = c.sign_in("boss", ADMIN_PASSWORD)
    console().sign_in("boss", "a-wrong-guess-123")
    session_token = response.cookies["console_session"].value
    with console_engine.connect() as connection:
        dump = "\n".join(str(row) for table in ("console_users", "console_sessions")
                         for row in connection.exec_driver_sql(f"SELECT * FROM {table}"))
    assert ADMIN_PASSWORD not in dump and AGENT_PASSWORD not in dump and session_token not in dump
    assert "$argon2id$" in dump
    logged = caplog.text
    assert ADMIN_PASSWORD not in logged and "a-wrong-guess-123" not in logged and session_token not in logged
