"""Sign-in, sign-out, the home page and (admins) the account list."""
from __future__ import annotations

import asyncio
import logging
import math
import time
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from console import passwords
from console.analytics_pages import consumer_health
from console.auth import (SESSION_COOKIE, db, db_write, new_token, presession_token, public, requires,
                          set_session_cookie, signed_in)
from console.notices import code_of, coded_message
from console.pages import NavItem
from console.render import render
from console.sign_in_limits import SignInLimits
from shop.db.console_accounts import (account_count, create_account, end_session, list_accounts, password_hash_for,
                                      replace_password_hash, set_active, start_session)
from shop.db.errors import InvalidRequest
from shop.db.handoff_desk import hand_back_if_gone
from shop.domain.clock import utc_now
from shop.domain.numbers import whole_number
from shop.domain.usernames import USERNAME_MAX, USERNAME_RULE, username_problem

logger = logging.getLogger("console.accounts")

NAV = [NavItem("/accounts", "账号管理", role="admin")]
TEMPLATES = Path(__file__).resolve().parent / "templates"


def setup(app: web.Application) -> None:
    settings = app["settings"]
    app["sign_in_limits"] = SignInLimits(settings.sign_in_failures_per_account, settings.sign_in_failures_per_client,
                                         settings.sign_in_lock.total_seconds())
    # Check, verify and count one sign-in at a time: parallel guesses cannot all slip in
    # before the first failure is counted. (Refusals while locked never wait for it.)
    app["sign_in_gate"] = asyncio.Lock()


def _refused(request: web.Request, status: int, error: str) -> web.StreamResponse:
    response = web.Response()
    page = render(request, "login.html", status=status, csrf_token=presession_token(request, response), error=error)
    page.cookies.update(response.cookies)
    return page


def _locked(request: web.Request, limits: SignInLimits, username: str) -> web.StreamResponse:
    """Same answer for every name, existing or not; the password is not even checked."""
    wait = limits.retry_after(username, request.remote, time.monotonic())
    logger.warning("console sign-in refused while locked: username %r from %s", username, request.remote)
    minutes = max(1, math.ceil(wait / 60))
    refused = _refused(request, 429, f"登录失败次数过多，为保护账号安全已暂时锁定，请约 {minutes} 分钟后再试。")
    refused.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return refused


@public
async def login_page(request: web.Request) -> web.StreamResponse:
    if signed_in(request):
        raise web.HTTPSeeOther("/")
    response = web.Response()
    token = presession_token(request, response)
    # A fresh install has no account and none can be made here: say how (on the server).
    first_run = await db(request, account_count) == 0
    page = render(request, "login.html", csrf_token=token, error=None, first_run=first_run)
    page.cookies.update(response.cookies)
    return page


@public
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:256]
    limits: SignInLimits = request.app["sign_in_limits"]
    if limits.retry_after(username, request.remote, time.monotonic()) > 0:
        return _locked(request, limits, username)
    async with request.app["sign_in_gate"]:
        if limits.retry_after(username, request.remote, time.monotonic()) > 0:
            return _locked(request, limits, username)
        found = await db(request, password_hash_for, username)
        ok = await asyncio.to_thread(passwords.verify, found[1] if found else None, password)
        if not ok or found is None:
            logger.warning("console sign-in refused for username %r from %s", username, request.remote)
            limits.failed(username, request.remote, time.monotonic())
            return _refused(request, 401, "用户名或密码不正确")
        limits.succeeded(username)
    account, stored = found
    if passwords.needs_rehash(stored):
        await db_write(request, replace_password_hash, account.id, await asyncio.to_thread(passwords.hash_password, password))
    token, csrf = new_token(), new_token()
    settings = request.app["settings"]
    await db_write(request, start_session, account.id, token, csrf, utc_now(), settings.session_lifetime)
    logger.info("console sign-in: %s (%s)", account.username, account.role)
    response = web.HTTPSeeOther("/")
    set_session_cookie(response, request, token)
    return response


def _sign_out(session, token: str, account_id: int, now) -> list[str]:
    """End the session; an agent leaving the desk (no other session in use) hands the
    conversations they hold back to the queue, so no shopper writes into silence."""
    end_session(session, token)
    return hand_back_if_gone(session, account_id, now)


def _set_active(session, account_id: int, active: bool, now) -> list[str]:
    set_active(session, account_id, active)
    return [] if active else hand_back_if_gone(session, account_id, now)


@requires("agent")
async def logout(request: web.Request) -> web.StreamResponse:
    who = signed_in(request)
    returned = await db_write(request, _sign_out, request.cookies.get(SESSION_COOKIE), who.account.id, utc_now())
    if returned:
        logger.info("%s signed out; %d ticket(s) back in the queue", who.account.username, len(returned))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@requires("agent")
async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther(request.app["home"])


# What /accounts?error=<code> says: fixed messages only (``console.notices``).
ACCOUNT_ERRORS = {
    "password_short": passwords.weakness(""), "password_long": passwords.weakness("x" * 257 + "abcd"),
    "password_simple": passwords.weakness("a" * passwords.MIN_LENGTH), "username": USERNAME_RULE,
    "invalid": "账号信息无效或用户名已存在", "no_account": "没有这个账号", "self": "不能停用自己的账号",
}


def _error(message: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther("/accounts?" + urlencode({"error": code_of(message, ACCOUNT_ERRORS, "invalid")}))


@requires("admin")
async def accounts_page(request: web.Request) -> web.StreamResponse:
    return render(request, "accounts.html", accounts=await db(request, list_accounts),
                  error=coded_message(request, "error", ACCOUNT_ERRORS), done=request.query.get("done"),
                  username_rule=USERNAME_RULE, username_max=USERNAME_MAX)


@requires("admin")
async def accounts_create(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    password = str(form.get("password", ""))
    # The username first: nothing is hashed or written for a name that cannot be created.
    problem = username_problem(str(form.get("username", ""))) or passwords.weakness(password)
    if problem is None:
        hashed = await asyncio.to_thread(passwords.hash_password, password)
        try:
            await db_write(request, create_account, str(form.get("username", "")), str(form.get("display_name", "")),
                     str(form.get("role", "")), hashed, utc_now())
        except InvalidRequest as error:
            problem = ACCOUNT_ERRORS["invalid"]
            logger.info("account not created: %s", error)
    if problem:
        raise _error(problem)
    logger.info("%s created console account %r", signed_in(request).account.username, form.get("username"))
    raise web.HTTPSeeOther("/accounts?done=1")


@requires("admin")
async def accounts_toggle(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    account_id = whole_number(str(form.get("account_id", "")), high=2 ** 31 - 1)
    if account_id is None:
        raise _error(ACCOUNT_ERRORS["no_account"])
    if account_id == signed_in(request).account.id:
        raise _error(ACCOUNT_ERRORS["self"])
    await db_write(request, _set_active, account_id, form.get("active") == "1", utc_now())
    raise web.HTTPSeeOther("/accounts?done=1")


@public
async def health(request: web.Request) -> web.StreamResponse:
    # The console answers (status); the analytics consumer is another process, reported as a
    # code for monitoring (the page tells admins in words): its outage is not the console's.
    consumer = await consumer_health(request.app["settings"].analytics)
    return web.json_response({"status": "ok", "analytics_consumer": consumer})


def routes() -> list:
    return [
        web.get("/login", login_page), web.post("/login", login), web.post("/logout", logout),
        web.get("/", home), web.get("/healthz", health),
        web.get("/accounts", accounts_page), web.post("/accounts", accounts_create),
        web.post("/accounts/active", accounts_toggle),
    ]
