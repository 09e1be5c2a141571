"""Placing an order from a cart and paying it (simulated), for the signed-in shopper.

The order is created 待付款 and moves through ``shop.domain.orders.ORDER_MACHINE`` like any
other; stock is taken when the order is placed. A cart line that came from a recommendation
card carries its exposure id; it becomes an ``order_attributions`` row only when that exposure
was shown in this shopper's conversation (or a guest's, before signing in) and showed that
product — a forged id is dropped, never trusted.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import (
    Coupon, Customer, CustomerAddress, CustomerCoupon, ExperimentExposure, Interaction, Order, OrderAttribution,
    OrderItem, OrderStatusChange, Product, Sku,
)
from shop.db.orders import apply_order_transition, lock_customer_order
from shop.db.records import yuan
from shop.db.validation import customer_id_arg
from shop.domain.checkout import (
    SIMULATED_PAYMENT_METHOD, SIMULATED_PAYMENT_NOTE, CartLine, CartRejected, check_cart, coupon_applies,
    order_totals,
)
from shop.domain.clock import require_aware
from shop.domain.numbers import order_number
from shop.domain.orders import OrderStatus, PaymentStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlacedOrder:
    order_no: str
    status: str
    status_label: str
    goods: object       # Decimal yuan
    discount: object
    shipping_fee: object
    payable: object
    attributed_items: int
    coupon_title: Optional[str]


def _sku_for(session: Session, line: CartLine) -> Sku:
    query = select(Sku).join(Product, Product.id == Sku.product_id).where(
        Sku.product_id == line.product_id, Sku.is_active.is_(True), Product.is_on_sale.is_(True))
    if line.sku_id is not None:
        query = query.where(Sku.id == line.sku_id)
    else:
        query = query.where(Sku.stock >= line.quantity).order_by(Sku.price_cents, Sku.id).limit(1)
    sku = session.execute(query.with_for_update()).scalars().first()
    if sku is None:
        raise CartRejected("有商品已下架或规格不存在，请刷新购物车。", "unavailable")
    if sku.stock < line.quantity:
        raise CartRejected(f"「{sku.product.title[:20]}」库存不足（剩 {sku.stock} 件）。", "out_of_stock")
    return sku


def _valid_exposures(session: Session, customer_id: int, line: CartLine) -> list[int]:
    valid = []
    for exposure_id in dict.fromkeys(line.exposure_ids):
        exposure = session.get(ExperimentExposure, exposure_id)
        if (exposure is None or exposure.customer_id not in (None, customer_id)
                or line.product_id not in (exposure.product_ids or [])):
            logger.info("cart attribution to exposure %s dropped (not this shopper's card)", exposure_id)
            continue
        valid.append(exposure.id)
    return valid


def _best_coupon(session: Session, customer_id: int, goods_cents: int, now: datetime):
    rows = session.execute(
        select(CustomerCoupon, Coupon).join(Coupon, Coupon.id == CustomerCoupon.coupon_id)
        .where(CustomerCoupon.customer_id == customer_id, CustomerCoupon.status == "unused",
               Coupon.category_id.is_(None), Coupon.valid_from <= now, Coupon.valid_to >= now)
    ).all()
    usable = [(held, coupon) for held, coupon in rows if coupon_applies(coupon.threshold_cents, goods_cents)]
    return max(usable, key=lambda pair: pair[1].discount_cents, default=(None, None))


def place_order(session: Session, customer_id: int, lines: Sequence[CartLine], now: datetime) -> PlacedOrder:
    """Create the shopper's order (待付款) from cart lines; the best usable shop-wide coupon is
    applied. Raises ``CartRejected`` (shown to the shopper) with nothing written."""
    customer_id = customer_id_arg(customer_id)
    now = require_aware(now)
    check_cart(lines)
    if session.get(Customer, customer_id) is None:
        raise InvalidRequest("unknown customer")
    address = session.execute(
        select(CustomerAddress).where(CustomerAddress.customer_id == customer_id)
        .order_by(CustomerAddress.is_default.desc(), CustomerAddress.id).limit(1)).scalar_one_or_none()
    if address is None:
        raise CartRejected("请先添加收货地址。", "no_address")

    picked = []
    for line in lines:
        sku = _sku_for(session, line)
        picked.append((line, sku, sku.price_cents * line.quantity))
    goods = sum(subtotal for _, _, subtotal in picked)
    held, coupon = _best_coupon(session, customer_id, goods, now)
    totals = order_totals([s for _, _, s in picked], coupon.discount_cents if coupon else 0)

    order = Order(
        order_no=f"N{uuid.uuid4().hex[:19]}",   # placeholder until the id is known
        customer_id=customer_id, status=OrderStatus.PENDING_PAYMENT.value,
        payment_status=PaymentStatus.UNPAID.value, goods_cents=totals.goods_cents,
        discount_cents=totals.discount_cents, shipping_fee_cents=totals.shipping_fee_cents,
        payable_cents=totals.payable_cents, refunded_cents=0, recipient_name=address.recipient,
        recipient_phone=address.phone, province=address.province, city=address.city,
        district=address.district, address_detail=address.detail, created_at=now, updated_at=now,
    )
    session.add(order)
    session.flush()
    order.order_no = order_number(now, order.id)
    attributed = 0
    for line, sku, subtotal in picked:
        sku.stock -= line.quantity
        item = OrderItem(order_id=order.id, product_id=sku.product_id, sku_id=sku.id, title=sku.product.title,
                         sku_name=sku.name, unit_price_cents=sku.price_cents, quantity=line.quantity,
                         subtotal_cents=subtotal, refunded_cents=0)
        session.add(item)
        session.flush()
        exposures = _valid_exposures(session, customer_id, line)
        for exposure_id in exposures:
            session.add(OrderAttribution(order_item_id=item.id, order_id=order.id, exposure_id=exposure_id))
        attributed += bool(exposures)
    if held is not None:
        held.status, held.used_at, held.order_id = "used", now, order.id
    session.add(OrderStatusChange(order_id=order.id, from_status=None, to_status=order.status,
                                  changed_at=now, actor="customer", note="下单"))
    session.flush()
    return PlacedOrder(order.order_no, order.status, OrderStatus(order.status).label, yuan(totals.goods_cents),
                       yuan(totals.discount_cents), yuan(totals.shipping_fee_cents), yuan(totals.payable_cents),
                       attributed, coupon.title if coupon else None)


def pay_order_simulated(session: Session, customer_id: int, order_no: str, now: datetime) -> str:
    """Simulated payment of the shopper's own 待付款 order: 待付款 -> 待发货 through the order
    state machine (``IllegalTransition`` if it is not awaiting payment). No money moves."""
    customer_id = customer_id_arg(customer_id)
    now = require_aware(now)
    order = lock_customer_order(session, customer_id, order_no)
    apply_order_transition(session, order, OrderStatus.AWAITING_SHIPMENT, now, "system", SIMULATED_PAYMENT_NOTE)
    order.payment_method = SIMULATED_PAYMENT_METHOD
    for item in session.execute(select(OrderItem).where(OrderItem.order_id == order.id)).scalars():
        session.add(Interaction(customer_id=customer_id, product_id=item.product_id, kind="purchase",
                                occurred_at=now))
    session.flush()
    return order.status


def ensure_coupon(session: Session, code: str, title: str, threshold_cents: int, discount_cents: int,
                  now: datetime, valid_days: int) -> Coupon:
    """The shop-wide coupon with this code (created on first use from the offer's terms)."""
    coupon = session.execute(select(Coupon).where(Coupon.code == code)).scalar_one_or_none()
    if coupon is None:
        coupon = Coupon(code=code, title=title, threshold_cents=threshold_cents, discount_cents=discount_cents,
                        valid_from=now, valid_to=now + timedelta(days=valid_days))
        session.add(coupon)
        session.flush()
    elif coupon.valid_to < now + timedelta(days=valid_days):
        coupon.valid_to = now + timedelta(days=valid_days)   # a re-started offer is valid again
    return coupon


def issue_coupon(session: Session, customer_id: int, coupon: Coupon, now: datetime) -> bool:
    """Give the shopper one unused copy of ``coupon``; False when they already hold one."""
    customer_id = customer_id_arg(customer_id)
    held = session.execute(select(CustomerCoupon.id).where(
        CustomerCoupon.customer_id == customer_id, CustomerCoupon.coupon_id == coupon.id,
        CustomerCoupon.status == "unused")).first()
    if held:
        return False
    session.add(CustomerCoupon(customer_id=customer_id, coupon_id=coupon.id, status="unused", received_at=now))
    session.flush()
    return True
