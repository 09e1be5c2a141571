"""Security headers for every response.

The Content-Security-Policy is defence in depth behind the page's escaping: scripts and
styles only from this site, no inline script, no plugins, images only from this site, and
network connections only to this site and the Rasa server. ``connect-src`` has to name
Rasa's origin because the widget opens its socket.io WebSocket there directly.
"""
from __future__ import annotations

import re
from typing import Optional
from urllib.parse import urlsplit

from aiohttp import web

from shop_site.config import Settings


# A host name or IPv4 address, or a bracketed IPv6 address, optionally with a port.
HOST_HEADER = re.compile(r"^(?P<name>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def page_host(host_header: Optional[str]) -> Optional[str]:
    """The host name from a Host header ("shop.example:8000" -> "shop.example"), or None
    for anything that is not a plain host (it must not be able to add CSP directives).
    Parsed here because aiohttp's request.url fails on this yarl version when the Host
    header carries a port."""
    match = HOST_HEADER.match((host_header or "").strip())
    return match.group("name") if match else None


def rasa_origins(settings: Settings, request: web.Request) -> list[str]:
    """Rasa's origin for http and ws, as the browser that sent ``request`` will use it."""
    if settings.rasa_url:
        parts = urlsplit(settings.rasa_url)
        scheme, netloc = parts.scheme, parts.netloc
    else:
        # Same host the page was loaded from (what the page itself computes), Rasa's port.
        host = page_host(request.headers.get("Host"))
        if host is None:
            return ["ws:", "wss:"]
        scheme = "https" if request.secure else "http"
        netloc = f"{host}:{settings.rasa_port}"
    ws_scheme = "wss" if scheme == "https" else "ws"
    return [f"{scheme}://{netloc}", f"{ws_scheme}://{netloc}"]


def content_security_policy(settings: Settings, request: web.Request) -> str:
    connect = " ".join(["'self'", *rasa_origins(settings, request)])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: Settings):
    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("text/html"):
            response.headers["Content-Security-Policy"] = content_security_policy(
                settings, request
            )

    return add_headers
