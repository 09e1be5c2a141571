"""Consumer of Rasa's Pika event broker: a RabbitMQ queue → analytics tables (PostgreSQL).

Each message is applied in its own transaction and acknowledged only after the commit. If
the consumer dies in between, RabbitMQ redelivers the message and ``store.ingest`` skips it
by its key: no event is lost, none counted twice. The queue is durable and declared with
the same name as in the endpoints file (``queues:``), so events published while the
consumer is down wait for it. Run one consumer per queue (turns are built in event order).

What can go wrong, and what the consumer does (README, "When something fails"):

- RabbitMQ accepts the connection and never answers: the connect gives up after
  ``CONNECT_TIMEOUT_S`` with a ``ConnectionError`` naming RabbitMQ (aio-pika's connect has no
  limit of its own: it waited in the handshake for ever). Reconnects after the connection was
  lost are bounded the same way and tried again until RabbitMQ answers.
- The analytics database is unreachable or locked (``OperationalError`` /
  ``InterfaceError``, or a connection SQLAlchemy found broken): the message is *not*
  acknowledged and the same message is tried again, backing off from ``RETRY_FIRST_S`` to
  ``RETRY_MAX_S``, logged when the outage starts, again every ``OUTAGE_REPORT_EVERY_S`` while
  it lasts (how long, how many tries) and when it ends; nothing is dropped and the
  messages behind it keep their order.
- A message that cannot be applied (not JSON, not a Rasa event, or any other error while
  applying it: a timestamp out of range, a value the database refuses): its transaction is
  rolled back, it is recorded in ``analytics_rejected_events`` (the body, the error, when)
  and acknowledged, so one bad message neither stops the consumer nor holds up the good
  ones behind it (before, the error stopped the consumer and the redelivered message stopped
  it again on every start).

- RabbitMQ down, the consumer cut off from it, or not running: it records every
  ``STATUS_EVERY_S`` whether it holds its connection (``store.CONSUMER_STATUS``), and the
  console tells admins (``analytics.consumer_health``); before, only this log said so.

    python -m analytics consume-rabbitmq [--url amqp://...] [--queue shop_analytics]
"""
from __future__ import annotations

import asyncio
import logging
import signal
import time
from datetime import datetime, timezone as dt_timezone, tzinfo
from typing import Optional

import aio_pika
from sqlalchemy.engine import Engine

from analytics import store
from analytics.consumer_health import STATUS_EVERY_S
from analytics.settings import DEFAULT_TIMEZONE

logger = logging.getLogger(__name__)
PREFETCH = 100
CONNECT_TIMEOUT_S = 10.0
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 30.0
# While an outage lasts, it is said again this often (the log's error, with how long and how
# many tries).
OUTAGE_REPORT_EVERY_S = 300.0


def _apply(engine: Engine, body: bytes, zone: tzinfo = DEFAULT_TIMEZONE) -> bool:
    """Apply one message in its own transaction (``store.apply_message``, the rule the SQL
    broker's consumer follows too). Raises ``Rejected`` for a message that can never be
    applied, and the database's error when the database is unavailable."""
    with engine.begin() as connection:
        return store.apply_message(connection, body, zone)


def _handle(engine: Engine, body: bytes, zone: tzinfo) -> None:
    """Apply the message, or record it as rejected; the database's unavailability is raised."""
    try:
        _apply(engine, body, zone)
    except store.Rejected as rejected:
        recorded = store.record_rejected(engine, body, str(rejected))
        logger.error("analytics: a message that cannot be applied was set aside in %s (%s): %s",
                     store.REJECTED.name, "recorded" if recorded else "recorded before", rejected)


