"""The assistant's own yes-or-no questions, as recorded in the ``pending_offer`` slot, and
the answers that say yes to "确认要取消订单 X 吗？". Pure (event dicts in, values out), so the
action server, which asks and carries the cancellation out, and the Rasa server, which must
know a cancellation may have been made when the action server did not answer in time
(``shop_channels.rasa_failures``), read them alike."""
from __future__ import annotations

from typing import Iterable, Mapping, Optional

from assistant.answer_words import ANOTHER_ONE, CONFIRMED, KEEPS_ORDER, NOT_WANTED

OFFER_SLOT = "pending_offer"
OFFER_RECOMMEND = "recommend"          # "需要我为您推荐些商品吗？"
OFFER_HANDOFF = "handoff"              # "需要的话我马上为您转接人工客服"
CANCEL_OFFER_PREFIX = "cancel_order:"  # "确认要取消订单 X 吗？" + the order number


def fresh_offer_in(newest_first: Iterable[Mapping]) -> Optional[str]:
    """The offer made after the shopper's previous message, if any (i.e. in the bot's last
    turn), from a conversation's events as dicts, newest first.

    Only between two messages of the current session: the slots a new session carries over
    (after a silence, or a long conversation's roll-over, shop_channels/rasa_sessions.py) are
    set again right after ``session_started``, and an offer they carry is an old one."""
    current_message_seen = False
    offered: Optional[str] = None
    for event in newest_first:
        kind = event.get("event")
        if kind == "user":
            if current_message_seen:
                return offered
            current_message_seen = True
        elif kind == "slot" and event.get("name") == OFFER_SLOT and current_message_seen and offered is None:
            offered = event.get("value")
            if offered is None:
                return None   # the latest change of the slot cleared it
        elif kind == "session_started":
            return None
    return None


def cancellation_asked(offer: Optional[str]) -> Optional[str]:
    """The order number a pending offer asks to cancel ("确认要取消订单 X 吗？"), else None."""
    if offer and offer.startswith(CANCEL_OFFER_PREFIX):
        return offer[len(CANCEL_OFFER_PREFIX):]
    return None


def another_order_meant(text: str, offer: Optional[str]) -> bool:
    """"不是这个 换一个" / "取消另一个" answering "确认要取消订单 X 吗？": the shopper means another
    order — asked which, X kept."""
    return cancellation_asked(offer) is not None and ANOTHER_ONE.match((text or "").strip()) is not None


def confirms_cancellation(intent: Optional[str], text: str) -> bool:
    """Whether a message answering "确认要取消订单 X 吗？" says yes. "确认取消" reads as a "no"
    to the NLU (取消), so the words count, not only the intent."""
    if KEEPS_ORDER.search(text or ""):
        return False
    return intent == "affirm" or bool(CONFIRMED.search(text or "") or NOT_WANTED.search(text or ""))


def last_cancellation_asked(newest_first: Iterable[Mapping]) -> Optional[str]:
    """The order of the latest "确认要取消订单 X 吗？" in the current session, answered or not:
    a second "确认取消" (a double tap, two tabs) finds the order the first one cancelled."""
    for event in newest_first:
        kind = event.get("event")
        if kind == "session_started":
            return None
        if kind == "slot" and event.get("name") == OFFER_SLOT and cancellation_asked(event.get("value")):
            return cancellation_asked(event.get("value"))
    return None
