"""The human agents' side of hand-off tickets: the queue, claiming, the messages exchanged
while an agent has the conversation, closing. (Opening a ticket: ``shop.db.handoff``.)

State lives here, in the database, so an agent's browser, the console or a Rasa server can
restart mid-conversation and nothing is lost: the ticket says who has the conversation, the
messages table holds every line both ways, and a client fetches what it has not seen by
message id.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import (AfterSalesRequest, ConsoleSession, ConsoleUser, HandoffClaim, HandoffMessage,
                            HandoffRequest, HandoffTransfer)
from shop.db.validation import customer_id_arg, text_arg
from shop.domain.clock import CHINA_TZ, require_aware
from shop.domain.after_sales import OPEN_AFTER_SALES_STATUSES
from shop.domain.handoff_queue import ON_DUTY_WINDOW, REPEAT_WINDOW, QueueReason, queue_rank, queue_reasons
from shop.domain.mood import sounds_angry
from shop.domain.handoff_resolutions import resolution_problem
from shop.domain.satisfaction import ASKED_AFTER, DESK_QUESTION
from shop.db.satisfaction import PENDING_OF_CUSTOMER, PENDING_OF_GUEST, ask_about_ticket, pending_params

MAX_MESSAGE = 2000
AUTHORS = ("shopper", "agent", "system")

JOINED_NOTICE = "客服{name}已接入，正在为您服务。"
CLOSED_NOTICE = "客服已结束本次服务，接下来由小柚继续为您服务；如需人工，随时说“转人工”。"
# What every version of the notice opened with (the assistant's name in it changed, 小店长 →
# 小柚): how the cancel backfill tells a desk's close from a shopper's cancel.
CLOSED_NOTICE_OPENING = "客服已结束本次服务"
RELEASED_NOTICE = "客服{name}暂时离开了，已为您重新排队，下一位客服接入后会接着为您服务（之前的对话都在）。"
# A transfer tells the shopper who has the conversation now, as a claim does (JOINED_NOTICE),
# and nothing else: not who passed it on, nor the note (the desk's own words about them).
TRANSFERRED_NOTICE = "已为您转接客服{name}，接下来由TA为您服务（之前的对话都在）。"
TRANSFERRED_TO_QUEUE_NOTICE = "已为您转接其他客服，正在为您重新排队，下一位客服接入后会接着为您服务（之前的对话都在）。"
MAX_TRANSFER_NOTE = 500


@dataclass(frozen=True)
class DeskTicket:
    id: int
    ticket_no: str
    sender_id: str
    customer_id: Optional[int]
    channel: Optional[str]
    summary: str
    order_no: Optional[str]
    status: str
    created_at: datetime
    assigned_to: Optional[int]
    agent_name: Optional[str]
    assigned_at: Optional[datetime]
    closed_at: Optional[datetime]
    cancelled_at: Optional[datetime] = None    # the shopper gave up waiting ("取消人工")
    resolution: Optional[str] = None           # how the agent ended it (handoff_resolutions)


@dataclass(frozen=True)
class DeskMessage:
    id: int
    ticket_id: int
    author: str
    text: str
    created_at: datetime
    agent_name: Optional[str] = None


@dataclass(frozen=True)
class ShopperView:
    """What a shopper's client learns when it asks: its newest ticket and the desk's lines
    (agent and notices) after its cursor."""
    ticket_no: Optional[str]
    status: str                      # none / open / assigned / closed
    position: Optional[int]          # in the queue, while open
    agents_on_duty: int
    messages: List[DeskMessage]


def _ticket_query():
    return select(HandoffRequest, ConsoleUser.display_name).outerjoin(
        ConsoleUser, ConsoleUser.id == HandoffRequest.assigned_to)


def _desk_ticket(row: HandoffRequest, agent_name: Optional[str]) -> DeskTicket:
    return DeskTicket(id=row.id, ticket_no=row.ticket_no, sender_id=row.sender_id, customer_id=row.customer_id,
                      channel=row.channel, summary=row.summary, order_no=row.order_no, status=row.status,
                      created_at=row.created_at, assigned_to=row.assigned_to, agent_name=agent_name,
                      assigned_at=row.assigned_at, closed_at=row.closed_at, cancelled_at=row.cancelled_at,
                      resolution=row.resolution)


def _owner_is(customer):
    return HandoffRequest.customer_id == customer


def _owner(customer_id: Optional[int]):
    if customer_id is None:
        return HandoffRequest.customer_id.is_(None)
    return _owner_is(customer_id_arg(customer_id))


def _id_arg(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidRequest(f"{name} must be a positive integer, got {value!r}")
    return value


@dataclass(frozen=True)
class QueuedTicket:
    """A waiting ticket and why it sits where it does (``shop.domain.handoff_queue``)."""
    ticket: DeskTicket
    reasons: tuple[QueueReason, ...]


def ranked_queue(session: Session) -> List[QueuedTicket]:
    """Every open ticket in the desk's order (``shop.domain.handoff_queue.queue_rank``: waiting
    time first, with a head start for an angry shopper, one already served and back in the
    queue, one with an after-sales request under way, one whose ticket the desk closed in the
    last 24 hours). Four reads, whatever the queue's length."""
    open_ = select(HandoffRequest.id).where(HandoffRequest.status == "open")
    rows = session.execute(_ticket_query().where(HandoffRequest.status == "open")).all()
    if not rows:
        return []
    reasons = {r.id: set() for r, _ in rows}
    for r, _ in rows:
        if sounds_angry(r.summary):
            reasons[r.id].add("angry")
        if r.first_assigned_at is not None:
            reasons[r.id].add("returned")
    # What they typed while waiting (kept by the hand-off gate) counts as much as the summary.
    for ticket_id, text in session.execute(select(HandoffMessage.ticket_id, HandoffMessage.text).where(
            HandoffMessage.ticket_id.in_(open_), HandoffMessage.author == "shopper")):
        if sounds_angry(text):
            reasons[ticket_id].add("angry")
    customers = {r.customer_id for r, _ in rows if r.customer_id is not None}
    in_after_sales = set(session.execute(select(func.distinct(AfterSalesRequest.customer_id)).where(
        AfterSalesRequest.customer_id.in_(customers),
        AfterSalesRequest.status.in_([s.value for s in OPEN_AFTER_SALES_STATUSES])))
        .scalars()) if customers else set()
    oldest = min(r.created_at for r, _ in rows)
    # The desk's earlier tickets of the same shoppers (a shopper's own cancel is not the desk's).
    earlier = session.execute(select(HandoffRequest.sender_id, HandoffRequest.customer_id, HandoffRequest.closed_at)
                              .where(HandoffRequest.status == "closed", HandoffRequest.cancelled_at.is_(None),
                                     HandoffRequest.closed_at >= oldest - REPEAT_WINDOW,
                                     or_(HandoffRequest.sender_id.in_({r.sender_id for r, _ in rows}),
                                         HandoffRequest.customer_id.in_(customers)))).all()
    for r, _ in rows:
        if r.customer_id in in_after_sales:
            reasons[r.id].add("after_sales")
        if any(r.created_at - REPEAT_WINDOW <= closed_at <= r.created_at
               and (sender == r.sender_id or (r.customer_id is not None and customer == r.customer_id))
               for sender, customer, closed_at in earlier):
            reasons[r.id].add("repeat")
    queued = [QueuedTicket(_desk_ticket(r, n), queue_reasons(reasons[r.id])) for r, n in rows]
    return sorted(queued, key=lambda q: queue_rank(q.ticket.created_at, q.ticket.id, q.reasons))


