"""The agents' side of hand-off tickets, on SQLite and PostgreSQL: queue positions, one claim
wins, replies only by the holder, what a shopper's client sees (never another shopper's),
closing; console accounts and sessions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.db.console_accounts import create_account, session_for_token, start_session
from shop.db.engine import session_scope
from shop.db.errors import InvalidRequest
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import (active_ticket, add_agent_message, add_shopper_message, claim_ticket, close_ticket,
                                  has_active_ticket, queue_position, shopper_view, ticket_messages, waiting_tickets)
from shop.db.models import ConsoleSession, HandoffRequest
from shop.domain.clock import utc_now
from shop.domain.handoff_queue import estimated_wait_minutes

FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


def _agents(session, now):
    a = create_account(session, "a1", "小王", "agent", FAKE_HASH, now)
    b = create_account(session, "a2", "小李", "agent", FAKE_HASH, now)
    return a, b


def test_queue_claim_reply_close(writable_engine):
    now = utc_now()
    with session_scope(writable_engine) as s:
        a, b = _agents(s, now)
        first = create_handoff_request(s, "guest-1", None, "诉求：订单查询", now)
        second = create_handoff_request(s, "cust-1", 1, "诉求：售后", now + timedelta(seconds=1))
    with session_scope(writable_engine) as s:
        assert [t.ticket_no for t in waiting_tickets(s)] == [first.ticket_no, second.ticket_no]
        t2 = active_ticket(s, "cust-1", 1)
        assert queue_position(s, t2) == 2
        add_shopper_message(s, t2.id, "人呢？", now)
        view = shopper_view(s, "cust-1", 1, 0, now)
        assert view.status == "open" and view.position == 2 and view.messages == []   # own lines not echoed
        # Another shopper (or a guest) with the same sender id sees nothing of it.
        assert shopper_view(s, "cust-1", 2, 0, now).status == "none"
        assert shopper_view(s, "cust-1", None, 0, now).status == "none"
        assert active_ticket(s, "cust-1", None) is None
    with session_scope(writable_engine) as s:
        assert claim_ticket(s, first.id, a.id, "小王", now)
        assert not claim_ticket(s, first.id, b.id, "小李", now)          # one claim wins
        assert add_agent_message(s, first.id, b.id, "我来", now) is None   # not the holder
        sent = add_agent_message(s, first.id, a.id, "您好，我是小王", now)
        with pytest.raises(InvalidRequest):
            add_agent_message(s, first.id, a.id, "   ", now)
    with session_scope(writable_engine) as s:
        view = shopper_view(s, "guest-1", None, 0, now)
        assert view.status == "assigned"
        assert [(m.author, m.text) for m in view.messages] == [("system", "客服小王已接入，正在为您服务。"),
                                                              ("agent", "您好，我是小王")]
        assert shopper_view(s, "guest-1", None, sent.id, now).messages == []       # cursor
        assert queue_position(s, active_ticket(s, "cust-1", 1)) == 1
        assert not close_ticket(s, first.id, b.id, now)                            # not the holder
        assert close_ticket(s, first.id, a.id, now)
        assert active_ticket(s, "guest-1", None) is None
        view = shopper_view(s, "guest-1", None, sent.id, now)
        assert view.status == "closed" and "小柚" in view.messages[0].text
        assert [m.author for m in ticket_messages(s, first.id)] == ["system", "agent", "system"]
        assert close_ticket(s, second.id, b.id, now, is_admin=True)               # an admin may


def test_sessions_expire_and_store_no_token(writable_engine):
    now = utc_now()
    with session_scope(writable_engine) as s:
        a, _ = _agents(s, now)
        start_session(s, a.id, "t" * 43, "c" * 43, now, timedelta(hours=8))
    with session_scope(writable_engine) as s:
        assert s.execute(select(ConsoleSession.token_hash)).scalar_one() != "t" * 43
        assert session_for_token(s, "t" * 43, now, timedelta(minutes=30)).account.username == "a1"
        assert session_for_token(s, "x" * 43, now, timedelta(minutes=30)) is None
        assert session_for_token(s, "t" * 43, now + timedelta(minutes=31), timedelta(minutes=30)) is None
    with session_scope(writable_engine) as s:   # the expired session is gone for good
        assert session_for_token(s, "t" * 43, now, timedelta(minutes=30)) is None


def test_a_console_request_is_not_refused_because_another_process_wrote_meanwhile(tmp_path):
    """SQLite in WAL mode: a transaction that reads and then writes fails at once if another
    process committed in between (the busy timeout does not apply). Every console request
    checks its session and marks it seen; with the action server and the site writing to the
    same file, the check must not turn into "database is locked" (a 503 page the desk never
    refreshes from). Here another process commits right after the check's first statement."""
    import sqlite3

    from sqlalchemy import event

    from shop.db.engine import make_engine
    from shop.db.migrate import upgrade_to_head

    path = tmp_path / "desk.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    now = utc_now()
    with session_scope(engine) as s:
        a, b = _agents(s, now)
        start_session(s, a.id, "t" * 43, "c" * 43, now, timedelta(hours=8))
    other_writes = []

    def another_process_commits(conn, cursor, statement, *args):
        if other_writes or not statement.lstrip().upper().startswith("SELECT"):
            return
        other = sqlite3.connect(path, timeout=0.2)
        try:
            other.execute("UPDATE console_users SET display_name = '小李2' WHERE id = ?", (b.id,))
            other.commit()
            other_writes.append("committed")
        except sqlite3.OperationalError:      # the check already holds the write lock: it waits its turn
            other_writes.append("waited")
        finally:
            other.close()

    event.listen(engine, "after_cursor_execute", another_process_commits)
    try:
        with session_scope(engine) as s:
            who = session_for_token(s, "t" * 43, now + timedelta(minutes=1), timedelta(minutes=30))
        assert who is not None and who.account.username == "a1"
        assert other_writes
    finally:
        event.remove(engine, "after_cursor_execute", another_process_commits)
        engine.dispose()


