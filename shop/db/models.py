"""SQLAlchemy models of the shop (declarative, SQLAlchemy 1.4 with 2.0-style usage).

Conventions:
- statuses are stored as the English ``value`` of the enums in ``shop.domain``;
- money is stored as integer cents (``*_cents``) — exact on every backend;
- timestamps are ``UTCDateTime``: aware in, naive UTC in the database, China time out;
- every index below serves a query on the conversation path or a foreign-key lookup
  (the comment next to it says which).

``product_search_terms`` and ``product_facets`` are search indexes derived from the
catalogue (see ``shop.db.search_index``), not primary data.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, SmallInteger, String,
    Text, UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

from shop.db.types import BigId, UTCDateTime

# Deterministic constraint names, so Alembic can address them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


# --- customers -------------------------------------------------------------------------

class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False)
    phone = Column(String(20), nullable=False, unique=True)
    email = Column(String(120))
    gender = Column(String(8))
    member_level = Column(String(16), nullable=False, default="普通会员")
    city = Column(String(32))
    registered_at = Column(UTCDateTime, nullable=False)
    # Latent tastes the seed generated behaviour from: {"categories": [...], "brands": [...],
    # "price_level": "budget|mid|premium"}. Ground truth for recommender experiments.
    preferences = Column(JSON)

    addresses = relationship("CustomerAddress", back_populates="customer")


class CustomerAddress(Base):
    __tablename__ = "customer_addresses"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    recipient = Column(String(32), nullable=False)
    phone = Column(String(20), nullable=False)
    province = Column(String(16), nullable=False)
    city = Column(String(32), nullable=False)
    district = Column(String(32), nullable=False)
    detail = Column(String(200), nullable=False)
    is_default = Column(Boolean, nullable=False, default=False)
    # What the shopper calls it (家 / 公司), so "公司那个" picks it (migration 0009).
    label = Column(String(16))

    customer = relationship("Customer", back_populates="addresses")


# --- catalogue -------------------------------------------------------------------------

class Category(Base):
    """A node of the category tree; after-sales policy is resolved onto every node."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_categories_parent_name"),)

    id = Column(Integer, primary_key=True)
    parent_id = Column(Integer, ForeignKey("categories.id"), index=True)
    name = Column(String(32), nullable=False)
    level = Column(SmallInteger, nullable=False)
    # Materialised path of ids, e.g. "1/12/" — subtree lookups without recursion.
    path = Column(String(64), nullable=False, index=True)
    sort_order = Column(Integer, nullable=False, default=0)
    warranty_months = Column(SmallInteger, nullable=False, default=0)
    no_reason_return = Column(Boolean, nullable=False, default=True)
    exchange_days = Column(SmallInteger, nullable=False, default=15)
    is_consumable = Column(Boolean, nullable=False, default=False)
    # Typical days between re-purchases of a consumable (None for durable goods).
    repurchase_days = Column(SmallInteger)


class Brand(Base):
    __tablename__ = "brands"

    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)   # as shown in titles: 华为, Apple
    name_en = Column(String(64))                            # HUAWEI, Apple
    name_zh = Column(String(64))                            # 苹果 (what shoppers say)
    country = Column(String(32))


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        # Category and brand browsing, best sellers first.
        Index("ix_products_category_sales", "category_id", "sales_count"),
        Index("ix_products_brand_sales", "brand_id", "sales_count"),
        Index("ix_products_sales", "sales_count"),
        # Price-range searches without a keyword.
        Index("ix_products_category_price", "category_id", "price_cents"),
        # Rare price ranges without a category (common ones walk the best sellers instead).
        Index("ix_products_price_sales", "price_cents", "sales_count"),
        # A mentioned model, best sellers first. Without sales_count in the index PostgreSQL
        # walks the whole sales index looking for a model nobody sells (0.4 s at 100k products).
        Index("ix_products_model_sales", "model_key", "sales_count"),
    )

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    model = Column(String(80), nullable=False)
    # Lower-case model without spaces ("iphone15pro"): exact matches of a mentioned model.
    model_key = Column(String(80), nullable=False)
    brand_id = Column(Integer, ForeignKey("brands.id"), nullable=False)
    category_id = Column(Integer, ForeignKey("categories.id"), nullable=False)
    price_cents = Column(Integer, nullable=False)            # lowest active SKU price (起售价)
    original_price_cents = Column(Integer, nullable=False)   # list price (划线价)
    description = Column(Text, nullable=False, default="")
    attributes = Column(JSON, nullable=False, default=dict)  # product-level specs
    rating = Column(Float, nullable=False, default=5.0)
    review_count = Column(Integer, nullable=False, default=0)
    sales_count = Column(Integer, nullable=False, default=0)
    image_ref = Column(String(120))
    is_on_sale = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)

    skus = relationship("Sku", back_populates="product", order_by="Sku.id")


