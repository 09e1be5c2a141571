"""取消订单 / 改地址 typed by a shopper: a real cancellation through the order state machine
where the order's status allows it (after a confirmation), a real address change (the
address_change_form: which order, which address — saved or typed —, a confirmation), the
policy text where the status allows neither, and the policy for questions and for guests."""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.form_questions import answer_form_question, form_question_answers
from actions.formatting import buttons, intent_payload
from actions.offers import CANCEL_OFFER_PREFIX, OFFER_HANDOFF, confirms_cancellation, fresh_offer, offer
from actions.orders import delivery_text, meant_orders, order_summary, own_order
from actions.support import (
    ShopAction, ShopFormValidation, confirm_again, current_customer_id, db, db_confirmed, entity_values, first_entity,
    latest_intent,
)
from actions.unreadable import readability
from assistant.address_choice import address_meant, address_wished, describe, from_slot
from assistant.answer_words import confirms_cancel_alone, says_none_of_them
from assistant.faq import faq_book
from assistant.form_questions import ADDRESS_CHANGE, answered_since_message, digresses, only_acknowledges
from assistant.offers import last_cancellation_asked
from assistant.order_changes import address_confirmation, keeps_address
from assistant.order_matching import (
    asks_for_pickup, item_words, statuses_named,
)
from assistant.typed_answers import asks_about_policy, choice_index, only_a_place
from shop.db.customers import saved_addresses
from shop.db.errors import AddressChangeNotAllowed, OrderCannotBeCancelled, OrderNotFound
from shop.db.orders import MAX_RECENT, SAME_ADDRESS, cancel_order, change_order_address, get_order, recent_orders
from shop.db.records import AddressChangeResult
from shop.domain.addresses import same_place
from shop.domain.clock import utc_now
from shop.domain.privacy import mask_phone
from shop.domain.numbers import ascii_digits, is_order_number
from shop.domain.orders import CANCELLED_NOW, OrderStatus, address_change_allowed, cancellation_decision

logger = logging.getLogger(__name__)

# Set by answer_order_change to start the address_change_form (a rule reads it).
NEXT_SLOT = "order_change_next"
ADDRESS_FORM = "address_form"
ADDRESS_SLOT, ADDRESS_CONFIRM_SLOT = "new_address", "address_confirmed"
# How the address form ended (address_confirmed): changed on "yes", nothing on the others.
YES, CANCELLED, ANSWERED = "yes", "cancelled", "answered"
NOTHING_TO_CONFIRM = "目前没有等待您确认的取消操作，没有取消任何订单。"
SIGN_IN = "登录后（页面右上角“登录”）告诉我订单号，我可以直接帮您查看这笔订单能否办理。"


def start_address_form(order_no: Optional[str], address: Optional[str] = None) -> List[Dict[str, Any]]:
    """Events that start the address change form, for this order or asking which one;
    ``address``: the one the request already named (the form validates it as it starts)."""
    return [SlotSet("order_no", order_no), SlotSet(ADDRESS_SLOT, address), SlotSet(ADDRESS_CONFIRM_SLOT, None),
            SlotSet(NEXT_SLOT, ADDRESS_FORM)]


async def address_named(customer_id: Optional[int], text: str) -> Optional[str]:
    """"订单X改到公司地址" / "帮我把收货地址改成天津那个": the address the request names (its slot
    value), so the form asks "改到哪个地址？" only when none is named."""
    wished = address_wished(text)
    if not wished or customer_id is None:
        return None
    meant = address_meant(wished, await db(saved_addresses, customer_id))
    return meant.slot_value() if meant else None


def _policy(dispatcher: CollectingDispatcher, topic: str) -> None:
    answer = faq_book().answer(topic)
    if answer:
        dispatcher.utter_message(text=answer.pick())