def test_only_activity_restarts_a_sessions_idle_clock(writable_engine):
    """Seen (a heartbeat) keeps the agent on duty, not the session alive: 20 minutes of
    heartbeats after the last input, then 11 more, and it is over; input restarts the clock."""
    now = utc_now()
    idle = timedelta(minutes=30)
    with session_scope(writable_engine) as s:
        a, _ = _agents(s, now)
        start_session(s, a.id, "t" * 43, "c" * 43, now, timedelta(hours=8))
        start_session(s, a.id, "u" * 43, "d" * 43, now, timedelta(hours=8))
    with session_scope(writable_engine) as s:
        assert session_for_token(s, "t" * 43, now + timedelta(minutes=20), idle, activity=False) is not None
        seen, active = s.execute(select(ConsoleSession.last_seen_at, ConsoleSession.last_active_at)
                                 .where(ConsoleSession.csrf_token == "c" * 43)).one()
        assert seen == now + timedelta(minutes=20) and active == now
        assert session_for_token(s, "u" * 43, now + timedelta(minutes=20), idle, activity=True) is not None
    with session_scope(writable_engine) as s:
        assert session_for_token(s, "t" * 43, now + timedelta(minutes=31), idle, activity=False) is None
        assert session_for_token(s, "u" * 43, now + timedelta(minutes=31), idle, activity=False) is not None


def test_a_close_names_a_known_resolution_or_changes_nothing(writable_engine):
    now = utc_now()
    with session_scope(writable_engine) as s:
        a, _ = _agents(s, now)
        ticket = create_handoff_request(s, "guest-resolution", None, "诉求：售后", now)
        assert claim_ticket(s, ticket.id, a.id, "小王", now)
    with pytest.raises(InvalidRequest):
        with session_scope(writable_engine) as s:
            close_ticket(s, ticket.id, a.id, now, resolution="whatever")
    with session_scope(writable_engine) as s:
        assert active_ticket(s, "guest-resolution", None).status == "assigned"
        assert close_ticket(s, ticket.id, a.id, now, resolution="no_reply")
        assert s.execute(select(HandoffRequest.resolution).where(HandoffRequest.id == ticket.id)).scalar_one() \
            == "no_reply"


def test_accounts_refuse_clear_passwords_and_bad_roles(writable_engine):
    with session_scope(writable_engine) as s:
        with pytest.raises(InvalidRequest):
            create_account(s, "x", "x", "agent", "plain-password", utc_now())
        with pytest.raises(InvalidRequest):
            create_account(s, "x", "x", "root", FAKE_HASH, utc_now())


def test_rough_wait():
    assert estimated_wait_minutes(1, 1) == 4
    assert estimated_wait_minutes(1, 0) is None          # nobody on duty: no estimate to give
    assert estimated_wait_minutes(3, 2) == 6
    with pytest.raises(ValueError):
        estimated_wait_minutes(0, 1)


def test_desk_lines_after_names_the_conversations_with_new_agent_lines(writable_engine):
    from shop.db.handoff_desk import desk_lines_after, last_desk_line_id

    now = utc_now()
    with session_scope(writable_engine) as s:
        start = last_desk_line_id(s)
        a, _ = _agents(s, now)
        ticket = create_handoff_request(s, "push-guest", None, "诉求：订单查询", now)
        add_shopper_message(s, ticket.id, "人呢？", now)
    with session_scope(writable_engine) as s:
        assert desk_lines_after(s, start) == []                    # a shopper's own line announces nothing
        claim_ticket(s, ticket.id, a.id, "小王", now)
        sent = add_agent_message(s, ticket.id, a.id, "您好", now)
    with session_scope(writable_engine) as s:
        lines = desk_lines_after(s, start)
        assert [sender for _, sender in lines] == ["push-guest", "push-guest"]   # joined notice, reply
        assert lines[-1][0] == sent.id == last_desk_line_id(s)
        assert desk_lines_after(s, sent.id) == []


