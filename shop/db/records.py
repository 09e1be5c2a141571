"""Plain, frozen results of the query functions.

Callers (actions, the recommender, the web page) get these instead of ORM objects, so they
never hold a session or trigger lazy loads. Money is ``Decimal`` yuan; datetimes are aware,
in China time. Sequences are tuples; attribute maps are plain dicts (treat them as read-only).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Mapping, Optional

from shop.domain.addresses import one_line


def yuan(cents: Optional[int]) -> Optional[Decimal]:
    """Integer cents to exact Decimal yuan (12999 -> Decimal('129.99'))."""
    return None if cents is None else Decimal(int(cents)).scaleb(-2)


# --- customers -------------------------------------------------------------------------

@dataclass(frozen=True)
class AddressInfo:
    """An address of the customer's, shown to them (the phone masked)."""
    recipient: str
    masked_phone: str
    province: str
    city: str
    district: str
    detail: str

    @property
    def one_line(self) -> str:
        return one_line(self.province, self.city, self.district, self.detail)


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    name: str
    masked_name: str
    masked_phone: str
    member_level: str
    city: Optional[str]
    registered_at: datetime
    default_address: Optional[AddressInfo]


@dataclass(frozen=True)
class DemoCustomer:
    """What the demo sign-in page lists: nothing that identifies a real person."""

    id: int
    masked_name: str
    masked_phone: str
    member_level: str
    order_count: int


# --- catalogue -------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    parent_id: Optional[int]
    level: int
    path_names: tuple[str, ...]      # ("手机数码", "手机")


@dataclass(frozen=True)
class BrandInfo:
    id: int
    name: str
    name_en: Optional[str]
    name_zh: Optional[str]


@dataclass(frozen=True)
class ProductSummary:
    id: int
    title: str
    model: str
    brand: str
    category: str
    price: Decimal
    original_price: Decimal
    rating: float
    review_count: int
    sales_count: int
    in_stock: bool
    image_ref: Optional[str]


@dataclass(frozen=True)
class SkuInfo:
    id: int
    sku_code: str
    name: str
    attributes: Mapping[str, str]
    price: Decimal
    original_price: Decimal
    stock: int
    is_active: bool

    @property
    def in_stock(self) -> bool:
        return self.is_active and self.stock > 0


@dataclass(frozen=True)
class ProductDetail:
    id: int
    title: str
    model: str
    brand: str
    brand_en: Optional[str]
    category_id: int
    category_path: tuple[str, ...]
    price: Decimal
    original_price: Decimal
    description: str
    attributes: Mapping[str, str]
    rating: float
    review_count: int
    sales_count: int
    image_ref: Optional[str]
    is_on_sale: bool
    skus: tuple[SkuInfo, ...]
    warranty_months: int
    no_reason_return: bool

    @property
    def total_stock(self) -> int:
        return sum(s.stock for s in self.skus if s.is_active)

    @property
    def in_stock(self) -> bool:
        return self.total_stock > 0


@dataclass(frozen=True)
class PromotionInfo:
    id: int
    title: str
    kind: str
    description: str
    category: Optional[str]
    brand: Optional[str]
    threshold: Optional[Decimal]
    discount: Optional[Decimal]
    discount_percent: Optional[int]
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class CouponInfo:
    code: str
    title: str
    threshold: Decimal
    discount: Decimal
    category: Optional[str]
    status: str
    valid_from: datetime
    valid_to: datetime


@dataclass(frozen=True)
class CatalogueTerms:
    """Vocabulary for NLU dictionaries and gazetteers."""

    brands: tuple[str, ...]            # every spelling: 华为, HUAWEI, Apple, 苹果 ...
    categories: tuple[str, ...]
    models: tuple[str, ...]            # iPhone 15 Pro, Mate 60 Pro, 小米14 ...
    colours: tuple[str, ...]
    brand_aliases: Mapping[str, str] = field(default_factory=dict)   # spelling -> canonical


# --- orders ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LogisticsEventInfo:
    occurred_at: datetime
    status: str
    status_label: str
    location: Optional[str]
    description: str


@dataclass(frozen=True)
class ShipmentInfo:
    carrier_code: str
    carrier_name: str
    tracking_no: str
    status: str
    status_label: str
    shipped_at: datetime
    delivered_at: Optional[datetime]
    events: tuple[LogisticsEventInfo, ...]   # oldest first
    origin_city: Optional[str] = None        # the warehouse the parcel left from
    destination_city: Optional[str] = None

    @property
    def latest_event(self) -> Optional[LogisticsEventInfo]:
        return self.events[-1] if self.events else None