async def answer_order_change(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str,
                              order_no: Optional[str], text: Optional[str] = None) -> List[Dict[str, Any]]:
    """Answers a cancellation or address-change message; returns the events. ``text``: the
    part of the message that asks for the change, when another part asked something else."""
    customer_id = current_customer_id(tracker)
    text = text if text is not None else (tracker.latest_message or {}).get("text") or ""
    pending = fresh_offer(tracker) or ""
    if pending.startswith(CANCEL_OFFER_PREFIX) and confirms_cancellation(None, text):
        # "确认取消" right after the question: the NLU may read it as another cancel request.
        return await carry_out_cancellation(dispatcher, tracker, pending[len(CANCEL_OFFER_PREFIX):])
    if topic == "cancel_order" and confirms_cancel_alone(text):
        already = await cancelled_since_asked(tracker, customer_id)
        if already:
            # A second "确认取消" (a double tap, two tabs): the first one cancelled it.
            dispatcher.utter_message(text=f"订单 {already} 已经取消了，不需要再次确认。还有什么可以帮您？")
            return []
        # "确认取消" with no cancellation asked about: nothing is confirmed; which order, then.
        dispatcher.utter_message(text=NOTHING_TO_CONFIRM)
    if topic == "address_change" and asks_for_pickup(text):
        # "精华液能改成自提吗": how an order is switched to a pickup point, not the saved addresses.
        _policy(dispatcher, "pickup")
        return []
    if customer_id is None:
        _policy(dispatcher, topic)
        dispatcher.utter_message(text=SIGN_IN)
        return []
    if order_no:
        order = await db(get_order, customer_id, order_no)
        candidates = [order] if order is not None else []
    else:
        orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
        meant = await meant_orders(text, orders)
        if meant.described and not meant.orders and topic == "cancel_order":
            # "衣服那单撤了": the goods by their department (the titles say 衬衫, T恤), and of
            # those the one order that can still be cancelled.
            named = [*entity_values(tracker, "product"), *entity_values(tracker, "category")]
            by_kind = (await meant_orders(text, orders, named)).orders if named else []
            cancellable = [o for o in by_kind if cancellation_decision(OrderStatus(o.status)).allowed]
            meant = meant if len(cancellable) != 1 else replace(meant, orders=cancellable)
        candidates = meant.orders if meant.described else []
        if not candidates:
            if topic == "cancel_order":
                candidates = [o for o in orders if cancellation_decision(OrderStatus(o.status)).allowed]
                named = statuses_named(text)
                if named:
                    # "还没付款的那个订单不想要了": the cancellable orders in the state it names
                    # (never a paid one instead, when none is unpaid).
                    candidates = [o for o in candidates if OrderStatus(o.status) in named]
            else:
                candidates = [o for o in orders if address_change_allowed(o.status)]
            if topic == "address_change" and candidates and not asks_about_policy(text):
                # "我要改收货地址": a request; the form asks which order when several qualify.
                return start_address_form(candidates[0].order_no if len(candidates) == 1 else None,
                                          await address_named(customer_id, text))
            if asks_about_policy(text) or len(candidates) != 1:
                _policy(dispatcher, topic)
                if candidates:
                    lines = "\n".join(f"{o.order_no}  {o.status_label}  {order_summary(o)[:20]}" for o in candidates[:5])
                    dispatcher.utter_message(
                        text=f"您目前可以办理的订单：\n{lines}\n需要的话告诉我订单号（或商品名，或说“第一个”），我帮您办理。",
                        # Each opens that order's change ("第二个" typed picks it too): cancelling
                        # asks for a confirmation next, the address form for the new address.
                        buttons=buttons((f"{o.status_label} · {order_summary(o)[:16]}",
                                         intent_payload("order_status", order_no=o.order_no, topic=topic))
                                        for o in candidates[:5]),
                    )
                return []
    if len(candidates) != 1:
        _policy(dispatcher, topic)
        return []
    order = candidates[0]
    if topic == "address_change":
        if address_change_allowed(order.status):
            return start_address_form(order.order_no, await address_named(customer_id, text))
        return [SlotSet("order_no", order.order_no), *address_refused(dispatcher, order)]
    decision = cancellation_decision(OrderStatus(order.status))
    if not decision.allowed:
        dispatcher.utter_message(text=f"订单 {order.order_no}（{order_summary(order)[:16]}）：{decision.message}")
        return [SlotSet("order_no", order.order_no)]
    refund = "，已付款项将原路退回" if OrderStatus(order.status) is OrderStatus.AWAITING_SHIPMENT else ""
    dispatcher.utter_message(
        text=f"确认要取消订单 {order.order_no}（{order_summary(order)[:16]}）吗{refund}？确认请回复“确认取消”，不取消回复“不用了”。",
        buttons=buttons([("确认取消", "确认取消"), ("不用了", "不用了")]),
    )
    return [SlotSet("order_no", order.order_no), offer(CANCEL_OFFER_PREFIX + order.order_no)]


