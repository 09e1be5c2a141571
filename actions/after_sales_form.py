"""售后 form validation: reads the typed answers to the form's questions (an order, an item,
a service, a reason, the summary's confirmation) and validates them against the shopper's
orders. The questions are asked by actions/after_sales_questions.py; the request is filed by
actions/after_sales_submit.py."""
from __future__ import annotations

from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.after_sales_checks import early_check, not_delivered_yet, orders_not_offered, qualifying_orders
from actions.formatting import buttons
from actions.form_questions import answer_form_question, form_question_answers
from actions.orders import category_readings, meant_orders, order_summary, own_order
from actions.support import ShopFormValidation, current_customer_id, db, entity_values, first_entity, latest_intent
from assistant import after_sales as vocabulary
from assistant.answer_words import says_not_this
from assistant.after_sales_dialogue import (
    ALREADY_FILED, ANSWERED, CANCELLED, CONFIRM_SLOT, CONFIRMED, REASON_TEXT_SLOT, in_view_first,
    in_view_offered, kept_at_summary, on_screen_first, order_description, order_descriptions, order_in_view,
    order_pick_words,
    service_named_at_summary, switches_service, takes_order_asked_about, value_before_message,
)
from assistant.form_questions import AFTER_SALES, answered_since_message
from assistant.order_categories import item_category_names
from assistant.order_matching import (
    NO_EARLIER_ORDER, asks_earlier_order, earlier_order, is_oldest, item_words, order_words, orders_on_screen, picks_an_order, values_within,
    without_order_clause,
)
from assistant.typed_answers import (
    asks_about_policy, asks_item_alone, change_target, choice_index, choices_on_screen, confirmation_in, exchanges_for,
    has_ordinal, is_cancel,
    names_an_item, names_the_other, new_value_part,
    reason_in, restates_reason, service_in,
)
from shop.db.after_sales import check_after_sales_eligibility
from shop.db.errors import InvalidRequest, OrderNotFound
from shop.db.orders import get_order
from shop.domain.clock import utc_now
from shop.domain.after_sales import ServiceType
from shop.domain.numbers import ascii_digits, is_order_number
from shop.domain.orders import IN_DELIVERY, OrderStatus, after_sales_applies


def _text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "").strip()


def _typed(tracker: Tracker, slot: str) -> Optional[str]:
    """The raw text, when it answers the question just asked for ``slot`` (a button label,
    an ordinal or a description typed instead of tapped)."""
    if tracker.get_slot("requested_slot") != slot:
        return None
    return (tracker.latest_message or {}).get("text") or None


def _not_this_order(tracker: Tracker) -> bool:
    """"不是" to "是刚才查看的订单…吗？" (extract_order_no asks again without it)."""
    return (tracker.get_slot("requested_slot") == "order_no" and order_in_view(tracker.events or []) is not None
            and says_not_this(_text(tracker)))


def _kept(tracker: Tracker, slot: str) -> Tuple[bool, Optional[Any]]:
    """Whether the latest message leaves ``slot`` as it was, and that value: a question typed
    at another of the form's questions ("退款多久到账" holds 退款), or a message at the
    summary that is no correction."""
    events = tracker.events or []
    asked = tracker.get_slot("requested_slot")
    # (Not the message that starts the form, which asked no question of it yet: "电脑开不了机了
    # 保修期内吧 能修吗" gives the repair and its reason, whatever else it asks.)
    # At its own question too: "退货运费谁出" asked when asked which service is a question (answered,
    # then the question asked again), not 退货 picked.
    if (asked is not None and (asked != slot or (slot == "service_type" and asks_about_policy(_text(tracker))))
            and form_question_answers(tracker, AFTER_SALES)):
        return True, value_before_message(events, slot)
    kept = kept_at_summary(events, tracker.get_slot("requested_slot"), _text(tracker), slot)
    return kept is not None, kept


