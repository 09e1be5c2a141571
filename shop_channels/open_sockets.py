"""How many TCP connections one client address may hold open on this Rasa server, and how
long a connection may sit without a request.

``shop_channels.client_limits`` counts socket.io connections at the socket.io handshake; a
raw TCP connection that never sends a request never reaches a handshake or a handler, so it
was counted nowhere: one address could open connections until the server ran out of file
descriptors (every other shopper's connect then failed), each held for Rasa's keep-alive
timeout (120 s) — for ever when it trickled a header byte every few seconds (Sanic restarts
its clock on every byte it reads).

Sanic offers timeouts but no cap per address, so the cap is counted where a connection is
accepted (Sanic's ``HttpProtocol.connection_made``, which its websocket protocol inherits):

- at most ``RASA_MAX_SOCKETS_PER_ADDRESS`` connections of one peer address open at once; one
  more is closed as it is accepted, before a byte is read, logged once a minute per address.
  Behind a proxy the server is told to trust (``SANIC_PROXIES_COUNT`` / ``SANIC_REAL_IP_HEADER``,
  the scale-out nginx) every connection has the proxy's address, so the cap is nginx's
  ``limit_conn`` there and not counted here;
- a connection with no request in progress is closed after ``RASA_IDLE_CONNECTION_TIMEOUT_S``
  (Sanic's ``KEEP_ALIVE_TIMEOUT``, which is also how long it waits for a new connection's first
  byte; Rasa sets 120 s).

Counts live in this server's memory, on the event loop (asyncio calls both hooks there).
"""
from __future__ import annotations

import logging
import time
from typing import Any, Dict, Optional

from sanic.server.protocols.http_protocol import HttpProtocol

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

LOG_EVERY_S = 60.0
UNKNOWN = "unknown"

_stock_made = HttpProtocol.connection_made
_stock_lost = HttpProtocol.connection_lost


class OpenSockets:
    def __init__(self, max_per_address: int) -> None:
        self.max_per_address = max_per_address
        self._open: Dict[str, int] = {}
        self._logged: Dict[str, float] = {}

    def open(self, address: str) -> bool:
        """Counts one more connection of ``address``; False (nothing counted) at the cap."""
        held = self._open.get(address, 0)
        if self.max_per_address and held >= self.max_per_address:
            return False
        self._open[address] = held + 1
        return True

    def close(self, address: str) -> None:
        left = self._open.get(address, 0) - 1
        if left > 0:
            self._open[address] = left
        else:
            self._open.pop(address, None)

    def held(self, address: str) -> int:
        return self._open.get(address, 0)

    def should_log(self, address: str, now: float) -> bool:
        if now - self._logged.get(address, -LOG_EVERY_S) < LOG_EVERY_S:
            return False
        if len(self._logged) > 10_000:
            self._logged.clear()
        self._logged[address] = now
        return True


_sockets: Optional[OpenSockets] = None
# id(protocol) -> the address it was counted under (Sanic's protocols have __slots__: no
# attribute of our own fits on them); removed when the connection is lost.
_counted: Dict[int, str] = {}


def _peer(transport: Any) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, (tuple, list)) and peer else UNKNOWN


def _behind_trusted_proxy(app: Any) -> bool:
    config = getattr(app, "config", None)
    return bool(getattr(config, "PROXIES_COUNT", 0) or getattr(config, "REAL_IP_HEADER", None))


def _connection_made(self: HttpProtocol, transport: Any) -> None:
    sockets = _sockets
    if sockets is not None and not _behind_trusted_proxy(self.app):
        address = _peer(transport)
        if not sockets.open(address):
            if sockets.should_log(address, time.monotonic()):
                logger.warning("TCP connection refused: client address %s holds %d connections "
                               "(RASA_MAX_SOCKETS_PER_ADDRESS; logged once a minute per address)",
                               address, sockets.held(address))
            transport.abort()
            return
        _counted[id(self)] = address
    _stock_made(self, transport)


def _connection_lost(self: HttpProtocol, exc: Optional[BaseException]) -> None:
    address = _counted.pop(id(self), None)
    if address is not None and _sockets is not None:
        _sockets.close(address)
    _stock_lost(self, exc)


def install(max_per_address: int) -> bool:
    """Counts connections per address from now on (once; ``0`` = no cap, nothing patched)."""
    global _sockets
    if not max_per_address:
        return False
    if _sockets is None:
        _sockets = OpenSockets(max_per_address)
    return patch_pinned([(HttpProtocol, "connection_made", _connection_made),
                         (HttpProtocol, "connection_lost", _connection_lost)],
                        {"3.6.21"}, "no cap on one address's TCP connections", logger=logger)


def bound_idle_connections(app: Any, idle_timeout_s: float) -> None:
    """Sanic's wait for a connection's (next) request; Rasa sets 120 s after the app is made,
    so this runs before the server starts (the REST channel's listener)."""
    app.config.KEEP_ALIVE_TIMEOUT = idle_timeout_s
