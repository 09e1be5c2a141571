"""Cart checkout for the signed-in shopper, and clicks on recommendation cards.

POST /api/orders                  {"items": [{"product_id", "sku_id"?, "quantity", "exposure_ids"?}]}
                                  -> 201 the order, 待付款 (Authorization: Bearer <customer token>)
POST /api/orders/{order_no}/pay   simulated payment: 待付款 -> 待发货, no money moves
POST /api/recommendation-clicks   {"exposure_ids": [...], "product_id"} a card's 我要买 pressed

The customer is the one in the signed token — never a field of the body — so nobody can
order or pay as somebody else. The cart itself lives in the browser (web/assets/js/cart.js);
the server re-reads every price and stock at checkout.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Optional

from aiohttp import web

from shop.db.checkout import pay_order_simulated, place_order
from shop.db.engine import session_scope
from shop.db.errors import InvalidRequest, OrderNotFound
from shop.db.experiments import record_click
from shop.domain.checkout import MAX_CART_LINES, SIMULATED_PAYMENT_METHOD, CartLine, CartRejected
from shop.domain.clock import utc_now
from shop.domain.numbers import whole_number
from shop.domain.orders import OrderStatus
from shop.domain.state_machine import IllegalTransition
from shop.identity import IdentitySettings, verify_customer_token
from shop_site.api import _json_object, _ok
from shop_site.config import Settings
from shop_site.customers import DemoDirectory
from shop_site.errors import ApiError

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 8192
MAX_EXPOSURES_PER_LINE = 8


def _bearer_customer(request: web.Request, identity: IdentitySettings, required: bool = True) -> Optional[int]:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    customer_id = verify_customer_token(token, identity.secret()) if token else None
    if customer_id is None and (required or token):
        # A token that is present but invalid is refused even where guests are allowed.
        raise ApiError(401, "not_signed_in", "请先登录后再下单。")
    return customer_id


def _positive_int(value, name: str, high: int = 2**31 - 1) -> int:
    number = whole_number(value, high)
    if number is None:
        raise ApiError(400, f"invalid_{name}", f"{name} 必须是正整数。")
    return number


def _exposure_ids(raw) -> tuple[int, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_EXPOSURES_PER_LINE:
        raise ApiError(400, "invalid_exposure_ids", "exposure_ids 必须是整数列表。")
    return tuple(_positive_int(v, "exposure_ids", 2**63 - 1) for v in raw)


def _lines(body: dict) -> list[CartLine]:
    items = body.get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_CART_LINES:
        raise ApiError(400, "invalid_items", f"items 必须是 1 到 {MAX_CART_LINES} 件商品的列表。")
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise ApiError(400, "invalid_items", "items 的每一项必须是对象。")
        sku = item.get("sku_id")
        lines.append(CartLine(
            product_id=_positive_int(item.get("product_id"), "product_id"),
            sku_id=None if sku is None else _positive_int(sku, "sku_id"),
            quantity=_positive_int(item.get("quantity", 1), "quantity", 99),
            exposure_ids=_exposure_ids(item.get("exposure_ids")),
        ))
    return lines


def routes(settings: Settings, directory: DemoDirectory) -> list[web.AbstractRouteDef]:
    def work(function, *args):
        def run():
            # Every call here writes (an order, a payment): take the write lock up front.
            with session_scope(directory.engine, writes=True) as session:
                return function(session, *args)
        return asyncio.to_thread(run)

    async def create_order(request: web.Request) -> web.Response:
        customer_id = _bearer_customer(request, settings.identity)
        lines = _lines(await _json_object(request, MAX_BODY_BYTES))
        try:
            placed = await work(place_order, customer_id, lines, utc_now())
        except CartRejected as error:
            raise ApiError(409, error.code, error.message) from None
        except InvalidRequest:
            raise ApiError(400, "invalid_request", "下单信息有误。") from None
        logger.info("order %s placed by customer %s (%d attributed items)",
                    placed.order_no, customer_id, placed.attributed_items)
        return _ok({
            "order_no": placed.order_no, "status": placed.status, "status_label": placed.status_label,
            "goods": float(placed.goods), "discount": float(placed.discount),
            "shipping_fee": float(placed.shipping_fee), "payable": float(placed.payable),
            "coupon": placed.coupon_title, "attributed_items": placed.attributed_items,
        }, status=201)

    async def pay(request: web.Request) -> web.Response:
        customer_id = _bearer_customer(request, settings.identity)
        order_no = request.match_info["order_no"]
        try:
            status = await work(pay_order_simulated, customer_id, order_no, utc_now())
        except OrderNotFound:
            raise ApiError(404, "order_not_found", "没有找到这个订单。") from None
        except IllegalTransition as error:
            raise ApiError(409, "not_payable", f"这个订单现在不能支付（{error.message_zh}）。") from None
        return _ok({"order_no": order_no, "status": status, "status_label": OrderStatus(status).label,
                    "payment_method": SIMULATED_PAYMENT_METHOD, "simulated": True,
                    "message": "模拟支付成功（演示环境，未真实扣款）。"})

    async def click(request: web.Request) -> web.Response:
        customer_id = _bearer_customer(request, settings.identity, required=False)
        body = await _json_object(request, MAX_BODY_BYTES)
        product_id = _positive_int(body.get("product_id"), "product_id")
        exposures = _exposure_ids(body.get("exposure_ids"))
        now = utc_now()

        def record(session):
            return sum(record_click(session, customer_id, e, product_id, now) for e in exposures)

        recorded = await asyncio.to_thread(lambda: _in_session(directory, record))
        return _ok({"recorded": recorded})

    return [
        web.post("/api/orders", create_order),
        web.post("/api/orders/{order_no}/pay", pay),
        web.post("/api/recommendation-clicks", click),
    ]


def _in_session(directory: DemoDirectory, function):
    with session_scope(directory.engine, writes=True) as session:   # records clicks
        return function(session)
