"""The RabbitMQ consumer's status reports (analytics/rabbit.py ``_report_status``,
analytics/store.py ``analytics_consumer_status``): whether it holds its RabbitMQ connection,
kept current while it runs, "since" moved only when the state changes; a database that does
not answer stops neither the reports' loop nor the consumer."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

from sqlalchemy import create_engine

from analytics import rabbit, store


class FakeConnection:
    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.is_closed = False


async def _reports(engine, connection, changes) -> list:
    seen = []
    task = asyncio.ensure_future(rabbit._report_status(engine, "q", connection, 0.01))
    try:
        for change in changes:
            change(connection)
            await asyncio.sleep(0.1)
            seen.append(await asyncio.to_thread(store.consumer_status, engine, "q"))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return seen


def test_the_consumer_reports_its_rabbitmq_connection(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(engine)
    up, down = (lambda c: c.connected.set()), (lambda c: c.connected.clear())
    first, second, third = asyncio.run(_reports(engine, FakeConnection(), [up, down, down]))
    assert first["rabbitmq_connected"] and not second["rabbitmq_connected"]
    assert second["since"] > first["since"]                # the change moved "since"
    assert third["since"] == second["since"] and third["seen_at"] > second["seen_at"]


def test_a_database_that_does_not_answer_stops_nothing(monkeypatch):
    tries = []

    def unavailable(*args):
        tries.append(args)
        raise OSError("the analytics database does not answer")

    monkeypatch.setattr(store, "record_consumer_status", unavailable)

    async def run_a_while():
        task = asyncio.ensure_future(rabbit._report_status(SimpleNamespace(), "q", FakeConnection(), 0.01))
        await asyncio.sleep(0.2)
        alive = not task.done()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return alive

    assert asyncio.run(run_a_while())          # still reporting (trying) after failures
    assert len(tries) >= 2 and tries[0][2] is False
