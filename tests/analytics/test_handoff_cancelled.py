"""A hand-off the shopper cancelled while waiting ("取消人工") is not one an agent took. The
Rasa server's hand-off gate publishes the cancel to the event broker (``handoff_cancelled``,
tests/shop_channels/test_handoff_gate.py); the analytics tables apply it, so
``analytics_conversations.handed_off`` — what Metabase reads — and the dashboard and its CSV
say the same number: one rule (``analytics.store._handoff_state``), one source."""
from __future__ import annotations

from sqlalchemy import create_engine, inspect, select, text

from analytics import dashboard, store
from analytics.events import handoff_cancelled_event
from tests.support.analytics import DAY, T0, handed_off, known_events


def cancelled(sender, t):
    return [handoff_cancelled_event(sender, f"RG-{sender}", t)]



def _ingest(engine, events):
    with engine.begin() as connection:
        return [store.ingest(connection, event) for event in events]


def _columns(engine):
    with engine.connect() as connection:
        return {row.sender_id: (row.handoffs, row.handoffs_cancelled, bool(row.handed_off), bool(row.handoff_cancelled))
                for row in connection.execute(select(store.CONVERSATIONS))}


def test_a_cancelled_hand_off_is_counted_apart_from_the_ones_agents_took(analytics_engine):
    # known_events: 4 conversations, "handed" handed off (its ticket still waiting). Three more
    # hand-offs: one cancelled; one cancelled, then asked again (and taken); one taken.
    _ingest(analytics_engine, known_events() + handed_off("gave-up", T0 + 10) + cancelled("gave-up", T0 + 20)
            + handed_off("retried", T0 + 11) + cancelled("retried", T0 + 21) + handed_off("retried", T0 + 30)
            + handed_off("taken", T0 + 12))
    columns = _columns(analytics_engine)
    assert columns["gave-up"] == (1, 1, False, True)
    assert columns["retried"] == (2, 1, True, False)
    assert columns["taken"] == (1, 0, True, False) and columns["handed"] == (1, 0, True, False)

    data = dashboard.build(analytics_engine, None, DAY, DAY)
    assert data["conversations"] == 7
    assert (data["handed_off"], data["handoff_cancelled"], data["contained"]) == (3, 1, 3)
    assert data["handoff_rate"] == round(3 / 7, 4) and data["handoff_cancelled_rate"] == round(1 / 7, 4)
    assert data["per_day"] == [{"day": "2026-12-01", "conversations": 7, "handed_off": 3, "handoff_cancelled": 1}]
    csv_text = dashboard.to_csv(data)
    assert "summary,2026-12-01..2026-12-01,handed_off,3" in csv_text
    assert "summary,2026-12-01..2026-12-01,handoff_cancelled,1" in csv_text
    assert "per_day,2026-12-01,handoff_cancelled,1" in csv_text

    # The README's Metabase query on the table alone gives the dashboard's number.
    with analytics_engine.connect() as connection:
        assert connection.execute(text(
            "SELECT sum(CASE WHEN handed_off THEN 1 ELSE 0 END) FROM analytics_conversations")).scalar_one() == 3


def test_a_cancel_is_applied_once_and_never_below_zero(analytics_engine):
    events = handed_off("once", T0) + cancelled("once", T0 + 5)
    assert _ingest(analytics_engine, events) == [True] * 4
    assert _ingest(analytics_engine, cancelled("once", T0 + 5)) == [False]       # redelivered: skipped
    # A second cancel for a conversation with no ticket left open (or none the analytics saw)
    # changes nothing, and one for an unknown conversation creates no row.
    _ingest(analytics_engine, cancelled("once", T0 + 6) + cancelled("never-seen", T0 + 7))
    assert _columns(analytics_engine) == {"once": (1, 1, False, True)}


def test_an_older_analytics_database_gets_the_new_columns(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}", future=True)
    with engine.begin() as connection:      # the table as it shipped before the counts
        connection.execute(text(
            "CREATE TABLE analytics_conversations (sender_id VARCHAR(255) PRIMARY KEY, started_at DATETIME NOT NULL, "
            "day VARCHAR(10) NOT NULL, last_at DATETIME NOT NULL, turns INTEGER NOT NULL, handed_off BOOLEAN NOT NULL, "
            "fallback_turns INTEGER NOT NULL, out_of_scope_turns INTEGER NOT NULL, clarification_turns INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO analytics_conversations VALUES "
                                "('old-handed', '2026-12-01 01:00:00', '2026-12-01', '2026-12-01 01:00:00', 1, 1, 0, 0, 0),"
                                "('old-plain', '2026-12-01 01:00:00', '2026-12-01', '2026-12-01 01:00:00', 1, 0, 0, 0, 0)"))
    store.create_tables(engine)
    store.create_tables(engine)     # and again: nothing to add
    assert {"handoffs", "handoffs_cancelled", "handoff_cancelled"} <= \
        {c["name"] for c in inspect(engine).get_columns("analytics_conversations")}
    assert _columns(engine) == {"old-handed": (1, 0, True, False), "old-plain": (0, 0, False, False)}
    _ingest(engine, cancelled("old-handed", T0 + 5))
    assert _columns(engine)["old-handed"] == (1, 1, False, True)
    engine.dispose()


def test_the_conversations_the_assistant_did_not_resolve(analytics_engine):
    """Fallback, out of scope or handed off (a cancelled hand-off alone is not): latest first,
    in the JSON and the CSV, with how many in all."""
    _ingest(analytics_engine, known_events() + handed_off("gave-up", T0 + 10) + cancelled("gave-up", T0 + 20))
    data = dashboard.build(analytics_engine, None, DAY, DAY)
    assert data["unresolved_conversations"] == 3
    assert [(r["conversation_id"], r["fallback_turns"], r["out_of_scope_turns"], r["handed_off"])
            for r in data["unresolved"]] == [("oos", 0, 1, False), ("fallback", 1, 0, False), ("handed", 0, 0, True)]
    assert data["unresolved"][0]["turns"] == 3 and data["unresolved"][0]["day"] == "2026-12-01"
    csv_text = dashboard.to_csv(data)
    assert "summary,2026-12-01..2026-12-01,unresolved_conversations,3" in csv_text
    assert "unresolved,fallback,fallback_turns,1" in csv_text and "unresolved,gave-up," not in csv_text
    assert dashboard.build(analytics_engine, None, DAY.replace(day=2), DAY.replace(day=2))["unresolved"] == []
    assert dashboard.is_recorded_conversation(analytics_engine, "oos")
    assert not dashboard.is_recorded_conversation(analytics_engine, "someone-else")
