"""Live hand-off in Chromium against the real assistant: a shopper asks for a person, waits
in the queue, an agent signs in to the operator console, claims the ticket made by that
conversation, replies, the shopper's widget shows it; the assistant stays silent until the
agent closes the ticket, then answers again; an agent who signs out mid-conversation hands
the shopper back to the queue, and "取消人工" brings the assistant back."""
from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.helpers import DESKTOP, bot_bubbles, type_and_send, wait_connected, wait_until
from tests.support.desk import sign_out_every_agent
from tests.support.stack import REPO_ROOT, _spawn, _wait_ready, free_port

pytestmark = pytest.mark.browser

TIMEOUT = 60_000
AGENT_PASSWORD = "agent-pass-7419"


@pytest.fixture(scope="module")
def console_url(live_stack, tmp_path_factory):
    env = dict(live_stack.env, CONSOLE_PORT=str(free_port()), CONSOLE_HOST="127.0.0.1")
    subprocess.run([sys.executable, "-m", "console.create_admin", "xiaowang", "--name", "小王", "--role", "agent",
                    "--password-stdin"], input=AGENT_PASSWORD + "\n", text=True, cwd=REPO_ROOT, env=env,
                   check=True, capture_output=True)
    process = _spawn("console", [sys.executable, "-m", "console"], env, tmp_path_factory.mktemp("console"))
    url = f"http://127.0.0.1:{env['CONSOLE_PORT']}"
    try:
        _wait_ready(f"{url}/healthz", process, 60)
        CONSOLE_LOGS.append(process.log)
        yield url
    finally:
        process.stop()


CONSOLE_LOGS = []


@pytest.fixture(autouse=True)
def empty_desk(live_stack):
    """Each test starts with nobody at the desk and leaves nobody there, passed or failed:
    an agent left signed in would be on duty for the next test's shopper (tests/support/desk.py)."""
    sign_out_every_agent(live_stack.database_url)
    yield
    sign_out_every_agent(live_stack.database_url)


def wait_for_queue_row(agent, ticket_no: str):
    """The ticket's row in the desk's queue, which refreshes itself (static/handoff.js); when
    it never shows, the failure says what the page and the console showed instead."""
    row = agent.locator(f"tr[data-ticket='{ticket_no}']")
    try:
        row.wait_for()
    except PlaywrightTimeout:
        log = CONSOLE_LOGS[-1].read_text(errors="replace")[-3000:] if CONSOLE_LOGS else ""
        raise AssertionError(f"{ticket_no} never appeared in the queue at {agent.url}:\n"
                             f"{agent.locator('main').inner_text()[:1500]}\n--- console log ---\n{log}") from None
    return row


def notices(page):
    return page.locator("#messages .notice").all_text_contents()


def test_agent_takes_over_and_hands_back(browser, live_stack, console_url):
    shopper = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    shopper.set_default_timeout(TIMEOUT)
    # socket.io frames the widget receives: the agent's lines are announced by push.
    frames = []
    shopper.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    shopper.goto(live_stack.web_url + "/")
    wait_connected(shopper)

    def say_and_wait(text: str, contains: str) -> str:
        type_and_send(shopper, text)
        wait_until(shopper, f"Array.from(document.querySelectorAll('.bubble--bot')).some("
                            f"b => b.textContent.includes({contains!r}))", TIMEOUT)
        return [b for b in bot_bubbles(shopper) if contains in b][-1]

    # An agent is at the desk first: only then is a wait promised (with nobody on duty the
    # shopper is told so: tests/assistant/test_handoff_queue_words.py).
    agent = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    agent.set_default_timeout(TIMEOUT)
    agent.goto(console_url + "/handoff")
    assert agent.url.endswith("/login")
    agent.fill("input[name=username]", "xiaowang")
    agent.fill("input[name=password]", AGENT_PASSWORD)
    agent.click("button[type=submit]")
    agent.wait_for_selector("#waiting")
    handed = say_and_wait("转人工", "工单号")
    ticket_no = handed.split("工单号")[1].strip(" ：:").split("。")[0].strip()
    # The first reply already gives the place in the queue and a rough wait.
    assert "预计等待约" in handed and ("排在第 1 位" in handed or "前面还有" in handed), handed
    # While waiting, "人呢？" gets the place in the queue and a rough wait, not a fallback.
    waiting = say_and_wait("人呢？", "预计等待")
    assert ticket_no in waiting and "排" in waiting, waiting
    assert not any("帮不上" in b for b in bot_bubbles(shopper))

    row = wait_for_queue_row(agent, ticket_no)
    row.locator("a", has_text="查看").click()
    # The whole conversation, read from Rasa's tracker store, and the summary.
    transcript = agent.locator("#transcript")
    assert "转人工" in transcript.text_content() and "人呢？" in transcript.text_content()
    agent.click("#claim")
    agent.wait_for_selector("#reply-text")

    wait_until(shopper, "Array.from(document.querySelectorAll('#messages .notice')).some("
                        "n => n.textContent.includes('已接入'))", TIMEOUT)
    agent.fill("#reply-text", "您好，我是客服小王，请问有什么可以帮您？")
    agent.press("#reply-text", "Enter")
    wait_until(shopper, "Array.from(document.querySelectorAll('.bubble--bot')).some("
                        "b => b.textContent.includes('我是客服小王'))", TIMEOUT)
    # It came by push (the Rasa server's desk_update), not only by the fallback polling.
    assert any('"desk_update"' in frame for frame in frames), frames[-5:]

    # The assistant stays silent: the shopper's words reach the agent, no bot answer comes.
    before = len(bot_bubbles(shopper))
    type_and_send(shopper, "我的快递到哪了")
    agent.wait_for_selector("#transcript .msg.shopper >> text=我的快递到哪了")
    time.sleep(4)
    assert len(bot_bubbles(shopper)) == before, bot_bubbles(shopper)[before:]

    # Reload mid-conversation: nothing shown twice, nothing lost.
    agent.reload()
    assert agent.locator("#transcript .msg.agent", has_text="我是客服小王").count() == 1

    agent.select_option("#close-form select[name=resolution]", "resolved")
    agent.click("#close")
    agent.wait_for_url("**/handoff?flash=closed")
    wait_until(shopper, "Array.from(document.querySelectorAll('#messages .notice')).some("
                        "n => n.textContent.includes('结束本次服务'))", TIMEOUT)
    # The assistant answers again.
    resumed = say_and_wait("你好", "您好")
    assert resumed
    agent.click("form.whoami button[type=submit]")        # 退出登录: nobody is on duty any more
    agent.wait_for_url("**/login")
    shopper.context.close()
    agent.context.close()


