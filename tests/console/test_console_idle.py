"""Idle means no agent input, not no open tab: the presence heartbeat and the desk's polling
keep an agent on duty (their conversations stay theirs), but only the agent's own requests —
a page opened, a reply sent, or a heartbeat reporting a key or click — restart the
``CONSOLE_IDLE_MINUTES`` clock. Past it, the next heartbeat finds the session signed out and
the conversations go back to the queue.

The clock is faked as the other console tests do: by moving the session's timestamps back in
the database, as time would."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from console.config import Settings
from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import agents_on_duty, desk_ticket, hand_back_from_absent_agents
from shop.db.models import ConsoleSession
from shop.domain.clock import utc_now
from tests.support.console import AGENT_PASSWORD

IDLE = timedelta(minutes=30)


def _agent_holding_a_ticket(console, console_engine, sender: str):
    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, sender, None, "诉求：售后", utc_now())
    c = console(Settings(idle_timeout=IDLE))
    c.sign_in("agent1", AGENT_PASSWORD)
    csrf = c.csrf("/handoff")
    assert c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].status == 303
    return c, ticket


def _last_input_ago(engine, minutes: float, seen_minutes: float = 1) -> None:
    """The agent's last input ``minutes`` ago; the page's last request ``seen_minutes`` ago."""
    with session_scope(engine) as s:
        s.execute(update(ConsoleSession).values(last_active_at=utc_now() - timedelta(minutes=minutes),
                                                last_seen_at=utc_now() - timedelta(minutes=seen_minutes)))


def _last_active_at(engine):
    with session_scope(engine) as s:
        return s.execute(select(ConsoleSession.last_active_at)).scalar_one()


def _status(engine, ticket_id: int) -> str:
    with session_scope(engine) as s:
        hand_back_from_absent_agents(s, utc_now())      # what the queue / the shopper's next message do
        return desk_ticket(s, ticket_id).status


def test_heartbeat_and_polling_keep_the_tickets_but_not_the_idle_clock(console, console_engine):
    c, ticket = _agent_holding_a_ticket(console, console_engine, "idle-open-tab")
    _last_input_ago(console_engine, 20)
    before = _last_active_at(console_engine)
    assert c.request("GET", "/api/presence")[0].status == 200
    assert c.request("GET", "/api/handoff/queue")[0].status == 200
    assert c.request("GET", f"/api/handoff/{ticket.id}/messages?after=0")[0].status == 200
    assert c.request("GET", "/handoff?auto=1")[0].status == 200       # the queue reloading itself
    assert c.request("GET", "/static/presence.js")[0].status == 200   # and fetching its script
    assert c.request("GET", "/no-such-page")[0].status == 404         # or a page that is not there
    assert _last_active_at(console_engine) == before                 # none of these was the agent
    with session_scope(console_engine) as s:
        assert agents_on_duty(s, utc_now()) == 1                      # but the agent is on duty
    assert _status(console_engine, ticket.id) == "assigned"

    # Past 30 minutes without input, with the tab still open and beating: signed out, and the
    # shopper goes back to the queue.
    _last_input_ago(console_engine, 31)
    response, body = c.request("GET", "/api/presence")
    assert response.status == 401 and "not_signed_in" in body
    with session_scope(console_engine) as s:
        assert s.execute(select(ConsoleSession)).all() == [] and agents_on_duty(s, utc_now()) == 0
    assert _status(console_engine, ticket.id) == "open"
    assert c.request("GET", "/handoff")[0].status == 303              # to 登录


def test_the_agents_input_restarts_the_idle_clock(console, console_engine):
    c, ticket = _agent_holding_a_ticket(console, console_engine, "idle-typing")
    for request in (("GET", "/api/presence?input=1"),                 # a key or click on any page
                    ("GET", "/analytics"),                            # a page opened
                    ("POST", f"/api/handoff/{ticket.id}/reply")):     # a reply sent
        method, path = request
        # (Reading the CSRF token opens a page, itself input: the clock is set back after it.)
        kwargs = {"json": {"text": "在的"}, "headers": {"X-CSRF-Token": c.csrf("/handoff")}} if method == "POST" else {}
        _last_input_ago(console_engine, 29)
        assert c.request(method, path, **kwargs)[0].status == 200, path
        assert utc_now() - _last_active_at(console_engine) < timedelta(minutes=1), path
    _last_input_ago(console_engine, 29)
    assert c.request("GET", "/api/presence")[0].status == 200
    assert _status(console_engine, ticket.id) == "assigned"
