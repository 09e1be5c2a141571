"""转人工: open a hand-off ticket with a summary an agent can read, and say what happens next."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.support import ShopAction, as_product_id, current_customer_id, db, db_prompt, desk_hours
from assistant.contact import asks_for_contact_means
from assistant.handoff_queue import QueuePlace, is_cancel_request, place_sentence, waiting_advice, waiting_place
from assistant.handoff_summary import Turn, summarise
from shop.db.catalogue import get_product_detail
from shop.db.handoff import create_handoff_request, open_handoff_for_sender
from shop.domain.clock import utc_now
from shop.domain.numbers import is_order_number
from shop.identity import sender_of

logger = logging.getLogger(__name__)

# The ticket could not be written in time (the database busy or down): say so at once and
# give the shopper another way to reach a person.
# "取消人工" with no ticket waiting (already cancelled, or never asked): the NLU hears "人工"
# and predicts a hand-off; opening one would do the opposite of what was asked.
NOTHING_TO_CANCEL = "好的，现在没有在排队的人工服务，不会为您转人工。小柚继续为您服务，请问有什么可以帮您？"


def handoff_unavailable() -> str:
    return ("抱歉，人工客服登记暂时繁忙，这次没能为您转接。请稍后再说一次“转人工”"
            f"（人工服务时间 {desk_hours().text}），我会马上为您登记。")


def conversation_turns(tracker: Tracker) -> List[Turn]:
    """User turns of the current session with the actions that answered each."""
    turns: List[Turn] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "session_started":
            turns = []
        elif kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            turns.append(Turn(text=event.get("text") or "", intent=intent))
        elif kind == "action" and turns:
            name = event.get("name") or ""
            if not name.startswith("action_listen"):
                turns[-1].actions.append(name)
    return turns


class ActionHandoff(ShopAction):
    def name(self) -> str:
        return "action_handoff"

    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        if is_cancel_request(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(text=NOTHING_TO_CANCEL)
            return []
        customer_id = current_customer_id(tracker)
        try:
            return await self._hand_off(dispatcher, tracker, customer_id)
        except SQLAlchemyError:
            logger.exception("hand-off not recorded (conversation %s)", tracker.sender_id)
            dispatcher.utter_message(text=handoff_unavailable())
            return []

    async def _hand_off(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: Optional[int]
    ) -> List[Dict[str, Any]]:
        # Tickets keep the client's sender id; with the customer id it names the conversation.
        sender = sender_of(tracker.sender_id)
        # A read (no write lock); the ticket is created below in a writing unit of work.
        existing = await db(open_handoff_for_sender, sender, customer_id)
        if existing is not None:
            place = await self._place(sender, customer_id)
            where = f"，{place_sentence(place)}" if place else ""
            then = waiting_advice(place) if place and place.wait_minutes is None else "客服接入后会第一时间回复您，请稍候～"
            dispatcher.utter_message(text=f"您的人工服务工单 {existing.ticket_no} 已在排队中{where}。{then}")
            return []
        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and asks_for_contact_means(text):
            # "有没有客服电话" (the NLU hears 客服): the answer, with the hand-off offered.
            from actions.contact import say_how_to_reach  # actions.offers, below it, builds on this module

            reached = say_how_to_reach(dispatcher, text)
            if reached is not None:
                return reached
        order_no = tracker.get_slot("order_no")
        order_no = order_no if order_no and is_order_number(order_no) else None
        product_title = None
        product_id = as_product_id(tracker.get_slot("product_id"))
        if product_id is not None:
            product = await db(get_product_detail, product_id)
            product_title = product.title if product else None
        summary = summarise(conversation_turns(tracker), order_no, product_title, customer_id is not None)
        ticket = await db_prompt(
            create_handoff_request,
            sender,
            customer_id,
            summary,
            utc_now(),
            channel=(tracker.get_latest_input_channel() or "")[:32] or None,
            reason="shopper_request",
            order_no=order_no,
        )
        place = await self._place(sender, customer_id)
        if place is None:
            wait = f"高峰期可能需要等待几分钟，请保持在线～（人工服务时间 {desk_hours().text}）"
        elif place.wait_minutes is None:   # nobody on duty: no promise of a quick answer
            wait = f"{place_sentence(place)}。{waiting_advice(place)}"
        else:
            wait = f"{place_sentence(place)}，请保持在线～（人工服务时间 {desk_hours().text}）"
        dispatcher.utter_message(
            text=f"已为您转接人工客服，工单号 {ticket.ticket_no}。客服会看到我们刚才的对话，无需重复说明；{wait}"
        )
        return []

    @staticmethod
    async def _place(sender: str, customer_id: Optional[int]) -> Optional[QueuePlace]:
        """The shopper's place in the queue; None if it cannot be read now (the ticket is
        written: the shopper still hears that, and the place with their next message)."""
        try:
            return await db(waiting_place, sender, customer_id, utc_now(), desk_hours())
        except SQLAlchemyError:
            logger.exception("queue place unreadable (conversation %s)", sender)
            return None
