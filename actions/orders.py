"""订单查询: an order's status and logistics timeline, only ever for its owner.

Signed-in shoppers (verified token) may name an order or get their latest one with the
recent ones to pick from. Guests prove an order with its number plus the last four digits
of the phone number on it. Another customer's order and a non-existent one get exactly the
same reply.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.formatting import (
    buttons, china_time, intent_payload, money, month_day, wants_text_only,
)
from actions.offers import OFFER_HANDOFF, OFFER_RECOMMEND, fresh_offer, offer
from actions.support import (
    ShopAction, client_of, current_customer_id, db, db_prompt, entity_values, first_entity,
    guest_lookup_max_client_failures,
)
from assistant.delivery_quotes import asks_delivery_to_city, delivery_quote
from assistant.faq import faq_book, order_known
from assistant.form_questions import last_bot_text, only_acknowledges
from assistant.after_sales_dialogue import AFTER_SALES_PROVED, GUEST_AFTER_SALES, SUFFIX_BEFORE_ORDER, wished_after_sales
from assistant.invoices import COPY, REISSUE, asks_about_invoice, asks_invoice_progress, invoice_question
from assistant.invoices import answer_topic as invoice_answer_topic
from assistant.mood import sounds_angry
from assistant.offers import another_order_meant
from assistant.price_protection import (
    asked_number_for_price_protection, asks_price_protection, lookup_texts, price_protection_text,
)
from assistant.order_policies import asks_to_modify_order, policies_asked, signed_but_not_received, tracking_stalled
from assistant.order_changes import change_topic
from assistant.order_categories import needs_categories, order_category_names, typed_names
from assistant.order_matching import (
    NO_EARLIER_ORDER, ORDER_TOPICS, Listed, asks_earlier_order, asks_tracking_number, earlier_order, is_oldest, nth_recent_order, order_clause, orders_meant, orders_on_screen,
    picks_an_order,
    topics_beside_order_clause, tracking_number_text, values_within, without_order_clause,
)
from assistant.typed_answers import bare_phone_suffix, choice_index, forgets
from assistant.order_urging import URGEABLE, is_urging, urge_rank, urging_reply
from shop.db.orders import MAX_RECENT, get_order, lookup_order_for_guest, recent_orders
from shop.db.records import OrderDetail
from shop.domain.clock import utc_now
from shop.domain.delivery import estimate_for_order
from shop.domain.numbers import ascii_digits, is_order_number, is_phone_suffix
from shop.domain.orders import AWAITED, OrderStatus, unpaid_cancellation_note
from shop.domain.privacy import GUEST_LOOKUP_MAX_CONVERSATION_FAILURES, GUEST_LOOKUP_WINDOW

logger = logging.getLogger(__name__)

RECENT_LIMIT = 5
# Order questions the desk answers with a policy (and a person), not with an order card.
POLICY_FIRST = ("order_remark", "split_shipment", "refuse_delivery", "restore_order")

# The guest's order proved in this conversation: "<order_no>:<phone suffix>".
VERIFIED_SLOT = "guest_verified_order"
NOT_FOUND = "没有查到订单号为 {no} 的订单，请核对订单号是否正确（18位数字）。"
# For a number the shopper did not type in this message (one remembered from earlier):
# replies only repeat what the shopper just said.
NOT_FOUND_REMEMBERED = "没有查到这个订单，请核对订单号是否正确（18位数字），或把订单号再发给我一次。"
# Typed text is never repeated back (it could be markup, or not the shopper's own words).
NOT_AN_ORDER_NUMBER = "您提供的内容看起来不是有效的订单号哦，订单号是18位数字，可以在“我的订单”里找到。"
GUEST_LOOKUP_UNAVAILABLE = ("抱歉，订单验证暂时无法完成，为了保护订单信息安全这次没有为您查询。"
                            "请稍后再发一次收货手机号的后四位，或登录后在“我的订单”中查看，也可以说“转人工”。")
LOCKED = (f"为了保护订单信息安全，这个订单号的验证失败次数过多，已暂时锁定"
          f"{int(GUEST_LOOKUP_WINDOW.total_seconds() // 3600)}小时。请登录后在“我的订单”中查看，或说“转人工”。")
# Too many failed look-ups from this client over every number (and every conversation).
CLIENT_LOCKED = (f"为了保护订单信息安全，您这边的订单验证失败次数过多，游客查询已暂停"
                 f"{int(GUEST_LOOKUP_WINDOW.total_seconds() // 3600)}小时。请登录后在“我的订单”中查看，或说“转人工”。")


async def own_order(customer_id: Optional[int], order_no: Optional[str]) -> Optional[OrderDetail]:
    """The signed-in shopper's order of this number; None for a guest, no number, or another
    shopper's (or no) order."""
    return await db(get_order, customer_id, str(order_no)) if customer_id is not None and order_no else None


