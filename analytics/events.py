"""What a Rasa event says about a shopper's turn (pure; no database).

The outcome vocabulary is the improvement loop's (``shop_nlu.improve.conversations``), so the
dashboard's "not understood" and the messages ``make improve`` lists are the same turns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from shop_nlu.improve.conversations import (CLARIFY_ACTIONS, CORE_FALLBACK_ACTIONS, OUT_OF_SCOPE_ACTIONS,
                                            OUT_OF_SCOPE_INTENT)

ACTION_LISTEN = "action_listen"
HANDOFF_ACTIONS = frozenset({"action_handoff"})
NLU_FALLBACK_INTENT = "nlu_fallback"
BUTTON_PREFIX = "/"
# Published by the Rasa server's hand-off gate (shop_channels/handoff_gate.py) when a shopper
# cancels a waiting ticket ("取消人工"): the cancel never reaches Rasa's dialogue, so it is not
# in the conversation's own events, but it goes through the same event broker, so the
# analytics tables know it and their ``handed_off`` means what the dashboard shows.
HANDOFF_CANCELLED = "handoff_cancelled"


def handoff_cancelled_event(conversation_id: str, ticket_no: str, timestamp: float) -> Dict[str, Any]:
    """The event as the broker publishes it (the Rasa conversation id as ``sender_id``, like
    Rasa's own events; a POSIX timestamp)."""
    return {"event": HANDOFF_CANCELLED, "sender_id": conversation_id, "timestamp": float(timestamp),
            "ticket_no": ticket_no}


@dataclass(frozen=True)
class TurnOutcome:
    fallback: bool = False
    out_of_scope: bool = False
    clarification: bool = False
    handoff: bool = False
    listens: bool = False


@dataclass(frozen=True)
class UserTurn:
    text: Optional[str]
    intent: Optional[str]
    confidence: Optional[float]
    outcome: TurnOutcome


def is_button_payload(text: Optional[str]) -> bool:
    return (text or "").lstrip().startswith(BUTTON_PREFIX)


def user_turn(event: Dict[str, Any]) -> UserTurn:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = intent.get("name") if isinstance(intent.get("name"), str) else None
    confidence = intent.get("confidence")
    confidence = float(confidence) if isinstance(confidence, (int, float)) else None
    text = event.get("text") if isinstance(event.get("text"), str) else None
    return UserTurn(text=text, intent=name, confidence=confidence, outcome=TurnOutcome(
        out_of_scope=name == OUT_OF_SCOPE_INTENT, clarification=name == NLU_FALLBACK_INTENT))


def action_outcome(name: str) -> TurnOutcome:
    return TurnOutcome(
        fallback=name in CORE_FALLBACK_ACTIONS,
        out_of_scope=name in OUT_OF_SCOPE_ACTIONS,
        clarification=name in CLARIFY_ACTIONS,
        handoff=name in HANDOFF_ACTIONS,
        listens=name == ACTION_LISTEN,
    )
