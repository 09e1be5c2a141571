"""An analytics database outage that does not clear is said again while it lasts
(analytics/rabbit.py ``OUTAGE_REPORT_EVERY_S``): before, the consumer logged the outage once
and then retried in silence for ever, so an operator reading the log saw a healthy consumer
while the dashboard froze. The message is still kept (never dropped) and applied once the
database is back."""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import OperationalError

from analytics import rabbit


def test_a_lasting_outage_is_reported_while_it_lasts_and_nothing_is_dropped(monkeypatch, caplog):
    monkeypatch.setattr(rabbit, "RETRY_FIRST_S", 0.001)
    monkeypatch.setattr(rabbit, "RETRY_MAX_S", 0.001)
    monkeypatch.setattr(rabbit, "OUTAGE_REPORT_EVERY_S", 0.0)
    failures_left = [5]
    applied = []

    def handle(engine, body, zone):
        if failures_left[0]:
            failures_left[0] -= 1
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        applied.append(body)

    monkeypatch.setattr(rabbit, "_handle", handle)
    caplog.set_level(logging.INFO, logger="analytics.rabbit")
    done = asyncio.run(rabbit._handle_until_done(None, b"event", rabbit.DEFAULT_TIMEZONE, asyncio.Event()))
    assert done and applied == [b"event"]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("database is unavailable" in m for m in messages) == 1
    still = [m for m in messages if "still unavailable" in m]
    assert len(still) == 4 and "none dropped" in still[-1] and "5 tries" in still[-1]
    assert any("available again" in m for m in messages)
