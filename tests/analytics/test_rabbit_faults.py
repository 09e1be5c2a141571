"""The RabbitMQ consumer under faults, with a real RabbitMQ (queues of the test's own) and the
analytics tables on SQLite and PostgreSQL:

- a message that cannot be applied is recorded in ``analytics_rejected_events`` and
  acknowledged; the consumer carries on and the good messages around it are all counted
  (before: the error stopped the consumer, and the redelivered message stopped it again);
- a database that is down (PostgreSQL refusing connections, SQLite write-locked) is waited
  for: the message is neither dropped nor set aside, and once the database is back everything
  is counted (before: the first error stopped the consumer);
- every message delivered twice counts once;
- a RabbitMQ that accepts the connection and never answers fails the connect in bounded time
  (before: the connect waited for ever)."""
from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text

from analytics import dashboard, rabbit, store
from tests.analytics.test_rabbit import RABBITMQ_URL, delete, publish, queue_length
from tests.support.analytics import DAY, POSTGRES_SERVER, backend_fixtures, known_events, unavailable
from tests.support.stack import free_port

pytestmark = [pytest.mark.timeout(180)]

backend, engine = backend_fixtures("analytics_faults")


@pytest.fixture
def queue_name():
    name = f"analytics_test_p12_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(publish(name, []))
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        unavailable(f"RabbitMQ not reachable at {RABBITMQ_URL}: {error}")
    yield name
    asyncio.run(delete(name))


def count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def assert_known_figures(engine) -> None:
    assert count(engine, store.EVENTS) == len(known_events())
    with engine.connect() as connection:
        assert connection.execute(select(func.sum(store.CONVERSATIONS.c.turns))).scalar_one() == 6
    data = dashboard.build(engine, None, DAY, DAY)
    assert (data["conversations"], data["handed_off"], data["fallback_messages"]) == (4, 1, 1)


async def wait_for(condition, attempts: int = 300) -> bool:
    for _ in range(attempts):
        if condition():
            return True
        await asyncio.sleep(0.1)
    return False


async def consume_while(engine, queue_name, done, during=None):
    """Run the consumer until ``done()`` holds and the queue is empty; ``during`` (async) runs
    meanwhile. Returns whether the consumer was still running at the end (it stops only
    when told to)."""
    stop = asyncio.Event()
    task = asyncio.create_task(rabbit.consume(engine, RABBITMQ_URL, queue_name, stop))
    try:
        if during is not None:
            await during(task)
        for _ in range(300):
            await asyncio.sleep(0.1)
            if task.done() or (done() and await queue_length(queue_name) == 0):
                break
        still_running = not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    return still_running


def poison(backend):
    """Messages that can never be applied, each for a different reason."""
    messages = [b"not json {", b"[" * 100_000, b"[1, 2, 3]", b'{"event": "user", "sender_id": 7, "timestamp": 1.0}',
                b'{"event": "user", "sender_id": "far", "timestamp": 1e20, "text": "x"}',
                b'{"event": "user", "sender_id": "nan", "timestamp": NaN, "text": "x"}',
                b'{"event": "user", "sender_id": "list", "timestamp": 1.0, "parse_data": [1]}']
    if backend == "postgresql":    # PostgreSQL's own refusals: a NUL in text, a value too long
        messages += [b'{"event": "user", "sender_id": "nul", "timestamp": 1.0, "text": "a\\u0000b"}',
                     b'{"event": "user", "sender_id": "long", "timestamp": 1.0, "parse_data": '
                     b'{"intent": {"name": "' + b"i" * 150 + b'"}}}']
    return messages


async def publish_bodies(queue_name, bodies) -> None:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        for body in bodies:
            await channel.default_exchange.publish(
                aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue_name)


def test_a_message_that_cannot_be_applied_is_set_aside_and_the_consumer_carries_on(backend, engine, queue_name):
    import json

    good = [json.dumps(event).encode() for event in known_events()]
    bad = poison(backend)
    # Bad messages first, between and last: none may hold up or lose a good one.
    bodies = bad[:2] + good[:8] + bad[2:] + good[8:] + bad[:1]
    asyncio.run(publish_bodies(queue_name, bodies))

    assert asyncio.run(consume_while(engine, queue_name, lambda: count(engine, store.EVENTS) == len(good)
                                     and count(engine, store.REJECTED) == len(bad)))
    assert_known_figures(engine)
    with engine.connect() as connection:
        rows = connection.execute(select(store.REJECTED.c.body, store.REJECTED.c.error)).all()
    assert len(rows) == len(bad)        # the repeated bad message is recorded once
    errors = {row.body: row.error for row in rows}
    assert errors["not json {"].startswith("not JSON")
    assert errors["[1, 2, 3]"] == "not an event: a JSON list"
    assert errors['{"event": "user", "sender_id": 7, "timestamp": 1.0}'] == (
        "not a Rasa event: sender_id missing or of the wrong type")
    assert "OverflowError" in next(error for body, error in errors.items() if '"far"' in body)
    assert all(error for error in errors.values())
    # Nothing is redelivered: a second consumer finds an empty queue and changes nothing.
    assert asyncio.run(queue_length(queue_name)) == 0
    assert asyncio.run(consume_while(engine, queue_name, lambda: True))
    assert count(engine, store.REJECTED) == len(bad)
    assert_known_figures(engine)