def test_the_gates_cheap_read_finds_what_active_ticket_finds(writable_engine):
    """``has_active_ticket`` (the hand-off gate's read on every message, a prebuilt statement
    on a plain connection) answers as ``active_ticket`` does: by conversation and shopper,
    open or assigned, never closed, never another shopper's."""
    now = utc_now()
    with session_scope(writable_engine) as s:
        a, _ = _agents(s, now)
        waiting = create_handoff_request(s, "gate-guest", None, "诉求：订单查询", now)
        held = create_handoff_request(s, "gate-cust", 1, "诉求：售后", now)
        done = create_handoff_request(s, "gate-done", 2, "诉求：发票", now)
        claim_ticket(s, held.id, a.id, "小王", now)
        claim_ticket(s, done.id, a.id, "小王", now)
        close_ticket(s, done.id, a.id, now)
    asked = [("gate-guest", None), ("gate-guest", 1), ("gate-cust", 1), ("gate-cust", 2), ("gate-cust", None),
             ("gate-done", 2), ("nobody", None), ("nobody", 1)]
    with session_scope(writable_engine) as s, writable_engine.connect() as connection:
        expected = [active_ticket(s, sender, customer) is not None for sender, customer in asked]
        assert expected == [True, False, True, False, False, False, False, False]
        assert [has_active_ticket(connection, sender, customer) for sender, customer in asked] == expected
        assert [has_active_ticket(s, sender, customer) for sender, customer in asked] == expected
        for bad in ("x" * 256, ""):
            with pytest.raises(InvalidRequest):
                has_active_ticket(connection, bad, None)
        with pytest.raises(InvalidRequest):
            has_active_ticket(connection, "gate-cust", -1)
    assert waiting.ticket_no


def test_on_duty_means_a_recently_used_session_of_an_enabled_account(writable_engine):
    from shop.db.console_accounts import set_active
    from shop.db.handoff_desk import agents_on_duty

    now = utc_now()
    with session_scope(writable_engine) as s:
        start = agents_on_duty(s, now)
        a, b = _agents(s, now)
        start_session(s, a.id, "a" * 43, "c" * 43, now, timedelta(hours=8))
        start_session(s, b.id, "b" * 43, "c" * 43, now - timedelta(hours=1), timedelta(hours=8))
        s.execute(ConsoleSession.__table__.update().where(ConsoleSession.user_id == b.id)
                  .values(last_seen_at=now - timedelta(minutes=20)))        # laptop closed 20 minutes ago
    with session_scope(writable_engine) as s:
        assert agents_on_duty(s, now) == start + 1
        set_active(s, a.id, False)
        assert agents_on_duty(s, now) == start


def test_an_agent_leaving_hands_their_conversations_back(writable_engine):
    from shop.db.console_accounts import end_session
    from shop.db.handoff_desk import hand_back_if_gone

    now = utc_now()
    with session_scope(writable_engine) as s:
        a, b = _agents(s, now)
        start_session(s, a.id, "a" * 43, "c" * 43, now, timedelta(hours=8))
        start_session(s, a.id, "d" * 43, "c" * 43, now, timedelta(hours=8))     # a second browser
        held = create_handoff_request(s, "leave-1", None, "诉求：售后", now)
        closed = create_handoff_request(s, "leave-2", None, "诉求：发票", now)
        other = create_handoff_request(s, "leave-3", None, "诉求：订单查询", now)
        for ticket in (held, closed):
            claim_ticket(s, ticket.id, a.id, "小王", now)
        claim_ticket(s, other.id, b.id, "小李", now)
        close_ticket(s, closed.id, a.id, now)
    with session_scope(writable_engine) as s:
        end_session(s, "a" * 43)
        assert hand_back_if_gone(s, a.id, now) == []                         # still at the desk elsewhere
        end_session(s, "d" * 43)
        assert hand_back_if_gone(s, a.id, now) == [held.ticket_no]
    with session_scope(writable_engine) as s:
        back = active_ticket(s, "leave-1", None)
        assert back.status == "open" and back.assigned_to is None
        assert back.ticket_no in [t.ticket_no for t in waiting_tickets(s)]
        view = shopper_view(s, "leave-1", None, 0, now)
        assert view.position >= 1 and "小王暂时离开" in view.messages[-1].text
        assert active_ticket(s, "leave-2", None) is None                     # closed stays closed
        assert active_ticket(s, "leave-3", None).assigned_to == b.id          # another agent's: untouched
        assert claim_ticket(s, back.id, b.id, "小李", now)                      # the next agent takes it


