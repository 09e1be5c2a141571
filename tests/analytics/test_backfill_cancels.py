"""``python -m analytics backfill-cancels``: hand-offs the shopper cancelled before the gate
published ``handoff_cancelled`` move from handed off to cancelled — once, however often the
command runs, and never twice for a cancel the stream did carry (with the ticket as its key,
or, from before that, only by number)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, select, update

from analytics import store
from analytics.__main__ import main
from analytics.backfill import backfill_cancels
from analytics.events import handoff_cancelled_event
from console.passwords import hash_password
from shop.db.console_accounts import create_account
from shop.db.engine import dispose_default_engine, make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import (
    CLOSED_NOTICE, CancelledTicket, cancel_waiting_ticket, cancelled_tickets, claim_ticket, close_ticket,
)
from shop.db.migrate import upgrade_to_head
from shop.db.models import HandoffMessage, HandoffRequest
from tests.support.analytics import T0, handed_off

AT = datetime.fromtimestamp(T0, tz=timezone.utc)


def _ingest(engine, events):
    with engine.begin() as connection:
        for event in events:
            store.ingest(connection, event)


def _state(engine):
    with engine.connect() as connection:
        return {r.sender_id: (r.handoffs, r.handoffs_cancelled, bool(r.handed_off), bool(r.handoff_cancelled))
                for r in connection.execute(select(store.CONVERSATIONS))}


def test_the_shop_database_says_which_tickets_were_cancelled_also_before_cancelled_at(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade_to_head(engine)
    with session_scope(engine) as s:
        agent = create_account(s, "agent1", "小王", "agent", hash_password("a-long-password-1"), AT).id
        now_cancel = create_handoff_request(s, "now-cancel", None, "转人工", AT)
        old_cancel = create_handoff_request(s, "old-cancel", None, "转人工", AT)
        closed = create_handoff_request(s, "agent-closed", None, "转人工", AT)
        create_handoff_request(s, "waiting", None, "转人工", AT)
        assert cancel_waiting_ticket(s, now_cancel.id, AT + timedelta(minutes=2))
        # Before migration 0010 a cancel closed the ticket and set nothing else.
        s.execute(update(HandoffRequest).where(HandoffRequest.id == old_cancel.id)
                  .values(status="closed", closed_at=AT + timedelta(minutes=1)))
        assert claim_ticket(s, closed.id, agent, "小王", AT) and close_ticket(s, closed.id, agent, AT)
        # A desk close from before the assistant was renamed: its notice said 小店长.
        renamed = create_handoff_request(s, "agent-closed-before-rename", None, "转人工", AT)
        assert claim_ticket(s, renamed.id, agent, "小王", AT) and close_ticket(s, renamed.id, agent, AT)
        s.execute(update(HandoffMessage).where(HandoffMessage.ticket_id == renamed.id,
                                               HandoffMessage.text == CLOSED_NOTICE)
                  .values(text=CLOSED_NOTICE.replace("小柚", "小店长")))
    with session_scope(engine) as s:
        found = cancelled_tickets(s)
    engine.dispose()
    assert [(t.ticket_no, t.sender_id, t.cancelled_at) for t in found] == [
        (old_cancel.ticket_no, "old-cancel", AT + timedelta(minutes=1)),
        (now_cancel.ticket_no, "now-cancel", AT + timedelta(minutes=2))]


def test_backfill_counts_each_cancel_once_whatever_the_stream_already_carried(analytics_engine):
    def ticket(no, sender, minutes, customer=None):
        return CancelledTicket(no, sender, customer, AT + timedelta(minutes=minutes))

    _ingest(analytics_engine,
            handed_off("before-event", T0) + handed_off("signed-in~c7", T0 + 1) + handed_off("streamed", T0 + 2)
            + handed_off("legacy-key", T0 + 3) + handed_off("legacy-key", T0 + 4) + handed_off("taken", T0 + 5)
            # The gate's event (its own timestamp) for "streamed".
            + [handoff_cancelled_event("streamed", "RG-3", T0 + 60)])
    # "legacy-key": its second cancel was published when an event's key was its whole content.
    with analytics_engine.begin() as connection:
        connection.execute(store.EVENTS.insert().values(event_key="f" * 64, sender_id="legacy-key",
                                                        event_type="handoff_cancelled", at=AT))
        store._handoff_cancelled(connection, "legacy-key")
    tickets = [ticket("RG-1", "before-event", 1), ticket("RG-2", "signed-in", 1, customer=7),
               ticket("RG-3", "streamed", 1), ticket("RG-4", "legacy-key", 1), ticket("RG-5", "legacy-key", 2),
               ticket("RG-6", "never-analysed", 1)]
    assert _state(analytics_engine)["before-event"] == (1, 0, True, False)

    result = backfill_cancels(analytics_engine, tickets)
    assert (result.tickets, result.applied) == (6, 4)     # RG-1, RG-2, RG-4, RG-6 (changes nothing)
    # RG-6's conversation is unknown to the analytics: recorded, counted nowhere. "legacy-key"
    # was handed off until its second cancel: it moves too.
    assert (result.counted, result.moved, result.unchanged) == (3, 3, 1)
    state = _state(analytics_engine)
    assert state["before-event"] == (1, 1, False, True)
    assert state["signed-in~c7"] == (1, 1, False, True)   # the signed-in shopper's conversation id
    assert state["streamed"] == (1, 1, False, True)
    assert state["legacy-key"] == (2, 2, False, True)
    assert state["taken"] == (1, 0, True, False) and "never-analysed" not in state

    # Again: nothing; and the gate's event arriving late for a backfilled ticket is the same one.
    assert backfill_cancels(analytics_engine, tickets).applied == 0
    _ingest(analytics_engine, [handoff_cancelled_event("before-event", "RG-1", T0 + 999)])
    assert _state(analytics_engine) == state


def test_the_command_syncs_reads_the_shop_and_is_idempotent(tmp_path, monkeypatch, capsys):
    shop_url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(shop_url)
    upgrade_to_head(engine)
    with session_scope(engine) as s:
        ticket = create_handoff_request(s, "cli-cancel", None, "转人工", AT)
        assert cancel_waiting_ticket(s, ticket.id, AT + timedelta(minutes=1))
    engine.dispose()
    analytics_url = f"sqlite:///{tmp_path / 'analytics.db'}"
    monkeypatch.setenv("SHOP_DATABASE_URL", shop_url)
    monkeypatch.setenv("ANALYTICS_DB_URL", analytics_url)
    monkeypatch.setenv("ANALYTICS_EVENTS_DB_PATH", str(tmp_path / "events.db"))   # none yet: nothing to sync
    analytics = create_engine(analytics_url, future=True)
    store.create_tables(analytics)
    _ingest(analytics, handed_off("cli-cancel", T0))
    try:
        assert main(["backfill-cancels"]) == 0
        assert capsys.readouterr().out.startswith(
            "1 cancelled hand-offs counted now (1 conversations moved from handed off to cancelled); "
            "0 recorded without changing any figure")
        assert main(["backfill-cancels"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("0 cancelled hand-offs counted now (0 conversations moved") and "; 1 of 1 " in out
        assert _state(analytics)["cli-cancel"] == (1, 1, False, True)
        assert not (tmp_path / "events.db").exists()
    finally:
        analytics.dispose()
        dispose_default_engine()


def test_the_command_says_a_cancel_the_figures_could_not_take_changed_nothing(tmp_path, monkeypatch, capsys):
    """A cancelled ticket of a conversation the analytics never saw (it began before they
    listened): the cancel is recorded, so it is never taken again, but no figure changes —
    and the command says so instead of "1 cancelled hand-off backfilled"."""
    shop_url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(shop_url)
    upgrade_to_head(engine)
    with session_scope(engine) as s:
        ticket = create_handoff_request(s, "never-seen", None, "转人工", AT)
        assert cancel_waiting_ticket(s, ticket.id, AT + timedelta(minutes=1))
    engine.dispose()
    analytics_url = f"sqlite:///{tmp_path / 'analytics.db'}"
    monkeypatch.setenv("SHOP_DATABASE_URL", shop_url)
    monkeypatch.setenv("ANALYTICS_DB_URL", analytics_url)
    monkeypatch.setenv("ANALYTICS_EVENTS_DB_PATH", str(tmp_path / "events.db"))
    analytics = create_engine(analytics_url, future=True)
    store.create_tables(analytics)
    try:
        assert main(["backfill-cancels"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("0 cancelled hand-offs counted now (0 conversations moved from handed off to "
                              "cancelled); 1 recorded without changing any figure"), out
        assert _state(analytics) == {}
        assert main(["backfill-cancels"]) == 0
        assert "; 0 recorded without changing any figure" in capsys.readouterr().out
    finally:
        analytics.dispose()
        dispose_default_engine()
