"""The chat page against the real assistant: shop site + Rasa (socket.io) + action server +
seeded database, all started by ``live_stack``, in headless Chromium.

One shopper's visit, in order (the tests share one page): sign in as a seeded customer, ask
for a recommendation and get cards for real products, press a card's button, ask for an
order's status and get its timeline, type through an input method, send hostile text,
reload. These depend on the assistant's conversation flows (actions, NLU, stories).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json

import pytest
import websockets

from shop.db.catalogue import get_product_detail
from shop.db.customers import get_customer
from shop.db.orders import get_order
from shop.db.engine import make_engine, session_scope
from tests.browser.helpers import (
    DESKTOP, PHONE, bot_bubbles, screenshot, session_id, type_and_send, user_bubbles, wait_connected,
    wait_until,
)
from tests.browser.payloads import XSS

pytestmark = pytest.mark.browser

ANSWER_TIMEOUT = 60_000   # the first answers load the model's caches on a busy CI machine
FALLBACK_WORDS = ("没太明白", "没太理解")


class Visit:
    def __init__(self, page, database_url):
        self.page = page
        self.engine = make_engine(database_url)
        self.customer_id = None
        self.dialogs = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def bot_rows(self) -> int:
        return self.page.locator(".msg--bot:not(.msg--typing)").count()

    def ask(self, text: str, selector: str = ".msg--bot:not(.msg--typing)") -> None:
        """Send text and wait for the answer: one more element matching `selector`."""
        before = self.page.locator(selector).count()
        type_and_send(self.page, text)
        self.wait_answer(before, selector)

    def wait_answer(self, before: int, selector: str = ".msg--bot:not(.msg--typing)") -> None:
        wait_until(self.page, f"document.querySelectorAll({selector!r}).length > {before}", ANSWER_TIMEOUT)
        # The rest of the answer (text, then cards) arrives within moments.
        self.page.wait_for_selector(".msg--typing", state="detached", timeout=ANSWER_TIMEOUT)
        self.page.wait_for_timeout(500)


@pytest.fixture(scope="module")
def visit(browser, live_stack):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(ANSWER_TIMEOUT)
    page.goto(live_stack.web_url + "/")
    wait_connected(page, timeout=ANSWER_TIMEOUT)
    current = Visit(page, live_stack.database_url)
    yield current
    current.engine.dispose()
    context.close()


async def _socketio_round_trip(rasa_url: str) -> list:
    """What the widget does, at the protocol level: connect over WebSocket, join a session,
    say hello; returns the events received."""
    url = rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    received = []
    async with websockets.connect(url, open_timeout=20) as ws:
        assert (await asyncio.wait_for(ws.recv(), 20)).startswith("0")
        await ws.send("40")
        assert (await asyncio.wait_for(ws.recv(), 20)).startswith("40"), "namespace connect refused"
        await ws.send('42["session_request",{"session_id":"live-protocol-check"}]')
        await ws.send('42["user_uttered",{"message":"你好","session_id":"live-protocol-check","customData":{}}]')
        while not any(event == "bot_uttered" for event, _ in received):
            packet = await asyncio.wait_for(ws.recv(), 60)
            if packet == "2":
                await ws.send("3")
            elif packet.startswith("42"):
                event, *args = json.loads(packet[2:])
                received.append((event, args[0] if args else None))
    return received


def test_rasa_socketio_channel_speaks_to_the_widget(live_stack):
    # Rasa 3.6 on Python 3.11 needs two fixes in shop_channels/socketio.py for this to
    # pass: Sanic 21.12's websocket recv() passes a coroutine to asyncio.wait (refused since
    # 3.11; sanic-org/sanic#2377), and the stock session_request handler does not await
    # python-socketio 5.x's AsyncServer.enter_room, so answers never reach the session room.
    try:
        # In a thread of its own: Playwright's sync API keeps an event loop running in this
        # one for the whole browser package, and asyncio.run() refuses to nest in it.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            received = pool.submit(asyncio.run, _socketio_round_trip(live_stack.rasa_url)).result()
    except (websockets.ConnectionClosed, asyncio.TimeoutError) as error:
        raise AssertionError(f"socket.io over WebSocket to Rasa failed: {error!r}") from None
    events = [event for event, _ in received]
    # The server issues session ids (a client cannot pick a guessable one): it confirms its own.
    assert events[0] == "session_confirm" and received[0][1] != "live-protocol-check" and len(received[0][1]) == 65
    assert "bot_uttered" in events


def test_sign_in_as_a_seeded_customer(visit):
    page = visit.page
    page.get_by_role("button", name="登录").click()
    choice = page.locator(".signin__customer").first
    choice.wait_for()
    visit.customer_id = int(choice.get_attribute("data-customer-id"))
    name = choice.locator(".signin__name").text_content()
    choice.click()
    assert page.locator(".account__name").text_content() == name
    with session_scope(visit.engine) as session:
        customer = get_customer(session, visit.customer_id)
    assert customer.masked_name == name


def test_recommendation_shows_cards_for_real_products(visit, artifacts):
    page = visit.page
    # The assistant's own example of a complete request (category and budget).
    visit.ask("推荐个两千左右的手机", ".rich--products")
    cards = page.locator(".rich--products").last.locator(".product-card")
    assert cards.count() >= 1
    with session_scope(visit.engine) as session:
        for index in range(cards.count()):
            card = cards.nth(index)
            product = get_product_detail(session, int(card.get_attribute("data-product-id")))
            assert product is not None, "a card for a product that is not in the shop"
            assert card.locator(".product-card__title").text_content() == product.title
            assert card.locator(".price").text_content() == f"¥{product.price:,.2f}"
    # Product pictures load from the shop site (category drawings for the seeded products).
    images_ok = """[...document.querySelectorAll('.rich--products .product-card__img')]
        .every(img => img.complete && img.naturalWidth > 0 && !img.src.includes('placeholder'))"""
    try:
        wait_until(page, images_ok, 10_000)
    except AssertionError:
        sources = page.locator(".product-card__img").evaluate_all("els => els.map(e => e.src)")
        raise AssertionError(f"product pictures did not load: {sources}; a card's image should be a "
                             "URL the shop site serves, e.g. /static/<image_ref>") from None
    page.locator(".rich--products").last.scroll_into_view_if_needed()
    screenshot(page, artifacts, "live-desktop-recommendation")


def test_pressing_a_card_button_asks_about_that_product(visit):
    page = visit.page
    if page.locator(".product-card").count() == 0:
        pytest.fail("no product cards to press: the recommendation above did not show any")
    card = page.locator(".rich--products").last.locator(".product-card").first
    title = card.locator(".product-card__title").text_content()
    before = visit.bot_rows()
    card.get_by_role("button", name="问问这款").click()
    visit.wait_answer(before)
    assert user_bubbles(page)[-1] == "问问这款"
    answer = "\n".join(bot_bubbles(page)[-3:])
    assert title in answer, answer


def test_order_status_shows_the_timeline(visit, artifacts):
    page = visit.page
    visit.ask("查一下订单", ".rich--order")
    timeline = page.locator(".rich--order").last
    order_no = timeline.get_attribute("data-order-no")
    with session_scope(visit.engine) as session:
        order = get_order(session, visit.customer_id, order_no)
    assert order is not None, f"order {order_no} is not the signed-in customer's"
    assert timeline.locator(".badge").text_content() == order.status_label
    shipment = order.shipment
    if shipment and shipment.events:
        latest = timeline.locator(".timeline__event--latest .timeline__text").text_content()
        assert latest == shipment.latest_event.description
    # The expected delivery shown is the one the shop's rules give for this order now.
    from shop.domain.clock import utc_now
    from shop.domain.delivery import estimate_for_order
    estimate = estimate_for_order(order, utc_now())
    eta = timeline.locator(".order-ship__eta")
    if estimate is None:
        assert eta.count() == 0
    else:
        assert eta.text_content() == estimate.text
    timeline.scroll_into_view_if_needed()
    screenshot(page, artifacts, "live-desktop")


def test_enter_while_composing_sends_nothing(visit):
    page = visit.page
    sent_before = len(user_bubbles(page))
    cdp = page.context.new_cdp_session(page)
    page.focus("#composer-input")
    cdp.send("Input.imeSetComposition", {"text": "dingdan", "selectionStart": 7, "selectionEnd": 7})
    page.keyboard.press("Enter")
    page.wait_for_timeout(1000)
    assert len(user_bubbles(page)) == sent_before
    cdp.send("Input.insertText", {"text": ""})
    page.fill("#composer-input", "")


def test_hostile_text_is_shown_as_text(visit):
    page = visit.page
    visit.ask(XSS)
    assert user_bubbles(page)[-1] == XSS
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert page.locator("#messages img[src='x']").count() == 0
    assert visit.dialogs == []


def test_reload_keeps_the_conversation(visit):
    page = visit.page
    before_users = user_bubbles(page)
    before_session = session_id(page)
    cards_before = page.locator(".product-card").count()
    page.reload()
    wait_connected(page, timeout=ANSWER_TIMEOUT)
    assert user_bubbles(page) == before_users
    assert page.locator(".product-card").count() == cards_before
    assert session_id(page) == before_session
    assert page.locator(".account__name").is_visible()   # still signed in
    visit.ask("谢谢")
    assert not any(word in bot_bubbles(page)[-1] for word in FALLBACK_WORDS)


def test_phone_width_with_the_real_assistant(browser, live_stack, artifacts):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.set_default_timeout(ANSWER_TIMEOUT)
        page.goto(live_stack.web_url + "/")
        wait_connected(page, timeout=ANSWER_TIMEOUT)
        type_and_send(page, "推荐个手机")
        page.locator(".rich--products").wait_for(timeout=ANSWER_TIMEOUT)
        page.wait_for_timeout(800)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator(".rich--products").scroll_into_view_if_needed()
        screenshot(page, artifacts, "live-phone")
    finally:
        context.close()
