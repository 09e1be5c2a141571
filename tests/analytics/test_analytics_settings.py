"""Analytics settings: one validated object, read at start-up and passed down."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from analytics import dashboard, store
from analytics.settings import load_settings
from shop.db.engine import make_engine
from shop.settings import ConfigError


def test_defaults_follow_the_conversation_store():
    settings = load_settings({"TRACKER_DB_PATH": "/data/run1/tracker.db"})
    assert settings.events_db_path == Path("/data/run1/events.db")
    assert settings.db_url == "sqlite:////data/run1/analytics.db"
    assert settings.timezone == ZoneInfo("Asia/Shanghai") and not settings.uses_rabbitmq
    assert settings.queue == "shop_analytics" and settings.rabbitmq_url.startswith("amqp://")
    explicit = load_settings({"ANALYTICS_EVENTS_DB_PATH": "/x/e.db", "VAR_DIR": "/v", "ANALYTICS_SOURCE": "rabbitmq"})
    assert explicit.events_db_path == Path("/x/e.db") and explicit.uses_rabbitmq
    assert load_settings({"VAR_DIR": "/v"}).events_db_path == Path("/v/events.db")


@pytest.mark.parametrize("name, value", [("ANALYTICS_TIMEZONE", "Mars/Olympus"), ("ANALYTICS_SOURCE", "kafka"),
                                         ("ANALYTICS_DB_URL", "analytics.db"),
                                         ("ANALYTICS_RABBITMQ_URL", "http://127.0.0.1:5672/")])
def test_a_bad_value_is_a_config_error_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_the_console_refuses_to_start_on_a_bad_analytics_value():
    from console.config import load_settings as console_settings

    with pytest.raises(ConfigError, match="ANALYTICS_TIMEZONE"):
        console_settings({"ANALYTICS_TIMEZONE": "nowhere"})


def test_the_time_zone_passed_down_decides_the_shop_day(tmp_path):
    """23:30 UTC on 1 December is 2 December in Shanghai and 1 December in London."""
    event = {"event": "user", "sender_id": "s1", "timestamp": 1764631800.0, "text": "你好",
             "parse_data": {"intent": {"name": "greet", "confidence": 0.99}}}
    for zone, day in ((ZoneInfo("Asia/Shanghai"), date(2025, 12, 2)), (ZoneInfo("Europe/London"), date(2025, 12, 1))):
        engine = make_engine(f"sqlite:///{tmp_path / (zone.key.replace('/', '_') + '.db')}")
        store.create_tables(engine)
        with engine.begin() as connection:
            assert store.ingest(connection, event, zone)
        data = dashboard.build(engine, None, day, day, zone)
        assert data["conversations"] == 1 and data["period"]["timezone"] == zone.key
        engine.dispose()
