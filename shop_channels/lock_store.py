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
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from typing import Any, AsyncGenerator, Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# How often a waiting turn looks whether it is its turn (Rasa's default is 1 s).
POLL_SECONDS = 0.2


class LeasedRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            # What Rasa passes for `type: <module path>`: the endpoints file's settings.
            super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)
        else:
            super().__init__(**kwargs)

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

    async def _keep_renewed(self, conversation_id: Text, number: int, lifetime: float) -> None:
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                self.renew(conversation_id, number, lifetime)
            except Exception as error:  # noqa: BLE001 - Redis away: the turn goes on, the next renewal retries
                logger.warning("could not renew the lock of conversation %s: %s", conversation_id, error)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.ensure_future(self._keep_renewed(conversation_id, ticket, lock_lifetime))
        try:
            poll = min(wait_time_in_seconds, POLL_SECONDS)
            while True:
                lock = self.renew(conversation_id, ticket, lock_lifetime)
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(poll)
            yield lock
        finally:
            # Stop renewing before letting go, or a late renewal would put the ticket back.
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            self.cleanup(conversation_id, ticket)
