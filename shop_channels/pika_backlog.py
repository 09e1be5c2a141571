"""The events Rasa's RabbitMQ broker keeps while RabbitMQ is away: bounded.

Rasa's ``PikaEventBroker`` keeps every event it failed to publish in a deque, to send once the
connection is back; nothing bounds it, so a RabbitMQ outage under traffic grew the Rasa
server's memory with every turn (each event with its whole parse data) until the outage
ended — or the server ran out of memory. ``install()`` makes that deque keep the latest
``MAX_UNPUBLISHED_EVENTS``: beyond them the oldest are dropped, logged once per outage (the
conversations themselves are in the tracker store; what is lost is their analytics events).
On the pinned Rasa only (``shop_channels.patching``).
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any, Deque, Dict

from rasa.core.brokers.pika import PikaEventBroker

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
# About a minute of a busy server's events; a few KB each.
MAX_UNPUBLISHED_EVENTS = 10_000

_stock_init = PikaEventBroker.__init__


class BoundedBacklog(deque):
    """A deque of at most ``MAX_UNPUBLISHED_EVENTS`` that says when it starts dropping."""

    def __init__(self) -> None:
        super().__init__(maxlen=MAX_UNPUBLISHED_EVENTS)
        self.dropping = False

    def append(self, event: Dict[str, Any]) -> None:
        if len(self) == self.maxlen and not self.dropping:
            self.dropping = True
            logger.warning("RabbitMQ unreachable: %d analytics events kept for later; older ones are now dropped",
                           self.maxlen)
        elif len(self) < (self.maxlen or 0):
            self.dropping = False
        super().append(event)


def bounded_init(self: PikaEventBroker, *args: Any, **kwargs: Any) -> None:
    _stock_init(self, *args, **kwargs)
    self._unpublished_events: Deque[Dict[str, Any]] = BoundedBacklog()


def install() -> bool:
    return patch_pinned([(PikaEventBroker, "__init__", bounded_init)], PATCHED_RASA_VERSIONS,
                        "events kept while RabbitMQ is away are not bounded", logger=logger)
