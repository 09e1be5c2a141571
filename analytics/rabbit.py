"""Consumer of Rasa's Pika event broker: a RabbitMQ queue → analytics tables (PostgreSQL).

Each message is applied in its own transaction and acknowledged only after the commit. If
the consumer dies in between, RabbitMQ redelivers the message and ``store.ingest`` skips it
by its key: no event is lost, none counted twice. The queue is durable and declared with
the same name as in the endpoints file (``queues:``), so events published while the
consumer is down wait for it. Run one consumer per queue (turns are built in event order).

    python -m analytics consume-rabbitmq [--url amqp://...] [--queue shop_analytics]
"""
from __future__ import annotations

import asyncio
import json
import logging
import signal
from datetime import tzinfo
from typing import Optional

import aio_pika
from sqlalchemy.engine import Engine

from analytics import store
from analytics.settings import DEFAULT_TIMEZONE

logger = logging.getLogger(__name__)
PREFETCH = 100


def _apply(engine: Engine, body: bytes, zone: tzinfo = DEFAULT_TIMEZONE) -> bool:
    try:
        event = json.loads(body)
    except ValueError:
        logger.warning("analytics: a message that is not JSON was dropped")
        return False
    if not isinstance(event, dict):
        return False
    with engine.begin() as connection:
        return store.ingest(connection, event, zone)


async def consume(engine: Engine, url: str, queue_name: str, stop: Optional[asyncio.Event] = None,
                  zone: tzinfo = DEFAULT_TIMEZONE) -> None:
    stop = stop or asyncio.Event()
    connection = await aio_pika.connect_robust(url)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.declare_queue(queue_name, durable=True)
        async with queue.iterator() as messages:
            stopping = asyncio.ensure_future(stop.wait())
            iterator = messages.__aiter__()
            while not stop.is_set():
                getting = asyncio.ensure_future(iterator.__anext__())
                done, _ = await asyncio.wait({getting, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if getting not in done:
                    getting.cancel()
                    break
                message = getting.result()
                # Database work off the consumer's event loop; ack only after the commit.
                await asyncio.to_thread(_apply, engine, message.body, zone)
                await message.ack()
    finally:
        await connection.close()


def run(engine: Engine, url: str, queue_name: str, zone: tzinfo = DEFAULT_TIMEZONE) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await consume(engine, url, queue_name, stop, zone)

    asyncio.run(main())
