"""Every turn gets a reply, even when the action server does not answer.

Stock Rasa 3.6, when a custom action cannot be run (action server down, refused, a 5xx, no
answer within five minutes), logs the error, drops the action's events and carries on: the
shopper gets HTTP 200 ``[]`` ("查一下订单"), or the core fallback "我没太明白您的意思" when a
form could not start ("我要退货"). ``install()`` patches two methods, on the pinned Rasa only:

- ``RemoteAction.run`` gives up after ``ACTION_CALL_TIMEOUT_S`` (default 20 s) and, on any
  failure but a form's own validation rejection, answers with ``utter_service_unavailable``
  (from the domain, rendered by the Rasa server: the apology and a way forward) and then
  listens, so no rule or fallback adds a second, confusing answer;
- ``FormAction.run``: a failed call inside a form (its validation, a question asked by a
  custom action) answers the same way and leaves the form exactly as it was, so nothing the
  shopper already gave is lost and the next message carries on once the server is back.

A change the shopper confirmed whose call timed out is different: the action server may still
make it after Rasa gave up. Which turns those are is one rule (``unsure_write_events``):
"确认" at the after-sales summary or at the address change's question (``CONFIRMED_FORM_WRITES``:
the action that runs once such a form ended confirmed), and a yes to "确认要取消订单 X 吗？" (the
offer in the bot's last turn, ``assistant.offers``), whichever custom action the call was for:
which one carries the yes out depends on how the NLU read the message and on the actions
handing messages to each other (the offer's answer, the order flow, and through it the
clarifying and details actions, the recommendation for "取消这个订单吧" / "上周买的…", the
purchase and after-sales answers for an order clause), so a list of names would go stale —
one that was missing told "系统开了个小差" for a cancellation that went through. The shopper hears that it may have gone
through (and where to check), and the same question is asked again — the form reopened at its
confirmation with every answer kept, or the cancellation offered again — so the next "确认"
reaches the action again, which checks before it writes: a request already filed is reported
with its number, an address already changed or an order already cancelled is reported as it
is now; otherwise the change is made, once.

The action server's own failures inside an action are answered by the action itself
(``actions.support.ShopAction``); this covers the calls that never got that far.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any, List

from rasa.core.actions.action import (
    ActionExecutionRejection, RemoteAction, create_bot_utterance,
)
from rasa.core.actions.forms import FormAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActiveLoop, Event, FollowupAction, SlotSet
from rasa.shared.exceptions import RasaException

from assistant.offers import OFFER_SLOT, cancellation_asked, confirms_cancellation, fresh_offer_in
from shop_channels.patching import patch_pinned
from shop_channels.settings import DEFAULT_CALL_TIMEOUT_S

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
APOLOGY_RESPONSE = "utter_service_unavailable"
# Used only if the domain lost its response: a reply is still better than silence.
APOLOGY_TEXT = "抱歉，系统暂时开了个小差，请稍后再试，或说“转人工”联系人工客服。"
# Changes the shopper confirmed in a form, by the action that makes them: (the form, its
# confirmation slot, the slot's value once confirmed, what, where to check). The actions check
# before they write (a duplicate is reported, not made again), which is what makes asking for
# the same "确认" again safe.
CONFIRMED_FORM_WRITES = {
    "action_submit_after_sales": ("after_sales_form", "after_sales_confirmed", "yes", "售后申请", "售后进度"),
    "action_change_address": ("address_change_form", "address_confirmed", "yes", "地址修改", "查订单"),
}
UNSURE_WRITE_TEXT = ("抱歉，系统响应超时，您的{what}可能已经提交，也可能没有。请再回复“{again}”，我会核对："
                     "已经办好的会如实告诉您，不会重复办理；也可以稍后说“{check}”查看。")
_call_timeout_s = DEFAULT_CALL_TIMEOUT_S     # set by install() from the server's settings

_stock_remote_run = RemoteAction.run
_stock_form_run = FormAction.run
# Set while a form runs: a failed call inside it is answered by the form, not by the call.
_inside_form: contextvars.ContextVar[bool] = contextvars.ContextVar("shop_inside_form", default=False)


class ActionServerUnavailable(RasaException):
    """A custom action could not be run (raised only inside a form)."""


def call_timeout_s() -> float:
    return _call_timeout_s


async def apology_events(output_channel: Any, nlg: Any, tracker: Any) -> List[Event]:
    """The apology as Rasa's own bot message, then listen for the shopper."""
    try:
        message = await nlg.generate(APOLOGY_RESPONSE, tracker, output_channel.name())
    except Exception:  # noqa: BLE001 - the apology must not fail in turn
        logger.exception("could not render %s", APOLOGY_RESPONSE)
        message = None
    return [create_bot_utterance(dict(message or {"text": APOLOGY_TEXT})),
            FollowupAction(ACTION_LISTEN_NAME)]


