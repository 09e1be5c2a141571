"""满意度 in headless Chromium: the console page draws the assistant against the desk per day
(ECharts, no script error under the console's CSP), the tables per agent, and a shopper's
comment as text, never markup; and the widget shows the desk's satisfaction question with its
buttons, a click sending the answer as typed text."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from console.passwords import hash_password
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import claim_ticket, close_ticket
from shop.db.migrate import upgrade_to_head
from shop.db.satisfaction import answer_question, ask, pending_question
from shop.domain.clock import utc_now
from shop.domain.satisfaction import ASSISTANT, BUTTONS, DESK_QUESTION, read_answer
from tests.browser.helpers import PageProblems, console_sign_in, running_console, screenshot, wait_until

PASSWORD = "a-long-test-password-for-the-boss-42"


@pytest.fixture(scope="module")
def rated_console(tmp_path_factory):
    work = tmp_path_factory.mktemp("console-csat")
    url = f"sqlite:///{work / 'shop.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    now = utc_now()
    with session_scope(engine) as s:
        boss = create_account(s, "boss", "店长", "admin", hash_password(PASSWORD), now)
        agent = create_account(s, "agent1", "客服小王", "agent", hash_password(PASSWORD), now)
        for sender, who, text, when in [("b-1", agent, "满意", now - timedelta(days=1)),
                                        ("b-2", agent, "差评 <b>等太久</b>", now),
                                        ("b-3", boss, "4星", now)]:
            ticket = create_handoff_request(s, sender, None, "诉求：售后", when - timedelta(minutes=5))
            claim_ticket(s, ticket.id, who.id, who.display_name, when)
            close_ticket(s, ticket.id, who.id, when, resolution="resolved")
            answer_question(s, pending_question(s, sender, None, when), read_answer(text), when)
        answer_question(s, ask(s, "b-4", None, ASSISTANT, now), read_answer("一般"), now)
    with running_console(work, {"SHOP_DATABASE_URL": url, "ANALYTICS_EVENTS_DB_PATH": str(work / "events.db"),
                                "ANALYTICS_DB_URL": f"sqlite:///{work / 'analytics.db'}"}) as console:
        yield console
    engine.dispose()


def test_the_satisfaction_page_draws_the_figures_and_the_comments_as_text(rated_console, browser, artifacts):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    problems = PageProblems(page)
    missing = []
    page.on("response", lambda r: r.status >= 400 and missing.append(r.url))
    try:
        console_sign_in(page, rated_console, "boss", PASSWORD)
        page.click("nav >> text=满意度")
        page.wait_for_url(lambda u: "/satisfaction" in u)
        wait_until(page, "document.getElementById('chart-csat-per-day').dataset.loaded === '1'")
        assert page.locator("#chart-csat-per-day canvas").count() >= 1
        desk = page.locator("#csat-by-subject tr[data-subject=desk]")
        assert desk.locator(".rated").text_content() == "3" and desk.locator(".csat").text_content() == "66.7%"
        assert page.locator("#csat-by-subject tr[data-subject=assistant] .average").text_content() == "3.00"
        assert page.locator("#csat-by-agent tr[data-agent=客服小王] .csat").text_content() == "50.0%"
        comment = page.locator("#csat-comments .comment").first
        assert comment.text_content() == "差评 <b>等太久</b>" and comment.locator("b").count() == 0
        screenshot(page, artifacts, "console-satisfaction")
        # Every resource the page asked for answered (the browser's own favicon request, which
        # no page makes, is not a response the page sees: left out of the console errors).
        errors = [e for e in problems.errors if "status of 404" not in e]
        assert missing == [] and errors == [], (missing, problems.errors)
    finally:
        context.close()


def test_the_widget_shows_the_desk_question_with_buttons_and_a_click_answers(open_widget, fake_rasa):
    page, problems = open_widget()
    cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "content-type",
            "Access-Control-Allow-Methods": "POST, OPTIONS"}
    line = {"id": 7, "from": "system", "text": DESK_QUESTION,
            "buttons": [{"title": b, "payload": b} for b in BUTTONS]}

    def desk(route):
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=cors)
            return
        route.fulfill(status=200, headers=cors, content_type="application/json",
                      body=json.dumps({"status": "closed", "ticket_no": "RG20261207000009", "messages": [line]}))

    page.route("**/webhooks/rest/agent_messages", desk)
    page.fill("#composer-input", "谢谢")
    page.press("#composer-input", "Enter")
    wait_until(page, "Array.from(document.querySelectorAll('.bubble--bot'))"
                     ".some(b => b.textContent.includes('对本次人工服务满意吗'))", 20_000)
    fake_rasa.clear()
    page.get_by_role("button", name="满意", exact=True).first.click()
    assert fake_rasa.wait_for("user_uttered")[-1]["message"] == "满意"
    assert problems.errors == [], problems.errors