def test_transfer_to_a_colleague_on_duty_or_back_to_the_queue(writable_engine):
    """The holder passes a conversation on with a note: to a colleague on duty (who holds it at
    once), or back to the queue; the shopper hears who serves them now and never the note or
    the passer's name; each transfer is kept for the next agent and the dashboard. A note is
    required, a colleague off duty (or oneself) is refused, and only the holder may transfer —
    refusals change nothing."""
    from shop.db.analytics import desk_transfers
    from shop.db.console_accounts import set_active
    from shop.db.handoff_desk import (TRANSFERRED_TO_QUEUE_NOTICE, desk_ticket, latest_transfers, ticket_transfers,
                                      tickets_of_agent, transfer_targets, transfer_ticket)

    now = utc_now()
    with session_scope(writable_engine) as s:
        a, b = _agents(s, now)
        off = create_account(s, "a3", "小赵", "agent", FAKE_HASH, now)      # never signed in: not on duty
        for account, token in ((a, "a"), (b, "b")):
            start_session(s, account.id, token * 43, "c" * 43, now, timedelta(hours=8))
        ticket = create_handoff_request(s, "transfer-1", None, "诉求：售后", now)
        assert claim_ticket(s, ticket.id, a.id, "小王", now)
    with session_scope(writable_engine) as s:
        assert transfer_targets(s, a.id, now) == [(b.id, "小李")]
        for note in ("", "   ", None, "x" * 501):
            with pytest.raises(InvalidRequest):
                transfer_ticket(s, ticket.id, a.id, b.id, note, now)
        assert transfer_ticket(s, ticket.id, a.id, off.id, "退款的事", now).problem == "target_gone"
        assert transfer_ticket(s, ticket.id, a.id, a.id, "退款的事", now).problem == "target_gone"
        assert transfer_ticket(s, ticket.id, b.id, a.id, "不是我的", now).problem == "not_yours"
        assert desk_ticket(s, ticket.id).assigned_to == a.id and ticket_transfers(s, ticket.id) == []
        done = transfer_ticket(s, ticket.id, a.id, b.id, "顾客要退款，订单号已核对", now + timedelta(seconds=1))
        assert done.problem is None and (done.transfer.from_name, done.transfer.to_name) == ("小王", "小李")
    with session_scope(writable_engine) as s:
        held = desk_ticket(s, ticket.id)
        assert (held.status, held.assigned_to) == ("assigned", b.id)
        assert [t.id for t in tickets_of_agent(s, b.id)] == [ticket.id] and tickets_of_agent(s, a.id) == []
        assert add_agent_message(s, ticket.id, a.id, "还在吗", now) is None          # no longer the holder's
        assert add_agent_message(s, ticket.id, b.id, "您好，我接着为您处理", now) is not None
        seen = [m.text for m in shopper_view(s, "transfer-1", None, 0, now).messages]
        assert seen[-2] == "已为您转接客服小李，接下来由TA为您服务（之前的对话都在）。"
        assert not any("退款的事" in m or "订单号已核对" in m or "小王" in m for m in seen[1:])
        assert latest_transfers(s, [ticket.id])[ticket.id].note == "顾客要退款，订单号已核对"
        # 小李 passes it back to the queue; 小王 has gone off duty meanwhile (disabled).
        set_active(s, a.id, False)
        assert transfer_targets(s, b.id, now) == []
        back = transfer_ticket(s, ticket.id, b.id, None, "需要仓库确认，请下一位跟进", now + timedelta(seconds=2))
        assert back.transfer.to_agent_id is None
    with session_scope(writable_engine) as s:
        queued = desk_ticket(s, ticket.id)
        assert (queued.status, queued.assigned_to) == ("open", None)
        assert [t.ticket_no for t in waiting_tickets(s)] == [ticket.ticket_no]
        view = shopper_view(s, "transfer-1", None, 0, now)
        assert view.status == "open" and view.position == 1
        assert view.messages[-1].text == TRANSFERRED_TO_QUEUE_NOTICE
        assert [(t.from_name, t.to_name, t.note) for t in ticket_transfers(s, ticket.id)] == [
            ("小王", "小李", "顾客要退款，订单号已核对"), ("小李", None, "需要仓库确认，请下一位跟进")]
        assert transfer_ticket(s, ticket.id, b.id, None, "再转", now).problem == "not_yours"   # not held now
        assert claim_ticket(s, ticket.id, b.id, "小李", now) and close_ticket(s, ticket.id, b.id, now, resolution="resolved")
        untouched = create_handoff_request(s, "transfer-2", None, "诉求：物流", now)
        assert claim_ticket(s, untouched.id, b.id, "小李", now) and close_ticket(s, untouched.id, b.id, now)
    with session_scope(writable_engine) as s:
        figures = desk_transfers(s, now - timedelta(hours=1), now + timedelta(hours=1))
        assert (figures.transfers, figures.to_agent, figures.to_queue) == (2, 1, 1)
        assert (figures.closed, figures.closed_transfers, figures.by_count) == (2, 2, {0: 1, 2: 1})
        assert desk_transfers(s, now + timedelta(hours=1), now + timedelta(hours=2)).transfers == 0


