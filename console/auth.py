"""Sign-in sessions, roles and CSRF for every console page and API.

- The session cookie (``console_session``: HttpOnly, SameSite=Strict, Secure behind TLS)
  holds a random token; the database keeps its SHA-256 (``shop.db.console_accounts``), so
  sessions survive a console restart and expire there (absolute lifetime and idle time: time
  without the agent's input; a page's heartbeat or polling, ``@background``, is not input).
- Every route is closed unless it says otherwise: ``@public`` (sign-in page, health) or
  ``@requires("agent")`` / ``@requires("admin")`` (an admin may do what an agent may).
  Without a session: pages redirect to the sign-in page, ``/api/`` answers 401 JSON; with
  the wrong role: 403. A shopper's customer token is not a console session (it is not
  even read here).
- Every request that changes something (POST/PUT/PATCH/DELETE) must carry the session's
  CSRF token, as the ``csrf_token`` form field or the ``X-CSRF-Token`` header; otherwise
  403, before the handler runs. The sign-in form carries a token bound to a pre-session
  cookie (double submit), so logging a victim into an attacker's account is refused too.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from typing import Awaitable, Callable, Optional

from aiohttp import web

from shop.db.console_accounts import SignedIn, session_for_token
from shop.db.engine import session_scope
from shop.domain.clock import utc_now

logger = logging.getLogger("console.auth")

SESSION_COOKIE = "console_session"
PRESESSION_COOKIE = "console_presession"   # CSRF token of the sign-in form
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROLE_RANK = {"agent": 1, "admin": 2}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def public(handler: Handler) -> Handler:
    handler.console_role = None  # type: ignore[attr-defined]
    return handler


def requires(role: str) -> Callable[[Handler], Handler]:
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def mark(handler: Handler) -> Handler:
        handler.console_role = role  # type: ignore[attr-defined]
        return handler
    return mark


def background(handler: Handler) -> Handler:
    """A request a page makes by itself (the presence heartbeat, the desk's polling): it keeps
    the agent on duty but is not the agent doing anything, so it leaves the idle clock alone
    (``CONSOLE_IDLE_MINUTES`` then means no input, not no open tab). The heartbeat says when
    the agent did type, click or move the pointer since the last beat (``?input=1``,
    ``static/presence.js``; not scrolling, which the desk does itself); that counts as activity."""
    handler.console_background = True  # type: ignore[attr-defined]
    return handler


def is_activity(request: web.Request, handler: Optional[Handler]) -> bool:
    """Whether a request is the agent's doing: not a ``@background`` one (unless it reports
    input) and not a page reloading itself (``?auto=1``: the desk's queue when it changes)."""
    if request.query.get("input") == "1":
        return True
    return not getattr(handler, "console_background", False) and request.query.get("auto") != "1"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def signed_in(request: web.Request) -> Optional[SignedIn]:
    return request.get("signed_in")


def has_role(who: Optional[SignedIn], role: str) -> bool:
    return who is not None and ROLE_RANK.get(who.account.role, 0) >= ROLE_RANK[role]


async def db(request: web.Request, function, *args, **kwargs):
    """Run a data-layer function in a worker thread, inside one transaction (for reads)."""
    return await _in_transaction(request, False, function, *args, **kwargs)


async def db_write(request: web.Request, function, *args, **kwargs):
    """``db`` for a function that writes (a claim, a reply, a close, a transfer, an account):
    the transaction takes the write lock up front (``session_scope(writes=True)``), so on
    SQLite another process's commit between its reads and its write cannot make it fail
    with "database is locked" (a 503 for the agent); it waits its turn instead."""
    return await _in_transaction(request, True, function, *args, **kwargs)


async def _in_transaction(request: web.Request, writes: bool, function, *args, **kwargs):
    engine = request.app["engine"]

    def work():
        with session_scope(engine, writes=writes) as session:
            return function(session, *args, **kwargs)
    return await asyncio.to_thread(work)


def _denied(request: web.Request, status: int, code: str) -> web.StreamResponse:
    if request.path.startswith("/api/") or status != 401:
        if request.path.startswith("/api/"):
            return web.json_response({"error": code}, status=status)
        return web.Response(status=status, text="没有权限访问此页面（403）", content_type="text/plain", charset="utf-8")
    return web.HTTPSeeOther("/login")


async def _submitted_csrf(request: web.Request) -> Optional[str]:
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _same(a: Optional[str], b: Optional[str]) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    # The route's own handler carries the mark; unknown routes (404) and static files are
    # handled by aiohttp and have none — static files hold no data, and fetching them (a
    # self-reloading page's CSS and JS) is no input of the agent's: it leaves the idle clock.
    route_handler = getattr(request.match_info, "handler", None)
    role = getattr(route_handler, "console_role", "agent") if route_handler is not None else None
    is_resource = request.match_info.http_exception is not None or request.path.startswith("/static/")

    settings = request.app["settings"]
    token = request.cookies.get(SESSION_COOKIE)
    who = None
    # A static file needs no session: the page that asked for it has just marked the session
    # seen. Looking it up anyway made every page load 4-5 concurrent read-then-write
    # transactions on the session row, and SQLite refuses such an upgrade at once when another
    # one committed first ("database is locked": a 503 for a script, a chart never drawn).
    if token and not request.path.startswith("/static/"):
        who = await db(request, session_for_token, token, utc_now(), settings.idle_timeout,
                       not is_resource and is_activity(request, route_handler))
    request["signed_in"] = who

    if not is_resource and role is not None:
        if who is None:
            return _denied(request, 401, "not_signed_in")
        if not has_role(who, role):
            logger.warning("%s (%s) refused %s %s", who.account.username, who.account.role,
                           request.method, request.path)
            return _denied(request, 403, "forbidden")

    if request.method in UNSAFE_METHODS and not is_resource:
        expected = who.csrf_token if who is not None else request.cookies.get(PRESESSION_COOKIE)
        if not _same(await _submitted_csrf(request), expected):
            logger.warning("CSRF token missing or wrong: %s %s", request.method, request.path)
            if request.path.startswith("/api/"):
                return web.json_response({"error": "csrf"}, status=403)
            return web.Response(status=403, text="请求已过期或来源不明，请刷新页面后重试（CSRF）",
                                content_type="text/plain", charset="utf-8")
    return await handler(request)


def set_session_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    settings = request.app["settings"]
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict", path="/",
                        secure=settings.secure_cookie,
                        max_age=int(settings.session_lifetime.total_seconds()))
    response.del_cookie(PRESESSION_COOKIE, path="/")


def presession_token(request: web.Request, response: web.StreamResponse) -> str:
    """The sign-in form's CSRF token (kept in its own cookie until sign-in)."""
    token = request.cookies.get(PRESESSION_COOKIE) or new_token()
    response.set_cookie(PRESESSION_COOKIE, token, httponly=True, samesite="Strict", path="/",
                        secure=request.app["settings"].secure_cookie, max_age=3600)
    return token
