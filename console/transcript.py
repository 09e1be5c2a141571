"""The conversation before the hand-off, read through Rasa's own tracker-store classes (the
store the Rasa server writes, from ``$RASA_ENDPOINTS``), never by SQL on Rasa's tables.

Rasa is imported on first use (seconds), in a worker thread; the store is opened once.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

from shop.identity import conversation_id_for

logger = logging.getLogger("console.transcript")

_lock = threading.Lock()
_store = None


@dataclass(frozen=True)
class Line:
    who: str          # shopper / bot
    text: str
    at: datetime


def _open_store():
    global _store
    with _lock:
        if _store is None:
            from rasa.shared.core.domain import Domain
            from shop_nlu.improve.conversations import open_store

            endpoints = Path(os.environ.get("RASA_ENDPOINTS", "endpoints.yml"))
            repo = Path(__file__).resolve().parent.parent
            _store, shown = open_store(endpoints if endpoints.is_absolute() else repo / endpoints,
                                       Domain.load(str(repo / "domain.yml")))
            logger.info("reading conversations from %s", shown)
        return _store


def _text_of_bot(event) -> Optional[str]:
    if event.text:
        return event.text
    data = event.data or {}
    custom = data.get("custom")
    if isinstance(custom, dict):
        kind = custom.get("type") or next(iter(custom), "custom")
        return f"［卡片：{kind}］"
    if data.get("buttons"):
        return "［按钮］" + "、".join(str(b.get("title", "")) for b in data["buttons"] if isinstance(b, dict))
    return None


def conversation_lines(sender_id: str, customer_id: Optional[int], limit: int = 400) -> List[Line]:
    """Every message of the conversation (all sessions), oldest first. Blocking: call it
    from a worker thread."""
    from rasa.shared.core.events import BotUttered, UserUttered
    from shop_nlu.improve.conversations import run_coroutine

    store = _open_store()
    tracker = run_coroutine(store.retrieve_full_tracker(conversation_id_for(sender_id, customer_id)))
    if tracker is None:
        return []
    lines: List[Line] = []
    for event in tracker.events:
        at = datetime.fromtimestamp(event.timestamp, tz=timezone.utc)
        if isinstance(event, UserUttered) and event.text:
            lines.append(Line("shopper", event.text, at))
        elif isinstance(event, BotUttered):
            text = _text_of_bot(event)
            if text:
                lines.append(Line("bot", text, at))
    return lines[-limit:]
