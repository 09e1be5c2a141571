"""Order queries for a customer (or a guest with phone digits) and order status changes.

Ownership is part of every query's WHERE clause: asking for somebody else's order returns
exactly what asking for a non-existent order returns (None / empty / ``OrderNotFound``).
"""
from __future__ import annotations

import hmac
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from shop.db.errors import AddressChangeNotAllowed, InvalidRequest, OrderCannotBeCancelled, OrderNotFound
from shop.db.models import (
    CustomerAddress, GuestLookupFailure, LogisticsEvent, Order, OrderAddressChange, OrderItem, OrderStatusChange,
    Shipment,
)
from shop.db.records import (
    AddressChangeResult, CancellationResult, LogisticsEventInfo, OrderDetail, OrderItemInfo, ShipmentInfo, yuan,
)
from shop.db.validation import customer_id_arg, number_arg, text_arg
from shop.domain.addresses import MOBILE_NUMBER, TypedAddress, one_line, same_place
from shop.domain.clock import require_aware
from shop.domain.numbers import is_phone_suffix
from shop.domain.orders import (
    ORDER_MACHINE, OrderStatus, PaymentStatus, address_change_allowed, cancellation_decision,
)
from shop.domain.privacy import (
    GUEST_LOOKUP_CLIENTS_PER_ADDRESS, GUEST_LOOKUP_MAX_CLIENT_FAILURES, GUEST_LOOKUP_MAX_FAILURES, GUEST_LOOKUP_WINDOW,
    mask_address, mask_name, mask_phone,
)
from shop.identity import client_tag_address, is_client_tag

LOGISTICS_STATUS_LABELS = {
    "collected": "已揽收",
    "in_transit": "运输中",
    "out_for_delivery": "派送中",
    "delivered": "已签收",
    "exception": "异常",
}
MAX_RECENT = 50
ORDERS, ITEMS = Order.__table__, OrderItem.__table__
SHIPMENTS, EVENTS = Shipment.__table__, LogisticsEvent.__table__

# Read statements are built once (building and hashing a select costs more Python time than
# the database spends on a point lookup). The customer id is part of every personal query.
# Only the columns an OrderDetail shows (not remark, updated_at): every date read is parsed
# and converted to China time, and "my orders" reads up to MAX_RECENT orders per turn.
_ORDER_COLUMNS = [ORDERS.c[name] for name in (
    "id", "order_no", "status", "payment_status", "payment_method", "goods_cents", "discount_cents",
    "shipping_fee_cents", "payable_cents", "refunded_cents", "recipient_name", "recipient_phone",
    "province", "city", "district", "address_detail", "created_at", "paid_at", "shipped_at",
    "delivered_at", "completed_at", "cancelled_at")]
_CUSTOMER_ORDER = select(*_ORDER_COLUMNS).where(ORDERS.c.order_no == bindparam("order_no"),
                                                ORDERS.c.customer_id == bindparam("customer_id"))
_ORDER_BY_NUMBER = select(*_ORDER_COLUMNS).where(ORDERS.c.order_no == bindparam("order_no"))
_RECENT_ORDERS = (select(*_ORDER_COLUMNS).where(ORDERS.c.customer_id == bindparam("customer_id"))
                  .order_by(ORDERS.c.created_at.desc(), ORDERS.c.id.desc()).limit(bindparam("limit")))
_ITEMS_OF_ORDERS = (select(ITEMS).where(ITEMS.c.order_id.in_(bindparam("order_ids", expanding=True)))
                    .order_by(ITEMS.c.id))
_SHIPMENTS_OF_ORDERS = (select(SHIPMENTS).where(SHIPMENTS.c.order_id.in_(bindparam("order_ids", expanding=True)))
                        .order_by(SHIPMENTS.c.id))
# Who cancelled each cancelled order (its latest change to 已取消): the shopper is told why.
_CANCELLERS_OF_ORDERS = (
    select(OrderStatusChange.__table__.c.order_id, OrderStatusChange.__table__.c.actor)
    .where(OrderStatusChange.__table__.c.order_id.in_(bindparam("order_ids", expanding=True)),
           OrderStatusChange.__table__.c.to_status == OrderStatus.CANCELLED.value)
    .order_by(OrderStatusChange.__table__.c.changed_at, OrderStatusChange.__table__.c.id))
