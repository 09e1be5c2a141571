"""Customer profile queries (phones and names leave this module masked)."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import Customer, CustomerAddress, Order
from shop.db.records import AddressInfo, CustomerInfo, DemoCustomer, SavedAddress
from shop.db.validation import customer_id_arg
from shop.domain.privacy import mask_name, mask_phone

MAX_DEMO = 100


def get_customer(session: Session, customer_id: int) -> Optional[CustomerInfo]:
    """The customer's own profile (full name, masked phone, default address); None if unknown."""
    customer_id = customer_id_arg(customer_id)
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    address = session.execute(
        select(CustomerAddress).where(CustomerAddress.customer_id == customer_id)
        .order_by(CustomerAddress.is_default.desc(), CustomerAddress.id).limit(1)
    ).scalar_one_or_none()
    return CustomerInfo(
        id=customer.id, name=customer.name, masked_name=mask_name(customer.name),
        masked_phone=mask_phone(customer.phone), member_level=customer.member_level, city=customer.city,
        registered_at=customer.registered_at,
        default_address=AddressInfo(
            recipient=address.recipient, masked_phone=mask_phone(address.phone), province=address.province,
            city=address.city, district=address.district, detail=address.detail,
        ) if address else None,
    )


MAX_SAVED_ADDRESSES = 20


def saved_addresses(session: Session, customer_id: int) -> list[SavedAddress]:
    """The customer's saved addresses, the default first, then in the order they were added
    (the order they are offered in, so "第二个" means the second one shown)."""
    customer_id = customer_id_arg(customer_id)
    rows = session.execute(
        select(CustomerAddress).where(CustomerAddress.customer_id == customer_id)
        .order_by(CustomerAddress.is_default.desc(), CustomerAddress.id).limit(MAX_SAVED_ADDRESSES)
    ).scalars()
    return [SavedAddress(id=a.id, label=a.label, recipient=a.recipient, masked_phone=mask_phone(a.phone),
                         province=a.province, city=a.city, district=a.district, detail=a.detail,
                         is_default=bool(a.is_default)) for a in rows]


def list_demo_customers(session: Session, limit: int = 10) -> list[DemoCustomer]:
    """The first customers (the seeded demo fixtures come first), masked, for demo sign-in."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_DEMO:
        raise InvalidRequest(f"limit must be an integer between 1 and {MAX_DEMO}, got {limit!r}")
    customers = session.execute(select(Customer).order_by(Customer.id).limit(limit)).scalars().all()
    if not customers:
        return []
    counts = dict(session.execute(
        select(Order.customer_id, func.count(Order.id))
        .where(Order.customer_id.in_([c.id for c in customers])).group_by(Order.customer_id)
    ).all())
    return [
        DemoCustomer(id=c.id, masked_name=mask_name(c.name), masked_phone=mask_phone(c.phone),
                     member_level=c.member_level, order_count=counts.get(c.id, 0))
        for c in customers
    ]


def seeded_tastes(session: Session, limit: int, offset: int = 0) -> list[tuple[int, frozenset[int]]]:
    """(customer id, leaf category ids the seed gave the customer a taste for), in id order:
    what the growth simulator's shoppers like (``shop.seed.people``); never shown to anyone."""
    rows = session.execute(select(Customer.id, Customer.preferences).order_by(Customer.id)
                           .offset(offset).limit(limit)).all()
    return [(cid, frozenset((prefs or {}).get("categories") or ())) for cid, prefs in rows]