def waiting_tickets(session: Session, limit: int = 200) -> List[DeskTicket]:
    """Open tickets in the desk's order (position = index + 1; ``ranked_queue``)."""
    return [q.ticket for q in ranked_queue(session)[:limit]]


def tickets_of_agent(session: Session, agent_id: int) -> List[DeskTicket]:
    rows = session.execute(_ticket_query().where(HandoffRequest.status == "assigned",
                                                 HandoffRequest.assigned_to == _id_arg(agent_id, "agent_id"))
                           .order_by(HandoffRequest.assigned_at, HandoffRequest.id)).all()
    return [_desk_ticket(r, n) for r, n in rows]


def desk_ticket(session: Session, ticket_id: int) -> Optional[DeskTicket]:
    found = session.execute(_ticket_query().where(HandoffRequest.id == _id_arg(ticket_id, "ticket_id"))).first()
    return _desk_ticket(*found) if found else None


def queue_position(session: Session, ticket: DeskTicket) -> int:
    """The ticket's place in the desk's order (1 = next): the place the console shows."""
    order = [q.ticket.id for q in ranked_queue(session)]
    return order.index(ticket.id) + 1 if ticket.id in order else len(order) + 1


def _on_duty_agents(now: datetime):
    """Ids of the enabled accounts with a console session that is neither expired nor unused
    for ``ON_DUTY_WINDOW`` (admins count: they can take tickets too)."""
    require_aware(now)
    return (select(ConsoleSession.user_id).join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
            .where(ConsoleSession.expires_at > now, ConsoleSession.last_seen_at > now - ON_DUTY_WINDOW,
                   ConsoleUser.active.is_(True)))


def agents_on_duty(session: Session, now: datetime) -> int:
    """How many agents are at the desk now (what the shopper's wait is estimated from)."""
    return session.execute(select(func.count(func.distinct(ConsoleSession.user_id)))
                           .where(ConsoleSession.user_id.in_(_on_duty_agents(now)))).scalar_one()


