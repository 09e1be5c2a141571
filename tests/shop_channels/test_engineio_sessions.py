"""engine.io sessions that never send socket.io's CONNECT (shop_channels/socketio.py,
shop_channels/client_limits.py). The socket.io cap counts connections at socket.io's CONNECT;
a client that only opens engine.io sessions (the polling or websocket handshake) was counted
by no limit, and each session is held until the ping timeout. Now one address holds at most
CLIENT_MAX_CONNECTIONS of them; one more is refused at the engine.io handshake (engine.io's
connect handler returns False: HTTP 401), logged, and a closed session gives its place back."""
from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from shop_channels import client_limits
from shop_channels.client_limits import ClientLimits
from shop_channels.socketio import ShopSocketIOInput


def _environ(address: str) -> dict:
    return {"sanic.request": SimpleNamespace(remote_addr=address, ip=address)}


async def _handshakes(eio, address: str, count: int, first: int = 0) -> list:
    # The call engine.io makes at each handshake (AsyncServer._handle_connect).
    return [await eio._trigger_event("connect", f"eio-{address}-{i}", _environ(address), run_async=False)
            for i in range(first, first + count)]


def test_engineio_sessions_without_connect_are_capped_per_address(monkeypatch, caplog):
    limits = ClientLimits(max_connections=3, per_minute=0)
    monkeypatch.setattr(client_limits, "_server", limits)
    channel = ShopSocketIOInput.from_credentials({"user_message_evt": "user_uttered",
                                                  "bot_message_evt": "bot_uttered",
                                                  "session_persistence": True})
    channel.blueprint(lambda message: None)
    eio = channel.sio.eio

    async def scenario():
        accepted = await _handshakes(eio, "203.0.113.9", 3)
        refused = await _handshakes(eio, "203.0.113.9", 2, first=3)
        other = await _handshakes(eio, "198.51.100.4", 1)
        # engine.io drops one session (ping timeout, close): its place is given back.
        await eio._trigger_event("disconnect", "eio-203.0.113.9-0", "ping timeout", run_async=False)
        again = await _handshakes(eio, "203.0.113.9", 1, first=10)
        return accepted, refused, other, again

    with caplog.at_level(logging.WARNING, logger="shop_channels.socketio"):
        accepted, refused, other, again = asyncio.run(scenario())
    assert all(result in (None, True) for result in accepted)
    assert refused == [False, False]                       # refused at the engine.io handshake
    assert other[0] in (None, True)                        # another address is not
    assert again[0] in (None, True)
    assert limits.open_sessions("203.0.113.9") == 3
    assert limits.open_connections("203.0.113.9") == 0     # socket.io's own count untouched
    assert "engine.io session refused: client address 203.0.113.9" in caplog.text
    # socket.io still knows the accepted sessions' environ (the stock handler ran).
    assert "eio-203.0.113.9-1" in channel.sio.environ and "eio-203.0.113.9-3" not in channel.sio.environ
