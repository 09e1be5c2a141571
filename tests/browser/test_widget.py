"""The chat page in headless Chromium against a real socket.io server we control.

Deterministic: the bot messages are pushed by the test in the shapes the assistant's actions
send, so rendering, buttons, input-method handling, escaping, persistence and reconnection
are checked without depending on the NLU model. tests/browser/test_live_chat.py runs the
same page against the real assistant.
"""
from __future__ import annotations

import json
import time

import pytest

from shop.identity import verify_customer_token
from tests.browser import payloads
from tests.browser.helpers import (
    DESKTOP, PHONE, bot_bubbles, screenshot, session_id, type_and_send, user_bubbles, wait_connected,
    wait_until,
)
from tests.shop_site.harness import TOKEN_SECRET

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def products(widget_site):
    return payloads.seeded_products(widget_site.database_url)


def push_all(page, fake_rasa, messages):
    sid = session_id(page)
    for message in messages:
        fake_rasa.push(sid, message)


def assert_no_problems(problems, allowed=()):
    unexpected = [e for e in problems.errors if not any(a in e for a in allowed)]
    assert not unexpected, unexpected
    assert not problems.dialogs, problems.dialogs


# --- rendering ------------------------------------------------------------------------------

def test_renders_text_quick_replies_cards_timeline_and_orders(open_widget, fake_rasa, products, artifacts):
    page, problems = open_widget(DESKTOP)
    type_and_send(page, "有什么好的推荐")
    page.wait_for_selector("text=收到：有什么好的推荐")
    push_all(page, fake_rasa, [payloads.QUICK_REPLIES, payloads.product_cards(products),
                               payloads.TIMELINE, payloads.ORDER_LIST])
    page.wait_for_selector(".rich--orders")

    # Product cards: the seeded products' titles, prices, reasons, ratings and pictures.
    cards = page.locator(".product-card")
    assert cards.count() == 3
    for index, product in enumerate(products):
        card = cards.nth(index)
        assert card.locator(".product-card__title").text_content() == product.title
        assert card.locator(".price").text_content() == f"¥{product.price:,.2f}"
        assert card.locator(".product-card__rating").text_content() == f"★ {product.rating:.1f}"
        assert card.locator("button").all_text_contents() == ["问问这款", "我要买"]
    assert cards.locator(".product-card__reason").all_text_contents() == ["同类热销", "猜你喜欢", "高性价比"]
    # Pictures load from the shop site (which redirects to the category's drawing), so
    # the placeholder never replaced them.
    wait_until(page, """[...document.querySelectorAll('.product-card__img')]
        .every(img => img.complete && img.naturalWidth > 0 && img.src.includes('/static/products/'))""")

    # Quick replies under their message.
    assert page.locator(".quick-replies .chip").all_text_contents() == ["查物流", "退换货"]

    # The logistics timeline: order, carrier, ETA, items, newest event first in China time.
    order = page.locator(".rich--order")
    assert payloads.ORDER_NO in order.locator(".order-head__no").text_content()
    assert order.locator(".badge").text_content() == "运输中"
    assert order.locator(".order-ship__carrier").text_content() == "顺丰速运  SF1234567890123"
    assert order.locator(".order-ship__eta").text_content() == "预计11月25日送达"
    assert order.locator(".order-items__row").count() == 2
    latest = order.locator(".timeline__event--latest")
    assert latest.locator(".timeline__text").text_content() == "快件到达【杭州转运中心】"
    assert latest.locator("time").text_content() == "11-22 10:00"
    assert order.locator(".timeline__event:visible").count() == 3  # the rest behind a button
    order.locator(".timeline__more").click()
    assert order.locator(".timeline__event:visible").count() == 4

    # The order list.
    rows = page.locator(".order-row")
    assert rows.count() == 2
    assert rows.nth(0).locator(".badge").text_content() == "已签收"
    assert rows.nth(0).locator(".order-row__summary").text_content() == "小米14 等2件"
    assert rows.nth(0).locator(".order-row__date").text_content() == "2026-11-20"
    assert rows.nth(1).locator(".badge").text_content() == "待付款"

    # Shop header, avatars and a timestamp.
    assert page.locator(".chat-header__shop").text_content() == "青柚优选官方旗舰店"
    assert page.locator(".msg--bot img.avatar").count() >= 5
    assert page.locator(".time-divider time").count() >= 1
    page.locator(".rich--products").scroll_into_view_if_needed()
    screenshot(page, artifacts, "widget-desktop-cards")
    page.locator(".rich--orders").scroll_into_view_if_needed()
    screenshot(page, artifacts, "widget-desktop")
    assert_no_problems(problems)


