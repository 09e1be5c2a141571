"""Rasa events → analytics tables: the figures, exactly-once ingestion, both databases, and
Rasa's SQL broker table read by the consumer (written by the background broker)."""
from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text

from analytics import dashboard, sql_source, store
from analytics.broker import BackgroundSQLEventBroker
from tests.support.analytics import DAY, T0, action, known_events, analytics_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    with analytics_database(request.param, tmp_path, "analytics_test") as engine:
        yield engine


def ingest_all(engine, events) -> int:
    with engine.begin() as connection:
        return sum(store.ingest(connection, e) for e in events)


def test_known_conversations_give_the_expected_figures(engine):
    assert ingest_all(engine, known_events()) == len(known_events())
    data = dashboard.build(engine, None, DAY, DAY)
    assert data["conversations"] == 4 and data["handed_off"] == 1 and data["contained"] == 3
    assert data["containment_rate"] == 0.75 and data["handoff_rate"] == 0.25
    # Five typed messages (the button click is not one): fallback 1, out of scope 1, clarified 1.
    assert data["messages"] == 5
    assert (data["fallback_messages"], data["out_of_scope_messages"], data["clarification_messages"]) == (1, 1, 1)
    assert data["fallback_rate"] == 0.2
    assert {row["text"] for row in data["not_understood"]} == {"嗯嗯那个", "今天天气怎么样", "那个啥"}
    assert data["per_day"] == [{"day": "2026-12-01", "conversations": 4, "handed_off": 1, "handoff_cancelled": 0}]
    assert data["intents"]["per_day"][0]["greet"] == 1
    # Latencies 20, 100, 300, 500, 20 (button turn), 10 ms.
    assert data["latency_ms"]["turns"] == 6 and data["latency_ms"]["p50"] == pytest.approx(60.0, abs=0.5)
    csv_text = dashboard.to_csv(data)
    assert "summary,2026-12-01..2026-12-01,conversations,4" in csv_text
    assert "summary,2026-12-01..2026-12-01,containment_rate,0.75" in csv_text
    # Another day shows nothing.
    assert dashboard.build(engine, None, date(2026, 12, 2), date(2026, 12, 3))["conversations"] == 0


def test_where_the_assistant_fails_by_intent_and_what_it_resolves(engine):
    """Per intent: how many typed messages got the core fallback, the out-of-scope answer, a
    clarifying question or ran the hand-off (the failing intents first, a clean intent last);
    the assistant resolved a conversation on its own when none of that reached the shopper and
    it was not handed off (1 of the 4 known ones)."""
    ingest_all(engine, known_events())
    data = dashboard.build(engine, None, DAY, DAY)
    assert (data["assistant_resolved"], data["assistant_resolution_rate"]) == (1, 0.25)
    rows = {r["intent"]: r for r in data["by_intent"]}
    # The button click is not a typed message: no intent of its own here.
    assert set(rows) == {"greet", "human_handoff", "chitchat", "out_of_scope", "nlu_fallback"}
    failures = ("fallback", "out_of_scope", "clarification", "handoff")
    assert {name: tuple(rows[name][k] for k in failures) for name in rows} == {
        "greet": (0, 0, 0, 0), "human_handoff": (0, 0, 0, 1), "chitchat": (1, 0, 0, 0),
        "out_of_scope": (0, 1, 0, 0), "nlu_fallback": (0, 0, 1, 0)}
    assert rows["human_handoff"]["handoff_rate"] == 1.0 and rows["greet"]["fallback_rate"] == 0.0
    assert data["by_intent"][-1]["intent"] == "greet"                 # nothing failed there: last
    csv_text = dashboard.to_csv(data)
    assert "by_intent,chitchat,fallback,1" in csv_text and "by_intent,human_handoff,handoff_rate,1.0" in csv_text
    assert "summary,2026-12-01..2026-12-01,assistant_resolution_rate,0.25" in csv_text


def test_a_replayed_event_is_never_counted_twice(engine):
    events = known_events()
    ingest_all(engine, events[:9])
    assert ingest_all(engine, events) == len(events) - 9          # the first nine are skipped
    assert ingest_all(engine, events) == 0
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(store.TURNS)).scalar_one() == 6
        assert connection.execute(select(func.sum(store.CONVERSATIONS.c.turns))).scalar_one() == 6
    assert dashboard.build(engine, None, DAY, DAY)["handed_off"] == 1


def test_malformed_events_change_nothing(engine):
    bad = [{}, {"event": "user"}, {"event": "user", "sender_id": "x", "timestamp": "soon"},
           {"event": "action", "sender_id": "nobody", "timestamp": T0, "name": "utter_default"}]
    ingest_all(engine, bad)
    assert dashboard.build(engine, None, DAY, DAY)["conversations"] == 0


def test_background_broker_writes_rasas_table_and_the_consumer_reads_it_once(tmp_path):
    broker = BackgroundSQLEventBroker(db=str(tmp_path / "events.db"))
    for event in known_events():
        broker.publish(event)
    broker.flush()
    analytics = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(analytics)
    events_db = sql_source.broker_engine(tmp_path / "events.db")
    with events_db.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, data FROM events ORDER BY id")).all()
    assert [json.loads(data) for _, data in rows] == known_events()          # Rasa's row format
    assert sql_source.sync(analytics, events_db) == len(known_events())
    assert sql_source.sync(analytics, events_db) == 0
    # The offset is lost (a fresh consumer state): replaying the file counts nothing twice.
    with analytics.begin() as connection:
        connection.execute(store.OFFSETS.delete())
    assert sql_source.sync(analytics, events_db) == 0
    assert dashboard.build(analytics, None, DAY, DAY)["conversations"] == 4
    asyncio.run(broker.close())


def test_publishing_does_not_wait_for_the_database(tmp_path):
    """What runs on Rasa's event loop is a queue put: every publish returns while another
    connection holds the write lock and nothing can be written (a publish that waited for the
    database would block, then fail with "database is locked")."""
    broker = BackgroundSQLEventBroker(db=str(tmp_path / "events.db"))
    blocker = create_engine(f"sqlite:///{tmp_path / 'events.db'}", future=True).raw_connection()
    blocker.execute("BEGIN EXCLUSIVE")
    for n in range(200):
        broker.publish(action("s", T0 + n, "action_listen"))
    assert blocker.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    blocker.rollback()
    blocker.close()
    broker.flush()
    with sql_source.broker_engine(tmp_path / "events.db").connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == 200
    asyncio.run(broker.close())
