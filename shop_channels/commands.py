"""Which messages starting with "/" a shopper may send.

Rasa reads a message starting with "/" as ``/intent{"entity": value}`` and skips the NLU:
that is how the assistant's own buttons work (``actions.formatting.intent_payload``). Left
open, it also lets anyone type ``/restart`` or ``/session_start`` (Rasa's internal intents:
the conversation is reset and nothing is answered), any intent with any confidence, or
entities nested hundreds of levels deep (a 500 further down).

So a "/" message passes only when it looks like a button payload: an intent the buttons
use, no confidence, and at most a flat object of short scalar values for entities the
domain declares. Anything else gets a polite reply from the channel and never reaches the
conversation.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

from shop_channels.validation import strict_json_loads

# Intents the assistant's buttons send (actions/*.py, domain.yml responses, the
# clarification buttons in actions/clarify.py). tests/shop_channels/test_channel_binding.py keeps
# this in step with the domain.
BUTTON_INTENTS = frozenset({
    "greet", "goodbye", "thank", "inform", "purchase", "product_inquiry", "after_sales",
    "order_status", "ask_recommendation", "human_handoff", "bot_challenge",
})
# Entities of the domain: buttons carry some, clarification re-sends the shopper's own.
ENTITIES = frozenset({
    "order_no", "product", "brand", "category", "color", "size", "budget_min", "budget_max",
    "quantity", "phone_suffix", "service_type", "reason", "topic", "reference", "product_id",
    "order_item_id",
})
MAX_ENTITIES = 12
MAX_VALUE_CHARS = 100

COMMAND_REPLY = ("抱歉，我没法执行以“/”开头的指令哦。请直接用文字告诉我您想做什么，"
                 "比如“查一下订单”“我要退货”或“转人工”。")

# Entity values are words and numbers: no markup. Rasa decodes them after the channel has
# cleaned the text, so "\\ud800" or "\\u200b" escaped in the payload arrive as a lone
# surrogate or a zero-width space: no character of Unicode's "Other" categories either
# (control, format such as zero-width and direction marks, surrogate, private use, unassigned).
_MARKUP = re.compile(r"[<>]")

_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]{1,40})(?P<entities>\{.*\})?$", re.DOTALL)


def _plain_text(value: str) -> bool:
    return not _MARKUP.search(value) and not any(unicodedata.category(ch)[0] == "C" for ch in value)


def is_command(text: str) -> bool:
    """Rasa's own test (after stripping) for a message it will not send to the NLU."""
    return text.strip().startswith("/")


def refused_command(text: str) -> Optional[str]:
    """Why a "/" message is refused (a short code for the log), or None when it may pass
    (not a command, or a well-formed button payload)."""
    if not is_command(text):
        return None
    match = _PAYLOAD.match(text.strip())
    if not match:
        return "not_a_button_payload"
    if match.group("intent") not in BUTTON_INTENTS:
        return "intent_not_offered"
    raw = match.group("entities")
    if raw is None:
        return None
    try:
        # Strict: NaN, Infinity and 1e999 were recorded as such in the conversation store.
        entities = strict_json_loads(raw)
    except ValueError:
        return "entities_not_json"
    if not isinstance(entities, dict) or len(entities) > MAX_ENTITIES:
        return "entities_not_an_object"
    for name, value in entities.items():
        if name not in ENTITIES:
            return "unknown_entity"
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return "entity_not_a_scalar"
        if len(str(value)) > MAX_VALUE_CHARS:
            return "entity_too_long"
        if not _plain_text(str(value)):
            return "entity_not_plain_text"
    return None