def hand_back_from_absent_agents(session: Session, now: datetime) -> List[str]:
    """``hand_back_if_gone`` for every agent holding a conversation who is no longer on duty
    (the desk's queue runs it, so a ticket held by an agent who closed the laptop reappears
    in the queue within ``ON_DUTY_WINDOW`` even if the shopper writes nothing). Usually one
    read that finds nothing."""
    absent = session.execute(select(func.distinct(HandoffRequest.assigned_to)).where(
        HandoffRequest.status == "assigned", HandoffRequest.assigned_to.is_not(None),
        HandoffRequest.assigned_to.not_in(_on_duty_agents(now)))).scalars().all()
    return [no for agent_id in absent for no in hand_back_if_gone(session, agent_id, now)]


def hand_back_if_gone(session: Session, agent_id: int, now: datetime) -> List[str]:
    """Return the conversations an agent holds to the queue when that agent is no longer on
    duty (signed out, disabled, gone idle): each shopper is told and waits for the next agent
    instead of writing into silence. Ticket numbers handed back; none while the agent is
    still on duty elsewhere (another browser)."""
    agent_id = _id_arg(agent_id, "agent_id")
    if session.execute(_on_duty_agents(now).where(ConsoleSession.user_id == agent_id).limit(1)).first():
        return []
    name = session.execute(select(ConsoleUser.display_name).where(ConsoleUser.id == agent_id)).scalar_one_or_none()
    held = session.execute(select(HandoffRequest.id, HandoffRequest.ticket_no).where(
        HandoffRequest.status == "assigned", HandoffRequest.assigned_to == agent_id)).all()
    returned = []
    for ticket_id, ticket_no in held:
        # Guarded like a claim: a ticket closed or taken meanwhile is left alone.
        moved = session.execute(update(HandoffRequest).where(
            HandoffRequest.id == ticket_id, HandoffRequest.status == "assigned",
            HandoffRequest.assigned_to == agent_id)
            .values(status="open", assigned_to=None, assigned_at=None, updated_at=now)).rowcount == 1
        if moved:
            _add(session, ticket_id, "system", RELEASED_NOTICE.format(name=name or ""), now)
            returned.append(ticket_no)
    return returned


def _add(session: Session, ticket_id: int, author: str, text: str, now: datetime,
         agent_id: Optional[int] = None) -> DeskMessage:
    row = HandoffMessage(ticket_id=ticket_id, author=author, agent_id=agent_id, text=text, created_at=now)
    session.add(row)
    session.flush()
    # As a read gives it back (China time, the agent's name): the console showed a reply it had
    # just sent at 16:25 (UTC, no name) under the shopper's line of 00:25.
    name = session.get(ConsoleUser, agent_id).display_name if agent_id is not None else None
    return DeskMessage(id=row.id, ticket_id=ticket_id, author=author, text=text,
                       created_at=now.astimezone(CHINA_TZ), agent_name=name)


def claim_ticket(session: Session, ticket_id: int, agent_id: int, agent_name: str, now: datetime) -> bool:
    """The agent takes an open ticket; False when someone else was quicker (or it is closed).
    One UPDATE guarded by the status, so two agents can never both have it."""
    require_aware(now)
    ticket_id, agent_id = _id_arg(ticket_id, "ticket_id"), _id_arg(agent_id, "agent_id")
    # Since when it has waited in the queue: an open ticket's updated_at is when it became
    # open (the hand-off, a hand-back, a transfer back to the queue: nothing else touches an
    # open ticket). Read under the row lock (PostgreSQL; SQLite's desk writes hold the
    # database's write lock from BEGIN), so no other claim comes between.
    queued_at = session.execute(select(HandoffRequest.updated_at).where(
        HandoffRequest.id == ticket_id, HandoffRequest.status == "open").with_for_update()).scalar_one_or_none()
    if queued_at is None:
        return False
    claimed = session.execute(
        update(HandoffRequest).where(HandoffRequest.id == ticket_id, HandoffRequest.status == "open")
        .values(status="assigned", assigned_to=agent_id, assigned_at=now, updated_at=now,
                # The shopper's wait for a person ends at the first claim only (数据分析).
                first_assigned_at=func.coalesce(HandoffRequest.first_assigned_at, now))
    ).rowcount == 1
    if claimed:
        # Who took it and when, per claim (a transfer is a HandoffTransfer): 数据分析's 按客服
        # and the ticket's 接入记录.
        session.add(HandoffClaim(ticket_id=ticket_id, agent_id=agent_id, claimed_at=now, queued_at=queued_at))
        _add(session, ticket_id, "system", JOINED_NOTICE.format(name=agent_name), now)
    return claimed


