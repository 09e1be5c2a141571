"""A message the NLU found no readable Chinese in (``shop_nlu/readability.py``: "....", 500
emoji, markup, SQL, a base64 blob, another language, or digits nobody asked for): a polite
reply with the main things the assistant does, logged, and nothing else — no slot, no
request, no ticket, no order touched.

The verdict comes in the parse data (``latest_message["readability"]``), set by the NLU's
readability guard; this module only words the reply.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import INTENT_CHOICES
from actions.formatting import buttons, intent_payload

logger = logging.getLogger(__name__)

# shop_nlu.readability.PARSE_KEY (the actions do not import the NLU; a unit test keeps them equal).
PARSE_KEY = "readability"
# Input that looks like an attack rather than a confused shopper: logged as a warning.
HOSTILE_KINDS = frozenset({"markup", "code", "blob"})

# The main things the assistant does, offered as buttons (titles: the clarifying question's).
MAIN_OPTIONS = ("order_status", "product_inquiry", "after_sales", "ask_recommendation", "human_handoff")
NOT_UNDERSTOOD = ("不好意思，没太看懂您的意思～您可以说说想咨询什么：查订单物流、咨询商品、售后退换，"
                  "或者让我推荐商品；也可以说“转人工”。")
LINK = "抱歉，我打不开链接～您可以直接告诉我商品名称或订单号，说说想咨询什么；也可以说“转人工”。"
# In a form, whose question is asked again right after: the apology alone, no other flows offered.
IN_FORM = "不好意思，没太看懂您的意思～"
FOREIGN_IN_FORM = "抱歉，我目前只能看懂中文哦～（Sorry, I can only help in Chinese for now.）"
FOREIGN = ("抱歉，我目前只能看懂中文哦～请用中文告诉我您想咨询什么，比如{examples}；也可以说“转人工”。"
           "（Sorry, I can only help in Chinese for now.）")
# How to ask in Chinese, by what an English message most likely meant (the hint).
EXAMPLES = {
    "order_status": "“我的订单到哪了”",
    "after_sales": "“我要退货”",
    "ask_recommendation": "“推荐一款耳机”",
    "product_inquiry": "“这款耳机防水吗”",
    "purchase": "“能开发票吗”",
}
DEFAULT_EXAMPLES = ("order_status", "after_sales", "ask_recommendation")


def readability(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The NLU's verdict on the latest message, or None when it was readable."""
    verdict = (tracker.latest_message or {}).get(PARSE_KEY)
    return verdict if isinstance(verdict, dict) and verdict.get("kind") else None


def foreign_reply(verdict: Dict[str, Any]) -> str:
    """"请用中文", with examples; for English the likeliest meaning's example first."""
    guessed = verdict.get("classifier_intent") if verdict.get("language") == "en" else None
    order = ([guessed] if guessed in EXAMPLES else []) + [i for i in DEFAULT_EXAMPLES if i != guessed]
    return FOREIGN.format(examples="、".join(EXAMPLES[i] for i in order[:3]))


def answer_unreadable(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answers a message with no readable content; False (nothing said) for a readable one."""
    verdict = readability(tracker)
    if verdict is None:
        return False
    kind = verdict.get("kind")
    text = (tracker.latest_message or {}).get("text") or ""
    log = logger.warning if kind in HOSTILE_KINDS else logger.info
    # Kind and length only: the text may be hostile (log injection) or personal.
    log("unreadable message in conversation %s: %s%s, %d characters", tracker.sender_id, kind,
        f" ({verdict['language']})" if verdict.get("language") else "", len(text))
    if (tracker.active_loop or {}).get("name"):
        dispatcher.utter_message(text=FOREIGN_IN_FORM if kind == "foreign" else IN_FORM)
        return True
    if kind == "foreign":
        reply = foreign_reply(verdict)
    elif kind == "link":
        reply = LINK
    else:
        reply = NOT_UNDERSTOOD
    dispatcher.utter_message(text=reply, buttons=buttons((INTENT_CHOICES[intent], intent_payload(intent))
                                                     for intent in MAIN_OPTIONS))
    return True
