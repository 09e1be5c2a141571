"""Shopper satisfaction in the analytics database (analytics.desk.sync_satisfaction): ratings
copied from the shop database with who was rated and the score — not the comment nor the
shopper; a question answered after a first copy is replaced, a second copy writes nothing new.
On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from analytics import store
from analytics.desk import sync_desk, sync_satisfaction
from shop.db.console_accounts import create_account
from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import claim_ticket, close_ticket
from shop.db.satisfaction import answer_question, ask, pending_question
from shop.domain.clock import utc_now
from shop.domain.satisfaction import ASSISTANT, read_answer
from tests.support.analytics import analytics_database

FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def analytics(request, tmp_path):
    with analytics_database(request.param, tmp_path, "analytics_csat") as engine:
        yield engine


def test_ratings_are_copied_without_the_shopper_and_kept_current(analytics, shop):
    now = utc_now()
    with session_scope(shop) as s:
        wang = create_account(s, "a1", "小王", "agent", FAKE_HASH, now)
        ticket = create_handoff_request(s, "secret-sender", None, "诉求：退款", now - timedelta(minutes=3))
        claim_ticket(s, ticket.id, wang.id, "小王", now)
        close_ticket(s, ticket.id, wang.id, now, resolution="resolved")
        bot = ask(s, "other-sender", None, ASSISTANT, now)
    factory = lambda: session_scope(shop)  # noqa: E731
    assert sync_satisfaction(analytics, factory) == 2
    with session_scope(shop) as s:
        answer_question(s, pending_question(s, "secret-sender", None, now), read_answer("差评 手机13800000000"),
                        now + timedelta(minutes=1))
        answer_question(s, bot, read_answer("不评价"), now + timedelta(minutes=1))
    sync_desk(analytics, factory)                    # the dashboard's sync copies them too
    with analytics.connect() as c:
        rows = sorted(c.execute(select(store.SATISFACTION)).all(), key=lambda r: r.survey_id)
    assert [(r.subject, r.agent, r.status, r.score) for r in rows] == [("desk", "小王", "rated", 1),
                                                                       (ASSISTANT, None, "skipped", None)]
    columns = {c["name"] for c in inspect(analytics).get_columns("analytics_satisfaction")}
    assert not columns & {"sender_id", "customer_id", "comment", "ticket_id"}
    with analytics.connect() as c:
        assert "13800000000" not in repr(c.execute(select(store.SATISFACTION)).all())
    assert sync_satisfaction(analytics, factory) == 2     # the overlap re-reads; rows replaced, not doubled
    with analytics.connect() as c:
        assert len(c.execute(select(store.SATISFACTION)).all()) == 2
