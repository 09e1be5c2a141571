"""Yes or no to the assistant's own question ("需要我为您推荐些商品吗？" → "好的").

An action that ends its reply with an offer records it in the ``pending_offer`` slot. A bare
yes or no outside a form comes here: "yes" right after an offer carries it out, anything
else gets a polite acknowledgement. Only an offer made in the bot's last turn counts, so a
"好的" five messages later does not start something the shopper has forgotten about.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from actions.recommend import ActionRecommend, list_refinement, reacts_to_list, turns_down_brand_in_view
from actions.support import ShopAction, entity_values, latest_intent
from assistant.answer_words import confirms_cancel_alone
from assistant.offers import (  # noqa: F401 - the other actions read these from here
    CANCEL_OFFER_PREFIX, OFFER_HANDOFF, OFFER_RECOMMEND, OFFER_SLOT, cancellation_asked,
    confirms_cancellation, fresh_offer_in,
)
from assistant.recommendation_requests import any_budget, asked_kind, ranking_asked


def offer(value: str) -> Dict[str, Any]:
    """The event an action returns when its reply ends with an offer."""
    return SlotSet(OFFER_SLOT, value)


def fresh_offer(tracker: Tracker) -> Optional[str]:
    """The offer made in the bot's last turn, if any (see ``assistant.offers.fresh_offer_in``)."""
    return fresh_offer_in(reversed(tracker.events))


class ActionAnswerOffer(ShopAction):
    def name(self) -> str:
        return "action_answer_offer"

    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        intent = latest_intent(tracker)
        pending = fresh_offer(tracker)
        events: List[Dict[str, Any]] = [SlotSet(OFFER_SLOT, None)] if tracker.get_slot(OFFER_SLOT) else []
        if tracker.get_slot("order_change_next"):
            # Left over from an address change that ended in a hand-off: it would start the
            # address form (a rule reads it after this action).
            events.append(SlotSet("order_change_next", None))
        if intent == "affirm" and pending == OFFER_RECOMMEND:
            return events + await ActionRecommend().handle(dispatcher, tracker, domain)
        said = (tracker.latest_message or {}).get("text") or ""
        if cancellation_asked(pending) and confirms_cancellation(intent, said):
            # Imported here: actions.order_changes records its offer with this module's offer().
            from actions.order_changes import carry_out_cancellation

            return events + await carry_out_cancellation(dispatcher, tracker, cancellation_asked(pending))
        topics = entity_values(tracker, "topic")
        if confirms_cancel_alone(said) or (intent == "deny" and not pending and "address_change" in topics):
            # "确认取消" with nothing asked: which order, then. "地址错了" (a "no" to a question
            # only after one): an address change, which may start the address form.
            from actions.order_changes import answer_order_change

            topic = "address_change" if "address_change" in topics else "cancel_order"
            return events + await answer_order_change(dispatcher, tracker, topic, None)
        # ("那算了 取消吧" right after an order was shown is that order's cancellation: the
        # follow-up rule reads it so, assistant.follow_up.)
        if intent == "affirm" and pending == OFFER_HANDOFF:
            return events + await ActionHandoff().handle(dispatcher, tracker, domain)
        if intent == "deny" and not pending and (reacts_to_list(tracker) or turns_down_brand_in_view(tracker)):
            # "第一个不要" / "不要这个牌子" after a list: the list goes on without it, not a bare "no";
            # after one product: other brands' products of its kind.
            return events + await ActionRecommend().handle(dispatcher, tracker, domain)
        if any_budget(said) and tracker.get_slot("recommendation"):
            # "算了，不限预算" (read as a "no"): the list again without the budget.
            return events + await ActionRecommend().handle(dispatcher, tracker, domain)
        if intent == "affirm" and (ranking_asked(said) or asked_kind(said)) and await list_refinement(tracker):
            # "要续航好的" / "要头戴式的" after a list (read as a "yes"): the list ranked so, or
            # plainly that no listing says so.
            return events + await ActionRecommend().handle(dispatcher, tracker, domain)
        # Imported here: actions.orders imports this module.
        from actions.orders import ask_lookup_again

        if intent == "affirm" and not pending and ask_lookup_again(dispatcher, tracker):
            return events
        dispatcher.utter_message(response="utter_affirm" if intent == "affirm" else "utter_deny")
        return events
