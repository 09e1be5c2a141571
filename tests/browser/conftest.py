"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, the real shop
site, and either the real assistant (``live_stack``) or a real socket.io server we control
(``fake_rasa``) for deterministic rendering tests."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from tests.browser.fake_rasa import FakeRasa, echo
from tests.browser.helpers import DESKTOP, PageProblems, wait_connected
from tests.shop_site.harness import seed_database, start_site
from tests.support.required import unavailable
from tests.support.stack import REPO_ROOT, free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"


# Package scope, not session: Playwright's sync API keeps an asyncio event loop running in
# the main thread while it is open, and every later test that calls asyncio.run() (tests/unit,
# tests/integration) would fail with "cannot be called from a running event loop".
@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk "
                    "(.ci/run does), or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Debian's Chromium, never a downloaded one: nothing is fetched at test time.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- the page against a socket.io server the test controls -----------------------------

@pytest.fixture(scope="session")
def fake_rasa() -> Iterator[FakeRasa]:
    server = FakeRasa(free_port()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def widget_site(tmp_path_factory, fake_rasa):
    workdir = tmp_path_factory.mktemp("widget-site")
    # Desk hours other than the default: the page must show the setting, not a copy of its own.
    site = start_site(workdir, seed_database(workdir), {"RASA_URL": fake_rasa.url, "SHOP_DESK_HOURS": "8:30-21:00"})
    yield site
    site.stop()


@pytest.fixture
def open_widget(browser, widget_site, fake_rasa):
    """open_widget(viewport=DESKTOP) -> (page, problems): a fresh browser profile on the page,
    connected to the fake server, with the fake server's event log cleared."""
    contexts = []

    def opener(viewport=DESKTOP, **context_options):
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      **context_options)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems(page)
        fake_rasa.reply = echo
        fake_rasa.clear()
        page.goto(widget_site.url + "/")
        wait_connected(page)
        fake_rasa.wait_for("session_request")
        return page, problems

    yield opener
    for context in contexts:
        context.close()