def test_phone_width(open_widget, fake_rasa, products, artifacts):
    page, problems = open_widget(PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    type_and_send(page, "推荐个手机")
    push_all(page, fake_rasa, [payloads.product_cards(products), payloads.TIMELINE])
    page.wait_for_selector(".rich--order")
    # Nothing wider than the phone: no sideways scrolling of the page (the card strip
    # scrolls inside itself).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".side-panel").is_hidden()
    assert page.locator("#composer-input").is_visible()
    assert page.locator(".account__btn").is_visible()
    box = page.locator(".rich--order").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.locator(".rich--products").scroll_into_view_if_needed()
    screenshot(page, artifacts, "widget-phone")
    assert_no_problems(problems)


def test_the_service_hours_card_says_the_desk_hours_setting(open_widget):
    """服务时间 shows SHOP_DESK_HOURS (the site runs with 8:30-21:00), from /api/config."""
    page, problems = open_widget()
    page.wait_for_selector("#desk-hours-line:not([hidden])")
    assert page.text_content("#desk-hours") == "8:30-21:00"
    assert "22:00" not in page.text_content(".side-panel")
    assert_no_problems(problems)


def test_text_said_before_a_card_is_not_repeated_by_it(open_widget, fake_rasa, products):
    # What an action's utter_message(text=..., buttons=..., json_message=...) becomes on
    # socket.io: a text event (with quick replies), then the custom event.
    page, _ = open_widget()
    order = payloads.ORDER_LIST["custom"]["orders"][0]
    push_all(page, fake_rasa, [
        {"text": "为您推荐"}, payloads.product_cards(products, title="为您推荐"),
        {"text": "其他近期订单，点击即可查看：", "quick_replies": [
            {"content_type": "text", "title": f"已签收 · {order['summary']}", "payload": order["payload"]}]},
        payloads.ORDER_LIST,
    ])
    page.wait_for_selector(".rich--orders")
    assert page.locator(".rich--products .rich__title").count() == 0   # the text said it
    # The list has the buttons.
    assert page.locator(".msg--bot", has_text="其他近期订单").locator(".quick-replies").count() == 0
    # An untitled card after a line of text takes that text as its caption.
    assert page.locator(".rich--orders .rich__title").count() == 0


# --- buttons ----------------------------------------------------------------------------------

def test_card_button_sends_its_payload_and_shows_its_title(open_widget, fake_rasa, products):
    page, _ = open_widget()
    push_all(page, fake_rasa, [payloads.product_cards(products)])
    page.locator(".product-card").nth(1).get_by_role("button", name="我要买").click()
    sent = fake_rasa.wait_for("user_uttered")[-1]
    assert sent["message"] == f'/purchase{{"product_id": "{products[1].id}"}}'
    assert sent["session_id"] == session_id(page)
    assert user_bubbles(page)[-1] == "我要买"


def test_quick_reply_sends_its_payload_then_goes_away(open_widget, fake_rasa):
    page, _ = open_widget()
    push_all(page, fake_rasa, [payloads.QUICK_REPLIES])
    page.get_by_role("button", name="查物流").click()
    assert fake_rasa.wait_for("user_uttered")[-1]["message"] == "/order_status"
    assert user_bubbles(page)[-1] == "查物流"
    page.wait_for_selector(".quick-replies", state="detached")


def test_order_list_button_asks_for_that_order(open_widget, fake_rasa):
    page, _ = open_widget()
    push_all(page, fake_rasa, [payloads.ORDER_LIST])
    page.locator(".order-row").nth(0).get_by_role("button", name="查看详情").click()
    assert fake_rasa.wait_for("user_uttered")[-1]["message"] == '/order_status{"order_no":"202611200009876543"}'
    assert user_bubbles(page)[-1] == "查看订单 202611200009876543"


# --- input methods and escaping ------------------------------------------------------------------

def test_enter_during_ime_composition_sends_nothing(open_widget, fake_rasa):
    page, _ = open_widget()
    cdp = page.context.new_cdp_session(page)
    page.focus("#composer-input")
    # A pinyin input method mid-word: "nihao" is marked text, not yet Chinese characters.
    cdp.send("Input.imeSetComposition", {"text": "nihao", "selectionStart": 5, "selectionEnd": 5})
    assert page.evaluate("document.getElementById('composer-input').value") == "nihao"
    page.keyboard.press("Enter")        # the Enter that picks a candidate
    # Safari's confirming Enter: reported after compositionend, with keyCode 229.
    cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Enter", "code": "Enter",
                                         "windowsVirtualKeyCode": 229, "nativeVirtualKeyCode": 229})
    page.wait_for_timeout(500)
    assert fake_rasa.received("user_uttered") == []
    assert user_bubbles(page) == []

    # The input method commits the characters; the next Enter sends them.
    cdp.send("Input.insertText", {"text": "你好"})
    page.evaluate("document.getElementById('composer-input').value = '你好'")
    page.keyboard.press("Enter")
    assert fake_rasa.wait_for("user_uttered")[-1]["message"] == "你好"
    assert user_bubbles(page) == ["你好"]


