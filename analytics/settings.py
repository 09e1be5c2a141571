"""Where the analytics data lives (environment variables, defaults for the embedded setup)."""
from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[1]


def _var_dir() -> Path:
    return Path(os.environ.get("VAR_DIR") or REPO_ROOT / "var")


def events_db_path() -> Path:
    """The SQL event broker's SQLite file. Default: beside the conversation store
    (``TRACKER_DB_PATH``), so every setup that gives the tracker its own folder (tests,
    benchmarks) gets its own events file too."""
    explicit = os.environ.get("ANALYTICS_EVENTS_DB_PATH")
    if explicit:
        return Path(explicit)
    tracker = os.environ.get("TRACKER_DB_PATH")
    if tracker:
        return Path(tracker).with_name("events.db")
    return _var_dir() / "events.db"


def analytics_db_url() -> str:
    """The analytics tables (SQLAlchemy URL). Default: ``analytics.db`` beside the events file."""
    return os.environ.get("ANALYTICS_DB_URL") or f"sqlite:///{events_db_path().with_name('analytics.db')}"


def timezone() -> ZoneInfo:
    """Days are the shop's days (China time unless told otherwise)."""
    return ZoneInfo(os.environ.get("ANALYTICS_TIMEZONE", "Asia/Shanghai"))


def rabbitmq_url() -> str:
    return os.environ.get("ANALYTICS_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def queue_name() -> str:
    return os.environ.get("ANALYTICS_QUEUE", "shop_analytics")


def uses_rabbitmq() -> bool:
    """Scale-out: events arrive through RabbitMQ, not the SQL broker's file."""
    return os.environ.get("ANALYTICS_SOURCE", "sql") == "rabbitmq"
