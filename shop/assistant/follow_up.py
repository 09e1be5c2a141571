"""Follow-ups read in context: "能快点吗", "那钱哪天退回来", "就按你说的办吧".

About a quarter of what real shoppers type only makes sense after the previous turn. The NLU
classifies one message at a time; when it is unsure about such a fragment (the fallback
classifier would ask "您是想：…？"), the conversation already says what it is about: the
shopper's previous question. This rule decides when an unsure message is a follow-up of that
question, and so should be answered as the same intent (with the previous topic when the
fragment names none). Pure: no Rasa, unit-tested in tests/unit/test_follow_up.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, List, Mapping, Optional, Sequence

# Questions whose answer a fragment can continue (small talk cannot be "continued").
FOLLOW_UP_INTENTS = ("order_status", "after_sales", "purchase", "product_inquiry")
# A fragment is short: longer messages carry their own meaning (or are new questions).
MAX_FRAGMENT_CHARS = 16
_CONNECTIVE = re.compile(r"^(那|那么|然后|可是|但是|所以|还有|就|也|再|还|如果|要是|这样|那样)")
_CUE = re.compile(r"(快点|快一点|尽快|赶紧|多久|多长时间|什么时候|啥时候|哪天|几天|怎么办|咋办|然后呢|"
                  r"可以吗|行吗|能吗|好吗|可以不|行不|呢[?？]?$|吗[?？]?$|按你说的|就这样|照你说的)")
_CONTENT = re.compile(r"[\w\u4e00-\u9fff]")


@dataclass(frozen=True)
class FollowUp:
    intent: str
    entities: List[dict]


def _content_length(text: str) -> int:
    return len(_CONTENT.findall(text or ""))


def is_fragment(text: str) -> bool:
    """Short, and shaped like a continuation: a connective at the start or a follow-up cue."""
    text = (text or "").strip()
    if not text or _content_length(text) > MAX_FRAGMENT_CHARS:
        return False
    return bool(_CONNECTIVE.search(text) or _CUE.search(text))


def follow_up(
    text: str,
    ranking: Sequence[Mapping],
    entities: Sequence[Mapping],
    previous_intent: Optional[str],
    previous_entities: Iterable[Mapping],
) -> Optional[FollowUp]:
    """The intent (and entities) to answer an unsure message with, or None to ask back.

    Only a fragment that follows a shop question counts, and only when the previous intent
    is among the two meanings the classifier found likeliest or the fragment is a bare
    continuation ("那怎么办", "能快点吗"): a new question in its own words is left alone."""
    if previous_intent not in FOLLOW_UP_INTENTS or not is_fragment(text):
        return None
    top_two = [r.get("name") for r in ranking if r.get("name") != "nlu_fallback"][:2]
    continuation = bool(_CONNECTIVE.search(text.strip())) or _content_length(text) <= 6
    if previous_intent not in top_two and not continuation:
        return None
    carried = [dict(e) for e in entities]
    if not any(e.get("entity") == "topic" for e in carried):
        carried += [dict(e) for e in previous_entities if e.get("entity") == "topic"]
    return FollowUp(previous_intent, carried)


def previous_user_event(events: Sequence[Mapping]) -> Optional[Mapping]:
    """The shopper's message before the latest one (None at the start of a conversation).
    A restart or a new session ends the context."""
    seen_latest = False
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            return None
        if kind == "user":
            if seen_latest:
                return event
            seen_latest = True
    return None
