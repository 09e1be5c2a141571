"""The chat widget refused a connection (too many chat windows open from one network:
CLIENT_MAX_CONNECTIONS, shop_channels/socketio.py), against the real Rasa server in headless
Chromium. Before, the shopper saw only "暂时连接不上客服，正在重试…" — as if the server were down —
whichever way it was refused: the socket.io refusal's polite line was dropped by the widget,
and an engine.io refusal is an HTTP 401 that a browser's WebSocket cannot read. Now the page
shows the server's polite line in both cases (engine.io's refusal closes the WebSocket with
code 4429 and the line as reason), and connects once a place is free."""
from __future__ import annotations

import json

import pytest
import requests

from shop_channels.socketio import TOO_MANY_CONNECTIONS
from tests.browser.helpers import DESKTOP, PageProblems, wait_connected, wait_until
from tests.support.stack import latest_model, start_stack

pytestmark = pytest.mark.browser

BANNER_SAYS_REFUSED = f"document.getElementById('conn-banner').textContent === {TOO_MANY_CONNECTIONS!r} " \
                      "&& !document.getElementById('conn-banner').hidden"
NOT_CONNECTED = "document.getElementById('conn-dot').dataset.state !== 'connected'"
# A refused page retries at the longest back-off (8 s, jittered).
RECONNECTS_WITHIN_MS = 30_000


@pytest.fixture(scope="module")
def one_window_stack(tmp_path_factory):
    model = latest_model()
    if model is None:
        pytest.skip("no trained model in models/: run `make train` (make test does it)")
    stack = start_stack(tmp_path_factory.mktemp("refused-widget"), model,
                        extra_env={"CLIENT_MAX_CONNECTIONS": "1"})
    yield stack
    stack.stop()


@pytest.fixture
def open_page(browser, one_window_stack):
    contexts = []

    def opener():
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems(page)
        page.goto(one_window_stack.web_url + "/")
        page.wait_for_selector("body[data-ready=true]")
        return context, page, problems

    yield opener
    for context in contexts:
        context.close()


def _polling(stack, sid: str = "") -> str:
    return f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling" + (f"&sid={sid}" if sid else "")


def test_an_engineio_refusal_is_told_in_chinese_and_the_page_connects_once_a_place_is_free(
        one_window_stack, open_page):
    # The one engine.io session this address may hold without a socket.io connection.
    held = requests.get(_polling(one_window_stack), timeout=10)
    assert held.status_code == 200
    sid = json.loads(held.text[1:])["sid"]
    try:
        # Another polling handshake: 401 whose JSON carries the line (for non-browser clients).
        refused = requests.get(_polling(one_window_stack), timeout=10)
        assert refused.status_code == 401
        assert refused.json() == {"error": "too_many_connections", "message": TOO_MANY_CONNECTIONS}

        _, page, problems = open_page()
        wait_until(page, BANNER_SAYS_REFUSED, 15_000)
        assert page.evaluate(NOT_CONNECTED)
    finally:
        requests.post(_polling(one_window_stack, sid), data="1", timeout=10)      # engine.io close
    wait_connected(page, RECONNECTS_WITHIN_MS)
    assert page.evaluate("document.getElementById('conn-banner').hidden")
    assert not [e for e in problems.errors if "pageerror" in e], problems.errors


def test_a_socketio_refusal_shows_the_servers_line_until_the_other_window_closes(one_window_stack, open_page):
    first_context, first, _ = open_page()
    wait_connected(first)
    _, second, problems = open_page()
    wait_until(second, BANNER_SAYS_REFUSED, 15_000)
    assert second.evaluate(NOT_CONNECTED)
    first_context.close()                                 # the other window closes: a place is free
    wait_connected(second, RECONNECTS_WITHIN_MS)
    assert second.evaluate("document.getElementById('conn-banner').hidden")
    assert not [e for e in problems.errors if "pageerror" in e], problems.errors
