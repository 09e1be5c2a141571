"""Keeping the search indexes (``product_search_terms``, ``product_facets``) in step with
the catalogue, for products added or changed after seeding."""
from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from shop.db.models import Brand, Category, Product, ProductFacet, ProductSearchTerm, Sku
from shop.db.search_index import product_terms
from shop.domain.colours import COLOUR_FAMILY_OF

COLOUR = "颜色"


def facet_pairs(product_attributes: dict, sku_attributes: Iterable[dict], colour_family) -> set[tuple[str, str]]:
    """(name, value) filters a product answers to; ``colour_family(shade)`` maps 曜石黑 -> 黑色."""
    pairs: set[tuple[str, str]] = set()
    for attributes in sku_attributes:
        for name, value in attributes.items():
            pairs.add((name, value))
            family = colour_family(value) if name == COLOUR else None
            if family:
                pairs.add((name, family))
    pairs.update(product_attributes.items())
    return pairs


def rebuild_search_index(session: Session, product_ids: Optional[list[int]] = None) -> int:
    """Recompute terms and facets of the given products (all when None); returns how many."""
    categories = {c.id: c for c in session.execute(select(Category)).scalars()}
    brands = {b.id: b for b in session.execute(select(Brand)).scalars()}
    query = select(Product).order_by(Product.id)
    if product_ids is not None:
        query = query.where(Product.id.in_(product_ids))
    products = session.execute(query).scalars().all()
    ids = [p.id for p in products]
    if not ids:
        return 0
    skus: dict[int, list[dict]] = {}
    for product_id, attributes in session.execute(
        select(Sku.product_id, Sku.attributes).where(Sku.product_id.in_(ids)).order_by(Sku.id)
    ):
        skus.setdefault(product_id, []).append(attributes or {})
    session.execute(delete(ProductSearchTerm).where(ProductSearchTerm.product_id.in_(ids)))
    session.execute(delete(ProductFacet).where(ProductFacet.product_id.in_(ids)))
    term_rows, facet_rows = [], []
    for p in products:
        leaf = categories[p.category_id]
        top = categories[int(leaf.path.split("/")[0])]
        brand = brands[p.brand_id]
        pairs = facet_pairs(p.attributes or {}, skus.get(p.id, []), COLOUR_FAMILY_OF.get)
        facet_rows += [{"name": n, "value": v, "product_id": p.id} for n, v in sorted(pairs)]
        terms = product_terms(p.title, p.model, (brand.name, brand.name_en, brand.name_zh), leaf.name,
                              (top.name, *(v for _, v in sorted(pairs))))
        term_rows += [{"term": t, "product_id": p.id, "weight": w, "sales_count": p.sales_count}
                      for t, w in sorted(terms.items())]
    if facet_rows:
        session.execute(insert(ProductFacet), facet_rows)
    if term_rows:
        session.execute(insert(ProductSearchTerm), term_rows)
    return len(ids)
