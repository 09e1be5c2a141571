"""The console walked as a desk uses it, in headless Chromium: an agent with several shoppers
waiting (the angry one first, each ticket saying why it sits where it does), claims, answers,
hands one back to the queue (it comes back ahead of newcomers) and closes another; an
operator reads 数据分析 for a period with nothing in it (the period and units are said, every
empty table says so), downloads the CSV for Excel (BOM, a Chinese 说明 column), finds a hand
edit of the experiment file in 修改记录; and the pages fit a phone's width.

``python -m console`` on its own SQLite database and experiment file; the shoppers' lines are
written where the hand-off gate writes them."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
import yaml

from growth.experiments import DEFAULT_PATH
from shop.db.engine import make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import add_agent_message, add_shopper_message
from shop.domain.clock import CHINA_TZ, utc_now
from tests.browser.helpers import PHONE, console_page, console_shop_database, running_console, wait_for_analytics, wait_until

PASSWORD = "a-long-test-password-for-the-walk-8"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    work = tmp_path_factory.mktemp("console-desk-walk")
    url = console_shop_database(work, [("xiaowang", "小王", "agent"), ("boss", "店长", "admin")], PASSWORD)
    engine = make_engine(url)
    experiments = work / "experiments.yml"
    shutil.copy(DEFAULT_PATH, experiments)
    with running_console(work, {"SHOP_DATABASE_URL": url, "ANALYTICS_EVENTS_DB_PATH": str(work / "events.db"),
                                "ANALYTICS_DB_URL": f"sqlite:///{work / 'analytics.db'}",
                                "SHOP_EXPERIMENTS_PATH": str(experiments)}) as console:
        yield console, engine, experiments
    engine.dispose()


def _queue(page) -> list:
    return [r.get_attribute("data-ticket") for r in page.locator("#waiting tr[data-ticket]").all()]


def test_an_agent_serves_several_waiting_shoppers_in_the_desks_order(desk, browser):
    console, engine, _ = desk
    now = utc_now()
    with session_scope(engine) as session:
        early = create_handoff_request(session, "walk-early", None, "诉求：物流", now - timedelta(minutes=6))
        later = create_handoff_request(session, "walk-later", None, "诉求：商品咨询", now - timedelta(minutes=4))
        angry = create_handoff_request(session, "walk-angry", None, "诉求：物流", now - timedelta(minutes=1))
        add_shopper_message(session, angry.id, "人呢？等半天了，太过分了", now)
    with console_page(browser, console, "xiaowang", PASSWORD) as page:
        page.goto(f"{console}/handoff")
        # Asked last, but angry: a 10-minute head start puts them before those who asked 4 and
        # 6 minutes ago; the row says why, the others wait by time, the rule is under the table.
        assert _queue(page) == [angry.ticket_no, early.ticket_no, later.ticket_no]
        assert page.text_content(f"tr[data-ticket='{angry.ticket_no}'] .priority") == "顾客情绪激动（提前 10 分钟）"
        assert page.text_content(f"tr[data-ticket='{early.ticket_no}'] .priority") == "按等待时间"
        assert "不会排到比这等得更久的顾客前面" in page.text_content("#queue-rule")
        # Claim the angry shopper, answer, and hand them back to the queue with a note.
        page.click(f"tr[data-ticket='{angry.ticket_no}'] button[type=submit]")
        page.wait_for_selector("#reply-text")
        page.fill("#reply-text", "您好，我是小王，马上帮您查")
        page.press("#reply-text", "Enter")
        page.wait_for_selector("#transcript .msg.agent")
        page.select_option("#transfer-form select[name=to]", value="queue")
        page.fill("#transfer-note", "要仓库确认，请下一位跟进")
        page.click("#transfer")
        page.wait_for_url(f"{console}/handoff?flash=transferred")
        # Back in the queue, served once already: still ahead of the newcomers, and says why.
        assert _queue(page)[0] == angry.ticket_no
        reasons = page.text_content(f"tr[data-ticket='{angry.ticket_no}'] .priority")
        assert "顾客情绪激动" in reasons and "已接待过又退回排队" in reasons
        # The next shopper by the desk's order: claim, answer, close with how it ended.
        page.click(f"tr[data-ticket='{angry.ticket_no}'] button[type=submit]")
        page.wait_for_selector("#close-form")
        page.select_option("#close-form select[name=resolution]", value="resolved")
        page.click("#close")
        page.wait_for_url(f"{console}/handoff?flash=closed")
        assert _queue(page) == [early.ticket_no, later.ticket_no]
        assert page.locator("#mine tr[data-mine]").count() == 0


def test_an_operator_reads_an_empty_period_and_exports_the_csv_for_excel(desk, browser):
    console, _, _ = desk
    with console_page(browser, console, "boss", PASSWORD) as page:
        page.goto(f"{console}/analytics?from=2026-01-01&to=2026-01-07")
        wait_for_analytics(page)
        assert page.get_attribute("#analytics", "data-error") is None
        note = page.text_content("#period-note")
        assert "2026-01-01 至 2026-01-07" in note and "共 7 天" in note and "Asia/Shanghai" in note
        # Tables with nothing in the period say so instead of showing bare headers.
        for table in ("desk-agents", "desk-transfers-per-ticket", "unresolved", "not-understood", "returns",
                      "sales-by-variant", "rejected-events"):
            assert page.text_content(f"#{table} tbody") == "所选期间没有数据", table
        # So do the charts (three zeros drew as three full-width funnel bars, others as bare axes).
        for chart in ("chart-funnel", "chart-by-intent", "chart-after-sales", "chart-sales-strategy"):
            assert page.get_attribute(f"#{chart}", "data-empty") == "1", chart
            title = page.evaluate(f"echarts.getInstanceByDom(document.getElementById('{chart}')).getOption().title[0]")
            assert title["text"] == "暂无数据" and title["subtext"].startswith("所选期间没有"), chart
        assert page.text_content("#funnel-text") == "订单 0 笔，成交额 ¥0.00；点击率 —（没有展示），点击后下单率 —（没有点击）"
        csv = page.request.get(f"{console}/analytics.csv?from=2026-01-01&to=2026-01-07")
        assert csv.ok and csv.body().startswith("\ufeff".encode("utf-8"))   # Excel reads it as UTF-8
        lines = csv.body().decode("utf-8-sig").splitlines()
        assert lines[0] == "section,key,metric,value,说明"
        assert "summary,2026-01-01..2026-01-07,conversations,0,会话数（个）" in lines
        assert any(line.startswith("summary,") and ",handoff_rate," in line and line.endswith("比率（0–1，乘 100 为百分比）")
                   for line in lines)


def test_a_hand_edit_of_the_experiment_file_shows_in_its_record(desk, browser):
    console, _, experiments = desk
    with console_page(browser, console, "boss", PASSWORD) as page:
        page.goto(f"{console}/experiments/rec_strategy")          # the state is kept on the first look
        assert "还没有修改记录" in page.text_content("#changes")
        document = yaml.safe_load(experiments.read_text("utf-8"))
        document["experiments"][0]["ramp"] = 30
        experiments.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
        page.goto(f"{console}/experiments/rec_strategy")
        row = page.locator("#changes tbody tr").first
        cells = row.locator("td").all_text_contents()
        assert cells[1:3] == ["文件（手工修改）", "直接修改文件"]
        assert "放量 100%" in cells[3] and "放量 30%" in cells[4]


@pytest.mark.parametrize("path", ["/handoff", "/analytics", "/experiments", "/experiments/rec_strategy", "/segments"])
def test_the_pages_fit_a_phones_width(desk, browser, path):
    """A wide table scrolls inside its card; the page itself never scrolls sideways."""
    console, engine, _ = desk
    with session_scope(engine) as session:
        create_handoff_request(session, f"walk-phone{path}", None, "诉求：物流\n最近消息：我的快递到哪了？" * 3, utc_now())
    with console_page(browser, console, "boss", PASSWORD, viewport=PHONE) as page:
        page.goto(f"{console}{path}")
        if path == "/analytics":
            wait_for_analytics(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path}: the page is {width}px wide on a {PHONE['width']}px screen"


def test_an_agent_on_a_phone_takes_over_with_the_button_in_reach(desk, browser):
    """375px: the queue's 接入 was past the screen's right edge (the table scrolled inside its
    card); each waiting ticket is now a small card with its buttons under the ticket number."""
    console, engine, _ = desk
    with session_scope(engine) as session:
        ticket = create_handoff_request(session, "walk-phone-claim", None,
                                        "诉求：物流\n最近消息：我的快递三天没动了，人呢？" * 2, utc_now())
    with console_page(browser, console, "xiaowang", PASSWORD, viewport=PHONE) as page:
        page.goto(f"{console}/handoff")
        button = page.locator(f"tr[data-ticket='{ticket.ticket_no}'] button[type=submit]")
        button.scroll_into_view_if_needed()      # down to this ticket; sideways would show below
        box = button.bounding_box()
        # Whole on the screen (no sideways scrolling anywhere), and thumb-sized.
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert box["height"] >= 44, box
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate("document.querySelector('#waiting').closest('.card').scrollLeft") == 0
        # Nothing covers it: the point a thumb presses is the button itself.
        hit = page.evaluate(f"document.elementFromPoint({box['x'] + box['width'] / 2}, "
                            f"{box['y'] + box['height'] / 2})?.textContent")
        assert hit == "接入"
        # The column names are still said beside the values.
        row = page.text_content(f"tr[data-ticket='{ticket.ticket_no}']")
        assert "已等" in page.evaluate(
            f"getComputedStyle(document.querySelector(\"tr[data-ticket='{ticket.ticket_no}'] td.waited\"), '::before').content")
        assert ticket.ticket_no in row
        button.click()
        page.wait_for_selector("#reply-text")
        box = page.locator("#reply-form button[type=submit]").bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], box


def test_an_agent_sees_a_quiet_shopper_and_their_own_reply_in_the_shops_time(desk, browser):
    """The shopper went quiet after the agent's question: the ticket says they may have left;
    they write again and the note goes. The reply just sent shows the agent's name and the same
    clock as the shopper's lines (it showed UTC and no name until the page was reloaded)."""
    console, engine, _ = desk
    now = utc_now()
    with session_scope(engine) as session:
        ticket = create_handoff_request(session, "walk-quiet", None, "诉求：物流", now - timedelta(minutes=30))
        add_shopper_message(session, ticket.id, "我的快递呢", now - timedelta(minutes=25))
    with console_page(browser, console, "xiaowang", PASSWORD) as page:
        page.goto(f"{console}/handoff")
        page.click(f"tr[data-ticket='{ticket.ticket_no}'] button[type=submit]")
        page.wait_for_selector("#reply-text")
        with session_scope(engine) as session:
            from shop.db.handoff_desk import desk_ticket
            add_agent_message(session, ticket.id, desk_ticket(session, ticket.id).assigned_to, "请问订单号是多少？",
                              now - timedelta(minutes=15))
        page.reload()
        assert "可能已经离开" in page.text_content("#shopper-quiet") and page.is_visible("#shopper-quiet")
        with session_scope(engine) as session:
            add_shopper_message(session, ticket.id, "在的，我找一下订单号", utc_now())
        wait_until(page, "document.getElementById('shopper-quiet').hidden")
        before = utc_now().astimezone(CHINA_TZ).strftime("%H:%M")
        page.fill("#reply-text", "好的，不着急")
        page.press("#reply-text", "Enter")
        wait_until(page, "document.querySelectorAll('#transcript .msg.agent').length === 2")
        after = utc_now().astimezone(CHINA_TZ).strftime("%H:%M")
        mine = page.locator("#transcript .msg.agent").last.locator(".who").text_content()
        assert mine.startswith("客服 小王 ") and mine.split()[-1] in (before, after), (mine, before, after)
