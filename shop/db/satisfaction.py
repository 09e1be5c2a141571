"""Shopper satisfaction (CSAT) in the shop database: the questions put to shoppers, their
answers, and the figures the console's 满意度 page shows. The rules (what an answer says, how
long it counts, how often a conversation is asked) are ``shop.domain.satisfaction``'s.

A question is keyed by conversation *and* shopper, as hand-off tickets are: another shopper's
answer can never land on it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Dict, List, Optional

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import ConsoleUser, HandoffRequest, SatisfactionSurvey
from shop.db.validation import customer_id_arg, text_arg
from shop.domain.clock import CHINA_TZ, require_aware
from shop.domain.satisfaction import (ANSWER_WINDOW, ASK_AGAIN_AFTER, ASSISTANT, DESK, MAX_COMMENT, SATISFIED_FROM,
                                      Answer)

ASKED, RATED, SKIPPED = "asked", "rated", "skipped"


def _owner(customer_id: Optional[int]):
    if customer_id is None:
        return SatisfactionSurvey.customer_id.is_(None)
    return SatisfactionSurvey.customer_id == customer_id_arg(customer_id)


def asked_recently(session: Session, sender_id: str, customer_id: Optional[int], now: datetime) -> bool:
    """Whether this conversation was asked in the last ``ASK_AGAIN_AFTER`` (answered or not)."""
    require_aware(now)
    sender = text_arg(sender_id, "sender_id", 255)
    return session.execute(select(SatisfactionSurvey.id).where(
        SatisfactionSurvey.sender_id == sender, _owner(customer_id),
        SatisfactionSurvey.asked_at > now - ASK_AGAIN_AFTER).limit(1)).first() is not None


def ask(session: Session, sender_id: str, customer_id: Optional[int], subject: str, now: datetime,
        ticket_id: Optional[int] = None, agent_id: Optional[int] = None) -> Optional[int]:
    """Record the question (the caller puts it to the shopper); None, and nothing written, when
    the conversation was asked in the last ``ASK_AGAIN_AFTER`` — a shopper is never asked twice."""
    if subject not in (DESK, ASSISTANT):
        raise InvalidRequest(f"unknown subject {subject!r}")
    if asked_recently(session, sender_id, customer_id, now):
        return None
    row = SatisfactionSurvey(sender_id=text_arg(sender_id, "sender_id", 255), customer_id=customer_id,
                             subject=subject, ticket_id=ticket_id, agent_id=agent_id, status=ASKED, asked_at=now)
    session.add(row)
    session.flush()
    return int(row.id)


def ask_about_ticket(session: Session, ticket_id: int, agent_id: int, now: datetime) -> Optional[int]:
    """The desk just closed ``ticket_id`` that ``agent_id`` served: ask its shopper (see ``ask``)."""
    ticket = session.get(HandoffRequest, ticket_id)
    if ticket is None:
        return None
    return ask(session, ticket.sender_id, ticket.customer_id, DESK, now, ticket_id=ticket.id, agent_id=agent_id)


# Built once with bound parameters: the hand-off gate asks on every message with no ticket.
PENDING_OF_GUEST = (select(SatisfactionSurvey.id)
                     .where(SatisfactionSurvey.sender_id == bindparam("sender"),
                            SatisfactionSurvey.customer_id.is_(None), SatisfactionSurvey.status == ASKED,
                            SatisfactionSurvey.asked_at > bindparam("since"))
                     .order_by(SatisfactionSurvey.asked_at.desc()).limit(1))
PENDING_OF_CUSTOMER = (select(SatisfactionSurvey.id)
                        .where(SatisfactionSurvey.sender_id == bindparam("sender"),
                               SatisfactionSurvey.customer_id == bindparam("customer_id"),
                               SatisfactionSurvey.status == ASKED, SatisfactionSurvey.asked_at > bindparam("since"))
                        .order_by(SatisfactionSurvey.asked_at.desc()).limit(1))


def pending_params(sender_id: str, customer_id: Optional[int], now: datetime) -> dict:
    """The bound parameters of ``PENDING_OF_GUEST`` (no "customer_id" key) or
    ``PENDING_OF_CUSTOMER``: the conversation, the shopper, and the oldest question whose
    answer still counts (``ANSWER_WINDOW``)."""
    require_aware(now)
    # The bound parameter takes the column's type (UTCDateTime): aware in, naive UTC stored.
    params = {"sender": text_arg(sender_id, "sender_id", 255), "since": now - ANSWER_WINDOW}
    if customer_id is not None:
        params["customer_id"] = customer_id_arg(customer_id)
    return params


def pending_question(connection, sender_id: str, customer_id: Optional[int], now: datetime) -> Optional[int]:
    """The id of the question this conversation was asked and has not answered, while its
    answer still counts (``ANSWER_WINDOW``); None otherwise. ``connection``: a Connection or a
    Session (one indexed read, for the hand-off gate)."""
    params = pending_params(sender_id, customer_id, now)
    statement = PENDING_OF_CUSTOMER if "customer_id" in params else PENDING_OF_GUEST
    found = connection.execute(statement, params).first()
    return int(found[0]) if found else None


def answer_question(session: Session, survey_id: int, answer: Optional[Answer], now: datetime) -> bool:
    """The shopper's answer (a rating, a decline — ``Answer.skipped`` — or None: they wrote
    something else, and the question is dropped as skipped). False when it was answered
    meanwhile (one guarded UPDATE: a double click counts once)."""
    require_aware(now)
    if answer is not None and answer.score is not None and answer.score not in range(1, 6):
        raise InvalidRequest(f"score must be 1-5, got {answer.score!r}")
    rated = answer is not None and not answer.skipped
    values = {"status": RATED if rated else SKIPPED, "answered_at": now,
              "score": answer.score if rated else None,
              "comment": (answer.comment or None)[:MAX_COMMENT] if rated and answer.comment else None}
    return session.execute(update(SatisfactionSurvey).where(SatisfactionSurvey.id == int(survey_id),
                                                            SatisfactionSurvey.status == ASKED)
                           .values(**values)).rowcount == 1


@dataclass(frozen=True)
class TicketRating:
    status: str                # asked / rated / skipped
    score: Optional[int]
    comment: Optional[str]


def ticket_rating(session: Session, ticket_id: int) -> Optional[TicketRating]:
    """How the shopper rated the desk for this ticket (None: they were not asked)."""
    row = session.execute(select(SatisfactionSurvey).where(SatisfactionSurvey.ticket_id == int(ticket_id))
                          .order_by(SatisfactionSurvey.id.desc()).limit(1)).scalar_one_or_none()
    return TicketRating(row.status, row.score, row.comment) if row is not None else None


# --- the console's figures ---------------------------------------------------------------

@dataclass(frozen=True)
class Tally:
    asked: int = 0
    rated: int = 0
    skipped: int = 0
    score_sum: int = 0
    satisfied: int = 0

    def add(self, status: str, score: Optional[int]) -> "Tally":
        rated = status == RATED
        return Tally(self.asked + 1, self.rated + rated, self.skipped + (status == SKIPPED),
                     self.score_sum + (score or 0 if rated else 0),
                     self.satisfied + (rated and (score or 0) >= SATISFIED_FROM))

    @property
    def csat(self) -> Optional[float]:
        """Share of ratings of 4 or 5 (None: no rating)."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def average(self) -> Optional[float]:
        return self.score_sum / self.rated if self.rated else None

    @property
    def response_rate(self) -> Optional[float]:
        return self.rated / self.asked if self.asked else None