def test_shift_enter_breaks_the_line(open_widget, fake_rasa):
    page, _ = open_widget()
    page.fill("#composer-input", "第一行")
    page.press("#composer-input", "Shift+Enter")
    page.keyboard.type("第二行")
    page.wait_for_timeout(200)
    assert fake_rasa.received("user_uttered") == []
    page.press("#composer-input", "Enter")
    assert fake_rasa.wait_for("user_uttered")[-1]["message"] == "第一行\n第二行"


def test_hostile_text_is_shown_as_text(open_widget, fake_rasa):
    page, problems = open_widget()
    type_and_send(page, payloads.XSS)
    page.wait_for_selector(f"text=收到：{payloads.XSS}")
    push_all(page, fake_rasa, [payloads.HOSTILE_CARD, {"text": payloads.XSS}])
    page.wait_for_selector(".product-card")
    page.wait_for_timeout(300)

    assert user_bubbles(page) == [payloads.XSS]
    assert bot_bubbles(page)[-2:] == [f"收到：{payloads.XSS}", payloads.XSS]
    card = page.locator(".product-card")
    assert card.locator(".product-card__title").text_content() == payloads.XSS
    assert card.locator("button").text_content() == payloads.XSS
    # Shown as characters, never parsed: no element with an event-handler attribute, no
    # image pointing at "x", a javascript: URL replaced by the placeholder, no alert.
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert page.locator("#messages img[src='x']").count() == 0
    assert "placeholder" in card.locator("img").get_attribute("src")
    assert_no_problems(problems)


# --- typing, persistence, reconnection, identity --------------------------------------------------

def test_typing_indicator_shows_until_the_answer(open_widget, fake_rasa):
    page, _ = open_widget()
    fake_rasa.reply = lambda message: []    # the assistant is "thinking" (open_widget resets it)
    type_and_send(page, "在吗")
    page.wait_for_selector(".msg--typing .typing-dot")
    fake_rasa.push(session_id(page), {"text": "在的，亲～"})
    page.wait_for_selector(".msg--typing", state="detached")
    assert bot_bubbles(page)[-1] == "在的，亲～"


def test_conversation_survives_a_reload(open_widget, fake_rasa, products):
    page, _ = open_widget()
    before = session_id(page)
    type_and_send(page, "第一句话")
    page.wait_for_selector("text=收到：第一句话")
    push_all(page, fake_rasa, [payloads.product_cards(products)])
    page.wait_for_selector(".product-card")

    fake_rasa.clear()
    page.reload()
    wait_connected(page)
    # The same Rasa conversation: the page asks to rejoin its session ...
    assert fake_rasa.wait_for("session_request")[-1] == {"session_id": before}
    # ... and shows what was said, cards included, from its own storage.
    assert user_bubbles(page) == ["第一句话"]
    assert "收到：第一句话" in bot_bubbles(page)
    assert page.locator(".product-card").count() == 3
    type_and_send(page, "第二句话")
    assert fake_rasa.wait_for("user_uttered")[-1]["session_id"] == before


def test_reconnects_after_the_server_restarts(open_widget, fake_rasa):
    page, _ = open_widget()
    sid = session_id(page)
    fake_rasa.stop()
    try:
        page.wait_for_selector("#conn-banner", state="visible")
        assert page.locator("#conn-dot").get_attribute("data-state") != "connected"
        # Typed during the outage: kept, marked as waiting, sent after the reconnection.
        type_and_send(page, "网断了还能发吗")
        assert page.locator(".msg--pending").count() == 1
        time.sleep(1)
    finally:
        fake_rasa.clear()
        if not fake_rasa.running:
            fake_rasa.start()
    wait_connected(page, timeout=20_000)
    assert fake_rasa.wait_for("session_request")[-1] == {"session_id": sid}
    sent = fake_rasa.wait_for("user_uttered")[-1]
    assert sent["message"] == "网断了还能发吗" and sent["session_id"] == sid
    page.wait_for_selector("text=收到：网断了还能发吗")
    assert page.locator(".msg--pending").count() == 0
    assert page.locator("#conn-banner").is_hidden()


