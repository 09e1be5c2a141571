"""售后: route the request, run the form (order → item → service → reason), check
eligibility against the database, file the request in one transaction, report status."""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.formatting import buttons, china_time, intent_payload, money
from actions.offers import CANCEL_OFFER_PREFIX, OFFER_HANDOFF
from actions.orders import order_summary
from actions.services import answer_service_topics
from actions.support import ShopAction, ShopFormValidation, current_customer_id, db, entity_values, first_entity
from assistant import after_sales as vocabulary
from assistant.faq import faq_book
from assistant.typed_answers import (
    asks_about_policy, change_target, choice_index, confirmation_in, is_cancel, new_value_part, reason_in, service_in,
)
from shop.db.after_sales import (
    check_after_sales_eligibility, create_after_sales_request, get_after_sales_request,
    list_after_sales_requests,
)
from shop.db.errors import AfterSalesNotAllowed, InvalidRequest, OrderNotFound
from shop.db.orders import MAX_RECENT, get_order, recent_orders
from shop.domain.after_sales import AfterSalesReason, ServiceType
from shop.domain.clock import utc_now
from shop.domain.orders import IN_DELIVERY, OrderStatus, after_sales_applies, cancellation_decision
from shop.domain.policies import POLICY_TOPICS
from shop.domain.numbers import AFTER_SALES_NO_REGEX, ascii_digits, is_order_number

logger = logging.getLogger(__name__)

FORM_SLOTS = ("order_no", "order_item_id", "service_type", "reason", "after_sales_confirmed")
# The form's last question is the summary's "确认提交吗？"; its slot says how the form ended:
CONFIRM_SLOT = "after_sales_confirmed"
CONFIRMED = "yes"          # the shopper confirmed the summary: file it
CANCELLED = "cancelled"    # an explicit cancel (取消 / 算了不退了): file nothing
ANSWERED = "answered"      # the form stopped early with an answer (not delivered, duplicate …)
# What the shopper typed as the reason, kept for the summary and filed as the request's detail.
REASON_TEXT_SLOT = "after_sales_reason_text"
STATUS_TOPICS = {"refund_progress"}
REQUEST_NO = re.compile(AFTER_SALES_NO_REGEX)
# The item already has an open request: named at once when order and item are known (and by
# the submit step if another tab files it in between).
ALREADY_FILED = "REQUEST_IN_PROGRESS"
# Pauses between tries when filing collides with another writer (then a last try).
FILING_RETRY_PAUSES_S = (0.1, 0.3, 0.8)
STATUS_WORDS = re.compile(r"(进度|进展|状态|到哪一步|审核了吗|处理了吗|怎么样了|售后单|服务单)")


def reset_form_slots() -> List[Dict[str, Any]]:
    return ([SlotSet(slot, None) for slot in FORM_SLOTS]
            + [SlotSet(REASON_TEXT_SLOT, None), SlotSet("after_sales_next", None)])