# The events on their own, not joined to their shipment: a parcel has ten scans or so, and
# a joined row repeated the shipment's columns (and parsed its two dates again) for each.
_EVENTS_OF_SHIPMENTS = (
    select(EVENTS.c.shipment_id, EVENTS.c.occurred_at, EVENTS.c.status, EVENTS.c.location, EVENTS.c.description)
    .where(EVENTS.c.shipment_id.in_(bindparam("shipment_ids", expanding=True)))
    .order_by(EVENTS.c.shipment_id, EVENTS.c.occurred_at, EVENTS.c.id)
)


# --- reads -----------------------------------------------------------------------------

def get_order(session: Session, customer_id: int, order_no: str) -> Optional[OrderDetail]:
    """The customer's order with this number, with items, shipments and logistics; else None."""
    customer_id = customer_id_arg(customer_id)
    number = number_arg(order_no, "order_no")
    if number is None:
        return None
    order = session.execute(_CUSTOMER_ORDER, {"order_no": number, "customer_id": customer_id}).first()
    return _details(session, [order])[0] if order else None


def get_order_for_guest(session: Session, order_no: str, phone_last4: str) -> Optional[OrderDetail]:
    """An order for a shopper who is not signed in, proven by the last 4 digits of the
    recipient's phone. Name, phone and street address come back masked. Wrong digits and
    unknown numbers both give None. (Rate-limit the callers: 4 digits are guessable.)"""
    number = number_arg(order_no, "order_no")
    digits = _phone_last4_arg(phone_last4)
    if number is None:
        return None
    order = session.execute(_ORDER_BY_NUMBER, {"order_no": number}).first()
    if order is None or not hmac.compare_digest(order.recipient_phone[-4:].encode(), digits.encode()):
        return None
    return _details(session, [order], for_guest=True)[0]


@dataclass(frozen=True)
class GuestLookup:
    """The outcome of a guest look-up: the order (masked), or None; ``locked`` when too many
    failed tries stopped the look-up before the order was read — on this number, or, with
    ``client_locked``, by this client over every number."""

    order: Optional[OrderDetail]
    locked: bool = False
    client_locked: bool = False


def _phone_last4_arg(phone_last4: str) -> str:
    if not isinstance(phone_last4, str) or not is_phone_suffix(phone_last4.strip()):
        raise InvalidRequest("phone_last4 must be the last 4 (ASCII) digits of a phone number")
    return phone_last4.strip()


def lookup_order_for_guest(session: Session, order_no: str, phone_last4: str, now: datetime,
                           client: Optional[str] = None,
                           max_client_failures: int = GUEST_LOOKUP_MAX_CLIENT_FAILURES) -> GuestLookup:
    """``get_order_for_guest`` with the limit on guessing: every miss (wrong digits or an
    unknown number, alike) is recorded against the number; after GUEST_LOOKUP_MAX_FAILURES
    misses within GUEST_LOOKUP_WINDOW the number is locked for guests, whatever the digits.
    ``client`` (``shop.identity.client_tag``): the miss is recorded against it too, and after
    ``max_client_failures`` (GUEST_LOOKUP_MAX_CLIENT_FAILURES) misses within the window that
    client can look up no number as a guest — trying many numbers from many conversations stops there.
    The clients of one address (``shop.identity.client_tag_address``: several only behind a
    proxy the server does not trust, told apart by its unverifiable forwarding headers) stop
    together at ``GUEST_LOOKUP_CLIENTS_PER_ADDRESS`` times that.

    Fails closed: the attempt is written down *before* the order is read, and only a match
    takes the record back, in the same transaction. If the miss cannot be recorded (the
    database refuses writes), the write raises and no order is read or returned; the
    caller's unit of work commits, and only a committed look-up reaches the shopper.
    """
    now = require_aware(now)
    number = number_arg(order_no, "order_no")
    digits = _phone_last4_arg(phone_last4)
    if client is not None and not is_client_tag(client):
        raise InvalidRequest(f"client must be a client tag, got {client!r}")
    if isinstance(max_client_failures, bool) or not isinstance(max_client_failures, int) or max_client_failures < 1:
        raise InvalidRequest(f"max_client_failures must be a whole number above 0, got {max_client_failures!r}")
    if number is None:
        return GuestLookup(None)
    attempt = session.execute(
        insert(GuestLookupFailure).values(order_no=number, failed_at=now, client=client)
    ).inserted_primary_key[0]
    since = now - GUEST_LOOKUP_WINDOW
    if client is not None:
        client_failures = session.execute(
            select(func.count()).select_from(GuestLookupFailure)
            .where(GuestLookupFailure.client == client, GuestLookupFailure.failed_at >= since,
                   GuestLookupFailure.id != attempt)
        ).scalar_one()
        address = client_tag_address(client)
        address_failures = client_failures if client_failures >= max_client_failures else session.execute(
            select(func.count()).select_from(GuestLookupFailure)
            .where(GuestLookupFailure.client.between(address + "0" * 16, address + "f" * 16),
                   GuestLookupFailure.failed_at >= since, GuestLookupFailure.id != attempt)
        ).scalar_one()
        if client_failures >= max_client_failures or (
                address_failures >= max_client_failures * GUEST_LOOKUP_CLIENTS_PER_ADDRESS):
            # Locked for this client: this try is not counted, nothing is read.
            session.execute(delete(GuestLookupFailure).where(GuestLookupFailure.id == attempt))
            return GuestLookup(None, locked=True, client_locked=True)
    earlier_failures = session.execute(
        select(func.count()).select_from(GuestLookupFailure)
        .where(GuestLookupFailure.order_no == number, GuestLookupFailure.failed_at >= since,
               GuestLookupFailure.id != attempt)
    ).scalar_one()
    if earlier_failures >= GUEST_LOOKUP_MAX_FAILURES:
        # Locked: this try is not counted (the lock is already on), nothing is read.
        session.execute(delete(GuestLookupFailure).where(GuestLookupFailure.id == attempt))
        return GuestLookup(None, locked=True)
    order = get_order_for_guest(session, number, digits)
    if order is not None:
        session.execute(delete(GuestLookupFailure).where(GuestLookupFailure.id == attempt))
    return GuestLookup(order)


