"""Calls to the action server reuse their connections.

Rasa 3.6's ``EndpointConfig.request`` opens a new ``aiohttp.ClientSession`` for every request
and closes it afterwards, so every custom action and every form validation — several per
shopper turn — paid for a new client session and a new TCP connection to the action server
(and the action server for accepting it): 4–7 % of the Rasa server's busy time with one shopper
(py-spy, bench/TURN_COST.md), a cost bare Rasa without custom actions never pays.

``install()`` (pinned Rasa only) makes ``request`` send through one session per endpoint and
event loop, kept open: connections are reused while they are fresh. Same headers, auth,
timeout, parameters, status handling and return value as the stock method. A kept connection
is given up after ``IDLE_CLOSE_S`` seconds, well before the action server (Sanic) drops an
idle one (5 s), so a request never goes out on a connection the server is closing.

The kept session writes request bodies with ``ujson`` (already pinned, a dependency of Rasa)
instead of ``json.dumps``: the body of a custom action's call is the whole tracker of the
session, and its encoding was the largest cost that grows with the session (py-spy, 160 turns
in one session: bench/TURN_COST.md). ujson gives the same JSON values (same floats, same
escaping of non-ASCII text; only the blanks between tokens differ) in ~40 % of the time; what
ujson refuses (a type ``json`` may know) goes to ``json.dumps``, so the result and any
error are stock Rasa's.

Each call also leaves in one piece (``OneSegmentRequest``): aiohttp writes a request's
headers and its body with two ``send`` calls, so the action server was woken by the headers
alone, read and parsed them, went back to wait for the body and was woken again. On a busy
machine each wake-up can cost the woken side a wait for a free core, and Rasa sent its
headers holding the GIL: 18 % of the Rasa server's GIL-holding samples were in that first
``send`` with one shopper (py-spy --gil, bench/TURN_COST.md, round 8, change 33). The kept connection is
corked (Linux ``TCP_CORK``) while aiohttp writes the request and uncorked after its last byte,
so the kernel sends the headers and the body together and the action server wakes once. The
bytes sent are aiohttp's own, unchanged; where ``TCP_CORK`` does not exist it is aiohttp's
request as before.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import ssl
from typing import Any, Optional, Text

import aiohttp
import ujson
from aiohttp.client_exceptions import ContentTypeError
from rasa.shared.exceptions import FileNotFoundException
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
IDLE_CLOSE_S = 2.0
_stock_request = EndpointConfig.request


def request_json(body: Any) -> str:
    """The JSON text of a request body: ``json.dumps``' values, written by ujson."""
    try:
        return ujson.dumps(body, escape_forward_slashes=False)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(body)


_CORK = getattr(socket, "TCP_CORK", None)


def _cork(connection: Any, on: bool) -> None:
    """Hold (``on``) or send what the connection's socket has been given. A connection that
    is gone (its transport closed) has nothing to hold or send."""
    transport = getattr(connection, "transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is not None and _CORK is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, _CORK, int(on))
        except OSError:   # closed meanwhile: aiohttp reports the failure of the request itself
            pass


class OneSegmentRequest(aiohttp.ClientRequest):
    """aiohttp's request, its headers and body handed to the kernel as one piece."""

    def _in_one_piece(self) -> bool:
        # Only a body that is all there (JSON, bytes): a streamed body would wait in the kernel
        # between its chunks, and "Expect: 100-continue" waits for the server to see the headers.
        return self._continue is None and isinstance(self.body, (aiohttp.payload.BytesPayload, bytes))

    async def send(self, conn: Any) -> aiohttp.ClientResponse:
        if not self._in_one_piece():
            return await super().send(conn)
        _cork(conn, True)
        try:
            return await super().send(conn)    # headers written; the body follows in write_bytes
        except BaseException:
            _cork(conn, False)
            raise

    async def write_bytes(self, writer: Any, conn: Any) -> None:
        try:
            await super().write_bytes(writer, conn)
        finally:
            if self._in_one_piece():
                _cork(conn, False)     # the last byte is written: send it all now


def kept_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """The endpoint's open session for the running loop (made on first use)."""
    loop = asyncio.get_running_loop()
    session: Optional[aiohttp.ClientSession] = getattr(endpoint, "_shop_session", None)
    if session is None or session.closed or getattr(endpoint, "_shop_session_loop", None) is not loop:
        auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
                if endpoint.basic_auth else None)
        session = aiohttp.ClientSession(
            headers=endpoint.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CLOSE_S), json_serialize=request_json,
            request_class=OneSegmentRequest,
        )
        endpoint._shop_session, endpoint._shop_session_loop = session, loop
    return session


async def request(self: EndpointConfig, method: Text = "post", subpath: Optional[Text] = None,
                  content_type: Optional[Text] = "application/json", compress: bool = False,
                  **kwargs: Any) -> Optional[Any]:
    """``EndpointConfig.request`` of Rasa 3.6.21 over the endpoint's kept session."""
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs["headers"])
        del kwargs["headers"]
    if self.headers:
        headers.update(self.headers)
    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
            ) from e
    async with kept_session(self).request(
        method, url, headers=headers, params=self.combine_parameters(kwargs), compress=compress,
        ssl=sslcontext, **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason, await response.content.read())
        try:
            return await response.json()
        except ContentTypeError:
            return None


def install() -> bool:
    """Patch once; True when the patch is in place."""
    return patch_pinned([(EndpointConfig, "request", request)], PATCHED_RASA_VERSIONS,
                        "a new connection per action-server call", logger=logger, level=logging.INFO)
