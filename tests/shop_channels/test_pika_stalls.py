"""Rasa's RabbitMQ event broker when RabbitMQ stops answering (shop_channels/pika_backlog.py):
a real RabbitMQ (127.0.0.1:5672) behind a TCP proxy that stops forwarding mid-run, and a port
that accepts connections and never answers. Before: every event's publish waited without a
limit (thousands of tasks, each holding its event, until the heartbeat gave up minutes later)
and the Rasa server's start hung on the connect (about three minutes an attempt, 20 attempts)."""
from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.exceptions import ConnectionException
from rasa.utils.endpoints import EndpointConfig

from shop_channels import pika_backlog
from tests.support.analytics import unavailable

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"

pytestmark = pytest.mark.timeout(180)


class FreezingProxy:
    """Forwards TCP to ``target_port`` until ``frozen``; then holds every byte, both ways, with
    the connections left open (a RabbitMQ that has stopped answering). ``target_port`` None:
    accepts and never answers at all."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.frozen = False
        self.writers = []
        self.tasks = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _accept(self, reader, writer):
        self.writers.append(writer)
        if self.target_port is None:
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers.append(upstream_writer)
        self.tasks += [asyncio.ensure_future(self._pump(reader, upstream_writer)),
                       asyncio.ensure_future(self._pump(upstream_reader, writer))]

    async def _pump(self, source, sink):
        while True:
            data = await source.read(65536)
            if not data:
                break
            while self.frozen:
                await asyncio.sleep(0.05)
            sink.write(data)
            await sink.drain()

    async def stop(self):
        self.server.close()
        for task in self.tasks:
            task.cancel()
        for writer in self.writers:
            writer.close()


async def received(queue_name: str):
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        texts = []
        while True:
            message = await queue.get(fail=False, no_ack=True)
            if message is None:
                return texts
            texts.append(json.loads(message.body)["text"])


async def delete(queue_name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue_name)


def reachable() -> None:
    async def probe():
        connection = await aio_pika.connect(RABBITMQ_URL, timeout=10)
        await connection.close()
    try:
        asyncio.run(probe())
    except Exception as error:  # noqa: BLE001
        unavailable(f"RabbitMQ not reachable at {RABBITMQ_URL}: {error}")


def test_publishes_to_a_rabbitmq_that_stops_answering_are_bounded_and_sent_once_it_answers(monkeypatch):
    reachable()
    assert pika_backlog.install()
    monkeypatch.setattr(pika_backlog, "MAX_PUBLISHES_IN_FLIGHT", 20)
    monkeypatch.setattr(pika_backlog, "PUBLISH_TIMEOUT_S", 1.0)
    queue_name = f"probe_pika_stall_{uuid.uuid4().hex[:8]}"

    async def scenario():
        proxy = FreezingProxy(5672)
        port = await proxy.start()
        broker = PikaBroker(port, queue_name)
        await asyncio.wait_for(broker.connect(), 30)
        try:
            broker.publish({"event": "user", "text": "before"})
            for _ in range(100):
                await asyncio.sleep(0.05)
                if not broker._background_tasks:
                    break
            proxy.frozen = True
            for number in range(100):       # about ten turns' events while RabbitMQ is silent
                assert broker.publish({"event": "user", "text": f"stalled {number}"}) is None
            waiting = len(broker._background_tasks)
            kept = len(broker._unpublished_events)
            await asyncio.sleep(2.0)        # past PUBLISH_TIMEOUT_S: the waiting ones gave up
            after_timeout = len(broker._background_tasks), len(broker._unpublished_events)
            proxy.frozen = False
            broker.publish({"event": "user", "text": "after"})     # a success sends the backlog too
            for _ in range(300):
                await asyncio.sleep(0.1)
                if not broker._background_tasks and not broker._unpublished_events:
                    break
            left = len(broker._background_tasks), len(broker._unpublished_events)
        finally:
            await asyncio.wait_for(broker.close(), 30)
            await proxy.stop()
        return waiting, kept, after_timeout, left

    try:
        waiting, kept, after_timeout, left = asyncio.run(scenario())
        texts = asyncio.run(received(queue_name))
    finally:
        asyncio.run(delete(queue_name))
    assert waiting == 20 and kept == 80, (waiting, kept)       # at most 20 waited; the rest kept
    assert after_timeout == (0, 100), after_timeout            # none waits past the timeout
    assert left == (0, 0), left
    # Every event arrived (one that timed out while RabbitMQ was slow may arrive twice: the
    # analytics consumer skips a repeat by its key).
    assert set(texts) == {"before", "after", *(f"stalled {n}" for n in range(100))}


def PikaBroker(port: int, queue_name: str):
    from rasa.core.brokers.pika import PikaEventBroker

    return PikaEventBroker("127.0.0.1", "guest", "guest", port=port, queues=[queue_name],
                           connection_attempts=1, retry_delay_in_seconds=0,
                           event_loop=asyncio.get_running_loop())


def test_a_rabbitmq_that_never_answers_fails_the_start_in_bounded_time(monkeypatch, caplog):
    assert pika_backlog.install()
    monkeypatch.setattr(pika_backlog, "CONNECT_TIMEOUT_S", 1.0)

    async def start():
        proxy = FreezingProxy(None)
        port = await proxy.start()
        try:
            config = EndpointConfig(url="127.0.0.1", type="pika", port=port, username="guest", password="guest",
                                    queues=["never_used"], connection_attempts=2, retry_delay_in_seconds=0)
            # As the Rasa server does when it starts (rasa.core.agent.load_agent); the
            # wait_for only keeps a regression from hanging the test run.
            await asyncio.wait_for(EventBroker.create(config, asyncio.get_running_loop()), 60)
        finally:
            await proxy.stop()

    with pytest.raises(ConnectionException, match="Cannot connect to event broker"):
        asyncio.run(start())
    assert sum("attempt" in r.getMessage() and "did not answer" not in r.getMessage()
               for r in caplog.records if r.name == "shop_channels.pika_backlog") >= 2
