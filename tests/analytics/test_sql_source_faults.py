"""The SQL broker's consumer (``analytics.sql_source.sync``) under bad rows and database
outages, with the analytics tables and Rasa's ``events`` table (the SQL event broker's
schema: id, sender_id, data) on SQLite and on PostgreSQL:

- a row that cannot be applied is set aside in ``analytics_rejected_events`` (the rule the
  RabbitMQ consumer follows, ``store.apply_message``), the offset moves past it and the good
  rows around it are all counted (before: the error rolled the whole batch back and stopped
  every sync after it, or the row was dropped with a log line and nothing recorded);
- a database that is unavailable is not the rows' fault: the sync raises, nothing is set aside,
  the offset stays, and the next sync counts everything."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, exc as sa_exc, select

from analytics import sql_source, store
from tests.analytics.test_rabbit_faults import assert_known_figures, count, database_outage, poison
from tests.support.analytics import backend_fixtures, known_events

pytestmark = [pytest.mark.timeout(180)]

backend, engine = backend_fixtures("analytics_sqlsrc")


@pytest.fixture
def broker(backend, engine, tmp_path):
    """Rasa's SQL broker table: a file of its own on SQLite (the embedded setup's events.db),
    a table beside the analytics tables on PostgreSQL."""
    if backend == "postgresql":
        broker = engine
    else:
        broker = create_engine(f"sqlite:///{tmp_path / 'events.db'}", future=True)
    sql_source.BROKER_EVENTS.metadata.create_all(broker)
    yield broker
    if broker is not engine:
        broker.dispose()


def publish(broker, bodies) -> None:
    with broker.begin() as connection:
        for body in bodies:
            data = body.decode("utf-8") if isinstance(body, bytes) else body
            connection.execute(sql_source.BROKER_EVENTS.insert().values(sender_id="s", data=data))


def offset(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(store.OFFSETS.c.last_id)).scalar() or 0


def test_a_row_that_cannot_be_applied_is_set_aside_and_the_sync_carries_on(backend, engine, broker):
    good = [json.dumps(event) for event in known_events()]
    bad = poison(backend)
    # Bad rows first, between and last (one twice): none may hold up or lose a good one.
    publish(broker, bad[:2] + good[:8] + bad[2:] + good[8:] + bad[:1])
    total = len(good) + len(bad) + 1

    assert sql_source.sync(engine, broker) == len(good)
    assert_known_figures(engine)
    assert offset(engine) == total
    with engine.connect() as connection:
        rows = connection.execute(select(store.REJECTED.c.body, store.REJECTED.c.error)).all()
    assert len(rows) == len(bad)        # the repeated bad row is recorded once
    errors = {row.body: row.error for row in rows}
    assert errors["not json {"].startswith("sql-broker row 1: not JSON")
    assert errors["[1, 2, 3]"] == "sql-broker row 11: not an event: a JSON list"
    assert errors['{"event": "user", "sender_id": 7, "timestamp": 1.0}'] == (
        "sql-broker row 12: not a Rasa event: sender_id missing or of the wrong type")
    assert "OverflowError" in next(error for body, error in errors.items() if '"far"' in body)
    # Read again from the start (the offset lost): nothing is counted or set aside twice.
    assert sql_source.sync(engine, broker) == 0
    with engine.begin() as connection:
        connection.execute(store.OFFSETS.delete())
    assert sql_source.sync(engine, broker) == 0
    assert count(engine, store.REJECTED) == len(bad)
    assert_known_figures(engine)


def test_a_database_that_is_down_is_not_the_rows_fault(backend, engine, broker):
    publish(broker, [json.dumps(event) for event in known_events()] + [b"not json {"])
    sync_engine, down, back = database_outage(backend, engine)
    down()
    try:
        with pytest.raises((sa_exc.OperationalError, sa_exc.InterfaceError)):
            sql_source.sync(sync_engine, broker)
    finally:
        back()
    assert count(engine, store.REJECTED) == 0 and count(engine, store.EVENTS) == 0 and offset(engine) == 0
    # Back: the next sync reads the same rows and counts them all.
    assert sql_source.sync(sync_engine, broker) == len(known_events())
    assert_known_figures(engine)
    assert count(engine, store.REJECTED) == 1
    if sync_engine is not engine:
        sync_engine.dispose()


def test_an_outage_in_the_middle_of_a_batch_rolls_the_batch_back_and_sets_nothing_aside(engine, broker,
                                                                                        monkeypatch):
    """The database failing after part of a batch was applied (an ``OperationalError`` raised
    from the ninth event on, as a connection lost mid-batch raises it): the batch is undone,
    none of its rows set aside, and the next sync counts everything once."""
    publish(broker, [json.dumps(event) for event in known_events()])
    ingest, calls = store.ingest, []

    def failing(connection, event, zone):
        calls.append(event)
        if len(calls) >= 9:
            raise sa_exc.OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))
        return ingest(connection, event, zone)

    monkeypatch.setattr(store, "ingest", failing)
    with pytest.raises(sa_exc.OperationalError):
        sql_source.sync(engine, broker)
    assert count(engine, store.REJECTED) == 0 and count(engine, store.EVENTS) == 0 and offset(engine) == 0
    monkeypatch.setattr(store, "ingest", ingest)
    assert sql_source.sync(engine, broker) == len(known_events())
    assert_known_figures(engine)
    assert count(engine, store.REJECTED) == 0
