"""The product side of the model: features for fitting, and the arrays filters run on.

Item index ``i`` is the same everywhere (matrices, factors, these arrays). Products that
appear only in interactions (no longer on sale) keep an index so their co-purchase signal
still counts, but are marked ``available = False`` and are never recommended.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from recommender.data import IdIndex

MASK_CACHE = 256


def _values(v: Any) -> list[str]:
    """Attribute values as strings; lists and comma lists become several values."""
    if v is None:
        return []
    if isinstance(v, (list, tuple, set)):
        out: list[str] = []
        for x in v:
            out.extend(_values(x))
        return out
    text = str(v).strip()
    return [text] if text else []


@dataclass
class Catalogue:
    product_ids: list                      # external id per item index
    titles: list[str]
    category_paths: list[tuple[str, ...]]
    category_ids: list[Optional[int]]     # leaf category id when known
    brands: list[str]
    prices: np.ndarray                    # float64 yuan, nan when unknown
    stock: np.ndarray                     # int64
    consumable: np.ndarray                # bool: may be recommended again after a purchase
    available: np.ndarray                 # bool: on sale with known features
    attributes: list[dict[str, list[str]]]
    images: list[Optional[str]]
    descriptions: Optional[list[str]] = None   # fitting only, not persisted
    _index: dict = field(default_factory=dict, repr=False)

    @property
    def n_items(self) -> int:
        return len(self.product_ids)

    # --- construction ------------------------------------------------------------------

    @classmethod
    def from_rows(cls, rows: Iterable, item_index: Optional[IdIndex] = None) -> "Catalogue":
        """From ``shop.db`` ``ProductFeatureRow``-like objects (or dicts with the same keys).

        ``item_index`` is filled in product order; pass the same index to
        ``data.sequences_from_rows`` afterwards so both share item numbering.
        """
        index = item_index if item_index is not None else IdIndex()
        feats: dict[int, dict] = {}
        for row in rows:
            get = row.get if isinstance(row, Mapping) else (lambda k, d=None, r=row: getattr(r, k, d))
            pid = get("id")
            attrs = {str(k): _values(v) for k, v in dict(get("attributes") or {}).items()}
            for name, values in dict(get("facets") or {}).items():
                attrs.setdefault(str(name), [])
                attrs[str(name)].extend(x for x in _values(values) if x not in attrs[str(name)])
            price = get("price")
            feats[index.add(pid)] = dict(
                title=str(get("title") or ""), description=str(get("description") or ""),
                category_path=tuple(get("category_path") or ()), category_id=get("category_id"),
                brand=str(get("brand") or ""),
                price=float(price) if isinstance(price, (int, float, Decimal)) else float("nan"),
                stock=int(get("stock") or 0), consumable=bool(get("is_consumable")),
                attributes=attrs, image=get("image") or get("image_ref"),
            )
        return cls.build(index, feats)

    @classmethod
    def build(cls, index: IdIndex, feats: Mapping[int, Mapping]) -> "Catalogue":
        """Arrays for every index in ``index``; items without ``feats`` are unavailable."""
        n = len(index)
        blank: dict = {}
        f = [feats.get(i, blank) for i in range(n)]
        return cls(
            product_ids=list(index.ids),
            titles=[x.get("title", "") for x in f],
            category_paths=[tuple(x.get("category_path", ())) for x in f],
            category_ids=[x.get("category_id") for x in f],
            brands=[x.get("brand", "") for x in f],
            prices=np.array([x.get("price", np.nan) for x in f], np.float64),
            stock=np.array([x.get("stock", 0) for x in f], np.int64),
            consumable=np.array([x.get("consumable", False) for x in f], bool),
            available=np.array([i in feats for i in range(n)], bool),
            attributes=[dict(x.get("attributes", {})) for x in f],
            images=[x.get("image") for x in f],
            descriptions=[x.get("description", "") for x in f],
        )

    def extend_to(self, product_ids: Sequence) -> None:
        """Grow to the full id list of the shared index: products the interaction loader added
        (no longer on sale) get unavailable placeholder rows."""
        extra = len(product_ids) - self.n_items
        if extra <= 0:
            return
        self.product_ids = list(product_ids)
        self.titles += [""] * extra
        self.category_paths += [()] * extra
        self.category_ids += [None] * extra
        self.brands += [""] * extra
        self.prices = np.concatenate([self.prices, np.full(extra, np.nan)])
        self.stock = np.concatenate([self.stock, np.zeros(extra, np.int64)])
        self.consumable = np.concatenate([self.consumable, np.zeros(extra, bool)])
        self.available = np.concatenate([self.available, np.zeros(extra, bool)])
        self.attributes += [{} for _ in range(extra)]
        self.images += [None] * extra
        if self.descriptions is not None:
            self.descriptions += [""] * extra
        self._index.clear()

    # --- lookups the filters use (built lazily, cached) ------------------------------------

    def position(self, product_id) -> Optional[int]:
        ids = self._index.get("ids")
        if ids is None:
            ids = self._index["ids"] = {p: i for i, p in enumerate(self.product_ids)}
        found = ids.get(product_id)
        if found is None and isinstance(product_id, str) and product_id.strip().isdigit():
            found = ids.get(int(product_id))      # ids from slots and URLs arrive as text
        elif found is None and isinstance(product_id, (np.integer, float)) and float(product_id).is_integer():
            found = ids.get(int(product_id))
        return found

    def positions(self, product_ids: Iterable) -> np.ndarray:
        found = (self.position(p) for p in product_ids)
        return np.array([i for i in found if i is not None], np.int64)

    def category_members(self, category) -> np.ndarray:
        """Items under a category given by name (any level of the path) or by leaf id."""
        by = self._index.get("category")
        if by is None:
            lists: dict = {}
            for i, (path, cid) in enumerate(zip(self.category_paths, self.category_ids)):
                for name in set(path):
                    lists.setdefault(name, []).append(i)
                if cid is not None:
                    lists.setdefault(("id", cid), []).append(i)
            by = self._index["category"] = {k: np.array(v, np.int64) for k, v in lists.items()}
        key = ("id", category) if isinstance(category, (int, np.integer)) else str(category).strip()
        return by.get(key, np.zeros(0, np.int64))

    def brand_members(self, brand: str) -> np.ndarray:
        by = self._index.get("brand")
        if by is None:
            lists: dict = {}
            for i, b in enumerate(self.brands):
                if b:
                    lists.setdefault(b.lower(), []).append(i)
            by = self._index["brand"] = {k: np.array(v, np.int64) for k, v in lists.items()}
        return by.get(str(brand).strip().lower(), np.zeros(0, np.int64))

    def attribute_members(self, name: str, value: Union[str, Sequence[str]]) -> np.ndarray:
        """Items whose attribute ``name`` has ``value`` (one string, or any of several).

        Exact values only: which listings answer a shopper's words (黑色 -> 曜石黑, 黑色钛金属)
        is the shop's rule, not the recommender's; the caller passes the accepted values
        (the assistant passes ``shop.domain.colours.shades_answering``).
        """
        by = self._index.get("attr")
        if by is None:
            lists: dict = {}
            for i, attrs in enumerate(self.attributes):
                for k, values in attrs.items():
                    for v in values:
                        lists.setdefault(k, {}).setdefault(v, []).append(i)
            by = self._index["attr"] = {k: {v: np.array(ix, np.int64) for v, ix in d.items()}
                                        for k, d in lists.items()}
        wanted = [value] if isinstance(value, str) else list(value)
        values = by.get(name, {})
        hits = [values[v] for v in {str(w).strip() for w in wanted} if v in values]
        return np.unique(np.concatenate(hits)) if hits else np.zeros(0, np.int64)

    def member_mask(self, kind: str, *key) -> np.ndarray:
        """Cached boolean mask over all items for a category / brand / attribute filter.

        Requests test a few hundred candidates against a filter; a cached full-length mask
        makes that a gather instead of a set intersection.
        """
        cache = self._index.setdefault("masks", {})
        mask = cache.get((kind, key))
        if mask is None:
            members = {"category": self.category_members, "brand": self.brand_members,
                       "attribute": self.attribute_members}[kind](*key)
            mask = np.zeros(self.n_items, bool)
            mask[members] = True
            if len(cache) >= MASK_CACHE:
                cache.pop(next(iter(cache)))       # oldest first: filters in use stay warm
            cache[(kind, key)] = mask
        return mask

    def leaf_key(self) -> np.ndarray:
        """An integer per item: same value = same leaf category (the "similar" neighbourhood)."""
        key = self._index.get("leaf")
        if key is None:
            codes = IdIndex()
            key = self._index["leaf"] = np.array([codes.add(p) for p in self.category_paths], np.int64)
        return key

    def short_title(self, i: int, limit: int = 14) -> str:
        t = self.titles[i] or str(self.product_ids[i])
        return t if len(t) <= limit else t[:limit] + "…"

    # --- persistence helpers -------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "product_ids": list(self.product_ids), "titles": self.titles,
            "category_paths": [list(p) for p in self.category_paths], "category_ids": self.category_ids,
            "brands": self.brands, "attributes": self.attributes, "images": self.images,
        }

    @classmethod
    def from_json(cls, doc: Mapping, arrays: Mapping[str, np.ndarray]) -> "Catalogue":
        return cls(
            product_ids=list(doc["product_ids"]), titles=list(doc["titles"]),
            category_paths=[tuple(p) for p in doc["category_paths"]], category_ids=list(doc["category_ids"]),
            brands=list(doc["brands"]), prices=arrays["prices"], stock=arrays["stock"],
            consumable=arrays["consumable"], available=arrays["available"],
            attributes=[dict(a) for a in doc["attributes"]], images=list(doc["images"]),
        )

    def array_fields(self) -> dict[str, np.ndarray]:
        return {"prices": self.prices, "stock": self.stock, "consumable": self.consumable,
                "available": self.available}


def plain_catalogue(n_items: int, product_ids: Optional[Sequence] = None,
                    categorical: Optional[Sequence[Sequence[str]]] = None) -> Catalogue:
    """A feature-less catalogue for public data sets (every item available and in stock).

    ``categorical`` tokens (e.g. Amazon attribute ids) go into ``attributes["tags"]`` so the
    content model can use them.
    """
    index = IdIndex(product_ids if product_ids is not None else range(n_items))
    feats = {i: {"title": str(index.ids[i]), "stock": 1, "price": float("nan"),
                 "attributes": {"tags": list(categorical[i])} if categorical is not None else {}}
             for i in range(n_items)}
    return Catalogue.build(index, feats)
