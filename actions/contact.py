"""怎么联系商家 / 商家电话多少 / 你们几点下班: how to reach the shop, answered directly
(``assistant.contact`` decides, ``content/faq.yml`` says it) with a hand-off offered, wherever
the NLU put the question (unsure, out of scope)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import buttons
from actions.offers import OFFER_HANDOFF, offer
from assistant.contact import contact_topic
from assistant.faq import faq_book

HANDOFF_OFFER = "需要我现在为您转接人工客服吗？"


def say_how_to_reach(dispatcher: CollectingDispatcher, text: str) -> Optional[List[Dict[str, Any]]]:
    """The answer and the offer (a "好的" then hands off), or None when ``text`` does not ask
    how to reach the shop."""
    topic = contact_topic(text)
    answer = faq_book().answer(topic) if topic else None
    if answer is None:
        return None
    dispatcher.utter_message(text=answer.for_question(text))
    dispatcher.utter_message(text=HANDOFF_OFFER, buttons=buttons([("转人工", "/human_handoff")]))
    return [offer(OFFER_HANDOFF)]