class ActionAfterSalesRoute(ShopAction):
    """Decides what an after-sales message needs: a status report, a policy answer, or the form."""

    def name(self) -> str:
        return "action_after_sales_route"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        topics = entity_values(tracker, "topic")
        wants_request = bool(
            first_entity(tracker, "service_type") or first_entity(tracker, "order_no")
            or first_entity(tracker, "reason")
            or any(t in topics for t in ("damaged", "wrong_item", "missing_item"))
        )
        customer_id = current_customer_id(tracker)

        if REQUEST_NO.search(text) or STATUS_TOPICS & set(topics) or (STATUS_WORDS.search(text) and not wants_request):
            await report_after_sales_status(dispatcher, customer_id, text)
            return [SlotSet("after_sales_next", "answered")]

        if "complaint" in topics and not wants_request:
            dispatcher.utter_message(
                text="非常抱歉给您带来不好的体验！您可以告诉我订单号和遇到的问题，我马上帮您申请售后；也可以直接转人工客服处理。",
                buttons=buttons([("申请售后", "/after_sales"), ("转人工", "/human_handoff")]),
            )
            return [SlotSet("after_sales_next", "answered")]

        if await answer_service_topics(dispatcher, tracker, topics):
            return [SlotSet("after_sales_next", "answered")]

        policy_topics = [t for t in topics if t in POLICY_TOPICS]
        asking = asks_about_policy(text) and not first_entity(tracker, "order_no")
        if asking and not policy_topics:
            # "支持七天无理由退货吗": a question about the rules, even where the NLU saw a service.
            policy_topics = ["warranty" if re.search(r"保修|维修|质保", text) else "return_policy"]
        if policy_topics and (asking or not wants_request):
            for topic in policy_topics:
                answer = faq_book().answer(topic)
                if answer:
                    dispatcher.utter_message(text=answer.pick())
            dispatcher.utter_message(
                text="需要现在帮您申请吗？",
                buttons=buttons([("申请退货", intent_payload("after_sales", service_type="退货")),
                                 ("申请换货", intent_payload("after_sales", service_type="换货")),
                                 ("申请维修", intent_payload("after_sales", service_type="维修"))]),
            )
            return [SlotSet("after_sales_next", "answered")]

        if customer_id is None:
            dispatcher.utter_message(
                text="申请售后需要先登录，以便核实订单归属。登录后告诉我订单号和问题，我马上帮您办理；"
                     "也可以说“转人工”联系人工客服。"
            )
            return [SlotSet("after_sales_next", "answered")]
        # A new request: nothing of an earlier form's ending or typed reason carries over.
        events = [SlotSet("after_sales_next", "form"), SlotSet(CONFIRM_SLOT, None), SlotSet(REASON_TEXT_SLOT, None)]
        if tracker.get_slot("order_no") and not first_entity(tracker, "order_no"):
            # The order in view is not assumed: the form asks, offering it first.
            events.append(SlotSet("order_no", None))
        return events


async def report_after_sales_status(dispatcher: CollectingDispatcher, customer_id: Optional[int], text: str) -> None:
    if customer_id is None:
        dispatcher.utter_message(text="查询售后进度需要先登录哦。登录后我可以帮您查看所有售后申请的处理进度。")
        return
    match = REQUEST_NO.search(text)
    if match:
        request = await db(get_after_sales_request, customer_id, match.group(0))
        requests = [request] if request else []
        if not requests:
            dispatcher.utter_message(text=f"没有查到服务单号 {match.group(0)}，请核对后再试。")
            return
    else:
        requests = await db(list_after_sales_requests, customer_id, limit=5)
    if not requests:
        dispatcher.utter_message(text="您目前没有售后申请。如需申请退换货或维修，告诉我订单号即可。")
        return
    lines = []
    for r in requests:
        latest = r.history[-1] if r.history else None
        when = china_time(latest.changed_at) if latest else china_time(r.updated_at)
        refund = f"，退款 {money(r.refund_amount)}" if r.refund_amount else ""
        lines.append(f"· {r.request_no} {r.service_label}（{r.product_title[:20]}）：{r.status_label}{refund}，更新于 {when}")
    dispatcher.utter_message(text="您的售后申请进度：\n" + "\n".join(lines))


class ActionAfterSalesStatus(ShopAction):
    def name(self) -> str:
        return "action_after_sales_status"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        await report_after_sales_status(dispatcher, current_customer_id(tracker), (tracker.latest_message or {}).get("text") or "")
        return []


# How many of the shopper's orders that qualify for after-sales the form offers to pick from.
AFTER_SALES_CHOICES = 8


async def qualifying_orders(customer_id: Optional[int]) -> list:
    """The shopper's recent orders that after-sales applies to, newest first (what the form
    offers, so that "第二个" typed later means the second one shown)."""
    if customer_id is None:
        return []
    orders = await db(recent_orders, customer_id, limit=MAX_RECENT)
    return [o for o in orders if after_sales_applies(o.status)][:AFTER_SALES_CHOICES]


