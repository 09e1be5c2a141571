"""Refinements before anything was recommended, comparison with the product in view, and
variant stock through the purchase path (issue 15, deliverables 5 and 6), on both databases."""
from __future__ import annotations

from actions.product import ActionProductInquiry
from actions.purchase import ActionPurchaseHelp
from actions.recommend import ActionRecommend
from shop.db.catalogue import find_products_by_name, get_product_detail, search_products
from tests.support.actions import run_action, tracker


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def cards(messages):
    return [p for m in messages if m.get("custom") for p in m["custom"].get("products", [])]


def a_mid_priced_phone(shop_db):
    with shop_db() as session:
        phones = search_products(session, category="手机", in_stock_only=True, limit=100)
        phones.sort(key=lambda p: p.price)
        return get_product_detail(session, phones[len(phones) // 2].id)


def test_cheaper_with_nothing_recommended_is_cheaper_than_the_product_in_view(shop_db):
    phone = a_mid_priced_phone(shop_db)
    messages, _ = run_action(ActionRecommend(), tracker(
        "有没有便宜一点的", "ask_recommendation", {}, slots={"product_id": str(phone.id)}))
    shown = cards(messages)
    assert shown and "手机" in texts(messages) and "以内" in texts(messages)     # what it applied
    with shop_db() as session:
        for card in shown:
            product = get_product_detail(session, int(card["id"]))
            assert product.price < phone.price and "手机" in product.category_path


def test_dearer_with_nothing_recommended_is_dearer_than_the_product_in_view(shop_db):
    phone = a_mid_priced_phone(shop_db)
    messages, _ = run_action(ActionRecommend(), tracker(
        "贵一点的呢", "ask_recommendation", {}, slots={"product_id": str(phone.id)}))
    shown = cards(messages)
    assert shown and "以上" in texts(messages)
    with shop_db() as session:
        assert all(get_product_detail(session, int(c["id"])).price > phone.price for c in shown)


def test_cheaper_with_nothing_to_compare_against_asks_what_to_look_for(shop_db):
    messages, events = run_action(ActionRecommend(), tracker("便宜点的", "ask_recommendation", {}))
    assert "还没给您推荐过商品" in texts(messages) and not cards(messages) and events == []


def test_brand_refinement_is_applied_and_shown(shop_db):
    _, events = run_action(ActionRecommend(), tracker("推荐个手机", "ask_recommendation", {"category": "手机"}))
    state = next(e["value"] for e in events if e.get("name") == "recommendation")
    messages, _ = run_action(ActionRecommend(), tracker(
        "要华为的", "ask_recommendation", {"brand": "华为"}, slots={"recommendation": state}))
    assert "华为" in texts(messages).splitlines()[0]
    with shop_db() as session:
        for card in cards(messages):
            product = get_product_detail(session, int(card["id"]))
            assert product.brand == "华为" and "手机" in product.category_path


def test_comparison_with_the_product_in_view(shop_db):
    # "跟荣耀X50比哪个好" while looking at another phone (the small seed may not sell the X50:
    # the named phone is one it does sell, typed by its model name).
    phone = a_mid_priced_phone(shop_db)
    with shop_db() as session:
        other = next(p for p in search_products(session, category="手机", in_stock_only=True, limit=100)
                     if p.model != phone.model)
        named = find_products_by_name(session, other.model, limit=1)[0]
    messages, _ = run_action(ActionProductInquiry(), tracker(
        f"跟{other.model}比哪个好", "product_inquiry", {"product": other.model, "topic": "compare"},
        slots={"product_id": str(phone.id)}))
    said = texts(messages)
    assert f"【{phone.title}】 vs 【{named.title}】" in said and "价格" in said
    assert not cards(messages)
    missing, _ = run_action(ActionProductInquiry(), tracker(
        "跟荣耀X99比哪个好", "product_inquiry", {"product": "荣耀X99", "topic": "compare"},
        slots={"product_id": str(phone.id)}))
    assert "没有卖“荣耀X99”" in texts(missing) and " vs " not in texts(missing)


def get_product_detail_by_name(shop_db, name):
    with shop_db() as session:
        return get_product_detail(session, find_products_by_name(session, name, limit=1)[0].id)


def test_variant_stock_through_the_purchase_path(shop_db):
    # The classifier may read "…有货吗" as a purchase question: it answers for the variant too.
    phone = get_product_detail_by_name(shop_db, "iPhone 15 Pro Max")
    big = [s for s in phone.skus if s.attributes.get("存储容量") == "256GB"]
    messages, _ = run_action(ActionPurchaseHelp(), tracker(
        "iPhone 15 Pro Max 256GB 有货吗", "purchase", {"product": "iPhone 15 Pro Max", "topic": "stock"}))
    said = texts(messages)
    assert "256GB" in said and f"{big[0].price:,.2f}" in said and "128GB 原色钛金属】" not in said
