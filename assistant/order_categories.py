"""The category names of what each order holds ("新鲜水果 食品生鲜" for an order of 奇异果),
so an order named by its category ("那个水果坏了", "护肤品那单") is found although its
titles do not say the category. Orders carry no category: it is read through the ordered
products, only when the titles alone matched nothing (two light queries, one unit of work)."""
from __future__ import annotations

from typing import Dict, Sequence

from shop.db.catalogue import list_categories, product_category_ids


def order_category_names(session, orders: Sequence, leaf_only: bool = False) -> Dict[str, str]:
    """Order number → the names of its products' categories and their parents; ``leaf_only``:
    the products' own categories alone ("手机" names the phone's order, not every order under
    手机数码 such as the earphones')."""
    product_ids = {item.product_id for order in orders for item in order.items}
    if not product_ids:
        return {}
    by_product = product_category_ids(session, sorted(product_ids))
    paths = {c.id: c.name if leaf_only else " ".join(c.path_names) for c in list_categories(session)}
    return {
        order.order_no: " ".join(paths.get(by_product.get(item.product_id), "") for item in order.items).lower()
        for order in orders
    }


def item_category_names(session, items: Sequence) -> Dict[int, str]:
    """Order item id → the names of its product's category and its parents ("手机配件" for a
    charger titled "绿联 65W氮化镓充电器"), so "是配件" picks that item of an order."""
    by_product = product_category_ids(session, sorted({item.product_id for item in items}))
    if not by_product:
        return {}
    paths = {c.id: " ".join(c.path_names) for c in list_categories(session)}
    return {item.id: paths.get(by_product.get(item.product_id), "").lower() for item in items}


def needs_categories(meant) -> bool:
    """The message described an order, and nothing matched by title: worth reading categories."""
    return meant.described and not meant.orders


def another_name_typed(name: str, text: str) -> bool:
    """Whether ``text`` says the category ``name`` in other words: one of its characters typed
    ("衣服" for 服饰鞋包, "尿不湿" for 纸尿裤), the rule the recommendation lists follow too; a
    kind of it the NLU read as the whole department ("衬衫" → 服饰鞋包) shares none."""
    return any(ch in text for ch in name)


def typed_names(named: Sequence[str], text: str, leaf_only: bool) -> list:
    """The NLU's names to match orders' categories by: all of them against the products' own
    categories, against their departments only those said in other words (``another_name_typed``:
    the NLU reads "衬衫" as all of 服饰鞋包, which would match a T-shirt's order)."""
    return list(named) if leaf_only else [n for n in named if another_name_typed(n.lower(), (text or "").lower())]
