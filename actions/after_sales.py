"""售后: routes an after-sales message — a status report, a complaint, a service or policy
question, or the request form — and reports the status of the shopper's requests.

The form is in actions/after_sales_form.py (validation), after_sales_questions.py (its
questions and the summary), after_sales_checks.py (eligibility as soon as order and item are
known) and after_sales_submit.py (filing); its rules in assistant/after_sales_dialogue.py."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import buttons, china_time, intent_payload, money
from actions.offers import OFFER_HANDOFF, offer
from actions.orders import NOT_FOUND, answer_order_clause, meant_orders
from actions.services import service_answer_events
from actions.support import ShopAction, current_customer_id, db, entity_values, first_entity
from assistant.after_sales_dialogue import (
    CANCELLED_REFUND, CONFIRM_SLOT, GUEST_AFTER_SALES, NOTHING_PAID, REASON_TEXT_SLOT, names_a_request, names_fresh_food, offers_request, order_in_view, policy_for_order_in_view,
    names_something_bought, request_number_in, route_after_services, route_before_services, second_question_topics, wants_request,
)
from assistant.order_categories import order_category_names
from assistant.faq import faq_book
from assistant.mood import sounds_angry
from assistant.offers import last_cancellation_asked
from assistant.order_matching import order_words
from assistant.price_protection import asks_price_protection, price_protection_text
from assistant.warranty import asks_about_own_goods, category_warranty_text, order_warranty_text
from assistant.typed_answers import service_in
from shop.db.after_sales import get_after_sales_request, list_after_sales_requests
from shop.db.catalogue import category_warranty_months, get_product_detail
from shop.db.orders import MAX_RECENT, get_order, recent_orders
from shop.domain.after_sales import AfterSalesStatus
from shop.domain.clock import utc_now
from shop.domain.numbers import ascii_digits, is_order_number
from shop.domain.orders import OrderStatus


# A paid order cancelled this recently still has its refund on the way.
REFUND_UNDER_WAY = timedelta(days=7)
# "怎么这么慢" about a request: what the assistant cannot do and who can.
HURRY_REQUESTS = ("理解您着急！售后审核和退款都是按顺序处理的，我这边没法直接加快；"
                  "需要的话我马上为您转接人工客服帮您催一下。")


def answer_policy_topics(dispatcher: CollectingDispatcher, topics: List[str], question: str = "") -> None:
    """The policy text of each topic (the part the question is about), then an offer to apply
    where one fits (``offers_request``)."""
    for topic in topics:
        answer = faq_book().answer(topic)
        if answer:
            dispatcher.utter_message(text=answer.for_question(question))
    if not offers_request(topics):
        return
    dispatcher.utter_message(
        text="需要现在帮您申请吗？",
        buttons=buttons([("申请退货", intent_payload("after_sales", service_type="退货")),
                         ("申请换货", intent_payload("after_sales", service_type="换货")),
                         ("申请维修", intent_payload("after_sales", service_type="维修"))]),
    )


async def policy_in_view(dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: Optional[int],
                         topics: List[str]) -> List[str]:
    """The policy topics for the shopper's order in view (``policy_for_order_in_view``); says
    which order the answer is about when that order's own terms replace the general ones."""
    order_no = order_in_view(tracker.events or [])
    if customer_id is None or not order_no:
        return topics
    order = await db(get_order, customer_id, order_no)
    if order is None:
        return topics
    words = order_words(order)
    words += " " + (await db(order_category_names, [order])).get(order.order_no, "")
    named = bool(entity_values(tracker, "product") or entity_values(tracker, "category"))
    answered = policy_for_order_in_view(topics, words, named)
    if answered != topics:
        dispatcher.utter_message(text=f"订单 {order.order_no}（{order.items[0].title[:16]}）是生鲜食品，售后规则和普通商品不同：")
    return answered


