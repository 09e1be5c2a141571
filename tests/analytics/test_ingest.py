"""Rasa events → analytics tables: the figures, exactly-once ingestion, both databases, and
Rasa's SQL broker table read by the consumer (written by the background broker)."""
from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import create_engine, func, select, text

from analytics import dashboard, sql_source, store
from analytics.broker import BackgroundSQLEventBroker

POSTGRES_SERVER = os.environ.get("SHOP_TEST_POSTGRES_SERVER", "postgresql+psycopg2://postgres@127.0.0.1:5432")
REQUIRED = os.environ.get("SHOP_TEST_REQUIRE_POSTGRES") == "1"
DAY = date(2026, 12, 1)
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc).timestamp()     # 10:00 China time


def user(sender, t, text, intent, confidence=0.9):
    return {"event": "user", "sender_id": sender, "timestamp": t, "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": confidence}}}


def action(sender, t, name):
    return {"event": "action", "sender_id": sender, "timestamp": t, "name": name}


def known_events():
    """Four conversations: resolved; handed off; a core fallback; out of scope then clarified."""
    return [
        action("resolved", T0, "action_session_start"),
        user("resolved", T0 + 1, "你好", "greet"), action("resolved", T0 + 1.01, "utter_greet"),
        action("resolved", T0 + 1.02, "action_listen"),
        user("handed", T0 + 2, "转人工", "human_handoff"), action("handed", T0 + 2.05, "action_handoff"),
        action("handed", T0 + 2.1, "action_listen"),
        user("fallback", T0 + 3, "嗯嗯那个", "chitchat", 0.3), action("fallback", T0 + 3.2, "utter_default"),
        action("fallback", T0 + 3.3, "action_listen"),
        user("oos", T0 + 4, "今天天气怎么样", "out_of_scope"), action("oos", T0 + 4.4, "action_out_of_scope"),
        action("oos", T0 + 4.5, "action_listen"),
        user("oos", T0 + 5, "那个啥", "nlu_fallback", 0.2), action("oos", T0 + 5.01, "action_clarify"),
        action("oos", T0 + 5.02, "action_listen"),
        user("oos", T0 + 6, "/order_status", "order_status", 1.0), action("oos", T0 + 6.01, "action_listen"),
    ]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
        store.create_tables(engine)
        yield engine
        engine.dispose()
        return
    name = f"analytics_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        if REQUIRED:
            pytest.fail(f"PostgreSQL not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    engine = create_engine(f"{POSTGRES_SERVER}/{name}", future=True)
    store.create_tables(engine)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


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
    assert data["per_day"] == [{"day": "2026-12-01", "conversations": 4, "handed_off": 1}]
    assert data["intents"]["per_day"][0]["greet"] == 1
    # Latencies 20, 100, 300, 500, 20 (button turn), 10 ms.
    assert data["latency_ms"]["turns"] == 6 and data["latency_ms"]["p50"] == pytest.approx(60.0, abs=0.5)
    csv_text = dashboard.to_csv(data)
    assert "summary,2026-12-01..2026-12-01,conversations,4" in csv_text
    assert "summary,2026-12-01..2026-12-01,containment_rate,0.75" in csv_text
    # Another day shows nothing.
    assert dashboard.build(engine, None, date(2026, 12, 2), date(2026, 12, 3))["conversations"] == 0


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
    """What runs on Rasa's event loop is a queue put: publishing stays fast while the writer
    thread is blocked by another connection's write lock."""
    import time

    broker = BackgroundSQLEventBroker(db=str(tmp_path / "events.db"))
    blocker = create_engine(f"sqlite:///{tmp_path / 'events.db'}", future=True).raw_connection()
    blocker.execute("BEGIN EXCLUSIVE")
    start = time.perf_counter()
    for n in range(200):
        broker.publish(action("s", T0 + n, "action_listen"))
    assert time.perf_counter() - start < 0.5
    blocker.rollback()
    blocker.close()
    broker.flush()
    with sql_source.broker_engine(tmp_path / "events.db").connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == 200
    asyncio.run(broker.close())