def close_ticket(session: Session, ticket_id: int, agent_id: int, now: datetime, is_admin: bool = False,
                 resolution: Optional[str] = None) -> bool:
    """Close a ticket the agent holds (an admin may close any open or held one), with how it
    ended (``shop.domain.handoff_resolutions``; the console always asks); the assistant
    answers the conversation again from the next message. The shopper's notice is the same
    whatever the resolution (``cancelled_tickets`` tells closes from cancels by it)."""
    require_aware(now)
    if resolution is not None and resolution_problem(resolution):
        raise InvalidRequest(f"unknown resolution {resolution!r}")
    condition = [HandoffRequest.id == _id_arg(ticket_id, "ticket_id"), HandoffRequest.status != "closed"]
    # Who served the shopper: the holder at the close (an admin closing a ticket nobody took
    # served no one, and nobody is rated).
    holder = session.execute(select(HandoffRequest.assigned_to).where(
        HandoffRequest.id == ticket_id, HandoffRequest.status == "assigned")).scalar_one_or_none()
    if not is_admin:
        condition += [HandoffRequest.status == "assigned", HandoffRequest.assigned_to == _id_arg(agent_id, "agent_id")]
    closed = session.execute(update(HandoffRequest).where(*condition)
                             .values(status="closed", closed_at=now, updated_at=now, resolution=resolution,
                                     closed_by=_id_arg(agent_id, "agent_id"))
                             ).rowcount == 1
    if closed:
        _add(session, ticket_id, "system", CLOSED_NOTICE, now)
        if holder is not None and resolution in ASKED_AFTER and ask_about_ticket(session, ticket_id, holder, now):
            # Satisfaction (CSAT): asked once, after the close, by the desk's own line; the
            # answer is read by the hand-off gate (shop_channels.handoff_gate).
            _add(session, ticket_id, "system", DESK_QUESTION, now)
    return closed


@dataclass(frozen=True)
class DeskTransfer:
    """One transfer of a ticket: who passed it, to whom (None: back to the queue), the note;
    ``by_name``: the admin who reassigned it, when the holder did not pass it on themselves."""
    id: int
    ticket_id: int
    from_agent_id: int
    from_name: Optional[str]
    to_agent_id: Optional[int]
    to_name: Optional[str]
    note: str
    created_at: datetime
    by_agent_id: Optional[int] = None
    by_name: Optional[str] = None


@dataclass(frozen=True)
class TransferOutcome:
    """``transfer`` when it happened; otherwise ``problem``: ``not_yours`` (the agent does not
    hold the ticket: closed, returned or passed on meanwhile), ``target_gone`` (the colleague
    is not on duty, or is the agent), ``not_admin`` (a reassignment by an account that is not an
    enabled admin); nothing else changed."""
    transfer: Optional[DeskTransfer] = None
    problem: Optional[str] = None


def transfer_targets(session: Session, agent_id: int, now: datetime) -> List[tuple[int, str]]:
    """(id, name) of the colleagues a ticket can be passed to: every account on duty now
    (``_on_duty_agents``: they would see it within seconds) but the agent, by name."""
    rows = session.execute(select(ConsoleUser.id, ConsoleUser.display_name)
                           .where(ConsoleUser.id.in_(_on_duty_agents(now)),
                                  ConsoleUser.id != _id_arg(agent_id, "agent_id"))
                           .order_by(ConsoleUser.display_name, ConsoleUser.id)).all()
    return [(int(i), name) for i, name in rows]


def transfer_ticket(session: Session, ticket_id: int, agent_id: int, to_agent_id: Optional[int], note: str,
                    now: datetime) -> TransferOutcome:
    """The agent holding a ticket passes it to a colleague on duty (``to_agent_id``), who holds
    it at once and sees the note and the whole conversation, or back to the queue (None:
    its place there is its first, as when an agent leaves). The shopper is told who serves
    them now (``TRANSFERRED_NOTICE``), never the note; the transfer is kept
    (``handoff_transfers``: the ticket's history, 数据分析's count). One UPDATE guarded by
    the holder, as a claim: a ticket closed or passed on meanwhile is left alone. A note is
    required (1 to ``MAX_TRANSFER_NOTE`` characters): InvalidRequest otherwise."""
    require_aware(now)
    ticket_id, agent_id = _id_arg(ticket_id, "ticket_id"), _id_arg(agent_id, "agent_id")
    return _pass_on(session, ticket_id, agent_id, to_agent_id, text_arg(note, "note", MAX_TRANSFER_NOTE), now)