async def cancelled_since_asked(tracker: Tracker, customer_id: Optional[int]) -> Optional[str]:
    """The order this conversation last asked to cancel, if it is cancelled by now."""
    order_no = last_cancellation_asked(reversed(tracker.events))
    if customer_id is None or not order_no:
        return None
    order = await db(get_order, customer_id, order_no)
    return order_no if order is not None and OrderStatus(order.status) in CANCELLED_NOW else None


async def carry_out_cancellation(dispatcher: CollectingDispatcher, tracker: Tracker, order_no: str) -> List[Dict[str, Any]]:
    customer_id = current_customer_id(tracker)
    if customer_id is None:
        dispatcher.utter_message(text="登录已失效，请重新登录后再取消订单。")
        return []
    try:
        result = await db_confirmed(cancel_order, customer_id, order_no, utc_now(), reason="买家在客服对话中取消")
    except OrderCannotBeCancelled as refused:
        # Also the truth for a "确认取消" sent again after a cancellation that went through
        # (see shop_channels.rasa_failures): "订单 X：订单已经取消了，无需重复操作。"
        dispatcher.utter_message(text=f"订单 {order_no}：{refused}")
        return []
    except OrderNotFound:
        dispatcher.utter_message(text="没有找到这笔订单，请核对订单号。")
        return []
    except SQLAlchemyError:
        # The database locked or down: nothing changed. The question stays open (an offer is
        # only answerable in the next message), so "确认取消" once it is back cancels it.
        logger.exception("cancelling an order failed; asked to confirm again (conversation %s)", tracker.sender_id)
        dispatcher.utter_message(
            text=f"抱歉，系统暂时开了个小差，订单 {order_no} 还没有取消。请稍后再回复“确认取消”，或说“转人工”。",
            buttons=buttons([("确认取消", "确认取消"), ("不用了", "不用了")]),
        )
        return [offer(CANCEL_OFFER_PREFIX + order_no)]
    dispatcher.utter_message(text=f"订单 {result.order_no}：{result.message}")
    return []


def address_refused(dispatcher: CollectingDispatcher, order) -> List[Dict[str, Any]]:
    """A shipped (or closed) order: the policy, and an agent offered (a courier can still be
    asked to redeliver)."""
    eta = delivery_text(order)
    when = f"（{eta}）" if eta else ""
    dispatcher.utter_message(text=f"订单 {order.order_no} 当前状态是“{order.status_label}”{when}，已发出的包裹无法在线修改地址。")
    _policy(dispatcher, "address_change")
    dispatcher.utter_message(text="需要的话我可以为您转接人工客服，帮您联系快递改派。")
    return [offer(OFFER_HANDOFF)]


async def changeable_orders(customer_id: Optional[int]) -> list:
    """The shopper's orders whose address can still change, newest first (as offered)."""
    if customer_id is None:
        return []
    orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
    return [o for o in orders if address_change_allowed(o.status)]


# Said to "都不是" at the list of orders whose address can change.
NOT_LISTED_ORDER = "上面是您还没发货、可以改地址的订单；已发货的订单不能在线改地址（可以说“转人工”联系快递改派）。要改的是其他订单的话请直接发订单号，不改了请说“取消”。"

def _asked(tracker: Tracker, slot: str) -> Optional[str]:
    """The text typed in answer to the form's question for ``slot``."""
    if tracker.get_slot("requested_slot") != slot:
        return None
    return ((tracker.latest_message or {}).get("text") or "").strip() or None