def test_an_admin_reassigns_a_held_conversation_and_it_fails_closed(writable_engine):
    """改派: an admin moves a conversation a colleague holds to another colleague on duty, takes
    it over, or sends it back to the queue, with a note. The shopper hears only who serves them
    now and their conversation is untouched; each reassignment is kept with the admin's id.
    An account that is not an enabled admin (an agent, a disabled admin), a stale holder, the
    holder as target, a colleague off duty or no note: refused, nothing changes."""
    from shop.db.console_accounts import set_active
    from shop.db.handoff_desk import desk_ticket, reassign_ticket, ticket_transfers

    now = utc_now()
    with session_scope(writable_engine) as s:
        a, b = _agents(s, now)
        boss = create_account(s, "boss", "店长", "admin", FAKE_HASH, now)
        former = create_account(s, "boss2", "前店长", "admin", FAKE_HASH, now)
        off = create_account(s, "a3", "小赵", "agent", FAKE_HASH, now)        # never signed in
        for account, token in ((a, "a"), (b, "b"), (boss, "d"), (former, "e")):
            start_session(s, account.id, token * 43, "c" * 43, now, timedelta(hours=8))
        set_active(s, former.id, False)
        ticket = create_handoff_request(s, "reassign-1", None, "诉求：退款", now)
        add_shopper_message(s, ticket.id, "我的退款到哪了", now)
        assert claim_ticket(s, ticket.id, a.id, "小王", now)
        add_agent_message(s, ticket.id, a.id, "我看一下", now)
    with session_scope(writable_engine) as s:
        before = [(m.author, m.text) for m in ticket_messages(s, ticket.id)]
        assert reassign_ticket(s, ticket.id, b.id, a.id, b.id, "我来", now).problem == "not_admin"      # an agent
        assert reassign_ticket(s, ticket.id, former.id, a.id, b.id, "我来", now).problem == "not_admin"  # disabled
        assert reassign_ticket(s, ticket.id, boss.id, b.id, boss.id, "接手", now).problem == "not_yours"  # stale
        assert reassign_ticket(s, ticket.id, boss.id, a.id, a.id, "接手", now).problem == "target_gone"
        assert reassign_ticket(s, ticket.id, boss.id, a.id, off.id, "接手", now).problem == "target_gone"
        with pytest.raises(InvalidRequest):
            reassign_ticket(s, ticket.id, boss.id, a.id, b.id, "  ", now)
        assert desk_ticket(s, ticket.id).assigned_to == a.id and ticket_transfers(s, ticket.id) == []
        assert [(m.author, m.text) for m in ticket_messages(s, ticket.id)] == before
        moved = reassign_ticket(s, ticket.id, boss.id, a.id, b.id, "小王在开会，请接手退款", now + timedelta(seconds=1))
        assert moved.problem is None and (moved.transfer.from_name, moved.transfer.to_name, moved.transfer.by_name) \
            == ("小王", "小李", "店长")
    with session_scope(writable_engine) as s:
        assert desk_ticket(s, ticket.id).assigned_to == b.id
        assert add_agent_message(s, ticket.id, a.id, "还在吗", now) is None
        lines = [(m.author, m.text) for m in ticket_messages(s, ticket.id)]
        assert lines[:len(before)] == before            # the shopper's conversation is untouched
        seen = [m.text for m in shopper_view(s, "reassign-1", None, 0, now).messages]
        assert seen[-1] == "已为您转接客服小李，接下来由TA为您服务（之前的对话都在）。"
        assert not any("开会" in m or "店长" in m for m in seen)
        # The admin takes it over, then sends it back to the queue.
        assert reassign_ticket(s, ticket.id, boss.id, b.id, boss.id, "我来处理", now + timedelta(seconds=2)).transfer
        assert desk_ticket(s, ticket.id).assigned_to == boss.id
        assert add_agent_message(s, ticket.id, boss.id, "您好，我是店长", now) is not None
        assert reassign_ticket(s, ticket.id, boss.id, boss.id, None, "排队等下一位", now).transfer
    with session_scope(writable_engine) as s:
        assert (desk_ticket(s, ticket.id).status, desk_ticket(s, ticket.id).assigned_to) == ("open", None)
        assert reassign_ticket(s, ticket.id, boss.id, boss.id, b.id, "再改", now).problem == "not_yours"   # queued
        assert [(t.from_name, t.to_name, t.by_name) for t in ticket_transfers(s, ticket.id)] == [
            ("小王", "小李", "店长"), ("小李", "店长", "店长"), ("店长", None, "店长")]


