"""转接 in the browser: an agent passes the conversation they hold to a colleague on duty with
a note; the colleague's open 人工接待 page picks it up by itself (handoff.js watches their own
conversations too, not only the queue), shows the note, and the ticket opens with the note,
the shopper's lines and the reply box. A note with markup is shown as text. The shopper is
told who serves them now, never the note.

Headless Chromium against ``python -m console`` on its own SQLite database (no assistant:
the shopper's side is read from the database, as the widget would fetch it)."""
from __future__ import annotations

import pytest

from console.passwords import hash_password
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import add_shopper_message, desk_ticket, shopper_view
from shop.db.migrate import upgrade_to_head
from shop.domain.clock import utc_now
from tests.browser.helpers import DESKTOP, console_sign_in, running_console

PASSWORD = "a-long-test-password-for-the-desk-77"
NOTE = "顾客要退款，订单号已核对 <img src=x onerror=alert(1)>"
TIMEOUT = 15_000


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    work = tmp_path_factory.mktemp("console-transfer")
    url = f"sqlite:///{work / 'shop.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        wang = create_account(session, "xiaowang", "小王", "agent", hash_password(PASSWORD), utc_now()).id
        li = create_account(session, "xiaoli", "小李", "agent", hash_password(PASSWORD), utc_now()).id
        create_account(session, "boss", "店长", "admin", hash_password(PASSWORD), utc_now())
    with running_console(work, {"SHOP_DATABASE_URL": url, "ANALYTICS_EVENTS_DB_PATH": str(work / "events.db"),
                                "ANALYTICS_DB_URL": f"sqlite:///{work / 'analytics.db'}"}) as console:
        yield console, engine, wang, li
    engine.dispose()


def _agent_page(browser, console: str, username: str):
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.set_default_timeout(TIMEOUT)
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    console_sign_in(page, console, username, PASSWORD)
    return page, alerts


def test_a_conversation_passed_on_reaches_the_colleagues_open_desk_with_the_note(desk, browser):
    console, engine, wang_id, li_id = desk
    with session_scope(engine) as session:
        ticket = create_handoff_request(session, "transfer-shopper", None, "诉求：退款", utc_now())
        add_shopper_message(session, ticket.id, "我要退款，请尽快处理", utc_now())
    li, li_alerts = _agent_page(browser, console, "xiaoli")
    li.goto(f"{console}/handoff")            # 小李 is on duty, the desk page open
    wang, wang_alerts = _agent_page(browser, console, "xiaowang")
    wang.goto(f"{console}/handoff")
    wang.locator(f"tr[data-ticket='{ticket.ticket_no}'] button[type=submit]").click()     # 接入
    wang.wait_for_selector("#transfer-form")
    # 小李's page has seen the claim (the queue is empty again) before anything is passed on.
    li.locator(f"tr[data-ticket='{ticket.ticket_no}']").wait_for(state="detached")
    wang.select_option("#transfer-form select[name=to]", label="小李")
    wang.fill("#transfer-note", NOTE)
    wang.click("#transfer")
    wang.wait_for_url("**/handoff?flash=transferred")
    assert "已转接" in wang.text_content("main")
    assert wang.locator(f"tr[data-mine='{ticket.ticket_no}']").count() == 0

    # 小李's open page reloads by itself with the conversation among their own, the note shown.
    mine = li.locator(f"tr[data-mine='{ticket.ticket_no}']")
    mine.wait_for()
    assert f"转接自 小王：{NOTE}" in mine.text_content()
    mine.locator("a", has_text="继续对话").click()
    li.wait_for_selector("#reply-text")
    assert NOTE in li.text_content("#transfer-note-shown") and NOTE in li.text_content("#transfers")
    # 接入记录: 小王's claim from the queue, with how long the shopper had queued; 小李 got it by
    # a transfer, which is not a claim.
    claims = li.locator("#claims li").all_text_contents()
    assert len(claims) == 1 and "小王 接入（排队 " in claims[0] and "小李" not in claims[0]
    assert "我要退款，请尽快处理" in li.text_content("#transcript")
    assert li.evaluate("document.querySelectorAll('main img, [onerror]').length") == 0
    li.fill("#reply-text", "您好，我是小李，接着为您处理退款")
    li.press("#reply-text", "Enter")
    li.wait_for_selector("#transcript .msg.agent >> text=接着为您处理退款")
    assert li_alerts == [] and wang_alerts == []

    with session_scope(engine) as session:
        assert desk_ticket(session, ticket.id).assigned_to == li_id
        heard = [m.text for m in shopper_view(session, "transfer-shopper", None, 0, utc_now()).messages]
    assert "已为您转接客服小李，接下来由TA为您服务（之前的对话都在）。" in heard
    assert heard[-1] == "您好，我是小李，接着为您处理退款"
    assert not any("订单号已核对" in line or "小王" in line for line in heard[1:])
    li.context.close()
    wang.context.close()


def test_an_admin_reassigns_a_conversation_and_the_holders_open_page_lets_go(desk, browser):
    """改派: 小王 holds a conversation with its page open; the admin finds it under 同事正在接待,
    reassigns it to 小李 with a note; 小王's open page leaves the conversation by itself, 小李's
    desk picks it up with the note and who reassigned it, and the shopper hears only who
    serves them now."""
    console, engine, wang_id, li_id = desk
    with session_scope(engine) as session:
        ticket = create_handoff_request(session, "reassign-shopper", None, "诉求：换货", utc_now())
        add_shopper_message(session, ticket.id, "我要换个颜色", utc_now())
    li, li_alerts = _agent_page(browser, console, "xiaoli")
    li.goto(f"{console}/handoff")
    wang, wang_alerts = _agent_page(browser, console, "xiaowang")
    wang.goto(f"{console}/handoff")
    wang.locator(f"tr[data-ticket='{ticket.ticket_no}'] button[type=submit]").click()     # 接入
    wang.wait_for_selector("#reply-text")
    boss, boss_alerts = _agent_page(browser, console, "boss")
    boss.goto(f"{console}/handoff")
    held = boss.locator(f"tr[data-held='{ticket.ticket_no}']")
    assert "小王" in held.text_content()
    held.locator("a").click()
    boss.wait_for_selector("#reassign-form")
    assert boss.locator("#reply-text").count() == 0           # not the admin's conversation (yet)
    boss.select_option("#reassign-form select[name=to]", label="小李")
    boss.fill("#reassign-note", NOTE)
    boss.click("#reassign")
    boss.wait_for_url("**/handoff?flash=reassigned")

    wang.wait_for_url("**/handoff?auto=1")                    # 小王's open page let go by itself
    mine = li.locator(f"tr[data-mine='{ticket.ticket_no}']")
    mine.wait_for()
    assert f"转接自 小王（店长 改派）：{NOTE}" in mine.text_content()
    mine.locator("a", has_text="继续对话").click()
    li.wait_for_selector("#reply-text")
    assert "（店长 改派）" in li.text_content("#transfers") and "我要换个颜色" in li.text_content("#transcript")
    assert li.evaluate("document.querySelectorAll('main img, [onerror]').length") == 0
    assert li_alerts == [] and wang_alerts == [] and boss_alerts == []
    with session_scope(engine) as session:
        assert desk_ticket(session, ticket.id).assigned_to == li_id
        heard = [m.text for m in shopper_view(session, "reassign-shopper", None, 0, utc_now()).messages]
    assert heard[-1] == "已为您转接客服小李，接下来由TA为您服务（之前的对话都在）。"
    assert not any("订单号已核对" in line or "店长" in line or "改派" in line for line in heard)
    for page in (li, wang, boss):
        page.context.close()
