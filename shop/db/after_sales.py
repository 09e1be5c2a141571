"""After-sales requests: eligibility, creation, listing and status changes.

A request is created in one unit of work with its first history row and, for refunds, the
order's move to 退款中 — all or nothing. The eligibility decision itself is pure domain code
(``shop.domain.eligibility``); this module only gathers the facts and writes the outcome.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Optional

from sqlalchemy import exc, select
from sqlalchemy.orm import Session

from shop.db.errors import AfterSalesNotAllowed, InvalidRequest, OrderNotFound
from shop.db.models import (
    AfterSalesRequest, AfterSalesStatusChange, Category, Order, OrderItem, Product,
)
from shop.db.orders import apply_order_transition, lock_customer_order
from shop.db.records import AfterSalesRequestInfo, StatusChangeInfo, yuan
from shop.db.validation import customer_id_arg, number_arg, text_arg
from shop.domain.after_sales import (
    AFTER_SALES_MACHINE, OPEN_AFTER_SALES_STATUSES, AfterSalesReason, AfterSalesStatus, ServiceType,
)
from shop.domain.clock import require_aware
from shop.domain.eligibility import Eligibility, ItemFacts, check_eligibility
from shop.domain.numbers import after_sales_number
from shop.domain.orders import OrderStatus, PaymentStatus
from shop.domain.policies import CategoryPolicy

NUMBER_ATTEMPTS = 5
MAX_LISTED = 50
_OPEN = [s.value for s in OPEN_AFTER_SALES_STATUSES]


def _parse_service(service_type) -> ServiceType:
    try:
        return ServiceType.parse(service_type)
    except ValueError as error:
        raise InvalidRequest(str(error)) from None


def _parse_reason(reason) -> AfterSalesReason:
    try:
        return AfterSalesReason.parse(reason)
    except ValueError as error:
        raise InvalidRequest(str(error)) from None


def _pick_item(session: Session, order: Order, order_item_id: Optional[int]) -> OrderItem:
    items = session.execute(select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)).scalars().all()
    if order_item_id is None:
        if len(items) == 1:
            return items[0]
        raise InvalidRequest("该订单有多件商品，请选择要申请售后的商品。", "ITEM_REQUIRED")
    if isinstance(order_item_id, bool) or not isinstance(order_item_id, int):
        raise InvalidRequest(f"order_item_id must be an integer, got {order_item_id!r}")
    for item in items:
        if item.id == order_item_id:
            return item
    raise InvalidRequest("该订单中没有这件商品。", "ITEM_NOT_IN_ORDER")


def _facts(session: Session, order: Order, item: OrderItem) -> ItemFacts:
    category = session.execute(
        select(Category).join(Product, Product.category_id == Category.id).where(Product.id == item.product_id)
    ).scalar_one()
    open_no = session.execute(
        select(AfterSalesRequest.request_no)
        .where(AfterSalesRequest.order_item_id == item.id, AfterSalesRequest.status.in_(_OPEN))
        .order_by(AfterSalesRequest.id).limit(1)
    ).scalar_one_or_none()
    return ItemFacts(
        order_status=OrderStatus(order.status),
        paid=order.payment_status != PaymentStatus.UNPAID.value,
        delivered_at=order.delivered_at,
        policy=CategoryPolicy(category_name=category.name, warranty_months=category.warranty_months,
                              no_reason_return=category.no_reason_return, exchange_days=category.exchange_days),
        item_refunded=item.refunded_cents >= item.subtotal_cents > 0,
        open_request_no=open_no,
    )


def check_after_sales_eligibility(session: Session, customer_id: int, order_no: str,
                                  order_item_id: Optional[int], service_type, reason, now: datetime) -> Eligibility:
    """Whether the customer may request ``service_type`` for this item now, and if not why.

    ``Eligibility.reason_code`` is stable (e.g. RETURN_WINDOW_EXPIRED); ``message`` is Chinese
    for the shopper. Raises ``OrderNotFound`` for unknown and other customers' orders alike.
    """
    customer_id = customer_id_arg(customer_id)
    require_aware(now)
    service, why = _parse_service(service_type), _parse_reason(reason)
    number = number_arg(order_no, "order_no")
    order = None
    if number is not None:
        order = session.execute(
            select(Order).where(Order.order_no == number, Order.customer_id == customer_id)
        ).scalar_one_or_none()
    if order is None:
        raise OrderNotFound()
    item = _pick_item(session, order, order_item_id)
    return check_eligibility(_facts(session, order, item), service, why, now)


def create_after_sales_request(session: Session, customer_id: int, order_no: str, order_item_id: Optional[int],
                               service_type, reason, now: datetime, detail: Optional[str] = None,
                               actor: str = "customer") -> AfterSalesRequestInfo:
    """Open an after-sales request (退货退款 / 换货 / 仅退款 / 维修 / 补寄) for one order item.

    ``service_type`` and ``reason`` take enum members, their values or their Chinese labels.
    Writes the request, its first history row and, for money-back services, the order's move
    to 退款中 — in the caller's unit of work, so all of it commits or none of it.
    Raises ``OrderNotFound``, ``InvalidRequest`` or ``AfterSalesNotAllowed`` (with the
    eligibility reason code and message) before writing anything.
    """
    customer_id = customer_id_arg(customer_id)
    require_aware(now)
    service, why = _parse_service(service_type), _parse_reason(reason)
    detail_text = text_arg(detail, "detail", 500, required=False)
    order = lock_customer_order(session, customer_id, order_no)
    item = _pick_item(session, order, order_item_id)
    facts = _facts(session, order, item)
    decision = check_eligibility(facts, service, why, now)
    if not decision.eligible:
        raise AfterSalesNotAllowed(decision.message, decision.reason_code, request_no=facts.open_request_no)

    status_before = None
    if service.refunds_money and order.status != OrderStatus.REFUNDING.value:
        status_before = order.status
        apply_order_transition(session, order, OrderStatus.REFUNDING, now, actor, f"申请{service.label}")
    request = AfterSalesRequest(
        customer_id=customer_id, order_id=order.id, order_item_id=item.id, service_type=service.value,
        reason_code=why.value, reason_detail=detail_text, status=AfterSalesStatus.PENDING_REVIEW.value,
        quantity=item.quantity, refund_cents=(item.subtotal_cents - item.refunded_cents) if service.refunds_money else 0,
        order_status_before=status_before, created_at=now, updated_at=now,
    )
    _insert_with_unique_number(session, request, now)
    session.add(AfterSalesStatusChange(request_id=request.id, from_status=None, to_status=request.status,
                                       changed_at=now, actor=actor, note=f"提交{service.label}申请：{why.label}"))
    session.flush()
    return _infos(session, [request])[0]


def _insert_with_unique_number(session: Session, request: AfterSalesRequest, now: datetime) -> None:
    """Random service numbers can collide; retry inside a SAVEPOINT so the unit of work survives."""
    for attempt in range(NUMBER_ATTEMPTS):
        request.request_no = after_sales_number(now)
        try:
            with session.begin_nested():
                session.add(request)
                session.flush()
            return
        except exc.IntegrityError:
            # The savepoint rollback took the pending row out of the session; the rest of the
            # unit of work (e.g. the order's move to 退款中) is intact. Try another number.
            if attempt == NUMBER_ATTEMPTS - 1:
                raise


# --- reads -----------------------------------------------------------------------------

def list_after_sales_requests(session: Session, customer_id: int, limit: int = 20) -> list[AfterSalesRequestInfo]:
    """The customer's after-sales requests, newest first."""
    customer_id = customer_id_arg(customer_id)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LISTED:
        raise InvalidRequest(f"limit must be an integer between 1 and {MAX_LISTED}, got {limit!r}")
    requests = session.execute(
        select(AfterSalesRequest).where(AfterSalesRequest.customer_id == customer_id)
        .order_by(AfterSalesRequest.created_at.desc(), AfterSalesRequest.id.desc()).limit(limit)
    ).scalars().all()
    return _infos(session, requests)