class ValidateAddressChangeForm(ShopFormValidation):
    """order → address (saved, by ordinal / label / city, or typed in full) → confirmation.
    Nothing is written here; action_change_address writes after the confirmation."""

    def name(self) -> Text:
        return "validate_address_change_form"

    async def extract_order_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _asked(tracker, "order_no")
        if not text or first_entity(tracker, "order_no"):
            return {}
        orders = await changeable_orders(current_customer_id(tracker))
        picked = choice_index(text, [" ".join([o.status_label] + [item_words(i) for i in o.items])
                                     for o in orders])
        return {"order_no": orders[picked].order_no} if picked is not None else {}

    async def extract_new_address(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _asked(tracker, ADDRESS_SLOT)
        customer_id = current_customer_id(tracker)
        if (not text or customer_id is None or text.startswith("/") or latest_intent(tracker) == "human_handoff"
                or keeps_address(text) or form_question_answers(tracker, ADDRESS_CHANGE)):
            return {}       # a question is answered by extract_address_confirmed
        if readability(tracker) and not only_a_place(text):
            # ("2" alone reads as bare digits: at the numbered list of saved addresses it is a place.)
            # "<script>", "？？？": no address at all. Left unanswered, the form is rejected and the
            # out-of-scope rule says "没太看懂" before the question comes again (as at the order's).
            return {}
        if first_entity(tracker, "order_no"):
            # Another order's number: that order is taken (its own mapping), and the question asked
            # again for it; never read as an address (nor a saved one picked by its digits).
            return {}
        meant = address_meant(text, await db(saved_addresses, customer_id))
        if meant is None and digresses(latest_intent(tracker)):
            # "推荐个耳机", "再见", "今天天气怎么样": no address and not meant as one. Rejected,
            # so the digression rules answer it and the question comes again (or, on a
            # goodbye, the form is left and says so).
            return {}
        # Not understood: asked again (with the hint), not rejected into another flow.
        return {ADDRESS_SLOT: meant.slot_value() if meant else None}

    async def extract_address_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> Dict[Text, Any]:
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        asked = tracker.get_slot("requested_slot")
        if not asked or not text:
            return {}
        intent = latest_intent(tracker)
        if keeps_address(text):
            return {ADDRESS_CONFIRM_SLOT: CANCELLED}
        if answered_since_message(tracker.events or [], "address_change_form"):
            return {}       # back from a digression that answered it: the form asks again
        if ((asked == ADDRESS_CONFIRM_SLOT or tracker.get_slot(asked) is None)
                and answer_form_question(dispatcher, tracker, ADDRESS_CHANGE)):
            # "改地址要加钱吗": answered, then the same question again (nothing changes).
            return {ADDRESS_CONFIRM_SLOT: None}
        if asked == "order_no" and says_none_of_them(text):
            # "都不是" to the orders listed: which orders can change, and how to name another one.
            dispatcher.utter_message(text=NOT_LISTED_ORDER)
            return {ADDRESS_CONFIRM_SLOT: None}
        if asked != ADDRESS_CONFIRM_SLOT or intent == "human_handoff":
            return {}
        kind = address_confirmation(text, intent == "affirm")
        if kind == "cancel":
            return {ADDRESS_CONFIRM_SLOT: CANCELLED}    # "不想要了" / "不改了": nothing changes
        if kind == "yes":
            return {ADDRESS_CONFIRM_SLOT: YES}
        customer_id = current_customer_id(tracker)
        other = address_meant(text, await db(saved_addresses, customer_id)) if customer_id is not None else None
        if other is not None and other.slot_value() != tracker.get_slot(ADDRESS_SLOT):
            # "公司那个" / "不对，第三个" at the confirmation: that address instead, confirmed next.
            return {ADDRESS_CONFIRM_SLOT: None, ADDRESS_SLOT: other.slot_value()}
        if other is None and digresses(intent):
            # "推荐个耳机" / "再见" at the confirmation: no answer to it. Rejected to the
            # digression rules, the address chosen is kept and the confirmation asked again
            # (or, on a goodbye, the form is left and says so).
            return {}
        # "不对" / "换一个地址" / anything else: choose the address again.
        return {ADDRESS_CONFIRM_SLOT: None, ADDRESS_SLOT: None}

    async def validate_order_no(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        customer_id = current_customer_id(tracker)
        value = ascii_digits(value) if isinstance(value, str) else value
        if customer_id is None or not isinstance(value, str) or not is_order_number(value):
            return {"order_no": None}
        order = await db(get_order, customer_id, value)
        if order is None:
            dispatcher.utter_message(text=f"没有查到订单号为 {value} 的订单，请核对订单号是否正确。")
            return {"order_no": None}
        if not address_change_allowed(order.status):
            events = address_refused(dispatcher, order)
            return {"order_no": order.order_no, ADDRESS_CONFIRM_SLOT: ANSWERED, "requested_slot": None,
                    **{e["name"]: e["value"] for e in events}}
        return {"order_no": order.order_no}

    async def validate_new_address(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        meant = from_slot(value)
        if meant is None:
            typed = ((tracker.latest_message or {}).get("text") or "").strip()
            if tracker.get_slot("requested_slot") == ADDRESS_SLOT and not only_acknowledges(typed):
                # An answer to "改到哪个地址？" (not the form starting with the slot cleared, nor
                # a bare "好的" / "嗯", which named no address to miss: the question comes again).
                dispatcher.utter_message(text="没能确定是哪个地址。")
            return {ADDRESS_SLOT: None}
        current = await _current_address_if_same(current_customer_id(tracker), tracker.get_slot("order_no"), meant)
        if current is not None:
            # The address the order already goes to: nothing to change, asked again.
            dispatcher.utter_message(text=f"订单现在就是寄到这个地址（{current}），不用改。要改到别的地址请再选一个，说“取消”则不改。")
            return {ADDRESS_SLOT: None}
        return {ADDRESS_SLOT: value}

    async def validate_address_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> Dict[Text, Any]:
        if value in (CANCELLED, ANSWERED):
            return {ADDRESS_CONFIRM_SLOT: value, "requested_slot": None}
        return {ADDRESS_CONFIRM_SLOT: YES if value == YES else None}


class ActionAskAddressChangeFormOrderNo(ShopAction):
    def name(self) -> str:
        return "action_ask_address_change_form_order_no"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        orders = await changeable_orders(current_customer_id(tracker))
        lines = "\n".join(f"{n}. {o.order_no}  {o.status_label}  {order_summary(o)[:20]}"
                          for n, o in enumerate(orders[:8], start=1))
        dispatcher.utter_message(
            text=f"还没发货的订单可以改收货地址。请问要改哪一笔？（可以说“第二个”或商品名，或发订单号）\n{lines}",
            buttons=buttons((f"{o.status_label} · {order_summary(o)[:16]}", f'/inform{{"order_no": "{o.order_no}"}}')
                            for o in orders[:8]),
        )
        return []


class ActionAskNewAddress(ShopAction):
    def name(self) -> str:
        return "action_ask_new_address"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        customer_id = current_customer_id(tracker)
        order_no = tracker.get_slot("order_no")
        order = await own_order(customer_id, order_no)
        book = await db(saved_addresses, customer_id) if customer_id is not None else []
        head = (f"订单 {order.order_no}（{order_summary(order)[:16]}）还没发货，可以改地址。\n当前地址：{order.address}\n"
                if order else "")
        lines = "\n".join(f"{n}. {describe(a)}" for n, a in enumerate(book, start=1))
        dispatcher.utter_message(
            text=(f"{head}改到哪个地址？您保存的地址：\n{lines}\n"
                  "可以说“第二个”“公司那个”或城市名，也可以直接发新地址（省市区+详细地址）；说“取消”则不改。")
            if book else f"{head}请发送新的收货地址（省市区+详细地址）；说“取消”则不改。"
        )
        return []


class ActionAskAddressConfirmed(ShopAction):
    def name(self) -> str:
        return "action_ask_address_confirmed"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        customer_id = current_customer_id(tracker)
        meant = from_slot(tracker.get_slot(ADDRESS_SLOT))
        where = await _address_text(customer_id, meant)
        dispatcher.utter_message(
            text=(f"确认把订单 {tracker.get_slot('order_no')} 的收货地址改为：{where} 吗？"
                  "回复“确认”即修改；说“不对”重新选择，说“取消”则不改。"),
            buttons=buttons([("确认修改", "确认"), ("取消", "取消")]),
        )
        return []


async def _current_address_if_same(customer_id: Optional[int], order_no: Any, meant) -> Optional[str]:
    """The order's address when the saved address ``meant`` is the one it already goes to."""
    if customer_id is None or not order_no or meant.saved_id is None:
        return None
    order = await db(get_order, customer_id, str(order_no))
    chosen = next((a for a in await db(saved_addresses, customer_id) if a.id == meant.saved_id), None)
    if (order is None or chosen is None or chosen.recipient != order.recipient
            or not same_place(chosen.one_line, order.address)):
        return None
    return order.address


async def _address_text(customer_id: Optional[int], meant) -> str:
    if meant is None or customer_id is None:
        return "（未选择）"
    if meant.typed is not None:
        t = meant.typed
        who = " ".join(v for v in (t.recipient, mask_phone(t.phone) if t.phone else None) if v)
        return f"{t.one_line}（{who}）" if who else t.one_line
    chosen = next((a for a in await db(saved_addresses, customer_id) if a.id == meant.saved_id), None)
    return f"{chosen.one_line}（{chosen.recipient} {chosen.masked_phone}）" if chosen else "（未选择）"


def address_changed_text(result: AddressChangeResult) -> str:
    """The change said with whom the parcel now goes to (the phone masked): a new recipient
    typed or saved is part of the change the shopper asked for."""
    who = " ".join(v for v in (result.recipient, mask_phone(result.recipient_phone) if result.recipient_phone else "") if v)
    to = f"{result.new_address}（收货人：{who}）" if who else result.new_address
    return f"已将订单 {result.order_no} 的收货地址改为：{to}。发货后会按新地址配送。"


def reset_address_form() -> List[Dict[str, Any]]:
    """The address form's answers cleared once it ended (changed, cancelled or left)."""
    return [SlotSet(ADDRESS_SLOT, None), SlotSet(ADDRESS_CONFIRM_SLOT, None), SlotSet(NEXT_SLOT, None)]


class ActionChangeAddress(ShopAction):
    """After the address form: changes the address on "确认", says so on a cancel."""

    def name(self) -> str:
        return "action_change_address"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        ended = tracker.get_slot(ADDRESS_CONFIRM_SLOT)
        reset = reset_address_form()
        if ended == ANSWERED:
            return reset
        if ended == CANCELLED:
            dispatcher.utter_message(text="好的，收货地址没有修改。还有什么可以帮您？")
            return reset
        customer_id = current_customer_id(tracker)
        meant = from_slot(tracker.get_slot(ADDRESS_SLOT))
        order_no = tracker.get_slot("order_no")
        if customer_id is None or meant is None or not order_no or ended != YES:
            dispatcher.utter_message(text="修改地址的信息不完整，请重新告诉我要改哪笔订单。")
            return reset
        try:
            result = await db_confirmed(change_order_address, customer_id, order_no, utc_now(),
                                        saved_address_id=meant.saved_id, typed=meant.typed, actor="customer")
        except AddressChangeNotAllowed as refused:
            if refused.code == SAME_ADDRESS:
                dispatcher.utter_message(text=f"订单 {order_no} 的收货地址已经是这个地址了，不需要修改。还有什么可以帮您？")
            else:
                dispatcher.utter_message(text=f"抱歉，{refused} 需要的话可以说“转人工”。")
            return reset
        except OrderNotFound:
            dispatcher.utter_message(text="没有找到这笔订单或这个地址，请核对后再试。")
            return reset
        except SQLAlchemyError:
            # The database locked or down: nothing changed; the form waits at its confirmation.
            logger.exception("changing an order's address failed; the form waits for another 确认 "
                             "(conversation %s)", tracker.sender_id)
            return confirm_again(dispatcher, "address_change_form", ADDRESS_CONFIRM_SLOT, "地址修改")
        dispatcher.utter_message(text=address_changed_text(result))
        return reset
