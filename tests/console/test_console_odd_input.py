"""Numbers and JSON a browser never sends, sent to the console by hand: each used to reach
``int()`` or ``json.loads`` unguarded and answer the console's 500 (「控制台开了个小差」, a trace
in the log) instead of the clean 4xx or "no such thing" a wrong id gets.

- ``str.isdigit()`` is true for "²", "①", "⑴", "⒈" (Unicode digits that are not decimal),
  which ``int()`` cannot read (ValueError);
- ``int()`` refuses more than 4300 digits (Python 3.11), so a 5000-digit id passed
  ``isdigit()`` and failed the same way;
- JSON nested past the json module's recursion limit raises RecursionError, which is not a
  ValueError.
Nothing is written by any of them."""
from __future__ import annotations

import pytest

from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import desk_ticket, ticket_messages
from shop.domain.clock import utc_now
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD

ODD_NUMBERS = ["²", "①", "⑴", "⒈", "9" * 5000]
DEEP_JSON = b'{"text": ' + b"[" * 3000 + b"]" * 3000 + b"}"


def _ticket(console_engine, sender: str) -> int:
    with session_scope(console_engine) as s:
        return create_handoff_request(s, sender, None, "诉求：售后", utc_now()).id


def _agent(console):
    c = console()
    assert c.sign_in("agent1", AGENT_PASSWORD)[0].status in (302, 303)
    return c, c.csrf("/handoff")


def _admin(console):
    c = console()
    assert c.sign_in("boss", ADMIN_PASSWORD)[0].status in (302, 303)
    return c, c.csrf("/handoff")


@pytest.mark.parametrize("odd", ODD_NUMBERS, ids=["superscript", "circled", "parenthesised", "full-stop", "5000-digits"])
def test_an_odd_ticket_id_is_no_such_ticket(console, console_engine, odd):
    c, csrf = _agent(console)
    for method, path, kwargs in [
        ("GET", f"/handoff/{odd}", {}),
        ("GET", f"/api/handoff/{odd}/messages", {}),
        ("POST", f"/handoff/{odd}/claim", {"data": {"csrf_token": csrf}}),
        ("POST", f"/api/handoff/{odd}/reply", {"json": {"text": "您好"}, "headers": {"X-CSRF-Token": csrf}}),
    ]:
        response, body = c.request(method, path, **kwargs)
        assert response.status == 404, (method, path[:40], response.status, body[:200])


@pytest.mark.parametrize("odd", ODD_NUMBERS, ids=["superscript", "circled", "parenthesised", "full-stop", "5000-digits"])
def test_an_odd_after_is_a_clean_400(console, console_engine, odd):
    ticket = _ticket(console_engine, "odd-after")
    c, _ = _agent(console)
    response, body = c.request("GET", f"/api/handoff/{ticket}/messages", params={"after": odd})
    assert response.status == 400 and "invalid_after" in body, (response.status, body[:200])


@pytest.mark.parametrize("odd", ODD_NUMBERS, ids=["superscript", "circled", "parenthesised", "full-stop", "5000-digits"])
def test_an_odd_colleague_id_changes_nothing(console, console_engine, odd):
    ticket = _ticket(console_engine, "odd-transfer")
    c, csrf = _agent(console)
    assert c.request("POST", f"/handoff/{ticket}/claim", data={"csrf_token": csrf})[0].status == 303
    response, body = c.request("POST", f"/handoff/{ticket}/transfer",
                               data={"csrf_token": csrf, "to": odd, "note": "请接一下"})
    assert response.status == 303 and response.headers["Location"].endswith("?flash=no_target"), \
        (response.status, body[:200])
    boss, boss_csrf = _admin(console)
    for form, flash in [({"from": odd, "to": "queue"}, "changed"), ({"from": "2", "to": odd}, "no_target")]:
        response, body = boss.request("POST", f"/handoff/{ticket}/reassign",
                                      data={"csrf_token": boss_csrf, "note": "改派", **form})
        assert response.status == 303 and response.headers["Location"].endswith(f"?flash={flash}"), \
            (form["from"][:10], form["to"][:10], response.status, body[:200])
    response, body = boss.request("POST", "/accounts/active",
                                  data={"csrf_token": boss_csrf, "account_id": odd, "active": "0"})
    assert response.status == 303 and response.headers["Location"].startswith("/accounts?error="), \
        (response.status, body[:200])
    with session_scope(console_engine) as s:
        held = desk_ticket(s, ticket)
        assert held.status == "assigned" and held.assigned_to == 2          # still agent1's


def test_json_nested_too_deep_is_a_clean_400_and_sends_nothing(console, console_engine):
    ticket = _ticket(console_engine, "odd-json")
    c, csrf = _agent(console)
    assert c.request("POST", f"/handoff/{ticket}/claim", data={"csrf_token": csrf})[0].status == 303
    with session_scope(console_engine) as s:
        before = len(ticket_messages(s, ticket, 0))
    response, body = c.request("POST", f"/api/handoff/{ticket}/reply", data=DEEP_JSON,
                               headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert response.status == 400 and '"error": "empty"' in body, (response.status, body[:200])
    with session_scope(console_engine) as s:
        assert len(ticket_messages(s, ticket, 0)) == before
    boss, boss_csrf = _admin(console)
    response, body = boss.request("POST", "/api/improve/label", data=b'{"intent": "greet", "texts": ' + b"[" * 3000,
                                  headers={"X-CSRF-Token": boss_csrf, "Content-Type": "application/json"})
    assert response.status == 400 and "invalid_request" in body, (response.status, body[:200])
