"""售后 checks made while the form runs: the orders it offers, an order that has not reached
the shopper yet, and eligibility as soon as order and item are known (a duplicate, a
service out of its window, nothing left to apply for) — each said at once, ending the form
where nothing can be filed."""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import buttons
from actions.offers import CANCEL_OFFER_PREFIX, OFFER_HANDOFF
from actions.orders import order_summary
from actions.support import db, entity_values
from assistant import after_sales as vocabulary
from assistant.after_sales_dialogue import ALREADY_FILED, ANSWERED, CONFIRM_SLOT
from assistant.faq import faq_book, without_order_lines
from assistant.order_categories import order_category_names, typed_names
from shop.db.after_sales import check_after_sales_eligibility
from shop.db.errors import InvalidRequest, OrderNotFound
from shop.db.orders import MAX_RECENT, recent_orders
from shop.domain.after_sales import AfterSalesReason
from shop.domain.clock import utc_now
from shop.domain.orders import OrderStatus, after_sales_applies, cancellation_decision

# How many of the shopper's orders that qualify for after-sales the form offers to pick from.
AFTER_SALES_CHOICES = 8


async def qualifying_orders(customer_id: Optional[int]) -> list:
    """The shopper's recent orders that after-sales applies to, newest first (what the form
    offers, so that "第二个" typed later means the second one shown)."""
    if customer_id is None:
        return []
    orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
    return [o for o in orders if after_sales_applies(o.status)][:AFTER_SALES_CHOICES]


async def orders_not_offered(customer_id: Optional[int]) -> list:
    """The shopper's recent orders the form does not offer (unpaid, cancelled): one named by
    its title ("衬衫那单" for an unpaid shirt) is taken, and its state said, rather than another
    order picked by a looser match."""
    if customer_id is None:
        return []
    orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
    return [o for o in orders if not after_sales_applies(o.status)]


async def orders_of_named_kind(tracker: Tracker, orders: list) -> list:
    """"生鲜坏了能退吗" with several orders: those holding the kind of goods the message
    names (a category, read through the ordered products' categories: 奇异果 is 新鲜水果 in
    食品生鲜), when some but not all of them do; else all of them."""
    named = [v.lower() for v in entity_values(tracker, "category") if isinstance(v, str)]
    if not named or len(orders) < 2:
        return orders
    text = (tracker.latest_message or {}).get("text") or ""
    # The products' own categories first, then their departments only for a department said in
    # other words: "衬衫" (read as all of 服饰鞋包) narrows the list to no T-shirt's order.
    for leaf_only in (True, False):
        names = typed_names(named, text, leaf_only)
        if not names:
            continue
        categories = await db(order_category_names, orders, leaf_only)
        matching = [o for o in orders if any(n in categories.get(o.order_no, "") for n in names)]
        if 0 < len(matching) < len(orders):
            return matching
    return orders


def stop(**slots: Any) -> Dict[Text, Any]:
    """Slots that end the form now, after the validation has answered (the submit step then
    files nothing): an order not delivered yet, a duplicate, nothing the item qualifies for."""
    return {**slots, CONFIRM_SLOT: ANSWERED, "requested_slot": None}


def already_filed_text(request_no: str) -> str:
    return (f"这件商品的售后申请已经提交过了，服务单号 {request_no}，无需重复提交。"
            "随时可以问我“售后进度”查看处理情况。")


async def early_check(dispatcher: CollectingDispatcher, customer_id: int, order_no: str, item_id: str,
                      service: Optional[str], reason: Optional[str]) -> Dict[Text, Any]:
    """Checks eligibility as soon as order and item are known, not after the service and
    reason questions: a duplicate is named with its number, and a service the item cannot
    have (out of its window) is said at once with the policy. Returns the slots to change."""
    wanted = vocabulary.service_type(service)
    why = vocabulary.reason(reason) or AfterSalesReason.QUALITY
    decisions = {}
    for tried in vocabulary.services_to_try(wanted):
        try:
            decisions[tried] = await db(check_after_sales_eligibility, customer_id, order_no, int(item_id),
                                        tried, why, utc_now())
        except (OrderNotFound, InvalidRequest):
            return {}
        if decisions[tried].reason_code == ALREADY_FILED:
            break       # the other services would say the same
    verdict = vocabulary.early_verdict(decisions, wanted)
    if verdict.kind == "duplicate":
        dispatcher.utter_message(text=already_filed_text(verdict.request_no))
        return stop()
    if verdict.kind == "other_service":
        dispatcher.utter_message(
            text=(f"{verdict.message} 这件商品还可以申请{'、'.join(s.label for s in verdict.possible)}；"
                  "请选择要办理的服务，或说“算了”取消。")
        )
        return {"service_type": None}
    if verdict.kind == "nothing":
        dispatcher.utter_message(text=verdict.message)
        policy = faq_book().answer("return_policy")
        if policy:
            # (the order is known: not the policy's "告诉我订单号" invitation)
            dispatcher.utter_message(text=without_order_lines(policy.pick()))
        dispatcher.utter_message(text="如有疑问，需要的话我可以为您转接人工客服。")
        return {**stop(), "pending_offer": OFFER_HANDOFF}
    return {}


def not_delivered_yet(dispatcher: CollectingDispatcher, order) -> Dict[Text, Any]:
    """An order that has not reached the shopper: nothing to return yet. Says so at once and
    offers what fits: cancelling (before shipping), refusing the parcel or waiting, an agent."""
    status = OrderStatus(order.status)
    summary = order_summary(order)[:16]
    if cancellation_decision(status).allowed:
        refund = "，已付款项原路退回" if status is OrderStatus.AWAITING_SHIPMENT else ""
        dispatcher.utter_message(
            text=(f"订单 {order.order_no}（{summary}）还没发货（{order.status_label}），不需要申请退换货："
                  f"可以直接取消订单{refund}。需要帮您取消吗？回复“确认取消”即可；也可以说“转人工”。"),
            buttons=buttons([("确认取消", "确认取消"), ("不用了", "不用了")]),
        )
        return stop(pending_offer=CANCEL_OFFER_PREFIX + order.order_no)
    dispatcher.utter_message(
        text=(f"订单 {order.order_no}（{summary}）还在配送中（{order.status_label}），还没签收，暂时不能申请售后。"
              "您可以等包裹送到后再申请；如果不想要了，可以在派送时直接拒收，拒收后货款原路退回。"
              "需要的话我可以为您转接人工客服。")
    )
    return stop(pending_offer=OFFER_HANDOFF)
