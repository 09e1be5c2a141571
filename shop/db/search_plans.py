"""The search planner: which statement ranks a catalogue search, and its cached plans.

``catalogue.search_products`` checks the input and resolves names to ids; this module picks
how to rank (no keyword: a best-seller walk or the general query; one term: its ranked
postings; several: the top score level first) and builds each statement once per
``SearchShape``, the typed cache key (SQLAlchemy memoises the key of a built statement, and
building one costs more Python time than SQLite spends running it).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from sqlalchemy import and_, bindparam, exists, literal, select
from sqlalchemy.orm import Session, aliased

from shop.db import search_index
from shop.db.models import Product, ProductFacet, ProductSearchTerm, Sku


@dataclass(frozen=True)
class SearchShape:
    """Which filters a search has (not their values, which are bound parameters)."""

    category: bool = False
    brand: bool = False
    low: bool = False
    high: bool = False
    facets: int = 0
    in_stock: bool = False


def in_stock_clause(probe_fence: bool = False):
    probe = select(literal(1)).where(Sku.product_id == Product.id, Sku.is_active.is_(True), Sku.stock > 0)
    return exists(probe.offset(0) if probe_fence else probe)


def ranked_ids(session: Session, shape: SearchShape, params: dict, terms: Sequence[str]) -> list[int]:
    """Ids of the products matching every filter and containing every term, best match
    first, one page (``params``: the bound values, including ``limit`` and ``offset``)."""
    values = dict(params, **{f"term_{i}": term for i, term in enumerate(terms)})
    if len(terms) >= 2:
        return _ranked_ids_by_level(session, shape, values, len(terms))
    walk = _walk_key(shape, params)
    if not terms and walk:
        return _ranked_ids_bounded(session, shape, values, walk)
    return list(session.execute(_ranked_ids_statement(len(terms), shape), values).scalars())


def _filters(shape: SearchShape, probe_fence: bool = False) -> list:
    """The WHERE conditions on ``products`` of one combination of filters (bound parameters).

    ``probe_fence``: write facet and stock checks so that they stay per-row probes.
    """
    conditions = [Product.is_on_sale.is_(True)]
    if shape.category:
        conditions.append(Product.category_id.in_(bindparam("category_ids", expanding=True)))
    if shape.brand:
        conditions.append(Product.brand_id.in_(bindparam("brand_ids", expanding=True)))
    if shape.low:
        conditions.append(Product.price_cents >= bindparam("low"))
    if shape.high:
        conditions.append(Product.price_cents <= bindparam("high"))
    for i in range(shape.facets):
        # A primary-key probe per candidate: common facets (黑色) match thousands of products,
        # so materialising them first would cost more than checking the few candidates.
        probe = select(literal(1)).where(
            ProductFacet.product_id == Product.id, ProductFacet.name == bindparam(f"facet_name_{i}"),
            ProductFacet.value == bindparam(f"facet_value_{i}"))
        conditions.append(exists(probe.offset(0)) if probe_fence else exists(probe))
    if shape.in_stock:
        conditions.append(in_stock_clause(probe_fence))
    return conditions


@lru_cache(maxsize=512)
def _ranked_ids_statement(terms: int, shape: SearchShape):
    """The ranking query for no or one keyword term and one combination of filters, built
    once with bound parameters. (Several terms: ``_level_statement``.)"""
    conditions = _filters(shape)
    query = select(Product.id)
    if not terms:
        # Best sellers first; ties newest first, so the (category_id, sales_count) index can be
        # walked backwards without sorting.
        order = [Product.sales_count.desc(), Product.id.desc()]
    elif terms == 1:
        # One word: walk its ranked postings (term, weight, sales_count, product_id) backwards
        # and stop at the page end, however common the word is.
        posting = aliased(ProductSearchTerm, name="term_0")
        query = query.join(posting, and_(posting.product_id == Product.id, posting.term == bindparam("term_0")))
        order = [posting.weight.desc(), posting.sales_count.desc(), posting.product_id.desc()]
    else:
        raise ValueError("several terms are ranked level by level (_level_statement)")
    return (query.where(and_(*conditions)).order_by(*order)
            .limit(bindparam("limit")).offset(bindparam("offset")))


# --- several keyword terms: the top score level first -----------------------------------
#
# A product's score is the sum of its terms' weights (each STRONG or WEAK) and the ranking is
# (score, sales, id) descending, so products in which every term is STRONG (华为 and 手机 in a
# Huawei phone) come first. Those are read first, without intersecting and sorting all the
# postings (a few thousand index probes and a sort for 华为手机: 4-7 ms of SQLite CPU, more
# on a busy machine): walk the rarest term's STRONG postings from the ranked index
# (term, weight, sales_count, product_id) backwards, i.e. best sellers first, probe the other
# terms through (product_id, term, weight), and stop at the page end; 华为手机 is answered
# after a few dozen postings. Only when the top level cannot fill the page is the whole
# intersection ranked (one query: reading the lower levels one by one would walk the rarest
# term's postings once per level when matches are rare). Exact as long as a posting's
# ``sales_count`` equals its product's (the index is rebuilt with the product:
# ``shop.db.search_maintenance``), the same assumption the one-term walk makes.

def _ranked_ids_by_level(session: Session, shape: SearchShape, values: dict, terms: int) -> list[int]:
    need = values["offset"] + values["limit"]
    # The top level (every term STRONG: 华为 手机 in a Huawei phone) usually fills the page.
    ids = list(session.execute(_top_level_statement(terms, shape),
                               dict(values, strong=search_index.STRONG, need=need)).scalars())
    if len(ids) >= need:
        return ids[values["offset"]:need]
    # Otherwise rank the whole intersection once: reading the lower levels one by one would
    # walk the rarest term's postings once per level when matches are rare (n times the work).
    return list(session.execute(_intersection_statement(terms, shape), values).scalars())


@lru_cache(maxsize=512)
def _intersection_statement(terms: int, shape: SearchShape):
    """All products containing every term, ranked by summed weight, sales and id.

    The intersection of the postings is computed first (index-only probes) and only its
    products are read and filtered: written as one join, SQLite read every product and
    checked its stock for each posting of the rarest term (5 ms for 蓝牙耳机 in stock) before
    looking at the other terms. MATERIALIZED keeps it a separate step on both backends.
    """
    lead = aliased(ProductSearchTerm, name="term_0")
    hits = select(lead.product_id.label("product_id"))
    score = lead.weight
    for i in range(1, terms):
        posting = aliased(ProductSearchTerm, name=f"term_{i}")
        hits = hits.join(posting, and_(posting.product_id == lead.product_id, posting.term == bindparam(f"term_{i}")))
        score = score + posting.weight
    hits = hits.add_columns(score.label("score")).where(lead.term == bindparam("term_0"))
    hits = hits.cte("hits").prefix_with("MATERIALIZED")
    return (select(Product.id).select_from(hits).join(Product, Product.id == hits.c.product_id)
            .where(and_(*_filters(shape)))
            .order_by(hits.c.score.desc(), Product.sales_count.desc(), Product.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))


@lru_cache(maxsize=512)
def _top_level_statement(terms: int, shape: SearchShape):
    """Products in which every term is STRONG, best sellers first, at most ``need`` of them.

    The other terms are per-row probes (OFFSET 0 keeps PostgreSQL from turning them into a
    hash join of whole posting lists, which it does when it takes the terms to be
    independent: it expects 8 products with both 洗衣 and 液 where there are 938)."""
    lead = aliased(ProductSearchTerm, name="term_0")
    conditions = [lead.term == bindparam("term_0"), lead.weight == bindparam("strong")]
    for i in range(1, terms):
        posting = aliased(ProductSearchTerm, name=f"term_{i}")
        conditions.append(exists(select(literal(1)).where(
            posting.product_id == lead.product_id, posting.term == bindparam(f"term_{i}"),
            posting.weight == bindparam("strong")).offset(0)))
    conditions += _filters(shape, probe_fence=True)
    return (select(Product.id).select_from(lead).join(Product, Product.id == lead.product_id)
            .where(and_(*conditions))
            .order_by(lead.sales_count.desc(), lead.product_id.desc()).limit(bindparam("need")))


# --- filters without a keyword: a bounded walk of the best sellers ------------------------
#
# With a price range, facets or stock to filter by, the best plan depends on how many of the
# best sellers pass, which neither planner can estimate: SQLite sorted all 12k products of
# 100-200 yuan (5 ms) where walking the sales index finds the first page after ~100 rows,
# and PostgreSQL, assuming 白色 and L independent of 男装, intersected all white and all L
# products (4-5 ms) where the first page is among the category's first 50 best sellers. So
# first walk the WALK_PER_ROW * (offset + limit) best sellers (at most MAX_WALK; of the one
# category or brand asked for, if any) and check the other filters on each, stopping at the
# page end; if that fills the page, it is exactly the page
# (every product outside the walk sells less than all inside it). Otherwise, for rare
# combinations, run the general query and let the planner pick (the filters are selective
# then, which is what its index plans are good at). The walk is short because a miss costs
# it on top of the general query: about 1 ms of PostgreSQL time per 300 rows checked.

WALK_PER_ROW = 25
MAX_WALK = 2_000


def _walk_key(shape: SearchShape, params: dict) -> Optional[str]:
    """Which index the bounded walk follows ("all", "category", "brand"), or None if the
    shape gains nothing from it (no filter to check, or several ranges to merge)."""
    if not (shape.low or shape.high or shape.facets or shape.in_stock):
        return None
    if shape.category and shape.brand:
        return None
    if shape.category:
        return "category" if len(params["category_ids"]) == 1 else None
    if shape.brand:
        return "brand" if len(params["brand_ids"]) == 1 else None
    return "all"


def _ranked_ids_bounded(session: Session, shape: SearchShape, values: dict, walk: str) -> list[int]:
    need = values["offset"] + values["limit"]
    arguments = dict(values, need=need, walk=min(MAX_WALK, WALK_PER_ROW * need))
    if walk == "category":
        arguments["walk_id"] = values["category_ids"][0]
    elif walk == "brand":
        arguments["walk_id"] = values["brand_ids"][0]
    ids = list(session.execute(_bounded_statement(walk, shape), arguments).scalars())
    if len(ids) >= need:
        return ids[values["offset"]:]
    return list(session.execute(_ranked_ids_statement(0, shape), values).scalars())


@lru_cache(maxsize=64)
def _bounded_statement(walk: str, shape: SearchShape):
    best = select(Product.id, Product.sales_count)
    if walk == "category":
        best = best.where(Product.category_id == bindparam("walk_id"))
    elif walk == "brand":
        best = best.where(Product.brand_id == bindparam("walk_id"))
    best = best.order_by(Product.sales_count.desc(), Product.id.desc()).limit(bindparam("walk")).subquery("best")
    # Facets and stock as per-row probes (OFFSET 0 keeps PostgreSQL from turning them into
    # joins that read every product with the facet), in the walk's order, stopping at ``need``.
    conditions = _filters(shape, probe_fence=True)
    return (select(Product.id).select_from(best).join(Product, Product.id == best.c.id)
            .where(and_(*conditions))
            .order_by(best.c.sales_count.desc(), best.c.id.desc()).limit(bindparam("need")))
