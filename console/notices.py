"""What a page says after a redirect (``?error=`` / ``?done=`` …): the link carries a short
code, never the words; the page shows the fixed message the code maps to, and nothing for a
code it does not know — a link someone crafted ("/accounts?error=账号异常，请拨打…") shows
nothing of its text."""
from __future__ import annotations

from typing import Mapping, Optional

from aiohttp import web


def coded_message(request: web.Request, parameter: str, messages: Mapping[str, str]) -> Optional[str]:
    """The fixed message of ``?parameter=<code>``, or None (absent or unknown code)."""
    return messages.get(request.query.get(parameter, ""))


def code_of(message: str, messages: Mapping[str, str], default: str) -> str:
    """The code that says ``message`` (``default`` when none does)."""
    return next((code for code, text in messages.items() if text == message), default)
