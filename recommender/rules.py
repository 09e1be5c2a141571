"""Business rules on top of the ranking: filters, diversity and the reason shown per item.

- filters: in stock only (default), category (any level of the path, or leaf id), price
  range, brand, attribute values such as 颜色=黑色 (exact; a tuple accepts any of its values:
  the caller decides which shades answer 黑色); excluded ids (already shown pages).
- never recommend what the shopper already bought, unless the category is consumable
  (the caller's service applies this through ``exclude``).
- diversity: at most ``max_per_group`` items of one (leaf category, brand) on a page, and
  one item per near-duplicate group (``content.duplicate_groups``: colour variants listed as
  separate products, re-listings).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Optional, Union

import numpy as np

from recommender.catalogue import Catalogue

Category = Union[str, int, None]


@dataclass(frozen=True)
class Filters:
    """What the shopper asked for. All fields optional; ``None`` means "any"."""

    category: Category = None
    min_price: Optional[float] = None
    max_price: Optional[float] = None
    brand: Optional[str] = None
    attributes: Mapping[str, Union[str, tuple[str, ...]]] = field(default_factory=dict)
    in_stock_only: bool = True

    @classmethod
    def around(cls, price: float, tolerance: float = 0.2, **kwargs) -> "Filters":
        """A budget like "两千左右": ``price`` +- ``tolerance`` (20% by default)."""
        return cls(min_price=price * (1 - tolerance), max_price=price * (1 + tolerance), **kwargs)

    def narrow(self, *, category: Category = None, min_price: Optional[float] = None,
               max_price: Optional[float] = None, brand: Optional[str] = None,
               attributes: Optional[Mapping[str, Union[str, tuple[str, ...]]]] = None) -> "Filters":
        """A refinement of the current list: constraints only get tighter.

        "要黑色的" -> ``narrow(attributes={"颜色": "黑色"})``; "便宜点的" ->
        ``narrow(max_price=...)`` (a new maximum above the current one is ignored). A new
        category or brand replaces the old one (the shopper changed their mind about it).
        """
        lo = self.min_price if min_price is None else max(min_price, self.min_price or min_price)
        hi = self.max_price if max_price is None else min(max_price, self.max_price or max_price)
        if lo is not None and hi is not None and lo > hi:
            lo = None   # "cheaper" below the old lower bound: the lower bound gives way
        return replace(self, category=category if category is not None else self.category,
                       min_price=lo, max_price=hi, brand=brand if brand is not None else self.brand,
                       attributes={**dict(self.attributes), **dict(attributes or {})})


def allowed_at(catalogue: Catalogue, filters: Optional[Filters], idx: np.ndarray) -> np.ndarray:
    """Boolean per item of ``idx``: may be shown under ``filters``."""
    f = filters or Filters()
    ok = catalogue.available[idx]
    if f.in_stock_only:
        ok = ok & (catalogue.stock[idx] > 0)
    if f.category is not None and f.category != "":
        ok &= catalogue.member_mask("category", f.category)[idx]
    if f.brand:
        ok &= catalogue.member_mask("brand", f.brand)[idx]
    for name, value in dict(f.attributes).items():
        ok &= catalogue.member_mask("attribute", name, value)[idx]
    # A price filter drops items whose price is unknown (nan compares false).
    if f.min_price is not None:
        ok &= catalogue.prices[idx] >= f.min_price
    if f.max_price is not None:
        ok &= catalogue.prices[idx] <= f.max_price
    return ok


def allowed_mask(catalogue: Catalogue, filters: Optional[Filters], exclude: Iterable[int] = ()) -> np.ndarray:
    """Boolean per item of the whole catalogue; ``exclude`` are item indices."""
    mask = allowed_at(catalogue, filters, np.arange(catalogue.n_items))
    ex = np.fromiter(exclude, np.int64)
    if len(ex):
        mask[ex] = False
    return mask


def admission(catalogue: Catalogue, filters: Optional[Filters], excluded: np.ndarray):
    """``idx -> bool`` for the ranker: filters plus a (small, sorted) excluded set."""
    excluded = np.asarray(excluded, np.int64)
    blocked = None
    if len(excluded):
        # A dense flag per item: one gather per test instead of a sort-based isin.
        blocked = np.zeros(catalogue.n_items, bool)
        blocked[excluded] = True

    def allowed(idx: np.ndarray) -> np.ndarray:
        ok = allowed_at(catalogue, filters, idx)
        if blocked is not None:
            ok &= ~blocked[idx]
        return ok
    return allowed


def membership_keys(filters: Optional[Filters]) -> list[tuple]:
    """The membership filters as ``Catalogue.member_mask`` keys: (kind, *key)."""
    if filters is None:
        return []
    keys: list[tuple] = []
    if filters.category is not None and filters.category != "":
        keys.append(("category", filters.category))
    if filters.brand:
        keys.append(("brand", filters.brand))
    keys += [("attribute", name, value) for name, value in dict(filters.attributes).items()]
    return keys


def diversify(ranked: np.ndarray, catalogue: Catalogue, duplicates: Optional[np.ndarray], limit: int,
              max_per_group: int = 3) -> np.ndarray:
    """Pick ``limit`` items from ``ranked`` (best first) so no page is one product ten times.

    Greedy: take the next best item unless its (leaf category, brand) group already has
    ``max_per_group`` items on the page or a near-duplicate of it (same ``duplicates`` id) is
    already there. If that leaves the page short, brand-capped items come back in rank order
    (a narrow filter may only match one brand); near-duplicates never do.
    """
    ranked = np.asarray(ranked, np.int64)
    if len(ranked) == 0 or limit <= 0:
        return ranked[:0]
    leaf = catalogue.leaf_key()
    picked: list[int] = []
    capped: list[int] = []
    groups: dict = {}
    seen_dups: set = set()
    for item in ranked.tolist():
        dup = int(duplicates[item]) if duplicates is not None else item
        if dup in seen_dups:
            continue
        key = (int(leaf[item]), catalogue.brands[item])
        if key[1] and groups.get(key, 0) >= max_per_group:
            capped.append(item)
            continue
        groups[key] = groups.get(key, 0) + 1
        seen_dups.add(dup)
        picked.append(item)
        if len(picked) == limit:
            break
    for item in capped:
        if len(picked) == limit:
            break
        dup = int(duplicates[item]) if duplicates is not None else item
        if dup not in seen_dups:
            seen_dups.add(dup)
            picked.append(item)
    return np.array(picked, np.int64)


# --- reasons ------------------------------------------------------------------------------

REASONS = {
    "also_bought": "买过「{anchor}」的顾客也买了",
    "also_viewed": "看过「{anchor}」的顾客也在看",
    "similar": "和您看的这款相似",
    "similar_to": "和您看过的「{anchor}」相似",
    "for_you": "根据您的购物偏好推荐",
    "category_hot": "同类热销",
    "hot": "近期热销",
}


def reason_text(code: str, anchor: Optional[str] = None) -> str:
    return REASONS[code].format(anchor=anchor or "")
