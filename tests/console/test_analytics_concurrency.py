"""Two dashboard requests at once on a new analytics file (the page's first fetch still running
when the operator picks another period) both get their figures: the embedded setup's sync of
the broker's events runs one at a time (console/analytics_pages.py)."""
from __future__ import annotations

import asyncio
import threading
from datetime import date

from analytics.broker import BackgroundSQLEventBroker
from analytics.settings import AnalyticsSettings
from console import analytics_pages
from shop.db.engine import make_engine
from shop.db.migrate import upgrade_to_head
from tests.support.analytics import known_events


def test_concurrent_dashboard_requests_on_a_new_analytics_file_all_succeed(tmp_path):
    broker = BackgroundSQLEventBroker(db=str(tmp_path / "events.db"))
    for event in known_events():
        broker.publish(event)
    broker.flush()
    asyncio.run(broker.close())
    shop = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade_to_head(shop)
    settings = AnalyticsSettings(events_db_path=tmp_path / "events.db", db_url=f"sqlite:///{tmp_path / 'analytics.db'}")
    start, results, errors = threading.Barrier(4), [], []

    def request():
        start.wait()
        try:
            results.append(analytics_pages._figures(settings, shop, date(2026, 12, 1), date(2026, 12, 1)))
        except Exception as error:  # noqa: BLE001 (the assertion below names it)
            errors.append(repr(error))

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 4 and len({r["conversations"] for r in results}) == 1 and results[0]["conversations"] > 0


def test_the_dashboard_before_rasa_ever_ran_creates_no_events_file(tmp_path):
    """A fresh install: no events.db yet. Looking at the dashboard (or ``python -m analytics
    sync``) shows empty figures and leaves no empty events.db behind (it did)."""
    from analytics import sql_source, store

    shop = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade_to_head(shop)
    events = tmp_path / "events.db"
    settings = AnalyticsSettings(events_db_path=events, db_url=f"sqlite:///{tmp_path / 'analytics.db'}")
    data = analytics_pages._figures(settings, shop, date(2026, 12, 1), date(2026, 12, 1))
    assert data["conversations"] == 0 and data["handed_off"] == 0 and data["messages"] == 0
    analytics = make_engine(settings.db_url)
    store.create_tables(analytics)
    assert sql_source.sync(analytics, sql_source.broker_engine(events)) == 0
    assert not events.exists() and not events.with_name("events.db-wal").exists()