def test_an_agent_signing_out_mid_conversation_hands_the_shopper_back(browser, live_stack, console_url):
    """The agent leaves with the conversation open: the widget says so, the shopper hears
    honestly that nobody is on duty, and "取消人工" brings the assistant back."""
    shopper = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    shopper.set_default_timeout(TIMEOUT)
    shopper.goto(live_stack.web_url + "/")
    wait_connected(shopper)

    def say_and_wait(text: str, contains: str) -> str:
        type_and_send(shopper, text)
        wait_until(shopper, f"Array.from(document.querySelectorAll('.bubble--bot')).some("
                            f"b => b.textContent.includes({contains!r}))", TIMEOUT)
        return [b for b in bot_bubbles(shopper) if contains in b][-1]

    handed = say_and_wait("转人工", "工单号")
    ticket_no = handed.split("工单号")[1].strip(" ：:").split("。")[0].strip()
    assert "预计等待" not in handed and "取消人工" in handed, handed      # nobody at the desk yet

    agent = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    agent.set_default_timeout(TIMEOUT)
    agent.goto(console_url + "/login")
    agent.fill("input[name=username]", "xiaowang")
    agent.fill("input[name=password]", AGENT_PASSWORD)
    agent.click("button[type=submit]")
    agent.locator(f"tr[data-ticket='{ticket_no}'] button[type=submit]").click()     # 接入
    agent.wait_for_selector("#reply-text")
    wait_until(shopper, "Array.from(document.querySelectorAll('#messages .notice')).some("
                        "n => n.textContent.includes('已接入'))", TIMEOUT)

    agent.click("form.whoami button[type=submit]")        # 退出登录 mid-conversation
    agent.wait_for_url("**/login")
    wait_until(shopper, "Array.from(document.querySelectorAll('#messages .notice')).some("
                        "n => n.textContent.includes('暂时离开'))", TIMEOUT)
    waiting = say_and_wait("在吗？", "正在排队")
    assert ticket_no in waiting and "预计等待" not in waiting and "取消人工" in waiting, waiting
    assert "已取消人工服务" in say_and_wait("取消人工", "已取消")
    assert say_and_wait("你好", "您好")
    shopper.context.close()
    agent.context.close()


HOSTILE = ["<img src=x onerror=alert(1)>我的快递呢", "<script>alert(2)</script>", "\"><svg onload=alert(3)>还没到"]


def test_a_shoppers_hostile_text_is_shown_to_the_agent_as_text(browser, live_stack, console_url):
    """Stored XSS: what a shopper types is kept in the conversation and the ticket, and shown
    in the operator console (the queue, the ticket's transcript from the tracker store, and the
    lines that arrive while the agent has the conversation, drawn by handoff.js) — as text:
    no element made from it, no script run."""
    sender = f"hostile-{uuid.uuid4().hex}"
    for text in HOSTILE[:2]:
        live_stack.say(sender, text)
    handed = "\n".join(r.get("text") or "" for r in live_stack.say(sender, "转人工"))
    ticket_no = handed.split("工单号")[1].strip(" ：:").split("。")[0].strip()

    agent = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    agent.set_default_timeout(TIMEOUT)
    alerts = []
    agent.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    agent.goto(console_url + "/login")
    agent.fill("input[name=username]", "xiaowang")
    agent.fill("input[name=password]", AGENT_PASSWORD)
    agent.click("button[type=submit]")
    row = wait_for_queue_row(agent, ticket_no)
    injected = "document.querySelectorAll('[onerror], [onload], svg, main script, #transcript img').length"
    assert agent.evaluate(injected) == 0
    row.locator("a", has_text="查看").click()
    transcript = agent.locator("#transcript")
    transcript.wait_for()
    assert HOSTILE[0] in transcript.text_content() and HOSTILE[1] in transcript.text_content()
    assert agent.evaluate(injected) == 0

    agent.click("#claim")
    agent.wait_for_selector("#reply-text")
    live_stack.say(sender, HOSTILE[2])         # to the agent now, drawn by handoff.js
    agent.wait_for_selector("#transcript .msg.shopper >> text=还没到")
    assert HOSTILE[2] in transcript.text_content()
    assert agent.evaluate(injected) == 0
    assert alerts == []

    agent.select_option("#close-form select[name=resolution]", "invalid")   # closing asks how it ended
    agent.click("#close")
    agent.wait_for_url("**/handoff?flash=closed")
    agent.click("form.whoami button[type=submit]")
    agent.wait_for_url("**/login")
    agent.context.close()