async def cancelled_order(customer_id: Optional[int], order_no: Optional[str]):
    """The shopper's order of this number when it was cancelled (a paid one is 退款中 / 已退款
    after it), else None."""
    if customer_id is None or not order_no:
        return None
    order = await db(get_order, customer_id, order_no)
    if order is None:
        return None
    return order if OrderStatus(order.status) is OrderStatus.CANCELLED or order.cancelled_at is not None else None


async def say_order_price_protection(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """The price protection of the one order the message names (or the order in view); False
    for a guest, or when no single order is meant."""
    customer_id = current_customer_id(tracker)
    if customer_id is None:
        return False
    text = (tracker.latest_message or {}).get("text") or ""
    orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
    named = [*entity_values(tracker, "product"), *entity_values(tracker, "category")]
    meant = await meant_orders(text, orders, named)
    in_view = order_in_view(tracker.events or [])
    picked = (meant.orders if meant.described else [o for o in orders if o.order_no == in_view])
    if len(picked) != 1:
        return False
    order = picked[0]
    dispatcher.utter_message(text=price_protection_text(order.order_no, order.items[0].title, order.paid_at,
                                                        order.delivered_at, utc_now()))
    return True


async def say_typed_order_price_protection(dispatcher: CollectingDispatcher, tracker: Tracker,
                                           order_no: str) -> List[Dict[str, Any]]:
    """The price protection of the order whose number was typed: the signed-in shopper's own
    (another's reads as not found), or a guest's once proved (the look-up answers it)."""
    customer_id = current_customer_id(tracker)
    if customer_id is None:
        from actions.orders import ActionOrderStatus  # the guest look-up, with its limits

        return await ActionOrderStatus()._guest(dispatcher, tracker, order_no)
    order = await db(get_order, customer_id, order_no)
    if order is None:
        dispatcher.utter_message(text=NOT_FOUND.format(no=order_no))
        return [SlotSet("order_no", None)]
    dispatcher.utter_message(text=price_protection_text(order.order_no, order.items[0].title, order.paid_at,
                                                        order.delivered_at, utc_now()))
    return [SlotSet("order_no", order.order_no)]


async def say_warranty(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """How long the warranty runs for the signed-in shopper's order the message describes
    ("我那个笔记本"), else for the category named ("耳机"); False when neither is known."""
    text = (tracker.latest_message or {}).get("text") or ""
    categories = entity_values(tracker, "category")
    customer_id = current_customer_id(tracker)
    if customer_id is not None and asks_about_own_goods(text):
        orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
        meant = await meant_orders(text, orders, [*entity_values(tracker, "product"), *categories])
        if meant.described and len(meant.orders) == 1:
            order = meant.orders[0]
            product = await db(get_product_detail, order.items[0].product_id)
            if product is not None and product.category_path:
                dispatcher.utter_message(text=order_warranty_text(
                    order.order_no, order.items[0].title, product.category_path[-1], product.warranty_months,
                    order.delivered_at, utc_now()))
                return True
    for category in categories:
        months = await db(category_warranty_months, category)
        if months is not None:
            dispatcher.utter_message(text=category_warranty_text(category, months))
            return True
    return False


class ActionAfterSalesRoute(ShopAction):
    """Decides what an after-sales message needs: a status report, a policy answer, or the form."""

    def name(self) -> str:
        return "action_after_sales_route"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        topics = entity_values(tracker, "topic")
        order_no = first_entity(tracker, "order_no")
        wants = wants_request(topics, first_entity(tracker, "service_type"), order_no, first_entity(tracker, "reason"))
        customer_id = current_customer_id(tracker)
        answered = [SlotSet("after_sales_next", "answered")]

        route = route_before_services(text, topics, wants)
        if route is not None and route.kind == "hurry":
            if customer_id is not None:
                await report_after_sales_status(dispatcher, customer_id, text, open_only=True)
            dispatcher.utter_message(text=HURRY_REQUESTS, buttons=buttons([("转人工", "/human_handoff")]))
            return [*answered, offer(OFFER_HANDOFF)]
        if route is not None and route.kind == "status":
            cancelled = await cancelled_order(customer_id, order_in_view(tracker.events or []))
            if cancelled is not None and cancelled.paid_at is None and "refund_progress" in route.policy_topics:
                # "那钱哪天退回来" after cancelling an unpaid order: no refund to wait for.
                dispatcher.utter_message(text=NOTHING_PAID.format(order_no=cancelled.order_no))
                return answered
            # (the order whose cancellation was asked in this session, also after other orders were shown)
            cancelled = await cancelled_order(customer_id, last_cancellation_asked(reversed(tracker.events or [])))
            if (cancelled is not None and cancelled.paid_at is not None and cancelled.cancelled_at is not None
                    and utc_now() - cancelled.cancelled_at < REFUND_UNDER_WAY and not names_a_request(text)):
                # "钱退到哪" after cancelling a paid order: that order's refund (a refund of a
                # return, or of an order cancelled long ago, is still the requests' report).
                dispatcher.utter_message(text=CANCELLED_REFUND.format(order_no=cancelled.order_no,
                                                                      amount=money(cancelled.payable)))
                return answered
            if route.policy_topics:
                # "退款多久能到": the timing policy, then only the refunds still under way
                # ("…？另外能开发票吗": the second question's answer too).
                extra = second_question_topics(text, topics, route.policy_topics)
                for answer in (faq_book().answer(t) for t in [*route.policy_topics, *extra]):
                    if answer:
                        dispatcher.utter_message(text=answer.for_question(text))
                if customer_id is not None:
                    await report_after_sales_status(dispatcher, customer_id, text, open_only=True)
                return answered
            await report_after_sales_status(dispatcher, customer_id, text)
            return answered
        if route is not None and route.kind == "policy":
            # "给了差评能删吗": the review rule, not an apology for a complaint.
            answer_policy_topics(dispatcher, list(route.policy_topics), text)
            return answered
        if route is not None and route.kind == "complaint":
            dispatcher.utter_message(
                text="非常抱歉给您带来不好的体验！您可以告诉我订单号和遇到的问题，我马上帮您申请售后；也可以直接转人工客服处理。",
                buttons=buttons([("申请售后", "/after_sales"), ("转人工", "/human_handoff")]),
            )
            return answered
        service_events = await service_answer_events(dispatcher, tracker, topics)
        if service_events is not None:
            return [*answered, *service_events]
        if order_no and is_order_number(ascii_digits(order_no) or "") and asks_price_protection(text, topics):
            # "X这单能价保吗": that order's window, not a return form (nor "先登录" for a guest,
            # who proves the order with the phone digits as for its status).
            return answered + await say_typed_order_price_protection(dispatcher, tracker, ascii_digits(order_no))

        route = route_after_services(text, topics, wants, order_no, customer_id is not None)
        if route.kind == "policy":
            # "耳机到了吗？另外运费险怎么赔": the order first, then the policy and the offer.
            events = await answer_order_clause(dispatcher, tracker)
            extra = second_question_topics(text, topics, route.policy_topics)
            policy = [*route.policy_topics, *extra]
            if not events:
                # "到了以后能退吗" right after the milk's order: that order's terms.
                policy = await policy_in_view(dispatcher, tracker, customer_id, policy)
            if "price_protection" in policy and not events and await say_order_price_protection(dispatcher, tracker):
                # "手机买了两天就降价了": that order's window said, not the rules and "告诉我订单号".
                policy = [t for t in policy if t != "price_protection"]
            if "warranty" in policy and not events and await say_warranty(dispatcher, tracker):
                # "耳机保修几年啊", "我那个笔记本保修到啥时候": the one figure, not the whole table.
                policy = [t for t in policy if t != "warranty"]
            answer_policy_topics(dispatcher, policy, text)
            return answered + events
        if route.kind == "sign_in":
            dispatcher.utter_message(text=GUEST_AFTER_SALES)
            # The order number or the phone digits a guest types next are a look-up's answer
            # (the order is shown once proved, with this again): never "没太看懂".
            named = ascii_digits(order_no) if order_no and is_order_number(ascii_digits(order_no) or "") else None
            return answered + [SlotSet("pending_lookup", "phone_suffix" if named else "order_no"),
                               *([SlotSet("order_no", named)] if named else [])]
        if names_fresh_food(text) and faq_book().answer("fresh_food"):
            # "生鲜坏了能退吗": fresh food's own terms first, then the form (its orders only).
            dispatcher.utter_message(text=faq_book().answer("fresh_food").pick())
        if sounds_angry(text):
            # "气死了 东西发错了": an apology before the form's first question.
            dispatcher.utter_message(text="非常抱歉给您添麻烦了！我马上帮您处理，也可以随时说“转人工”。")
        # "耳机到哪了 另外我想退那个手机": the order question answered first, then the request
        # (the form reads only the rest of the message); the order shown is not the request's.
        answered_clause = [e for e in await answer_order_clause(dispatcher, tracker) if e.get("name") != "order_no"]
        # A new request: nothing of an earlier form's ending or typed reason carries over.
        events = [*answered_clause, SlotSet("after_sales_next", "form"), SlotSet(CONFIRM_SLOT, None),
                  SlotSet(REASON_TEXT_SLOT, None)]
        if (tracker.get_slot("order_no") or answered_clause) and not order_no:
            # The order in view is not assumed: the form asks, offering it first.
            events.append(SlotSet("order_no", None))
        said = service_in(text) if not first_entity(tracker, "service_type") else None
        if said is not None:
            # "手机坏了 开不了机 要修": the service said in words the NLU may not tag is not asked.
            events.append(SlotSet("service_type", said.value))
        return events


async def report_after_sales_status(dispatcher: CollectingDispatcher, customer_id: Optional[int], text: str,
                                    open_only: bool = False) -> None:
    """The shopper's requests and where each is; ``open_only``: only those still under way,
    and nothing at all when there are none (after a policy answer that said enough)."""
    if customer_id is None:
        dispatcher.utter_message(text="查询售后进度需要先登录哦。登录后我可以帮您查看所有售后申请的处理进度。")
        return
    number = request_number_in(text)
    if number is not None:
        request = await db(get_after_sales_request, customer_id, number)
        requests = [request] if request else []
        if not requests:
            dispatcher.utter_message(text=f"没有查到服务单号 {number}，请核对后再试。")
            return
    else:
        requests = await db(list_after_sales_requests, customer_id, limit=5)
    if open_only:
        still_open = [r for r in requests if AfterSalesStatus(r.status).is_open]
        if not still_open and not (requests and names_something_bought(text)):
            return
        # "上周买的跑鞋退款到账没" with nothing under way: that refund may be done — all are shown.
        requests = still_open or requests
        open_only = bool(still_open)
    if not requests:
        dispatcher.utter_message(text="您目前没有售后申请。如需申请退换货或维修，告诉我订单号即可。")
        return
    lines = []
    for r in requests:
        latest = r.history[-1] if r.history else None
        when = china_time(latest.changed_at) if latest else china_time(r.updated_at)
        refund = f"，退款 {money(r.refund_amount)}" if r.refund_amount else ""
        lines.append(f"· {r.request_no} {r.service_label}（{r.product_title[:20]}）：{r.status_label}{refund}，更新于 {when}")
    title = "您正在处理中的售后申请：" if open_only else "您的售后申请进度："
    dispatcher.utter_message(text=title + "\n" + "\n".join(lines))


class ActionAfterSalesStatus(ShopAction):
    def name(self) -> str:
        return "action_after_sales_status"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        await report_after_sales_status(dispatcher, current_customer_id(tracker), (tracker.latest_message or {}).get("text") or "")
        return []
