"""Where a shopper waiting for a human agent stands: their place in the queue, a rough wait
when one can honestly be given, and the sentences that tell them. One home for the hand-off
action's first reply and the channels' answer to anything typed while waiting ("人呢？").

Honesty: a wait is estimated only from agents actually on duty. With nobody at the desk the
shopper hears that (and, outside the desk's hours, when it opens) instead of "about 4
minutes", and is told the reply will wait for them and how to get the assistant back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy.orm import Session

from assistant.contact import contact_topic
from shop.db.handoff_desk import DeskTicket, active_ticket, agents_on_duty, queue_position
from shop.domain.handoff_queue import DEFAULT_DESK_HOURS, DeskHours, estimated_wait_minutes

# What a waiting shopper types to give up waiting and talk to the assistant again
# (shop_channels.handoff_gate); the waiting answers name the first one.
CANCEL_PHRASES = ("取消人工", "取消转人工", "不用人工了", "不要人工了", "不转人工了", "取消排队", "不等了")


_NOT_WORDS = re.compile(r"[\s\W_]+")


# The same said in a shopper's own words while waiting: "不用了 我自己搞定了", "算了不转了",
# "问题解决了 不用人工了" — a no to the person, maybe with why, and nothing else asked.
_GIVE_UP = (r"(不用|不需要|不找|不转|不等)(再)?(转|找|等)?(人工|客服|真人|人工客服)?(了|啦)"
            r"|不要(再)?(转|找)?(人工|客服|真人|人工客服)(了|啦)"
            r"|(人工|客服)(就)?不用了")
_WHY = r"(我)?(自己)?(已经)?(搞定|弄好|解决|处理好|找到|想明白)了|(问题)?(已经)?解决了|(已经)?好了|没事了|谢谢|谢了"
GIVE_UP = re.compile(rf"^(算了|那就|那|好吧|哦|嗯|啊)*({_WHY})*({_GIVE_UP})({_WHY})*$")


def is_cancel_request(text: str) -> bool:
    """The whole message is one of the cancel phrases (punctuation, spaces and a leading
    "那"/"算了" aside), or a give-up typed in other words ("不用了 我自己搞定了"): "取消人工！"
    is, "取消人工之后订单还在吗" is not."""
    core = _NOT_WORDS.sub("", text or "")
    for lead in ("算了", "那就", "那"):
        if core.startswith(lead) and core[len(lead):] in CANCEL_PHRASES:
            return True
    return core in CANCEL_PHRASES or GIVE_UP.match(core) is not None


# Where a give-up may end with a request after it: at a space or a mark ("算了不转了 帮我查下牛奶"),
# or right after the 了/啦 that closes it ("不转了帮我查下牛奶"); never inside a phrase that
# goes on ("取消人工之后订单还在吗" is a question about the cancel, not a cancel).
_CLAUSE_END = re.compile(r"[\s\W_]|(?<=[了啦])")


def cancel_and_request(text: str) -> Optional[str]:
    """A waiting shopper's cancel and what they ask with it: None when the message is no
    cancel; "" when it is only the cancel (``is_cancel_request``); else the request typed
    after it ("算了不转了 你帮我查下牛奶" -> "你帮我查下牛奶"), for the assistant to answer."""
    text = text or ""
    if is_cancel_request(text):
        return ""
    ends = sorted({m.start() for m in _CLAUSE_END.finditer(text) if 0 < m.start() < len(text)}, reverse=True)
    for end in ends:      # the longest give-up first
        rest = text[end:].strip()
        if rest and _NOT_WORDS.sub("", rest) and is_cancel_request(text[:end]):
            return rest.lstrip("，,。.!！?？~～ ")
    return None


def cancelled_message(ticket_no: str, request_follows: bool = False) -> str:
    """``request_follows``: the shopper asked something with the cancel, answered next."""
    if request_follows:
        return f"好的，已取消人工服务（工单 {ticket_no}），小柚接着为您处理："
    return f"好的，已取消人工服务（工单 {ticket_no}）。小柚继续为您服务，请问有什么可以帮您？"


@dataclass(frozen=True)
class QueuePlace:
    ticket_no: str
    position: int                  # 1 = next
    wait_minutes: Optional[int]    # None: no agent on duty, no honest estimate
    desk_open: bool = True         # inside the desk's hours
    hours: DeskHours = DEFAULT_DESK_HOURS   # the process's SHOP_DESK_HOURS, passed down


def place_of(session: Session, ticket: DeskTicket, now: datetime, hours: DeskHours) -> QueuePlace:
    position = queue_position(session, ticket)
    return QueuePlace(ticket.ticket_no, position, estimated_wait_minutes(position, agents_on_duty(session, now)),
                      hours.is_open(now), hours)


def waiting_place(session: Session, sender_id: str, customer_id: Optional[int], now: datetime,
                  hours: DeskHours) -> Optional[QueuePlace]:
    """The conversation's place in the queue; None when it has no ticket waiting (none, or
    an agent already holds it)."""
    ticket = active_ticket(session, sender_id, customer_id)
    if ticket is None or ticket.status != "open":
        return None
    return place_of(session, ticket, now, hours)


def place_sentence(place: QueuePlace, hours_said: bool = False) -> str:
    """Where the shopper is in the queue; ``hours_said``: the desk's hours were just said
    ("你们几点下班"), so a closed desk is not explained with them a second time."""
    ahead = place.position - 1
    where = f"您前面还有 {ahead} 位顾客" if ahead else "您排在第 1 位"
    if place.wait_minutes is not None:
        return f"{where}，预计等待约 {place.wait_minutes} 分钟"
    if not place.desk_open:
        hours = "" if hours_said else f"（每天 {place.hours.text}）"
        return f"{where}；现在不在人工服务时间{hours}，客服上班后会按顺序回复您"
    return f"{where}；客服暂时都不在线，上线后会按顺序回复您，现在还估计不了要等多久"


def waiting_advice(place: QueuePlace) -> str:
    """What to do meanwhile: stay when someone is coming; otherwise the truth (the reply
    will wait for them) and the way back to the assistant."""
    if place.wait_minutes is not None:
        return "客服接入后会马上回复您，请不要离开～"
    return f"客服的回复会留在这里；不想等了可以说“{CANCEL_PHRASES[0]}”，由小柚继续为您服务。"


def queue_message(place: QueuePlace, hours_said: bool = False) -> str:
    """The answer to whatever a waiting shopper types."""
    return f"您的人工服务工单 {place.ticket_no} 正在排队，{place_sentence(place, hours_said)}。{waiting_advice(place)}"


# How the shop is reached, said to a shopper already waiting for a person: the person comes
# here, so no phone number or other channel is needed (``content/faq.yml`` ``contact`` says the
# same; its "说“转人工”" would be wrong here: the hand-off is already under way).
CONTACT_WHILE_WAITING = "本店没有另外的客服电话，人工客服就在这个对话里回复您，不用另外打电话或加微信。"


def waiting_answer(text: str, place: QueuePlace) -> str:
    """The answer to what a waiting shopper types: "客服电话多少" / "你们几点下班" get their
    answer first (the hand-off already opened is no answer to them), then the queue."""
    topic = contact_topic(text)
    if topic == "contact":
        return f"{CONTACT_WHILE_WAITING}{queue_message(place)}"
    if topic == "service_hours":
        return f"人工客服每天 {place.hours.text} 在线，智能客服 24 小时都在。{queue_message(place, hours_said=True)}"
    return queue_message(place)
