"""RabbitMQ → PostgreSQL: the consumer dies after committing a message but before
acknowledging it; RabbitMQ redelivers it and the restarted consumer neither loses nor
double-counts an event. Messages are published as Rasa's Pika broker does (JSON body with
sender_id, persistent, to a durable queue)."""
from __future__ import annotations

import asyncio
import json
import os
import uuid

import aio_pika
import pytest
from sqlalchemy import func, select

from analytics import dashboard, rabbit, store
from tests.support.analytics import DAY, known_events, postgres_analytics_database, unavailable

RABBITMQ_URL = os.environ.get("ANALYTICS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]


@pytest.fixture
def postgres():
    with postgres_analytics_database("analytics_rabbit") as engine:
        yield engine


class Crash(Exception):
    pass


async def publish(queue_name: str, events) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(queue_name, durable=True)
        for event in events:
            await channel.default_exchange.publish(
                aio_pika.Message(json.dumps(event).encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=queue_name)


async def queue_length(queue_name: str) -> int:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        return queue.declaration_result.message_count


async def delete(queue_name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue_name)


async def consume_until_empty(engine, queue_name: str, expected_rows: int) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(rabbit.consume(engine, RABBITMQ_URL, queue_name, stop))
    for _ in range(200):
        await asyncio.sleep(0.1)
        with engine.connect() as connection:
            rows = connection.execute(select(func.count()).select_from(store.EVENTS)).scalar_one()
        if rows >= expected_rows and await queue_length(queue_name) == 0:
            break
    stop.set()
    await asyncio.wait_for(task, 10)


def test_a_consumer_restart_loses_and_double_counts_nothing(postgres, monkeypatch):
    queue_name = f"analytics_test_{uuid.uuid4().hex[:8]}"
    events = known_events()
    try:
        asyncio.run(publish(queue_name, []))
    except Exception as error:
        unavailable(f"RabbitMQ not reachable at {RABBITMQ_URL}: {error}")
    try:
        asyncio.run(publish(queue_name, events))
        applied = []
        real_apply = rabbit._apply

        def dies_after_the_fifth_commit(engine, body, *zone):
            result = real_apply(engine, body, *zone)
            applied.append(result)
            if len(applied) == 5:
                raise Crash("killed between commit and ack")
            return result

        monkeypatch.setattr(rabbit, "_apply", dies_after_the_fifth_commit)
        with pytest.raises(Crash):
            asyncio.run(rabbit.consume(postgres, RABBITMQ_URL, queue_name))
        with postgres.connect() as connection:
            assert connection.execute(select(func.count()).select_from(store.EVENTS)).scalar_one() == 5
        monkeypatch.setattr(rabbit, "_apply", real_apply)
        # The fifth message was committed but never acknowledged: it comes back, is skipped.
        assert asyncio.run(queue_length(queue_name)) == len(events) - 4
        asyncio.run(consume_until_empty(postgres, queue_name, len(events)))
        with postgres.connect() as connection:
            assert connection.execute(select(func.count()).select_from(store.EVENTS)).scalar_one() == len(events)
            assert connection.execute(select(func.sum(store.CONVERSATIONS.c.turns))).scalar_one() == 6
        data = dashboard.build(postgres, None, DAY, DAY)
        assert (data["conversations"], data["handed_off"], data["fallback_messages"]) == (4, 1, 1)
    finally:
        asyncio.run(delete(queue_name))
