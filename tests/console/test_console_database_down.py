"""The console while the shop database refuses work (another writer holding SQLite's lock, as a
stuck transaction would; PostgreSQL down answers the same OperationalError): every page
touches the signed-in session first, so every page failed with aiohttp's bare English
"500 Internal Server Error / Server got itself in trouble". Now: 503 and a Chinese message
(JSON under /api/), nothing changed, and the console works again once the lock is gone."""
from __future__ import annotations

import sqlite3

from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.domain.clock import utc_now
from tests.support.console import AGENT_PASSWORD


def test_pages_say_the_database_is_unavailable_in_chinese_and_recover(console, console_engine):
    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-locked", None, "诉求：售后", utc_now())
    c = console()
    assert c.sign_in("agent1", AGENT_PASSWORD)[0].status in (302, 303)
    csrf = c.csrf("/handoff")

    lock = sqlite3.connect(console_engine.url.database, isolation_level=None, timeout=5)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        for method, path, data in (("GET", "/handoff", None), ("GET", f"/handoff/{ticket.id}", None),
                                   ("POST", f"/handoff/{ticket.id}/claim", {"csrf_token": csrf})):
            response, body = c.request(method, path, data=data)
            assert response.status == 503, (path, response.status, body)
            assert "数据库暂时不可用" in body and "trouble" not in body and "Traceback" not in body, body
            assert response.headers["Retry-After"] == "5"
            # A page asks for itself again (a desk left open comes back); a form sent is never resent.
            assert response.headers.get("Refresh") == ("5" if method == "GET" else None), (path, response.headers)
        response, body = c.request("GET", "/api/handoff/queue")
        assert response.status == 503 and response.content_type == "application/json", body
        assert "数据库暂时不可用" in body
        # A page's own files need no database: a signed-in browser still gets them.
        for path in ("/static/console.css", "/static/handoff.js", "/static/presence.js"):
            assert c.request("GET", path)[0].status == 200, path
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    # Back: the claim that failed changed nothing and can be made now.
    response, body = c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})
    assert response.status == 303, body
    assert c.request("GET", "/handoff")[0].status == 200
