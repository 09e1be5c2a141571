"""One agent, several shoppers, in headless Chromium: 我正在接待 puts the shopper waiting for an
answer on top, the open page moves a conversation up by itself when its shopper writes, and
the ticket shows who took it from the queue (接入记录). ``python -m console`` on its own SQLite
database; the shoppers' lines are written where the hand-off gate writes them."""
from __future__ import annotations

import pytest

from console.passwords import hash_password
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import add_shopper_message
from shop.db.migrate import upgrade_to_head
from shop.domain.clock import utc_now
from tests.browser.helpers import DESKTOP, console_sign_in, running_console

PASSWORD = "a-long-test-password-for-the-desk-88"
TIMEOUT = 15_000


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    work = tmp_path_factory.mktemp("console-desk-order")
    url = f"sqlite:///{work / 'shop.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        create_account(session, "xiaowang", "小王", "agent", hash_password(PASSWORD), utc_now())
    with running_console(work, {"SHOP_DATABASE_URL": url, "ANALYTICS_EVENTS_DB_PATH": str(work / "events.db"),
                                "ANALYTICS_DB_URL": f"sqlite:///{work / 'analytics.db'}"}) as console:
        yield console, engine
    engine.dispose()


def test_the_shopper_waiting_for_an_answer_moves_to_the_top_of_the_agents_list(desk, browser):
    console, engine = desk
    with session_scope(engine) as session:
        tickets = [create_handoff_request(session, f"order-shopper-{i}", None, f"诉求：物流 {i}", utc_now())
                   for i in range(3)]
    numbers = [t.ticket_no for t in tickets]
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        console_sign_in(page, console, "xiaowang", PASSWORD)
        for ticket in tickets:              # take all three, oldest first, and answer each
            page.goto(f"{console}/handoff")
            page.locator(f"tr[data-ticket='{ticket.ticket_no}'] button[type=submit]").click()
            page.wait_for_selector("#reply-text")
            assert "小王 接入（排队 " in page.text_content("#claims")
            page.fill("#reply-text", "您好，我是小王")
            page.press("#reply-text", "Enter")
            page.wait_for_selector("#transcript .msg.agent")
        page.goto(f"{console}/handoff")
        rows = page.locator("#mine tr[data-mine]")
        assert [r.get_attribute("data-mine") for r in rows.all()] == numbers
        with session_scope(engine) as session:     # the last one taken writes: it moves up
            add_shopper_message(session, tickets[2].id, "我的快递到哪了？", utc_now())
        page.wait_for_selector(f"#mine tr[data-mine='{numbers[2]}'][data-awaiting='1']")
        assert [r.get_attribute("data-mine") for r in rows.all()] == [numbers[2], numbers[0], numbers[1]]
    finally:
        page.context.close()
