"""How much one client address may open and send to this Rasa server.

The per-conversation limits (``shop_channels.sender_limits``) cannot see a flood spread over
many conversations: sender ids and socket.io sessions cost nothing to make up, so one
address could open thousands of widget connections, or send thousands of messages a minute
each from a fresh conversation. In the scale-out setup nginx limits each address in front of
the servers (``limit_req`` / ``limit_conn``, deploy/nginx.conf.template); a single server
(``make run``, scripts/run.sh) has no proxy in front of it, so the channels count here:

- at most ``max_connections`` socket.io connections of one address open at once
  (``CLIENT_MAX_CONNECTIONS``); one more is refused at the socket.io handshake
  (``connect_error`` with ``too_many_connections``), logged;
- at most as many engine.io sessions of one address *without a socket.io connection*,
  counted apart (key ``<address>~engine.io``): a client may open the engine.io session
  (polling or websocket handshake) and never send socket.io's CONNECT — or send one that is
  refused, or DISCONNECT and stay — so the count above never sees it, yet the server holds
  the session until the ping timeout (for ever while the client answers pings). Such a
  session is counted from the engine.io handshake until its socket.io CONNECT succeeds, and
  again from the socket.io DISCONNECT while engine.io stays; one more is refused at the
  engine.io handshake (HTTP 401), logged. A widget at the socket.io cap still gets the polite
  ``too_many_connections`` (its session is within this count until then);
- at most ``per_minute`` messages of one address in each clock minute, over every
  conversation and both channels (``CLIENT_MAX_MESSAGES_PER_MINUTE``): beyond it a message is
  refused before anything runs, exactly like a conversation's flood (REST ``429
  too_many_messages`` with ``Retry-After``, the widget a polite line), logged. The widget's
  ``agent_messages`` polls are counted apart (key ``<address>~poll``), with the same limit.

The defaults are nginx's (200 connections; 20 messages a second), sized for carrier NAT:
many shoppers behind one address. The address is ``shop_channels.identity.client_address``:
the peer, or the forwarded client when the server is told to trust its proxy
(``SANIC_PROXIES_COUNT``). Behind a proxy it is not told to trust, every client has the
proxy's address and shares these allowances (the channels log that once).

Counts live in this server's memory: dictionary look-ups on the event loop, bounded
(``MAX_TRACKED`` addresses per minute). ``0`` switches a limit off.
"""
from __future__ import annotations

import logging
import math
import time
from typing import Callable, Dict, Optional

from shop_channels.sender_limits import Refusal
from shop_channels.settings import server_settings

logger = logging.getLogger(__name__)

WINDOW_S = 60
MAX_TRACKED = 50_000
UNKNOWN = "unknown"      # requests whose address Sanic cannot tell share one allowance
ENGINE_IO = "engine.io:"  # engine.io session ids, kept apart from socket.io sids


def _sessions_of(address: Optional[str]) -> str:
    return f"{address or UNKNOWN}~engine.io"


class ClientLimits:
    def __init__(self, max_connections: int, per_minute: int,
                 clock: Callable[[], float] = time.time, max_tracked: int = MAX_TRACKED) -> None:
        self.max_connections = max_connections
        self.per_minute = per_minute
        self.clock = clock
        self.max_tracked = max_tracked
        self._open: Dict[str, int] = {}          # address -> open connections
        self._connection_address: Dict[str, str] = {}    # connection id -> its address
        self._window = -1
        self._counts: Dict[str, int] = {}

    def open_connection(self, connection: str, address: Optional[str]) -> bool:
        """Counts a new connection of ``address``; False (and nothing counted) when that
        address already holds ``max_connections``."""
        address = address or UNKNOWN
        if connection in self._connection_address:
            return True
        if self.max_connections and self._open.get(address, 0) >= self.max_connections:
            return False
        self._open[address] = self._open.get(address, 0) + 1
        self._connection_address[connection] = address
        return True

    def close_connection(self, connection: str) -> None:
        address = self._connection_address.pop(connection, None)
        if address is None:
            return
        left = self._open[address] - 1
        if left:
            self._open[address] = left
        else:
            del self._open[address]

    def open_connections(self, address: Optional[str]) -> int:
        return self._open.get(address or UNKNOWN, 0)

    # engine.io sessions without a socket.io connection: the same rule and cap as socket.io
    # connections, counted apart.
    def open_session(self, eio_sid: str, address: Optional[str]) -> bool:
        return self.open_connection(ENGINE_IO + eio_sid, _sessions_of(address))

    def close_session(self, eio_sid: str) -> None:
        """The session is gone, or now holds a socket.io connection (counted as one)."""
        self.close_connection(ENGINE_IO + eio_sid)

    def open_sessions(self, address: Optional[str]) -> int:
        return self.open_connections(_sessions_of(address))

    def connection_address(self, connection: str) -> Optional[str]:
        address = self._connection_address.get(connection)
        return None if address == UNKNOWN else address

    def message_refusal(self, address: Optional[str]) -> Optional[Refusal]:
        """None when one more message of ``address`` may go on this minute (it is counted),
        else the ``Refusal`` to answer it with."""
        if not self.per_minute:
            return None
        address = address or UNKNOWN
        now = self.clock()
        window = int(now // WINDOW_S)
        if window != self._window:
            self._window, self._counts = window, {}
        count = self._counts.pop(address, 0) + 1
        self._counts[address] = count            # re-inserted: most recently seen last
        while len(self._counts) > self.max_tracked:
            self._counts.pop(next(iter(self._counts)))
        if count > self.per_minute:
            return Refusal("per_address", max(1, math.ceil((window + 1) * WINDOW_S - now)))
        return None


def log_address_refusal(channel: str, address: Optional[str], refusal: Refusal) -> None:
    logger.warning("%s message refused: too many from client address %s (retry after %d s)",
                   channel, address or UNKNOWN, refusal.retry_after)


_server: Optional[ClientLimits] = None


def server_client_limits() -> ClientLimits:
    """This Rasa server's per-address limits, shared by both channels."""
    global _server
    if _server is None:
        settings = server_settings()
        _server = ClientLimits(settings.client_max_connections, settings.client_max_messages_per_minute)
    return _server
