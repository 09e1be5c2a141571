"""服务咨询: repair points near the shopper, installation fees, when the installer comes.

A thin adapter over ``assistant.services`` for the actions that answer topics
(``actions/purchase.py``, ``actions/after_sales.py``): it reads the message, the verified
shopper and the product in view from the tracker, runs the answer in one unit of work off
the event loop, and sends the replies. Returns False, saying nothing, when the message asks
none of these questions, so the calling action carries on with its own answer.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import buttons
from actions.offers import offer
from actions.product import products_on_screen
from actions.support import as_product_id, current_customer_id, db, first_entity
from assistant.offers import OFFER_HANDOFF
from assistant.services import SERVICE_TOPICS, ServiceQuestion, answer_service_question, may_name_a_place, what_is_asked
from shop.domain.clock import utc_now
from shop.domain.numbers import is_order_number

__all__ = ["SERVICE_TOPICS", "answer_service_topics", "service_answer_events"]


def _slot_set_after_last_list(tracker: Tracker) -> bool:
    """Whether the product in view (the product_id slot) was chosen after the assistant's last
    list of products: then it is the product in play, else the list is."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "product_id" and event.get("value"):
            return True
        if event.get("event") == "bot" and ((event.get("data") or {}).get("custom") or {}).get("type") == "product_cards":
            return False
        if event.get("event") == "bot" and any(str(b.get("payload") or "").startswith("/product_inquiry{")
                                               for b in (event.get("data") or {}).get("buttons") or []):
            return False
    return True


def _question(tracker: Tracker, topics: Sequence[str]) -> ServiceQuestion:
    order_no = first_entity(tracker, "order_no")
    named = as_product_id(first_entity(tracker, "product_id"))
    in_view = as_product_id(tracker.get_slot("product_id")) if _slot_set_after_last_list(tracker) else None
    # "推荐个空调" then "那安装要钱吗": the products just listed are what the question is about.
    shown = () if named or in_view else tuple(pid for _, pid in products_on_screen(tracker))
    return ServiceQuestion(
        text=(tracker.latest_message or {}).get("text") or "",
        topics=tuple(topics),
        customer_id=current_customer_id(tracker),
        category=first_entity(tracker, "category"),
        product_id=named or in_view,
        products_shown=shown,
        order_no=order_no if order_no and is_order_number(order_no) else None,
    )


async def answer_service_topics(dispatcher: CollectingDispatcher, tracker: Tracker, topics: Sequence[str]) -> bool:
    """Answer a service question in the latest message; True when it was one (and answered)."""
    return await service_answer_events(dispatcher, tracker, topics) is not None


async def service_answer_events(dispatcher: CollectingDispatcher, tracker: Tracker,
                                topics: Sequence[str]) -> Optional[List[Dict[str, Any]]]:
    """Answer a service question in the latest message: the events to return (the offer of a
    person, when the reply ends with it, so "就按你说的办吧" takes it), or None when the
    message asks none."""
    question = _question(tracker, topics)
    if not (what_is_asked(question.text, question.topics) or may_name_a_place(question.text, question.topics)):
        return None                       # no database work for everything else
    reply = await db(answer_service_question, question, utc_now())
    if reply is None:
        return None
    *texts, last = reply.texts
    for text in texts:
        dispatcher.utter_message(text=text)
    if reply.offer_handoff:
        dispatcher.utter_message(text=last, buttons=buttons([("转人工催安装", "/human_handoff")]))
        return [offer(OFFER_HANDOFF)]
    dispatcher.utter_message(text=last)
    return []
