"""How much one conversation may send: a flood is answered politely at the door.

The turns of one conversation run one at a time (the lock store), so a sender who floods
their own conversation only waits on themselves — but every message they send still queues
a whole turn (NLU, policies, action calls, conversation-store writes) on the server, and 40
concurrent messages from one sender held 40 turns' work for 40 s. Both input channels (REST
and the widget's socket.io) therefore ask ``SenderLimits.admit`` before anything else
happens to a message (before the hand-off gate, which writes, and before Rasa):

- at most ``max_pending`` turns of one conversation queued or running on this server
  (``SENDER_MAX_PENDING_TURNS``); one more is refused at once;
- at most ``per_minute`` messages of one conversation in each clock minute
  (``SENDER_MAX_MESSAGES_PER_MINUTE``): a flood sent one at a time is bounded too.

A refused message reaches nothing — no NLU, no conversation store, no hand-off table — and
is logged (conversation, which limit, client address). REST answers ``429 too_many_messages``
with a Chinese message and ``Retry-After``; the widget gets the same message as a bot line.
Other senders are not slowed: the check is a dictionary look-up on the event loop (and, in
the scale-out setup, one Redis ``INCR`` awaited with a bounded timeout; see below).

The key is the conversation the channel bound (sender *and* verified identity,
``shop_channels.identity``), the same key as the turn lock: a stranger who sends with a
shopper's sender id lands in another conversation and cannot use up that shopper's allowance.

Scale-out (several Rasa servers behind nginx): the pending count is per server — it bounds
the work queued on each (so a conversation has at most servers × ``max_pending`` turns in
flight). The per-minute count is shared when the lock store is Redis (the scale-out
``LeasedRedisLockStore``): it is counted in the lock store's own Redis (``INCR`` on one key
per conversation and minute, expiring after two minutes), so nginx spreading a flood over the
servers does not multiply it.

That count never blocks the event loop: it goes through an asyncio Redis client (built from
the lock store's connection settings) and waits at most ``SENDER_LIMIT_REDIS_TIMEOUT_S``. A
Redis that is down, refuses or does not answer in time makes the count fall back to this
server's memory (logged once per outage), and Redis is tried again only every
``SHARED_RETRY_S`` seconds, so during an outage no message waits for the timeout. This
fails *closed to the per-server limit*, not open and not shut: every message is still
counted and a flood is still refused (at most servers × ``per_minute`` a minute), but a
Redis fault does not refuse every shopper — this limit protects the servers' capacity, it
is not an access check, and turning a cache outage into a full outage would hand a flooder
what the limit exists to prevent. Sender ids cost nothing to make up, so a flood spread over
many conversations is a matter for the front proxy's per-address limits (nginx
``limit_req``, deploy/nginx.conf.template), not for this module.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Dict, Optional

from shop_channels.settings import DEFAULT_SENDER_LIMIT_REDIS_TIMEOUT_S, server_settings

logger = logging.getLogger(__name__)

WINDOW_S = 60
# Conversations whose minute count is kept in memory; a flood of new sender ids cannot grow
# it without bound (the oldest counts of the minute are forgotten first).
MAX_TRACKED = 50_000

# After Redis failed, how long the count stays in memory before Redis is tried again: during
# an outage no message waits for the timeout, and a Redis that is back is used within seconds.
SHARED_RETRY_S = 5
# Connections to Redis for the shared count, per server.
SHARED_CONNECTIONS = 16

TOO_MANY_MESSAGES_REPLY = "消息发得有点快啦，小柚还在处理您前面的消息。请稍等 {seconds} 秒再发送，谢谢您的耐心～"


@dataclass(frozen=True)
class Refusal:
    reason: str          # "pending" or "per_minute"
    retry_after: int     # whole seconds, at least 1

    @property
    def message(self) -> str:
        return TOO_MANY_MESSAGES_REPLY.format(seconds=self.retry_after)

    def as_json(self) -> Dict[str, Any]:
        return {"error": "too_many_messages", "message": self.message, "status": 429,
                "retry_after": self.retry_after}


class SenderLimits:
    """Per-conversation admission. ``max_pending`` / ``per_minute`` of 0 switch that limit off.
    ``clock``: wall-clock seconds (the minute windows are the same on every server).
    ``shared_timeout_s``: the longest wait for the shared count in Redis."""

    def __init__(self, max_pending: int, per_minute: int,
                 clock: Callable[[], float] = time.time, max_tracked: int = MAX_TRACKED,
                 shared_timeout_s: float = DEFAULT_SENDER_LIMIT_REDIS_TIMEOUT_S) -> None:
        self.max_pending = max_pending
        self.per_minute = per_minute
        self.clock = clock
        self.max_tracked = max_tracked
        self.shared_timeout_s = shared_timeout_s
        self._pending: Dict[str, int] = {}
        self._window = -1
        self._counts: Dict[str, int] = {}
        self._shared_down = False
        self._shared_retry_at = 0.0          # time.monotonic() before which Redis is not tried
        # One asyncio client per lock-store client and event loop (an asyncio connection
        # belongs to the loop that opened it).
        self._async_clients: Dict[tuple, Any] = {}

    def _count_locally(self, key: str, window: int) -> int:
        if window != self._window:
            self._window, self._counts = window, {}
        count = self._counts.pop(key, 0) + 1
        self._counts[key] = count           # re-inserted: most recently seen last
        while len(self._counts) > self.max_tracked:
            self._counts.pop(next(iter(self._counts)))
        return count

    def _async_client(self, red: Any) -> Any:
        """An asyncio Redis client to the lock store's Redis (Rasa's lock store holds a
        blocking one, which would stop the whole server while Redis does not answer)."""
        import redis
        import redis.asyncio

        loop = asyncio.get_running_loop()
        cache_key = (id(red), id(loop))
        cached = self._async_clients.get(cache_key)
        if cached is not None and cached[0] is red and cached[1] is loop:
            return cached[2]
        pool = red.connection_pool
        settings = pool.connection_kwargs
        options: Dict[str, Any] = {
            "db": settings.get("db", 0), "username": settings.get("username"),
            "password": settings.get("password"),
            "socket_timeout": self.shared_timeout_s, "socket_connect_timeout": self.shared_timeout_s,
            "connection_class": redis.asyncio.Connection,
        }
        if settings.get("path"):
            options.update(path=settings["path"], connection_class=redis.asyncio.UnixDomainSocketConnection)
        else:
            options.update(host=settings.get("host", "localhost"), port=settings.get("port", 6379))
        if issubclass(pool.connection_class, redis.SSLConnection):
            options.update(connection_class=redis.asyncio.SSLConnection, ssl_certfile=settings.get("ssl_certfile"),
                           ssl_keyfile=settings.get("ssl_keyfile"), ssl_ca_certs=settings.get("ssl_ca_certs"))
        # A bounded pool: a burst of messages waits for a connection (within the timeout)
        # instead of opening one each.
        client = redis.asyncio.Redis(connection_pool=redis.asyncio.BlockingConnectionPool(
            max_connections=SHARED_CONNECTIONS, timeout=None, **options))
        # Clients of a loop that has ended (tests) are dropped, not kept forever.
        self._async_clients = {k: v for k, v in self._async_clients.items() if not v[1].is_closed()}
        self._async_clients[cache_key] = (red, loop, client)
        return client

    async def _count_shared(self, red: Any, name: str) -> int:
        async with self._async_client(red).pipeline(transaction=True) as pipe:
            count, _ = await pipe.incr(name).expire(name, 2 * WINDOW_S).execute()
        return int(count)

    async def _count(self, key: str, window: int, shared: Optional[tuple]) -> int:
        if shared is not None and time.monotonic() >= self._shared_retry_at:
            red, prefix = shared
            try:
                count = await asyncio.wait_for(self._count_shared(red, f"{prefix}{window}:{key}"),
                                               timeout=self.shared_timeout_s)
                if self._shared_down:
                    self._shared_down = False
                    logger.warning("per-sender message count back in the lock store's Redis")
                return count
            except Exception as error:  # noqa: BLE001 - Redis away or slow: count here (see the module's docstring)
                self._shared_retry_at = time.monotonic() + SHARED_RETRY_S
                if not self._shared_down:
                    self._shared_down = True
                    logger.warning("per-sender message count falls back to this server's memory "
                                   "(Redis tried again every %d s): %s: %s",
                                   SHARED_RETRY_S, error.__class__.__name__, error)
        return self._count_locally(key, window)

    @contextlib.asynccontextmanager
    async def admitted(self, key: str, shared: Optional[tuple] = None) -> AsyncIterator[Optional[Refusal]]:
        """Yields None while the message may go on (counted as pending until the block ends),
        or a ``Refusal``: answer it with the refusal's message and do nothing else. The
        pending check and the count happen with no ``await`` between them, so concurrent
        messages cannot all slip in before the first is counted; the message holds its place
        while the shared minute count is awaited. ``shared``: ``lock_store_redis(app)``."""
        if self.max_pending and self._pending.get(key, 0) >= self.max_pending:
            yield Refusal("pending", 2)
            return
        self._pending[key] = self._pending.get(key, 0) + 1
        held = True
        try:
            refusal = await self._minute_refusal(key, shared)
            if refusal is not None:
                self._release(key)          # a refused message is not pending
                held = False
            yield refusal
        finally:
            if held:
                self._release(key)

    async def _minute_refusal(self, key: str, shared: Optional[tuple]) -> Optional[Refusal]:
        if not self.per_minute:
            return None
        now = self.clock()
        window = int(now // WINDOW_S)
        if await self._count(key, window, shared) > self.per_minute:
            return Refusal("per_minute", max(1, math.ceil((window + 1) * WINDOW_S - now)))
        return None

    def _release(self, key: str) -> None:
        left = self._pending[key] - 1
        if left:
            self._pending[key] = left
        else:
            del self._pending[key]

    def pending(self, key: str) -> int:
        return self._pending.get(key, 0)


def log_refusal(channel: str, key: str, refusal: Refusal, client: Optional[str]) -> None:
    logger.warning("%s message refused: too many from conversation %s (%s limit; retry after %d s; client %s)",
                   channel, key, refusal.reason, refusal.retry_after, client)


def lock_store_redis(app: Any) -> Optional[tuple]:
    """The Redis client and key prefix of the Rasa server's lock store when it is a Redis one
    (the scale-out setup), else None (the in-memory lock store of a single server)."""
    lock_store = getattr(getattr(getattr(app, "ctx", None), "agent", None), "lock_store", None)
    red = getattr(lock_store, "red", None)
    if red is None:
        return None
    # Beside the lock keys ("<prefix>:lock:<conversation>"), never among them: a sender id may
    # hold ":" and must not be able to name a counter's key.
    prefix = str(getattr(lock_store, "key_prefix", ""))
    return red, prefix.removesuffix("lock:") + "sender_rate:"


_server: Optional[SenderLimits] = None


def server_sender_limits() -> SenderLimits:
    """This Rasa server's limits, shared by both channels (built from its settings on first use)."""
    global _server
    if _server is None:
        settings = server_settings()
        _server = SenderLimits(settings.sender_max_pending_turns, settings.sender_max_messages_per_minute,
                               shared_timeout_s=settings.sender_limit_redis_timeout_s)
    return _server
