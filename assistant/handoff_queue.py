"""Where a shopper waiting for a human agent stands: their place in the queue and a rough
wait, and the sentence that tells them. One home for both the hand-off action's first reply
and the channels' answer to anything typed while waiting ("人呢？")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy.orm import Session

from shop.db.handoff_desk import DeskTicket, active_ticket, agents_on_duty, queue_position
from shop.domain.handoff_queue import estimated_wait_minutes


@dataclass(frozen=True)
class QueuePlace:
    ticket_no: str
    position: int          # 1 = next
    wait_minutes: int


def place_of(session: Session, ticket: DeskTicket, now: datetime) -> QueuePlace:
    position = queue_position(session, ticket)
    return QueuePlace(ticket.ticket_no, position, estimated_wait_minutes(position, agents_on_duty(session, now)))


def waiting_place(session: Session, sender_id: str, customer_id: Optional[int], now: datetime) -> Optional[QueuePlace]:
    """The conversation's place in the queue; None when it has no ticket waiting (none, or
    an agent already holds it)."""
    ticket = active_ticket(session, sender_id, customer_id)
    if ticket is None or ticket.status != "open":
        return None
    return place_of(session, ticket, now)


def place_sentence(place: QueuePlace) -> str:
    ahead = place.position - 1
    where = f"您前面还有 {ahead} 位顾客" if ahead else "您排在第 1 位"
    return f"{where}，预计等待约 {place.wait_minutes} 分钟"


def queue_message(place: QueuePlace) -> str:
    """The answer to whatever a waiting shopper types."""
    return (f"您的人工服务工单 {place.ticket_no} 正在排队，{place_sentence(place)}。"
            "客服接入后会马上回复您，请不要离开～")
