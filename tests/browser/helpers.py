"""Small helpers the browser test modules share (driving and reading the chat page)."""
from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Iterator, List

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 812}



def wait_until(page, expression: str, timeout: float = 15_000) -> None:
    """Poll a JavaScript expression until it is truthy. (page.wait_for_function evaluates
    its predicate with eval, which the page's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} ms: {expression}")
        time.sleep(0.05)


def wait_connected(page, timeout: float = 15_000) -> None:
    page.wait_for_selector("body[data-ready=true]", timeout=timeout)
    wait_until(page, "document.getElementById('conn-dot').dataset.state === 'connected'", timeout)


def session_id(page) -> str:
    return json.loads(page.evaluate("localStorage.getItem('qy-chat/v1/session')"))


def type_and_send(page, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")


def user_bubbles(page) -> List[str]:
    return page.locator(".msg--user .bubble").all_text_contents()


def bot_bubbles(page) -> List[str]:
    return page.locator(".msg--bot:not(.msg--typing) .bubble--bot").all_text_contents()


def screenshot(page, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path))
    return path


class PageProblems:
    """Script errors and console errors a page produced (CSP violations show up here)."""

    def __init__(self, page) -> None:
        self.errors: List[str] = []
        self.dialogs: List[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"console: {message.text}"))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)


def console_sign_in(page, url: str, username: str, password: str) -> None:
    """Sign in on the console's login page at ``url`` as a person would, and wait until it
    has left the login page."""
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)


@contextlib.contextmanager
def console_page(browser, url: str, username: str, password: str, viewport=DESKTOP,
                 timeout: float = 15_000) -> Iterator:
    """A page in a fresh browser context (Chinese locale), signed in on the console at ``url``
    as ``username``; the context is closed when the block ends, also when it fails."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(timeout)
        console_sign_in(page, url, username, password)
        yield page
    finally:
        context.close()


def wait_for_analytics(page) -> None:
    """Wait until the console's 数据分析 page has loaded its figures or said it could not
    (the first load computes the period's figures: up to a minute on a loaded machine)."""
    page.wait_for_selector("#analytics[data-loaded='1'], #analytics[data-error]", timeout=60_000)


def console_shop_database(work: Path, accounts, password: str) -> str:
    """A migrated shop database under ``work`` with console ``accounts`` ((user name, display
    name, role) each, all with ``password``); its URL."""
    from console.passwords import hash_password
    from shop.db.console_accounts import create_account
    from shop.db.engine import make_engine, session_scope
    from shop.db.migrate import upgrade_to_head
    from shop.domain.clock import utc_now

    url = f"sqlite:///{work / 'shop.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        for username, name, role in accounts:
            create_account(session, username, name, role, hash_password(password), utc_now())
    engine.dispose()
    return url


@contextlib.contextmanager
def running_console(work: Path, env_extra: dict) -> Iterator[str]:
    """``python -m console`` on a free port with ``env_extra`` over the environment, until the
    block ends; yields its URL (fails with the tail of its log if it never answers)."""
    import os
    import subprocess
    import sys

    import pytest
    import requests

    from tests.support.stack import REPO_ROOT, free_port

    port = free_port()
    env = {**os.environ, "CONSOLE_PORT": str(port), "CONSOLE_HOST": "127.0.0.1", **env_extra}
    log = open(work / "console.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "console"], cwd=REPO_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pytest.fail((work / "console.log").read_text(errors="replace")[-3000:])
        yield url
    finally:
        process.terminate()
        try:
            # A loaded machine can take longer than a quiet one to stop the console's workers.
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