def get_after_sales_request(session: Session, customer_id: int, request_no: str) -> Optional[AfterSalesRequestInfo]:
    """The customer's request with this service number, else None (also for other customers')."""
    customer_id = customer_id_arg(customer_id)
    number = number_arg(request_no, "request_no")
    if number is None:
        return None
    request = session.execute(
        select(AfterSalesRequest).where(AfterSalesRequest.request_no == number,
                                        AfterSalesRequest.customer_id == customer_id)
    ).scalar_one_or_none()
    return _infos(session, [request])[0] if request else None


def _infos(session: Session, requests: list[AfterSalesRequest]) -> list[AfterSalesRequestInfo]:
    if not requests:
        return []
    ids = [r.id for r in requests]
    history: dict[int, list[AfterSalesStatusChange]] = defaultdict(list)
    for change in session.execute(
        select(AfterSalesStatusChange).where(AfterSalesStatusChange.request_id.in_(ids))
        .order_by(AfterSalesStatusChange.changed_at, AfterSalesStatusChange.id)
    ).scalars():
        history[change.request_id].append(change)
    context = {
        row.id: row for row in session.execute(
            select(OrderItem.id, OrderItem.title, Order.order_no)
            .join(Order, Order.id == OrderItem.order_id)
            .where(OrderItem.id.in_([r.order_item_id for r in requests]))
        )
    }
    infos = []
    for r in requests:
        service, reason, status = ServiceType(r.service_type), AfterSalesReason(r.reason_code), AfterSalesStatus(r.status)
        infos.append(AfterSalesRequestInfo(
            request_no=r.request_no, order_no=context[r.order_item_id].order_no, order_item_id=r.order_item_id,
            product_title=context[r.order_item_id].title, service_type=service.value, service_label=service.label,
            reason_code=reason.value, reason_label=reason.label, reason_detail=r.reason_detail,
            status=status.value, status_label=status.label, quantity=r.quantity, refund_amount=yuan(r.refund_cents),
            created_at=r.created_at, updated_at=r.updated_at, resolved_at=r.resolved_at,
            history=tuple(
                StatusChangeInfo(from_status=c.from_status, to_status=c.to_status,
                                 to_label=AfterSalesStatus(c.to_status).label, changed_at=c.changed_at,
                                 actor=c.actor, note=c.note)
                for c in history[r.id]
            ),
        ))
    return infos


