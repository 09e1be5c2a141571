"""Where the analytics data lives: one validated settings object, read once at start-up by
each process that needs it (the Rasa server's event broker, ``python -m analytics``, the
console) and passed down; a value that cannot be used is a ``ConfigError`` naming it.

VAR_DIR                    the data folder (default ``var/`` in the repository).
ANALYTICS_EVENTS_DB_PATH   the SQL event broker's SQLite file. Default: ``events.db`` beside
                           the conversation store (``TRACKER_DB_PATH``), so every setup that
                           gives the tracker its own folder (tests, benchmarks) gets its own
                           events file too; else ``$VAR_DIR/events.db``.
ANALYTICS_DB_URL           the analytics tables (SQLAlchemy URL); default ``analytics.db``
                           beside the events file.
ANALYTICS_TIMEZONE         the shop's days (IANA name, default Asia/Shanghai).
ANALYTICS_SOURCE           ``sql`` (embedded: the SQL broker's file, default) or ``rabbitmq``
                           (scale-out: the consumer fills the tables).
ANALYTICS_RABBITMQ_URL     the broker the consumer reads (default amqp://guest:guest@127.0.0.1:5672/).
ANALYTICS_QUEUE            its durable queue (default shop_analytics).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shop.settings import REPO_ROOT, ConfigError

DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")
SOURCES = ("sql", "rabbitmq")


@dataclass(frozen=True)
class AnalyticsSettings:
    events_db_path: Path = REPO_ROOT / "var" / "events.db"
    db_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'analytics.db'}"
    timezone: ZoneInfo = DEFAULT_TIMEZONE
    source: str = "sql"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    queue: str = "shop_analytics"

    @property
    def uses_rabbitmq(self) -> bool:
        """Scale-out: events arrive through RabbitMQ, not the SQL broker's file."""
        return self.source == "rabbitmq"


def _events_db_path(env: Mapping[str, str]) -> Path:
    explicit = (env.get("ANALYTICS_EVENTS_DB_PATH") or "").strip()
    if explicit:
        return Path(explicit)
    tracker = (env.get("TRACKER_DB_PATH") or "").strip()
    if tracker:
        return Path(tracker).with_name("events.db")
    return Path((env.get("VAR_DIR") or "").strip() or REPO_ROOT / "var") / "events.db"


def _timezone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"ANALYTICS_TIMEZONE must be an IANA time zone such as Asia/Shanghai, got {raw!r}") from None


def load_settings(env: Mapping[str, str] = os.environ) -> AnalyticsSettings:
    events = _events_db_path(env)
    db_url = (env.get("ANALYTICS_DB_URL") or "").strip() or f"sqlite:///{events.with_name('analytics.db')}"
    if "://" not in db_url:
        raise ConfigError(f"ANALYTICS_DB_URL must be a SQLAlchemy URL (sqlite:///…, postgresql://…), got {db_url!r}")
    source = (env.get("ANALYTICS_SOURCE") or "sql").strip().lower()
    if source not in SOURCES:
        raise ConfigError(f"ANALYTICS_SOURCE must be one of {', '.join(SOURCES)}, got {source!r}")
    rabbitmq_url = (env.get("ANALYTICS_RABBITMQ_URL") or "").strip() or AnalyticsSettings.rabbitmq_url
    if urlsplit(rabbitmq_url).scheme not in ("amqp", "amqps"):
        raise ConfigError(f"ANALYTICS_RABBITMQ_URL must be an amqp:// URL, got {rabbitmq_url!r}")
    return AnalyticsSettings(
        events_db_path=events,
        db_url=db_url,
        timezone=_timezone((env.get("ANALYTICS_TIMEZONE") or "").strip() or "Asia/Shanghai"),
        source=source,
        rabbitmq_url=rabbitmq_url,
        queue=(env.get("ANALYTICS_QUEUE") or "").strip() or AnalyticsSettings.queue,
    )
