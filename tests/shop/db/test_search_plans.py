"""The search's fast paths (top score level first, bounded best-seller walk) return exactly
what ranking every match would, and migration 0003 upgrades and downgrades cleanly."""
from __future__ import annotations

from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import func, inspect, select

from shop.db import search_index, search_plans
from shop.db.catalogue import search_products
from shop.db.engine import make_engine
from shop.db.migrate import alembic_config, current_revision, upgrade_to_head
from shop.db.models import Category, Product, ProductFacet, ProductSearchTerm, Sku


def _oracle(session, keyword=None, category=None, min_price=None, max_price=None, attributes=None,
            in_stock_only=False, limit=10, offset=0):
    """Every on-sale product that passes the filters and has all of the keyword's indexed terms,
    ranked (summed weight, sales, id) descending, computed in Python from whole tables."""
    products = {p.id: p for p in session.execute(select(Product)).scalars()}
    postings: dict[str, dict[int, int]] = {}
    for term, product_id, weight in session.execute(
            select(ProductSearchTerm.term, ProductSearchTerm.product_id, ProductSearchTerm.weight)):
        postings.setdefault(term, {})[product_id] = weight
    candidates = {i for i, p in products.items() if p.is_on_sale}
    if category is not None:
        path = session.execute(select(Category.path).where(Category.name == category)).scalar_one()
        ids = set(session.execute(select(Category.id).where(Category.path.startswith(path))).scalars())
        candidates = {i for i in candidates if products[i].category_id in ids}
    if min_price is not None:
        candidates = {i for i in candidates if products[i].price_cents >= int(Decimal(str(min_price)) * 100)}
    if max_price is not None:
        candidates = {i for i in candidates if products[i].price_cents <= int(Decimal(str(max_price)) * 100)}
    for name, value in (attributes or {}).items():
        having = set(session.execute(select(ProductFacet.product_id).where(
            ProductFacet.name == name, ProductFacet.value == value)).scalars())
        candidates &= having
    if in_stock_only:
        stocked = set(session.execute(select(Sku.product_id).where(Sku.is_active.is_(True), Sku.stock > 0)).scalars())
        candidates &= stocked
    score = {i: 0 for i in candidates}
    if keyword is not None:
        terms = [t for t in search_index.query_terms(keyword) if t in postings]
        assert len(terms) >= 2, "the oracle covers multi-term keywords"
        for term in terms:
            score = {i: s + postings[term][i] for i, s in score.items() if i in postings[term]}
    ranked = sorted(score, key=lambda i: (score[i], products[i].sales_count, i), reverse=True)
    return ranked[offset:offset + limit]


MULTI_WORD = ["华为手机", "苹果手机", "华为 耳机", "小米 手机 黑色", "蓝牙 耳机", "iPhone 15 Pro"]


@pytest.mark.parametrize("keyword", MULTI_WORD)
@pytest.mark.parametrize("filters", [{}, {"limit": 3, "offset": 2}, {"limit": 100},
                                     {"min_price": 50, "max_price": 5000, "in_stock_only": True},
                                     {"max_price": 1, "limit": 5}])
def test_multi_word_search_ranks_like_the_whole_intersection(session, keyword, filters):
    terms = [t for t in search_index.query_terms(keyword)
             if session.execute(select(func.count()).where(ProductSearchTerm.term == t)).scalar()]
    if len(terms) < 2 or session.execute(select(Category.id).where(Category.name == keyword)).first():
        pytest.skip("not a multi-term keyword in this catalogue")
    found = [p.id for p in search_products(session, keyword=keyword, **filters)]
    assert found == _oracle(session, keyword=keyword, **filters)


def test_top_level_is_used_and_lower_levels_are_still_found(session, monkeypatch):
    """A page that the all-STRONG products fill needs no full ranking; one they do not fill
    falls back to it and keeps the weaker matches after them."""
    calls = []
    original = search_plans._intersection_statement
    monkeypatch.setattr(search_plans, "_intersection_statement",
                        lambda *a, **k: calls.append(a) or original(*a, **k))
    first = [p.id for p in search_products(session, keyword="华为手机", limit=1)]
    assert first == _oracle(session, keyword="华为手机", limit=1) and calls == []
    everything = [p.id for p in search_products(session, keyword="华为手机", limit=100)]
    assert everything == _oracle(session, keyword="华为手机", limit=100) and calls


@pytest.mark.parametrize("filters", [
    {"min_price": 100, "max_price": 200}, {"min_price": 100, "max_price": 200, "offset": 20, "limit": 100},
    {"min_price": 20000, "max_price": 30000}, {"max_price": 1},
    {"category": "手机", "attributes": {"颜色": "黑色"}}, {"category": "男装", "attributes": {"颜色": "白色", "尺码": "L"}},
    {"attributes": {"颜色": "粉色"}}, {"attributes": {"屏幕尺寸": "85英寸"}}, {"category": "手机", "in_stock_only": True},
    {"category": "跑步鞋", "max_price": 500, "in_stock_only": True, "limit": 50},
])
def test_bounded_best_seller_walk_gives_the_exact_page(session, filters):
    found = [p.id for p in search_products(session, **filters)]
    assert found == _oracle(session, **filters)


def test_bounded_walk_falls_back_when_the_walk_is_too_short(session, monkeypatch):
    monkeypatch.setattr(search_plans, "WALK_PER_ROW", 1)   # a walk of `need` rows rarely fills the page
    filters = {"min_price": 100, "max_price": 300, "limit": 20}
    assert [p.id for p in search_products(session, **filters)] == _oracle(session, **filters)


def test_migration_0003_upgrades_and_downgrades(empty_url):
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0002")
        with engine.connect() as connection:
            names = {i["name"] for i in inspect(connection).get_indexes("product_search_terms")}
            assert "ix_product_search_terms_product_id" in names
            assert "ix_product_search_terms_product_term" not in names
        upgrade_to_head(engine)
        with engine.connect() as connection:
            inspector = inspect(connection)
            terms = {i["name"]: i["column_names"] for i in inspector.get_indexes("product_search_terms")}
            products = {i["name"]: i["column_names"] for i in inspector.get_indexes("products")}
            assert terms["ix_product_search_terms_product_term"] == ["product_id", "term", "weight"]
            assert "ix_product_search_terms_product_id" not in terms
            assert products["ix_products_price_sales"] == ["price_cents", "sales_count"]
            assert "sqlite_stat1" not in inspector.get_table_names()   # nothing analysed in an empty database
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0002")
            assert current_revision(connection) == "0002"
        with engine.connect() as connection:
            inspector = inspect(connection)
            assert "ix_products_price_sales" not in {i["name"] for i in inspector.get_indexes("products")}
            assert "ix_product_search_terms_product_id" in {i["name"] for i in inspector.get_indexes("product_search_terms")}
    finally:
        engine.dispose()


def test_migration_0003_upgrades_a_seeded_database(writable_engine):
    """As on the benchmark databases: back to 0002 with data, then up again, data intact."""
    with writable_engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(ProductSearchTerm)).scalar_one()
    with writable_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    upgrade_to_head(writable_engine)
    with writable_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ProductSearchTerm)).scalar_one() == before
        names = {i["name"] for i in inspect(connection).get_indexes("product_search_terms")}
        assert "ix_product_search_terms_product_term" in names
