"""Round 16 (typed16), on both seeded databases: a typed purchase search honours the colour and
size asked for ("我想买粉色的华为耳机": only listings that come in pink, each card saying so,
whatever colour its title names), and says plainly when none does."""
from __future__ import annotations

import json

from actions.purchase import ActionPurchaseHelp
from assistant.purchase_search import variant_in_stock
from shop.db.catalogue import get_product_details, search_products
from shop.domain.colours import same_colour
from tests.support.actions import run_action, tracker


def cards(messages):
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "product_cards":
            return custom
    raise AssertionError(f"no product cards in {json.dumps(messages, ensure_ascii=False)}")


def a_colour_titled_otherwise(shop_db):
    """(brand, category, colour) where a listing sells a colour its title does not name."""
    with shop_db() as session:
        products = search_products(session, category="耳机耳麦", in_stock_only=True, limit=60)
        for detail in get_product_details(session, [p.id for p in products]):
            for sku in detail.skus:
                shade = sku.attributes.get("颜色")
                if sku.in_stock and shade and shade not in detail.title:
                    return detail.brand, shade
    raise AssertionError("the seeded shop has no earphones sold in a colour their title does not name")


def test_a_purchase_search_with_a_colour_shows_only_listings_in_that_colour(shop_db):
    brand, shade = a_colour_titled_otherwise(shop_db)
    messages, _ = run_action(ActionPurchaseHelp(), tracker(
        f"我想买{shade}的{brand}耳机", "purchase", {"color": shade, "brand": brand, "category": "耳机耳麦"}))
    shown = cards(messages)
    assert shown["products"]
    with shop_db() as session:
        details = get_product_details(session, [int(card["id"]) for card in shown["products"]])
    for card, detail in zip(shown["products"], details):
        assert detail.brand == brand
        assert any(s.in_stock and same_colour(shade, s.attributes.get("颜色", "")) for s in detail.skus), card["title"]
        assert card["reason"].startswith("有") and card["reason"].endswith("可选")
    assert "暂时没有" not in shown["title"]


def test_a_colour_no_listing_has_is_said_with_the_listings_there_are(shop_db):
    messages, _ = run_action(ActionPurchaseHelp(), tracker(
        "我想买金色的耳机", "purchase", {"color": "金色", "category": "耳机耳麦"}))
    shown = cards(messages)
    assert shown["title"].startswith("暂时没有金色的现货") and shown["products"]


def test_variant_in_stock_needs_colour_and_size_on_one_sku(shop_db):
    with shop_db() as session:
        shoes = search_products(session, category="跑步鞋", in_stock_only=True, limit=30)
        details = get_product_details(session, [p.id for p in shoes])
    for detail in details:
        for sku in detail.skus:
            colour, size = sku.attributes.get("颜色"), sku.attributes.get("尺码")
            if not (colour and size):
                continue
            found = variant_in_stock(detail, colour, size)
            pairs = {(s.attributes.get("颜色"), s.attributes.get("尺码")) for s in detail.skus if s.in_stock}
            assert (found is not None) == any(same_colour(colour, c or "") and z == size for c, z in pairs)