def test_the_desk_records_the_wait_and_who_closed_for_the_dashboard(writable_engine):
    """The shopper's wait ends at the first claim (a transfer, a hand-back and the next claim do
    not move it); ``closed_by`` is whoever closed it; ``desk_waits`` and ``desk_agents`` count
    them, per agent, with transfers made, received and taken away by a reassignment."""
    from shop.db.analytics import desk_agents, desk_waits
    from shop.db.handoff_desk import cancel_waiting_ticket, desk_ticket, reassign_ticket, transfer_ticket
    from shop.db.models import HandoffRequest as Ticket

    now = utc_now()
    with session_scope(writable_engine) as s:
        a, b = _agents(s, now)
        boss = create_account(s, "boss", "店长", "admin", FAKE_HASH, now)
        for account, token in ((a, "a"), (b, "b"), (boss, "d")):
            start_session(s, account.id, token * 43, "c" * 43, now, timedelta(hours=8))
        first = create_handoff_request(s, "wait-1", None, "诉求：售后", now)
        second = create_handoff_request(s, "wait-2", None, "诉求：物流", now)
        gave_up = create_handoff_request(s, "wait-3", None, "诉求：物流", now)
    with session_scope(writable_engine) as s:
        assert claim_ticket(s, first.id, a.id, "小王", now + timedelta(seconds=30))
        assert transfer_ticket(s, first.id, a.id, None, "退回", now + timedelta(seconds=40)).transfer
        assert claim_ticket(s, first.id, b.id, "小李", now + timedelta(seconds=300))
        add_agent_message(s, first.id, b.id, "您好", now + timedelta(seconds=301))
        assert close_ticket(s, first.id, b.id, now + timedelta(seconds=400), resolution="resolved")
        assert claim_ticket(s, second.id, a.id, "小王", now + timedelta(seconds=90))
        add_agent_message(s, second.id, a.id, "在的", now + timedelta(seconds=91))
        add_agent_message(s, second.id, a.id, "稍等", now + timedelta(seconds=92))
        assert reassign_ticket(s, second.id, boss.id, a.id, b.id, "小王去吃饭了", now + timedelta(seconds=100)).transfer
        assert close_ticket(s, second.id, boss.id, now + timedelta(seconds=200), is_admin=True, resolution="unresolved")
        assert cancel_waiting_ticket(s, gave_up.id, now + timedelta(seconds=60))
    with session_scope(writable_engine) as s:
        assert s.get(Ticket, first.id).first_assigned_at == now + timedelta(seconds=30)
        assert desk_ticket(s, first.id).closed_at is not None and s.get(Ticket, first.id).closed_by == b.id
        assert s.get(Ticket, second.id).closed_by == boss.id and s.get(Ticket, gave_up.id).closed_by is None
        period = (now - timedelta(hours=1), now + timedelta(hours=1))
        waits = desk_waits(s, *period)
        assert sorted(waits.taken_waits_s) == [30.0, 90.0] and waits.cancelled_waits_s == [60.0]
        agents = {r["name"]: r for r in desk_agents(s, *period)}
        assert set(agents) == {"小王", "小李", "店长"}
        assert {k: agents["小王"][k] for k in ("closed", "replies", "tickets_replied", "transferred", "received",
                                              "reassigned_away")} == {
            "closed": 0, "replies": 2, "tickets_replied": 1, "transferred": 1, "received": 0, "reassigned_away": 1}
        assert {k: agents["小李"][k] for k in ("closed", "resolved", "resolution_rate", "replies", "received")} == {
            "closed": 1, "resolved": 1, "resolution_rate": 1.0, "replies": 1, "received": 1}
        assert (agents["店长"]["closed"], agents["店长"]["resolved"], agents["店长"]["resolution_rate"]) == (1, 0, 0.0)
        # Claims per agent (handoff_claims): 小王 took both tickets first (after 30 s and 90 s in
        # the queue), 小李 took the first again after it had waited 260 s since its transfer
        # back to the queue; the admin claimed nothing (a reassignment is not a claim).
        assert (agents["小王"]["claimed"], agents["小王"]["claim_wait_p50_s"]) == (2, 60.0)
        assert (agents["小李"]["claimed"], agents["小李"]["claim_wait_p50_s"]) == (1, 260.0)
        assert (agents["店长"]["claimed"], agents["店长"]["claim_wait_p50_s"]) == (0, None)
        assert desk_agents(s, now + timedelta(hours=2), now + timedelta(hours=3)) == []


def test_awaiting_reply_is_the_first_shopper_line_after_the_agents_last_reply(writable_engine):
    from shop.db.handoff_desk import awaiting_reply

    now = utc_now()
    with session_scope(writable_engine) as s:
        a, _ = _agents(s, now)
        ticket = create_handoff_request(s, "awaiting-1", None, "诉求：物流", now)
        quiet = create_handoff_request(s, "awaiting-2", None, "诉求：咨询", now)
        first = add_shopper_message(s, ticket.id, "人呢？", now + timedelta(seconds=1))
        add_shopper_message(s, ticket.id, "在吗", now + timedelta(seconds=2))
        assert claim_ticket(s, ticket.id, a.id, "小王", now + timedelta(seconds=3))
        assert claim_ticket(s, quiet.id, a.id, "小王", now + timedelta(seconds=3))
    with session_scope(writable_engine) as s:
        assert awaiting_reply(s, [ticket.id, quiet.id]) == {ticket.id: first.created_at}
        add_agent_message(s, ticket.id, a.id, "在的", now + timedelta(seconds=4))
        assert awaiting_reply(s, [ticket.id, quiet.id]) == {}
        later = add_shopper_message(s, ticket.id, "好的", now + timedelta(seconds=5))
        assert awaiting_reply(s, [ticket.id]) == {ticket.id: later.created_at} and awaiting_reply(s, []) == {}