async def _pick_order(tracker: Tracker, text: str, orders: list, descriptions: List[str],
                      named: Optional[List[str]] = None) -> Optional[int]:
    """Which order a typed answer picks: by the words shown (titles, status, ordinals), else
    by the order look-up's reading when it means exactly one order, else by the category of what was bought ("那个水果坏了": 奇异果 is 新鲜水果) — read only when
    the NLU saw a category or product (no extra query for "我要退货")."""
    picked = choice_index(order_pick_words(text), descriptions)
    if named is None:
        named = [v for v in entity_values(tracker, "category") + entity_values(tracker, "product") if isinstance(v, str)]
    if picked is not None or not orders or has_ordinal(text):
        return picked
    # The words the order look-up reads ("上周买的鞋子": a date, a noun's 子-stem): one order only.
    described = order_description(text)
    meant = await meant_orders(described, orders, named) if described else None
    if meant is not None and meant.described and len(meant.orders) == 1:
        return next(i for i, o in enumerate(orders) if o.order_no == meant.orders[0].order_no)
    if not named:
        return None
    async for categories, words in category_readings(orders, named, text):
        picked = choice_index(" ".join([text, *words]), [categories.get(o.order_no, "") for o in orders])
        if picked is not None:
            return picked
    return None


# Questions after the order's, where "不对，是手机那单" picks another order (the summary's
# corrections are read by _correction).
LATER_QUESTIONS = ("order_item_id", "service_type", "reason")
# Questions after the item's, where "不是手机，是配件" picks another item of the order.
ITEM_CORRECTED_AT = ("service_type", "reason", CONFIRM_SLOT)
# Said to "不是" (the NLU's deny) where it picks nothing: the form asks on, never cancels.
# After answering "不用了，运费谁出？": the request is still open, and how to end it.
STILL_OPEN = "申请还没有提交。想继续的话接着回答下面的问题；不办了请说“取消”。"
WHAT_IS_WRONG = "好的，是哪里不对呢？可以直接告诉我正确的订单、商品、服务或原因；不想申请了请说“取消”。"
# Said to "好的" where a question needs an answer.
WHAT_TO_ANSWER = {
    "order_no": "请告诉我是哪一笔订单：可以说“第二个”或商品名，也可以直接发订单号。",
    "order_item_id": "请告诉我是哪一件商品：可以说“第一个”或商品名。",
    "service_type": "请告诉我要办理哪种服务，比如“换货”或“维修”。",
    "reason": "请告诉我是什么原因，比如“质量问题”或“不想要了”。",
}
# Questions at which a reason typed early is kept (the form would ask it later); None:
# the message that started the form ("充电器坏了，要退货").
EARLY_REASON_AT = (None, "order_no", "order_item_id", "service_type")
# A question at the summary the policy answers do not cover: never read as a yes.
REASON_KEPT = "好的，原因就按您说的填写，没有变。"
UNANSWERED_QUESTION = "这个问题我这里查不到准确答案，提交后也可以说“转人工”咨询客服。"


