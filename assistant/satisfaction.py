"""When the assistant asks a shopper how satisfied they are (CSAT) at a goodbye: only after it
saw the conversation through on its own. The question itself and how answers read are
``shop.domain.satisfaction``'s; the desk asks after its own closes (``shop.db.handoff_desk``).
No Rasa: the events are the tracker's dicts."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

# The turns that say the assistant did not resolve it (the analytics' 未解决的对话 rule:
# the core fallback, the out-of-scope answer, a hand-off).
NOT_RESOLVED = {"action_handoff", "action_default_fallback", "utter_default", "action_out_of_scope"}
# Messages that are no request of their own.
SMALL_TALK = {"greet", "goodbye", "thank", "affirm", "deny"}


def saw_it_through(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the session's events (up to the goodbye being answered) show the assistant
    answering at least one request on its own: a message with another intent than small talk,
    and no fallback, out-of-scope answer or hand-off since the session started."""
    asked, failed = False, False
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            asked, failed = False, False
        elif kind == "action" and event.get("name") in NOT_RESOLVED:
            failed = True
        elif kind == "bot" and (event.get("metadata") or {}).get("utter_action") == "utter_default":
            failed = True
        elif kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent and intent not in SMALL_TALK:
                asked = True
    return asked and not failed
