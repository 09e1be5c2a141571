"""Rasa's SQL event broker, with its writes moved off the Rasa server's event loop.

Rasa's ``SQLEventBroker.publish`` opens a session and commits one row per event on the
thread that runs the server's event loop: every turn (5–10 events) would wait for as many
SQLite commits. This subclass keeps Rasa's table and row format (``events``: id, sender_id,
data as JSON) but only puts the event on a queue; one writer thread commits whatever is
queued in one transaction. ``close`` (server shutdown) drains the queue.

Configured in endpoints.yml as ``event_broker: type: analytics.broker.BackgroundSQLEventBroker``;
the file is ``ANALYTICS_EVENTS_DB_PATH`` (``analytics.settings``, read when Rasa builds the
broker at start-up) unless ``db:`` says otherwise.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from asyncio import AbstractEventLoop
from typing import Any, Dict, Optional, Text

import sqlalchemy
from rasa.core.brokers.sql import SQLEventBroker
from rasa.utils.endpoints import EndpointConfig

from analytics.settings import load_settings
from shop.db.engine import adopt_conversation_log_engine, is_sqlite_file

logger = logging.getLogger(__name__)

MAX_BATCH = 500
BATCH_WAIT_S = 0.05
_STOP = object()


class BackgroundSQLEventBroker(SQLEventBroker):
    def __init__(self, dialect: Text = "sqlite", host: Optional[Text] = None, port: Optional[int] = None,
                 db: Optional[Text] = None, username: Optional[Text] = None,
                 password: Optional[Text] = None) -> None:
        if not db and dialect == "sqlite":
            path = load_settings().events_db_path
            path.parent.mkdir(parents=True, exist_ok=True)
            db = str(path)
        super().__init__(dialect, host, port, db or "events", username, password)
        # A SQLite file: WAL (the consumer reads while the writer appends, neither waits for
        # the other), synchronous=NORMAL (no fsync per batch) and the writer's connection kept
        # open (Rasa's engine opened and closed one per batch): conversation_log_engine.
        adopt_conversation_log_engine(self)
        if is_sqlite_file(self.engine.url):
            with self.engine.connect():
                pass   # WAL from now on, also for a reader that comes before the first write
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._writer = threading.Thread(target=self._write_forever, name="event-broker-writer", daemon=True)
        self._writer.start()

    @classmethod
    async def from_endpoint_config(cls, broker_config: EndpointConfig,
                                   event_loop: Optional[AbstractEventLoop] = None) -> "BackgroundSQLEventBroker":
        return cls(host=broker_config.url, **broker_config.kwargs)

    def publish(self, event: Dict[Text, Any]) -> None:
        # Serialised here so a later change to the dict by Rasa cannot alter what is stored.
        self._queue.put((event.get("sender_id"), json.dumps(event)))

    def _write_forever(self) -> None:
        table = self.SQLBrokerEvent.__table__
        while True:
            items = [self._queue.get()]
            # A turn publishes its 5-10 events one by one: collect them for a moment and write
            # them in one transaction, instead of waking (and taking the GIL from the server's
            # loop) and committing for each (bench/TURN_COST.md).
            time.sleep(BATCH_WAIT_S)
            while len(items) < MAX_BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            rows = [item for item in items if isinstance(item, tuple)]
            if rows:
                self._write(table, rows)
            for item in items:
                if isinstance(item, _FlushMarker):
                    item.done.set()
            if any(item is _STOP for item in items):
                return

    def _write(self, table, batch) -> None:
        rows = [{"sender_id": sender, "data": data} for sender, data in batch]
        for attempt in range(3):
            try:
                with self.engine.begin() as connection:
                    connection.execute(table.insert(), rows)
                return
            except sqlalchemy.exc.OperationalError:
                logger.exception("event broker: writing %d events failed (attempt %d)", len(rows), attempt + 1)
        logger.error("event broker: %d events dropped after 3 failed writes", len(rows))

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything published so far is written (tests, shutdown)."""
        done = threading.Event()
        self._queue.put(_FlushMarker(done))
        done.wait(timeout)

    async def close(self) -> None:
        self._queue.put(_STOP)
        self._writer.join(timeout=10)


class _FlushMarker:
    def __init__(self, done: threading.Event) -> None:
        self.done = done