async def _handle_until_done(engine: Engine, body: bytes, zone: tzinfo, stop: asyncio.Event) -> bool:
    """``_handle`` in a worker thread, again and again while the database is unavailable
    (backing off). False when ``stop`` came first: the message stays unacknowledged."""
    delay = RETRY_FIRST_S
    failing = False
    since = next_report = 0.0
    tries = 0
    while True:
        try:
            await asyncio.to_thread(_handle, engine, body, zone)
        except Exception as error:  # noqa: BLE001 - only the database's unavailability is retried
            if not store.database_unavailable(error):
                raise
            now = time.monotonic()
            tries += 1
            if not failing:
                logger.error("analytics: the database is unavailable (%s); the message is kept and tried "
                             "again, backing off up to %g s", error.__class__.__name__, RETRY_MAX_S)
                since, next_report = now, now + OUTAGE_REPORT_EVERY_S
            elif now >= next_report:
                # An outage that never clears was said once and then nothing: to an operator
                # reading the log the consumer looked healthy while the dashboard froze.
                logger.error("analytics: the database is still unavailable after %d s (%s, %d tries); events wait "
                             "in RabbitMQ, none dropped; the dashboard shows nothing newer until it is back",
                             now - since, error.__class__.__name__, tries)
                next_report = now + OUTAGE_REPORT_EVERY_S
            failing = True
            try:
                await asyncio.wait_for(stop.wait(), delay)
                return False
            except asyncio.TimeoutError:
                delay = min(delay * 2, RETRY_MAX_S)
            continue
        if failing:
            logger.warning("analytics: the database is available again (after %d s)", time.monotonic() - since)
        return True


class BoundedRobustConnection(aio_pika.RobustConnection):
    """aio-pika's reconnecting connection with every attempt bounded by ``CONNECT_TIMEOUT_S``:
    its reconnects (after RabbitMQ went away) pass no timeout, so one made to a RabbitMQ
    that accepts and does not answer waited in the handshake for ever and the consumer never
    came back, even once RabbitMQ did. A timed-out attempt is tried again (aio-pika's loop)."""

    async def connect(self, timeout=None) -> None:
        await super().connect(CONNECT_TIMEOUT_S if timeout is None else timeout)


async def _connect(url: str) -> aio_pika.abc.AbstractRobustConnection:
    try:
        return await asyncio.wait_for(aio_pika.connect_robust(url, timeout=CONNECT_TIMEOUT_S,
                                                              connection_class=BoundedRobustConnection),
                                      CONNECT_TIMEOUT_S + 1)
    except asyncio.TimeoutError:
        host = url.rsplit("@", 1)[-1]     # no password in the message
        raise ConnectionError(f"RabbitMQ at {host} did not answer within {CONNECT_TIMEOUT_S:g} s") from None


async def consume(engine: Engine, url: str, queue_name: str, stop: Optional[asyncio.Event] = None,
                  zone: tzinfo = DEFAULT_TIMEZONE) -> None:
    stop = stop or asyncio.Event()
    connection = await _connect(url)
    status = asyncio.ensure_future(_report_status(engine, queue_name, connection, STATUS_EVERY_S))
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
                # Database work off the consumer's event loop; ack only after the commit (or
                # after the message was recorded as rejected).
                if not await _handle_until_done(engine, message.body, zone, stop):
                    break
                await message.ack()
    finally:
        status.cancel()
        await asyncio.gather(status, return_exceptions=True)
        await connection.close()


async def _report_status(engine: Engine, queue_name: str, connection: aio_pika.abc.AbstractRobustConnection,
                         every_s: float) -> None:
    """Every ``every_s``: whether ``connection`` is up, in the analytics database (a worker
    thread). A database that does not answer is the console's own banner; skipped here."""
    while True:
        connected = connection.connected.is_set() and not connection.is_closed
        now = datetime.now(dt_timezone.utc).replace(tzinfo=None)
        try:
            await asyncio.to_thread(store.record_consumer_status, engine, queue_name, connected, now)
        except Exception as error:  # noqa: BLE001 - the status is best effort, consuming goes on
            logger.debug("analytics: consumer status not recorded (%s)", error.__class__.__name__)
        await asyncio.sleep(every_s)


def run(engine: Engine, url: str, queue_name: str, zone: tzinfo = DEFAULT_TIMEZONE) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await consume(engine, url, queue_name, stop, zone)

    asyncio.run(main())
