"""The scale-out lock store (shop_channels/lock_store.py) against a real, private Redis
server: a dead server's hold expires within one lifetime, a waiting turn never loses its
place however long it waits, and a turn longer than the lifetime keeps its hold."""
from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from rasa.core.lock_store import RedisLockStore

from shop_channels.lock_store import LeasedRedisLockStore
from tests.support.scaled import PrivateRedis

LIFETIME = 1.5


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("lock-store-redis"))
    yield server.port
    server.stop()


def store(port: int, cls=LeasedRedisLockStore):
    return cls(host="127.0.0.1", port=port, db=0, key_prefix="test")


async def time_to_acquire(lock_store, conversation_id: str, limit: float) -> float:
    started = time.monotonic()

    async def acquire():
        async with lock_store.lock(conversation_id, lock_lifetime=LIFETIME):
            return time.monotonic() - started

    return await asyncio.wait_for(acquire(), timeout=limit)


def test_a_dead_servers_hold_expires_and_the_waiting_turn_goes_on(redis_port):
    conversation = f"c-{uuid.uuid4().hex}"
    # A server issued a ticket and died: nothing renews it, nothing cleans it up.
    RedisLockStore(host="127.0.0.1", port=redis_port, db=0, key_prefix="test").issue_ticket(conversation, LIFETIME)
    time.sleep(0.3)   # the retry comes a little later: its own ticket would outlive the dead one by 0.3 s
    waited = asyncio.run(time_to_acquire(store(redis_port), conversation, limit=LIFETIME * 4))
    assert LIFETIME - 0.5 < waited < LIFETIME + 1.0


def test_rasas_own_store_loses_a_waiting_turn_the_leased_one_does_not(redis_port):
    """Why the leased store exists: with Rasa's store a waiter whose ticket expires before
    the dead one never gets the lock. (With equal lifetimes that happens whenever its poll
    misses the moment between the two expiries; a dead ticket that outlives the waiter's by
    a second makes it certain here.) The leased store's waiter gets it."""
    dead = RedisLockStore(host="127.0.0.1", port=redis_port, db=0, key_prefix="test")
    conversation = f"c-{uuid.uuid4().hex}"
    dead.issue_ticket(conversation, LIFETIME + 1)
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(time_to_acquire(store(redis_port, RedisLockStore), conversation, limit=LIFETIME * 4))
    conversation = f"c-{uuid.uuid4().hex}"
    dead.issue_ticket(conversation, LIFETIME + 1)
    assert asyncio.run(time_to_acquire(store(redis_port), conversation, limit=LIFETIME * 4)) < LIFETIME + 2


def test_a_turn_longer_than_the_lifetime_keeps_its_hold(redis_port):
    conversation = f"c-{uuid.uuid4().hex}"
    events = []

    async def long_turn():
        async with store(redis_port).lock(conversation, lock_lifetime=LIFETIME):
            events.append(("long starts", time.monotonic()))
            await asyncio.sleep(LIFETIME * 3)
            events.append(("long ends", time.monotonic()))

    async def next_turn():
        await asyncio.sleep(0.2)
        async with store(redis_port).lock(conversation, lock_lifetime=LIFETIME):
            events.append(("next starts", time.monotonic()))

    async def both():
        await asyncio.gather(long_turn(), next_turn())

    asyncio.run(both())
    assert [name for name, _ in events] == ["long starts", "long ends", "next starts"]


def test_the_lock_is_gone_after_the_turn(redis_port):
    conversation = f"c-{uuid.uuid4().hex}"
    lock_store = store(redis_port)

    async def turn():
        async with lock_store.lock(conversation, lock_lifetime=LIFETIME) as lock:
            assert lock.conversation_id == conversation

    asyncio.run(turn())
    assert lock_store.get_lock(conversation) is None


def test_a_redis_that_does_not_answer_holds_only_the_turns_waiting_for_it():
    # Rasa's client blocks for its socket timeout on every call: made on the event loop, a hung
    # Redis stopped every conversation on the server, not only the one taking its lock.
    from tests.support.scaled import SilentRedis

    async def scenario(port: int):
        hung = LeasedRedisLockStore(host="127.0.0.1", port=port, db=0, key_prefix="hung", socket_timeout=1)
        served = []

        async def other_shoppers() -> None:     # what else the server's event loop runs
            while True:
                served.append(1)
                await asyncio.sleep(0.01)

        others = asyncio.ensure_future(other_shoppers())
        await asyncio.sleep(0)
        served.clear()
        failure = None
        try:
            async with hung.lock("conv-hung", lock_lifetime=LIFETIME):
                pass
        except Exception as error:  # noqa: BLE001 - what the turn sees: Redis's own error
            failure = error
        others.cancel()
        return served, failure

    with SilentRedis() as port:
        served, failure = asyncio.run(scenario(port))
    assert served, "the event loop was held while Redis did not answer"
    assert failure is not None and "Timeout" in str(failure), failure     # Rasa's LockError