class ValidateAfterSalesForm(ShopFormValidation):
    def name(self) -> Text:
        return "validate_after_sales_form"

    # --- typed answers: read when the NLU found no entity for the slot asked for ----------
    async def extract_order_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") is None and not first_entity(tracker, "order_no"):
            return await self._order_described(tracker)
        if tracker.get_slot("requested_slot") in LATER_QUESTIONS and not first_entity(tracker, "order_no"):
            other = await self._other_order_named(tracker)
            if other:
                return {"order_no": other}
            if await self._before_the_oldest(tracker):
                # "不对 是上一个" at the oldest order: said so, and the order question (with the
                # list) asked again rather than the question of now once more.
                dispatcher.utter_message(text=NO_EARLIER_ORDER, buttons=buttons([("转人工", "/human_handoff")]))
                return {"order_no": None, "order_item_id": None}
            return {}
        text = _typed(tracker, "order_no")
        if not text or first_entity(tracker, "order_no"):
            return {}
        events = tracker.events or []
        orders = await qualifying_orders(current_customer_id(tracker))
        in_view = in_view_offered(events)
        if in_view and in_view in {o.order_no for o in orders} and takes_order_asked_about(text):
            # (only an order the question offered: one not eligible was never asked about)
            return {"order_no": in_view}
        if order_in_view(events) and says_not_this(text.strip()):
            return {"order_no": None}        # asked again, without the order in view
        # "第二个": the second of the list the question showed (narrowed or not), in view first.
        orders = in_view_first(on_screen_first(orders, [o.order_no for o in orders_on_screen(events)]), in_view)
        picked = await _pick_order(tracker, text, orders, order_descriptions(orders))
        if picked is None and not has_ordinal(text):
            # "衬衫那单" where the shirt's order is unpaid: that order, whose state the validation says.
            # Read against the offered orders too: words that also fit an offered order (two
            # offered orders alike, so none was picked) pick nothing rather than an order the
            # question never offered.
            others = await orders_not_offered(current_customer_id(tracker))
            every = [*orders, *others]
            named = choice_index(text, [order_words(o) for o in every])
            return {"order_no": every[named].order_no} if named is not None and named >= len(orders) else {}
        return {"order_no": orders[picked].order_no} if picked is not None else {}

    async def _other_order_named(self, tracker: Tracker) -> Optional[str]:
        """"不对，是手机那单" typed at a later question: another of the shopper's orders, picked by
        its words (an ordinal there picks that question's button, never an order)."""
        text = _text(tracker)
        part = new_value_part(text)
        if asks_earlier_order(part) and confirmation_in(text) == "change":
            # "不对 是上一个": the order placed before the one taken (as the order look-up
            # reads it), among those the form offers — not the question again.
            orders = await qualifying_orders(current_customer_id(tracker))
            before = earlier_order(orders, tracker.get_slot("order_no"))
            return before.order_no if before is not None and tracker.get_slot("order_no") else None
        if not picks_an_order(part) or has_ordinal(part):
            return None
        orders = await qualifying_orders(current_customer_id(tracker))
        picked = await _pick_order(tracker, part, orders, order_descriptions(orders))
        if picked is None or orders[picked].order_no == tracker.get_slot("order_no"):
            return None
        return orders[picked].order_no

    async def _before_the_oldest(self, tracker: Tracker) -> bool:
        """"不对 是上一个" with the oldest of the orders the form offers taken: none is before it."""
        text = _text(tracker)
        if not (asks_earlier_order(new_value_part(text)) and confirmation_in(text) == "change"):
            return False
        return is_oldest(await qualifying_orders(current_customer_id(tracker)), tracker.get_slot("order_no"))

    async def _order_described(self, tracker: Tracker) -> Dict[Text, Any]:
        """The request's own message names one of the orders by what was bought ("我那个笔记本
        电脑开不了机了"): that order, before the form asks (by titles only, no ordinals)."""
        # "耳机到哪了 另外我想退那个手机": the earphones' clause was answered by the route.
        whole = _text(tracker)
        text = without_order_clause(whole)
        if not text or has_ordinal(text):
            return {}
        orders = await qualifying_orders(current_customer_id(tracker))
        message = tracker.latest_message or {}
        named = values_within(message.get("text") or "", text, message.get("entities") or [], ("category", "product"))
        picked = await _pick_order(tracker, text, orders, [order_words(o) for o in orders],
                                   named=named)
        if picked is None:
            # "衬衫那单我要退" where the shirt's order is unpaid: that order by its title (its state
            # is said by the validation), as at the order question — never a T-shirt offered
            # because the NLU read 衬衫 as the whole clothing department.
            others = await orders_not_offered(current_customer_id(tracker))
            every = [*orders, *others]
            titled = choice_index(text, [order_words(o) for o in every])
            return {"order_no": every[titled].order_no} if titled is not None and titled >= len(orders) else {}
        return {"order_no": orders[picked].order_no}

    async def extract_order_item_id(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") in ITEM_CORRECTED_AT:
            other = await self._other_item_named(tracker)
            return {"order_item_id": other} if other else {}
        text, order_no = _typed(tracker, "order_item_id"), tracker.get_slot("order_no")
        customer_id = current_customer_id(tracker)
        if not text or not order_no or customer_id is None:
            return {}
        order = await db(get_order, customer_id, order_no)
        if order is None:
            return {}
        picked = choice_index(text, [item_words(i) for i in order.items])
        return {"order_item_id": str(order.items[picked].id)} if picked is not None else {}

    async def _other_item_named(self, tracker: Tracker) -> Optional[str]:
        """"不是手机，是配件" / "不对 是充电器那个" typed at a later question: another item of the
        order, picked by the words of the correction's new part — its title, variant or
        category (a charger is 手机配件). Only a correction counts ("不对"/"不是"), and an
        ordinal there picks that question's button, never an item."""
        text, customer_id, order_no = _text(tracker), current_customer_id(tracker), tracker.get_slot("order_no")
        part = new_value_part(text)
        by_place = names_an_item(part)      # "第二件": an item by its place, no "不对" needed
        # "充电器能单独退吗": an item of the order asked about on its own is that item, no "不对" needed.
        alone = asks_item_alone(text) and not has_ordinal(part)
        if exchanges_for(text) and not by_place:
            return None     # "换个黑色的": the service (an exchange for black), the item kept
        if ((not by_place and not alone and (confirmation_in(text) != "change" or has_ordinal(part)))
                or customer_id is None or not order_no):
            return None
        order = await db(get_order, customer_id, order_no)
        if order is None or len(order.items) < 2:
            return None
        held = value_before_message(tracker.events or [], "order_item_id") or tracker.get_slot("order_item_id")
        if names_the_other(text) and len(order.items) == 2:
            # "不对 是另一个": of an order's two items, the one not taken.
            return next((str(i.id) for i in order.items if str(i.id) != str(held)), None)
        picked = choice_index(part, [item_words(i) for i in order.items])
        if picked is None:
            # By category only where the titles name none ("配件": the charger's 手机配件).
            categories = await db(item_category_names, order.items)
            picked = choice_index(part, [categories.get(i.id, "") for i in order.items])
        # (against the item before this message: another extract_ method may have read it already)
        if picked is None or str(order.items[picked].id) == str(held):
            return None
        return str(order.items[picked].id)

    async def extract_service_type(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _typed(tracker, "service_type")
        service = service_in(text) if text and not first_entity(tracker, "service_type") else None
        if service is None and text and has_ordinal(text):
            # "第二个": the service button in that place (the question lists them in this order).
            picked = choice_index(text, [s.label for s in ServiceType])
            service = list(ServiceType)[picked] if picked is not None else None
        return {"service_type": service.value} if service else {}

    async def extract_reason(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """The reason typed at its question, or given early at another ("质量问题" when asked
        which service; "充电器坏了" when asked which item) while none is known."""
        text, asked = _text(tracker), tracker.get_slot("requested_slot")
        if not text or first_entity(tracker, "reason"):
            return {}
        early = asked in EARLY_REASON_AT and tracker.get_slot("reason") is None and not asks_about_policy(text)
        why = reason_in(text) if asked == "reason" or early else None
        if why is None and asked == "reason" and has_ordinal(text) and not names_an_item(text):
            # "第一个": the reason button in that place, if the question showed them; with no
            # list on screen an ordinal is no reason, and the question is asked again.
            shown = [r for r in vocabulary.REASON_CHOICES if r.label in choices_on_screen(tracker.events or [])]
            picked = choice_index(text, [r.label for r in shown])
            why = shown[picked] if picked is not None else None
        return {"reason": why.value} if why else {}

    async def extract_after_sales_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                            domain: DomainDict) -> Dict[Text, Any]:
        """Runs on every message of the form (after the other extract_ methods): an explicit
        cancel at any question ends the form, whatever the NLU made of it; a policy question
        is answered and the question asked again; "不是" that picks nothing asks what is
        wrong; the answer to the summary confirms, cancels or says what to change. Returning
        the confirmation slot unset keeps the form asking (nothing else changes)."""
        text = _text(tracker)
        asked = tracker.get_slot("requested_slot")
        if not asked or not text:
            return {}
        intent = latest_intent(tracker)
        # The summary's buttons send words too (确认提交 / 取消), read like typed ones.
        if is_cancel(text):
            if answer_form_question(dispatcher, tracker, AFTER_SALES):
                # "不用了，运费谁出？": the question is what the shopper is weighing; answered,
                # and the form waits (nothing is filed until confirmed) rather than ending unheard.
                dispatcher.utter_message(text=STILL_OPEN)
                return {CONFIRM_SLOT: None}
            other = switches_service(text)
            if other is not None:
                # "算了 我想换货": the same request as another service (checked, then the summary).
                return {CONFIRM_SLOT: None, "service_type": other}
            return {CONFIRM_SLOT: CANCELLED}
        if answered_since_message(tracker.events or [], "after_sales_form"):
            return {}       # back from a digression that answered it: the form asks again
        unanswered = (asked == CONFIRM_SLOT or tracker.get_slot(asked) is None
                      # "退货运费谁出" when asked which service: its 退货 is no answer (see _kept)
                      or (asked == "service_type" and asks_about_policy(text)
                          and value_before_message(tracker.events or [], asked) is None))
        if unanswered and answer_form_question(dispatcher, tracker, AFTER_SALES):
            return {CONFIRM_SLOT: None}
        if asked != CONFIRM_SLOT:
            gave = {k for k, v in tracker.slots_to_validate().items() if v is not None} - {"requested_slot"}
            if not unanswered or gave:
                return {}
            early_reason = reason_in(text) if asked in EARLY_REASON_AT else None
            if intent == "deny" and early_reason is not None:
                # "不想要了" when asked which order: a reason given early (the NLU hears a "no").
                dispatcher.utter_message(text=f"好的，原因记下了：{text[:20]}。")
                return {"reason": early_reason.value, CONFIRM_SLOT: None}
            if intent == "deny" and not _not_this_order(tracker):
                dispatcher.utter_message(text=WHAT_IS_WRONG)
                return {CONFIRM_SLOT: None}
            if intent == "affirm" or confirmation_in(text) == "yes":
                # "好的" to a question that needs an answer: say what the answer looks like.
                dispatcher.utter_message(text=WHAT_TO_ANSWER.get(asked, WHAT_IS_WRONG))
                return {CONFIRM_SLOT: None}
            return {}
        if restates_reason(text, tracker.get_slot("reason")):
            # "就是不想要了": the summary's reason said again; asked to confirm once more.
            dispatcher.utter_message(text=REASON_KEPT)
            return {CONFIRM_SLOT: None}
        kind = confirmation_in(text)
        if kind == "cancel":
            return {CONFIRM_SLOT: CANCELLED}   # "不想要了" at the summary: the request is dropped
        if kind is None and intent == "affirm":
            kind = "yes"
        switched = service_named_at_summary(text) if kind is None else None
        if switched is not None and switched != value_before_message(tracker.events or [], "service_type"):
            # "不不 还是退货吧" after "改成换货": the service it names now, and the summary again.
            return {CONFIRM_SLOT: None, "service_type": switched}
        why = reason_in(text) if kind is None and not asks_about_policy(text) else None
        if why is not None and why.value != tracker.get_slot("reason"):
            # "质量问题 充不进电" typed at the summary: the reason it gives, and the summary again.
            return {CONFIRM_SLOT: None, "reason": why.value}
        if kind == "yes" and asks_about_policy(text):
            # "可以上门取件吗" starts like a yes; a question files nothing.
            dispatcher.utter_message(text=UNANSWERED_QUESTION)
            return {CONFIRM_SLOT: None}
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
        other_item = await self._other_item_named(tracker) if target in (None, "item") else None
        if other_item:
            # "不是手机，是配件": that item of the order at once (validate_order_item_id says so).
            slots["order_item_id"] = other_item
        elif target == "service":
            slots["service_type"] = service_in(part).value
        elif target == "reason":
            why = reason_in(part)
            slots["reason"] = why.value if why else None     # validate_reason keeps the text
        elif target in ("item", "order"):
            customer_id = current_customer_id(tracker)
            order_no = tracker.get_slot("order_no")
            order = await own_order(customer_id, order_no)
            if target == "item" and order is not None and len(order.items) > 1:
                slots["order_item_id"] = None
            else:
                # "不对，是手机那单": that order at once; "换一个订单": the question again.
                # (its item: validate_order_no reads it, the old one is not in that order)
                other = await self._other_order_named(tracker) if target == "order" else None
                if other is None and target == "order" and await self._before_the_oldest(tracker):
                    dispatcher.utter_message(text=NO_EARLIER_ORDER, buttons=buttons([("转人工", "/human_handoff")]))
                slots.update({"order_no": other} if other else {"order_no": None, "order_item_id": None})
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
        text = _text(tracker)
        picked_now = value_before_message(tracker.events or [], "order_no") != order.order_no
        item, typed_number = None, order.order_no in (ascii_digits(text) or "")
        held = tracker.get_slot("order_item_id")
        held_here = any(str(i.id) == str(held) for i in order.items)
        if len(order.items) > 1 and picked_now and not typed_number and not has_ordinal(text) and not held_here:
            # "手机充电器坏了": the item the words name, as well as its order.
            item = choice_index(text, [item_words(i) for i in order.items])
        if picked_now and not typed_number:
            # Picked by what was typed ("那个水果坏了", "第二个", "衣服那个"): say which it is.
            what = f"里的 {order.items[item].title[:24]}" if item is not None else f"（{order_summary(order)[:20]}）"
            dispatcher.utter_message(text=f"好的，是订单 {order.order_no}{what}。")
        if item is not None:
            slots["order_item_id"] = str(order.items[item].id)
            slots.update(await early_check(dispatcher, customer_id, order.order_no, slots["order_item_id"],
                                           tracker.get_slot("service_type"), tracker.get_slot("reason")))
        elif len(order.items) == 1:
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
        if not order_no or customer_id is None or value is None:
            return {"order_item_id": None}      # (None: unset by a change of order, asked again)
        order = await db(get_order, customer_id, order_no)
        if order is None or not any(str(i.id) == str(value) for i in order.items):
            dispatcher.utter_message(text="这件商品不在该订单里，请从下面的列表里选择。")
            return {"order_item_id": None}
        before = value_before_message(tracker.events or [], "order_item_id")
        if before and str(before) != str(value) and tracker.get_slot("requested_slot") in ITEM_CORRECTED_AT:
            # "不是手机，是配件": the change is said, then the question asked again.
            title = next(i.title for i in order.items if str(i.id) == str(value))
            alone = "可以单独申请，" if asks_item_alone(_text(tracker) or "") else "好的，"
            dispatcher.utter_message(text=f"{alone}商品改为 {title[:24]}。")
        return {"order_item_id": str(value), **await early_check(
            dispatcher, customer_id, order_no, str(value), tracker.get_slot("service_type"), tracker.get_slot("reason"))}

    async def validate_service_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if (vocabulary.service_type(value) is ServiceType.RETURN and not str(_text(tracker)).startswith("/")
                and service_in(_text(tracker)) is ServiceType.REFUND_ONLY):
            value = ServiceType.REFUND_ONLY.value   # "只退钱不退货": the NLU's 退货 is what is not wanted
        read, slots = await self._choice(dispatcher, tracker, "service_type", value, vocabulary.service_type,
                                         "请选择要办理的服务：退货、换货、退款、维修或补发。")
        before = value_before_message(tracker.events or [], "service_type")
        now = vocabulary.service_type(slots.get("service_type"))
        if (read and now is not None and before and vocabulary.service_type(before) is not now
                and tracker.get_slot("requested_slot") in ("order_item_id", "reason")):
            # "维修" typed when asked the reason: the change is said, then the question asked again.
            dispatcher.utter_message(text=f"好的，服务改为{now.label}。")
        return slots

    async def validate_reason(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = _text(tracker)
        typed = reason_in(text) if tracker.get_slot("requested_slot") == "reason" and not text.startswith("/") else None
        if typed is not None and first_entity(tracker, "reason") and vocabulary.reason(value) not in (None, typed):
            # "码数不对" typed at the reason question: the everyday words' reason (尺码), not the
            # NLU's guess from "不对" (发错货).
            value = typed.value
        read, slots = await self._choice(dispatcher, tracker, "reason", value, vocabulary.reason)
        # A pick by place ("第一个") says nothing about the problem: no words of the shopper's kept.
        picked_by_place = has_ordinal(text or "") and reason_in(text or "") is None
        if read and slots.get("reason") and text and not text.startswith("/") and not picked_by_place:
            # The message that gave the reason is what the shopper typed (set here, not by the
            # extract_ methods: rasa_sdk validates only the form's own slots and drops the rest);
            # of a correction ("不是质量问题，是不想要了") the part after it.
            typed = new_value_part(text) if confirmation_in(text) == "change" else text
            slots[REASON_TEXT_SLOT] = typed[:200]
        return slots

    async def _choice(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, value: Any,
                      lookup: Callable[[Any], Optional[Enum]], unknown: str = "") -> Tuple[bool, Dict[Text, Any]]:
        """The step validate_service_type and validate_reason share: a message that leaves
        ``slot`` as it was keeps its value (``_kept``); else ``value`` is read with ``lookup``
        (the form's vocabulary): not in it, ``slot`` is unset (``unknown`` said, when given);
        in it, checked with the other of service and reason (``_with_eligibility``). Returns
        whether ``value`` was read here (not kept), and the slots."""
        keep, kept = _kept(tracker, slot)
        if keep:
            return False, {slot: kept}
        chosen = lookup(value)
        if chosen is None:
            if unknown:
                dispatcher.utter_message(text=unknown)
            return True, {slot: None}
        picked = {"service_type": tracker.get_slot("service_type"), "reason": tracker.get_slot("reason"),
                  slot: chosen.value}
        return True, await self._with_eligibility(dispatcher, tracker, picked["service_type"], picked["reason"])

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
