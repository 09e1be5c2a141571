"""Behaviour and product features for the recommender, streamed in chunks."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.db.errors import InvalidRequest
from shop.db.models import Brand, Category, Interaction, Product, Sku
from shop.db.records import InteractionRow, ProductFeatureRow, yuan
from shop.db.validation import customer_id_arg
from shop.domain.clock import require_aware

INTERACTION_KINDS = ("view", "cart", "purchase")
DEFAULT_CHUNK = 20_000


def _check_chunk(chunk_size: int) -> None:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidRequest(f"chunk_size must be a positive integer, got {chunk_size!r}")


def interaction_rows(session: Session, since: Optional[datetime] = None,
                     chunk_size: int = DEFAULT_CHUNK) -> Iterator[InteractionRow]:
    """Every interaction (view / cart / purchase), in id order, which for seeded data is time
    order. Rows are fetched ``chunk_size`` at a time (a server-side cursor on PostgreSQL), so
    millions of rows never sit in memory at once. Consume the iterator inside the session."""
    _check_chunk(chunk_size)
    query = select(Interaction.customer_id, Interaction.product_id, Interaction.occurred_at, Interaction.kind)
    if since is not None:
        query = query.where(Interaction.occurred_at >= require_aware(since, "since"))
    result = session.execute(query.order_by(Interaction.id).execution_options(stream_results=True,
                                                                               yield_per=chunk_size))
    for chunk in result.partitions(chunk_size):
        for customer_id, product_id, occurred_at, kind in chunk:
            yield InteractionRow(customer_id, product_id, occurred_at, kind)


def product_feature_rows(session: Session, chunk_size: int = DEFAULT_CHUNK) -> Iterator[ProductFeatureRow]:
    """Content features of every product on sale, in id order (streamed like ``interaction_rows``)."""
    _check_chunk(chunk_size)
    categories = {c.id: c for c in session.execute(select(Category)).scalars()}

    def path_names(category: Category) -> tuple[str, ...]:
        return tuple(categories[int(p)].name for p in category.path.split("/") if p)

    stock = (select(Sku.product_id, func.sum(Sku.stock).label("stock"))
             .where(Sku.is_active.is_(True)).group_by(Sku.product_id).subquery())
    query = (
        select(Product.id, Product.title, Product.description, Product.category_id, Brand.name, Product.price_cents,
               Product.attributes, func.coalesce(stock.c.stock, 0), Product.sales_count, Product.rating)
        .join(Brand, Brand.id == Product.brand_id)
        .outerjoin(stock, stock.c.product_id == Product.id)
        .where(Product.is_on_sale.is_(True))
        .order_by(Product.id)
        .execution_options(stream_results=True, yield_per=chunk_size)
    )
    for chunk in session.execute(query).partitions(chunk_size):
        for pid, title, description, category_id, brand, price, attributes, total, sales, rating in chunk:
            category = categories[category_id]
            yield ProductFeatureRow(
                id=pid, title=title, description=description, category_path=path_names(category),
                category_id=category_id, brand=brand, price=yuan(price), attributes=dict(attributes or {}),
                stock=int(total), is_consumable=bool(category.is_consumable), sales_count=sales,
                rating=float(rating),
            )


def record_interaction(session: Session, customer_id: int, product_id: int, kind: str, now: datetime) -> None:
    """Log a view / add-to-cart / purchase event (e.g. from the web page)."""
    customer_id = customer_id_arg(customer_id)
    if kind not in INTERACTION_KINDS:
        raise InvalidRequest(f"kind must be one of {INTERACTION_KINDS}, got {kind!r}")
    if isinstance(product_id, bool) or not isinstance(product_id, int):
        raise InvalidRequest(f"product_id must be an integer, got {product_id!r}")
    session.add(Interaction(customer_id=customer_id, product_id=product_id, kind=kind,
                            occurred_at=require_aware(now)))
    session.flush()


def product_extras(session: Session) -> dict:
    """product id -> ({facet name: [values]}, image ref) for the recommender's catalogue: SKU
    facets (colours live on SKUs, so "要黑色的" needs them) and the card's image. Empty when
    the schema lacks them (features work without them; the caller logs it)."""
    from shop.db.models import ProductFacet

    out: dict = {}
    for pid, name, value in session.execute(select(ProductFacet.product_id, ProductFacet.name,
                                                   ProductFacet.value)):
        facets = out.setdefault(pid, ({}, None))[0]
        facets.setdefault(name, []).append(value)
    for pid, image in session.execute(select(Product.id, Product.image_ref)):
        facets = out.get(pid, ({}, None))[0]
        out[pid] = (facets, image)
    return out
