"""JSON endpoints of the demo shop site.

GET  /api/config           where the widget finds Rasa, whether demo sign-in is on, and the
                           human desk's hours (SHOP_DESK_HOURS).
GET  /api/demo/customers   a few seeded customers (masked) to sign in as.
POST /api/demo/login       {"customer_id": 3} -> {"token", "expires_at", "expires_in", "customer"}

The demo sign-in stands in for a shop's real login: after its own authentication, a shop's
site signs the customer's id into a short-lived token (``shop.identity``) that the chat
widget passes to Rasa in message metadata. Anyone can call the demo endpoint and become any
seeded customer, so it is for demos only and off unless ``SHOP_DEMO_LOGIN`` turns it on (404
while off; see ``shop_site.config``).
"""
from __future__ import annotations

from datetime import datetime, timezone

from aiohttp import web

from shop.domain.numbers import whole_number
from shop.identity import issue_customer_token
from shop.json_limits import parse_json
from shop_site.config import Settings
from shop_site.customers import DemoDirectory
from shop_site.errors import ApiError, dumps

DEMO_CUSTOMER_LIMIT = 8
MAX_LOGIN_BODY_BYTES = 4096
SOCKET_PATH = "/socket.io"


def _ok(payload: dict, status: int = 200) -> web.Response:
    # Tokens and personal data must not be cached by the browser or any proxy.
    return web.json_response(
        payload, status=status, dumps=dumps, headers={"Cache-Control": "no-store"}
    )


def _require_demo(settings: Settings) -> None:
    if not settings.demo_login:
        raise ApiError(404, "demo_login_disabled", "演示登录已关闭。")


async def _json_object(request: web.Request, max_bytes: int) -> dict:
    raw = await request.read()
    if len(raw) > max_bytes:
        raise ApiError(413, "body_too_large", "请求内容过大。")
    try:
        body = parse_json(raw or b"")
    except ValueError:          # not JSON, not UTF-8, or nested too deep
        raise ApiError(400, "invalid_json", "请求体必须是 JSON 对象。") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "请求体必须是 JSON 对象。")
    return body


def _customer_id(body: dict) -> int:
    # A form field or query string may give "3"; bools, "²" and "①" are refused.
    value = whole_number(body.get("customer_id"), high=2**63 - 1)
    if value is None:
        raise ApiError(400, "invalid_customer_id", "customer_id 必须是正整数。")
    return value


def routes(settings: Settings, directory: DemoDirectory) -> list[web.AbstractRouteDef]:
    async def config(_: web.Request) -> web.Response:
        return _ok(
            {
                # null: the page uses its own host name and rasa.port.
                "rasa": {"url": settings.rasa_url, "port": settings.rasa_port,
                         "socket_path": SOCKET_PATH},
                "demo_login": settings.demo_login,
                "desk_hours": settings.desk_hours.text,     # the 服务时间 card
            }
        )

    async def demo_customers(_: web.Request) -> web.Response:
        _require_demo(settings)
        customers = await directory.list(DEMO_CUSTOMER_LIMIT)
        return _ok({"customers": [c.as_json() for c in customers]})

    async def demo_login(request: web.Request) -> web.Response:
        _require_demo(settings)
        customer_id = _customer_id(await _json_object(request, MAX_LOGIN_BODY_BYTES))
        customer = await directory.find(customer_id)
        if customer is None:
            raise ApiError(404, "customer_not_found", "没有这位顾客。")
        now = datetime.now(timezone.utc).replace(microsecond=0)
        token = issue_customer_token(
            customer.id, ttl_seconds=settings.token_ttl_seconds, secret=settings.identity.secret(), now=now.timestamp()
        )
        expires = datetime.fromtimestamp(now.timestamp() + settings.token_ttl_seconds, timezone.utc)
        return _ok(
            {
                "token": token,
                "expires_at": expires.isoformat().replace("+00:00", "Z"),
                "expires_in": settings.token_ttl_seconds,
                "customer": {"id": customer.id, "name": customer.name},
            }
        )

    return [
        web.get("/api/config", config),
        web.get("/api/demo/customers", demo_customers),
        web.post("/api/demo/login", demo_login),
    ]
