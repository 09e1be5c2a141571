"""The count of one address's open TCP connections (shop_channels/open_sockets.py): a cap
per address, places given back on close, other addresses unaffected, the refusal logged at
most once a minute per address; the patched Sanic hooks close a connection over the cap
before Sanic sees it and count nothing behind a trusted proxy."""
from __future__ import annotations

from types import SimpleNamespace

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