# --- status changes --------------------------------------------------------------------

def cancel_after_sales_request(session: Session, customer_id: int, request_no: str, now: datetime) -> AfterSalesRequestInfo:
    """The shopper withdraws their own request (allowed until the goods are back with us)."""
    customer_id = customer_id_arg(customer_id)
    number = number_arg(request_no, "request_no")
    request = None
    if number is not None:
        request = session.execute(
            select(AfterSalesRequest).where(AfterSalesRequest.request_no == number,
                                            AfterSalesRequest.customer_id == customer_id).with_for_update()
        ).scalar_one_or_none()
    if request is None:
        raise InvalidRequest("没有找到这个售后服务单。", "REQUEST_NOT_FOUND")
    _advance(session, request, AfterSalesStatus.CANCELLED, now, "customer", "买家撤销申请")
    return _infos(session, [request])[0]


def advance_after_sales_request(session: Session, request_no: str, to_status, now: datetime,
                                actor: str = "staff", note: Optional[str] = None) -> AfterSalesRequestInfo:
    """Back-office step of a request (review, goods received, refund paid). Not for shoppers.

    Completing a money-back request refunds the item; when every item of the order is
    refunded the order becomes 已退款, otherwise (and on reject / cancel) the order returns
    to the status it had before the request. Raises ``IllegalTransition`` with data unchanged.
    """
    try:
        target = AfterSalesStatus(to_status)
    except ValueError:
        raise InvalidRequest(f"unknown after-sales status {to_status!r}") from None
    number = number_arg(request_no, "request_no")
    request = None
    if number is not None:
        request = session.execute(
            select(AfterSalesRequest).where(AfterSalesRequest.request_no == number).with_for_update()
        ).scalar_one_or_none()
    if request is None:
        raise InvalidRequest("没有找到这个售后服务单。", "REQUEST_NOT_FOUND")
    _advance(session, request, target, now, actor, note)
    return _infos(session, [request])[0]


def _advance(session: Session, request: AfterSalesRequest, target: AfterSalesStatus, now: datetime,
             actor: str, note: Optional[str]) -> None:
    require_aware(now)
    current = AfterSalesStatus(request.status)
    AFTER_SALES_MACHINE.check(current, target)
    request.status = target.value
    request.updated_at = now
    session.add(AfterSalesStatusChange(request_id=request.id, from_status=current.value, to_status=target.value,
                                       changed_at=now, actor=actor, note=note))
    service = ServiceType(request.service_type)
    if target in (AfterSalesStatus.COMPLETED, AfterSalesStatus.REJECTED, AfterSalesStatus.CANCELLED):
        request.resolved_at = now
        if service.refunds_money:
            _settle_order(session, request, refunded=target is AfterSalesStatus.COMPLETED, now=now, actor=actor)
    session.flush()


def _settle_order(session: Session, request: AfterSalesRequest, refunded: bool, now: datetime, actor: str) -> None:
    """Apply a finished money-back request to its order item and order."""
    order = session.execute(select(Order).where(Order.id == request.order_id).with_for_update()).scalar_one()
    if refunded:
        item = session.get(OrderItem, request.order_item_id)
        item.refunded_cents += request.refund_cents
        order.refunded_cents += request.refund_cents
    session.flush()
    still_open = session.execute(
        select(AfterSalesRequest.id).where(
            AfterSalesRequest.order_id == order.id, AfterSalesRequest.id != request.id,
            AfterSalesRequest.status.in_(_OPEN),
            AfterSalesRequest.service_type.in_([ServiceType.RETURN.value, ServiceType.REFUND_ONLY.value]),
        ).limit(1)
    ).first()
    if still_open or order.status != OrderStatus.REFUNDING.value:
        return
    items = session.execute(select(OrderItem).where(OrderItem.order_id == order.id)).scalars().all()
    if all(i.refunded_cents >= i.subtotal_cents for i in items):
        apply_order_transition(session, order, OrderStatus.REFUNDED, now, actor, "退款完成")
        return
    restore = session.execute(
        select(AfterSalesRequest.order_status_before)
        .where(AfterSalesRequest.order_id == order.id, AfterSalesRequest.order_status_before.is_not(None))
        .order_by(AfterSalesRequest.id.desc()).limit(1)
    ).scalar_one_or_none()
    target = OrderStatus(restore) if restore else (
        OrderStatus.DELIVERED if order.delivered_at else OrderStatus.AWAITING_SHIPMENT)
    apply_order_transition(session, order, target, now, actor, "售后结束，订单恢复")
    order.payment_status = (PaymentStatus.PARTIALLY_REFUNDED if order.refunded_cents else PaymentStatus.PAID).value
