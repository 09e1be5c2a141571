"""Helpers for the action tests (tests/actions/): a tracker as Rasa would send it, running an
action the way the action server does, and a signed customer token. A plain module, so the
tests import it; the fixtures stay in tests/actions/conftest.py."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

SECRET = "action-tests-secret-0123456789abcdefghij"


def tracker(
    text: str = "",
    intent: str = "",
    entities: Optional[Dict[str, Any]] = None,
    slots: Optional[Dict[str, Any]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    channel: str = "rest",
    ranking: Optional[List[Dict[str, Any]]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    parsed = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        "metadata": metadata or {},
        "intent_ranking": ranking or [],
    }
    history = list(events or []) + [
        {"event": "user", "text": text, "parse_data": parsed, "input_channel": channel, "metadata": metadata or {}}
    ]
    return Tracker(f"test-{uuid.uuid4().hex[:8]}", dict(slots or {}), parsed, history, False, None, {}, "action_listen")


def run_action(action, t: Tracker, domain: Optional[Dict[str, Any]] = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain or {}))
    return dispatcher.messages, events


def token(customer_id: int) -> Dict[str, str]:
    from shop.identity import issue_customer_token

    return {"customer_token": issue_customer_token(customer_id, secret=SECRET)}