def _pass_on(session: Session, ticket_id: int, holder_id: int, to_agent_id: Optional[int], body: str,
             now: datetime, by_agent_id: Optional[int] = None) -> TransferOutcome:
    """What a transfer and an admin's reassignment share: the ticket moves from its holder to a
    colleague on duty (or the queue) in one UPDATE guarded by that holder, the move is kept
    (``handoff_transfers``, with the admin who made it, if one did) and the shopper is told
    who serves them now — their conversation itself is untouched."""
    to_name = None
    if to_agent_id is not None:
        to_agent_id = _id_arg(to_agent_id, "to_agent_id")
        to_name = dict(transfer_targets(session, holder_id, now)).get(to_agent_id)
        if to_name is None:
            return TransferOutcome(problem="target_gone")
        values = {"assigned_to": to_agent_id, "assigned_at": now}
    else:
        values = {"status": "open", "assigned_to": None, "assigned_at": None}
    moved = session.execute(update(HandoffRequest).where(
        HandoffRequest.id == ticket_id, HandoffRequest.status == "assigned", HandoffRequest.assigned_to == holder_id)
        .values(updated_at=now, **values)).rowcount == 1
    if not moved:
        return TransferOutcome(problem="not_yours")
    row = HandoffTransfer(ticket_id=ticket_id, from_agent_id=holder_id, to_agent_id=to_agent_id, note=body,
                          created_at=now, by_agent_id=by_agent_id)
    session.add(row)
    session.flush()
    notice = TRANSFERRED_NOTICE.format(name=to_name) if to_name is not None else TRANSFERRED_TO_QUEUE_NOTICE
    _add(session, ticket_id, "system", notice, now)
    names = dict(session.execute(select(ConsoleUser.id, ConsoleUser.display_name).where(
        ConsoleUser.id.in_([holder_id] + ([by_agent_id] if by_agent_id else [])))).all())
    return TransferOutcome(DeskTransfer(row.id, ticket_id, holder_id, names.get(holder_id), to_agent_id, to_name,
                                        body, row.created_at, by_agent_id, names.get(by_agent_id)))


def is_active_admin(session: Session, account_id: int) -> bool:
    """Whether the account is an enabled admin now (read from the database, not the session:
    an account demoted or disabled a moment ago can no longer reassign)."""
    return session.execute(select(ConsoleUser.id).where(
        ConsoleUser.id == _id_arg(account_id, "account_id"), ConsoleUser.role == "admin",
        ConsoleUser.active.is_(True))).first() is not None


def reassign_ticket(session: Session, ticket_id: int, admin_id: int, holder_id: int, to_agent_id: Optional[int],
                    note: str, now: datetime) -> TransferOutcome:
    """改派: an admin moves a conversation someone else holds — to a colleague on duty (the
    admin included: taking it over from an agent who went off duty or is stuck) or back to the
    queue — with a note, as the holder's own transfer would (``_pass_on``), recorded with the
    admin's id. ``holder_id`` is the holder the admin saw: if the ticket was closed or passed
    on meanwhile nothing changes (``not_yours``). Fails closed: ``not_admin`` unless
    ``admin_id`` is an enabled admin in the database; ``target_gone`` for a colleague off duty
    or the holder themselves."""
    require_aware(now)
    ticket_id, admin_id = _id_arg(ticket_id, "ticket_id"), _id_arg(admin_id, "admin_id")
    holder_id = _id_arg(holder_id, "holder_id")
    body = text_arg(note, "note", MAX_TRANSFER_NOTE)
    if not is_active_admin(session, admin_id):
        return TransferOutcome(problem="not_admin")
    return _pass_on(session, ticket_id, holder_id, to_agent_id, body, now, by_agent_id=admin_id)


def held_tickets(session: Session, now: datetime) -> List[tuple[DeskTicket, bool]]:
    """Every conversation an agent holds now, the longest held first, each with whether its
    holder is still on duty (admins' overview: whom to reassign)."""
    on_duty = set(session.execute(_on_duty_agents(now)).scalars().all())
    rows = session.execute(_ticket_query().where(HandoffRequest.status == "assigned")
                           .order_by(HandoffRequest.assigned_at, HandoffRequest.id).limit(500)).all()
    return [(_desk_ticket(r, n), r.assigned_to in on_duty) for r, n in rows]


def _transfers(session: Session, *where) -> List[DeskTransfer]:
    giver, taker = ConsoleUser.__table__.alias("giver"), ConsoleUser.__table__.alias("taker")
    admin = ConsoleUser.__table__.alias("reassigner")
    rows = session.execute(
        select(HandoffTransfer, giver.c.display_name, taker.c.display_name, admin.c.display_name)
        .join(giver, giver.c.id == HandoffTransfer.from_agent_id)
        .outerjoin(taker, taker.c.id == HandoffTransfer.to_agent_id)
        .outerjoin(admin, admin.c.id == HandoffTransfer.by_agent_id)
        .where(*where).order_by(HandoffTransfer.id)).all()
    return [DeskTransfer(t.id, t.ticket_id, t.from_agent_id, from_name, t.to_agent_id, to_name, t.note, t.created_at,
                         t.by_agent_id, by_name)
            for t, from_name, to_name, by_name in rows]


def ticket_transfers(session: Session, ticket_id: int) -> List[DeskTransfer]:
    """Every transfer of one ticket, oldest first (the ticket page's 转接记录)."""
    return _transfers(session, HandoffTransfer.ticket_id == _id_arg(ticket_id, "ticket_id"))


@dataclass(frozen=True)
class DeskClaim:
    """One claim of a ticket from the queue (接入): who, when, and how long the ticket had
    waited in the queue for it (None: not known, a claim from before migration 0017)."""
    id: int
    ticket_id: int
    agent_id: int
    agent_name: Optional[str]
    claimed_at: datetime
    waited_s: Optional[float]