YES = re.compile(r"^(是|对|嗯|就是|就这|这个|这单|没错|好的?|可以|确认|yes|ok)", re.IGNORECASE)
# "不是" to "是刚才查看的订单…吗？": another order, not the end of the request.
NOT_THIS = re.compile(r"^(不是|不对|不是这|别的|其他|其它|换一)")


def order_in_view(tracker: Tracker) -> Optional[str]:
    """The order number last talked about in this conversation (set by a look-up), if any."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "slot" and event.get("name") == "order_no" and event.get("value"):
            return str(event["value"])
    return None


def in_view_offered(tracker: Tracker) -> Optional[str]:
    """The order in view, unless the shopper said "不是" to it since this request began
    (then the form lists the orders plainly, and "第二个" counts in that list)."""
    in_view = order_in_view(tracker)
    for event in reversed(tracker.events or []):
        if event.get("event") == "action" and event.get("name") == "action_after_sales_route":
            break
        if event.get("event") == "user" and NOT_THIS.search((event.get("text") or "").strip()):
            return None
    return in_view


def kept_at_summary(tracker: Tracker, slot: str) -> Optional[Any]:
    """At "确认提交吗？" a service or reason the NLU found in a message that is no correction
    ("退款多久到账" holds 退款) does not replace the one in the summary: the value before this
    message, or None when the message may change it."""
    if tracker.get_slot("requested_slot") != CONFIRM_SLOT:
        return None
    if confirmation_in(((tracker.latest_message or {}).get("text") or "").strip()) == "change":
        return None
    seen_message = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            seen_message = True
        elif seen_message and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _typed(tracker: Tracker, slot: str) -> Optional[str]:
    """The raw text, when it answers the question just asked for ``slot`` (a button label,
    an ordinal or a description typed instead of tapped)."""
    if tracker.get_slot("requested_slot") != slot:
        return None
    return (tracker.latest_message or {}).get("text") or None


def _in_view_first(orders: list, in_view: Optional[str]) -> list:
    """The order in view first (it is the one offered by name), then the others in order."""
    return sorted(orders, key=lambda o: o.order_no != in_view)


def _stop(**slots: Any) -> Dict[Text, Any]:
    """Slots that end the form now, after the validation has answered (the submit step then
    files nothing): an order not delivered yet, a duplicate, nothing the item qualifies for."""
    return {**slots, CONFIRM_SLOT: ANSWERED, "requested_slot": None}


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
        dispatcher.utter_message(
            text=(f"这件商品的售后申请已经提交过了，服务单号 {verdict.request_no}，无需重复提交。"
                  "随时可以问我“售后进度”查看处理情况。")
        )
        return _stop()
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
            dispatcher.utter_message(text=policy.pick())
        dispatcher.utter_message(text="如有疑问，需要的话我可以为您转接人工客服。")
        return {**_stop(), "pending_offer": OFFER_HANDOFF}
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
        return _stop(pending_offer=CANCEL_OFFER_PREFIX + order.order_no)
    dispatcher.utter_message(
        text=(f"订单 {order.order_no}（{summary}）还在配送中（{order.status_label}），还没签收，暂时不能申请售后。"
              "您可以等包裹送到后再申请；如果不想要了，可以在派送时直接拒收，拒收后货款原路退回。"
              "需要的话我可以为您转接人工客服。")
    )
    return _stop(pending_offer=OFFER_HANDOFF)


class ValidateAfterSalesForm(ShopFormValidation):
    def name(self) -> Text:
        return "validate_after_sales_form"

    # --- typed answers: read when the NLU found no entity for the slot asked for ----------
    async def extract_order_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _typed(tracker, "order_no")
        if not text or first_entity(tracker, "order_no"):
            return {}
        orders = await qualifying_orders(current_customer_id(tracker))
        in_view = in_view_offered(tracker)
        if in_view and YES.search(text.strip()):
            return {"order_no": in_view}
        if order_in_view(tracker) and NOT_THIS.search(text.strip()):
            return {"order_no": None}        # asked again, without the order in view
        orders = _in_view_first(orders, in_view)
        described = [" ".join([o.status_label] + [f"{i.title} {i.sku_name}" for i in o.items]) for o in orders]
        picked = choice_index(text, described)
        return {"order_no": orders[picked].order_no} if picked is not None else {}

    async def extract_order_item_id(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text, order_no = _typed(tracker, "order_item_id"), tracker.get_slot("order_no")
        customer_id = current_customer_id(tracker)
        if not text or not order_no or customer_id is None:
            return {}
        order = await db(get_order, customer_id, order_no)
        if order is None:
            return {}
        picked = choice_index(text, [f"{i.title} {i.sku_name}" for i in order.items])
        return {"order_item_id": str(order.items[picked].id)} if picked is not None else {}

    async def extract_service_type(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _typed(tracker, "service_type")
        service = service_in(text) if text and not first_entity(tracker, "service_type") else None
        return {"service_type": service.value} if service else {}

    async def extract_reason(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _typed(tracker, "reason")
        why = reason_in(text) if text and not first_entity(tracker, "reason") else None
        return {"reason": why.value} if why else {}

    async def extract_after_sales_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                            domain: DomainDict) -> Dict[Text, Any]:
        """An explicit cancel at any question ends the form, whatever the NLU made of it; the
        answer to the summary confirms, cancels or says what to change."""
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        asked = tracker.get_slot("requested_slot")
        if not asked or not text:
            return {}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        # The summary's buttons send words too (确认提交 / 取消), read like typed ones.
        kind = "cancel" if is_cancel(text) else (confirmation_in(text) if asked == CONFIRM_SLOT else None)
        if kind == "cancel":
            return {CONFIRM_SLOT: CANCELLED}
        if asked != CONFIRM_SLOT:
            return {}
        if kind is None and intent == "affirm":
            kind = "yes"
        if kind == "yes":
            return {CONFIRM_SLOT: CONFIRMED}
        if kind == "change" or intent == "deny":
            return await self._correction(dispatcher, tracker, text)
        return {}

    async def _correction(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Dict[Text, Any]:
        """"不对" / "改一下原因" / "换个商品" / "改成换货": clears (or sets) what the shopper
        wants changed; the form then asks for it again and shows the summary again."""
        target, part = change_target(text), new_value_part(text)
        slots: Dict[Text, Any] = {CONFIRM_SLOT: None}
        if target == "service":
            slots["service_type"] = service_in(part).value
        elif target == "reason":
            why = reason_in(part)
            slots["reason"] = why.value if why else None     # validate_reason keeps the text
        elif target in ("item", "order"):
            customer_id = current_customer_id(tracker)
            order_no = tracker.get_slot("order_no")
            order = await db(get_order, customer_id, order_no) if customer_id is not None and order_no else None
            if target == "item" and order is not None and len(order.items) > 1:
                slots["order_item_id"] = None
            else:
                slots.update({"order_no": None, "order_item_id": None})
        else:
            dispatcher.utter_message(text="好的，请问要修改哪一项？可以说“改一下原因”“换个商品”“改成换货”或“换一个订单”。")
        return slots

    async def validate_after_sales_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                             domain: DomainDict) -> Dict[Text, Any]:
        if value in (CANCELLED, ANSWERED):
            # Ends the form now; the submit step sees why and files nothing.
            return {CONFIRM_SLOT: value, "requested_slot": None}
        return {CONFIRM_SLOT: CONFIRMED if value == CONFIRMED else None}

    async def validate_order_no(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        customer_id = current_customer_id(tracker)
        value = ascii_digits(value) if isinstance(value, str) else value
        if customer_id is None or not isinstance(value, str) or not is_order_number(value):
            if value:
                dispatcher.utter_message(text="订单号是18位数字，可以在“我的订单”里找到，请再发一次～")
            return {"order_no": None}
        order = await db(get_order, customer_id, value)
        if order is None:
            dispatcher.utter_message(text=f"没有查到订单号为 {value} 的订单，请核对订单号是否正确。")
            return {"order_no": None}
        status = OrderStatus(order.status)
        if status is OrderStatus.AWAITING_SHIPMENT or status is OrderStatus.PENDING_PAYMENT or status in IN_DELIVERY:
            return {"order_no": order.order_no, **not_delivered_yet(dispatcher, order)}
        if not after_sales_applies(order.status):
            dispatcher.utter_message(text=f"订单 {value} 当前状态是“{order.status_label}”，不需要申请售后哦。")
            return {"order_no": None}
        slots: Dict[Text, Any] = {"order_no": order.order_no}
        if len(order.items) == 1:
            slots["order_item_id"] = str(order.items[0].id)
            slots.update(await early_check(dispatcher, customer_id, order.order_no, slots["order_item_id"],
                                           tracker.get_slot("service_type"), tracker.get_slot("reason")))
        elif tracker.get_slot("order_item_id") and not any(
            str(i.id) == str(tracker.get_slot("order_item_id")) for i in order.items
        ):
            slots["order_item_id"] = None
        return slots

    async def validate_order_item_id(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        order_no = tracker.get_slot("order_no")
        customer_id = current_customer_id(tracker)
        if not order_no or customer_id is None:
            return {"order_item_id": None}
        order = await db(get_order, customer_id, order_no)
        if order is None or not any(str(i.id) == str(value) for i in order.items):
            dispatcher.utter_message(text="这件商品不在该订单里，请从下面的列表里选择。")
            return {"order_item_id": None}
        return {"order_item_id": str(value), **await early_check(
            dispatcher, customer_id, order_no, str(value), tracker.get_slot("service_type"), tracker.get_slot("reason"))}

    async def validate_service_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        kept = kept_at_summary(tracker, "service_type")
        if kept is not None:
            return {"service_type": kept}
        service = vocabulary.service_type(value)
        if service is None:
            dispatcher.utter_message(text="请选择要办理的服务：退货、换货、退款、维修或补发。")
            return {"service_type": None}
        return await self._with_eligibility(dispatcher, tracker, service.value, tracker.get_slot("reason"))

    async def validate_reason(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        kept = kept_at_summary(tracker, "reason")
        if kept is not None:
            return {"reason": kept}
        why = vocabulary.reason(value)
        if why is None:
            return {"reason": None}
        slots = await self._with_eligibility(dispatcher, tracker, tracker.get_slot("service_type"), why.value)
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        if slots.get("reason") and text and not text.startswith("/"):
            # The message that gave the reason is what the shopper typed (set here, not by the
            # extract_ methods: rasa_sdk validates only the form's own slots and drops the rest);
            # of a correction ("不是质量问题，是不想要了") the part after it.
            typed = new_value_part(text) if confirmation_in(text) == "change" else text
            slots[REASON_TEXT_SLOT] = typed[:200]
        return slots

    async def _with_eligibility(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                service: Optional[str], why: Optional[str]) -> Dict[Text, Any]:
        """Checks eligibility as soon as service and reason are both known."""
        slots: Dict[Text, Any] = {"service_type": service, "reason": why}
        service_enum = vocabulary.service_type(service)
        reason_enum = vocabulary.reason(why)
        if service_enum is None or reason_enum is None:
            return slots
        customer_id = current_customer_id(tracker)
        order_no, item = tracker.get_slot("order_no"), tracker.get_slot("order_item_id")
        if customer_id is None or not order_no or not item:
            return slots
        try:
            decision = await db(check_after_sales_eligibility, customer_id, order_no, int(item),
                                service_enum, reason_enum, utc_now())
        except (OrderNotFound, InvalidRequest):
            dispatcher.utter_message(text="这笔订单暂时无法申请售后，请核对订单信息。")
            return {"order_no": None, "order_item_id": None, "service_type": None, "reason": None}
        if not decision.eligible and decision.reason_code != ALREADY_FILED:
            dispatcher.utter_message(
                text=f"{decision.message} 您可以换一种服务，或说“算了”取消、说“转人工”联系人工客服。"
            )
            return {"service_type": None, "reason": None, REASON_TEXT_SLOT: None}
        # An open request for this item filed in between (another tab): the summary is still
        # shown; filing it then names the open request instead of writing a second one.
        return slots


class ActionAskOrderNo(ShopAction):
    def name(self) -> str:
        return "action_ask_order_no"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        customer_id = current_customer_id(tracker)
        in_view = in_view_offered(tracker)
        eligible = _in_view_first(await qualifying_orders(customer_id), in_view)
        if not eligible:
            dispatcher.utter_message(text="请发送需要售后的订单号（18位数字）。")
            return []
        viewed = next((o for o in eligible if o.order_no == in_view), None)
        question = "请选择需要售后的订单（可以说“第二个”或商品名），或直接发送订单号："
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
        order = await db(get_order, customer_id, order_no) if customer_id is not None and order_no else None
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
        order = await db(get_order, customer_id, order_no) if customer_id is not None and order_no else None
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


class ActionSubmitAfterSales(ShopAction):
    def name(self) -> str:
        return "action_submit_after_sales"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        ended = tracker.get_slot(CONFIRM_SLOT)
        if ended == ANSWERED:
            return reset_form_slots()       # the form already said why it stopped
        if ended == CANCELLED:
            return await ActionCancelAfterSales().handle(dispatcher, tracker, domain)
        customer_id = current_customer_id(tracker)
        service = vocabulary.service_type(tracker.get_slot("service_type"))
        why = vocabulary.reason(tracker.get_slot("reason"))
        order_no, item = tracker.get_slot("order_no"), tracker.get_slot("order_item_id")
        if (customer_id is None or service is None or why is None or not order_no or not item
                or ended != CONFIRMED):
            dispatcher.utter_message(text="售后信息不完整，请重新告诉我订单号和问题。")
            return reset_form_slots()
        # The reason as the shopper typed it (the message now is only "确认").
        detail = (tracker.get_slot(REASON_TEXT_SLOT) or "")[:200] or None

        async def file_request():
            return await db(create_after_sales_request, customer_id, order_no, int(item), service, why,
                            utc_now(), detail=detail)

        try:
            for pause in FILING_RETRY_PAUSES_S:
                try:
                    request = await file_request()
                    break
                except SQLAlchemyError:
                    # Lost a race with another tab (SQLite refuses a second writer at once
                    # rather than wait) or a deadlock: nothing was written. Try again; the
                    # eligibility check then sees the other tab's request.
                    logger.warning("filing an after-sales request failed; retrying in %.1f s (conversation %s)",
                                   pause, tracker.sender_id, exc_info=True)
                    await asyncio.sleep(pause)
            else:
                request = await file_request()
        except AfterSalesNotAllowed as refused:
            if refused.code == ALREADY_FILED and refused.request_no:
                dispatcher.utter_message(
                    text=(f"这件商品的售后申请已经提交过了，服务单号 {refused.request_no}，无需重复提交。"
                          "随时可以问我“售后进度”查看处理情况。")
                )
            else:
                dispatcher.utter_message(text=f"抱歉，{refused}")
            return reset_form_slots()
        except (OrderNotFound, InvalidRequest):
            dispatcher.utter_message(text="这笔订单暂时无法申请售后，请核对订单信息或转人工处理。")
            return reset_form_slots()
        refund = f"，预计退款 {money(request.refund_amount)}" if request.refund_amount else ""
        dispatcher.utter_message(
            text=(
                f"已为您提交{request.service_label}申请，服务单号 {request.request_no}"
                f"（{request.product_title[:24]}，原因：{request.reason_label}{refund}）。\n"
                f"下一步：{vocabulary.NEXT_STEPS[ServiceType(request.service_type)]}\n"
                "随时可以问我“售后进度”查看处理情况。"
            )
        )
        return reset_form_slots()


class ActionCancelAfterSales(ShopAction):
    def name(self) -> str:
        return "action_cancel_after_sales"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        dispatcher.utter_message(text="好的，已取消本次售后申请，没有提交任何内容。还有什么可以帮您？")
        return reset_form_slots()
