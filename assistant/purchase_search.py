"""A typed purchase search ("我想买粉色的华为耳机", "要42码的跑鞋"): the listings named, in the
colour and size asked for when the shopper gave one. Pure over the data layer's queries."""
from __future__ import annotations

from typing import List, Optional

from assistant import product_facts
from assistant.recommendation_requests import (
    COLOUR_FACET, SCREEN_FACET, colour_turned_down, other_colour_in_stock, size_facet, size_words, title_names_other_screen,
)
from shop.db.catalogue import find_products_by_name, get_product_details, search_products
from shop.domain.colours import same_colour

FOUND = "为您找到这些商品，点「我要买」查看下单方式："


def purchase_search(session, mention: Optional[str], brand: Optional[str], category: Optional[str],
                    colour: Optional[str] = None, size: Optional[str] = None, limit: int = 5, text: str = ""):
    """"我想买粉色的华为耳机" / "要42码的跑鞋": the listings named (a product, else brand and
    category) that come in the colour (its family: 粉色 finds 浅粉) and size asked for, each
    card saying which one it has ("有粉色可选") — a listing is often titled in another colour
    than the ones it sells. None has them: the listings without the variant, and the title
    says so; a colour turned down in ``text`` ("不要黑色") leaves out the listings sold only in
    it. Returns (products, reasons by id, title)."""
    turned_down = colour if colour and colour_turned_down(text, colour) else None
    if turned_down:
        colour = None       # "想买华为耳机 不要黑色": black left out, not asked for
    wanted = {name: str(value) for name, value in ((COLOUR_FACET, colour), (size_facet(size or ""), size)) if value}

    def search(attributes):
        if mention:
            return find_products_by_name(session, mention, limit=limit * 2 if attributes else limit)
        return search_products(session, brand=brand, category=category, attributes=attributes or None,
                               in_stock_only=True, limit=limit)

    found = search(wanted)
    if turned_down and found:
        details = {d.id: d for d in get_product_details(session, [p.id for p in found]) if d is not None}
        found = [p for p in found if p.id in details and other_colour_in_stock(details[p.id], (turned_down,))]
    if not wanted:
        return found, _stock_reasons(found), FOUND
    details = {d.id: d for d in get_product_details(session, [p.id for p in found]) if d is not None}
    reasons = {}
    for product in found:
        has = variant_in_stock(details[product.id], colour, size) if product.id in details else None
        if has:
            reasons[product.id] = f"有{has}可选"
    having = [p for p in found if p.id in reasons][:limit]
    if having:
        return having, reasons, FOUND
    others = (found if mention else search({}))[:limit]
    if not others:
        return [], {}, FOUND
    said = "、".join(_variant_words(colour, size))
    return others, _stock_reasons(others), f"暂时没有{said}的现货，看看这几款（点「问问这款」可查其他颜色、尺码）："


def _stock_reasons(products) -> dict:
    return {p.id: "在售现货" if p.in_stock else "暂时缺货" for p in products}


def _variant_words(colour: Optional[str], size: Optional[str]) -> list:
    words = [str(colour)] if colour else []
    if size:
        words.append(size_words(size))
    return words


def variant_in_stock(detail, colour: Optional[str], size: Optional[str]) -> Optional[str]:
    """The name of an in-stock SKU of ``detail`` in the colour family and size asked for
    ("粉色", "黑色 42"), or None."""
    for sku in detail.skus:
        if not sku.in_stock:
            continue
        shade, fit = sku.attributes.get(COLOUR_FACET), sku.attributes.get(size_facet(size or ""))
        if colour and not (shade and same_colour(str(colour), shade)):
            continue
        if size and str(fit or "").upper() != str(size).upper():
            continue
        return " ".join(_variant_words(shade if colour else None, fit if size else None))
    return None


def listing_with_variant(session, product_ids: List[int], text: str) -> list:
    """Of several listings of one model, the first whose SKUs have the variant named in
    ``text`` ("有42码吗") in stock; [] when none names or has it. A listing whose title names
    the screen size asked comes before one titled in another size that also sells it ("海信E8K
    65寸": the 65英寸 listing, not the 55英寸 one with a 65-inch SKU)."""
    details = [p for p in get_product_details(session, product_ids) if p]   # one read for all
    details.sort(key=lambda p: title_names_other_screen(p.title, product_facts.wanted_variant(p, text).get(SCREEN_FACET)))
    for product in details:
        wanted = product_facts.wanted_variant(product, text)
        if wanted and any(s.in_stock for s in product_facts.match_variant(product, wanted).skus):
            return [product]
    return []