def test_the_lines_since_the_shopper_last_wrote_are_what_the_silence_rule_reads(writable_engine):
    """我正在接待's 可能已经离开: per ticket, the shopper and agent lines from the shopper's
    latest on (system notices left out), or all of them while the shopper has not written."""
    from shop.db.handoff_desk import lines_since_shopper_last_wrote

    now = utc_now()
    with session_scope(writable_engine) as s:
        a, _ = _agents(s, now)
        ticket = create_handoff_request(s, "lines-1", None, "诉求：物流", now)
        silent = create_handoff_request(s, "lines-2", None, "诉求：咨询", now)
        untouched = create_handoff_request(s, "lines-3", None, "诉求：发票", now)
        add_shopper_message(s, ticket.id, "我的快递呢", now + timedelta(seconds=1))
        assert claim_ticket(s, ticket.id, a.id, "小王", now + timedelta(seconds=2))     # a system line
        add_agent_message(s, ticket.id, a.id, "订单号是多少？", now + timedelta(seconds=3))
        last = add_shopper_message(s, ticket.id, "稍等", now + timedelta(seconds=4))
        answer = add_agent_message(s, ticket.id, a.id, "好的", now + timedelta(seconds=5))
        assert claim_ticket(s, silent.id, a.id, "小王", now + timedelta(seconds=2))
        greeting = add_agent_message(s, silent.id, a.id, "您好", now + timedelta(seconds=3))
    with session_scope(writable_engine) as s:
        assert lines_since_shopper_last_wrote(s, [ticket.id, silent.id, untouched.id]) == {
            ticket.id: [("shopper", last.created_at), ("agent", answer.created_at)],
            silent.id: [("agent", greeting.created_at)]}
        assert lines_since_shopper_last_wrote(s, []) == {}


def test_each_claim_is_recorded_with_who_when_and_how_long_it_queued(writable_engine):
    """接入记录: a claim is a row (who, when, since when the ticket waited in the queue: the
    hand-off, or the hand-back that put it back); a claim that loses the race, or of a closed
    ticket, records nothing."""
    from shop.db.handoff_desk import hand_back_if_gone, ticket_claims
    from shop.db.models import HandoffClaim

    now = utc_now()
    with session_scope(writable_engine) as s:
        a, b = _agents(s, now)
        ticket = create_handoff_request(s, "claims-1", None, "诉求：售后", now)
        closed = create_handoff_request(s, "claims-2", None, "诉求：发票", now)
        assert claim_ticket(s, ticket.id, a.id, "小王", now + timedelta(seconds=45))
        assert not claim_ticket(s, ticket.id, b.id, "小李", now + timedelta(seconds=46))   # lost the race
        assert close_ticket(s, closed.id, a.id, now, is_admin=True)
        assert not claim_ticket(s, closed.id, b.id, "小李", now + timedelta(seconds=47))
    with session_scope(writable_engine) as s:   # 小王 has no session: gone, the ticket goes back
        assert hand_back_if_gone(s, a.id, now + timedelta(seconds=100)) == [ticket.ticket_no]
    with session_scope(writable_engine) as s:
        assert claim_ticket(s, ticket.id, b.id, "小李", now + timedelta(seconds=400))
    with session_scope(writable_engine) as s:
        claims = ticket_claims(s, ticket.id)
        assert [(c.agent_id, c.agent_name, c.claimed_at, c.waited_s) for c in claims] == [
            (a.id, "小王", now + timedelta(seconds=45), 45.0), (b.id, "小李", now + timedelta(seconds=400), 300.0)]
        assert ticket_claims(s, closed.id) == []
        assert s.execute(select(HandoffClaim.id)).all() == [(c.id,) for c in claims]
        with pytest.raises(InvalidRequest):
            ticket_claims(s, 0)