class Sku(Base):
    __tablename__ = "skus"

    id = Column(Integer, primary_key=True)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False, index=True)
    sku_code = Column(String(20), nullable=False, unique=True)
    name = Column(String(80), nullable=False)          # the variant: "黑色钛金属 256GB"
    attributes = Column(JSON, nullable=False, default=dict)
    price_cents = Column(Integer, nullable=False)
    original_price_cents = Column(Integer, nullable=False)
    stock = Column(Integer, nullable=False, default=0)
    is_active = Column(Boolean, nullable=False, default=True)

    product = relationship("Product", back_populates="skus")


class ProductFacet(Base):
    """(name, value) pairs a product can be filtered by, from product and SKU attributes.

    Colours are indexed twice, as listed (黑色钛金属) and as their family (黑色), so a shopper
    asking for 黑色 finds them.
    """

    __tablename__ = "product_facets"

    name = Column(String(32), primary_key=True)
    value = Column(String(64), primary_key=True)
    product_id = Column(Integer, ForeignKey("products.id"), primary_key=True, index=True)


class ProductSearchTerm(Base):
    """Inverted index for keyword search: one row per (term, product).

    ``weight`` is 2 for terms from the brand, the model and the leaf category (a product *is*
    a 华为 手机) and 1 for the rest of the title, the top category and variant values (a
    phone case *mentions* 华为). ``sales_count`` is copied from the product so the postings
    of a term can be read best match first from the ranked index without touching
    ``products`` (rebuild the index when sales counts change a lot).
    """

    __tablename__ = "product_search_terms"
    __table_args__ = (
        Index("ix_product_search_terms_ranked", "term", "weight", "sales_count", "product_id"),
        # "Does this candidate also have term X, and how strongly?" in one index-only probe
        # (multi-word search); also the product's postings for re-indexing and foreign keys.
        Index("ix_product_search_terms_product_term", "product_id", "term", "weight"),
    )

    term = Column(String(64), primary_key=True)
    product_id = Column(Integer, ForeignKey("products.id"), primary_key=True)
    weight = Column(SmallInteger, nullable=False, default=1)
    sales_count = Column(Integer, nullable=False, default=0)


class Promotion(Base):
    __tablename__ = "promotions"
    __table_args__ = (Index("ix_promotions_window", "ends_at", "starts_at"),)

    id = Column(Integer, primary_key=True)
    title = Column(String(80), nullable=False)
    kind = Column(String(16), nullable=False)            # 满减 / 折扣 / 秒杀 / 赠品 / 以旧换新
    description = Column(String(300), nullable=False)
    category_id = Column(Integer, ForeignKey("categories.id"))
    brand_id = Column(Integer, ForeignKey("brands.id"))
    threshold_cents = Column(Integer)
    discount_cents = Column(Integer)
    discount_percent = Column(SmallInteger)              # 85 means 8.5折 (pay 85%)
    starts_at = Column(UTCDateTime, nullable=False)
    ends_at = Column(UTCDateTime, nullable=False)


