"""Per-address limits of a single Rasa server (shop_channels/client_limits.py): open socket.io
connections and messages a minute of one client address over every conversation, settings."""
from __future__ import annotations

import pytest

from shop.settings import ConfigError
from shop_channels.client_limits import ClientLimits
from shop_channels.settings import (DEFAULT_CLIENT_MAX_CONNECTIONS, DEFAULT_CLIENT_MAX_MESSAGES_PER_MINUTE,
                                    load_settings)


class Clock:
    def __init__(self, now: float = 1_000_020.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_an_address_holds_at_most_max_connections_and_gets_one_back_when_one_closes():
    limits = ClientLimits(max_connections=2, per_minute=0)
    assert limits.open_connection("sid-1", "203.0.113.7")
    assert limits.open_connection("sid-2", "203.0.113.7")
    assert not limits.open_connection("sid-3", "203.0.113.7")       # the third is refused
    assert limits.open_connection("sid-4", "198.51.100.1")           # another address is not
    assert limits.open_connections("203.0.113.7") == 2
    limits.close_connection("sid-1")
    limits.close_connection("sid-1")                                 # twice: counted once
    limits.close_connection("sid-3")                                 # a refused one: nothing to give back
    assert limits.open_connections("203.0.113.7") == 1
    assert limits.open_connection("sid-5", "203.0.113.7")
    assert not limits.open_connection("sid-6", "203.0.113.7")


def test_connections_of_unknown_address_share_one_allowance():
    limits = ClientLimits(max_connections=1, per_minute=0)
    assert limits.open_connection("a", None)
    assert not limits.open_connection("b", None)


def test_messages_of_an_address_are_counted_over_every_conversation_per_clock_minute():
    clock = Clock(60 * 16_667 + 20.0)            # 20 s into a minute
    limits = ClientLimits(max_connections=0, per_minute=3, clock=clock)
    assert [limits.message_refusal("203.0.113.7") for _ in range(3)] == [None, None, None]
    refusal = limits.message_refusal("203.0.113.7")
    assert refusal is not None and refusal.reason == "per_address" and refusal.retry_after == 40
    assert refusal.as_json()["error"] == "too_many_messages" and "请稍等 40 秒" in refusal.message
    assert limits.message_refusal("198.51.100.1") is None           # another address
    clock.now += 40                                                  # the next minute
    assert limits.message_refusal("203.0.113.7") is None


def test_zero_switches_the_limits_off():
    limits = ClientLimits(max_connections=0, per_minute=0)
    assert all(limits.open_connection(f"sid-{i}", "203.0.113.7") for i in range(1000))
    assert all(limits.message_refusal("203.0.113.7") is None for _ in range(1000))


def test_the_tracked_addresses_are_bounded():
    limits = ClientLimits(max_connections=0, per_minute=5, clock=Clock(), max_tracked=10)
    for i in range(1000):
        limits.message_refusal(f"10.0.{i // 256}.{i % 256}")
    assert len(limits._counts) == 10


def test_settings_defaults_and_bad_values():
    settings = load_settings({})
    assert (settings.client_max_connections, settings.client_max_messages_per_minute) == (
        DEFAULT_CLIENT_MAX_CONNECTIONS, DEFAULT_CLIENT_MAX_MESSAGES_PER_MINUTE) == (200, 1200)
    settings = load_settings({"CLIENT_MAX_CONNECTIONS": "0", "CLIENT_MAX_MESSAGES_PER_MINUTE": "30"})
    assert (settings.client_max_connections, settings.client_max_messages_per_minute) == (0, 30)
    for name in ("CLIENT_MAX_CONNECTIONS", "CLIENT_MAX_MESSAGES_PER_MINUTE"):
        for bad in ("-1", "lots", "1.5"):
            with pytest.raises(ConfigError, match=name):
                load_settings({name: bad})
