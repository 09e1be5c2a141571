"""Consumer of Rasa's SQL event broker: new ``events`` rows → analytics tables.

Reads rows with an id above the stored offset, in id order, and applies each batch and the
new offset in one transaction of the analytics database. A crash before the commit leaves
the offset where it was (the batch is read again); events already applied are skipped by
their key, so nothing is lost or counted twice. The offset row is written first in the
transaction, which serialises two syncs running at once (SQLite's write lock, a row lock on
PostgreSQL).

A row that cannot be applied (not JSON, not a Rasa event, or an error while applying it) is
undone alone (its own SAVEPOINT, ``store.apply_message``: the RabbitMQ consumer's rule) and
set aside in ``analytics_rejected_events`` in the same transaction, and the offset moves past
it; the good rows of the batch are counted. Before, the error rolled the whole batch back and
stopped the sync on every run after. A database that is unavailable (down, locked) rolls the
batch back and is raised: nothing is set aside, the offset stays, the next sync reads the
same rows again.
"""
from __future__ import annotations

import logging
from datetime import tzinfo
from pathlib import Path
from typing import Optional

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, inspect, select, update
from sqlalchemy.engine import Engine

from analytics import store
from analytics.settings import DEFAULT_TIMEZONE
from analytics.store import OFFSETS

logger = logging.getLogger(__name__)

BATCH = 2000
_broker_metadata = MetaData()
# Rasa's SQLEventBroker table (rasa/core/brokers/sql.py), read only.
BROKER_EVENTS = Table("events", _broker_metadata, Column("id", Integer, primary_key=True),
                      Column("sender_id", String(255)), Column("data", Text))


def broker_engine(path) -> Engine:
    """The SQL event broker's file (``AnalyticsSettings.events_db_path``), read only."""
    return create_engine(f"sqlite:///{path}", future=True,
                         connect_args={"timeout": 10})


def _has_events(broker: Engine) -> bool:
    """Whether Rasa has published anything yet. Connecting to a SQLite file that is not there
    creates it: an empty events.db appeared on a fresh install as soon as the dashboard (or
    ``python -m analytics sync``) looked, so a missing file is checked first — reading never
    creates a file, it finds an empty state."""
    url = broker.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        return False
    return inspect(broker).has_table("events")


def sync(analytics: Engine, broker: Engine, source: str = "sql-broker", limit: Optional[int] = None,
         zone: tzinfo = DEFAULT_TIMEZONE) -> int:
    """Apply every broker row not yet applied; returns how many events were new (0, and
    nothing created, before the Rasa server has published anything)."""
    if not _has_events(broker):
        return 0
    applied = read = 0
    while limit is None or read < limit:
        with analytics.begin() as connection:
            if connection.execute(update(OFFSETS).where(OFFSETS.c.source == source)
                                  .values(last_id=OFFSETS.c.last_id)).rowcount == 0:
                connection.execute(OFFSETS.insert().values(source=source, last_id=0))
            offset = connection.execute(select(OFFSETS.c.last_id).where(OFFSETS.c.source == source)).scalar_one()
            with broker.connect() as reader:
                rows = reader.execute(select(BROKER_EVENTS.c.id, BROKER_EVENTS.c.data)
                                      .where(BROKER_EVENTS.c.id > offset).order_by(BROKER_EVENTS.c.id)
                                      .limit(BATCH)).all()
            if not rows:
                return applied
            for row_id, data in rows:
                try:
                    if store.apply_message(connection, data, zone):
                        applied += 1
                except store.Rejected as rejected:
                    error = f"{source} row {row_id}: {rejected}"
                    recorded = store.reject(connection, data, error)
                    logger.error("analytics: a broker row that cannot be applied was set aside in %s (%s): %s",
                                 store.REJECTED.name, "recorded" if recorded else "recorded before", error)
            connection.execute(update(OFFSETS).where(OFFSETS.c.source == source).values(last_id=rows[-1][0]))
            read += len(rows)
    return applied
