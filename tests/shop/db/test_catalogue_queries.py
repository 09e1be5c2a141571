"""Catalogue queries on the seeded database (both backends)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from shop.db.catalogue import catalogue_terms, category_warranty_months, current_promotions, find_products_by_name, get_product_detail, list_brands, list_categories, search_products
from shop.db.errors import InvalidRequest
from tests.support.shop_db import ANCHOR


def titles(products):
    return [p.title for p in products]


def test_keyword_search_finds_brand_and_category(session):
    found = search_products(session, keyword="华为手机", limit=5)
    assert found and found[0].brand == "华为" and found[0].category == "手机"
    assert all("华为" in p.title or p.brand == "华为" for p in found)


def test_keyword_search_understands_brand_aliases_and_run_together_models(session):
    apple = search_products(session, keyword="苹果手机", limit=3)
    assert apple[0].brand == "Apple" and apple[0].category == "手机"
    joined = search_products(session, keyword="iphone15pro")
    spaced = search_products(session, keyword="iPhone 15 Pro")
    assert joined == spaced and all("iPhone 15 Pro" in t for t in titles(spaced))


def test_filler_words_are_ignored_but_nonsense_finds_nothing(session):
    plain = search_products(session, keyword="跑步鞋")
    assert plain and all(p.category == "跑步鞋" for p in plain)
    assert search_products(session, keyword="推荐一款便宜点的跑步鞋") == plain
    assert search_products(session, keyword="xyz不存在的东西") == []
    assert search_products(session, keyword="   ") == search_products(session)


def test_results_are_best_sellers_first_and_paginate(session):
    page1 = search_products(session, category="手机数码", limit=5)
    page2 = search_products(session, category="手机数码", limit=5, offset=5)
    sales = [p.sales_count for p in page1 + page2]
    assert sales == sorted(sales, reverse=True)
    assert not {p.id for p in page1} & {p.id for p in page2}


def test_category_includes_subcategories(session):
    top = search_products(session, category="手机数码", limit=100)
    assert {p.category for p in top} >= {"手机", "耳机耳麦"}
    assert {p.id for p in search_products(session, category="手机", limit=100)} < {p.id for p in top}
    assert search_products(session, category="不存在的类目") == []


def test_price_range_brand_and_attributes(session):
    found = search_products(session, category="手机", min_price=3000, max_price="5000", limit=50)
    assert found and all(Decimal(3000) <= p.price <= Decimal(5000) for p in found)
    apple_black = search_products(session, brand="苹果", attributes={"颜色": "黑色"}, limit=50)
    assert apple_black and all(p.brand == "Apple" for p in apple_black)
    for product in apple_black:
        detail = get_product_detail(session, product.id)
        assert any("黑" in sku.attributes.get("颜色", "") or sku.attributes.get("颜色") in ("午夜色", "深空灰")
                   for sku in detail.skus)
    assert search_products(session, brand="HUAWEI") == search_products(session, brand="华为")


def test_in_stock_only(session):
    everything = search_products(session, limit=100)
    in_stock = search_products(session, in_stock_only=True, limit=100)
    assert all(p.in_stock for p in in_stock)
    assert len(in_stock) <= len(everything)


@pytest.mark.parametrize("kwargs", [
    {"limit": 0}, {"limit": 1000}, {"offset": -1}, {"min_price": -5}, {"min_price": "abc"},
    {"min_price": 100, "max_price": 10}, {"keyword": 42}, {"category": 1.5}, {"attributes": {"颜色": 3}},
    {"brand": ""},
])
def test_bad_search_input_gives_clean_errors(session, kwargs):
    with pytest.raises(InvalidRequest):
        search_products(session, **kwargs)


def test_search_input_is_data_not_sql(session):
    assert search_products(session, keyword="'; DROP TABLE products; --") == []
    assert search_products(session, category="手机' OR '1'='1") == []
    assert search_products(session, limit=1)


def test_product_detail_has_skus_stock_attributes_and_policy(session):
    phone = search_products(session, keyword="iPhone 15 Pro", limit=1)[0]
    detail = get_product_detail(session, phone.id)
    assert detail.category_path == ("手机数码", "手机") and detail.brand == "Apple"
    assert detail.skus and all(s.sku_code.isdigit() for s in detail.skus)
    assert detail.price == min(s.price for s in detail.skus)
    assert detail.total_stock == sum(s.stock for s in detail.skus)
    assert detail.warranty_months == 12 and detail.no_reason_return
    assert "存储容量" in detail.skus[0].attributes and detail.description
    assert get_product_detail(session, 10**9) is None
    with pytest.raises(InvalidRequest):
        get_product_detail(session, "1")


def test_find_products_by_name_prefers_the_exact_model(session):
    found = find_products_by_name(session, "iPhone 15 Pro")
    assert found and all(p.model == "iPhone 15 Pro" for p in found)
    # No listing of exactly 小米14 in the small profile: the keyword fallback finds its siblings.
    assert find_products_by_name(session, "小米14")[0].model.startswith("小米14")
    assert find_products_by_name(session, "Mate60 Pro")[0].model.startswith("Mate 60 Pro")
    assert find_products_by_name(session, "") == []


def test_lists_vocabulary_and_promotions(session):
    categories = list_categories(session)
    tops = [c for c in categories if c.parent_id is None]
    assert len(tops) >= 12 and any(c.path_names == ("手机数码", "手机") for c in categories)
    brands = list_brands(session)
    assert any(b.name == "华为" and b.name_en == "HUAWEI" for b in brands)
    terms = catalogue_terms(session)
    assert {"华为", "HUAWEI", "Apple", "苹果"} <= set(terms.brands) and terms.brand_aliases["苹果"] == "Apple"
    assert "iPhone 15 Pro" in terms.models and "黑色" in terms.colours and "手机" in terms.categories
    running = current_promotions(session, ANCHOR)
    assert running and all(p.starts_at <= ANCHOR < p.ends_at for p in running)
    assert len(current_promotions(session, ANCHOR - timedelta(days=80))) != len(running)
    appliances = current_promotions(session, ANCHOR, category="冰箱")
    assert all(p.category in (None, "家用电器") for p in appliances)


def test_a_keyword_that_names_a_category_means_the_category(session):
    assert search_products(session, keyword="手机", limit=20) == \
        search_products(session, category="手机", limit=20)
    laptops = search_products(session, keyword="笔记本电脑")
    assert laptops and all(p.category == "笔记本电脑" for p in laptops)
    # A long word cut differently in a title is still found through its shorter words.
    assert search_products(session, keyword="小棕瓶精华")


def test_product_details_read_together_are_what_one_at_a_time_gives(session):
    from sqlalchemy import event, select

    from shop.db.catalogue import get_product_details, iter_product_details
    from shop.db.models import Product

    ids = session.execute(select(Product.id).order_by(Product.id.desc()).limit(12)).scalars().all()
    wanted = [ids[3], 10**9, *ids, ids[3]]          # an unknown id and a repeat, in no order
    statements = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        together = get_product_details(session, wanted)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert together == [get_product_detail(session, pid) if pid != 10**9 else None for pid in wanted]
    assert together[1] is None and together[0] == together[-1] and together[0].skus
    # Two queries (products, SKUs) however many ids; a deeper category path adds its own.
    assert len(statements) <= 2 + sum(1 for d in together if d and len(d.category_path) > 2)
    assert [pid for pid, _ in iter_product_details(session, wanted, batch=4)] == wanted
    assert [d for _, d in iter_product_details(session, wanted, batch=4)] == together
    assert get_product_details(session, []) == []
    with pytest.raises(InvalidRequest):
        get_product_details(session, [ids[0], "1"])


def test_a_category_warranty_is_read_by_its_exact_name(session):
    assert category_warranty_months(session, "耳机耳麦") == 12
    assert category_warranty_months(session, "空调") == 72
    assert category_warranty_months(session, "男装") == 0
    assert category_warranty_months(session, "没有这个类目") is None
    assert category_warranty_months(session, "  ") is None
