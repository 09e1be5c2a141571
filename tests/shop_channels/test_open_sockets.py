"""The count of open TCP connections (shop_channels/open_sockets.py): a cap per address,
places given back on close, other addresses unaffected, the refusal logged at most once a
minute per address; the patched Sanic hooks close a connection over the cap before Sanic sees
it and cap no address behind a trusted proxy; a cap on all addresses together, behind a
proxy too."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from shop_channels import open_sockets
from shop_channels.open_sockets import OpenSockets


def test_the_cap_is_per_address_and_places_are_given_back():
    sockets = OpenSockets(2)
    assert sockets.open("1.2.3.4") and sockets.open("1.2.3.4")
    assert not sockets.open("1.2.3.4") and sockets.held("1.2.3.4") == 2
    assert sockets.open("5.6.7.8")
    sockets.close("1.2.3.4")
    assert sockets.open("1.2.3.4")
    assert sockets.should_log("1.2.3.4", 100.0) and not sockets.should_log("1.2.3.4", 130.0)
    assert sockets.should_log("1.2.3.4", 161.0)


class FakeTransport:
    def __init__(self, address):
        self.address, self.aborted = address, False

    def get_extra_info(self, name):
        return (self.address, 40000) if name == "peername" else None

    def abort(self):
        self.aborted = True


def test_the_hooks_close_a_connection_over_the_cap_and_trust_the_proxy(monkeypatch):
    made, lost = [], []
    monkeypatch.setattr(open_sockets, "_stock_made", lambda protocol, transport: made.append(transport))
    monkeypatch.setattr(open_sockets, "_stock_lost", lambda protocol, exc: lost.append(protocol))
    monkeypatch.setattr(open_sockets, "_sockets", OpenSockets(1))
    direct = SimpleNamespace(config=SimpleNamespace(PROXIES_COUNT=0, REAL_IP_HEADER=None))
    first, second = SimpleNamespace(app=direct), SimpleNamespace(app=direct)
    open_sockets._connection_made(first, FakeTransport("9.9.9.9"))
    over = FakeTransport("9.9.9.9")
    open_sockets._connection_made(second, over)
    assert over.aborted and len(made) == 1              # Sanic never saw the one over the cap
    open_sockets._connection_lost(second, None)         # asyncio still reports its loss: no count
    open_sockets._connection_lost(first, None)
    assert open_sockets._sockets.held("9.9.9.9") == 0 and len(lost) == 2
    proxied = SimpleNamespace(app=SimpleNamespace(config=SimpleNamespace(PROXIES_COUNT=1, REAL_IP_HEADER=None)))
    for _ in range(3):                                  # nginx's address: its limit_conn counts
        transport = FakeTransport("10.0.0.1")
        open_sockets._connection_made(SimpleNamespace(app=proxied.app), transport)
        assert not transport.aborted


def test_many_addresses_together_meet_the_total_cap_and_places_are_given_back():
    """The per-address cap alone let many addresses together open connections until the
    server ran out of descriptors: the total is capped too, over every address."""
    sockets = OpenSockets(max_per_address=2, max_total=3)
    assert sockets.open("10.0.0.1") and sockets.open("10.0.0.2") and sockets.open("10.0.0.3")
    assert not sockets.open("10.0.0.4") and sockets.held("10.0.0.4") == 0 and sockets.total() == 3
    assert not sockets.open("10.0.0.1", capped=False)      # the total holds behind a proxy too
    sockets.close("10.0.0.2")
    sockets.close("10.0.0.9")                                # never counted: changes nothing
    assert sockets.total() == 2 and sockets.open("10.0.0.4")


def test_the_total_is_counted_behind_a_trusted_proxy_and_the_refusal_logged(monkeypatch, caplog):
    made = []
    monkeypatch.setattr(open_sockets, "_stock_made", lambda protocol, transport: made.append(transport))
    monkeypatch.setattr(open_sockets, "_stock_lost", lambda protocol, exc: None)
    monkeypatch.setattr(open_sockets, "_sockets", OpenSockets(max_per_address=1, max_total=2))
    proxied = SimpleNamespace(config=SimpleNamespace(PROXIES_COUNT=1, REAL_IP_HEADER=None))
    first, second, third = (SimpleNamespace(app=proxied) for _ in range(3))
    transports = [FakeTransport("10.0.0.1") for _ in range(3)]
    with caplog.at_level("WARNING", logger="shop_channels.open_sockets"):
        for protocol, transport in zip((first, second, third), transports):
            open_sockets._connection_made(protocol, transport)
    assert [t.aborted for t in transports] == [False, False, True] and len(made) == 2
    assert "RASA_MAX_OPEN_SOCKETS" in caplog.text
    open_sockets._connection_lost(first, None)
    assert open_sockets._sockets.total() == 1


def test_the_total_cap_defaults_to_a_share_of_the_descriptor_limit(monkeypatch):
    import resource

    from shop.settings import ConfigError
    from shop_channels.settings import load_settings

    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 4096))
    assert load_settings({}).max_open_sockets == 768
    assert load_settings({"RASA_MAX_OPEN_SOCKETS": "0"}).max_open_sockets == 0
    assert load_settings({"RASA_MAX_OPEN_SOCKETS": "50"}).max_open_sockets == 50
    monkeypatch.setattr(resource, "getrlimit", lambda which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert load_settings({}).max_open_sockets == 0
    with pytest.raises(ConfigError, match="RASA_MAX_OPEN_SOCKETS"):
        load_settings({"RASA_MAX_OPEN_SOCKETS": "-1"})