def ticket_claims(session: Session, ticket_id: int) -> List[DeskClaim]:
    """Every claim of one ticket, oldest first (the ticket page's 接入记录)."""
    rows = session.execute(
        select(HandoffClaim, ConsoleUser.display_name).join(ConsoleUser, ConsoleUser.id == HandoffClaim.agent_id)
        .where(HandoffClaim.ticket_id == _id_arg(ticket_id, "ticket_id")).order_by(HandoffClaim.id)).all()
    return [DeskClaim(c.id, c.ticket_id, c.agent_id, name, c.claimed_at,
                      max(0.0, (c.claimed_at - c.queued_at).total_seconds()) if c.queued_at else None)
            for c, name in rows]


def latest_transfers(session: Session, ticket_ids: List[int]) -> dict[int, DeskTransfer]:
    """The newest transfer of each of these tickets that has one (the queue's lists show its
    note beside the ticket)."""
    ids = [_id_arg(i, "ticket_id") for i in ticket_ids]
    if not ids:
        return {}
    newest = select(func.max(HandoffTransfer.id)).where(HandoffTransfer.ticket_id.in_(ids)) \
        .group_by(HandoffTransfer.ticket_id)
    return {t.ticket_id: t for t in _transfers(session, HandoffTransfer.id.in_(newest))}


def awaiting_reply(session: Session, ticket_ids: List[int]) -> dict[int, datetime]:
    """For each of these tickets where the shopper has written since an agent last replied (or
    no agent has yet): when the first of those unanswered lines came — how long the shopper
    has been waiting for an answer (the agent's own conversations list shows it)."""
    ids = [_id_arg(i, "ticket_id") for i in ticket_ids]
    if not ids:
        return {}
    answered = (select(HandoffMessage.ticket_id, func.max(HandoffMessage.id).label("last_id"))
                .where(HandoffMessage.ticket_id.in_(ids), HandoffMessage.author == "agent")
                .group_by(HandoffMessage.ticket_id).subquery())
    rows = session.execute(
        select(HandoffMessage.ticket_id, func.min(HandoffMessage.created_at))
        .outerjoin(answered, answered.c.ticket_id == HandoffMessage.ticket_id)
        .where(HandoffMessage.ticket_id.in_(ids), HandoffMessage.author == "shopper",
               HandoffMessage.id > func.coalesce(answered.c.last_id, 0))
        .group_by(HandoffMessage.ticket_id)).all()
    return {int(ticket_id): since for ticket_id, since in rows}


def lines_since_shopper_last_wrote(session: Session, ticket_ids: List[int]) -> dict[int, list[tuple[str, datetime]]]:
    """For each of these tickets, its shopper and agent lines as (author, time), oldest first,
    from the shopper's latest line on (all of them while the shopper has not written): all the
    desk's silence rule (``shop.domain.desk_silence``) reads, without loading whole conversations
    for an agent's list. Tickets without such lines are missing."""
    ids = [_id_arg(i, "ticket_id") for i in ticket_ids]
    if not ids:
        return {}
    last_shopper = (select(HandoffMessage.ticket_id, func.max(HandoffMessage.id).label("last_id"))
                    .where(HandoffMessage.ticket_id.in_(ids), HandoffMessage.author == "shopper")
                    .group_by(HandoffMessage.ticket_id).subquery())
    rows = session.execute(
        select(HandoffMessage.ticket_id, HandoffMessage.author, HandoffMessage.created_at)
        .outerjoin(last_shopper, last_shopper.c.ticket_id == HandoffMessage.ticket_id)
        .where(HandoffMessage.ticket_id.in_(ids), HandoffMessage.author.in_(("shopper", "agent")),
               HandoffMessage.id >= func.coalesce(last_shopper.c.last_id, 0))
        .order_by(HandoffMessage.ticket_id, HandoffMessage.id)).all()
    lines: dict[int, list[tuple[str, datetime]]] = {}
    for ticket_id, author, at in rows:
        lines.setdefault(int(ticket_id), []).append((author, at))
    return lines


def cancel_waiting_ticket(session: Session, ticket_id: int, now: datetime) -> bool:
    """The shopper gives up waiting (a ticket no agent has taken yet); False when an agent
    was quicker. The assistant answers again from the next message. No notice line: the
    shopper's own words and the channel's answer say it (a notice showed it twice in the
    widget); the desk sees the ticket closed after the shopper's line."""
    require_aware(now)
    return session.execute(update(HandoffRequest).where(
        HandoffRequest.id == _id_arg(ticket_id, "ticket_id"), HandoffRequest.status == "open")
        .values(status="closed", closed_at=now, cancelled_at=now, updated_at=now)).rowcount == 1