def recent_orders(session: Session, customer_id: int, limit: int = 5) -> list[OrderDetail]:
    """The customer's latest orders, newest first, each with items, shipment and timeline."""
    customer_id = customer_id_arg(customer_id)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_RECENT:
        raise InvalidRequest(f"limit must be an integer between 1 and {MAX_RECENT}, got {limit!r}")
    orders = session.execute(_RECENT_ORDERS, {"customer_id": customer_id, "limit": limit}).all()
    return _details(session, orders)


def latest_order(session: Session, customer_id: int) -> Optional[OrderDetail]:
    found = recent_orders(session, customer_id, limit=1)
    return found[0] if found else None


def _details(session: Session, orders: list, for_guest: bool = False) -> list[OrderDetail]:
    """Orders with items, shipments and events: four queries however many orders.

    Reads use table rows rather than ORM instances: nothing here is modified, and skipping
    the identity map roughly halves the Python time of a lookup.
    """
    if not orders:
        return []
    order_ids = [o.id for o in orders]
    items_by_order: dict[int, list] = defaultdict(list)
    for item in session.execute(_ITEMS_OF_ORDERS, {"order_ids": order_ids}):
        items_by_order[item.order_id].append(item)
    shipments = session.execute(_SHIPMENTS_OF_ORDERS, {"order_ids": order_ids}).all()
    events_by_shipment: dict[int, list] = defaultdict(list)
    if shipments:
        for event in session.execute(_EVENTS_OF_SHIPMENTS, {"shipment_ids": [s.id for s in shipments]}):
            events_by_shipment[event.shipment_id].append(event)
    shipments_by_order: dict[int, list[ShipmentInfo]] = defaultdict(list)
    for s in shipments:
        shipments_by_order[s.order_id].append(_shipment_info(s, events_by_shipment[s.id]))
    cancelled = [o.id for o in orders if o.status == OrderStatus.CANCELLED.value]
    cancelled_by = dict(session.execute(_CANCELLERS_OF_ORDERS, {"order_ids": cancelled}).all()) if cancelled else {}
    return [_order_detail(o, items_by_order[o.id], shipments_by_order[o.id], for_guest, cancelled_by.get(o.id))
            for o in orders]


def _shipment_info(s, events: list) -> ShipmentInfo:
    return ShipmentInfo(
        carrier_code=s.carrier_code, carrier_name=s.carrier_name, tracking_no=s.tracking_no,
        status=s.status, status_label=OrderStatus(s.status).label, shipped_at=s.shipped_at,
        delivered_at=s.delivered_at, origin_city=s.origin_city, destination_city=s.destination_city,
        events=tuple(
            LogisticsEventInfo(occurred_at=e.occurred_at, status=e.status,
                               status_label=LOGISTICS_STATUS_LABELS.get(e.status, e.status),
                               location=e.location, description=e.description)
            for e in events
        ),
    )