def order_summary(order: OrderDetail) -> str:
    first = order.items[0].title if order.items else "商品"
    more = f" 等{sum(i.quantity for i in order.items)}件" if len(order.items) > 1 else ""
    return f"{first}{more}"


def delivery_text(order: OrderDetail) -> Optional[str]:
    """预计送达 for an order still on its way (or waiting to ship), else None."""
    estimate = estimate_for_order(order, utc_now())
    return estimate.text if estimate else None


def timeline_payload(order: OrderDetail, eta: Optional[str] = None) -> Dict[str, Any]:
    """The order_timeline card; ``eta`` is the delivery_text already worked out, if any."""
    shipment = order.shipment
    events = list(reversed(shipment.events)) if shipment else []
    return {
        "type": "order_timeline",
        "order": {
            "order_no": order.order_no,
            "status": order.status,
            "status_label": order.status_label,
            "carrier": shipment.carrier_name if shipment else None,
            "tracking_no": shipment.tracking_no if shipment else None,
            "eta": eta if eta is not None else delivery_text(order),
            "created_at": order.created_at.isoformat(),
            "total_text": money(order.payable),
            "items": [
                {"title": i.title, "sku": i.sku_name, "quantity": i.quantity, "price_text": money(i.unit_price)}
                for i in order.items
            ],
            "events": [
                {"time": e.occurred_at.isoformat(), "text": e.description, "location": e.location, "status_label": e.status_label}
                for e in events
            ],
        },
    }


def timeline_text(order: OrderDetail) -> str:
    lines = [
        f"订单 {order.order_no}（{order_summary(order)}，实付 {money(order.payable)}）",
        f"当前状态：{order.status_label}",
    ]
    eta = delivery_text(order)
    if eta:
        lines.append(f"{eta}。")
    shipment = order.shipment
    if shipment:
        lines.append(f"物流：{shipment.carrier_name} {shipment.tracking_no}")
        for event in reversed(shipment.events[-5:]):
            lines.append(f"  · {china_time(event.occurred_at)} {event.description}")
    elif OrderStatus(order.status) is OrderStatus.AWAITING_SHIPMENT:
        lines.append("商品正在备货，发货后会第一时间同步物流信息。")
    elif OrderStatus(order.status) is OrderStatus.PENDING_PAYMENT:
        lines.append("订单还未付款，付款后我们会尽快为您发货。")
    if order.delivered_at:
        lines.append(f"已于 {month_day(order.delivered_at)} 签收。")
    return "\n".join(lines)


def order_list_payload(orders: List[OrderDetail]) -> Dict[str, Any]:
    return {
        "type": "order_list",
        "orders": [
            {
                "order_no": o.order_no,
                "status_label": o.status_label,
                "summary": order_summary(o),
                "created_at": o.created_at.isoformat(),
                "total_text": money(o.payable),
                "payload": intent_payload("order_status", order_no=o.order_no),
            }
            for o in orders
        ],
    }


