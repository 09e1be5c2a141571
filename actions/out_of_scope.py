"""Out of scope: say so politely, say what the assistant can do, and, when the NLU was not
sure, offer the likeliest shop meaning as a button (the shopper may have meant it)."""
from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import INTENT_CHOICES, resend_with_entities
from actions.formatting import buttons
from actions.offers import OFFER_HANDOFF, offer
from actions.recommend import ActionRecommend, list_refinement, say_not_carried
from actions.support import ShopAction
from actions.unreadable import answer_unreadable
from assistant.typed_answers import only_leads_in
from assistant.faq import faq_book
from assistant.mood import APOLOGY, sounds_angry

# "你们几点下班", "客服什么时候上班", "周末有人吗".
SERVICE_HOURS = re.compile(r"几点(上班|下班|开始|结束)|(上班|工作|营业|服务|客服)(时间|时段)|什么时候(上班|下班)|"
                           r"周末.{0,4}(有人|上班)|晚上.{0,4}有人|联系(你们|客服|人工)|客服电话|电话多少|怎么找(人工|客服)")
# Below this confidence the out-of-scope guess is "unsure" (the FallbackClassifier threshold).
UNSURE_BELOW = 0.5
# Shop meanings worth offering back (small talk is not).
SHOP_INTENTS = ("order_status", "product_inquiry", "purchase", "after_sales", "ask_recommendation",
                "human_handoff")


class ActionOutOfScope(ShopAction):
    def name(self) -> str:
        return "action_out_of_scope"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        message = tracker.latest_message or {}
        if sounds_angry(message.get("text") or ""):
            # "😡😡😡" / "气死我了": an apology and a way to a person, not "I did not understand".
            dispatcher.utter_message(text=APOLOGY, buttons=buttons([("转人工", "/human_handoff")]))
            return [offer(OFFER_HANDOFF)]
        text = message.get("text") or ""
        if answer_unreadable(dispatcher, tracker):
            # "？？？", 500 emoji, "<script>", another language: nothing to answer but how to ask.
            return []
        if only_leads_in(text):
            # "我想问下": the question is still to come.
            dispatcher.utter_message(text="您请说～订单、商品、售后、优惠的问题都可以问我。")
            return []
        if await list_refinement(tracker):
            # "幼猫吃的" right after a list of cat food: the list narrowed, not off topic.
            return await ActionRecommend().handle(dispatcher, tracker, domain)
        hours = faq_book().answer("service_hours") if SERVICE_HOURS.search(text) else None
        if hours is not None:
            # "你们几点下班": the desk's hours are a shop question.
            dispatcher.utter_message(text=hours.pick())
            return []
        if say_not_carried(dispatcher, message.get("text") or "", {}):
            # "你们有卖自行车吗": a shop question after all, about something the shop does not sell.
            return []
        confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
        runner_up = next((r.get("name") for r in message.get("intent_ranking") or []
                          if r.get("name") in SHOP_INTENTS), None)
        if confidence >= UNSURE_BELOW or runner_up is None:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        dispatcher.utter_message(
            text="这个问题我可能帮不上忙。如果您想问的是下面这个，点一下就好：",
            buttons=buttons([(INTENT_CHOICES[runner_up], resend_with_entities(runner_up, message.get("entities", [])))]),
        )
        return []
