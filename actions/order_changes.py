"""取消订单 / 改地址 typed by a shopper: a real cancellation through the order state machine
where the order's status allows it (after a confirmation), the policy text where it does not,
and the policy for questions and for guests."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import buttons
from actions.offers import CANCEL_OFFER_PREFIX, CONFIRMED, fresh_offer, offer
from actions.orders import order_summary
from actions.support import current_customer_id, db
from assistant.faq import faq_book
from assistant.order_matching import orders_meant
from assistant.typed_answers import asks_about_policy
from shop.db.errors import OrderCannotBeCancelled, OrderNotFound
from shop.db.orders import MAX_RECENT, cancel_order, get_order, recent_orders
from shop.domain.clock import utc_now
from shop.domain.orders import OrderStatus, cancellation_decision

CHANGE_TOPICS = ("cancel_order", "address_change")
# Before the parcel leaves the warehouse the address can still be changed.
ADDRESS_CHANGEABLE = {OrderStatus.PENDING_PAYMENT.value, OrderStatus.AWAITING_SHIPMENT.value}


def change_topic(topics: List[str]) -> Optional[str]:
    return next((t for t in CHANGE_TOPICS if t in topics), None)


def _policy(dispatcher: CollectingDispatcher, topic: str) -> None:
    answer = faq_book().answer(topic)
    if answer:
        dispatcher.utter_message(text=answer.pick())


async def answer_order_change(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str,
                              order_no: Optional[str]) -> List[Dict[str, Any]]:
    """Answers a cancellation or address-change message; returns the events."""
    customer_id = current_customer_id(tracker)
    text = (tracker.latest_message or {}).get("text") or ""
    pending = fresh_offer(tracker) or ""
    if pending.startswith(CANCEL_OFFER_PREFIX) and CONFIRMED.search(text):
        # "确认取消" right after the question: the NLU may read it as another cancel request.
        return await carry_out_cancellation(dispatcher, tracker, pending[len(CANCEL_OFFER_PREFIX):])
    if customer_id is None:
        _policy(dispatcher, topic)
        dispatcher.utter_message(text="登录后告诉我订单号，我可以直接帮您查看这笔订单能否办理。")
        return []
    if order_no:
        order = await db(get_order, customer_id, order_no)
        candidates = [order] if order is not None else []
    else:
        orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
        meant = orders_meant(text, orders, utc_now())
        candidates = meant.orders if meant.described else []
        if not candidates:
            if topic == "cancel_order":
                candidates = [o for o in orders if cancellation_decision(OrderStatus(o.status)).allowed]
            else:
                candidates = [o for o in orders if o.status in ADDRESS_CHANGEABLE]
            if asks_about_policy(text) or len(candidates) != 1:
                _policy(dispatcher, topic)
                if candidates:
                    lines = "\n".join(f"{o.order_no}  {o.status_label}  {order_summary(o)[:20]}" for o in candidates[:5])
                    dispatcher.utter_message(text=f"您目前可以办理的订单：\n{lines}\n需要的话告诉我订单号（或商品名），我帮您办理。")
                return []
    if len(candidates) != 1:
        _policy(dispatcher, topic)
        return []
    order = candidates[0]
    if topic == "address_change":
        if order.status in ADDRESS_CHANGEABLE:
            dispatcher.utter_message(
                text=f"订单 {order.order_no}（{order_summary(order)[:16]}）还没发货，可以改地址："
                     "在「订单详情 → 修改地址」自行修改即可；也可以说“转人工”，把新地址告诉客服帮您改。"
            )
        else:
            dispatcher.utter_message(text=f"订单 {order.order_no} 当前状态是“{order.status_label}”，已发出的包裹无法在线修改地址。")
            _policy(dispatcher, topic)
        return [SlotSet("order_no", order.order_no)]
    decision = cancellation_decision(OrderStatus(order.status))
    if not decision.allowed:
        dispatcher.utter_message(text=f"订单 {order.order_no}（{order_summary(order)[:16]}）：{decision.message}")
        return [SlotSet("order_no", order.order_no)]
    refund = "，已付款项将原路退回" if order.status == OrderStatus.AWAITING_SHIPMENT.value else ""
    dispatcher.utter_message(
        text=f"确认要取消订单 {order.order_no}（{order_summary(order)[:16]}）吗{refund}？确认请回复“确认取消”，不取消回复“不用了”。",
        buttons=buttons([("确认取消", "/affirm"), ("不用了", "/deny")]),
    )
    return [SlotSet("order_no", order.order_no), offer(CANCEL_OFFER_PREFIX + order.order_no)]


async def carry_out_cancellation(dispatcher: CollectingDispatcher, tracker: Tracker, order_no: str) -> List[Dict[str, Any]]:
    customer_id = current_customer_id(tracker)
    if customer_id is None:
        dispatcher.utter_message(text="登录已失效，请重新登录后再取消订单。")
        return []
    try:
        result = await db(cancel_order, customer_id, order_no, utc_now(), reason="买家在客服对话中取消")
    except OrderCannotBeCancelled as refused:
        dispatcher.utter_message(text=f"抱歉，{refused}")
        return []
    except OrderNotFound:
        dispatcher.utter_message(text="没有找到这笔订单，请核对订单号。")
        return []
    dispatcher.utter_message(text=f"订单 {result.order_no}：{result.message}")
    return []
