"""Satisfaction questions in the shop database, on SQLite and PostgreSQL: the desk asks once
after a close that served the shopper, never twice in a day, an answer counts once and only
within its window, another shopper's conversation never matches, and the console's figures
(the assistant against the desk, per agent, per day, the comments)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.db.engine import session_scope
from shop.db.errors import InvalidRequest
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import claim_ticket, close_ticket, gate_state, shopper_view
from shop.db.models import SatisfactionSurvey
from shop.db.satisfaction import answer_question, ask, pending_question, satisfaction_report
from shop.domain.clock import utc_now
from shop.domain.satisfaction import ANSWER_WINDOW, ASSISTANT, DESK, DESK_QUESTION, read_answer
from tests.shop.db.test_handoff_desk import _agents


def _closed(session, sender, customer, agent, now, resolution="resolved"):
    ticket = create_handoff_request(session, sender, customer, "诉求：售后", now)
    assert claim_ticket(session, ticket.id, agent.id, agent.display_name, now)
    assert close_ticket(session, ticket.id, agent.id, now, resolution=resolution)
    return ticket


def test_the_desk_asks_once_after_a_close_that_served_the_shopper(writable_engine):
    now = utc_now()
    with session_scope(writable_engine) as s:
        a, b = _agents(s, now)
        _closed(s, "csat-1", 1, a, now)
        view = shopper_view(s, "csat-1", 1, 0, now)
        assert [m.text for m in view.messages][-1] == DESK_QUESTION
        assert gate_state(s, "csat-1", 1, now)[1] is not None
        # A second hand-off closed the same day: not asked again.
        _closed(s, "csat-1", 1, b, now + timedelta(minutes=5))
        assert [m.text for m in shopper_view(s, "csat-1", 1, 0, now).messages].count(DESK_QUESTION) == 1
        # No reply from the shopper / an invalid session: not asked; an admin closing a ticket
        # nobody took: nobody served, not asked.
        _closed(s, "csat-2", None, a, now, resolution="no_reply")
        _closed(s, "csat-3", None, a, now, resolution="invalid")
        unclaimed = create_handoff_request(s, "csat-4", None, "诉求：售后", now)
        assert close_ticket(s, unclaimed.id, b.id, now, is_admin=True, resolution="resolved")
        rows = s.execute(select(SatisfactionSurvey.sender_id, SatisfactionSurvey.subject,
                                SatisfactionSurvey.agent_id)).all()
        assert rows == [("csat-1", DESK, a.id)]


def test_an_answer_counts_once_within_its_window_for_that_shopper_only(writable_engine):
    now = utc_now()
    with session_scope(writable_engine) as s:
        a, _ = _agents(s, now)
        _closed(s, "csat-w", 2, a, now)
    with writable_engine.connect() as c:
        survey = pending_question(c, "csat-w", 2, now)
        assert survey is not None
        # Another shopper on the same client id, a guest, after the window: nothing pending.
        assert pending_question(c, "csat-w", 3, now) is None
        assert pending_question(c, "csat-w", None, now) is None
        assert pending_question(c, "csat-w", 2, now + ANSWER_WINDOW + timedelta(seconds=1)) is None
        assert gate_state(c, "csat-w", 3, now) == (False, None)
    with session_scope(writable_engine) as s:
        assert answer_question(s, survey, read_answer("差评，等太久了"), now)
        assert not answer_question(s, survey, read_answer("满意"), now)   # a second answer: ignored
    with writable_engine.connect() as c:
        assert pending_question(c, "csat-w", 2, now) is None
    with session_scope(writable_engine) as s:
        row = s.get(SatisfactionSurvey, survey)
        assert (row.status, row.score, row.comment) == ("rated", 1, "差评，等太久了")
        with pytest.raises(InvalidRequest):
            ask(s, "csat-x", None, "robot", now)


def test_something_else_drops_the_question(writable_engine):
    now = utc_now()
    with session_scope(writable_engine) as s:
        survey = ask(s, "csat-o", None, ASSISTANT, now)
        assert ask(s, "csat-o", None, ASSISTANT, now + timedelta(hours=1)) is None   # once a day
    with session_scope(writable_engine) as s:
        assert answer_question(s, survey, None, now)
        assert s.get(SatisfactionSurvey, survey).status == "skipped"
        assert ask(s, "csat-o", None, ASSISTANT, now + timedelta(hours=25)) is not None


def test_the_report_sets_the_assistant_against_the_desk_per_agent_and_day(writable_engine):
    now = utc_now()
    with session_scope(writable_engine) as s:
        a, b = _agents(s, now)
        answers = [("r-1", a, "满意"), ("r-2", a, "不满意 回复太慢"), ("r-3", b, "4星"), ("r-4", b, None)]
        for sender, agent, text in answers:
            _closed(s, sender, None, agent, now)
            survey = pending_question(s, sender, None, now)
            answer_question(s, survey, read_answer(text) if text else None, now)
        for sender, text in [("r-5", "满意"), ("r-6", "一般"), ("r-7", "不评价")]:
            answer_question(s, ask(s, sender, None, ASSISTANT, now), read_answer(text), now)
    with session_scope(writable_engine) as s:
        report = satisfaction_report(s, now - timedelta(days=1), now + timedelta(days=1))
        desk, bot = report.by_subject[DESK], report.by_subject[ASSISTANT]
        assert (desk.asked, desk.rated, desk.skipped, desk.satisfied) == (4, 3, 1, 2)
        assert (bot.asked, bot.rated, bot.skipped, bot.satisfied) == (3, 2, 1, 1)
        assert desk.csat == pytest.approx(2 / 3) and bot.average == pytest.approx(4.0)
        assert [(name, t.rated, t.csat) for _, name, t in report.by_agent] == [("小李", 1, 1.0), ("小王", 2, 0.5)]
        assert sum(d[DESK].rated + d[ASSISTANT].rated for _, d in report.by_day) == 5
        assert [(c.score, c.comment, c.agent_name) for c in report.comments] == [(2, "不满意 回复太慢", "小王")]
        # An agent's own view: their desk figures and comments only; the assistant's stay.
        own = satisfaction_report(s, now - timedelta(days=1), now + timedelta(days=1), agent_id=b.id)
        assert own.by_subject[DESK].rated == 1 and own.by_subject[ASSISTANT].rated == 2
        assert [name for _, name, _ in own.by_agent] == ["小李"] and own.comments == []
        assert satisfaction_report(s, now + timedelta(days=1), now + timedelta(days=2)).by_subject[DESK].asked == 0