@dataclass(frozen=True)
class RatingComment:
    at: datetime
    subject: str
    agent_name: Optional[str]
    ticket_no: Optional[str]
    score: int
    comment: str


@dataclass(frozen=True)
class SatisfactionReport:
    by_subject: Dict[str, Tally]                 # desk / assistant
    by_agent: List[tuple[int, str, Tally]]       # (account id, name, tally), by name
    by_day: List[tuple[str, Dict[str, Tally]]]   # shop day -> subject -> tally, oldest first
    comments: List[RatingComment]                # newest first


def satisfaction_report(session: Session, start: datetime, end: datetime, agent_id: Optional[int] = None,
                        comments: int = 50, zone: tzinfo = CHINA_TZ) -> SatisfactionReport:
    """Questions asked in [start, end): per subject (the assistant vs the desk), per agent, per
    shop day (``zone``), and the latest ``comments`` ratings with words. ``agent_id``: only that
    account's desk figures and comments (an agent's own view); the assistant's figures are
    everyone's."""
    require_aware(start)
    require_aware(end)
    rows = session.execute(
        select(SatisfactionSurvey.subject, SatisfactionSurvey.agent_id, ConsoleUser.display_name,
               SatisfactionSurvey.status, SatisfactionSurvey.score, SatisfactionSurvey.asked_at,
               SatisfactionSurvey.comment, SatisfactionSurvey.answered_at, HandoffRequest.ticket_no)
        .outerjoin(ConsoleUser, ConsoleUser.id == SatisfactionSurvey.agent_id)
        .outerjoin(HandoffRequest, HandoffRequest.id == SatisfactionSurvey.ticket_id)
        .where(SatisfactionSurvey.asked_at >= start, SatisfactionSurvey.asked_at < end)
        .order_by(SatisfactionSurvey.asked_at)).all()
    subjects: Dict[str, Tally] = {DESK: Tally(), ASSISTANT: Tally()}
    agents: Dict[int, tuple[str, Tally]] = {}
    days: Dict[str, Dict[str, Tally]] = defaultdict(lambda: {DESK: Tally(), ASSISTANT: Tally()})
    said: List[RatingComment] = []
    for subject, agent, name, status, score, asked_at, comment, answered_at, ticket_no in rows:
        if agent_id is not None and subject == DESK and agent != agent_id:
            continue
        subjects[subject] = subjects.get(subject, Tally()).add(status, score)
        day = asked_at.astimezone(zone).date().isoformat()
        days[day][subject] = days[day].get(subject, Tally()).add(status, score)
        if subject == DESK and agent is not None:
            agents[agent] = (name or f"#{agent}", agents.get(agent, (name, Tally()))[1].add(status, score))
        if status == RATED and comment:
            said.append(RatingComment(answered_at or asked_at, subject, name, ticket_no, int(score), comment))
    said.sort(key=lambda c: c.at, reverse=True)
    return SatisfactionReport(
        by_subject=subjects,
        by_agent=sorted(((i, n, t) for i, (n, t) in agents.items()), key=lambda r: (r[1], r[0])),
        by_day=sorted(days.items()),
        comments=said[:comments])


@dataclass(frozen=True)
class SatisfactionFact:
    """A question as the analytics database keeps it for Metabase: who was rated and how —
    nothing of the shopper (no conversation, customer or comment)."""
    survey_id: int
    asked_at: datetime
    answered_at: Optional[datetime]
    subject: str
    agent: Optional[str]
    status: str
    score: Optional[int]

    @property
    def changed_at(self) -> datetime:
        return self.answered_at or self.asked_at


def satisfaction_facts(session: Session, changed_since: Optional[datetime]) -> List[SatisfactionFact]:
    """Questions asked or answered since ``changed_since`` (every one when None)."""
    query = (select(SatisfactionSurvey, ConsoleUser.display_name)
             .outerjoin(ConsoleUser, ConsoleUser.id == SatisfactionSurvey.agent_id)
             .order_by(SatisfactionSurvey.id))
    if changed_since is not None:
        since = require_aware(changed_since)
        query = query.where(or_(SatisfactionSurvey.asked_at >= since, SatisfactionSurvey.answered_at >= since))
    return [SatisfactionFact(r.id, r.asked_at, r.answered_at, r.subject, name, r.status,
                             int(r.score) if r.score is not None else None)
            for r, name in session.execute(query).all()]
