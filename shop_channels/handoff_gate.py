"""Live hand-off, on the channel side: while a human agent has a conversation, the
assistant stays silent.

How: both input channels (REST, socket.io) ask ``held_reply`` before handing a message to
Rasa. If the conversation (client sender id *and* verified shopper, as tickets are keyed)
has a ticket that is not closed, the message goes to the desk instead
(``handoff_messages``, shown live in the console) and never reaches Rasa's NLU or policies:
- ticket **open** (waiting): the shopper is told their place in the queue and a rough wait,
  whatever they typed ("人呢？" included; "客服电话多少" / "几点下班" get their answer first);
  "取消人工" (``assistant.handoff_queue.CANCEL_PHRASES``) instead closes the waiting ticket
  and the assistant answers again from the next message — or at once, when the shopper asked
  something with the cancel ("算了不转了 你帮我查下牛奶": ``HeldReply.request``, which the
  channel hands to Rasa after the cancel's line); the cancel is also published to
  Rasa's event broker (``shop.domain.handoff_queue.HANDOFF_CANCELLED``), the analytics' one source;
- ticket **assigned**: nothing is said automatically; the agent answers. If the agent holding
  it is no longer on duty (signed out without the console noticing, gone idle), the ticket
  goes back to the queue first and the shopper hears their place, not silence.
When the agent closes the ticket, the next message goes to Rasa again. The check is one
plain indexed read on ``handoff_requests`` per message, run off the server's event loop; only
when it finds a ticket does the message take the write transaction that stores it. The
state is in the database, so it holds across restarts and across Rasa instances.

Agent lines reach the shopper through ``agent_messages`` (``POST
/webhooks/rest/agent_messages``; the web widget polls it while a ticket is open or held).
If the shop database cannot be read, the assistant answers as usual (logged): a shopper is
never left without any reply. If it can be read (a ticket is there) but refuses the write that
keeps the line (locked past ``LOCK_WAIT_S``), the shopper is asked to send it again
(``LINE_NOT_KEPT``, logged) and the assistant stays silent: it used to answer a shopper
waiting for a person with a clarifying question, the line lost for the agent.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy.exc import SQLAlchemyError

from shop.db.engine import default_engine, session_scope
from assistant.handoff_queue import cancel_and_request, cancelled_message, place_of, waiting_answer
from shop.db.handoff_desk import (active_ticket, add_shopper_message, cancel_waiting_ticket, gate_state,
                                  hand_back_if_gone, shopper_view)
from shop.db.satisfaction import answer_question
from shop.domain.clock import utc_now
from shop.domain.satisfaction import BUTTONS, DESK_QUESTION, read_answer, reply_to
from shop.domain.handoff_queue import handoff_cancelled_event
from shop.domain.handoff_queue import DeskHours, estimated_wait_minutes
from shop.identity import customer_of_conversation
from shop_channels.settings import server_settings
from shop_channels.validation import SENDER_PATTERN, InvalidRequest, clean_metadata, json_object

logger = logging.getLogger(__name__)

LOCK_WAIT_S = 2.0
LINE_NOT_KEPT = ("抱歉，系统有点忙，这条消息没能转给人工客服，请稍后再发一次。"
                 "您的人工服务工单仍然有效，不需要重新转人工。")


def customer_of(sender: str, conversation_id: str) -> Optional[int]:
    """The verified customer id the channel bound into ``conversation_id`` (None: a guest)."""
    return None if conversation_id == sender else customer_of_conversation(conversation_id)


def _satisfaction_answer(survey: int, text: str) -> Optional[_Held]:
    """The shopper's answer to the satisfaction question (CSAT, ``survey``) put to them after
    the desk closed their ticket or after the assistant's goodbye, or None: let the assistant
    answer. A rating ("满意", "4星", "差评，等太久了") or a decline ("不评价") is kept and
    thanked for, Rasa hearing nothing of it — unless the words also ask something ("不满意
    我要投诉"), which is then passed on; anything else drops the question (never asked again)
    and goes to Rasa. The database failing loses the answer, never the shopper's message (logged)."""
    answer = read_answer(text)
    try:
        with session_scope(lock_wait_s=LOCK_WAIT_S, writes=True) as session:
            kept = answer_question(session, survey, answer, utc_now())
    except SQLAlchemyError:
        logger.exception("satisfaction answer not kept; the assistant answers (question %s)", survey)
        return None
    if answer is None or not kept:
        return None
    logger.info("satisfaction question %s answered: %s", survey, "skipped" if answer.skipped else answer.score)
    return _Held([reply_to(answer)], request=text if answer.wants_more else None)


def _conversation_state(sender: str, customer_id: Optional[int]) -> tuple[bool, Optional[int]]:
    """A plain read: no write transaction, no lock-wait settings (readers do not wait for
    writers: WAL on SQLite, MVCC on PostgreSQL). Nearly every message has no ticket and no
    satisfaction question waiting, and this one statement is all it costs (the write path cost
    3.4 % of the Rasa server's busy samples, bench/TURN_COST.md, round 4)."""
    with default_engine().connect() as connection:
        return gate_state(connection, sender, customer_id, utc_now())


@dataclass(frozen=True)
class _Held:
    texts: List[str]
    cancelled_ticket: Optional[str] = None     # the ticket number the shopper just cancelled
    request: Optional[str] = None              # asked with the cancel, for the assistant


class HeldReply(list):
    """What the channel sends instead of the assistant's answer (a list of texts, maybe
    empty). ``request``: what the shopper asked along with cancelling their wait; the channel
    hands it to Rasa after these texts (None: Rasa hears nothing of this message)."""

    def __init__(self, texts: List[str], request: Optional[str] = None):
        super().__init__(texts)
        self.request = request


class _DeskUnwritable(Exception):
    """A ticket was found but the shopper's line could not be kept (the database refuses writes)."""


def _hold(sender: str, customer_id: Optional[int], text: str, hours: DeskHours) -> Optional[_Held]:
    ticket, survey = _conversation_state(sender, customer_id)
    if not ticket:
        return _satisfaction_answer(survey, text) if survey is not None else None
    try:
        return _hold_with_ticket(sender, customer_id, text, hours)
    except SQLAlchemyError as error:
        raise _DeskUnwritable() from error


def _hold_with_ticket(sender: str, customer_id: Optional[int], text: str, hours: DeskHours) -> Optional[_Held]:
    # A ticket: read it again in the write transaction (it may have been closed meanwhile).
    now = utc_now()
    with session_scope(lock_wait_s=LOCK_WAIT_S, writes=True) as session:
        ticket = active_ticket(session, sender, customer_id)
        if ticket is None:
            return None
        add_shopper_message(session, ticket.id, text[:2000] or " ", now)
        request = cancel_and_request(text) if ticket.status == "open" else None
        if request is not None and cancel_waiting_ticket(session, ticket.id, now):
            return _Held([cancelled_message(ticket.ticket_no, request_follows=bool(request))],
                         cancelled_ticket=ticket.ticket_no, request=request or None)
        if ticket.status != "open":
            if not hand_back_if_gone(session, ticket.assigned_to, now):
                return _Held([])
            ticket = active_ticket(session, sender, customer_id)
        return _Held([waiting_answer(text, place_of(session, ticket, now, hours))])


def event_broker_of(app: Any) -> Any:
    """The Rasa server's event broker (the agent's tracker store's), or None (none configured,
    or the model not loaded yet)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    return getattr(getattr(agent, "tracker_store", None), "event_broker", None)


def _publish_cancel(broker: Any, conversation_id: str, ticket_no: str) -> None:
    if broker is None:
        logger.warning("no event broker: the analytics will not see that ticket %s was cancelled", ticket_no)
        return
    try:    # on the event loop, as Rasa publishes (the Pika broker is not thread-safe)
        broker.publish(handoff_cancelled_event(conversation_id, ticket_no, utc_now().timestamp()))
    except Exception:  # noqa: BLE001 - the shopper's cancel stands; only the figure misses it
        logger.exception("could not publish the cancel of ticket %s to the event broker", ticket_no)


async def held_reply(sender: str, conversation_id: str, text: str, broker: Any = None) -> Optional[HeldReply]:
    """None: let the assistant answer. A ``HeldReply`` (maybe empty): the desk has (or just
    had) the conversation; send these texts instead and pass Rasa only its ``request``, if
    any. ``broker``: the Rasa server's event broker (``event_broker_of(app)``), told when the
    shopper cancels."""
    try:
        held = await asyncio.to_thread(_hold, sender, customer_of(sender, conversation_id), text,
                                       server_settings().desk_hours)
    except _DeskUnwritable:
        # The desk has the conversation but its line cannot be kept: the assistant must not
        # answer it (a clarifying question to someone waiting for a person, or a flow started
        # behind the agent's back), so the shopper is asked to send it again.
        logger.exception("hand-off line not kept, the database refuses writes; the shopper is asked to "
                         "send it again (conversation %s)", sender)
        return HeldReply([LINE_NOT_KEPT])
    except SQLAlchemyError:
        logger.exception("hand-off state unreadable; the assistant answers (conversation %s)", sender)
        return None
    if held is None:
        return None
    if held.cancelled_ticket:
        _publish_cancel(broker, conversation_id, held.cancelled_ticket)
    return HeldReply(held.texts, held.request)


# --- agent lines for the shopper's client ---------------------------------------------------

def parse_poll_body(body: Optional[bytes]) -> Dict[str, Any]:
    """``{"sender": ..., "after": <last message id seen, default 0>, "metadata": {...}}``."""
    payload = json_object(body, max_bytes=16 * 1024)
    sender = payload.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        raise InvalidRequest(400, "invalid_sender", "sender 只能包含字母、数字和 _.:@-，长度 1 到 128。")
    after = payload.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < 2 ** 62:
        raise InvalidRequest(400, "invalid_after", "after 必须是非负整数（上次收到的最后一条消息的 id）。")
    return {"sender": sender, "after": after, "metadata": clean_metadata(payload.get("metadata"))}


def _line(message_id: int, author: str, text: str, at: str) -> Dict[str, Any]:
    line: Dict[str, Any] = {"id": message_id, "from": author, "text": text, "at": at}
    if author == "system" and text == DESK_QUESTION:
        # The satisfaction question: buttons whose payload is the answer typed.
        line["buttons"] = [{"title": b, "payload": b} for b in BUTTONS]
    return line


def _view(sender: str, customer_id: Optional[int], after: int) -> Dict[str, Any]:
    now = utc_now()
    with session_scope() as session:
        view = shopper_view(session, sender, customer_id, after, now)
    answer: Dict[str, Any] = {"status": view.status, "ticket_no": view.ticket_no, "messages": [
        _line(m.id, m.author, m.text, m.created_at.isoformat()) for m in view.messages]}
    if view.position is not None:
        answer["queue"] = {"position": view.position,
                           "wait_minutes": estimated_wait_minutes(view.position, view.agents_on_duty)}
    return answer


async def agent_messages(sender: str, conversation_id: str, after: int) -> Dict[str, Any]:
    return await asyncio.to_thread(_view, sender, customer_of(sender, conversation_id), after)