async def answer_order_clause(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    """"耳机到了吗？另外运费险怎么赔": besides the other question's answer, the order one's (a
    guest is asked for the order number, as the order flow does)."""
    clause = order_clause((tracker.latest_message or {}).get("text") or "")
    if clause is None:
        return []
    return await ActionOrderStatus()._answer(dispatcher, tracker, clause)


def say_policies_beside_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[str]:
    """"运费多少？我的牛奶发货了吗" read as an order question: the policy asked in the other
    clause is answered first (the mirror of ``answer_order_clause``); returns the topics said."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    book = faq_book()
    said = []
    for topic in topics_beside_order_clause(text, message.get("entities") or []):
        policy = None if topic in ORDER_TOPICS else book.answer(topic)
        if policy:
            dispatcher.utter_message(text=policy.for_question(text))
            said.append(topic)
    return said


async def meant_orders(text: str, orders: List[OrderDetail], named: Sequence[str] = ()):
    """The orders a message means (assistant.order_matching), by title first and, where the
    titles match nothing, by the ordered products' categories ("护肤品那单")."""
    meant = orders_meant(text, orders, utc_now(), extra_words=named)
    if needs_categories(meant):
        async for categories, words in category_readings(orders, named, text):
            meant = orders_meant(text, orders, utc_now(), extra_words=words, categories=categories)
            if not needs_categories(meant):
                break
    return meant


async def category_readings(orders: List[OrderDetail], named: Sequence[str], text: str):
    """The orders' category names (order number → names) and the NLU's names to match them
    by, the products' own categories first, then with their departments: "手机" is the phone,
    not the earphones under 手机数码. The departments are read only if the caller asks on."""
    for leaf_only in (True, False):
        yield await db(order_category_names, orders, leaf_only), typed_names(named, text, leaf_only)


# A guest look-up's two questions (the pending_lookup slot says which one waits).
ASK_ORDER_NO = "请告诉我您的订单号（18位数字），以及下单手机号的后四位；登录后我也可以直接帮您查。"
ASK_SUFFIX = "为了保护您的隐私，请提供该订单收货手机号的后四位。"
LOOKUP_QUESTIONS = {"order_no": ASK_ORDER_NO, "phone_suffix": ASK_SUFFIX}
MISMATCH = ("订单 {order_no} 和手机号后四位不匹配（或订单不存在）。请核对后再发一次收货手机号的后四位，"
            "订单号不对的话直接发新的订单号。")
MISMATCH_END = MISMATCH.split("{order_no}")[1]


def is_lookup_prompt(said: str) -> bool:
    """The assistant's words that ask a guest for the order number or the phone digits."""
    return said in (ASK_ORDER_NO, ASK_SUFFIX, HURRIED, GUEST_AFTER_SALES, SUFFIX_BEFORE_ORDER) or said.endswith(MISMATCH_END)


def ask_lookup_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """"好的" / "嗯" right after a guest look-up's question: no answer to it, so the question
    is asked again (a plain "好的～还有什么可以帮您" dropped the look-up). False, saying
    nothing, when no look-up question is the assistant's last word."""
    question = LOOKUP_QUESTIONS.get(tracker.get_slot("pending_lookup") or "")
    said = (tracker.latest_message or {}).get("text") or ""
    if question is None or not only_acknowledges(said) or last_bot_text(tracker.events or []) != question:
        return False
    dispatcher.utter_message(text=question)
    return True


HURRIED = "理解您着急！发我订单号（18位数字）和下单手机号的后四位，我马上帮您查；登录后也可以直接查看。"
FORGOT_ORDER_NO = ("没关系～订单号可以在下单后的短信、支付记录（微信/支付宝账单详情）里找到；登录后我可以直接帮您查，"
                   "不用订单号。也可以转人工客服，核实身份后帮您查询。")
FORGOT_SUFFIX = ("收货手机号的后四位是核实身份用的，没有它我不能显示这笔订单的信息。可以看看下单短信或收货人的手机号；"
                 "登录后我也可以直接帮您查，或者转人工客服核实身份。想起来了直接发后四位就行。")


def order_picked(tracker: Tracker) -> Optional[Listed]:
    """"第二个" / "牛奶那单" typed after a list of orders: the order picked (with what the
    list was offered for, e.g. cancelling)."""
    text = (tracker.latest_message or {}).get("text") or ""
    if not picks_an_order(text):
        return None
    listed = orders_on_screen(tracker.events)
    index = choice_index(text, [order.summary for order in listed])
    return listed[index] if index is not None else None



async def order_picked_by_kind(tracker: Tracker) -> Optional[Listed]:
    """"就那个衣服的" / "衣服那个" typed after a list of orders: the one listed order whose
    goods are of the kind named (a category word the titles need not hold: 衣服 for a 衬衫),
    with what the list was offered for. Only the listed orders are read — "衣服" picks the
    clothes order offered for cancelling, not also a finished clothes order never offered.
    Only a list the assistant's last answer showed: one shown turns ago offered nothing now
    (its "cancel" would start a cancellation from "衬衫那单到哪了")."""
    customer_id = current_customer_id(tracker)
    events = list(tracker.events or [])
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    listed = orders_on_screen(events[users[-2]:users[-1]]) if len(users) >= 2 else []
    message = tracker.latest_message or {}
    named = [str(e.get("value")) for e in message.get("entities") or [] if e.get("entity") in ("category", "product")]
    if customer_id is None or not listed or not named:
        return None
    by_number = {entry.order_no: entry for entry in listed}
    orders = [o for o in await db(recent_orders, customer_id, limit=MAX_RECENT) if o.order_no in by_number]
    meant = await meant_orders(message.get("text") or "", orders, named)
    return by_number[meant.orders[0].order_no] if len(meant.orders) == 1 else None


def gives_awaited_digits(tracker: Tracker) -> bool:
    """"3949" / "打错了 是3949" while a guest's look-up waits for the phone digits: the answer,
    whatever the classifier made of it (unsure, out of scope); the look-up reads it."""
    text = (tracker.latest_message or {}).get("text") or ""
    return (tracker.get_slot("pending_lookup") in ("phone_suffix", "order_no")
            and bare_phone_suffix(text) is not None)


def _suffix_said_before(tracker: Tracker) -> Optional[str]:
    """The phone digits the shopper gave in the message before this one (the one that asked
    for the look-up, answered with "请告诉我您的订单号"), or None."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return None
    entities = ((users[-2].get("parse_data") or {}).get("entities")) or []
    found = [ascii_digits(str(e.get("value"))) for e in entities if e.get("entity") == "phone_suffix"]
    # "3949" typed alone before the number (SUFFIX_BEFORE_ORDER kept it): the digits.
    return found[0] if found else bare_phone_suffix(users[-2].get("text") or "")

async def delivery_before_buying(tracker: Tracker) -> Optional[str]:
    """"发到成都几天能到" right after a product or a list was shown, no order named: how long
    goods paid now take to that city; None otherwise."""
    from actions.continuation import last_flow  # it routes to this module's action

    text = (tracker.latest_message or {}).get("text") or ""
    if (not asks_delivery_to_city(text) or first_entity(tracker, "order_no")
            or last_flow(tracker) not in ("action_product_inquiry", "action_recommend")):
        return None
    return delivery_quote(text, utc_now())


def say_order_invoice(dispatcher: CollectingDispatcher, said: str) -> None:
    """How the invoice of the order just shown is had, when ``said`` asks about one (nothing
    otherwise)."""
    if not asks_about_invoice(said):
        return
    answer = faq_book().answer(invoice_answer_topic(said))
    if answer is not None:
        dispatcher.utter_message(text=order_known(answer.for_question(said)))


class ActionOrderStatus(ShopAction):
    def name(self) -> str:
        return "action_order_status"

    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        if asks_invoice_progress(text, entity_values(tracker, "topic")):
            # "怎么还没收到发票": the invoice of the order, not the parcel (还没收到).
            from actions.purchase import ActionPurchaseHelp  # it builds on this module

            return await ActionPurchaseHelp().handle(dispatcher, tracker, domain)
        from actions.product import buys_in_view  # it builds on this module

        bought = await buys_in_view(dispatcher, tracker)
        if bought is not None:
            # "算了改成一个吧" while buying the product in view: the number bought, not an order.
            return bought
        quote = await delivery_before_buying(tracker)
        if quote is not None:
            # "发到成都几天能到" about the product just shown: its delivery time, not an order's.
            dispatcher.utter_message(text=quote)
            return []
        said = say_policies_beside_order(dispatcher, tracker)
        events = await self._answer(dispatcher, tracker)
        fix = invoice_question(text)
        if fix in (REISSUE, COPY) and "invoice" not in said:
            # "精华液那单发票抬头写错了 要改成公司的": the order named, then how its invoice is
            # corrected (or downloaded again) — read as an order question, the invoice was left out.
            answer = faq_book().answer(fix)
            if answer is not None:
                dispatcher.utter_message(text=answer.pick())
        if tracker.get_slot("order_change_next") and not any(e.get("name") == "order_change_next" for e in events):
            # Left over from an address change that ended in a hand-off: it would start the
            # address form again (a rule reads it after this action).
            events.append(SlotSet("order_change_next", None))
        return events

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      clause: Optional[str] = None) -> List[Dict[str, Any]]:
        """``clause``: the order question of a message that asked something else too (then
        only that part is answered here, with no topic of the rest)."""
        picked = order_picked(tracker) if clause is None and not first_entity(tracker, "order_no") else None
        if picked is None and clause is None and not first_entity(tracker, "order_no"):
            picked = await order_picked_by_kind(tracker)
        typed = ascii_digits(first_entity(tracker, "order_no")) or (picked.order_no if picked else None)
        text = (tracker.latest_message or {}).get("text") or ""
        # "不是这个 换一个" to "确认要取消订单 X 吗？": not X (the slot) — which order, asked again.
        other = clause is None and another_order_meant(text, fresh_offer(tracker))
        order_no = typed or (None if other else ascii_digits(tracker.get_slot("order_no")))
        if order_no is not None and not is_order_number(order_no):
            dispatcher.utter_message(text=NOT_AN_ORDER_NUMBER)
            return [SlotSet("order_no", None)]

        # "怎么取消订单" / "帮我取消订单X" / "我要改收货地址": the change, not the order card.
        from actions.order_changes import answer_order_change  # it builds on this module

        topics = entity_values(tracker, "topic") if clause is None else []
        topic = change_topic(topics, clause or (tracker.latest_message or {}).get("text") or "")
        if topic is None and picked is not None and picked.topic in ("cancel_order", "address_change"):
            # "第一个" from the orders offered for cancelling: that order's cancellation.
            topic = picked.topic
        asked_where = order_clause((tracker.latest_message or {}).get("text") or "") if clause is None else None
        if topic is not None and asked_where is not None and change_topic([], asked_where) is None and not typed:
            # "耳机到哪了 顺便把精华液的地址改成公司那个": the parcel asked about first, then the
            # change taken up for the order the rest names (not the policy for both at once).
            where = [e for e in await self._answer(dispatcher, tracker, asked_where) if e.get("name") != "order_no"]
            rest = without_order_clause((tracker.latest_message or {}).get("text") or "")
            return where + await answer_order_change(dispatcher, tracker, topic, None, text=rest)
        if topic is not None:
            return await answer_order_change(dispatcher, tracker, topic, order_no)
        asked = policies_asked([t for t in POLICY_FIRST if t in topics], clause or (tracker.latest_message or {}).get("text") or "")
        if "not_received" in topics and signed_but_not_received(clause or (tracker.latest_message or {}).get("text") or ""):
            # "显示签收了但没收到": what to check and what we do, and a person — not a card that
            # says 已签收 once more.
            asked.append("not_received")
        if asks_to_modify_order(clause or (tracker.latest_message or {}).get("text") or "") and not typed:
            # "下单了能改颜色吗", "买错尺码了 还没发货": what can be changed, by the order's state.
            asked.append("order_modify")
        if asked and not typed:
            # "帮我备注一下下午送": the policy (and a person for what only the desk can do),
            # not the card of the order in view once more.
            book = faq_book()
            # "水果那单显示签收了 可我没收到啊": the order named by its goods is shown and the
            # policy said about it, not "告诉我订单号" for an order the shopper already named.
            named = await self._named_order(tracker, clause)
            if named is not None:
                self._show(dispatcher, tracker, named)
            for answer in (book.answer(t) for t in asked):
                if answer:
                    said = answer.for_question((tracker.latest_message or {}).get("text") or "")
                    dispatcher.utter_message(text=order_known(said) if named is not None else said)
            dispatcher.utter_message(text="需要的话我可以为您转接人工客服处理。",
                                     buttons=buttons([("转人工", "/human_handoff")]))
            return [offer(OFFER_HANDOFF)] + ([SlotSet("order_no", named.order_no)] if named is not None else [])
        customer_id = current_customer_id(tracker)
        if customer_id is None:
            return await self._guest(dispatcher, tracker, order_no)

        text = clause or (tracker.latest_message or {}).get("text") or ""
        if not typed and asks_earlier_order(text):
            # "不对，是上一个订单": the one placed before the order in view.
            mine = await db(recent_orders, customer_id, limit=MAX_RECENT)
            earlier = earlier_order(mine, order_no)
            if earlier is not None:
                return self._present(dispatcher, tracker, earlier, text)
            if is_oldest(mine, order_no) and len(mine) < MAX_RECENT:
                # (all the shopper's orders were read: the one in view is truly the first)
                dispatcher.utter_message(text=NO_EARLIER_ORDER, buttons=buttons([("转人工", "/human_handoff")]))
                self._offer_others(dispatcher, tracker, [o for o in mine[:RECENT_LIMIT] if o.order_no != order_no])
                return [offer(OFFER_HANDOFF)]
        if order_no and not typed and (first_entity(tracker, "product") or first_entity(tracker, "category")
                                       or nth_recent_order(text)):
            # "那牛奶呢" after the earbuds' order: the order named now, not the one remembered.
            order_no = None
        if order_no:
            order = await db(get_order, customer_id, order_no)
            if order is None:
                # (another shopper's order reads as one that does not exist)
                dispatcher.utter_message(
                    text=NOT_FOUND.format(no=order_no) if typed == order_no else NOT_FOUND_REMEMBERED
                )
                return [SlotSet("order_no", None)]
            shown = self._present(dispatcher, tracker, order, text)
            if typed and clause is None and invoice_question(text) not in (REISSUE, COPY):
                # "<订单号> 开发票": the shopper's own order, then how its invoice is had.
                say_order_invoice(dispatcher, text)
            if typed and asked_number_for_price_protection(tracker.events or []):
                # "刚买的降价了" → "告诉我订单号…" → the number: that order's price protection.
                dispatcher.utter_message(text=price_protection_text(order.order_no, order.items[0].title, order.paid_at,
                                                                    order.delivered_at, utc_now()))
            return shown

        orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
        if not orders:
            dispatcher.utter_message(text="您还没有下过订单哦，需要我为您推荐些商品吗？")
            return [offer(OFFER_RECOMMEND)]
        listed = orders_on_screen(tracker.events)
        nth = nth_recent_order(text)
        index = choice_index(nth, [order_summary(o) for o in orders[:RECENT_LIMIT]]) if nth and not listed else None
        if index is not None:
            # "帮我看看第二个订单" before any list: the second of the recent orders, newest first.
            return self._present(dispatcher, tracker, orders[index], text)
        at = choice_index(nth, [entry.summary for entry in listed]) if nth and listed else None
        on_list = await db(get_order, customer_id, listed[at].order_no) if at is not None else None
        if on_list is not None:
            # "第二单什么时候发货" with a list on screen: the second order of that list.
            return self._present(dispatcher, tracker, on_list, text)
        message = tracker.latest_message or {}
        # (of a message with two questions, only what the order clause names)
        named = values_within(message.get("text") or "", text, message.get("entities") or [], ("product", "category"))
        meant = await meant_orders(text, orders, named)
        if len(meant.orders) == 1:
            # "我买的耳机什么时候能到" / "查物流": the order meant, not merely the newest.
            return self._present(dispatcher, tracker, meant.orders[0], text)
        if not meant.described and is_urging(text):
            # "能不能快点发" with no order named: the newest one paid and waiting to ship, else
            # the newest on its way, else the newest unpaid one.
            coming = sorted((o for o in orders if OrderStatus(o.status) in URGEABLE), key=lambda o: urge_rank(o.status))
            if coming:
                return self._present(dispatcher, tracker, coming[0], text)
        if len(meant.orders) > 1 and meant.described:
            dispatcher.utter_message(text=f"您有 {len(meant.orders)} 笔订单符合，请问是哪一笔？（发送订单号，或点击查看）")
            self._offer_others(dispatcher, tracker, meant.orders[:RECENT_LIMIT])
            return [SlotSet("order_no", None)]
        if meant.described and sounds_angry(text):
            # "快递员态度很差": a complaint, not an order look-up that found nothing.
            dispatcher.utter_message(text="您反馈的情况我已经记下了。需要的话我马上为您转接人工客服登记处理；"
                                          "也可以告诉我是哪一笔订单，我帮您一起跟进。",
                                     buttons=buttons([("转人工", "/human_handoff")]))
            return [offer(OFFER_HANDOFF)]
        if meant.described:
            dispatcher.utter_message(text="没有找到与您描述相符的订单，以下是您最近的订单：")
        orders = orders[:RECENT_LIMIT]
        latest, others = orders[0], orders[1:]
        dispatcher.utter_message(text="为您查到最近一笔订单：")
        self._show(dispatcher, tracker, latest)
        if others:
            self._offer_others(dispatcher, tracker, others)
        return [SlotSet("order_no", latest.order_no)]

    async def _guest(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order_no: Optional[str]
    ) -> List[Dict[str, Any]]:
        failures = int(tracker.get_slot("guest_lookup_failures") or 0)
        if failures >= GUEST_LOOKUP_MAX_CONVERSATION_FAILURES:
            dispatcher.utter_message(text="为了保护订单信息安全，本次会话的查询次数已用完。请登录后在“我的订单”中查看，或说“转人工”。")
            return []
        said = (tracker.latest_message or {}).get("text") or ""
        if not order_no and tracker.get_slot("pending_lookup") and forgets(said):
            # "订单号不记得了": where to find it, and the ways that need no number.
            dispatcher.utter_message(text=FORGOT_ORDER_NO, buttons=buttons([("转人工", "/human_handoff")]))
            return [SlotSet("pending_lookup", None)]
        if not order_no and tracker.get_slot("pending_lookup") and is_urging(said):
            # "能快点吗" while we wait for the number: the hurry heard, and the question asked
            # again in other words (not the same sentence once more).
            last_said = next((e.get("text") for e in reversed(tracker.events) if e.get("event") == "bot"), None)
            # Hurried twice: where to find the number and a person, not the same words again.
            dispatcher.utter_message(text=FORGOT_ORDER_NO if last_said == HURRIED else HURRIED,
                                     buttons=buttons([("转人工", "/human_handoff")]) if last_said == HURRIED else None)
            return [SlotSet("pending_lookup", "order_no")]
        if not order_no and tracker.get_slot("pending_lookup") == "order_no" and bare_phone_suffix(said):
            # "3949" where the number was asked for: the digits kept, the number asked for.
            dispatcher.utter_message(text=SUFFIX_BEFORE_ORDER)
            return [SlotSet("pending_lookup", "order_no")]
        if not order_no:
            dispatcher.utter_message(text=ASK_ORDER_NO)
            return [SlotSet("pending_lookup", "order_no")]
        suffix = ascii_digits(first_entity(tracker, "phone_suffix"))
        proved_no, _, proved_suffix = str(tracker.get_slot(VERIFIED_SLOT) or "").partition(":")
        if not suffix and proved_no == order_no:
            suffix = proved_suffix     # proved earlier in this conversation: checked again, not asked
        if not suffix and tracker.get_slot("pending_lookup") == "order_no":
            # "手机尾号3949 帮我查下快递", then the number asked for: the digits came first.
            suffix = _suffix_said_before(tracker)
        if not suffix and tracker.get_slot("pending_lookup") == "phone_suffix":
            # The answer to "后四位是？" typed bare ("2220"): the NLU may not tag it.
            # Read out in Chinese ("三九四九", "一三五七") as typed in digits.
            suffix = bare_phone_suffix((tracker.latest_message or {}).get("text") or "")
        if not suffix and tracker.get_slot("pending_lookup") == "phone_suffix" and forgets(said):
            # "尾号不记得了": the order is shown to no one without it; the ways that need none.
            dispatcher.utter_message(text=FORGOT_SUFFIX, buttons=buttons([("转人工", "/human_handoff")]))
            return [SlotSet("order_no", order_no), SlotSet("pending_lookup", "phone_suffix")]
        if not suffix or not is_phone_suffix(suffix):
            dispatcher.utter_message(text=ASK_SUFFIX)
            return [SlotSet("order_no", order_no), SlotSet("pending_lookup", "phone_suffix")]
        try:
            # Fails closed: a try that cannot be recorded is refused (shop/db/orders.py).
            lookup = await db_prompt(lookup_order_for_guest, order_no, suffix, utc_now(), client=client_of(tracker),
                                     max_client_failures=guest_lookup_max_client_failures())
        except SQLAlchemyError:
            logger.exception("guest look-up refused: the try could not be recorded (conversation %s)",
                             tracker.sender_id)
            dispatcher.utter_message(text=GUEST_LOOKUP_UNAVAILABLE)
            # Counted in the conversation (the only record while the database refuses writes),
            # but the number is kept and the digits asked for again, as after a miss: the
            # digits sent again once the database is back are checked (they used to meet a
            # conversation that had forgotten the number: "没太看懂").
            return [SlotSet("order_no", order_no), SlotSet("pending_lookup", "phone_suffix"),
                    SlotSet("guest_lookup_failures", float(failures + 1))]
        if lookup.locked:
            logger.warning("guest look-up refused: too many failed tries %s (conversation %s)",
                           "from this client" if lookup.client_locked else "on one order number", tracker.sender_id)
            dispatcher.utter_message(text=CLIENT_LOCKED if lookup.client_locked else LOCKED)
            return [SlotSet("order_no", None), SlotSet("pending_lookup", None)]
        order = lookup.order
        if order is None:
            # The order number survives a failed try: only the suffix is asked for again.
            dispatcher.utter_message(text=MISMATCH.format(order_no=order_no))
            return [SlotSet("order_no", order_no), SlotSet("pending_lookup", "phone_suffix"),
                    SlotSet("guest_lookup_failures", float(failures + 1))]
        text = (tracker.latest_message or {}).get("text") or ""
        shown = self._present(dispatcher, tracker, order, text)
        asked = lookup_texts(tracker.events or [], is_lookup_prompt)
        if any(asks_price_protection(said) for said in asked):
            # "手机降价了能价保不" → the number → the digits: the question the order was proved for.
            dispatcher.utter_message(text=price_protection_text(order.order_no, order.items[0].title, order.paid_at,
                                                                order.delivered_at, utc_now()))
        if wished_after_sales(asked):
            # "我要退货" → "先登录" → the number and the digits: the order is proved, and how the
            # request is made.
            dispatcher.utter_message(text=AFTER_SALES_PROVED, buttons=buttons([("转人工", "/human_handoff")]))
        invoice = next((said for said in asked if asks_about_invoice(said)), None)
        if invoice is not None:
            # "X 开发票" → the digits: how this order's invoice is had, not the card alone.
            say_order_invoice(dispatcher, invoice)
        return [*shown, SlotSet("pending_lookup", None), SlotSet(VERIFIED_SLOT, f"{order.order_no}:{suffix}")]

    async def _named_order(self, tracker: Tracker, clause: Optional[str]) -> Optional[OrderDetail]:
        """The signed-in shopper's one recent order whose goods the message names ("水果那单",
        "手机和充电器"); None for a guest, when nothing is named, or when it fits several."""
        customer_id = current_customer_id(tracker)
        message = tracker.latest_message or {}
        named = [str(e.get("value")) for e in message.get("entities") or [] if e.get("entity") in ("category", "product")]
        if customer_id is None or not named:
            return None
        orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
        meant = await meant_orders(clause or message.get("text") or "", orders, named)
        return meant.orders[0] if len(meant.orders) == 1 else None

    def _present(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderDetail,
                 text: str) -> List[Dict[str, Any]]:
        """The order meant: its card, or — for "能不能快点发" — what can be done to hurry it."""
        if not is_urging(text):
            self._show(dispatcher, tracker, order)
            if asks_tracking_number(text):
                # "快递单号发我下": the number itself, said, not only inside the card.
                shipment = order.shipment
                dispatcher.utter_message(text=tracking_number_text(
                    order.order_no, shipment is not None, *((shipment.carrier_name, shipment.tracking_no) if shipment else ())))
            logistics = faq_book().answer("logistics") if tracking_stalled(text) else None
            if logistics is not None:
                # "物流怎么一直不更新": the parcel, then what a stale tracking means and what we do.
                dispatcher.utter_message(text=logistics.for_question(text))
            return [SlotSet("order_no", order.order_no)]
        reply = urging_reply(order.order_no, order.status, delivery_text(order))
        if OrderStatus(order.status) in AWAITED:
            dispatcher.utter_message(text=reply, buttons=buttons([("转人工", "/human_handoff")]))
            return [SlotSet("order_no", order.order_no), offer(OFFER_HANDOFF)]
        dispatcher.utter_message(text=reply)
        return [SlotSet("order_no", order.order_no)]

    def _show(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderDetail) -> None:
        if wants_text_only(tracker.get_latest_input_channel()):
            dispatcher.utter_message(text=timeline_text(order))
            return
        shipment = order.shipment
        headline = f"订单 {order.order_no} 当前状态：{order.status_label}。"
        if shipment and shipment.latest_event:
            event = shipment.latest_event
            headline += f"最新物流：{china_time(event.occurred_at)} {event.description}"
        eta = delivery_text(order)
        if eta:
            headline += f"\n{eta}。"
        if OrderStatus(order.status) is OrderStatus.CANCELLED and order.paid_at is None:
            # Why it was closed (the shopper asks "怎么被取消了"): who did it, from its history.
            note = unpaid_cancellation_note(order.cancelled_by)
            if note:
                headline += "\n" + note
        dispatcher.utter_message(text=headline, json_message=timeline_payload(order, eta))

    def _offer_others(self, dispatcher: CollectingDispatcher, tracker: Tracker, others: List[OrderDetail]) -> None:
        if wants_text_only(tracker.get_latest_input_channel()):
            lines = [f"{o.order_no}  {o.status_label}  {order_summary(o)}" for o in others]
            dispatcher.utter_message(text="您的其他近期订单（发送订单号即可查询）：\n" + "\n".join(lines))
            return
        dispatcher.utter_message(
            text="其他近期订单，点击即可查看：",
            buttons=buttons((f"{o.status_label} · {order_summary(o)[:16]}", intent_payload("order_status", order_no=o.order_no)) for o in others),
            json_message=order_list_payload(others),
        )
