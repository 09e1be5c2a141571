"""Catalogue queries: search, product detail, categories, brands, promotions, vocabulary.

How a search is run (which statement, which index walk) is ``shop.db.search_plans``.

Every function takes a Session first and returns frozen records (``shop.db.records``).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterator, Mapping, Optional, Sequence, Union

from sqlalchemy import bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from shop.db import search_index, search_plans
from shop.db.errors import InvalidRequest
from shop.db.models import (
    Brand, Category, Coupon, CustomerCoupon, Product, ProductFacet, ProductSearchTerm, Promotion,
    Sku,
)
from shop.db.search_plans import SearchShape
from shop.db.records import (
    BrandInfo, CatalogueTerms, CategoryInfo, CouponInfo, ProductDetail, ProductSummary,
    PromotionInfo, SkuInfo, yuan,
)
from shop.domain.clock import require_aware

MAX_PAGE_SIZE = 100
COLOUR_FACET = "颜色"

PriceLike = Union[int, float, Decimal, str, None]


# --- helpers ---------------------------------------------------------------------------

def _to_cents(value: PriceLike, name: str) -> Optional[int]:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidRequest(f"{name} is not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidRequest(f"{name} must be a non-negative amount, got {value!r}")
    return int((amount * 100).to_integral_value())


def _check_page(limit: int, offset: int) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"limit must be an integer between 1 and {MAX_PAGE_SIZE}, got {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise InvalidRequest(f"offset must be a non-negative integer, got {offset!r}")


_SUBTREE = aliased(Category, name="subtree")
# Paths hold only digits and "/", so the prefix match needs no escaping.
_SUBTREE_BY_NAME = (select(_SUBTREE.id).join(Category, _SUBTREE.path.startswith(Category.path))
                    .where(Category.name == bindparam("name")))
_SUBTREE_BY_ID = (select(_SUBTREE.id).join(Category, _SUBTREE.path.startswith(Category.path))
                  .where(Category.id == bindparam("category_id")))
_BRANDS_BY_NAME = select(Brand.id).where(or_(
    func.lower(Brand.name) == bindparam("lower"), func.lower(Brand.name_en) == bindparam("lower"),
    Brand.name_zh == bindparam("name"),
))


def _category_ids(session: Session, category: Union[int, str]) -> list[int]:
    """The category (by id or exact name) and all its descendants."""
    if isinstance(category, bool) or not isinstance(category, (int, str)):
        raise InvalidRequest(f"category must be an id or a name, got {category!r}")
    if isinstance(category, int):
        return list(session.execute(_SUBTREE_BY_ID, {"category_id": category}).scalars())
    return list(session.execute(_SUBTREE_BY_NAME, {"name": category.strip()}).scalars())


def _brand_ids(session: Session, brand: str) -> list[int]:
    if not isinstance(brand, str) or not brand.strip():
        raise InvalidRequest(f"brand must be a non-empty name, got {brand!r}")
    return list(session.execute(_BRANDS_BY_NAME, {"lower": brand.strip().lower(), "name": brand.strip()}).scalars())


DF_PROBE_LIMIT = 2_000


def _existing_terms(session: Session, terms: Sequence[str]) -> list[str]:
    """The subset of ``terms`` that some product is indexed under, rarest first (one round trip).

    Rarest first because the join walks the first term's postings and probes the others:
    document frequencies are counted only up to ``DF_PROBE_LIMIT``, so this stays cheap for
    words every tenth product contains.
    """
    if not terms:
        return []
    counts = session.execute(_term_counts_statement(len(terms)),
                             {f"term_{i}": term for i, term in enumerate(terms)}).all()
    found = sorted((count, position) for position, count in counts if count)
    return [terms[position] for _, position in found]


@lru_cache(maxsize=16)
def _term_counts_statement(n: int):
    probes = []
    for i in range(n):
        postings = (select(literal(1).label("hit")).where(ProductSearchTerm.term == bindparam(f"term_{i}"))
                    .limit(DF_PROBE_LIMIT).subquery())
        probes.append(select(literal(i).label("position"), select(func.count()).select_from(postings).scalar_subquery()))
    return union_all(*probes)


def _summary_query():
    return (
        select(Product.id, Product.title, Product.model, Brand.name, Category.name, Product.price_cents,
               Product.original_price_cents, Product.rating, Product.review_count, Product.sales_count,
               search_plans.in_stock_clause().label("in_stock"), Product.image_ref)
        .join(Brand, Brand.id == Product.brand_id)
        .join(Category, Category.id == Product.category_id)
    )


# Statements on the hot path are built once: building and hashing a select costs more
# Python time than SQLite spends running it (SQLAlchemy memoises the key of a built statement).
_SUMMARIES_BY_ID = _summary_query().where(Product.id.in_(bindparam("ids", expanding=True)))


def _summary(row) -> ProductSummary:
    return ProductSummary(
        id=row[0], title=row[1], model=row[2], brand=row[3], category=row[4], price=yuan(row[5]),
        original_price=yuan(row[6]), rating=float(row[7]), review_count=row[8], sales_count=row[9],
        in_stock=bool(row[10]), image_ref=row[11],
    )


# --- search ----------------------------------------------------------------------------

def search_products(
    session: Session,
    keyword: Optional[str] = None,
    category: Union[int, str, None] = None,
    brand: Optional[str] = None,
    min_price: PriceLike = None,
    max_price: PriceLike = None,
    attributes: Optional[Mapping[str, str]] = None,
    in_stock_only: bool = False,
    limit: int = 10,
    offset: int = 0,
) -> list[ProductSummary]:
    """Products on sale matching every given filter, best sellers first.

    - ``keyword``: words of the title/brand/category/model (see ``shop.db.search_index``);
    - ``category``: id or exact name; includes sub-categories (手机数码 finds 手机 and 耳机);
    - ``brand``: any spelling (华为 / HUAWEI / huawei, Apple / 苹果);
    - ``min_price`` / ``max_price``: yuan, inclusive, against the lowest SKU price;
    - ``attributes``: facet filters such as ``{"颜色": "黑色", "存储容量": "256GB"}``.

    Unknown category, brand or keyword gives an empty list; malformed input raises
    ``InvalidRequest``.
    """
    _check_page(limit, offset)
    low, high = _to_cents(min_price, "min_price"), _to_cents(max_price, "max_price")
    if low is not None and high is not None and low > high:
        raise InvalidRequest(f"min_price {min_price} is above max_price {max_price}")

    if keyword is not None and not isinstance(keyword, str):
        raise InvalidRequest(f"keyword must be text, got {keyword!r}")
    params: dict = {"limit": limit, "offset": offset}
    if category is not None:
        params["category_ids"] = _category_ids(session, category)
        if not params["category_ids"]:
            return []
    if brand is not None:
        params["brand_ids"] = _brand_ids(session, brand)
        if not params["brand_ids"]:
            return []
    if low is not None:
        params["low"] = low
    if high is not None:
        params["high"] = high
    for i, (name, value) in enumerate((attributes or {}).items()):
        if not isinstance(name, str) or not isinstance(value, str) or not name or not value:
            raise InvalidRequest(f"attribute filters must be text: {name!r}={value!r}")
        params[f"facet_name_{i}"], params[f"facet_value_{i}"] = name, value
    shape = SearchShape(category="category_ids" in params, brand="brand_ids" in params, low=low is not None,
                        high=high is not None, facets=len(attributes or {}), in_stock=bool(in_stock_only))

    if not (keyword and keyword.strip()):
        return _run_search(session, shape, params, ())
    if category is None:
        # A keyword that is exactly a category name (手机, 家用电器) means the category: the
        # phones themselves rather than everything whose title mentions 手机.
        named = _category_ids(session, keyword.strip())
        if named:
            params["category_ids"] = named
            return _run_search(session, replace(shape, category=True), params, ())
    terms = _usable_terms(session, search_index.query_terms(keyword))
    found = _run_search(session, shape, params, terms) if terms else []
    if found or offset:
        return found
    # The precise words matched nothing together: retry with the shortest search-mode words
    # (a title may have been cut differently around a long word; see essential_terms).
    fine = _usable_terms(session, search_index.query_terms(keyword, precise=False))
    reduced = search_index.essential_terms(fine)
    if not reduced or reduced == terms:
        return []
    return _run_search(session, shape, params, reduced)


def _usable_terms(session: Session, terms: list[str]) -> list[str]:
    """The query's terms that are in the index, or none when too little of the query is.

    Unknown words are dropped rather than emptying the result (推荐一款好看的华为手机 still
    finds 华为 手机), but only while at least half of the words are known and one known
    word is longer than a character: "xyz不存在" must not match everything containing 不.
    """
    known = _existing_terms(session, terms)
    if not known or len(known) * 2 < len(terms) or all(len(t) < 2 for t in known):
        return []
    return known


def _run_search(session: Session, shape: SearchShape, params: dict, terms) -> list[ProductSummary]:
    """Products matching every filter and containing every term, best match first.

    Two steps: rank ids (``search_plans``: touching only indexes and ``products``), then
    build the page's summaries (brand, category, stock) for those few ids only.
    """
    return _summaries(session, search_plans.ranked_ids(session, shape, params, terms))


def _summaries(session: Session, ids: list[int]) -> list[ProductSummary]:
    if not ids:
        return []
    rows = {row[0]: row for row in session.execute(_SUMMARIES_BY_ID, {"ids": ids})}
    return [_summary(rows[i]) for i in ids]


def find_products_by_name(session: Session, text: str, limit: int = 5) -> list[ProductSummary]:
    """Products a shopper mentions by name or model ("iPhone 15 Pro", "小米14", "Mate60").

    An exact model match wins (best sellers first); otherwise the text is used as a keyword.
    """
    if not isinstance(text, str):
        raise InvalidRequest(f"text must be a string, got {text!r}")
    _check_page(limit, 0)
    key = search_index.model_key(text)
    if not key:
        return []
    ids = list(session.execute(
        select(Product.id).where(Product.model_key == key, Product.is_on_sale.is_(True))
        .order_by(Product.sales_count.desc(), Product.id.desc()).limit(limit)
    ).scalars())
    if ids:
        return _summaries(session, ids)
    return search_products(session, keyword=text, limit=limit)


# --- detail ----------------------------------------------------------------------------

def _category_path_names(session: Session, path: str) -> tuple[str, ...]:
    ids = [int(part) for part in path.split("/") if part]
    names = dict(session.execute(select(Category.id, Category.name).where(Category.id.in_(ids))).all())
    return tuple(names[i] for i in ids if i in names)


def _path_names(session: Session, product) -> tuple[str, ...]:
    """Category names root first; the usual two-level case comes from the detail query itself."""
    if product.category_level == 1:
        return (product.category_name,)
    if product.category_level == 2 and product.parent_name is not None:
        return (product.parent_name, product.category_name)
    return _category_path_names(session, product.category_path)


# Table rows, not ORM instances: read-only, and about half the Python time.
_PARENT = aliased(Category, name="parent")
_DETAIL = (
    select(Product.__table__, Brand.name.label("brand"), Brand.name_en.label("brand_en"),
           Category.path.label("category_path"), Category.name.label("category_name"),
           Category.level.label("category_level"), _PARENT.name.label("parent_name"),
           Category.warranty_months, Category.no_reason_return)
    .join(Brand, Brand.id == Product.brand_id)
    .join(Category, Category.id == Product.category_id)
    .outerjoin(_PARENT, _PARENT.id == Category.parent_id)
)
_PRODUCT_DETAIL = _DETAIL.where(Product.id == bindparam("product_id"))
_PRODUCT_SKUS = select(Sku.__table__).where(Sku.product_id == bindparam("product_id")).order_by(Sku.id)
# The same for several products at once (get_product_details).
_PRODUCTS_DETAIL = _DETAIL.where(Product.id.in_(bindparam("product_ids", expanding=True)))


def get_product_detail(session: Session, product_id: int) -> Optional[ProductDetail]:
    """A product with its SKUs, stock, attributes, rating, sales and after-sales terms."""
    _product_id_arg(product_id)
    product = session.execute(_PRODUCT_DETAIL, {"product_id": product_id}).first()
    if product is None:
        return None
    skus = session.execute(_PRODUCT_SKUS, {"product_id": product_id}).all()
    return _product_detail(session, product, skus)


_PRODUCTS_SKUS = (select(Sku.__table__).where(Sku.product_id.in_(bindparam("product_ids", expanding=True)))
                  .order_by(Sku.id))


def get_product_details(session: Session, product_ids: Sequence[int]) -> list[Optional[ProductDetail]]:
    """``get_product_detail`` of each id, in the same order (None where there is no such
    product), in two queries however many ids: a list of recommendations read one product
    at a time cost two queries per card."""
    for product_id in product_ids:
        _product_id_arg(product_id)
    wanted = list(dict.fromkeys(product_ids))
    if not wanted:
        return []
    products = {row.id: row for row in session.execute(_PRODUCTS_DETAIL, {"product_ids": wanted})}
    skus_of: dict[int, list] = {product_id: [] for product_id in products}
    if products:
        for sku in session.execute(_PRODUCTS_SKUS, {"product_ids": list(products)}):
            skus_of[sku.product_id].append(sku)
    details = {product_id: _product_detail(session, row, skus_of[product_id]) for product_id, row in products.items()}
    return [details.get(product_id) for product_id in product_ids]


def iter_product_details(session: Session, product_ids: Sequence[int], batch: int) -> Iterator[tuple[int, Optional[ProductDetail]]]:
    """(id, ``get_product_detail``) for each id in order, read ``batch`` ids at a time: for
    callers that stop once they have enough (recommendations over-fetch and re-check)."""
    batch = max(1, batch)
    for start in range(0, len(product_ids), batch):
        chunk = list(product_ids[start:start + batch])
        yield from zip(chunk, get_product_details(session, chunk))


def _product_id_arg(product_id) -> None:
    if isinstance(product_id, bool) or not isinstance(product_id, int):
        raise InvalidRequest(f"product_id must be an integer, got {product_id!r}")


def _product_detail(session: Session, product, skus) -> ProductDetail:
    return ProductDetail(
        id=product.id, title=product.title, model=product.model, brand=product.brand, brand_en=product.brand_en,
        category_id=product.category_id, category_path=_path_names(session, product),
        price=yuan(product.price_cents), original_price=yuan(product.original_price_cents),
        description=product.description, attributes=dict(product.attributes or {}),
        rating=float(product.rating), review_count=product.review_count, sales_count=product.sales_count,
        image_ref=product.image_ref, is_on_sale=product.is_on_sale,
        skus=tuple(
            SkuInfo(id=s.id, sku_code=s.sku_code, name=s.name, attributes=dict(s.attributes or {}),
                    price=yuan(s.price_cents), original_price=yuan(s.original_price_cents),
                    stock=s.stock, is_active=s.is_active)
            for s in skus
        ),
        warranty_months=product.warranty_months, no_reason_return=bool(product.no_reason_return),
    )


# --- lists and vocabulary --------------------------------------------------------------

def product_category_ids(session: Session, product_ids: Sequence[int]) -> dict[int, int]:
    """Product id -> its (leaf) category id, for the ids that exist."""
    return dict(session.execute(select(Product.id, Product.category_id)
                                .where(Product.id.in_(list(product_ids)))).all())


def list_categories(session: Session) -> list[CategoryInfo]:
    """The whole tree, parents before children, in display order."""
    rows = session.execute(
        select(Category.id, Category.name, Category.parent_id, Category.level, Category.path)
        .order_by(Category.level, Category.sort_order, Category.id)
    ).all()
    names = {row.id: row.name for row in rows}
    return [
        CategoryInfo(id=row.id, name=row.name, parent_id=row.parent_id, level=row.level,
                     path_names=tuple(names[int(p)] for p in row.path.split("/") if p))
        for row in rows
    ]


def list_brands(session: Session) -> list[BrandInfo]:
    rows = session.execute(select(Brand).order_by(Brand.id)).scalars().all()
    return [BrandInfo(id=b.id, name=b.name, name_en=b.name_en, name_zh=b.name_zh) for b in rows]


def current_promotions(session: Session, now: datetime, category: Union[int, str, None] = None,
                       limit: int = 20) -> list[PromotionInfo]:
    """Promotions running at ``now`` (shop-wide ones included when a category is given)."""
    require_aware(now)
    _check_page(limit, 0)
    conditions = [Promotion.starts_at <= now, Promotion.ends_at > now]
    if category is not None:
        ids = _category_ids(session, category)
        conditions.append(or_(Promotion.category_id.is_(None), Promotion.category_id.in_(ids)))
    rows = session.execute(
        select(Promotion, Category.name, Brand.name)
        .outerjoin(Category, Category.id == Promotion.category_id)
        .outerjoin(Brand, Brand.id == Promotion.brand_id)
        .where(*conditions).order_by(Promotion.ends_at, Promotion.id).limit(limit)
    ).all()
    return [
        PromotionInfo(id=p.id, title=p.title, kind=p.kind, description=p.description, category=cat,
                      brand=brand, threshold=yuan(p.threshold_cents), discount=yuan(p.discount_cents),
                      discount_percent=p.discount_percent, starts_at=p.starts_at, ends_at=p.ends_at)
        for p, cat, brand in rows
    ]


def list_customer_coupons(session: Session, customer_id: int, now: datetime,
                          only_usable: bool = True) -> list[CouponInfo]:
    """A customer's coupons (by default only unused, unexpired ones). Personal data."""
    require_aware(now)
    conditions = [CustomerCoupon.customer_id == customer_id]
    if only_usable:
        conditions += [CustomerCoupon.status == "unused", Coupon.valid_to > now, Coupon.valid_from <= now]
    rows = session.execute(
        select(Coupon, CustomerCoupon.status, Category.name)
        .join(CustomerCoupon, CustomerCoupon.coupon_id == Coupon.id)
        .outerjoin(Category, Category.id == Coupon.category_id)
        .where(*conditions).order_by(Coupon.valid_to, Coupon.id)
    ).all()
    return [
        CouponInfo(code=c.code, title=c.title, threshold=yuan(c.threshold_cents), discount=yuan(c.discount_cents),
                   category=cat, status=status, valid_from=c.valid_from, valid_to=c.valid_to)
        for c, status, cat in rows
    ]


