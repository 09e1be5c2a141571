"""Operator console accounts and their sign-in sessions (the only SQL the console's auth runs).

Passwords never reach this module: callers pass an Argon2 hash (``console.passwords``).
Session tokens never reach the database either: only their SHA-256 is stored, so the rows
cannot be replayed as cookies.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import ConsoleSession, ConsoleUser
from shop.db.validation import NUL, text_arg
from shop.domain.clock import require_aware
from shop.domain.usernames import username_problem

ROLES = ("agent", "admin")


@dataclass(frozen=True)
class ConsoleAccount:
    id: int
    username: str
    display_name: str
    role: str
    active: bool


@dataclass(frozen=True)
class SignedIn:
    """A valid session: who, and the CSRF token forms and API calls must echo."""
    account: ConsoleAccount
    csrf_token: str
    expires_at: datetime


def _account(row: ConsoleUser) -> ConsoleAccount:
    return ConsoleAccount(id=row.id, username=row.username, display_name=row.display_name,
                          role=row.role, active=bool(row.active))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_account(session: Session, username: str, display_name: str, role: str,
                   password_hash: str, now: datetime) -> ConsoleAccount:
    require_aware(now)
    name = text_arg(username, "username", 64)
    if role not in ROLES:
        raise InvalidRequest(f"role must be one of {ROLES}, got {role!r}")
    if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
        raise InvalidRequest("password_hash must be an Argon2 hash")  # never a clear password
    problem = username_problem(name)
    if problem:
        raise InvalidRequest(problem)
    if session.execute(select(ConsoleUser.id).where(ConsoleUser.username == name)).first():
        raise InvalidRequest(f"username {name!r} is taken")
    row = ConsoleUser(username=name, display_name=text_arg(display_name, "display_name", 64),
                      role=role, password_hash=password_hash, active=True, created_at=now)
    session.add(row)
    session.flush()
    return _account(row)


def account_count(session: Session, role: Optional[str] = None) -> int:
    query = select(ConsoleUser.id)
    if role is not None:
        query = query.where(ConsoleUser.role == role)
    return len(session.execute(query).all())


def list_accounts(session: Session) -> list[ConsoleAccount]:
    rows = session.execute(select(ConsoleUser).order_by(ConsoleUser.id)).scalars().all()
    return [_account(r) for r in rows]


def password_hash_for(session: Session, username: str) -> Optional[tuple[ConsoleAccount, str]]:
    """(account, stored hash) of an active account, for checking a sign-in."""
    if not isinstance(username, str) or not username.strip() or len(username) > 64 or NUL in username:
        return None
    row = session.execute(select(ConsoleUser).where(ConsoleUser.username == username.strip(),
                                                    ConsoleUser.active.is_(True))).scalar_one_or_none()
    return (_account(row), row.password_hash) if row else None


def replace_password_hash(session: Session, account_id: int, password_hash: str) -> None:
    """After a successful sign-in with outdated hash parameters (Argon2 ``check_needs_rehash``)."""
    session.execute(update(ConsoleUser).where(ConsoleUser.id == account_id).values(password_hash=password_hash))


def set_active(session: Session, account_id: int, active: bool) -> None:
    session.execute(update(ConsoleUser).where(ConsoleUser.id == account_id).values(active=bool(active)))
    if not active:  # a disabled account is signed out everywhere at once
        session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == account_id))


def start_session(session: Session, account_id: int, token: str, csrf_token: str, now: datetime,
                  lifetime: timedelta) -> None:
    require_aware(now)
    session.add(ConsoleSession(token_hash=token_digest(token), user_id=account_id, csrf_token=csrf_token,
                               created_at=now, last_seen_at=now, last_active_at=now, expires_at=now + lifetime))
    # Expired sessions of anyone are useless rows: drop them while we are here.
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))


def session_for_token(session: Session, token: Optional[str], now: datetime,
                      idle_timeout: timedelta, activity: bool = True) -> Optional[SignedIn]:
    """The signed-in account for a cookie token, or None (unknown, expired, idle too long,
    account disabled). Every use marks the session seen (what keeps the agent on duty);
    only ``activity`` (the agent doing something, not a page's heartbeat or polling)
    restarts its idle clock, so an open tab alone does not keep a session signed in."""
    require_aware(now)
    if not isinstance(token, str) or not 20 <= len(token) <= 128:
        return None
    digest = token_digest(token)
    # The write comes first: on SQLite (WAL) a transaction that has read and then writes fails
    # at once ("database is locked", no busy wait) if another process committed in between —
    # every console request would be exposed to the action server's and the site's writes.
    # Written first, the lock is taken (waiting its busy timeout) before anything is read. An
    # expired or idle session touched here is deleted below, in the same transaction.
    session.execute(update(ConsoleSession).where(ConsoleSession.token_hash == digest).values(last_seen_at=now))
    found = session.execute(
        select(ConsoleSession, ConsoleUser).join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
        .where(ConsoleSession.token_hash == digest)
    ).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= now or row.last_active_at + idle_timeout <= now or not user.active:
        session.execute(delete(ConsoleSession).where(ConsoleSession.id == row.id))
        return None
    if activity:
        row.last_active_at = now
    return SignedIn(account=_account(user), csrf_token=row.csrf_token, expires_at=row.expires_at)


def end_session(session: Session, token: Optional[str]) -> None:
    if isinstance(token, str) and token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_digest(token)))
