"""Time in the shop: stored as UTC, shown in China Standard Time.

China has had no daylight saving time since 1991, so a fixed +08:00 offset is exact and
needs no tz database.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def require_aware(value: datetime, name: str = "now") -> datetime:
    """Reject naive datetimes: a naive 'now' is ambiguous by 8 hours in this shop."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware, e.g. datetime.now(timezone.utc); got naive {value!r}"
        )
    return value


def china_date(value: datetime) -> date:
    """The calendar day in China of an aware datetime (what a shopper calls 'the day')."""
    return require_aware(value, "value").astimezone(CHINA_TZ).date()


def end_of_china_day(day: date) -> datetime:
    """23:59:59.999999 China time on ``day``, as an aware datetime."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=CHINA_TZ)
