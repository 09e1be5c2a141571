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
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
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
