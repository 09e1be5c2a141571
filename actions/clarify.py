"""When the NLU is unsure: ask, offering the two most likely meanings as buttons, instead of
answering the wrong question with confidence."""
from __future__ import annotations

from typing import Any, Collection, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import say_how_to_reach
from actions.formatting import buttons, intent_payload
from actions.offers import OFFER_HANDOFF, offer
from actions.recommend import list_refinement, reacts_to_list, say_not_carried
from actions.services import answer_service_topics
from actions.support import ShopAction, current_customer_id, db
from assistant.after_sales_dialogue import SHOP_WIDE_TOPICS
from assistant.bought import THANKS as BOUGHT_THANKS, says_bought
from assistant.faq import answers_asked_together, faq_book
from assistant.follow_up import before_latest_message, previous_question
from assistant.invoices import asks_invoice_progress
from assistant.form_questions import ANYWHERE, question_topics
from assistant.order_matching import (
    ORDER_CARD_TOPICS, ORDER_ONLY_TOPICS, RULE_ANSWERED_ORDER_TOPICS, asks_arrival, asks_look_up, order_clause, refers_to_own_order,
)
from assistant.order_urging import is_urging
from assistant.recommendation_requests import wants_to_buy
from assistant.typed_answers import asks_about_policy, forgets
from shop.db.orders import MAX_RECENT, recent_orders
from shop.domain.assortment import gift_recipient
from shop.domain.policies import POLICY_TOPICS
from assistant.mood import APOLOGY, sounds_angry

# What each meaning is called on a button.
INTENT_CHOICES = {
    "order_status": "查订单/物流",
    "product_inquiry": "咨询商品",
    "purchase": "购买问题（支付/发票/运费/优惠）",
    "after_sales": "售后（退换/维修/退款）",
    "ask_recommendation": "帮我推荐商品",
    "human_handoff": "转人工客服",
    "greet": "打个招呼",
    "thank": "表示感谢",
    "goodbye": "结束对话",
    "bot_challenge": "问问你是谁",
}
FALLBACK_CHOICES = ("order_status", "product_inquiry")


def resend_with_entities(intent: str, entities: List[Dict[str, Any]]) -> str:
    """A button payload with the chosen meaning that re-sends the shopper's own entities."""
    values: Dict[str, str] = {}
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if name and value not in (None, "") and name not in values:
            values[name] = str(value)
    return intent_payload(intent, **values)


async def owns_order_of(tracker: Tracker, text: str, statuses: Optional[Collection[str]] = None) -> bool:
    """Has the signed-in shopper an order of what the message names (in one of ``statuses``)?"""
    from actions.orders import meant_orders  # actions.orders builds on clarify's neighbours

    named = [str(e.get("value")) for e in (tracker.latest_message or {}).get("entities", [])
             if e.get("entity") in ("category", "product")]
    if not named or current_customer_id(tracker) is None:
        return False
    orders = await db(recent_orders, current_customer_id(tracker), limit=MAX_RECENT)
    meant = await meant_orders(text, orders, named)
    return meant.described and any(statuses is None or order.status in statuses for order in meant.orders)


