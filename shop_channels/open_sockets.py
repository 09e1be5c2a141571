"""How many TCP connections one client address, and all of them together, may hold open on
this Rasa server, and how long a connection may sit without a request.

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
- at most ``RASA_MAX_OPEN_SOCKETS`` connections open at once over all addresses (behind a
  proxy too): the cap above is per address, so many addresses together (a botnet, or one
  machine with a block of addresses) could still open connections until ``accept`` failed for
  want of descriptors — and then so did everything else the server opens (the action server's
  connections, the conversation store, Redis, its log). One more is closed as it is accepted,
  logged once a minute; connections already open are served as before. By default three
  quarters of the process's descriptor limit (``ulimit -n``), the rest kept for those files;
- a connection with no request in progress is closed after ``RASA_IDLE_CONNECTION_TIMEOUT_S``
  (Sanic's ``KEEP_ALIVE_TIMEOUT``, which is also how long it waits for a new connection's first
  byte; Rasa sets 120 s).
- a request head (request line and headers) must arrive whole within Sanic's
  ``REQUEST_TIMEOUT`` (60 s; ``SANIC_REQUEST_TIMEOUT``) of its first byte. Sanic documents that
  setting as how long a request may take to arrive but restarts its clock on every byte it
  reads, so a client trickling one header byte every few seconds held the connection (and its
  place under the cap above) for as long as it liked — 8 KiB of head at one byte a minute is
  almost a week. The body keeps Sanic's own per-read timeout (a large upload is slow, not idle).

Counts live in this server's memory, on the event loop (asyncio calls both hooks there).
"""
from __future__ import annotations

import logging
import time
from time import monotonic
from typing import Any, Dict, Optional

from sanic.exceptions import RequestTimeout
from sanic.http import Stage
from sanic.server.protocols.http_protocol import HttpProtocol

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

LOG_EVERY_S = 60.0
UNKNOWN = "unknown"
ALL_ADDRESSES = "*"      # the log key of refusals by the total cap (no address is "*")

_stock_made = HttpProtocol.connection_made
_stock_lost = HttpProtocol.connection_lost
_stock_check_timeouts = HttpProtocol.check_timeouts
_stock_data_received = HttpProtocol.data_received


class OpenSockets:
    def __init__(self, max_per_address: int, max_total: int = 0) -> None:
        self.max_per_address = max_per_address
        self.max_total = max_total
        self._open: Dict[str, int] = {}
        self._total = 0
        self._logged: Dict[str, float] = {}

    def open(self, address: str, capped: bool = True) -> bool:
        """Counts one more connection of ``address``; False (nothing counted) at the total cap
        or, when ``capped``, at the address's cap."""
        held = self._open.get(address, 0)
        if self.full() or (capped and self.max_per_address and held >= self.max_per_address):
            return False
        self._open[address] = held + 1
        self._total += 1
        return True

    def close(self, address: str) -> None:
        if address not in self._open:
            return
        self._total -= 1
        left = self._open[address] - 1
        if left > 0:
            self._open[address] = left
        else:
            del self._open[address]

    def held(self, address: str) -> int:
        return self._open.get(address, 0)

    def total(self) -> int:
        return self._total

    def full(self) -> bool:
        return bool(self.max_total) and self._total >= self.max_total

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


def _log_refusal(sockets: OpenSockets, address: str) -> None:
    now = time.monotonic()
    if sockets.full():
        if sockets.should_log(ALL_ADDRESSES, now):
            logger.warning("TCP connection refused: %d connections open on this server, from all addresses "
                           "(RASA_MAX_OPEN_SOCKETS; this one from %s; logged once a minute)", sockets.total(), address)
    elif sockets.should_log(address, now):
        logger.warning("TCP connection refused: client address %s holds %d connections "
                       "(RASA_MAX_SOCKETS_PER_ADDRESS; logged once a minute per address)",
                       address, sockets.held(address))


def _connection_made(self: HttpProtocol, transport: Any) -> None:
    sockets = _sockets
    if sockets is not None:
        address = _peer(transport)
        # Behind a trusted proxy every connection is the proxy's: only the total is capped.
        if not sockets.open(address, capped=not _behind_trusted_proxy(self.app)):
            _log_refusal(sockets, address)
            transport.abort()
            return
        _counted[id(self)] = address
    _stock_made(self, transport)


def _connection_lost(self: HttpProtocol, exc: Optional[BaseException]) -> None:
    address = _counted.pop(id(self), None)
    if address is not None and _sockets is not None:
        _sockets.close(address)
    _stock_lost(self, exc)


def install(max_per_address: int, max_total: int = 0) -> bool:
    """Counts connections per address and in all from now on (once; both ``0`` = no cap,
    nothing patched)."""
    global _sockets
    if not max_per_address and not max_total:
        return False
    if _sockets is None:
        _sockets = OpenSockets(max_per_address, max_total)
    return patch_pinned([(HttpProtocol, "connection_made", _connection_made),
                         (HttpProtocol, "connection_lost", _connection_lost)],
                        {"3.6.21"}, "no cap on TCP connections", logger=logger)


def bound_idle_connections(app: Any, idle_timeout_s: float) -> None:
    """Sanic's wait for a connection's (next) request; Rasa sets 120 s after the app is made,
    so this runs before the server starts (the REST channel's listener)."""
    app.config.KEEP_ALIVE_TIMEOUT = idle_timeout_s



def _reading_head(protocol: HttpProtocol) -> bool:
    http = getattr(protocol, "_http", None)    # set once the connection task runs
    return http is not None and http.stage is Stage.REQUEST and http.request is None


def _data_received(self: HttpProtocol, data: bytes) -> None:
    # Bytes that arrive while no head is being read (idle between requests, a body, a
    # pipelined next request) start the clock for the head that follows; a head's own bytes
    # do not restart it. Kept on the connection's context (Sanic's protocols have __slots__).
    if self.conn_info is not None and not _reading_head(self):
        self.conn_info.ctx.shop_head_clock = monotonic()
    _stock_data_received(self, data)


def _check_timeouts(self: HttpProtocol) -> None:
    """Sanic's periodic timeout check, plus a total deadline on the request head: past it the
    connection is ended the way Sanic ends a request timeout (408, then closed)."""
    started = getattr(self.ctx, "shop_head_clock", None) if self.conn_info is not None else None
    if (self._task and started is not None and _reading_head(self)
            and monotonic() - started > self.request_timeout):
        logger.info("request head not complete %.0f s after its first byte: connection from %s closed "
                    "(REQUEST_TIMEOUT)", self.request_timeout, _peer(self.transport) if self.transport else UNKNOWN)
        self._http.exception = RequestTimeout("Request Timeout")
        self._task.cancel()
        return
    _stock_check_timeouts(self)


def bound_request_heads() -> bool:
    """A request head must arrive whole within REQUEST_TIMEOUT of its first byte, however it
    trickles (once; Sanic's periodic timeout check enforces it). Not Sanic's ``Http`` methods:
    its TouchUp recompiles those from their source when the server starts."""
    return patch_pinned([(HttpProtocol, "data_received", _data_received),
                         (HttpProtocol, "check_timeouts", _check_timeouts)],
                        {"3.6.21"}, "a request head may trickle in for ever", logger=logger)
