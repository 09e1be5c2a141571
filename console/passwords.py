"""Password hashing (Argon2id, argon2-cffi's recommended parameters). The clear password
lives only in the request being handled; it is never stored, logged or echoed."""
from __future__ import annotations

from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_LENGTH = 10
# Checked against when the username is unknown, so a wrong username and a wrong password
# take the same time (no account enumeration by timing).
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


def weakness(password: str) -> Optional[str]:
    """Why a new password is refused (Chinese, for the operator), or None."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符"
    if len(password) > 256:
        return "密码过长"
    if len(set(password)) < 4:
        return "密码过于简单"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: Optional[str], password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