def test_experiment_changes_are_kept_with_who_and_listed_newest_first(writable_engine):
    from shop.db.experiment_changes import experiment_changes, record_experiment_change

    now = utc_now()
    with session_scope(writable_engine) as s:
        boss = create_account(s, "boss", "店长", "admin", FAKE_HASH, now)
        record_experiment_change(s, "rec_strategy", "stop", None, "运行中 · 放量 100%", "已停止 · 放量 100%", boss.id, now)
        record_experiment_change(s, "rec_strategy", "exclude", "content", "已停止 · 放量 100%",
                                 "已停止 · 放量 100% · 停用 content", boss.id, now + timedelta(seconds=1))
        record_experiment_change(s, "winback_coupon", "start", None, "已停止", "运行中", boss.id, now)
        for bad in ({"account_id": 0}, {"action": " "}, {"before": "x" * 501}):
            args = dict(experiment="rec_strategy", action="stop", variant=None, before="a", after="b",
                        account_id=boss.id, now=now, **{})
            args.update(bad)
            with pytest.raises(InvalidRequest):
                record_experiment_change(s, **args)
    with session_scope(writable_engine) as s:
        changes = experiment_changes(s, "rec_strategy")
        assert [(c.action, c.variant, c.account_name, c.changed_at) for c in changes] == [
            ("exclude", "content", "店长", now + timedelta(seconds=1)), ("stop", None, "店长", now)]
        assert changes[0].after == "已停止 · 放量 100% · 停用 content"
        assert [c.action for c in experiment_changes(s, "winback_coupon")] == ["start"]
        assert experiment_changes(s, "nope") == []


def test_the_queue_serves_the_longest_wait_first_but_gives_the_shoppers_who_must_not_wait_a_head_start(
        writable_engine):
    """Waiting time first; an angry shopper, one already served and back in the queue, one with
    an after-sales request under way and one whose ticket the desk closed in the last 24 hours
    pass newcomers by their head start (shop.domain.handoff_queue) — never someone who has
    waited longer than that. The place a shopper is told is the place the console shows."""
    from shop.db.handoff_desk import ranked_queue, transfer_ticket
    from shop.db.models import AfterSalesRequest, Customer
    from shop.domain.after_sales import OPEN_AFTER_SALES_STATUSES

    now = utc_now()
    minute = timedelta(minutes=1)
    with session_scope(writable_engine) as s:
        open_statuses = [x.value for x in OPEN_AFTER_SALES_STATUSES]
        in_after_sales = s.execute(select(AfterSalesRequest.customer_id)
                                   .where(AfterSalesRequest.status.in_(open_statuses)).limit(1)).scalar_one()
        calm = s.execute(select(Customer.id).where(Customer.id.not_in(
            select(AfterSalesRequest.customer_id).where(AfterSalesRequest.status.in_(open_statuses)))).limit(1)).scalar_one()
        a, _ = _agents(s, now)
        start_session(s, a.id, "a" * 43, "c" * 43, now, timedelta(hours=8))
        # 30 minutes ago: served, passed back to the queue (an agent had it: "returned").
        back = create_handoff_request(s, "q-back", None, "诉求：物流", now - 30 * minute)
        # 29 minutes ago, a plain shopper: waited longer than any head start below gives.
        oldest = create_handoff_request(s, "q-oldest", calm, "诉求：订单查询", now - 29 * minute)
        # A repeat: the desk closed this guest's ticket an hour ago, and they are back.
        before = create_handoff_request(s, "q-repeat", None, "诉求：物流", now - 62 * minute)
        assert claim_ticket(s, before.id, a.id, "小王", now - 61 * minute)
        assert close_ticket(s, before.id, a.id, now - 60 * minute, resolution="unresolved")
        plain = create_handoff_request(s, "q-plain", None, "诉求：物流", now - 10 * minute)
        repeat = create_handoff_request(s, "q-repeat", None, "诉求：物流", now - 7 * minute)
        after_sales = create_handoff_request(s, "q-as", in_after_sales, "诉求：售后", now - 6 * minute)
        angry = create_handoff_request(s, "q-angry", None, "诉求：物流", now - 2 * minute)
        assert claim_ticket(s, back.id, a.id, "小王", now - 25 * minute)
        assert transfer_ticket(s, back.id, a.id, None, "需要仓库确认", now - 20 * minute).problem is None
    with session_scope(writable_engine) as s:
        add_shopper_message(s, angry.id, "人呢？？什么破服务😡", now - minute)   # typed while waiting
    with session_scope(writable_engine) as s:
        queued = ranked_queue(s)
        # angry (−2 −10 = −12) passes plain (−10) but not oldest (−29); back (−30 −10) leads;
        # repeat (−7 −5 = −12) and after-sales (−6 −5 = −11) pass plain too.
        assert [q.ticket.ticket_no for q in queued] == [
            back.ticket_no, oldest.ticket_no, repeat.ticket_no, angry.ticket_no, after_sales.ticket_no,
            plain.ticket_no]
        why = {q.ticket.ticket_no: [r.key for r in q.reasons] for q in queued}
        assert why == {back.ticket_no: ["returned"], oldest.ticket_no: [], repeat.ticket_no: ["repeat"],
                       angry.ticket_no: ["angry"], after_sales.ticket_no: ["after_sales"], plain.ticket_no: []}
        assert [t.ticket_no for t in waiting_tickets(s)] == [q.ticket.ticket_no for q in queued]
        for place, q in enumerate(queued, start=1):
            assert queue_position(s, q.ticket) == place
        assert shopper_view(s, "q-angry", None, 0, now).position == 4
        assert shopper_view(s, "q-plain", None, 0, now).position == 6
