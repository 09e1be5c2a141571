"""The console's 数据分析 page in headless Chromium: an agent signs in, picks a period, and
the ECharts charts and the figures show what the event broker recorded; the CSV carries the
same numbers; nothing answers without a session.

The console runs as its own process on a private shop database (migrated, with one agent
account) and a private events file filled through the background SQL broker with the four
known conversations of tests/analytics/test_ingest.py (2026-12-01) and a fifth, handed off
and then cancelled by the shopper while waiting ("取消人工": the cancel the Rasa server's
hand-off gate publishes to the same broker), and one event that cannot be applied (set
aside: admins see it under 未能计入的事件, as text; agents see nothing of it)."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
import requests

from analytics.broker import BackgroundSQLEventBroker
from analytics.events import handoff_cancelled_event
from console.passwords import hash_password
from shop.db.console_accounts import create_account, start_session
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import claim_ticket, close_ticket, transfer_ticket
from shop.db.engine import make_engine, session_scope
from shop.db.experiments import Shown, log_exposures
from shop.db.migrate import upgrade_to_head
from shop.db.satisfaction import answer_question, ask, pending_question
from shop.domain.clock import utc_now
from shop.domain.satisfaction import ASSISTANT, read_answer
from tests.support.analytics import T0, action, known_events, user
from tests.browser.helpers import console_sign_in, running_console

PASSWORD = "a-long-test-password-for-the-agent-42"
# A shopper's message with markup, and a timestamp no date can hold: set aside, never applied.
HOSTILE = {"event": "user", "sender_id": "far", "timestamp": 1e20, "text": "<img src=x onerror=alert(1)>退货"}


def _one_transferred_ticket(session, wang: int, at) -> None:
    """On the same day: 小王 passes a conversation to 小李 (on duty then), who closes it."""
    li = create_account(session, "agent2", "客服小李", "agent", hash_password(PASSWORD), at).id
    start_session(session, li, "t" * 43, "c" * 43, at, timedelta(hours=8))
    ticket = create_handoff_request(session, "passed-on", None, "诉求：退款", at)
    assert claim_ticket(session, ticket.id, wang, "客服小王", at)
    assert transfer_ticket(session, ticket.id, wang, li, "退款待仓库确认", at + timedelta(minutes=1)).transfer
    assert close_ticket(session, ticket.id, li, at + timedelta(minutes=5), resolution="resolved")
    # Its shopper rates 小李 (a colleague's figure: the agent 小王 must not see it), and a shopper
    # rates the assistant 4 stars.
    session.flush()
    answer_question(session, pending_question(session, "passed-on", None, at + timedelta(minutes=6)),
                    read_answer("满意"), at + timedelta(minutes=6))
    bot = ask(session, "bot-rated", None, ASSISTANT, at + timedelta(minutes=7))
    session.flush()
    answer_question(session, bot, read_answer("4星"), at + timedelta(minutes=8))


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    work = tmp_path_factory.mktemp("console-analytics")
    shop_url = f"sqlite:///{work / 'shop.db'}"
    engine = make_engine(shop_url)
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        wang = create_account(session, "agent1", "客服小王", "agent", hash_password(PASSWORD), utc_now()).id
        create_account(session, "boss", "老板", "admin", hash_password(PASSWORD), utc_now())
        _one_transferred_ticket(session, wang, datetime.fromtimestamp(T0 + 100, tz=timezone.utc))
        # Cards shown that day under the shipped rec_strategy experiment (content/experiments.yml):
        # 数据分析 names the variants' strategies from that file.
        for variant, times in (("hybrid", 3), ("popularity", 2)):
            for i in range(times):
                log_exposures(session, [Shown("rec_strategy", variant)], f"s:{variant}{i}", None, f"{variant}{i}",
                              [1, 2], datetime.fromtimestamp(T0 + 200 + i, tz=timezone.utc))
    engine.dispose()
    broker = BackgroundSQLEventBroker(db=str(work / "events.db"))
    gave_up_events = [user("gave-up", T0 + 10, "转人工", "human_handoff"), action("gave-up", T0 + 10.05, "action_handoff"),
                      action("gave-up", T0 + 10.1, "action_listen"),
                      handoff_cancelled_event("gave-up", "RG1", T0 + 30)]
    for event in known_events() + gave_up_events + [HOSTILE]:
        broker.publish(event)
    broker.flush()
    asyncio.run(broker.close())
    with running_console(work, {"SHOP_DATABASE_URL": shop_url, "ANALYTICS_EVENTS_DB_PATH": str(work / "events.db"),
                                  "ANALYTICS_DB_URL": f"sqlite:///{work / 'analytics.db'}", "ANALYTICS_SOURCE": "sql"}) as url:
        yield url


def test_analytics_needs_a_session(console):
    for path in ("/api/analytics?from=2026-12-01&to=2026-12-01", "/analytics.csv?from=2026-12-01&to=2026-12-01"):
        reply = requests.get(console + path, allow_redirects=False, timeout=10)
        assert reply.status_code in (401, 403, 303), (path, reply.status_code)
        assert "conversations" not in reply.text
    page = requests.get(console + "/analytics", allow_redirects=False, timeout=10)
    assert page.status_code in (303, 401) and "数据分析" not in page.text


def test_dashboard_page_shows_the_recorded_figures(console, browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        console_sign_in(page, console, "agent1", PASSWORD)
        page.goto(f"{console}/analytics")
        page.fill("input[name=from]", "2026-12-01")
        page.fill("input[name=to]", "2026-12-01")
        page.click("form.period button[type=submit]")
        # The figures loaded, or the page says why not (its fetch failed: the page before this
        # one and this one fetched at once, and two syncs of a new analytics file collided —
        # fixed, tests/console/test_analytics_concurrency.py).
        page.wait_for_selector("#analytics[data-loaded='1'], #analytics[data-error]", timeout=60000)
        assert page.get_attribute("#analytics", "data-error") is None
        assert page.text_content("#kpi-conversations") == "5"
        # The cancelled hand-off is neither an agent's hand-off nor contained.
        assert page.text_content("#kpi-containment") == "60.0%"
        assert page.text_content("#kpi-handoff") == "20.0%"
        assert page.text_content("#kpi-handoff-cancelled") == "1（20.0%）"
        assert page.text_content("#kpi-fallback") == "16.7%"
        # ECharts drew into canvases (no hand-made SVG), served from the console itself.
        assert page.locator("#chart-per-day canvas").count() == 1
        assert page.locator("#chart-intents canvas").count() == 1
        assert page.locator("#chart-funnel canvas").count() == 1
        texts = page.locator("#not-understood tbody td:first-child").all_text_contents()
        assert set(texts) == {"嗯嗯那个", "今天天气怎么样", "那个啥"}
        # The conversations the assistant did not resolve (the cancelled hand-off is not one);
        # an agent sees the list, the links to read them are for admins.
        assert page.locator("#unresolved tbody td:first-child").all_text_contents() == ["oos", "fallback", "handed"]
        assert page.text_content("#unresolved-total") == "共 3 个"
        assert page.locator("#unresolved a").count() == 0
        # The event set aside is for admins: no section, nothing of its text.
        assert page.locator("#rejected").count() == 0 and "onerror" not in page.content()
        # 人工接待 → 转接: the one closed conversation was passed on once.
        assert page.text_content("#desk-transfers") == "期间转接 1 次（转给同事 1，退回排队 0）；每单转接 1.00 次"
        assert page.locator("#desk-transfers-per-ticket tbody tr").all_text_contents() == ["1 次1"]
        # What the assistant resolves on its own (the 2 conversations without a fallback,
        # out-of-scope answer or hand-off of 5), and where it fails, intent by intent.
        assert page.text_content("#kpi-assistant-resolved") == "40.0%"
        assert page.locator("#chart-by-intent canvas").count() == 1
        rows = page.locator("#intent-failures tbody tr")
        assert rows.first.locator("td").first.text_content() == "human_handoff"   # 2 hand-offs: the most
        assert rows.first.locator("td").nth(5).text_content() == "2"
        assert rows.last.locator("td").first.text_content() == "greet"
        # What it sells, by recommendation strategy (from the experiment file's variants).
        assert page.locator("#chart-sales-strategy canvas").count() == 1
        assert page.locator("#sales-by-strategy tbody tr").all_text_contents() == [
            "rec_strategyhybrid3000¥0.00", "rec_strategypopularity2000¥0.00"]
        # The desk: how long the shopper waited, and who did what.
        assert page.text_content("#desk-waits").startswith("接入 1 个，等待中位 0 秒")
        agents = {r.locator("td").first.text_content(): r.locator("td").all_text_contents()
                  for r in page.locator("#desk-agents tbody tr").all()}
        # An agent sees their own row only (colleagues' figures are for admins).
        # 接入: 小王 took the ticket from the queue the moment it came (0 s waited there).
        # 顾客评价: 小王 was not rated; the assistant's own row last (4 stars, once).
        assert agents == {"客服小王": ["客服小王", "1", "0 秒", "0", "0", "—", "0", "0", "1", "0", "0", "—"],
                          "小柚（智能助手）": ["小柚（智能助手）"] + ["—"] * 10 + ["4.00 / 1 次"]}
        csv_reply = context.request.get(console + page.get_attribute("#csv-link", "href"))
        assert csv_reply.ok
        body = csv_reply.text()
        assert "summary,2026-12-01..2026-12-01,conversations,5" in body
        assert "summary,2026-12-01..2026-12-01,handed_off,1" in body
        assert "summary,2026-12-01..2026-12-01,handoff_cancelled,1" in body
        assert "summary,2026-12-01..2026-12-01,containment_rate,0.6" in body
        assert "desk_transfers,2026-12-01..2026-12-01,transfers_per_ticket,1.0" in body
        assert "desk_transfers_per_ticket,1,tickets,1" in body
        assert "sales_by_strategy,rec_strategy/hybrid,displays,3" in body
        assert "desk_agent,客服小王,claimed,1" in body and "desk_agent,客服小王,claim_wait_p50_s,0.0" in body
        assert "desk_agent,客服小王,transferred,1" in body and "desk_agent,客服小李" not in body
        assert "by_intent,human_handoff,handoff,2" in body
        assert "csat_assistant,2026-12-01..2026-12-01,average,4.0" in body
        assert "csat_agent,客服小王,rated,0" in body and "csat_agent,客服小李" not in body
    finally:
        context.close()


def test_the_funnel_at_zero_clicks_is_drawn_to_scale_and_says_why_a_rate_is_missing(console, browser):
    """2026-12-01: 5 displays of 2 cards, nobody clicked. The funnel used ECharts' default
    0–100 scale (10 cards drew as wide as 100) and, all zeros, three full bars."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        console_sign_in(page, console, "agent1", PASSWORD)
        page.goto(f"{console}/analytics?from=2026-12-01&to=2026-12-01")
        page.wait_for_selector("#analytics[data-loaded='1'], #analytics[data-error]", timeout=60000)
        assert page.get_attribute("#analytics", "data-error") is None
        assert page.get_attribute("#chart-funnel", "data-empty") is None
        option = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-funnel')).getOption()")
        assert option["xAxis"][0]["max"] == 10                      # the cards shown are the whole bar
        assert option["yAxis"][0]["data"] == ["展示卡片", "点击", "下单商品"]
        series = option["series"][0]
        assert [point["value"] for point in series["data"]] == [10, 0, 0]
        assert [point["label"]["formatter"] for point in series["data"]] == [
            "10", "0（点击率 0.0%）", "0（没有点击，无下单率）"]
        assert page.text_content("#funnel-text") == "订单 0 笔，成交额 ¥0.00；点击率 0.0%，点击后下单率 —（没有点击）"
    finally:
        context.close()


def test_an_admin_sees_the_event_set_aside_as_text(console, browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        console_sign_in(page, console, "boss", PASSWORD)
        page.goto(f"{console}/analytics?from=2026-12-01&to=2026-12-01")
        page.wait_for_selector("#analytics[data-loaded='1'], #analytics[data-error]", timeout=60000)
        assert page.get_attribute("#analytics", "data-error") is None
        assert page.text_content("#kpi-conversations") == "5"        # the good events all counted
        assert page.text_content("#rejected-total") == "共 1 条"
        cells = page.locator("#rejected-events tbody td").all_text_contents()
        assert cells[1].startswith("sql-broker row ") and "OverflowError" in cells[1]
        assert "<img src=x onerror=alert(1)>" in cells[2]          # shown as text …
        assert page.locator("#rejected-events img").count() == 0      # … never as markup
    finally:
        context.close()