def add_agent_message(session: Session, ticket_id: int, agent_id: int, text: str, now: datetime) -> Optional[DeskMessage]:
    """The agent's reply, only on a ticket that agent holds (None otherwise)."""
    require_aware(now)
    body = text_arg(text, "text", MAX_MESSAGE)
    held = session.execute(select(HandoffRequest.id).where(
        HandoffRequest.id == _id_arg(ticket_id, "ticket_id"), HandoffRequest.status == "assigned",
        HandoffRequest.assigned_to == _id_arg(agent_id, "agent_id")).with_for_update()).first()
    if held is None:
        return None
    return _add(session, ticket_id, "agent", body, now, agent_id=agent_id)


def add_shopper_message(session: Session, ticket_id: int, text: str, now: datetime) -> DeskMessage:
    require_aware(now)
    return _add(session, _id_arg(ticket_id, "ticket_id"), "shopper", text_arg(text, "text", MAX_MESSAGE), now)


def ticket_messages(session: Session, ticket_id: int, after_id: int = 0) -> List[DeskMessage]:
    rows = session.execute(
        select(HandoffMessage, ConsoleUser.display_name)
        .outerjoin(ConsoleUser, ConsoleUser.id == HandoffMessage.agent_id)
        .where(HandoffMessage.ticket_id == _id_arg(ticket_id, "ticket_id"), HandoffMessage.id > after_id)
        .order_by(HandoffMessage.id).limit(500)).all()
    return [DeskMessage(id=m.id, ticket_id=m.ticket_id, author=m.author, text=m.text,
                        created_at=m.created_at, agent_name=name) for m, name in rows]


def conversation_desk_lines(session: Session, sender_id: str, customer_id: Optional[int],
                            limit: int = 500) -> List[DeskMessage]:
    """Every desk line (shopper, agent, system) of one conversation's tickets, oldest first:
    the part of a handed-off conversation that never reached Rasa. By conversation *and*
    shopper, as tickets are keyed."""
    sender = text_arg(sender_id, "sender_id", 255)
    rows = session.execute(
        select(HandoffMessage, ConsoleUser.display_name)
        .join(HandoffRequest, HandoffRequest.id == HandoffMessage.ticket_id)
        .outerjoin(ConsoleUser, ConsoleUser.id == HandoffMessage.agent_id)
        .where(HandoffRequest.sender_id == sender, _owner(customer_id))
        .order_by(HandoffMessage.created_at, HandoffMessage.id).limit(limit)).all()
    return [DeskMessage(id=m.id, ticket_id=m.ticket_id, author=m.author, text=m.text,
                        created_at=m.created_at, agent_name=name) for m, name in rows]


def _not_closed_of(sender, owner):
    """A conversation's tickets that are not closed (open or assigned), by conversation *and*
    shopper (``owner``: ``_owner``), as ``shop.db.handoff.open_handoff_for_sender``."""
    return HandoffRequest.sender_id == sender, owner, HandoffRequest.status != "closed"


def active_ticket(session: Session, sender_id: str, customer_id: Optional[int]) -> Optional[DeskTicket]:
    """The conversation's newest ticket that is not closed."""
    sender = text_arg(sender_id, "sender_id", 255)
    found = session.execute(_ticket_query().where(*_not_closed_of(sender, _owner(customer_id)))
                            .order_by(HandoffRequest.created_at.desc(), HandoffRequest.id.desc()).limit(1)).first()
    return _desk_ticket(*found) if found else None


# Built once, with bound parameters: the hand-off gate asks for every shopper message, and
# building and keying a new statement cost twice what running it does (74 instead of 230 µs).
_ACTIVE_ID_OF_GUEST = select(HandoffRequest.id).where(*_not_closed_of(bindparam("sender"), _owner(None))).limit(1)
_ACTIVE_ID_OF_CUSTOMER = select(HandoffRequest.id).where(
    *_not_closed_of(bindparam("sender"), _owner_is(bindparam("customer_id")))).limit(1)


def has_active_ticket(connection, sender_id: str, customer_id: Optional[int]) -> bool:
    """Whether ``active_ticket`` would find one: the hand-off gate's read on every shopper
    message, one id through the (sender_id, created_at) index, no join, no ORM objects.
    ``connection``: a Connection or a Session."""
    params = {"sender": text_arg(sender_id, "sender_id", 255)}
    statement = _ACTIVE_ID_OF_GUEST
    if customer_id is not None:
        params["customer_id"] = customer_id_arg(customer_id)
        statement = _ACTIVE_ID_OF_CUSTOMER
    return connection.execute(statement, params).first() is not None


# The gate's one read, both questions in one statement (two index look-ups): an active ticket,
# and, for a conversation without one, a satisfaction question waiting for its answer.
_STATE_OF_GUEST = select(_ACTIVE_ID_OF_GUEST.scalar_subquery(), PENDING_OF_GUEST.scalar_subquery())
_STATE_OF_CUSTOMER = select(_ACTIVE_ID_OF_CUSTOMER.scalar_subquery(), PENDING_OF_CUSTOMER.scalar_subquery())


