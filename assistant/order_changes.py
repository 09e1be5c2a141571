"""Which change to an order a message asks for — cancelling it or changing its address —
and how a typed answer to the address change's confirmation reads. Pure; the action
(actions/order_changes.py) carries the change out."""
from __future__ import annotations

from typing import List, Optional

from assistant.address_choice import address_wished
from assistant.invoices import changes_invoice_not_address
from assistant.order_matching import WHY_CANCELLED, cancel_requested, cancels_outright
from assistant.typed_answers import confirmation_in, is_cancel, verb_answer

CHANGE_TOPICS = ("cancel_order", "address_change")
# The verb the address form's questions ask about: "不改了" keeps the address, "改吧" confirms it.
CHANGE_VERB = "改|修改"


def change_topic(topics: List[str], text: str = "") -> Optional[str]:
    """The order change a message asks about: the NLU's topic, or "取消…订单" / "改到公司地址"
    in its words ("我想取消那个没付款的订单" reads as a payment topic)."""
    if "restore_order" in topics:
        return None         # "订单取消了还能恢复吗": the policy for a cancelled order, no new cancellation
    topic = next((t for t in CHANGE_TOPICS if t in topics), None)
    if topic == "address_change" and changes_invoice_not_address(text):
        # "发票抬头写错了 要改成公司的": the invoice's title, not where the parcel goes.
        topic = None
    if topic == "cancel_order" and "address_change" in topics and not cancels_outright(text):
        # "精华液那单先别发 我地址写错了": holding the parcel back is for the address; the order
        # stays and its address is changed (cancelling is only when 取消 / 不要了 is said).
        topic = "address_change"
    if topic == "cancel_order" and WHY_CANCELLED.search(text):
        return None         # "我的订单怎么被取消了": the cancelled order is looked up instead
    if topic is None and address_wished(text):
        return "address_change"   # "订单X改到公司地址": the NLU may tag no topic in it
    return topic or ("cancel_order" if cancel_requested(text) else None)


def keeps_address(text: str) -> bool:
    """"取消" / "算了" / "不改了" / "先不用改了": the address stays as it is."""
    return is_cancel(text) or verb_answer(text, CHANGE_VERB) == "no"


def address_confirmation(text: str, affirmed: bool) -> Optional[str]:
    """The answer to "确认把地址改为…吗？": "yes", "cancel" ("不改了", "不想要了"), "change"
    (something in it is wrong), or None. "改吧" is read before ``confirmation_in``, which
    reads any 改 as "something is wrong"; ``affirmed``: the NLU read the message as a yes."""
    return ({"yes": "yes", "no": "cancel"}.get(verb_answer(text, CHANGE_VERB) or "")
            or confirmation_in(text) or ("yes" if affirmed else None))