def _order_detail(o, items: list, shipments: list[ShipmentInfo],
                  for_guest: bool, cancelled_by: Optional[str] = None) -> OrderDetail:
    status = OrderStatus(o.status)
    payment = PaymentStatus(o.payment_status)
    street = mask_address(o.address_detail) if for_guest else o.address_detail
    return OrderDetail(
        order_no=o.order_no, status=status.value, status_label=status.label,
        payment_status=payment.value, payment_status_label=payment.label, payment_method=o.payment_method,
        goods_amount=yuan(o.goods_cents), discount=yuan(o.discount_cents), shipping_fee=yuan(o.shipping_fee_cents),
        payable=yuan(o.payable_cents), refunded=yuan(o.refunded_cents),
        recipient=mask_name(o.recipient_name) if for_guest else o.recipient_name,
        masked_phone=mask_phone(o.recipient_phone),
        address=one_line(o.province, o.city, o.district, street),
        created_at=o.created_at, paid_at=o.paid_at, shipped_at=o.shipped_at, delivered_at=o.delivered_at,
        completed_at=o.completed_at, cancelled_at=o.cancelled_at, cancelled_by=cancelled_by,
        items=tuple(
            OrderItemInfo(id=i.id, product_id=i.product_id, sku_id=i.sku_id, title=i.title, sku_name=i.sku_name,
                          unit_price=yuan(i.unit_price_cents), quantity=i.quantity,
                          subtotal=yuan(i.subtotal_cents), refunded=yuan(i.refunded_cents))
            for i in items
        ),
        shipments=tuple(shipments),
    )


# --- writes ----------------------------------------------------------------------------

def lock_customer_order(session: Session, customer_id: int, order_no: str) -> Order:
    """The customer's order row, locked for update (PostgreSQL) for a status change."""
    number = number_arg(order_no, "order_no")
    order = None
    if number is not None:
        order = session.execute(
            select(Order).where(Order.order_no == number, Order.customer_id == customer_id).with_for_update()
        ).scalar_one_or_none()
    if order is None:
        raise OrderNotFound()
    return order


def apply_order_transition(session: Session, order: Order, to_status: OrderStatus, now: datetime,
                           actor: str, note: Optional[str] = None) -> None:
    """Move ``order`` to ``to_status`` if the life cycle allows it, recording the change.

    Raises ``IllegalTransition`` before touching anything otherwise.
    """
    from_status = OrderStatus(order.status)
    ORDER_MACHINE.check(from_status, to_status)
    order.status = to_status.value
    order.updated_at = now
    if to_status is OrderStatus.AWAITING_SHIPMENT and order.paid_at is None:
        order.paid_at = now
        order.payment_status = PaymentStatus.PAID.value
    elif to_status is OrderStatus.SHIPPED and order.shipped_at is None:
        order.shipped_at = now
    elif to_status is OrderStatus.DELIVERED:
        order.delivered_at = order.delivered_at or now
    elif to_status is OrderStatus.COMPLETED:
        order.completed_at = now
    elif to_status is OrderStatus.CANCELLED:
        order.cancelled_at = now
    elif to_status is OrderStatus.REFUNDING:
        order.payment_status = PaymentStatus.REFUNDING.value
    elif to_status is OrderStatus.REFUNDED:
        order.payment_status = PaymentStatus.REFUNDED.value
    session.add(OrderStatusChange(order_id=order.id, from_status=from_status.value, to_status=to_status.value,
                                  changed_at=now, actor=actor, note=note))
    session.flush()


def cancel_order(session: Session, customer_id: int, order_no: str, now: datetime,
                 reason: Optional[str] = None, actor: str = "customer") -> CancellationResult:
    """Cancel the customer's order if its status allows (see ``cancellation_decision``).

    Raises ``OrderNotFound`` (also for other customers' orders) or ``OrderCannotBeCancelled``
    with the shopper-facing reason; nothing is written in either case.
    """
    customer_id = customer_id_arg(customer_id)
    require_aware(now)
    note = text_arg(reason, "reason", 200, required=False)
    order = lock_customer_order(session, customer_id, order_no)
    decision = cancellation_decision(OrderStatus(order.status))
    if not decision.allowed:
        raise OrderCannotBeCancelled(decision.message, decision.reason_code)
    apply_order_transition(session, order, decision.to_status, now, actor, note or "买家取消订单")
    if decision.to_status is OrderStatus.REFUNDING:
        # The refund of a paid, unshipped order is the cancellation itself.
        order.cancelled_at = now
    return CancellationResult(order_no=order.order_no, status=order.status,
                              status_label=OrderStatus(order.status).label, message=decision.message)


