"""Follow-ups and answers read in context: the parse of each message sees the conversation.

Rasa's NLU classifies a message on its own; the Rasa server parses it with the tracker at
hand (``MessageProcessor.parse_message(message, tracker)``) but the NLU components never see
it. ``install()`` wraps that method, on the pinned Rasa only. Before the NLU speaks, a message
made only of a place in the buttons just shown ("第二个", "2", "下面那个" of two, "最后一个吧") is
parsed as that button's payload — the answer typed reads as the tap would have, at every
question that offers buttons (rule: :func:`assistant.typed_answers.button_picked`; the parse
keeps what was typed under ``typed_pick``). After the NLU has spoken:

- a short yes or no right after the assistant's own offer ("嗯 不要了" to "确认要取消订单吗？",
  "算了吧" to "需要我为您推荐吗？") is that answer, whatever the classifier made of it (rule:
  :mod:`assistant.pending_answers`): intent ``affirm`` / ``deny`` with confidence 1, the
  classifier's own intent under ``answer_to_offer`` for the log and the analytics; the offer's
  answerer (``action_answer_offer``) carries it out;
- otherwise the rule of :mod:`assistant.follow_up` looks at the shopper's previous message,
  and when the new one is a fragment continuing that question ("那要几天" after "我的退款到哪了")
  the parse says so — the previous intent, the previous topic unless the fragment names one
  of the same intent, and ``follow_up_of`` for the log and the analytics.

The rules then answer it like any other turn. A form's own questions are its own: while a
form is active the parse is left as the NLU gave it (the form reads the answer's words). Parses without a tracker (``/model/parse``, evaluations) are untouched.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from assistant.follow_up import (
    after_sales_stopped, cancelled_in_reply, cancels_instead_of_answering, follow_up, picks_offered_change, previous_question,
    previous_user_event,
)
from assistant.offers import another_order_meant
from assistant.pending_answers import answer_to_offer, form_question, open_offer
from assistant.typed_answers import button_picked, buttons_offered, names_the_other
from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
_stock_parse_message = MessageProcessor.parse_message


@lru_cache(maxsize=1)
def _vocabulary():
    from shop_nlu.vocab import ShopVocabulary

    return ShopVocabulary.load()


def _topic_intent(topic: str) -> Optional[str]:
    try:
        return _vocabulary().topic_intent(topic)
    except OSError:   # no vocabulary file: topics of the fragment are kept as they are
        return None


def answered(parse_data: Dict[str, Any], question: Optional[str]) -> Optional[Dict[str, Any]]:
    """``parse_data`` re-read as a yes or no to the open ``question`` (an offer, or a form's
    confirmation), or None when the message is more than that answer."""
    answer = answer_to_offer(parse_data.get("text") or "", question)
    if answer is None:
        return None
    logger.debug("answer %s to %s: %r", answer, question, parse_data.get("text"))
    said = {"name": answer, "confidence": 1.0}
    ranking = [r for r in parse_data.get("intent_ranking") or [] if r.get("name") != answer]
    return {**parse_data, "intent": said, "intent_ranking": [said, *ranking], "answer_to_offer": parse_data.get("intent")}


def reread(parse_data: Dict[str, Any], events) -> Dict[str, Any]:
    """``parse_data`` re-read as the answer to the offer the assistant made after the previous
    user message in ``events`` (dicts as in the tracker's serialised form), or as a follow-up
    of that message, or unchanged."""
    offer = open_offer(events)
    if another_order_meant(parse_data.get("text") or "", offer):
        # "不是这个 换一个" to "确认要取消订单 X 吗？": which order to cancel is asked again.
        return {**parse_data, "intent": {"name": "order_status", "confidence": 1.0},
                "entities": [{"entity": "topic", "value": "cancel_order"}], "answer_to_offer": parse_data.get("intent")}
    if not cancels_instead_of_answering(parse_data.get("text") or "", offer, previous_question(events)):
        answer = answered(parse_data, offer)
        if answer is not None:
            return answer
    if picks_offered_change(parse_data.get("text") or "", events):
        # "第二个" after the orders offered for an address change: that order's change.
        said = {"name": "order_status", "confidence": 1.0}
        return {**parse_data, "intent": said, "follow_up_of": parse_data.get("intent")}
    previous = previous_user_event(events) or {}
    before = previous.get("parse_data") or {}
    result = follow_up(
        parse_data.get("text") or "", parse_data.get("intent_ranking") or [parse_data.get("intent") or {}],
        parse_data.get("entities") or [], previous_question(events),
        before.get("entities") or [], topic_intent=_topic_intent, after_sales_refused=after_sales_stopped(events),
        previous_text=str(previous.get("text") or ""), cancelled_just_now=cancelled_in_reply(events))
    if result is None:
        return parse_data
    logger.debug("follow-up of %s: %r", result.intent, parse_data.get("text"))
    return {**parse_data, "intent": {"name": result.intent, "confidence": 1.0},
            "entities": result.entities, "follow_up_of": parse_data.get("intent")}


# Events at which previous_user_event stops looking further back.
_CONTEXT_BOUNDARIES = frozenset({"user", "restart", "session_started"})


def events_since_last_message(events) -> list:
    """The tracker's events from the shopper's last message (or the last restart / session
    start) on, serialised as previous_user_event reads them. Serialising the whole tracker
    instead made every turn cost in proportion to the conversation's length
    (bench/TURN_COST.md); previous_user_event gives the same answer on this tail."""
    tail = []
    for event in reversed(events):
        tail.append(event)
        if event.type_name in _CONTEXT_BOUNDARIES:
            break
    return [event.as_dict() for event in reversed(tail)]


def as_tapped(message, tracker):
    """``message`` as the button it picks by its place alone ("第二个", "2", "下面那个" — rule:
    :func:`assistant.typed_answers.button_picked`): a copy saying the button's payload, so the
    answer typed is read as the tap would have been; None when it picks no button."""
    if tracker is None or (message.text or "").startswith("/"):
        return None
    button = button_picked(message.text or "", buttons_offered(events_since_last_message(tracker.events)))
    if button is None:
        return None
    logger.debug("typed pick %r read as the button %r", message.text, button.get("title"))
    return UserMessage(text=str(button["payload"]), output_channel=message.output_channel, sender_id=message.sender_id,
                       input_channel=message.input_channel, message_id=message.message_id, metadata=message.metadata)


async def parse_message(self, message, tracker=None, only_output_properties: bool = True):
    try:
        tapped = as_tapped(message, tracker)
    except Exception:  # noqa: BLE001 - reading context must never cost the shopper the turn
        logger.exception("typed pick check failed; the message is read as typed")
        tapped = None
    parse_data = await _stock_parse_message(self, tapped or message, tracker, only_output_properties)
    if tapped is not None:
        parse_data = {**parse_data, "typed_pick": message.text}
        if (tapped.text or "").startswith("/"):
            return parse_data
    if tracker is None or (message.text or "").startswith("/"):
        return parse_data
    try:
        if tracker.active_loop_name:
            # A form has its own rules for answers it did not expect; a yes or no to its
            # confirmation question reaches it (no digression rule asks back first).
            if names_the_other(parse_data.get("text") or ""):
                # "不对 是另一个": a detail of the form's (the other item), not a message to ask back about.
                return {**parse_data, "intent": {"name": "inform", "confidence": 1.0},
                        "follow_up_of": parse_data.get("intent")}
            return answered(parse_data, form_question(tracker.get_slot("requested_slot"))) or parse_data
        return reread(parse_data, events_since_last_message(tracker.events))
    except Exception:  # noqa: BLE001 - reading context must never cost the shopper the turn
        logger.exception("follow-up check failed; the message is answered as parsed")
        return parse_data


def install() -> bool:
    """Patch once; True when the patch is in place."""
    return patch_pinned([(MessageProcessor, "parse_message", parse_message)], PATCHED_RASA_VERSIONS,
                        "follow-ups are not read in context", logger=logger)
