"""Service queries: repair points by city and category, installation fees by category, and a
customer's orders that need installation.

Every function takes a Session first and returns frozen records (``shop.db.records``). A
fee or a repair skill set on a category covers its whole subtree (a point that repairs
家用电器 repairs 空调); the nearest category wins when several levels carry a fee. The
category tree is small (a few dozen rows), so it is read whole rather than walked in SQL.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Optional, Union

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import (
    Category, InstallationFee, Order, OrderItem, Product, ServicePoint, ServicePointCategory,
)
from shop.db.records import (
    InstallableOrder, InstallationFeeInfo, ServiceCity, ServicePointInfo, yuan,
)
from shop.db.validation import customer_id_arg, text_arg
from shop.domain.installation import NOTHING_TO_INSTALL
from shop.domain.orders import OrderStatus

MAX_POINTS = 20
MAX_ORDERS = 20
_NOT_INSTALLABLE = sorted(status.value for status in NOTHING_TO_INSTALL)

CategoryArg = Union[int, str]

_POINTS_IN_CITY = (select(ServicePoint.__table__).where(ServicePoint.city == bindparam("city"))
                   .order_by(ServicePoint.district, ServicePoint.id))
_POINT_CATEGORIES = (select(ServicePointCategory.service_point_id, ServicePointCategory.category_id)
                     .where(ServicePointCategory.service_point_id.in_(bindparam("ids", expanding=True))))
_RECENT_INSTALLABLE_CANDIDATES = (
    select(Order.id, Order.order_no, Order.status, Order.created_at, Order.delivered_at,
           OrderItem.title, Product.category_id)
    .join(OrderItem, OrderItem.order_id == Order.id)
    .join(Product, Product.id == OrderItem.product_id)
    .where(Order.customer_id == bindparam("customer_id"), Order.status.notin_(_NOT_INSTALLABLE))
    .order_by(Order.created_at.desc(), Order.id.desc(), OrderItem.id)
)


class _Tree:
    """The category tree: names, ancestors (root first) and name lookups."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Category.id, Category.name, Category.path)).all()
        self.name = {row.id: row.name for row in rows}
        self.ancestors = {row.id: tuple(int(p) for p in row.path.split("/") if p) for row in rows}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            self.by_name[row.name].append(row.id)

    def resolve(self, category: CategoryArg) -> list[int]:
        """The categories meant by an id or an exact name (names may repeat under parents)."""
        if isinstance(category, bool) or not isinstance(category, (int, str)):
            raise InvalidRequest(f"category must be an id or a name, got {category!r}")
        if isinstance(category, int):
            return [category] if category in self.name else []
        return list(self.by_name.get(text_arg(category, "category", 32), ()))

    def path_names(self, category_id: int) -> tuple[str, ...]:
        return tuple(self.name[i] for i in self.ancestors.get(category_id, (category_id,)) if i in self.name)

    def covers(self, upper: int, category_id: int) -> bool:
        """``upper`` is ``category_id`` or one of its ancestors."""
        return upper in self.ancestors.get(category_id, (category_id,))


def service_cities(session: Session) -> list[ServiceCity]:
    """Every city with a service point and the districts its points are in."""
    rows = session.execute(
        select(ServicePoint.province, ServicePoint.city, ServicePoint.district).distinct()
        .order_by(ServicePoint.province, ServicePoint.city, ServicePoint.district)
    ).all()
    districts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        districts[(row.province, row.city)].append(row.district)
    return [ServiceCity(province, city, tuple(names)) for (province, city), names in districts.items()]