def catalogue_terms(session: Session) -> CatalogueTerms:
    """Brands (every spelling), category names, model names and colours, for NLU resources."""
    aliases: dict[str, str] = {}
    for name, name_en, name_zh in session.execute(select(Brand.name, Brand.name_en, Brand.name_zh)).all():
        for spelling in (name, name_en, name_zh):
            if spelling:
                aliases.setdefault(spelling, name)
    categories = session.execute(select(Category.name).distinct().order_by(Category.name)).scalars().all()
    models = session.execute(select(Product.model).distinct().order_by(Product.model)).scalars().all()
    colours = session.execute(
        select(ProductFacet.value).where(ProductFacet.name == COLOUR_FACET).distinct().order_by(ProductFacet.value)
    ).scalars().all()
    return CatalogueTerms(
        brands=tuple(sorted(aliases)), categories=tuple(categories), models=tuple(models),
        colours=tuple(colours), brand_aliases=aliases,
    )


def category_warranty_months(session: Session, name: str) -> Optional[int]:
    """The warranty months of the category of exactly this name (0: none), or None when no
    category has that name ("耳机保修几年" answers the category's own figure)."""
    if not isinstance(name, str) or not name.strip():
        return None
    return session.execute(
        select(Category.warranty_months).where(Category.name == name.strip()).limit(1)
    ).scalar_one_or_none()
