"""A Redis lock store whose holds are leases: renewed while their server is alive, gone
within seconds once it is not. Used by the scale-out setup (deploy/endpoints.scale*.yml:
``lock_store: type: shop_channels.lock_store.LeasedRedisLockStore``).

Rasa serialises the turns of one conversation with a ticket lock in Redis. Every ticket
expires ``TICKET_LOCK_LIFETIME`` seconds after it was *issued*, and nothing renews it. That
forces a bad choice:
- a long lifetime (Rasa's default, 60 s): a server that dies mid-turn blocks its
  conversations for up to a minute (shoppers time out);
- a short one: a turn that waits for another (e.g. for a dead server's ticket to expire)
  can see its own ticket expire first. It then never gets the lock — Rasa's waiter only
  checks whether it is first in line, and an expired ticket is in no line — and hangs until
  the HTTP request times out (measured: 1 retried turn in 3 after killing a Rasa server
  with a 10 s lifetime).

Here every ticket is renewed while its request is alive — on each poll while it waits, and
every third of the lifetime while it holds the lock (so a turn longer than the lifetime keeps
it) — and a ticket that went missing (lost to a concurrent write, or Redis restarted) is put
back in its place. A dead server renews nothing, so its tickets expire within one lifetime.
Renewals are Redis transactions (WATCH/MULTI): they never overwrite a ticket another
server issued at the same moment.

Rasa's Redis client blocks, and Rasa calls it on the server's event loop: a Redis that does
not answer stopped every conversation on the server (not only the one waiting for its lock)
for the client's socket timeout on every poll. Here each Redis call runs on a small thread
pool of its own (``REDIS_THREADS``), so a slow or hung Redis delays only the turns that wait
for it; the client's socket timeout still bounds each call, and its error ends that turn as
before (the channel answers it).
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AsyncGenerator, Callable, Optional, Text, TypeVar

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# How often a waiting turn looks whether it is its turn (Rasa's default is 1 s).
POLL_SECONDS = 0.2
# Threads for the lock store's Redis calls: each takes well under a millisecond while Redis is
# healthy; while it hangs, they bound how many calls wait on it at once.
REDIS_THREADS = 8

T = TypeVar("T")


class LeasedRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            # What Rasa passes for `type: <module path>`: the endpoints file's settings.
            super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)
        else:
            super().__init__(**kwargs)
        self._redis_pool = ThreadPoolExecutor(max_workers=REDIS_THREADS, thread_name_prefix="lock-store-redis")

    async def _off_loop(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` (a blocking Redis call) on the lock store's threads, not the loop."""
        return await asyncio.get_running_loop().run_in_executor(self._redis_pool, functools.partial(call, *args))

    def renew(self, conversation_id: Text, number: int, lifetime: float) -> TicketLock:
        """Sets ticket ``number``'s expiry to now + ``lifetime`` (putting it back in order when
        it is missing), drops expired tickets, and returns the lock as saved."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = (TicketLock.from_dict(json.loads(raw)) if raw
                            else self.create_lock(conversation_id))
                    others = [t for t in lock.tickets if t.number != number and not t.has_expired()]
                    lock.tickets = deque(sorted([*others, Ticket(number, time.time() + lifetime)],
                                                key=lambda t: t.number))
                    pipe.multi()
                    pipe.set(key, lock.dumps())
                    pipe.execute()
                    return lock
                except redis.WatchError:
                    continue    # another server changed the lock meanwhile: read it again

    async def _keep_renewed(self, conversation_id: Text, number: int, lifetime: float, done: asyncio.Event) -> None:
        """Renews every third of the lifetime until ``done``; a renewal already running when
        ``done`` is set finishes first (a late one would put the released ticket back)."""
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=lifetime / 3)
                return
            try:
                await self._off_loop(self.renew, conversation_id, number, lifetime)
            except Exception as error:  # noqa: BLE001 - Redis away: the turn goes on, the next renewal retries
                logger.warning("could not renew the lock of conversation %s: %s", conversation_id, error)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = await self._off_loop(self.issue_ticket, conversation_id, lock_lifetime)
        done = asyncio.Event()
        keeper = asyncio.ensure_future(self._keep_renewed(conversation_id, ticket, lock_lifetime, done))
        try:
            poll = min(wait_time_in_seconds, POLL_SECONDS)
            while True:
                lock = await self._off_loop(self.renew, conversation_id, ticket, lock_lifetime)
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(poll)
            yield lock
        finally:
            # Stop renewing before letting go, or a late renewal would put the ticket back.
            done.set()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self._off_loop(self.cleanup, conversation_id, ticket)
