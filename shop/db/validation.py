"""Argument checks shared by the query functions: malformed input fails before any SQL."""
from __future__ import annotations

from shop.db.errors import InvalidRequest


# PostgreSQL's text holds no NUL character: psycopg2 refuses a whole statement with one in a
# parameter (a ValueError, no database error, so callers answered a 500 while SQLite stored
# it). Text that is kept is kept without it (a NUL shows as nothing); a key looked up with
# one (a number, a sign-in name) matches nothing, on both databases alike.
NUL = "\x00"


def customer_id_arg(value) -> int:
    """Customer ids are positive integers; anything else (None, '1', True) is a caller bug."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidRequest(f"customer_id must be a positive integer, got {value!r}")
    return value


def text_arg(value, name: str, max_length: int, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{name} must be text, got {type(value).__name__}")
    text = value.replace(NUL, "").strip()
    if required and not text:
        raise InvalidRequest(f"{name} must not be empty")
    if len(text) > max_length:
        raise InvalidRequest(f"{name} is longer than {max_length} characters")
    return text or None


def number_arg(value, name: str) -> str | None:
    """An order / service number as typed: stripped text, or None when it cannot be one."""
    if not isinstance(value, str):
        raise InvalidRequest(f"{name} must be text, got {type(value).__name__}")
    text = value.strip()
    return text if 0 < len(text) <= 32 and NUL not in text else None