class ActionClarify(ShopAction):
    def name(self) -> str:
        return "action_clarify"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        if asks_invoice_progress(text, [e.get("value") for e in message.get("entities", []) if e.get("entity") == "topic"]):
            # "怎么还没收到发票" (unsure: an order or a purchase question?): the shopper's own
            # invoice, by the order in view — the purchase answer, as the order route gives it.
            from actions.purchase import ActionPurchaseHelp  # it builds on clarify's neighbours

            return await ActionPurchaseHelp().handle(dispatcher, tracker, domain)
        policy = next((e.get("value") for e in message.get("entities", [])
                       if e.get("entity") == "topic" and e.get("value") in (*POLICY_TOPICS, *SHOP_WIDE_TOPICS)), None)
        answer = faq_book().answer(policy) if policy and asks_about_policy(text) else None
        if answer is not None:
            # "七天无理由怎么算的": a policy question the classifier was unsure of; the topic is clear.
            dispatcher.utter_message(text=answer.for_question(text))
            return []
        named = [a for a in (faq_book().answer(t) for t in question_topics(text, (), ANYWHERE)) if a is not None]
        if named:
            # "怎么寄回去", "抬头写错了能改吗": the words name the topic the classifier missed.
            for answer in named:
                dispatcher.utter_message(text=answer.for_question(text))
            return []
        if await answer_service_topics(dispatcher, tracker, [str(e.get("value")) for e in message.get("entities", [])
                                                            if e.get("entity") == "topic"]):
            # "杭州有修手机的地方没": where to get it repaired, however unsure the classifier was.
            return []
        reached = say_how_to_reach(dispatcher, text)
        if reached is not None:
            # "怎么联系商家", "商家电话多少": a direct answer and a person offered, not a guess.
            return reached
        if says_bought(text, previous_question(before_latest_message(tracker.events))):
            # "买了" / "下单了" after recommendations: thanks, and how to follow the order.
            dispatcher.utter_message(text=BOUGHT_THANKS, buttons=buttons([(INTENT_CHOICES["order_status"], intent_payload("order_status"))]))
            return []
        if current_customer_id(tracker) is not None:
            from actions.orders import ActionOrderStatus, order_picked  # actions.orders builds on clarify's neighbours

            # "我买的耳机什么时候能到": the shopper's own order, found by what they bought;
            # "第二个" / "牛奶那单" right after a list of orders: that order (for what the list
            # offered, e.g. cancelling), however unsure the classifier was of a bare ordinal;
            # "牛奶今天能到吗": the milk's order.
            named = any(e.get("entity") in ("category", "product") for e in message.get("entities", []))
            if (refers_to_own_order(text) or is_urging(text) or order_picked(tracker) is not None
                    or (named and asks_arrival(text))):
                return await ActionOrderStatus().handle(dispatcher, tracker, domain)
            if named and asks_look_up(text) and await owns_order_of(tracker, text):
                # "帮我查下牛奶" from a shopper with a milk order: that order, not "您是想…".
                return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        from actions.orders import ActionOrderStatus, gives_awaited_digits

        if (tracker.get_slot("pending_lookup") and forgets(text)) or gives_awaited_digits(tracker):
            # A guest asked for an order number or phone digits: "尾号不记得了", or the digits
            # again after a slip ("打错了 是3949").
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        if sounds_angry(message.get("text") or ""):
            # "😡😡😡" / "气死我了": an apology and a way to a person, not "I did not understand".
            dispatcher.utter_message(text=APOLOGY, buttons=buttons([("转人工", "/human_handoff")]))
            return [offer(OFFER_HANDOFF)]
        entities = message.get("entities", [])
        topics = [str(e.get("value")) for e in entities if e.get("entity") == "topic"]
        together = answers_asked_together(text, topics)
        if together:
            # "你们是正品吗？另外多久发货": two policy questions, each answered.
            for answer in together:
                dispatcher.utter_message(text=answer.for_question(text))
            return []
        policies = [faq_book().answer(t) for t in topics if t not in ORDER_CARD_TOPICS]
        policies = list({p.topic: p for p in policies if p is not None}.values())
        if policies and order_clause(text):
            # "运费多少？我的牛奶发货了吗": two questions in one message, each answered.
            for answer in policies:
                dispatcher.utter_message(text=answer.for_question(text))
            from actions.orders import answer_order_clause

            return await answer_order_clause(dispatcher, tracker)
        if say_not_carried(dispatcher, text, {e.get("entity"): e.get("value") for e in entities}):
            # "你们有卖自行车吗" the classifier was unsure of: the shop does not sell it, said plainly.
            return []
        names = {e.get("entity") for e in entities}
        if "category" in names and (names & {"budget_min", "budget_max", "color", "size", "brand"} or wants_to_buy(text)):
            # "有没有300左右的保温杯": a kind of product with a budget (colour, size, brand) is a
            # request for products, however unsure the classifier was of the wording.
            from actions.recommend import ActionRecommend

            return await ActionRecommend().handle(dispatcher, tracker, domain)
        if not names - {"topic"} and (reacts_to_list(tracker) or await list_refinement(tracker)):
            # "要辣的" after a list of snacks: the list ranked (narrowed) so; "太贵了": cheaper.
            from actions.recommend import ActionRecommend

            return await ActionRecommend().handle(dispatcher, tracker, domain)
        if gift_recipient(text) and "topic" not in names and (names & {"budget_min", "budget_max"} or wants_to_buy(text)):
            # "送同事 200以内": a gift for someone, with a budget, is a request for products.
            from actions.recommend import ActionRecommend

            return await ActionRecommend().handle(dispatcher, tracker, domain)
        ranking = [r.get("name") for r in message.get("intent_ranking", [])]
        candidates = [name for name in ranking if name in INTENT_CHOICES][:2]
        if ORDER_ONLY_TOPICS & set(topics) and "order_status" in candidates:
            # "手机和充电器会分开发货吗" unsure between a product and an order question.
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        rule = next((t for t in topics if t in RULE_ANSWERED_ORDER_TOPICS), None)
        if rule and set(candidates) <= {"purchase", "order_status"} and asks_about_policy(text):
            # "啥时候发货" unsure between a purchase and an order question, with no order of the
            # shopper's meant (that was looked up above): both would say the dispatch times.
            from actions.purchase import ActionPurchaseHelp

            return await ActionPurchaseHelp().handle(dispatcher, tracker, domain)
        for fallback in FALLBACK_CHOICES:
            if len(candidates) >= 2:
                break
            if fallback not in candidates:
                candidates.append(fallback)
        dispatcher.utter_message(
            text="不好意思，我不太确定您的意思，您是想：",
            buttons=buttons((INTENT_CHOICES[name], resend_with_entities(name, entities)) for name in candidates)
            + buttons([("都不是，转人工", "/human_handoff")]),
        )
        return []
