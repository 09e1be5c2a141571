"""Small helpers the browser test modules share (driving and reading the chat page)."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import List

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