class Coupon(Base):
    __tablename__ = "coupons"

    id = Column(Integer, primary_key=True)
    code = Column(String(24), nullable=False, unique=True)
    title = Column(String(80), nullable=False)
    threshold_cents = Column(Integer, nullable=False, default=0)
    discount_cents = Column(Integer, nullable=False)
    category_id = Column(Integer, ForeignKey("categories.id"))
    valid_from = Column(UTCDateTime, nullable=False)
    valid_to = Column(UTCDateTime, nullable=False)


class CustomerCoupon(Base):
    __tablename__ = "customer_coupons"
    __table_args__ = (Index("ix_customer_coupons_customer_status", "customer_id", "status"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    coupon_id = Column(Integer, ForeignKey("coupons.id"), nullable=False)
    status = Column(String(16), nullable=False)          # unused / used / expired
    received_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime)
    order_id = Column(Integer, ForeignKey("orders.id"))


# --- orders ----------------------------------------------------------------------------

class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        # "My recent orders": a customer's orders, newest first.
        Index("ix_orders_customer_created", "customer_id", "created_at"),
        # Segments' RFM (shop/db/segments.py): one GROUP BY customer over every paid order,
        # answered from this index alone (SQLite: 4.4 s -> 1.0 s on 1M orders, migration 0008).
        Index("ix_orders_customer_paid", "customer_id", "paid_at", "payable_cents"),
    )

    id = Column(Integer, primary_key=True)
    order_no = Column(String(20), nullable=False, unique=True)   # lookups by number
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    status = Column(String(24), nullable=False)
    payment_status = Column(String(24), nullable=False)
    payment_method = Column(String(16))
    goods_cents = Column(Integer, nullable=False)
    discount_cents = Column(Integer, nullable=False, default=0)
    shipping_fee_cents = Column(Integer, nullable=False, default=0)
    payable_cents = Column(Integer, nullable=False)
    refunded_cents = Column(Integer, nullable=False, default=0)
    # Address snapshot: the order keeps where it was sent even if the address book changes.
    recipient_name = Column(String(32), nullable=False)
    recipient_phone = Column(String(20), nullable=False)
    province = Column(String(16), nullable=False)
    city = Column(String(32), nullable=False)
    district = Column(String(32), nullable=False)
    address_detail = Column(String(200), nullable=False)
    remark = Column(String(200))
    created_at = Column(UTCDateTime, nullable=False)
    paid_at = Column(UTCDateTime)
    shipped_at = Column(UTCDateTime)
    delivered_at = Column(UTCDateTime)
    completed_at = Column(UTCDateTime)
    cancelled_at = Column(UTCDateTime)
    updated_at = Column(UTCDateTime, nullable=False)

    items = relationship("OrderItem", back_populates="order", order_by="OrderItem.id")


class OrderItem(Base):
    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False, index=True)
    sku_id = Column(Integer, ForeignKey("skus.id"), nullable=False)
    title = Column(String(200), nullable=False)          # snapshot at purchase time
    sku_name = Column(String(80), nullable=False)
    unit_price_cents = Column(Integer, nullable=False)
    quantity = Column(Integer, nullable=False)
    subtotal_cents = Column(Integer, nullable=False)
    refunded_cents = Column(Integer, nullable=False, default=0)

    order = relationship("Order", back_populates="items")


