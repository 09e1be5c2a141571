"""Details given on their own ("尾号1234", "要黑色的", "两千左右的"): carry on with whatever
the conversation was doing — a guest's order look-up or a recommendation — instead of
treating a bare detail as a new request. One routing action keeps the dialogue rules flat."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ActionOrderStatus, order_picked
from actions.product import ActionProductInquiry
from actions.recommend import ActionRecommend
from actions.support import ShopAction, first_entity
from actions.unreadable import answer_unreadable
from assistant.order_matching import asks_earlier_order as earlier_order_asked

# The flows a bare detail can continue, by the action that last ran them.
CONTINUABLE = {"action_order_status", "action_recommend", "action_product_inquiry"}


# The slot each flow sets, to tell which one this routing action continued last time.
FLOW_SLOTS = {"recommendation": "action_recommend", "product_id": "action_product_inquiry"}


# Actions that may answer through another flow's action (read by the slot they set).
ROUTING = {"action_continue_with_details", "action_product_inquiry", "action_purchase_help", "action_clarify",
           "action_answer_offer"}


def last_flow(tracker: Tracker) -> Optional[str]:
    """The flow the conversation was last in; through this very action too ("看看iPhone 15"
    read as a bare detail showed the product: "有白色吗" then asks about it)."""
    slots_after: List[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "slot":
            slots_after.append(event.get("name"))
        if event.get("event") == "action" and event.get("name") in ROUTING:
            # An action that handed the turn to another flow ("有没有红色的卫衣" asked as a product
            # question showed recommendations): the flow whose slot it set.
            flow = next((FLOW_SLOTS[name] for name in reversed(slots_after) if name in FLOW_SLOTS), None)
            if flow is not None:
                return flow
        if event.get("event") == "action" and event.get("name") in CONTINUABLE:
            return event["name"]
        if event.get("event") == "action":
            slots_after = []
        if event.get("event") == "session_started":
            break
    return None


def asks_earlier_order(tracker: Tracker) -> bool:
    """"不对 是上一个": the order placed before the one shown."""
    return earlier_order_asked((tracker.latest_message or {}).get("text") or "")


class ActionContinueWithDetails(ShopAction):
    def name(self) -> str:
        return "action_continue_with_details"

    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        flow = last_flow(tracker)
        if (tracker.get_slot("pending_lookup") or first_entity(tracker, "order_no") or first_entity(tracker, "phone_suffix")
                or (flow == "action_order_status" and (order_picked(tracker) or asks_earlier_order(tracker)))):
            # A guest's look-up, an order number, "第二个" after a list of orders, or "不对 是上一个"
            # after an order was shown.
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        if flow == "action_order_status" and (first_entity(tracker, "category") or first_entity(tracker, "product")) and not any(
                first_entity(tracker, name) for name in ("budget_min", "budget_max", "color", "size", "brand")):
            # "是耳机那个" after an order was shown: which order, not a wish to buy earphones.
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        if flow is None and tracker.get_slot("recommendation"):
            # Only details so far ("想买双跑鞋 预算400", then "有白色的吗"): they made a
            # recommendation, which this one narrows.
            flow = "action_recommend"
        if flow == "action_recommend" or any(
            first_entity(tracker, name) for name in ("category", "budget_min", "budget_max")
        ):
            return await ActionRecommend().handle(dispatcher, tracker, domain)
        if flow == "action_product_inquiry" or first_entity(tracker, "product") or first_entity(tracker, "product_id"):
            return await ActionProductInquiry().handle(dispatcher, tracker, domain)
        if answer_unreadable(dispatcher, tracker):
            # "123" with nothing asked for: digits alone are not a detail of anything.
            return []
        if (tracker.active_loop or {}).get("name"):
            # A detail a form could not read ("第一个" at "确认提交吗？"): the form asks its own
            # question again next; "还有什么可以帮您" would sound as if the request were over.
            return []
        dispatcher.utter_message(text="好的，收到～请问还有什么可以帮您？您可以问我订单、商品、售后，或者让我推荐商品。")
        return []
