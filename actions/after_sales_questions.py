"""售后 form questions: which order (the order in view offered first), which item, why, and
the summary to confirm before anything is filed."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.after_sales_checks import orders_of_named_kind, qualifying_orders
from actions.formatting import buttons, intent_payload
from actions.orders import order_summary, own_order
from actions.support import ShopAction, current_customer_id
from assistant import after_sales as vocabulary
from assistant.after_sales_dialogue import REASON_TEXT_SLOT, in_view_first, in_view_offered


class ActionAskOrderNo(ShopAction):
    def name(self) -> str:
        return "action_ask_order_no"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        customer_id = current_customer_id(tracker)
        in_view = in_view_offered(tracker.events or [])
        qualifying = await qualifying_orders(customer_id)
        # "生鲜坏了能退吗": only the orders of that kind (extract_order_no reads "第二个" in this list).
        eligible = in_view_first(await orders_of_named_kind(tracker, qualifying), in_view)
        if not eligible:
            dispatcher.utter_message(text="请发送需要售后的订单号（18位数字）。")
            return []
        viewed = next((o for o in eligible if o.order_no == in_view), None)
        question = "请选择需要售后的订单（可以说“第二个”或商品名），或直接发送订单号："
        if len(eligible) < len(qualifying):
            question = f"您说的商品在这 {len(eligible)} 笔订单里，请问是哪一笔？（可以说“第二个”或商品名，也可以发送订单号）"
        if viewed is not None:
            question = (f"是刚才查看的订单 {viewed.order_no}（{order_summary(viewed)[:16]}）吗？"
                        "是的话回复“是”；不是的话请选择其他订单，或直接发送订单号：")
        dispatcher.utter_message(
            text=question,
            buttons=buttons(
                (f"{o.status_label} · {order_summary(o)[:16]}", intent_payload("inform", order_no=o.order_no))
                for o in eligible
            ),
        )
        return []


class ActionAskOrderItemId(ShopAction):
    def name(self) -> str:
        return "action_ask_order_item_id"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        customer_id = current_customer_id(tracker)
        order_no = tracker.get_slot("order_no")
        order = await own_order(customer_id, order_no)
        if order is None:
            dispatcher.utter_message(text="请先告诉我订单号。")
            return []
        dispatcher.utter_message(
            text=f"订单 {order.order_no} 里有多件商品，请选择要售后的那一件：",
            buttons=buttons(
                (f"{i.title[:18]} {i.sku_name[:10]} ×{i.quantity}", intent_payload("inform", order_item_id=i.id))
                for i in order.items
            ),
        )
        return []


class ActionAskReason(ShopAction):
    def name(self) -> str:
        return "action_ask_reason"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        dispatcher.utter_message(
            text="请问是什么原因呢？",
            buttons=buttons((r.label, intent_payload("inform", reason=r.value)) for r in vocabulary.REASON_CHOICES),
        )
        return []


class ActionAskAfterSalesConfirmed(ShopAction):
    """The summary before filing: nothing is written until the shopper confirms it."""

    def name(self) -> str:
        return "action_ask_after_sales_confirmed"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        customer_id = current_customer_id(tracker)
        order_no, item_id = tracker.get_slot("order_no"), tracker.get_slot("order_item_id")
        order = await own_order(customer_id, order_no)
        item = next((i for i in order.items if str(i.id) == str(item_id)), None) if order else None
        service = vocabulary.service_type(tracker.get_slot("service_type"))
        why = vocabulary.reason(tracker.get_slot("reason"))
        if item is None or service is None or why is None:
            dispatcher.utter_message(text="售后信息不完整，请说“取消”后重新申请，或说“转人工”。")
            return []
        typed = (tracker.get_slot(REASON_TEXT_SLOT) or "").strip()
        reason_line = why.label if not typed or typed == why.label else f"{why.label}（您说的：“{typed[:40]}”）"
        dispatcher.utter_message(
            text=(f"请确认售后申请：\n· 订单：{order.order_no}\n· 商品：{item.title[:24]} {item.sku_name[:12]}"
                  f"\n· 服务：{service.label}\n· 原因：{reason_line}\n"
                  "确认提交吗？回复“确认”即提交；要修改可以说“改一下原因”“换个商品”或“改成换货”；"
                  "说“取消”则不提交。"),
            buttons=buttons([("确认提交", "确认提交"), ("取消申请", "取消")]),
        )
        return []