@dataclass(frozen=True)
class OrderItemInfo:
    id: int
    product_id: int
    sku_id: int
    title: str
    sku_name: str
    unit_price: Decimal
    quantity: int
    subtotal: Decimal
    refunded: Decimal


@dataclass(frozen=True)
class OrderDetail:
    order_no: str
    status: str
    status_label: str
    payment_status: str
    payment_status_label: str
    payment_method: Optional[str]
    goods_amount: Decimal
    discount: Decimal
    shipping_fee: Decimal
    payable: Decimal
    refunded: Decimal
    recipient: str                   # masked for guest look-ups
    masked_phone: str
    address: str                     # street part hidden for guest look-ups
    created_at: datetime
    paid_at: Optional[datetime]
    shipped_at: Optional[datetime]
    delivered_at: Optional[datetime]
    completed_at: Optional[datetime]
    cancelled_at: Optional[datetime]
    items: tuple[OrderItemInfo, ...]
    shipments: tuple[ShipmentInfo, ...]
    cancelled_by: Optional[str] = None   # actor of the change to 已取消 (customer / system / staff / assistant)

    @property
    def shipment(self) -> Optional[ShipmentInfo]:
        return self.shipments[-1] if self.shipments else None


@dataclass(frozen=True)
class SavedAddress(AddressInfo):
    """One of the customer's own saved addresses (shown to them unmasked: it is theirs)."""
    id: int
    label: Optional[str]
    is_default: bool


@dataclass(frozen=True)
class AddressChangeResult:
    order_no: str
    old_address: str
    new_address: str
    # Who the parcel now goes to (the saved address's, the typed one's, or the order's own).
    recipient: str = ""
    recipient_phone: str = ""


@dataclass(frozen=True)
class CancellationResult:
    order_no: str
    status: str
    status_label: str
    message: str


# --- after-sales -----------------------------------------------------------------------

@dataclass(frozen=True)
class StatusChangeInfo:
    from_status: Optional[str]
    to_status: str
    to_label: str
    changed_at: datetime
    actor: str
    note: Optional[str]


@dataclass(frozen=True)
class AfterSalesRequestInfo:
    request_no: str
    order_no: str
    order_item_id: int
    product_title: str
    service_type: str
    service_label: str
    reason_code: str
    reason_label: str
    reason_detail: Optional[str]
    status: str
    status_label: str
    quantity: int
    refund_amount: Decimal
    created_at: datetime
    updated_at: datetime
    resolved_at: Optional[datetime]
    history: tuple[StatusChangeInfo, ...]


# --- services: repair points and installation ------------------------------------------

@dataclass(frozen=True)
class ServiceCity:
    """A city with service points, and the districts they are in."""

    province: str
    city: str                          # as in addresses: 杭州市
    districts: tuple[str, ...]


@dataclass(frozen=True)
class ServicePointInfo:
    id: int
    name: str
    province: str
    city: str
    district: str
    address: str                       # street part, after the district
    phone: str                         # the point's public service line
    opening_hours: str
    categories: tuple[str, ...]        # what it repairs (a top category covers its subtree)

    @property
    def full_address(self) -> str:
        return f"{self.city}{self.district}{self.address}"


@dataclass(frozen=True)
class InstallationFeeInfo:
    category: str                      # the category the fee is set on
    category_path: tuple[str, ...]     # ("家用电器", "空调")
    fee: Decimal                       # standard installation; 0 = free
    included: str
    extra_charges: Optional[str]

    @property
    def is_free(self) -> bool:
        return self.fee == 0


@dataclass(frozen=True)
class InstallableOrder:
    """A customer's order with items that need installation (送装), for 师傅什么时候上门."""

    order_no: str
    status: str
    status_label: str
    created_at: datetime
    delivered_at: Optional[datetime]
    items: tuple[str, ...]             # titles of the items to install
    categories: tuple[str, ...]        # their categories, as the fee table names them


# --- hand-off --------------------------------------------------------------------------

@dataclass(frozen=True)
class HandoffTicket:
    id: int
    ticket_no: str
    sender_id: str
    customer_id: Optional[int]
    channel: Optional[str]
    reason: Optional[str]
    summary: str
    order_no: Optional[str]
    status: str
    created_at: datetime


# --- recommender -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InteractionRow:
    customer_id: int
    product_id: int
    timestamp: datetime
    kind: str                         # view / cart / purchase


@dataclass(frozen=True, slots=True)
class ProductFeatureRow:
    id: int
    title: str
    description: str
    category_path: tuple[str, ...]
    category_id: int
    brand: str
    price: Decimal
    attributes: Mapping[str, str]
    stock: int
    is_consumable: bool
    sales_count: int
    rating: float
