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
there; an IPv6 client is counted by its /64 network. At most ``max_keys`` names and
addresses are tracked (a flood of random names cannot grow memory without bound); the oldest
counts are forgotten first, never a live lock (see ``_prune``).
"""
from __future__ import annotations

import ipaddress
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


def client_key(client: Optional[str]) -> str:
    """The address counted: an IPv6 client by its /64 network (one subscriber's network; its
    host bits are theirs to change for every guess), anything else as it is."""
    if not client:
        return "unknown"
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class SignInLimits:
    def __init__(self, per_account: int, per_client: int, lock_s: float, max_keys: int = 10_000) -> None:
        self.limits = {"account": per_account, "client": per_client}
        self.lock_s = lock_s
        self.max_keys = max_keys
        self._entries: Dict[Key, _Entry] = {}
        self._full_until = 0.0
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, client: Optional[str]) -> List[Key]:
        return [("account", username.strip().lower()), ("client", client_key(client))]

    def retry_after(self, username: str, client: Optional[str], now: float) -> float:
        """Seconds until this name may try again from this address (0: it may now)."""
        with self._lock:
            keys = self._keys(username, client)
            waits = [entry.locked_until - now for key in keys if (entry := self._entries.get(key)) is not None]
            if self._full_until > now and not all(key in self._entries for key in keys):
                # No room to count this name or address: refused until the first lock ends.
                waits.append(self._full_until - now)
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
            self._prune(now)

    def _prune(self, now: float) -> None:
        """Forget the oldest counts beyond ``max_keys`` — never a live lock: a flood of made-up
        names must not push a locked name out and give it fresh guesses. If every entry is a
        live lock there is no room to count anyone new, so sign-in is refused for names and
        addresses not in the table until the first lock ends (fails closed)."""
        if len(self._entries) <= self.max_keys:
            return
        for key in list(self._entries):            # oldest first
            if len(self._entries) <= self.max_keys:
                break
            if self._entries[key].locked_until <= now:
                del self._entries[key]
        if len(self._entries) > self.max_keys:
            self._full_until = min(entry.locked_until for entry in self._entries.values())
            logger.warning("console sign-in limits full of locks (%d): names and addresses not counted yet "
                           "are refused for %d s", len(self._entries), self._full_until - now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._entries.pop(self._keys(username, None)[0], None)
