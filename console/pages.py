"""How pages plug into the console.

A page module (listed in ``console.app.PAGE_MODULES``) defines:

    NAV = [NavItem("/analytics", "数据分析", role="admin")]      # links in the top bar
    def routes() -> list[aiohttp.web.RouteDef]: ...             # its handlers
    TEMPLATES = Path(__file__).parent / "templates"              # optional: its templates

Each handler is marked ``@requires("agent")`` / ``@requires("admin")`` (or ``@public``)
from ``console.auth``; an unmarked handler needs an agent session. Handlers render with
``console.render.render(request, "x.html", ...)``; templates ``{% extends "base.html" %}``
and fill ``{% block content %}`` (and ``{% block scripts %}``). The auth middleware has
already checked the session, the role and — for POST — the CSRF token; forms include
``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``, ``fetch`` calls send
the ``X-CSRF-Token`` header (the token is in ``<meta name="csrf-token">``). Data work runs
through ``console.auth.db(request, function, ...)`` (a worker thread, one transaction).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    role: str = "agent"