def gate_state(connection, sender_id: str, customer_id: Optional[int], now: datetime) -> tuple[bool, Optional[int]]:
    """(whether ``has_active_ticket``, the id of the satisfaction question the conversation has
    not answered yet — ``shop.db.satisfaction.pending_question``) in one plain read: the
    hand-off gate's on every shopper message."""
    params = pending_params(sender_id, customer_id, now)
    statement = _STATE_OF_CUSTOMER if "customer_id" in params else _STATE_OF_GUEST
    ticket, survey = connection.execute(statement, params).one()
    return ticket is not None, (int(survey) if survey is not None and ticket is None else None)


def shopper_view(session: Session, sender_id: str, customer_id: Optional[int], after_id: int,
                 now: datetime) -> ShopperView:
    """For the shopper's client: newest ticket of this conversation and shopper, and the
    agents' lines and notices after ``after_id`` on any of its tickets. Another shopper's
    tickets are never matched (same rule as ``active_ticket``)."""
    sender = text_arg(sender_id, "sender_id", 255)
    if isinstance(after_id, bool) or not isinstance(after_id, int) or after_id < 0:
        raise InvalidRequest(f"after must be a non-negative integer, got {after_id!r}")
    newest = session.execute(select(HandoffRequest).where(HandoffRequest.sender_id == sender, _owner(customer_id))
                             .order_by(HandoffRequest.created_at.desc(), HandoffRequest.id.desc()).limit(1)
                             ).scalar_one_or_none()
    if newest is None:
        return ShopperView(None, "none", None, 0, [])
    rows = session.execute(
        select(HandoffMessage).join(HandoffRequest, HandoffRequest.id == HandoffMessage.ticket_id)
        .where(HandoffRequest.sender_id == sender, _owner(customer_id), HandoffMessage.id > after_id,
               HandoffMessage.author != "shopper")
        .order_by(HandoffMessage.id).limit(200)).scalars().all()
    messages = [DeskMessage(id=m.id, ticket_id=m.ticket_id, author=m.author, text=m.text, created_at=m.created_at)
                for m in rows]
    position = None
    if newest.status == "open":
        position = queue_position(session, _desk_ticket(newest, None))
    return ShopperView(newest.ticket_no, newest.status, position, agents_on_duty(session, now), messages)


def last_desk_line_id(session: Session) -> int:
    """The newest desk line's id (0 when there is none): where a pusher starts."""
    return int(session.execute(select(func.coalesce(func.max(HandoffMessage.id), 0))).scalar_one())


def desk_lines_after(session: Session, after_id: int, limit: int = 500) -> List[tuple[int, str]]:
    """(id, conversation sender id) of the agents' lines and desk notices after ``after_id``,
    oldest first: which shoppers' clients have something new to fetch (not what: they fetch
    it themselves, with their own identity, through ``shopper_view``)."""
    rows = session.execute(
        select(HandoffMessage.id, HandoffRequest.sender_id)
        .join(HandoffRequest, HandoffRequest.id == HandoffMessage.ticket_id)
        .where(HandoffMessage.id > int(after_id), HandoffMessage.author != "shopper")
        .order_by(HandoffMessage.id).limit(limit)).all()
    return [(int(message_id), sender) for message_id, sender in rows]


@dataclass(frozen=True)
class CancelledTicket:
    ticket_no: str
    sender_id: str
    customer_id: Optional[int]
    cancelled_at: datetime


def cancelled_tickets(session: Session) -> List[CancelledTicket]:
    """Every ticket the shopper cancelled while waiting, oldest first, for
    ``python -m analytics backfill-cancels``. Since migration 0010 a cancel sets
    ``cancelled_at``; before it, a cancel closed the ticket without the desk's
    ``CLOSED_NOTICE`` (by its opening, ``CLOSED_NOTICE_OPENING``: the assistant's name in it
    changed once) — which ``close_ticket``, the only other way to close one, has always
    written — so such a ticket counts too, cancelled when it was closed."""
    closed_by_desk = select(HandoffMessage.id).where(
        HandoffMessage.ticket_id == HandoffRequest.id, HandoffMessage.author == "system",
        HandoffMessage.text.startswith(CLOSED_NOTICE_OPENING)).exists()
    rows = session.execute(
        select(HandoffRequest.ticket_no, HandoffRequest.sender_id, HandoffRequest.customer_id,
               HandoffRequest.cancelled_at, HandoffRequest.closed_at, HandoffRequest.updated_at)
        .where(HandoffRequest.status == "closed",
               or_(HandoffRequest.cancelled_at.is_not(None), ~closed_by_desk))).all()
    tickets = [CancelledTicket(no, sender, customer, cancelled or closed or updated)
               for no, sender, customer, cancelled, closed, updated in rows]
    return sorted(tickets, key=lambda t: (t.cancelled_at, t.ticket_no))
