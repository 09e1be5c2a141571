"""engine.io sessions without a socket.io connection (shop_channels/socketio.py,
shop_channels/client_limits.py). The socket.io cap counts connections at socket.io's CONNECT;
a client that only opens engine.io sessions (the polling or websocket handshake) — or
DISCONNECTs socket.io and keeps the session — was counted by no limit, and each session is
held until the ping timeout (for ever while the client answers pings). Now one address holds
at most CLIENT_MAX_CONNECTIONS of them; one more is refused at the engine.io handshake
(engine.io's connect handler returns False: HTTP 401), logged. The packets go through
python-socketio's own handlers (CONNECT "0", DISCONNECT "1")."""
from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from shop_channels import client_limits
from shop_channels.client_limits import ClientLimits
from shop_channels.socketio import ShopSocketIOInput

ATTACKER, OTHER = "203.0.113.9", "198.51.100.4"


class EngineSocket:
    """An open engine.io session as python-socketio sees it (sends go nowhere)."""

    def __init__(self) -> None:
        self.closing = self.closed = False

    async def send(self, packet) -> None:
        pass

    async def close(self, *args, **kwargs) -> None:
        self.closed = True


def _environ(address: str) -> dict:
    return {"sanic.request": SimpleNamespace(remote_addr=address, ip=address)}


def test_engineio_sessions_without_a_connection_are_capped_per_address(monkeypatch, caplog):
    limits = ClientLimits(max_connections=2, per_minute=0)
    monkeypatch.setattr(client_limits, "_server", limits)
    channel = ShopSocketIOInput.from_credentials({"user_message_evt": "user_uttered",
                                                  "bot_message_evt": "bot_uttered",
                                                  "session_persistence": True})
    channel.blueprint(lambda message: None)
    sio = channel.sio
    eio = sio.eio

    async def handshake(eio_sid: str, address: str):
        # What engine.io does at a polling / websocket handshake (AsyncServer._handle_connect).
        result = await eio._trigger_event("connect", eio_sid, _environ(address), run_async=False)
        if result in (None, True):
            eio.sockets[eio_sid] = EngineSocket()
        return result in (None, True)

    async def scenario():
        steps = {}
        steps["first two"] = [await handshake("a0", ATTACKER), await handshake("a1", ATTACKER)]
        steps["third, no CONNECT yet on any"] = await handshake("a2", ATTACKER)
        steps["another address"] = await handshake("b0", OTHER)
        await sio._handle_eio_message("a0", "0")            # socket.io CONNECT on a0: counted there now
        steps["after a0 connected"] = await handshake("a3", ATTACKER)
        steps["pending: a1, a3"] = await handshake("a4", ATTACKER)
        steps["pending count"] = limits.open_sessions(ATTACKER)
        steps["socket.io count"] = limits.open_connections(ATTACKER)
        a0 = eio.sockets["a0"]
        await sio._handle_eio_message("a0", "1")            # DISCONNECT, engine.io session kept
        await asyncio.sleep(0.05)                           # engine.io closes the one over the cap
        steps["a0 closed"] = a0.closed and "a0" not in eio.sockets
        # engine.io drops a1 (ping timeout): its place is given back.
        await eio._trigger_event("disconnect", "a1", "ping timeout", run_async=False)
        steps["after a1 dropped"] = await handshake("a5", ATTACKER)
        return steps

    with caplog.at_level(logging.WARNING, logger="shop_channels.socketio"):
        steps = asyncio.run(scenario())
    assert steps["first two"] == [True, True]
    assert steps["third, no CONNECT yet on any"] is False      # refused at the engine.io handshake
    assert steps["another address"] is True
    assert steps["after a0 connected"] is True                 # a connected session is socket.io's count
    assert steps["pending: a1, a3"] is False
    assert steps["pending count"] == 2 and steps["socket.io count"] == 1
    assert steps["a0 closed"] is True                          # over the cap once it held no connection
    assert steps["after a1 dropped"] is True
    assert limits.open_sessions(ATTACKER) <= 2
    assert "engine.io session refused: client address 203.0.113.9" in caplog.text
    assert "engine.io session closed: client address 203.0.113.9" in caplog.text


def test_the_refusal_line_fits_a_websocket_close_reason():
    """A close frame's reason holds at most 123 bytes: a longer line could not be sent as the
    reason of a refused engine.io WebSocket (shop_channels.socketio._refuse_websocket_in_band)."""
    from shop_channels.socketio import REFUSED_CLOSE_CODE, TOO_MANY_CONNECTIONS

    assert len(TOO_MANY_CONNECTIONS.encode("utf-8")) <= 123
    assert 4000 <= REFUSED_CLOSE_CODE <= 4999             # the application's own codes
