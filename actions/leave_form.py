"""A goodbye typed in the middle of a form ("再见" at "改到哪个地址？"): the rules in
data/rules.yml deactivate the form, and this action says what was left undone (nothing filed,
nothing changed) before the goodbye, so a shopper who comes back later is not left guessing
whether the request went through. A plain goodbye comes here too (data/rules.yml): it ends
a guest's order look-up that still waits for the order number or the phone digits, so digits
typed after "拜拜" start nothing from the look-up that was left."""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from rasa_sdk import Tracker
from sqlalchemy.exc import SQLAlchemyError
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.after_sales_submit import reset_form_slots
from actions.order_changes import reset_address_form
from actions.support import ShopAction, current_customer_id, db_prompt
from assistant.satisfaction import saw_it_through
from shop.db.satisfaction import ask
from shop.domain.clock import utc_now
from shop.domain.satisfaction import ASSISTANT, ASSISTANT_QUESTION, BUTTONS
from shop.identity import sender_of

logger = logging.getLogger(__name__)
# The channels whose messages pass the hand-off gate, which reads the answer (shop_channels).
ANSWERED_ON = ("rest", "socketio")

# What leaving each form leaves undone, and how its answers are cleared.
LEFT: Dict[str, Tuple[str, Callable[[], List[Dict[str, Any]]]]] = {
    "after_sales_form": ("本次售后申请没有提交", reset_form_slots),
    "address_change_form": ("收货地址没有修改", reset_address_form),
}


def form_left(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The form a goodbye rule has just deactivated, or None for a goodbye with no form open
    (a form that ended earlier in the conversation is not the one left now)."""
    deactivated = seen_user = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if not deactivated:
                return None
            seen_user = True
        elif kind == "active_loop":
            if event.get("name"):
                return event["name"] if deactivated else None
            deactivated = deactivated or not seen_user
    return None


class ActionLeaveForm(ShopAction):
    def name(self) -> str:
        return "action_leave_form"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        left = LEFT.get(form_left(tracker.events or []) or "")
        if left is None:
            dispatcher.utter_message(response="utter_goodbye")
            if tracker.get_slot("pending_lookup"):
                # The look-up's number goes too: a guest who comes back starts a new look-up.
                return [SlotSet("pending_lookup", None), SlotSet("order_no", None)]
            await _ask_satisfaction(dispatcher, tracker)
            return []
        undone, reset = left
        dispatcher.utter_message(text=f"好的，{undone}。感谢您的光临，有需要随时来找我，再见！")
        return reset()


async def _ask_satisfaction(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After a plain goodbye that ends a conversation the assistant saw through on its own
    (``assistant.satisfaction.saw_it_through``), ask once how satisfied the shopper is; the
    answer is read by the hand-off gate (``shop_channels.handoff_gate``). Not asked when this
    conversation was asked in the last day (``shop.db.satisfaction.ask``) nor when the
    database cannot record the question (logged; the goodbye stands), nor on a channel whose
    answer nothing would read (``rasa shell``'s stock ``cmdline`` has no hand-off gate)."""
    if tracker.get_latest_input_channel() not in ANSWERED_ON or not saw_it_through(tracker.events or []):
        return
    try:
        asked = await db_prompt(ask, sender_of(tracker.sender_id), current_customer_id(tracker), ASSISTANT, utc_now())
    except SQLAlchemyError:
        logger.exception("satisfaction question not recorded, not asked (conversation %s)", tracker.sender_id)
        return
    if asked is not None:
        dispatcher.utter_message(text=ASSISTANT_QUESTION, buttons=[{"title": b, "payload": b} for b in BUTTONS])
