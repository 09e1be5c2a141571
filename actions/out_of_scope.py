"""Out of scope: say so politely, say what the assistant can do, and, when the NLU was not
sure, offer the likeliest shop meaning as a button (the shopper may have meant it)."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import INTENT_CHOICES, resend_with_entities
from actions.contact import say_how_to_reach
from actions.formatting import buttons
from actions.offers import OFFER_HANDOFF, offer
from actions.recommend import ActionRecommend, list_refinement, say_not_carried
from actions.support import ShopAction
from actions.unreadable import answer_unreadable
from assistant.product_facts import asked_aspects
from assistant.typed_answers import only_leads_in
from assistant.mood import APOLOGY, sounds_angry

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
        from actions.orders import ActionOrderStatus, gives_awaited_digits  # actions.orders builds on this module's neighbours

        if gives_awaited_digits(tracker):
            # "打错了 是3949" while a guest's look-up waits for the digits: the answer
            # ("3949" alone is marked as digits: answered before the unreadable reply).
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        if answer_unreadable(dispatcher, tracker):
            # "？？？", 500 emoji, "<script>", another language: nothing to answer but how to ask.
            return []
        if only_leads_in(text):
            # "我想问下": the question is still to come.
            dispatcher.utter_message(text="您请说～订单、商品、售后、优惠的问题都可以问我。")
            return []
        if tracker.get_slot("product_id") and asked_aspects(text):
            # "多少升啊" with a rice cooker in view: its capacity from the catalogue.
            from actions.product import ActionProductInquiry  # it builds on this module's neighbours

            return await ActionProductInquiry().handle(dispatcher, tracker, domain)
        if await list_refinement(tracker):
            # "幼猫吃的" right after a list of cat food: the list narrowed, not off topic.
            return await ActionRecommend().handle(dispatcher, tracker, domain)
        reached = say_how_to_reach(dispatcher, text)
        if reached is not None:
            # "你们几点下班", "怎么联系你们": how to reach the shop is a shop question.
            return reached
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
