"""The events Rasa's RabbitMQ broker keeps while RabbitMQ is away: bounded; and a RabbitMQ
that stops answering neither hangs the Rasa server's start nor piles up its publishes.

Rasa's ``PikaEventBroker`` keeps every event it failed to publish in a deque, to send once the
connection is back; nothing bounds it, so a RabbitMQ outage under traffic grew the Rasa
server's memory with every turn (each event with its whole parse data) until the outage
ended — or the server ran out of memory. ``install()`` makes that deque keep the latest
``MAX_UNPUBLISHED_EVENTS``: beyond them the oldest are dropped, logged once per outage (the
conversations themselves are in the tracker store; what is lost is their analytics events).

A RabbitMQ that accepts connections but stops answering (hung, overloaded, a half-open
network path) is worse than one that is down, because nothing fails:

- Rasa's ``PikaEventBroker.publish`` starts a task per event that awaits the publisher
  confirm; with no answer each waited until the heartbeat gave the connection up (minutes),
  and nothing bounded how many waited — every turn's 5–10 events added tasks, each holding
  its event. Now at most ``MAX_PUBLISHES_IN_FLIGHT`` wait at once (more go straight to the
  bounded backlog above, logged once per stall) and each waits at most
  ``PUBLISH_TIMEOUT_S``, then counts as failed (kept in the backlog). The backlog is sent
  again when the connection is back (Rasa's reconnect callback) and, a little at a time,
  after each publish that succeeds (a stall that ends without a reconnect).
- Rasa's connect has no timeout of its own: against such a RabbitMQ the Rasa server's start
  (it connects before it serves) hung in aiormq's frame reads, about three minutes per
  attempt times Rasa's 20 attempts. Each attempt now gives up after
  ``CONNECT_TIMEOUT_S``, so a server restarted during the fault fails its start in bounded
  time with a message naming RabbitMQ.

A turn never waits for any of it: publishing is a task Rasa does not await.
(tests/shop_channels/test_pika_stalls.py: a real RabbitMQ behind a proxy that stops
forwarding, and a port that accepts and never answers.)
On the pinned Rasa only (``shop_channels.patching``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, Deque, Dict, Optional, Text

import aio_pika
import rasa.shared.core.events
from rasa.core.brokers.pika import PikaEventBroker, _create_rabbitmq_ssl_options

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
# About a minute of a busy server's events; a few KB each.
MAX_UNPUBLISHED_EVENTS = 10_000
# Publishes awaiting RabbitMQ's confirm at once; a healthy broker confirms in milliseconds,
# so this many waiting means it has stopped answering.
MAX_PUBLISHES_IN_FLIGHT = 1000
PUBLISH_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 10.0

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
    self._stalled = False


def _start_publish(self: PikaEventBroker, event: Dict[Text, Any], headers: Optional[Dict[Text, Text]]) -> None:
    # A reference to the task is kept until it is done (asyncio keeps only a weak one).
    task: asyncio.Task = self._loop.create_task(self._publish(event, headers))
    self._background_tasks.add(task)
    task.add_done_callback(self._background_tasks.discard)


def bounded_publish(self: PikaEventBroker, event: Dict[Text, Any],
                    headers: Optional[Dict[Text, Text]] = None) -> None:
    """Rasa's ``publish`` with at most ``MAX_PUBLISHES_IN_FLIGHT`` publishes waiting."""
    if len(self._background_tasks) >= MAX_PUBLISHES_IN_FLIGHT:
        if not getattr(self, "_stalled", False):
            self._stalled = True
            logger.warning("RabbitMQ is not confirming: %d events wait for it; newer ones are kept for later",
                           len(self._background_tasks))
        self._unpublished_events.append(event)
        return
    _start_publish(self, event, headers)


def drain_backlog(self: PikaEventBroker, *_: Any, **__: Any) -> None:
    """Sends kept events again, no more than there is room in flight for (Rasa's version
    looped until the backlog was empty, which the bound above would make endless)."""
    room = MAX_PUBLISHES_IN_FLIGHT - len(self._background_tasks)
    while self._unpublished_events and room > 0:
        _start_publish(self, self._unpublished_events.popleft(), None)
        room -= 1


async def bounded_publish_one(self: PikaEventBroker, event: Dict[Text, Any],
                              headers: Optional[Dict[Text, Text]] = None) -> None:
    """Rasa's ``_publish`` with the confirm awaited at most ``PUBLISH_TIMEOUT_S``."""
    if self._exchange is None:
        return
    try:
        await asyncio.wait_for(self._exchange.publish(self._message(event, headers), ""), PUBLISH_TIMEOUT_S)
    except Exception as error:  # noqa: BLE001 - as Rasa's: kept for later, logged; never the turn's failure
        logger.error("publishing an event to RabbitMQ failed (%s): kept for later",
                     error.__class__.__name__ if isinstance(error, asyncio.TimeoutError) else error)
        if self.should_keep_unpublished_messages:
            self._unpublished_events.append(event)
        if self.raise_on_failure:
            await self.close()
            raise
        return
    logger.debug("published %s", rasa.shared.core.events.remove_parse_data(event).get("event"))
    if getattr(self, "_stalled", False) and len(self._background_tasks) <= MAX_PUBLISHES_IN_FLIGHT // 2:
        self._stalled = False
        logger.warning("RabbitMQ confirms again")
    if self._unpublished_events:
        drain_backlog(self)


async def bounded_connect(self: PikaEventBroker) -> aio_pika.abc.AbstractRobustConnection:
    """Rasa's ``_connect`` with each attempt bounded by ``CONNECT_TIMEOUT_S``."""
    url = self._configure_url()
    ssl_options = _create_rabbitmq_ssl_options(self.host)
    logger.info("Connecting to RabbitMQ ...")
    last_exception: Optional[Exception] = None
    for attempt in range(self._connection_attempts):
        try:
            return await aio_pika.connect_robust(
                url=url, host=self.host, port=self.port, password=self.password, login=self.username,
                loop=self._loop, ssl=ssl_options is not None, ssl_options=ssl_options,
                timeout=CONNECT_TIMEOUT_S)
        except Exception as error:  # noqa: BLE001 - as Rasa's: anything until RabbitMQ is ready
            last_exception = error
            logger.warning("connecting to RabbitMQ at %s failed (attempt %d of %d): %s", self.host, attempt + 1,
                           self._connection_attempts, error.__class__.__name__ if isinstance(
                               error, asyncio.TimeoutError) else error)
            if attempt + 1 < self._connection_attempts:
                await asyncio.sleep(self._retry_delay_in_seconds)
    logger.error("connecting to RabbitMQ at %s failed: %r", self.host, last_exception)
    if isinstance(last_exception, asyncio.TimeoutError):
        # Rasa turns connection errors (not a timeout) into "Cannot connect to event broker."
        raise ConnectionError(f"RabbitMQ at {self.host} did not answer within {CONNECT_TIMEOUT_S:g} s")
    raise last_exception or ConnectionError("no attempt to connect to RabbitMQ was made")


def install() -> bool:
    return patch_pinned([(PikaEventBroker, "__init__", bounded_init),
                         (PikaEventBroker, "publish", bounded_publish),
                         (PikaEventBroker, "_publish", bounded_publish_one),
                         (PikaEventBroker, "_publish_unpublished_messages", drain_backlog),
                         (PikaEventBroker, "_connect", bounded_connect)], PATCHED_RASA_VERSIONS,
                        "events kept while RabbitMQ is away are not bounded, and a RabbitMQ that "
                        "does not answer is waited for without a limit", logger=logger)