class OrderStatusChange(Base):
    __tablename__ = "order_status_history"
    __table_args__ = (Index("ix_order_status_history_order", "order_id", "changed_at"),)

    id = Column(BigId, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    from_status = Column(String(24))
    to_status = Column(String(24), nullable=False)
    changed_at = Column(UTCDateTime, nullable=False)
    actor = Column(String(16), nullable=False)           # customer / system / staff / assistant
    note = Column(String(200))


class OrderAddressChange(Base):
    """One change of an order's address snapshot (migration 0009): the order keeps only
    the current snapshot, this keeps what it was and who changed it."""

    __tablename__ = "order_address_changes"

    id = Column(BigId, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    changed_at = Column(UTCDateTime, nullable=False)
    actor = Column(String(16), nullable=False)           # customer / staff / assistant
    old_address = Column(String(400), nullable=False)
    new_address = Column(String(400), nullable=False)


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    carrier_code = Column(String(8), nullable=False)     # SF / JD / ZTO / YTO / YD / EMS
    carrier_name = Column(String(16), nullable=False)    # 顺丰速运 ...
    tracking_no = Column(String(24), nullable=False, index=True)
    status = Column(String(24), nullable=False)          # an OrderStatus value
    origin_city = Column(String(32))
    destination_city = Column(String(32))
    shipped_at = Column(UTCDateTime, nullable=False)
    delivered_at = Column(UTCDateTime)


class LogisticsEvent(Base):
    __tablename__ = "logistics_events"
    __table_args__ = (Index("ix_logistics_events_shipment", "shipment_id", "occurred_at"),)

    id = Column(BigId, primary_key=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=False)
    occurred_at = Column(UTCDateTime, nullable=False)
    status = Column(String(24), nullable=False)          # collected/in_transit/out_for_delivery/delivered
    location = Column(String(48))
    description = Column(String(200), nullable=False)


# --- after-sales -----------------------------------------------------------------------

class AfterSalesRequest(Base):
    __tablename__ = "after_sales_requests"
    __table_args__ = (
        Index("ix_after_sales_requests_customer_created", "customer_id", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    request_no = Column(String(20), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    order_item_id = Column(Integer, ForeignKey("order_items.id"), nullable=False, index=True)
    service_type = Column(String(16), nullable=False)
    reason_code = Column(String(24), nullable=False)
    reason_detail = Column(String(500))
    status = Column(String(24), nullable=False)
    quantity = Column(Integer, nullable=False, default=1)
    refund_cents = Column(Integer, nullable=False, default=0)
    # The order status before this request moved the order to 退款中 (restored on reject/cancel).
    order_status_before = Column(String(24))
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    resolved_at = Column(UTCDateTime)


class AfterSalesStatusChange(Base):
    __tablename__ = "after_sales_history"
    __table_args__ = (Index("ix_after_sales_history_request", "request_id", "changed_at"),)

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("after_sales_requests.id"), nullable=False)
    from_status = Column(String(24))
    to_status = Column(String(24), nullable=False)
    changed_at = Column(UTCDateTime, nullable=False)
    actor = Column(String(16), nullable=False)
    note = Column(String(200))


# --- hand-off to a human agent ---------------------------------------------------------

class HandoffRequest(Base):
    __tablename__ = "handoff_requests"
    __table_args__ = (
        Index("ix_handoff_requests_sender_created", "sender_id", "created_at"),
        Index("ix_handoff_requests_status_created", "status", "created_at"),  # agents' queue
        Index("ix_handoff_requests_updated_at", "updated_at"),  # the analytics copy reads changes (0014)
    )

    id = Column(Integer, primary_key=True)
    ticket_no = Column(String(20), nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False)      # the conversation
    customer_id = Column(Integer, ForeignKey("customers.id"), index=True)  # None: not signed in
    channel = Column(String(32))
    reason = Column(String(32))                          # why the bot handed over
    summary = Column(Text, nullable=False)
    order_no = Column(String(20))                        # the order talked about, if any
    status = Column(String(16), nullable=False, default="open")   # open / assigned / closed
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    # Live hand-off (migration 0007): the agent who claimed the ticket, and when.
    assigned_to = Column(Integer, ForeignKey("console_users.id"), index=True)
    assigned_at = Column(UTCDateTime)
    closed_at = Column(UTCDateTime)
    # Set when the shopper cancelled it while waiting ("取消人工", migration 0010): closed,
    # but no agent took it, and the dashboard counts it apart from hand-offs.
    cancelled_at = Column(UTCDateTime)
    # How the agent ended it (shop.domain.handoff_resolutions, migration 0012); NULL before.
    resolution = Column(String(32))
    # Migration 0014: when an agent first took it (the shopper's wait ends; transfers and
    # hand-backs do not move it) and who closed it (the holder, or an admin): 数据分析's
    # wait and per-agent figures.
    first_assigned_at = Column(UTCDateTime)
    closed_by = Column(Integer, ForeignKey("console_users.id"))


class HandoffMessage(Base):
    """One message of a handed-over conversation after the hand-off: the shopper's (kept from
    Rasa while the desk has the conversation), an agent's, or the desk's own notices
    ("客服已接入"). What the shopper's client has not fetched yet is ``id`` > its cursor."""

    __tablename__ = "handoff_messages"
    __table_args__ = (Index("ix_handoff_messages_ticket_id", "ticket_id", "id"),)

    id = Column(BigId, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("handoff_requests.id"), nullable=False)
    author = Column(String(16), nullable=False)          # shopper / agent / system
    agent_id = Column(Integer, ForeignKey("console_users.id"))
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class HandoffTransfer(Base):
    """An agent passed a conversation they held to another agent on duty, or back to the
    queue (``to_agent_id`` NULL), with a note for whoever takes it (migration 0013). The note
    is the desk's own: never shown to the shopper."""

    __tablename__ = "handoff_transfers"
    __table_args__ = (Index("ix_handoff_transfers_ticket_id", "ticket_id", "id"),
                      Index("ix_handoff_transfers_created_at", "created_at"))   # 数据分析 by period

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("handoff_requests.id"), nullable=False)
    from_agent_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    to_agent_id = Column(Integer, ForeignKey("console_users.id"))
    note = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    # An admin who reassigned a ticket someone else held (migration 0014); NULL: the holder
    # passed it on themselves.
    by_agent_id = Column(Integer, ForeignKey("console_users.id"))


class HandoffClaim(Base):
    """An agent took a waiting ticket from the queue (接入, migration 0017): who, when, and
    since when the ticket had been waiting in the queue for it (``queued_at``: the hand-off,
    or the hand-back or transfer that put it back) — a ticket claimed again after a hand-back
    has one row per claim. Transfers are ``HandoffTransfer``; a claim is the only way into
    the conversation from the queue. ``queued_at`` NULL: a claim from before the migration
    whose queue time is not known."""

    __tablename__ = "handoff_claims"
    __table_args__ = (Index("ix_handoff_claims_ticket_id", "ticket_id", "id"),
                      Index("ix_handoff_claims_claimed_at", "claimed_at"))   # 数据分析 by period

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("handoff_requests.id"), nullable=False)
    agent_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    claimed_at = Column(UTCDateTime, nullable=False)
    queued_at = Column(UTCDateTime)


class SatisfactionSurvey(Base):
    """One satisfaction question put to a shopper (CSAT, migration 0020): after the desk closed
    their ticket (``ticket_id``, ``agent_id``: who served them — the holder at the close) or
    after the assistant saw the conversation to a goodbye (no ticket, no agent). Keyed by
    conversation *and* shopper, as tickets are. ``status``: asked → rated / skipped (declined,
    or answered with something else: the question is dropped) — a lapsed question stays
    ``asked`` and is never answered later (``shop.domain.satisfaction.ANSWER_WINDOW``)."""

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (Index("ix_satisfaction_surveys_sender_asked", "sender_id", "asked_at"),   # the gate's read
                      Index("ix_satisfaction_surveys_asked_at", "asked_at"))   # the console by period

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    subject = Column(String(16), nullable=False)          # desk / assistant
    ticket_id = Column(Integer, ForeignKey("handoff_requests.id"))
    agent_id = Column(Integer, ForeignKey("console_users.id"))
    status = Column(String(16), nullable=False, default="asked")
    score = Column(SmallInteger)                         # 1-5 when rated
    comment = Column(Text)                               # what the shopper typed with the rating
    asked_at = Column(UTCDateTime, nullable=False)
    answered_at = Column(UTCDateTime)


class ExperimentChange(Base):
    """An admin's change of an experiment from the console (stop / start, ramp, exclude /
    include a variant, the planned sample size; migration 0018): who, when, and the
    experiment's settings before and after, as the console's 修改记录 shows them. Written in
    the same unit of work as the file edit: no record, no change (``console.experiment_pages``)."""

    __tablename__ = "experiment_changes"
    __table_args__ = (Index("ix_experiment_changes_experiment", "experiment", "id"),)

    id = Column(Integer, primary_key=True)
    experiment = Column(String(64), nullable=False)
    action = Column(String(16), nullable=False)
    variant = Column(String(64))
    before = Column(Text, nullable=False)
    after = Column(Text, nullable=False)
    # NULL: an edit of the file by hand, found when the console loaded it (migration 0019).
    account_id = Column(Integer, ForeignKey("console_users.id"))
    changed_at = Column(UTCDateTime, nullable=False)


class ExperimentFileState(Base):
    """The experiment file as last recorded (migration 0019): its SHA-256 and each
    experiment's settings (JSON, name → settings in words). Written with every change from the
    console and whenever the console loads a file whose hash differs — a hand edit, recorded
    then in ``experiment_changes`` against the settings kept here. The newest row counts."""

    __tablename__ = "experiment_file_states"

    id = Column(Integer, primary_key=True)
    sha256 = Column(String(64), nullable=False)
    settings = Column(Text, nullable=False)
    recorded_at = Column(UTCDateTime, nullable=False)


# --- operator console ------------------------------------------------------------------

class ConsoleUser(Base):
    """An agent or admin of the operator console. Only an Argon2 hash of the password is kept."""

    __tablename__ = "console_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    role = Column(String(16), nullable=False)            # agent / admin
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)


class ConsoleSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so
    a copy of the database signs nobody in. Expires absolutely and after idling."""

    __tablename__ = "console_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    # Any request of the session, a page's heartbeat included: on duty (shop.db.handoff_desk).
    last_seen_at = Column(UTCDateTime, nullable=False)
    # The agent's own last input (a page opened, a form sent, a key or click the heartbeat
    # reported): idle sign-out counts from here (migration 0011).
    last_active_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)


# --- guest order look-ups ---------------------------------------------------------------

class GuestLookupFailure(Base):
    """One failed guest look-up (order number + wrong or unknown phone digits).

    Counted per order number across every conversation, so a guesser cannot reset the limit
    by starting a new chat (shop.domain.privacy.GUEST_LOOKUP_MAX_FAILURES), and per client
    over every number (GUEST_LOOKUP_MAX_CLIENT_FAILURES)."""

    __tablename__ = "guest_lookup_failures"
    __table_args__ = (Index("ix_guest_lookup_failures_order_time", "order_no", "failed_at"),
                      Index("ix_guest_lookup_failures_client_time", "client", "failed_at"))

    id = Column(Integer, primary_key=True)
    order_no = Column(String(24), nullable=False)        # as asked for (18 digits)
    failed_at = Column(UTCDateTime, nullable=False)
    # The client's tag (shop.identity.client_tag: a keyed hash, not its address); NULL when
    # the channel knew none (rasa shell).
    client = Column(String(32), nullable=True)


# --- services: repair points and installation ------------------------------------------

class ServicePoint(Base):
    """A place that repairs the shop's products (售后服务网点), with the categories it takes."""

    __tablename__ = "service_points"
    __table_args__ = (
        # "Service points near me": the points of one city.
        Index("ix_service_points_city", "city"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False)
    province = Column(String(16), nullable=False)
    city = Column(String(32), nullable=False)            # as in addresses: 杭州市
    district = Column(String(32), nullable=False)
    address = Column(String(200), nullable=False)        # street part, after the district
    phone = Column(String(20), nullable=False)
    opening_hours = Column(String(64), nullable=False)   # 周一至周日 09:00-18:00

    categories = relationship("ServicePointCategory", order_by="ServicePointCategory.category_id")


class ServicePointCategory(Base):
    """A category a service point repairs; a top category covers its whole subtree."""

    __tablename__ = "service_point_categories"

    service_point_id = Column(Integer, ForeignKey("service_points.id"), primary_key=True)
    category_id = Column(Integer, ForeignKey("categories.id"), primary_key=True, index=True)


class InstallationFee(Base):
    """The installation service of a category that needs fitting (送装): its standard fee
    (0 = free), what the fee includes and what is charged on top."""

    __tablename__ = "installation_fees"

    id = Column(Integer, primary_key=True)
    category_id = Column(Integer, ForeignKey("categories.id"), nullable=False, unique=True)
    fee_cents = Column(Integer, nullable=False, default=0)
    included = Column(String(200), nullable=False)
    extra_charges = Column(String(200))                  # None: nothing is charged on top


# --- behaviour for the recommender -----------------------------------------------------

class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_customer_time", "customer_id", "occurred_at"),
        Index("ix_interactions_product", "product_id"),
    )

    id = Column(BigId, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False)
    kind = Column(String(8), nullable=False)             # view / cart / purchase
    occurred_at = Column(UTCDateTime, nullable=False)


# --- bookkeeping -----------------------------------------------------------------------

class SeedRun(Base):
    """One row per seeding: what profile and seed produced this database, and when."""

    __tablename__ = "seed_runs"

    id = Column(Integer, primary_key=True)
    profile = Column(String(16), nullable=False)
    seed = Column(Integer, nullable=False)
    anchor_at = Column(UTCDateTime, nullable=False)      # the "now" the data was generated around
    finished_at = Column(UTCDateTime, nullable=False)
    seconds = Column(Float, nullable=False)
    row_counts = Column(JSON, nullable=False)


# --- growth: experiments, attribution, segments (migration 0006) -------------------------

class ExperimentExposure(Base):
    """One time a variant of an experiment was actually shown in a conversation.

    ``unit`` is what assignment hashed: ``c:<customer id>`` for a signed-in shopper,
    ``s:<conversation id>`` for a guest. The cards shown are kept so clicks and orders can
    name the exposure that led to them."""

    __tablename__ = "experiment_exposures"
    __table_args__ = (
        # Analysis reads one experiment's exposures, unit by unit.
        Index("ix_experiment_exposures_experiment_unit", "experiment", "unit", "shown_at"),
        Index("ix_experiment_exposures_customer", "customer_id", "shown_at"),
    )

    id = Column(BigId, primary_key=True)
    experiment = Column(String(64), nullable=False)
    variant = Column(String(64), nullable=False)
    unit = Column(String(300), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"))      # None: a guest
    sender_id = Column(String(255), nullable=False)
    product_ids = Column(JSON, nullable=False, default=list)
    shown_at = Column(UTCDateTime, nullable=False)


class RecommendationClick(Base):
    """A shopper pressed a card's button (我要买) on an exposure's cards."""

    __tablename__ = "recommendation_clicks"
    # One click per card shown (migration 0016): record_click writes a repeat as nothing.
    __table_args__ = (Index("uq_recommendation_clicks_exposure_product", "exposure_id", "product_id", unique=True),)

    id = Column(BigId, primary_key=True)
    exposure_id = Column(BigId, ForeignKey("experiment_exposures.id"), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False)
    clicked_at = Column(UTCDateTime, nullable=False)


class OrderAttribution(Base):
    """An order item bought from a recommendation: the exposure whose card led to it."""

    __tablename__ = "order_attributions"

    order_item_id = Column(Integer, ForeignKey("order_items.id"), primary_key=True)
    # One row per experiment whose exposure showed the card (a shopper can be in several).
    exposure_id = Column(BigId, ForeignKey("experiment_exposures.id"), primary_key=True, index=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)


class CustomerSegment(Base):
    """A customer's RFM features and K-means segment, from the last ``python -m growth.segments``."""

    __tablename__ = "customer_segments"
    __table_args__ = (Index("ix_customer_segments_segment", "segment"),)

    customer_id = Column(Integer, ForeignKey("customers.id"), primary_key=True)
    segment = Column(String(24), nullable=False)         # stable code: loyal / new / at_risk ...
    label = Column(String(24), nullable=False)           # for operators: 高价值忠诚 ...
    recency_days = Column(Integer)                       # None: never ordered
    frequency = Column(Integer, nullable=False)
    monetary_cents = Column(Integer, nullable=False)
    computed_at = Column(UTCDateTime, nullable=False)