def test_a_database_that_is_down_is_waited_for_and_nothing_is_dropped(backend, engine, queue_name, monkeypatch,
                                                                        caplog):
    import json

    monkeypatch.setattr(rabbit, "RETRY_MAX_S", 1.0)
    caplog.set_level(logging.INFO, logger="analytics.rabbit")
    asyncio.run(publish_bodies(queue_name, [json.dumps(event).encode() for event in known_events()]))
    consumer_engine, down, back = database_outage(backend, engine)

    async def outage(task):
        down()
        try:
            # The consumer hits the outage, says so, and keeps running (retrying the message).
            assert await wait_for(lambda: any("database is unavailable" in r.getMessage() for r in caplog.records)
                                  or task.done())
            await asyncio.sleep(1.5)    # several retries
            assert not task.done(), task.exception()
        finally:
            back()

    try:
        assert asyncio.run(consume_while(consumer_engine, queue_name,
                                         lambda: count(engine, store.EVENTS) == len(known_events()), outage))
    finally:
        if consumer_engine is not engine:
            consumer_engine.dispose()
    assert count(engine, store.REJECTED) == 0          # not the messages' fault: none set aside
    assert_known_figures(engine)
    assert any("available again" in r.getMessage() for r in caplog.records)


def database_outage(backend, engine):
    """(engine for the consumer, take the database down, bring it back)."""
    if backend == "sqlite":
        # Another process holds the write lock: "database is locked" after the busy timeout.
        consumer_engine = create_engine(engine.url, connect_args={"timeout": 0.05}, future=True)
        blocker = sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)

        def down():
            blocker.execute("BEGIN EXCLUSIVE")

        def back():
            blocker.execute("COMMIT")
            blocker.close()
        return consumer_engine, down, back
    name = engine.url.database
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)

    def down():
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                               {"name": name})

    def back():
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    return engine, down, back


def test_every_message_delivered_twice_counts_once(engine, queue_name):
    import json

    events = known_events()
    # Each message twice in a row, then the whole stream again (a publisher's retry, a
    # redelivery after a crash): the figures are those of one delivery.
    bodies = [json.dumps(event).encode() for event in events for _ in range(2)]
    bodies += [json.dumps(event).encode() for event in events]
    asyncio.run(publish_bodies(queue_name, bodies))
    assert asyncio.run(consume_while(engine, queue_name, lambda: count(engine, store.EVENTS) == len(events)))
    assert_known_figures(engine)
    assert count(engine, store.TURNS) == 6
    assert count(engine, store.REJECTED) == 0


def test_a_rabbitmq_that_never_answers_fails_the_connect_in_bounded_time(tmp_path, monkeypatch):
    monkeypatch.setattr(rabbit, "CONNECT_TIMEOUT_S", 1.0)
    engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(engine)
    silent = socket.socket()
    silent.bind(("127.0.0.1", free_port()))
    silent.listen(8)          # the kernel accepts; nobody ever answers
    port = silent.getsockname()[1]

    async def consume():
        # The wait_for only keeps a regression from hanging the test run.
        await asyncio.wait_for(rabbit.consume(engine, f"amqp://guest:guest@127.0.0.1:{port}/", "never_used"), 60)

    try:
        with pytest.raises(ConnectionError, match=f"RabbitMQ at 127.0.0.1:{port}/ did not answer"):
            asyncio.run(consume())
    finally:
        silent.close()
        engine.dispose()


class Proxy:
    """TCP to RabbitMQ; ``silent``: accepts connections and never answers them (a RabbitMQ
    that hangs); ``cut()`` drops the connections it forwards."""

    def __init__(self):
        self.silent = False
        self.writers = []
        self.tasks = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", free_port())
        return self.server.sockets[0].getsockname()[1]

    async def _accept(self, reader, writer):
        self.writers.append(writer)
        if self.silent:
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", 5672)
        self.writers.append(upstream_writer)
        self.tasks += [asyncio.ensure_future(self._pump(reader, upstream_writer)),
                       asyncio.ensure_future(self._pump(upstream_reader, writer))]

    async def _pump(self, source, sink):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
        sink.close()

    def cut(self):
        for task in self.tasks:
            task.cancel()
        for writer in self.writers:
            writer.close()
        self.tasks, self.writers = [], []

    async def stop(self):
        self.server.close()
        self.cut()


def test_a_reconnect_to_a_rabbitmq_that_does_not_answer_is_tried_again(tmp_path, queue_name, monkeypatch):
    import json

    if not RABBITMQ_URL.startswith("amqp://guest:guest@127.0.0.1:5672"):
        unavailable("the proxy forwards to 127.0.0.1:5672 only")
    monkeypatch.setattr(rabbit, "CONNECT_TIMEOUT_S", 1.0)
    engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(engine)
    first, second = known_events()[:2]

    async def scenario():
        proxy = Proxy()
        port = await proxy.start()
        stop = asyncio.Event()
        url = f"amqp://guest:guest@127.0.0.1:{port}/?reconnect_interval=0.2"
        task = asyncio.create_task(rabbit.consume(engine, url, queue_name, stop))
        try:
            await publish_bodies(queue_name, [json.dumps(first).encode()])
            assert await wait_for(lambda: count(engine, store.EVENTS) == 1)
            # RabbitMQ hangs: the connection drops, and the reconnect's attempts are accepted
            # and never answered ...
            proxy.silent = True
            proxy.cut()
            assert await wait_for(lambda: len(proxy.writers) >= 2)     # at least two attempts
            # ... until it answers again: the consumer is back and reads what was published.
            proxy.silent = False
            await publish_bodies(queue_name, [json.dumps(second).encode()])
            return await wait_for(lambda: count(engine, store.EVENTS) == 2)
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, 10)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
            finally:
                await proxy.stop()
                engine.dispose()

    # In a thread of its own: before, the consumer's shutdown hung too (in the reconnect that
    # never ends), and the test must fail rather than hang.
    result = []
    runner = threading.Thread(target=lambda: result.append(asyncio.run(scenario())), daemon=True)
    runner.start()
    runner.join(90)
    assert result == [True], "the consumer did not come back once RabbitMQ answered again"
