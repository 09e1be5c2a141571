"""Rasa's RabbitMQ broker keeps the events it could not publish for later: at most
MAX_UNPUBLISHED_EVENTS of them (shop_channels/pika_backlog.py), the oldest dropped, logged once."""

from __future__ import annotations

import asyncio
import logging

from rasa.core.brokers.pika import PikaEventBroker

from shop_channels import pika_backlog


class DownExchange:
    """What the broker publishes to while RabbitMQ is away."""

    async def publish(self, *_args, **_kwargs) -> None:
        raise ConnectionError("RabbitMQ is down")


def test_events_kept_while_rabbitmq_is_down_are_bounded(monkeypatch, caplog):
    assert pika_backlog.install()
    monkeypatch.setattr(pika_backlog, "MAX_UNPUBLISHED_EVENTS", 5)

    async def outage():
        broker = PikaEventBroker("127.0.0.1", "guest", "guest", queues=["q"], event_loop=asyncio.get_running_loop())
        broker._exchange = DownExchange()
        for number in range(12):
            await broker._publish({"event": "user", "text": f"消息{number}"})
        return broker

    with caplog.at_level(logging.WARNING, logger="shop_channels.pika_backlog"):
        broker = asyncio.run(outage())
    kept = [event["text"] for event in broker._unpublished_events]
    assert kept == [f"消息{number}" for number in range(7, 12)]    # the latest five, in order
    assert sum("dropped" in r.getMessage() for r in caplog.records) == 1