SAME_ADDRESS = "SAME_ADDRESS"


def _mobile_arg(value) -> str:
    if not isinstance(value, str) or not MOBILE_NUMBER.fullmatch(value):
        raise InvalidRequest(f"phone must be an 11-digit mobile number, got {value!r}")
    return value


def change_order_address(session: Session, customer_id: int, order_no: str, now: datetime,
                         saved_address_id: Optional[int] = None, typed: Optional[TypedAddress] = None,
                         actor: str = "customer") -> AddressChangeResult:
    """Send the customer's order to another address: one of their saved addresses
    (``saved_address_id``, recipient and phone included) or a typed one (``typed``; the
    recipient and phone stay). Only before the parcel leaves the warehouse
    (``address_change_allowed``); the old and the new address go to order_address_changes.

    Raises ``OrderNotFound`` (also for other customers' orders and addresses),
    ``AddressChangeNotAllowed`` (code ``SAME_ADDRESS`` when the order already goes there) or
    ``InvalidRequest``; nothing is written in those cases.
    """
    customer_id = customer_id_arg(customer_id)
    require_aware(now)
    if (saved_address_id is None) == (typed is None):
        raise InvalidRequest("give exactly one of saved_address_id and typed")
    order = lock_customer_order(session, customer_id, order_no)
    if not address_change_allowed(order.status):
        raise AddressChangeNotAllowed(
            f"订单当前状态是“{OrderStatus(order.status).label}”，包裹已发出，无法在线修改收货地址。", "ALREADY_SHIPPED")
    old = one_line(order.province, order.city, order.district, order.address_detail)
    if saved_address_id is not None:
        if isinstance(saved_address_id, bool) or not isinstance(saved_address_id, int):
            raise InvalidRequest("saved_address_id must be an integer")
        saved = session.execute(select(CustomerAddress).where(
            CustomerAddress.id == saved_address_id, CustomerAddress.customer_id == customer_id)).scalar_one_or_none()
        if saved is None:
            raise OrderNotFound()
        recipient = (saved.recipient, saved.phone)
        parts = (saved.province, saved.city, saved.district, saved.detail)
    else:
        # A typed address keeps the order's recipient and phone unless it gives its own.
        recipient = (text_arg(typed.recipient, "recipient", 32) if typed.recipient else order.recipient_name,
                     _mobile_arg(typed.phone) if typed.phone else order.recipient_phone)
        parts = (text_arg(typed.province, "province", 16, required=False) or "",
                 text_arg(typed.city, "city", 32), text_arg(typed.district, "district", 32),
                 text_arg(typed.detail, "detail", 200))
    if same_place(one_line(*parts), old) and recipient == (order.recipient_name, order.recipient_phone):
        # Nothing would change: no change is recorded (the shopper is told it is already there).
        raise AddressChangeNotAllowed(f"订单的收货地址已经是：{old}，不需要修改。", SAME_ADDRESS)
    order.recipient_name, order.recipient_phone = recipient
    order.province, order.city, order.district, order.address_detail = parts
    order.updated_at = now
    new = one_line(*parts)
    session.add(OrderAddressChange(order_id=order.id, changed_at=now, actor=text_arg(actor, "actor", 16),
                                   old_address=old[:400], new_address=new[:400]))
    session.flush()
    return AddressChangeResult(order_no=order.order_no, old_address=old, new_address=new,
                               recipient=order.recipient_name or "", recipient_phone=order.recipient_phone or "")


def advance_order_status(session: Session, order_no: str, to_status: OrderStatus | str, now: datetime,
                         actor: str = "system", note: Optional[str] = None) -> str:
    """Back-office status change (payment callback, warehouse, carrier, staff). Not for shoppers.

    Returns the new status; raises ``OrderNotFound`` or ``IllegalTransition`` (data unchanged).
    """
    require_aware(now)
    try:
        target = OrderStatus(to_status)
    except ValueError:
        raise InvalidRequest(f"unknown order status {to_status!r}") from None
    number = number_arg(order_no, "order_no")
    order = None
    if number is not None:
        order = session.execute(select(Order).where(Order.order_no == number).with_for_update()).scalar_one_or_none()
    if order is None:
        raise OrderNotFound()
    apply_order_transition(session, order, target, now, actor, note)
    return order.status
