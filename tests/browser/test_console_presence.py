"""Any signed-in console page keeps the agent on duty while it is open (static/presence.js),
not only the desk page that polls: an agent reading 数据分析 for longer than the on-duty window
keeps the conversation they hold; with every console page closed the window runs out and the
conversation goes back to the queue.

Headless Chromium with Playwright's fake clock for the page's timers (the heartbeat's minute
passes at once); the server's clock is real, so "minutes without a heartbeat" are made by
moving the session's last use back in the database, as time would."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from console.passwords import hash_password
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import agents_on_duty, claim_ticket, desk_ticket, hand_back_from_absent_agents
from shop.db.migrate import upgrade_to_head
from shop.db.models import ConsoleSession
from shop.domain.clock import utc_now
from shop.domain.handoff_queue import ON_DUTY_WINDOW, PRESENCE_HEARTBEAT
from tests.browser.helpers import console_sign_in, running_console

PASSWORD = "a-long-test-password-for-the-agent-42"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    work = tmp_path_factory.mktemp("console-presence")
    url = f"sqlite:///{work / 'shop.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        agent_id = create_account(session, "agent1", "客服小王", "agent", hash_password(PASSWORD), utc_now()).id
    with running_console(work, {"SHOP_DATABASE_URL": url, "ANALYTICS_EVENTS_DB_PATH": str(work / "events.db"),
                                "ANALYTICS_DB_URL": f"sqlite:///{work / 'analytics.db'}"}) as console:
        yield console, engine, agent_id
    engine.dispose()


def _away_for(engine, agent_id: int, minutes: float) -> None:
    """As if the agent's console had not been used for ``minutes``."""
    with session_scope(engine) as session:
        session.execute(update(ConsoleSession).where(ConsoleSession.user_id == agent_id)
                        .values(last_seen_at=utc_now() - timedelta(minutes=minutes)))


def _held_ticket(engine, agent_id: int, sender: str):
    """A hand-off of ``sender`` the agent has taken."""
    with session_scope(engine) as session:
        ticket = create_handoff_request(session, sender, None, "要人工", utc_now())
        assert claim_ticket(session, ticket.id, agent_id, "客服小王", utc_now())
    return ticket


def _status(engine, ticket_id: int) -> str:
    with session_scope(engine) as session:
        hand_back_from_absent_agents(session, utc_now())      # what the queue / the shopper's next message do
        return desk_ticket(session, ticket_id).status


def test_reading_analytics_keeps_the_agent_on_duty_and_closing_it_does_not(desk, browser):
    console, engine, agent_id = desk
    ticket = _held_ticket(engine, agent_id, "presence-shopper")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.clock.install()
    console_sign_in(page, console, "agent1", PASSWORD)
    page.goto(f"{console}/analytics")
    assert page.get_attribute("script[src='/static/presence.js']", "data-every-ms") == \
        str(int(PRESENCE_HEARTBEAT.total_seconds() * 1000))

    # Past the window on a page that makes no requests of its own: only the heartbeat speaks.
    _away_for(engine, agent_id, ON_DUTY_WINDOW.total_seconds() / 60 + 1)
    with session_scope(engine) as session:
        assert agents_on_duty(session, utc_now()) == 0
    with page.expect_response(lambda r: r.url.endswith("/api/presence") and r.status == 200):
        page.clock.run_for(int(PRESENCE_HEARTBEAT.total_seconds() * 1000) + 1000)
    with session_scope(engine) as session:
        assert agents_on_duty(session, utc_now()) == 1
    assert _status(engine, ticket.id) == "assigned"

    # Every console page closed: no more heartbeats, and after the window the ticket goes back.
    context.close()
    _away_for(engine, agent_id, ON_DUTY_WINDOW.total_seconds() / 60 + 1)
    assert _status(engine, ticket.id) == "open"


