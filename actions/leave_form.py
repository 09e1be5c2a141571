"""A goodbye typed in the middle of a form ("再见" at "改到哪个地址？"): the rules in
data/rules.yml deactivate the form, and this action says what was left undone (nothing filed,
nothing changed) before the goodbye, so a shopper who comes back later is not left guessing
whether the request went through."""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.after_sales_submit import reset_form_slots
from actions.order_changes import reset_address_form
from actions.support import ShopAction

# What leaving each form leaves undone, and how its answers are cleared.
LEFT: Dict[str, Tuple[str, Callable[[], List[Dict[str, Any]]]]] = {
    "after_sales_form": ("本次售后申请没有提交", reset_form_slots),
    "address_change_form": ("收货地址没有修改", reset_address_form),
}


def form_left(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The form that was active last (the rule has just deactivated it)."""
    for event in reversed(list(events)):
        if event.get("event") == "active_loop" and event.get("name"):
            return event["name"]
    return None


class ActionLeaveForm(ShopAction):
    def name(self) -> str:
        return "action_leave_form"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        left = LEFT.get(form_left(tracker.events or []) or "")
        if left is None:
            dispatcher.utter_message(response="utter_goodbye")
            return []
        undone, reset = left
        dispatcher.utter_message(text=f"好的，{undone}。感谢您的光临，有需要随时来找我，再见！")
        return reset()