def service_points(session: Session, city: str, category: Optional[CategoryArg] = None,
                   limit: int = 10) -> list[ServicePointInfo]:
    """The service points of ``city`` (exact, as in addresses: 杭州市), by district; with
    ``category`` only those that repair it (an unknown category: none)."""
    city = text_arg(city, "city", 32)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_POINTS:
        raise InvalidRequest(f"limit must be an integer between 1 and {MAX_POINTS}, got {limit!r}")
    tree = _Tree(session)
    wanted = tree.resolve(category) if category is not None else None
    if wanted == []:
        return []
    points = session.execute(_POINTS_IN_CITY, {"city": city}).all()
    if not points:
        return []
    repairs: dict[int, list[int]] = defaultdict(list)
    for point_id, category_id in session.execute(_POINT_CATEGORIES, {"ids": [p.id for p in points]}):
        repairs[point_id].append(category_id)
    found = []
    for point in points:
        skills = sorted(repairs[point.id], key=lambda c: (len(tree.ancestors.get(c, ())), c))
        if wanted is not None and not any(tree.covers(skill, c) for skill in skills for c in wanted):
            continue
        found.append(ServicePointInfo(
            id=point.id, name=point.name, province=point.province, city=point.city, district=point.district,
            address=point.address, phone=point.phone, opening_hours=point.opening_hours,
            categories=tuple(tree.name[c] for c in skills if c in tree.name),
        ))
        if len(found) == limit:
            break
    return found


def _fees(session: Session) -> dict[int, InstallationFee]:
    return {fee.category_id: fee for fee in session.execute(select(InstallationFee)).scalars()}


def _fee_info(tree: _Tree, fee: InstallationFee) -> InstallationFeeInfo:
    return InstallationFeeInfo(
        category=tree.name[fee.category_id], category_path=tree.path_names(fee.category_id),
        fee=yuan(fee.fee_cents), included=fee.included, extra_charges=fee.extra_charges,
    )


def _nearest_fee(tree: _Tree, fees: dict[int, InstallationFee], category_id: int) -> Optional[InstallationFee]:
    for upper in reversed(tree.ancestors.get(category_id, (category_id,))):
        if upper in fees:
            return fees[upper]
    return None


def installation_fee(session: Session, category: CategoryArg) -> Optional[InstallationFeeInfo]:
    """The installation terms of a category (its own or its nearest ancestor's); None when
    the category needs no installation service or is unknown."""
    tree = _Tree(session)
    fees = _fees(session)
    for category_id in tree.resolve(category):
        fee = _nearest_fee(tree, fees, category_id)
        if fee is not None:
            return _fee_info(tree, fee)
    return None


def installation_fees(session: Session, under: Optional[CategoryArg] = None) -> list[InstallationFeeInfo]:
    """Every category's installation terms, in catalogue order; with ``under``, those set on
    that category, inside its subtree or on an ancestor (家用电器 → 电视, 冰箱, 空调 …)."""
    tree = _Tree(session)
    fees = _fees(session)
    roots = tree.resolve(under) if under is not None else None
    chosen = [
        fee for category_id, fee in fees.items()
        if roots is None or any(tree.covers(root, category_id) or tree.covers(category_id, root) for root in roots)
    ]
    chosen.sort(key=lambda fee: tree.ancestors.get(fee.category_id, ()))
    return [_fee_info(tree, fee) for fee in chosen]


def installable_orders(session: Session, customer_id: int, limit: int = 5) -> list[InstallableOrder]:
    """The customer's latest orders (not unpaid, cancelled or refunded) with items that need
    installation, newest first. Only the customer's own orders are ever read."""
    customer_id = customer_id_arg(customer_id)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ORDERS:
        raise InvalidRequest(f"limit must be an integer between 1 and {MAX_ORDERS}, got {limit!r}")
    fees = _fees(session)
    if not fees:
        return []
    tree = _Tree(session)
    found: dict[int, InstallableOrder] = {}
    rows = session.execute(_RECENT_INSTALLABLE_CANDIDATES, {"customer_id": customer_id})
    for row in rows:
        fee = _nearest_fee(tree, fees, row.category_id)
        if fee is None:
            continue
        category = tree.name[fee.category_id]
        order = found.get(row.id)
        if order is None:
            if len(found) == limit:
                break
            status = OrderStatus(row.status)
            found[row.id] = InstallableOrder(
                order_no=row.order_no, status=status.value, status_label=status.label, created_at=row.created_at,
                delivered_at=row.delivered_at, items=(row.title,), categories=(category,),
            )
        else:
            found[row.id] = InstallableOrder(
                order_no=order.order_no, status=order.status, status_label=order.status_label,
                created_at=order.created_at, delivered_at=order.delivered_at, items=order.items + (row.title,),
                categories=order.categories + ((category,) if category not in order.categories else ()),
            )
    return list(found.values())