async def remote_run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
    try:
        return await asyncio.wait_for(
            _stock_remote_run(self, output_channel, nlg, tracker, domain), timeout=call_timeout_s()
        )
    except ActionExecutionRejection:
        raise  # a form's validation refusing a slot: Rasa's protocol, not a failure
    except Exception as error:  # noqa: BLE001 - any failure gets the apology, see the docstring
        reason = "timed out" if isinstance(error, asyncio.TimeoutError) else f"{type(error).__name__}: {error}"
        logger.error("custom action %s could not be run (conversation %s): %s",
                     self.name(), tracker.sender_id, reason)
        if _inside_form.get():
            raise ActionServerUnavailable(self.name()) from error
        unsure = unsure_write_events(self.name(), tracker)
        if unsure:
            return unsure
        return await apology_events(output_channel, nlg, tracker)


def unsure_write_events(action_name: str, tracker: Any) -> List[Event]:
    """For a call that failed while it may have made a change the shopper confirmed: say so,
    and ask for the confirmation again. Empty for every other call.

    The form's question is asked by Rasa, which runs the reopened form next without re-reading
    the old "确认" (as ``actions.support.confirm_again`` does); the cancellation's question is
    offered again after this message, so the next "确认取消" answers it (``fresh_offer_in``)."""
    form_write = CONFIRMED_FORM_WRITES.get(action_name)
    if form_write:
        form, confirm_slot, confirmed, what, check = form_write
        if tracker.get_slot(confirm_slot) != confirmed:
            return []       # the form ended cancelled or answered: nothing was to be written
        return [create_bot_utterance({"text": UNSURE_WRITE_TEXT.format(what=what, again="确认", check=check)}),
                SlotSet(confirm_slot, None), ActiveLoop(form), SlotSet("requested_slot", confirm_slot)]
    # A yes to the cancellation: any call may have carried it out (see the module's docstring).
    pending = fresh_offer_in(event.as_dict() for event in reversed(tracker.events))
    order_no = cancellation_asked(pending)
    message = tracker.latest_message
    if not order_no or not confirms_cancellation(message.intent.get("name"), message.text or ""):
        return []
    text = UNSURE_WRITE_TEXT.format(what=f"订单 {order_no} 的取消", again="确认取消", check="查订单")
    buttons = [{"title": "确认取消", "payload": "确认取消"}, {"title": "不用了", "payload": "不用了"}]
    return [create_bot_utterance({"text": text, "buttons": buttons}), SlotSet(OFFER_SLOT, pending)]


async def form_run(self: FormAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
    token = _inside_form.set(True)
    try:
        return await _stock_form_run(self, output_channel, nlg, tracker, domain)
    except ActionServerUnavailable:
        return await apology_events(output_channel, nlg, tracker)
    finally:
        _inside_form.reset(token)


def install(timeout_s: float = DEFAULT_CALL_TIMEOUT_S) -> bool:
    """Patch once; True when the patches are in place. ``timeout_s``: ACTION_CALL_TIMEOUT_S
    from the server's settings."""
    global _call_timeout_s
    _call_timeout_s = timeout_s
    return patch_pinned([(RemoteAction, "run", remote_run), (FormAction, "run", form_run)], PATCHED_RASA_VERSIONS,
                        "action-server failures are handled the stock way", logger=logger)
