"""Print order numbers and phone suffixes to try against the seeded shop.

``python -m shop.seed.samples`` (or ``make samples``): order numbers depend on the seed's
anchor day, so documentation cannot list fixed ones; this prints, for the first demo
customers, a few of their orders (number, state, first item, the recipient phone's last four
digits a guest look-up asks for). Read-only.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shop import settings
from shop.db.engine import make_engine
from shop.db.models import Customer, Order, OrderItem, Shipment
from shop.domain.orders import OrderStatus


@dataclass(frozen=True)
class SampleOrder:
    order_no: str
    status_label: str
    first_item: str
    phone_last4: str
    has_logistics: bool


@dataclass(frozen=True)
class SampleCustomer:
    customer_id: int
    name: str
    phone_last4: str
    orders: list[SampleOrder]


def sample_customers(session: Session, customers: int = 3, orders_each: int = 4) -> list[SampleCustomer]:
    """The first ``customers`` customers and their newest ``orders_each`` orders."""
    result = []
    for customer in session.execute(select(Customer).order_by(Customer.id).limit(customers)).scalars():
        rows = session.execute(
            select(Order).where(Order.customer_id == customer.id)
            .order_by(Order.created_at.desc(), Order.id.desc()).limit(orders_each)
        ).scalars().all()
        orders = []
        for order in rows:
            item = session.execute(select(OrderItem.title).where(OrderItem.order_id == order.id)
                                   .order_by(OrderItem.id).limit(1)).scalar_one_or_none()
            shipped = session.execute(select(Shipment.id).where(Shipment.order_id == order.id)
                                      .limit(1)).first() is not None
            orders.append(SampleOrder(order.order_no, OrderStatus(order.status).label, item or "",
                                      order.recipient_phone[-4:], shipped))
        result.append(SampleCustomer(customer.id, customer.name, customer.phone[-4:], orders))
    return result


def format_samples(samples: list[SampleCustomer]) -> str:
    if not samples:
        return "The shop database is empty: run `make seed` first."
    lines = ["Sample data in this shop database (a fresh seed on another day has other numbers):", ""]
    for customer in samples:
        lines.append(f"customer {customer.customer_id} {customer.name}, phone ending {customer.phone_last4}"
                     f"  (sign in: SHOP_ALLOW_DEV_IDENTITY=1 SHOP_DEV_CUSTOMER_ID={customer.customer_id})")
        for order in customer.orders:
            logistics = "有物流" if order.has_logistics else "无物流"
            lines.append(f"  {order.order_no}  {order.status_label:<4} {logistics}  收件手机后四位 {order.phone_last4}"
                         f"  {order.first_item[:28]}")
        lines.append("")
    lines.append("Guest look-up: type 查订单 <number>, then the 4 digits when asked.")
    return "\n".join(lines)


def format_plain(samples: list[SampleCustomer]) -> str:
    """One order a line, ``<order number> <phone last 4> <customer id>``, for scripts."""
    return "\n".join(f"{order.order_no} {order.phone_last4} {customer.customer_id}"
                     for customer in samples for order in customer.orders)


def render_samples(engine: Engine, customers: int, orders_each: int, plain: bool = False) -> str:
    if not inspect(engine).has_table(Customer.__tablename__):
        return "The shop database has no tables yet: run `make seed` first."
    with Session(engine) as session:
        samples = sample_customers(session, customers, orders_each)
    return format_plain(samples) if plain else format_samples(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.seed.samples", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: $SHOP_DATABASE_URL)")
    parser.add_argument("--customers", type=int, default=3)
    parser.add_argument("--orders", type=int, default=4, help="orders per customer")
    parser.add_argument("--plain", action="store_true", help="only '<order number> <phone last 4> <customer>' lines")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url or settings.database_url())
    try:
        print(render_samples(engine, args.customers, args.orders, args.plain))
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
