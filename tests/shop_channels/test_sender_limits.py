"""Per-conversation limits of the input channels (shop_channels/sender_limits.py): turns in
flight, messages a minute (in memory, and shared through the lock store's Redis), settings."""
from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from shop.settings import ConfigError
from shop_channels.sender_limits import SenderLimits, lock_store_redis
from shop_channels.settings import load_settings


class Clock:
    def __init__(self, now: float = 1_000_020.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def admit(limits: SenderLimits, key: str, shared=None):
    """``limits.admitted`` from a synchronous test: enters and leaves it on a private loop."""
    loop = asyncio.new_event_loop()
    manager = limits.admitted(key, shared)

    @contextlib.contextmanager
    def entered():
        try:
            yield loop.run_until_complete(manager.__aenter__())
        except BaseException as error:
            if not loop.run_until_complete(manager.__aexit__(type(error), error, error.__traceback__)):
                raise
        else:
            loop.run_until_complete(manager.__aexit__(None, None, None))
        finally:
            loop.close()

    return entered()


def test_turns_in_flight_are_capped_per_conversation_and_freed_when_done():
    limits = SenderLimits(max_pending=2, per_minute=0)
    with admit(limits, "a") as first, admit(limits, "a") as second:
        assert first is None and second is None and limits.pending("a") == 2
        with admit(limits, "a") as third:
            assert third is not None and third.reason == "pending" and third.retry_after >= 1
            assert "稍等" in third.message
        assert limits.pending("a") == 2          # a refused message is not counted as pending
        with admit(limits, "b") as other:      # another conversation is not held back
            assert other is None
    assert limits.pending("a") == 0
    with admit(limits, "a") as again:
        assert again is None


def test_a_turn_that_fails_or_is_cancelled_frees_its_place():
    limits = SenderLimits(max_pending=1, per_minute=0)
    with pytest.raises(RuntimeError):
        with admit(limits, "a") as admitted:
            assert admitted is None
            raise RuntimeError("the turn failed")
    assert limits.pending("a") == 0


def test_messages_a_minute_are_capped_and_the_refusal_says_when_to_retry():
    clock = Clock(60 * 1000 + 45.0)          # 45 s into a minute
    limits = SenderLimits(max_pending=0, per_minute=3, clock=clock)
    for _ in range(3):
        with admit(limits, "a") as admitted:
            assert admitted is None
    with admit(limits, "a") as refused:
        assert refused.reason == "per_minute" and refused.retry_after == 15
        body = refused.as_json()
        assert body["status"] == 429 and body["error"] == "too_many_messages" and "15 秒" in body["message"]
    with admit(limits, "b") as other:
        assert other is None
    clock.now += 15                             # the next minute
    with admit(limits, "a") as admitted:
        assert admitted is None


def test_the_minute_counts_stay_bounded_under_a_flood_of_new_senders():
    limits = SenderLimits(max_pending=0, per_minute=5, clock=Clock(), max_tracked=100)
    for i in range(1000):
        with admit(limits, f"s{i}"):
            pass
    assert len(limits._counts) <= 100


def test_both_limits_off_admit_everything():
    limits = SenderLimits(max_pending=0, per_minute=0)
    for _ in range(500):
        with admit(limits, "a") as admitted:
            assert admitted is None


def test_settings_defaults_and_bad_values():
    settings = load_settings({})
    assert settings.sender_max_pending_turns == 4 and settings.sender_max_messages_per_minute == 120
    settings = load_settings({"SENDER_MAX_PENDING_TURNS": "0", "SENDER_MAX_MESSAGES_PER_MINUTE": "30"})
    assert settings.sender_max_pending_turns == 0 and settings.sender_max_messages_per_minute == 30
    for name, value in (("SENDER_MAX_PENDING_TURNS", "-1"), ("SENDER_MAX_PENDING_TURNS", "many"),
                        ("SENDER_MAX_MESSAGES_PER_MINUTE", "1e9")):
        with pytest.raises(ConfigError, match=name):
            load_settings({name: value})


# --- scale-out: the minute count shared through the lock store's Redis ---------------------

@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    from tests.support.scaled import PrivateRedis

    server = PrivateRedis(tmp_path_factory.mktemp("sender-limits-redis"))
    yield server
    server.stop()


def lock_store(port: int):
    from shop_channels.lock_store import LeasedRedisLockStore

    return LeasedRedisLockStore(host="127.0.0.1", port=port, db=0, key_prefix="limitstest")


class App:
    """What ``lock_store_redis`` reads: ``app.ctx.agent.lock_store``."""

    def __init__(self, store) -> None:
        self.ctx = type("Ctx", (), {"agent": type("Agent", (), {"lock_store": store})()})()


def test_two_servers_share_the_minute_count_through_the_lock_stores_redis(redis_port):
    clock = Clock()
    first, second = (SenderLimits(max_pending=0, per_minute=4, clock=clock) for _ in range(2))
    shared = lock_store_redis(App(lock_store(redis_port.port)))
    assert shared is not None and shared[1] == "limitstest:sender_rate:"
    outcomes = []
    for server in (first, second) * 3:         # nginx spreads one conversation's messages
        with admit(server, "conv-shared", shared) as refusal:
            outcomes.append(refusal is None)
    assert outcomes == [True] * 4 + [False] * 2
    assert lock_store_redis(App(None)) is None  # the in-memory lock store: counted per server


def test_redis_away_counts_in_memory_and_says_so_once(redis_port, caplog):
    from tests.support.stack import free_port

    dead = lock_store_redis(App(lock_store(free_port())))
    limits = SenderLimits(max_pending=0, per_minute=2, clock=Clock())
    with caplog.at_level(logging.WARNING, logger="shop_channels.sender_limits"):
        outcomes = []
        for _ in range(3):
            with admit(limits, "conv-down", dead) as refusal:
                outcomes.append(refusal is None)
    assert outcomes == [True, True, False]     # still limited, never everyone refused
    assert sum("falls back" in r.getMessage() for r in caplog.records) == 1


@pytest.fixture
def silent_redis():
    from tests.support.scaled import SilentRedis

    with SilentRedis() as port:
        yield port


def test_a_redis_that_does_not_answer_never_holds_the_event_loop(silent_redis, caplog):
    # Rasa's lock store client waits 10 s for an answer: counted with it, every message of
    # every shopper on this server would stop for that long. The count is awaited instead,
    # for at most the configured timeout, and then counted here.
    from shop_channels.lock_store import LeasedRedisLockStore

    store = LeasedRedisLockStore(host="127.0.0.1", port=silent_redis, db=0, key_prefix="hung", socket_timeout=30)
    hung = lock_store_redis(App(store))
    limits = SenderLimits(max_pending=0, per_minute=2, clock=Clock(), shared_timeout_s=0.2)

    async def scenario():
        served = []

        async def other_shoppers() -> None:     # what else the server's event loop runs
            while True:
                served.append(1)
                await asyncio.sleep(0.01)

        others = asyncio.ensure_future(other_shoppers())
        await asyncio.sleep(0)
        served.clear()
        outcomes = []
        for _ in range(3):
            async with limits.admitted("conv-hung", hung) as refusal:
                outcomes.append(refusal is None)
        others.cancel()
        return served, outcomes

    with caplog.at_level(logging.WARNING, logger="shop_channels.sender_limits"):
        served, outcomes = asyncio.run(scenario())
    assert served, "the event loop was held while Redis did not answer"
    assert outcomes == [True, True, False]     # counted in memory: still limited
    assert sum("falls back" in r.getMessage() for r in caplog.records) == 1


def test_a_refused_or_cancelled_message_frees_its_place():
    limits = SenderLimits(max_pending=2, per_minute=1, clock=Clock())
    with admit(limits, "a") as first:
        assert first is None and limits.pending("a") == 1
    with admit(limits, "a") as refused:
        assert refused is not None and refused.reason == "per_minute" and limits.pending("a") == 0
    assert limits.pending("a") == 0


def test_the_redis_timeout_setting():
    assert load_settings({}).sender_limit_redis_timeout_s == 0.5
    assert load_settings({"SENDER_LIMIT_REDIS_TIMEOUT_S": "0.1"}).sender_limit_redis_timeout_s == 0.1
    for bad in ("0", "-1", "soon"):
        with pytest.raises(ConfigError, match="SENDER_LIMIT_REDIS_TIMEOUT_S"):
            load_settings({"SENDER_LIMIT_REDIS_TIMEOUT_S": bad})


def test_a_burst_of_messages_is_counted_in_redis_over_a_bounded_pool(redis_port, caplog):
    from shop_channels.sender_limits import SHARED_CONNECTIONS, WINDOW_S

    clock = Clock()
    limits = SenderLimits(max_pending=0, per_minute=1000, clock=clock)
    shared = lock_store_redis(App(lock_store(redis_port.port)))

    async def one() -> bool:
        async with limits.admitted("conv-burst", shared) as refusal:
            return refusal is None

    async def burst():
        admitted = await asyncio.gather(*(one() for _ in range(60)))
        pool = limits._async_client(shared[0]).connection_pool
        return admitted, len(pool._connections)

    with caplog.at_level(logging.WARNING, logger="shop_channels.sender_limits"):
        admitted, connections = asyncio.run(burst())
    assert all(admitted) and connections <= SHARED_CONNECTIONS
    assert not [r for r in caplog.records if "falls back" in r.getMessage()]
    red, prefix = shared
    assert int(red.get(f"{prefix}{int(clock.now // WINDOW_S)}:conv-burst")) == 60   # every one counted in Redis

