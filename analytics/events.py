"""What a Rasa event says about a shopper's turn (pure; no database).

The outcome vocabulary is the improvement loop's (``shop_nlu.improve.conversations``), so the
dashboard's "not understood" and the messages ``make improve`` lists are the same turns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from shop.domain import handoff_queue
from shop_nlu.improve.conversations import (CLARIFY_ACTIONS, CORE_FALLBACK_ACTIONS, OUT_OF_SCOPE_ACTIONS,
                                            OUT_OF_SCOPE_INTENT)

ACTION_LISTEN = "action_listen"
HANDOFF_ACTIONS = frozenset({"action_handoff"})
NLU_FALLBACK_INTENT = "nlu_fallback"
BUTTON_PREFIX = "/"
# The hand-off gate's cancel event: its contract lives in the domain, below both the channel
# that publishes it and this read model.
HANDOFF_CANCELLED = handoff_queue.HANDOFF_CANCELLED
handoff_cancelled_event = handoff_queue.handoff_cancelled_event


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