def test_a_page_opened_while_rasa_is_down_connects_when_it_comes_up(browser, widget_site, fake_rasa):
    fake_rasa.stop()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(widget_site.url + "/")
        page.wait_for_selector("#conn-banner", state="visible")
        assert page.locator("#conn-banner").text_content() == "暂时连接不上客服，正在重试…"
        fake_rasa.clear()
        fake_rasa.start()
        wait_connected(page, timeout=20_000)
        assert page.locator("#conn-banner").is_hidden()
        fake_rasa.wait_for("session_request")
    finally:
        if not fake_rasa.running:
            fake_rasa.start()
        context.close()


def sign_in_first_customer(page, artifacts=None):
    page.get_by_role("button", name="登录").click()
    choice = page.locator(".signin__customer").first
    choice.wait_for()
    if artifacts:
        screenshot(page, artifacts, "widget-signin")
    customer_id = int(choice.get_attribute("data-customer-id"))
    name = choice.locator(".signin__name").text_content()
    choice.click()
    page.wait_for_selector(".account__name")
    return customer_id, name


def test_sign_in_sends_the_token_and_sign_out_starts_over(open_widget, fake_rasa, artifacts):
    page, problems = open_widget(PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    guest_session = session_id(page)
    type_and_send(page, "游客提问")
    assert fake_rasa.wait_for("user_uttered")[-1]["customData"] == {}

    customer_id, name = sign_in_first_customer(page, artifacts)
    assert "*" in name and page.locator(".account__name").text_content() == name
    assert page.locator(".notice").last.text_content().startswith(f"您已登录为 {name}")
    type_and_send(page, "我的订单")
    token = fake_rasa.wait_for("user_uttered", 2)[-1]["customData"]["customer_token"]
    assert verify_customer_token(token, secret=TOKEN_SECRET) == customer_id

    page.reload()
    wait_connected(page)
    assert page.locator(".account__name").text_content() == name   # still signed in

    fake_rasa.clear()
    page.get_by_role("button", name="退出").click()
    page.get_by_role("button", name="登录").wait_for()
    # A new, empty conversation under a new session id; nothing of the old one is shown.
    new_session = fake_rasa.wait_for("session_request")[-1]["session_id"]
    assert new_session != guest_session and new_session == session_id(page)
    assert user_bubbles(page) == []
    assert page.evaluate("localStorage.getItem('qy-chat/v1/auth')") is None
    type_and_send(page, "退出后提问")
    assert fake_rasa.wait_for("user_uttered")[-1]["customData"] == {}
    assert_no_problems(problems)


def test_an_expired_sign_in_is_dropped(open_widget, fake_rasa):
    page, _ = open_widget()
    sign_in_first_customer(page)
    page.evaluate("""() => {
        const auth = JSON.parse(localStorage.getItem('qy-chat/v1/auth'));
        auth.expiresAt = new Date(Date.now() - 1000).toISOString();
        localStorage.setItem('qy-chat/v1/auth', JSON.stringify(auth));
    }""")
    page.reload()
    wait_connected(page)
    page.get_by_role("button", name="登录").wait_for()
    assert "登录已过期" in page.locator(".notice").last.text_content()
    fake_rasa.clear()
    type_and_send(page, "还在吗")
    assert fake_rasa.wait_for("user_uttered")[-1]["customData"] == {}


def test_an_agent_line_arrives_after_a_poll_that_never_answered(open_widget, fake_rasa):
    """Live hand-off: one poll for the agent's lines hangs (a stalled connection). The widget
    gives it up (static desk.js) and polls on, so the agent's reply still reaches the shopper."""
    page, _ = open_widget()
    cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "content-type",
            "Access-Control-Allow-Methods": "POST, OPTIONS"}
    polls = []

    def desk(route):
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=cors)
            return
        polls.append(route)
        if len(polls) == 2:
            return                      # never answered: the request stays open
        body = ({"status": "open", "ticket_no": "RG20261207000001", "messages": []} if len(polls) == 1 else
                {"status": "assigned", "ticket_no": "RG20261207000001",
                 "messages": [{"id": 1, "from": "agent", "text": "您好，我是客服小王"}]})
        route.fulfill(status=200, headers=cors, content_type="application/json", body=json.dumps(body))

    page.route("**/webhooks/rest/agent_messages", desk)
    type_and_send(page, "转人工")
    wait_until(page, "Array.from(document.querySelectorAll('.bubble--bot'))"
                     ".some(b => b.textContent.includes('我是客服小王'))", 40_000)
    assert len(polls) >= 3