def test_the_heartbeat_needs_a_session(desk):
    import requests

    console, _, _ = desk
    reply = requests.get(f"{console}/api/presence", allow_redirects=False, timeout=10)
    assert reply.status_code == 401 and reply.json() == {"error": "not_signed_in"}


def test_an_open_tab_without_input_is_signed_out_but_a_key_press_counts(desk, browser):
    """The heartbeat keeps the agent on duty, not signed in: it reports input only after a key
    or click on the page, and 30 minutes without any sign the agent out at the next beat,
    which hands the conversation back to the queue."""
    console, engine, agent_id = desk
    ticket = _held_ticket(engine, agent_id, "presence-idle")
    beat = int(PRESENCE_HEARTBEAT.total_seconds() * 1000) + 1000
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.clock.install()
    try:
        console_sign_in(page, console, "agent1", PASSWORD)
        page.goto(f"{console}/analytics")
        page.keyboard.press("Shift")
        with page.expect_response(lambda r: "/api/presence" in r.url) as reply:
            page.clock.run_for(beat)
        assert reply.value.url.endswith("/api/presence?input=1") and reply.value.status == 200

        with session_scope(engine) as session:          # 31 minutes since that key press
            session.execute(update(ConsoleSession).where(ConsoleSession.user_id == agent_id)
                            .values(last_active_at=utc_now() - timedelta(minutes=31)))
        with page.expect_response(lambda r: "/api/presence" in r.url) as reply:
            page.clock.run_for(beat)
        assert reply.value.url.endswith("/api/presence") and reply.value.status == 401
        assert _status(engine, ticket.id) == "open"
    finally:
        context.close()


def test_a_canned_reply_goes_into_the_box_to_be_changed_not_straight_to_the_shopper(desk, browser):
    """快捷回复 with JavaScript: the text is put in the reply box (after what is typed there);
    nothing reaches the shopper until the agent sends it."""
    from shop.db.handoff_desk import ticket_messages

    console, engine, agent_id = desk
    ticket = _held_ticket(engine, agent_id, "canned-shopper")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        console_sign_in(page, console, "agent1", PASSWORD)
        page.goto(f"{console}/handoff/{ticket.id}")
        page.fill("#reply-text", "订单 123：")
        page.click("#canned-replies button:has-text('请稍等')")
        assert page.input_value("#reply-text") == "订单 123：\n好的，我这边帮您查询一下，请稍等 1～2 分钟。"
        page.wait_for_timeout(500)
        with session_scope(engine) as session:
            assert [m for m in ticket_messages(session, ticket.id) if m.author == "agent"] == []
        page.press("#reply-text", "Enter")
        page.wait_for_selector("#transcript .msg.agent")
        with session_scope(engine) as session:
            assert [m.text for m in ticket_messages(session, ticket.id) if m.author == "agent"] == [
                "订单 123：\n好的，我这边帮您查询一下，请稍等 1～2 分钟。"]
    finally:
        context.close()


def test_the_queue_keeps_refreshing_after_a_poll_that_never_answers(desk, browser):
    """A queue poll that hangs (a stalled connection, a console stuck behind a database lock)
    is given up and the page polls on (static/handoff.js): a shopper who starts waiting after
    it still shows up on the desk without the agent reloading."""
    console, engine, _ = desk
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    held = []

    def hold_the_first_poll(route):
        if not held:
            held.append(route)          # never answered: the request stays open
        else:
            route.continue_()

    try:
        console_sign_in(page, console, "agent1", PASSWORD)
        page.route("**/api/handoff/queue", hold_the_first_poll)
        page.goto(f"{console}/handoff")
        page.wait_for_function("document.querySelector('#waiting') !== null")
        with session_scope(engine) as session:
            ticket = create_handoff_request(session, "stalled-poll-shopper", None, "要人工", utc_now())
        page.locator(f"tr[data-ticket='{ticket.ticket_no}']").wait_for(timeout=45_000)
        assert held, "the first poll was never made"
    finally:
        context.close()
