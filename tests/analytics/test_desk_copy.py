"""The human desk in the analytics database (analytics.desk): tickets and transfers copied
from the shop database with waits, outcomes, who closed and who reassigned — and nothing of
the shopper; incremental (a ticket changed later is replaced, a transfer never copied
twice) and idempotent, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from analytics import store
from analytics.desk import sync_desk
from shop.db.console_accounts import create_account, start_session
from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import cancel_waiting_ticket, claim_ticket, close_ticket, reassign_ticket, transfer_ticket
from shop.domain.clock import utc_now
from tests.support.analytics import analytics_database

FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def analytics(request, tmp_path):
    with analytics_database(request.param, tmp_path, "analytics_desk") as engine:
        yield engine


def test_the_desk_is_copied_without_the_shopper_and_kept_current(analytics, shop):
    now = utc_now()
    with session_scope(shop) as s:
        wang = create_account(s, "a1", "小王", "agent", FAKE_HASH, now).id
        li = create_account(s, "a2", "小李", "agent", FAKE_HASH, now).id
        boss = create_account(s, "boss", "店长", "admin", FAKE_HASH, now).id
        for account, token in ((wang, "a"), (li, "b"), (boss, "d")):
            start_session(s, account, token * 43, "c" * 43, now, timedelta(hours=8))
        first = create_handoff_request(s, "secret-sender", None, "诉求：退款 手机13800000000", now)
        second = create_handoff_request(s, "other-sender", None, "诉求：物流", now)
    with session_scope(shop) as s:
        assert claim_ticket(s, first.id, wang, "小王", now + timedelta(seconds=45))
        assert transfer_ticket(s, first.id, wang, li, "顾客手机13800000000", now + timedelta(seconds=50)).transfer
    factory = lambda: session_scope(shop)  # noqa: E731
    assert sync_desk(analytics, factory) == (2, 1)
    with analytics.connect() as c:
        rows = {r.ticket_id: r for r in c.execute(select(store.DESK_TICKETS))}
        moves = c.execute(select(store.DESK_TRANSFERS)).all()
    assert (rows[first.id].status, rows[first.id].wait_s, rows[first.id].transfers) == ("assigned", 45.0, 1)
    assert rows[second.id].first_assigned_at is None and rows[second.id].wait_s is None
    assert [(m.from_agent, m.to_agent, m.reassigned_by) for m in moves] == [("小王", "小李", None)]
    # Nothing of the shopper: no conversation, customer, summary or note columns.
    columns = {
        col["name"]
        for t in ("analytics_desk_tickets", "analytics_desk_transfers")
        for col in inspect(analytics).get_columns(t)
    }
    assert not columns & {"sender_id", "customer_id", "summary", "note", "text"}

    # Later: reassigned by the admin, closed; the other cancelled. Copied again, nothing doubled.
    with session_scope(shop) as s:
        assert reassign_ticket(s, first.id, boss, li, boss, "我来", utc_now()).transfer
        assert close_ticket(s, first.id, boss, utc_now(), resolution="resolved")
        assert cancel_waiting_ticket(s, second.id, utc_now())
    assert sync_desk(analytics, factory)[1] == 1
    sync_desk(analytics, factory)
    with analytics.connect() as c:
        rows = {r.ticket_id: r for r in c.execute(select(store.DESK_TICKETS))}
        moves = c.execute(select(store.DESK_TRANSFERS).order_by(store.DESK_TRANSFERS.c.transfer_id)).all()
    assert len(rows) == 2 and len(moves) == 2
    assert (rows[first.id].status, rows[first.id].resolution, rows[first.id].closed_by) == (
        "closed",
        "resolved",
        "店长",
    )
    assert (rows[first.id].transfers, rows[first.id].reassignments, rows[first.id].wait_s) == (2, 1, 45.0)
    assert rows[second.id].cancelled is True and rows[second.id].closed_by is None
    assert (moves[1].from_agent, moves[1].to_agent, moves[1].reassigned_by) == ("小李", "店长", "店长")


def test_claims_are_copied_once_with_who_and_how_long_they_queued(analytics, shop):
    """analytics_desk_claims: each claim from the queue (who, when, its queue wait), read on by
    id — a later claim (after a transfer back to the queue) is added, none copied twice."""
    from analytics.desk import sync_claims

    now = utc_now()
    with session_scope(shop) as s:
        wang = create_account(s, "a1", "小王", "agent", FAKE_HASH, now).id
        li = create_account(s, "a2", "小李", "agent", FAKE_HASH, now).id
        ticket = create_handoff_request(s, "secret-sender", None, "诉求：退款", now)
        assert claim_ticket(s, ticket.id, wang, "小王", now + timedelta(seconds=45))
    factory = lambda: session_scope(shop)  # noqa: E731
    assert sync_desk(analytics, factory) == (1, 0)
    with session_scope(shop) as s:
        assert transfer_ticket(s, ticket.id, wang, None, "退回", now + timedelta(seconds=60)).transfer
        assert claim_ticket(s, ticket.id, li, "小李", now + timedelta(seconds=180))
    assert sync_claims(analytics, factory) == 1
    assert sync_claims(analytics, factory) == 0
    sync_desk(analytics, factory)
    with analytics.connect() as c:
        claims = c.execute(select(store.DESK_CLAIMS).order_by(store.DESK_CLAIMS.c.claim_id)).all()
    assert [(r.ticket_id, r.agent, r.wait_s) for r in claims] == [(ticket.id, "小王", 45.0), (ticket.id, "小李", 120.0)]
    assert {col["name"] for col in inspect(analytics).get_columns("analytics_desk_claims")} == {
        "claim_id", "ticket_id", "at", "day", "agent", "wait_s"}
