"""Failed console sign-ins, counted per account name and per client address.

After ``per_account`` failures for one user name, or ``per_client`` failures from one
address (any names: password spraying), within ``lock`` time, sign-in for that name (or from
that address) is refused for ``lock`` without checking the password. Names are counted
whether or not an account has them, and a locked name gets the same answer either way, so
the lock tells nobody which accounts exist. A success clears its name's count, not its
address's (an attacker holding one account cannot reset the count for guessing others).

Kept in the console process's memory: one console per shop (README); a restart forgets the
counts, which an attacker cannot cause. The client address is the TCP peer: behind the
shop's proxy every sign-in shares it, so raise ``CONSOLE_SIGNIN_MAX_FAILURES_PER_CLIENT``
there. At most ``max_keys`` names and addresses are tracked (a flood of random names
cannot grow memory without bound); the oldest are forgotten first.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

logger = logging.getLogger("console.accounts")

Key = Tuple[str, str]


@dataclass
class _Entry:
    failures: List[float] = field(default_factory=list)
    locked_until: float = 0.0


class SignInLimits:
    def __init__(self, per_account: int, per_client: int, lock_s: float, max_keys: int = 10_000) -> None:
        self.limits = {"account": per_account, "client": per_client}
        self.lock_s = lock_s
        self.max_keys = max_keys
        self._entries: Dict[Key, _Entry] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, client: Optional[str]) -> List[Key]:
        return [("account", username.strip().lower()), ("client", client or "unknown")]

    def retry_after(self, username: str, client: Optional[str], now: float) -> float:
        """Seconds until this name may try again from this address (0: it may now)."""
        with self._lock:
            waits = [entry.locked_until - now for key in self._keys(username, client)
                     if (entry := self._entries.get(key)) is not None]
        return max([0.0] + waits)

    def failed(self, username: str, client: Optional[str], now: float) -> None:
        with self._lock:
            for key in self._keys(username, client):
                entry = self._entries.pop(key, None) or _Entry()
                self._entries[key] = entry          # re-inserted: most recently used last
                entry.failures = [t for t in entry.failures if t > now - self.lock_s] + [now]
                if len(entry.failures) >= self.limits[key[0]]:
                    entry.locked_until, entry.failures = now + self.lock_s, []
                    logger.warning("console sign-in locked for %d s after %d failures: %s %r",
                                   self.lock_s, self.limits[key[0]], key[0], key[1])
            while len(self._entries) > self.max_keys:
                self._entries.pop(next(iter(self._entries)))

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._entries.pop(self._keys(username, None)[0], None)
