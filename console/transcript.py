"""The conversation before the hand-off, read through Rasa's own tracker-store classes (the
store the Rasa server writes, named by its endpoints file: ``Settings.rasa_endpoints``,
``RASA_ENDPOINTS`` read at start-up), never by SQL on Rasa's tables.

Rasa is imported on first use (seconds), in a worker thread; the store is opened once per file.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import List, Optional

from shop.identity import conversation_id_for
from shop.settings import REPO_ROOT

logger = logging.getLogger("console.transcript")

_lock = threading.Lock()
_stores: dict = {}


@dataclass(frozen=True)
class Line:
    who: str          # shopper / bot (and, from the desk: agent / system)
    text: str
    at: datetime
    agent_name: Optional[str] = None


def with_desk_lines(lines: List[Line], desk: list, zone: tzinfo) -> List[Line]:
    """The assistant's part and the desk's (``shop.db.handoff_desk.DeskMessage``: what the
    shopper and the agent said while the desk had the conversation) in time order, the times
    in ``zone`` (the shop's)."""
    merged = lines + [Line(m.author, m.text, m.created_at, m.agent_name) for m in desk]
    return sorted((replace(line, at=line.at.astimezone(zone)) for line in merged), key=lambda line: line.at)


def _open_store(endpoints: Path):
    with _lock:
        if endpoints not in _stores:
            from rasa.shared.core.domain import Domain
            from shop_nlu.improve.conversations import open_store

            _stores[endpoints], shown = open_store(endpoints, Domain.load(str(REPO_ROOT / "domain.yml")))
            logger.info("reading conversations from %s", shown)
        return _stores[endpoints]


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


def conversation_lines(endpoints: Path, sender_id: str, customer_id: Optional[int], limit: int = 400) -> List[Line]:
    """Every message of the conversation (all sessions), oldest first. Blocking: call it
    from a worker thread."""
    return lines_of_conversation(endpoints, conversation_id_for(sender_id, customer_id), limit)


def lines_of_conversation(endpoints: Path, conversation_id: str, limit: int = 400) -> List[Line]:
    """The same by Rasa's conversation id (as the analytics tables key conversations)."""
    from rasa.shared.core.events import BotUttered, UserUttered
    from shop_nlu.improve.conversations import run_coroutine

    store = _open_store(endpoints)
    tracker = run_coroutine(store.retrieve_full_tracker(conversation_id))
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
