"""The fitted bundle that is persisted and served: ranker + catalogue + shoppers' histories."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from recommender.catalogue import Catalogue
from recommender.data import PURCHASE, Sequences
from recommender.hybrid import HybridModel


@dataclass
class CustomerHistories:
    """Each known customer's recent steps and everything they ever bought (item indices)."""

    customer_ids: np.ndarray
    indptr: np.ndarray
    items: np.ndarray
    kinds: np.ndarray
    bought_indptr: np.ndarray
    bought_items: np.ndarray
    _lookup: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_sequences(cls, seqs: Sequences, max_history: int) -> "CustomerHistories":
        pos = seqs.positions_from_end()
        recent = pos < max_history
        kept = seqs.select_steps(recent)
        bought = seqs.select_steps(seqs.kinds == PURCHASE)
        ids = np.asarray(seqs.user_ids)
        if ids.dtype == object:
            try:
                ids = ids.astype(np.int64)
            except (TypeError, ValueError):
                ids = ids.astype(str)
        return cls(ids, kept.indptr, kept.items.copy(), kept.kinds.copy(), bought.indptr, bought.items.copy())

    def index_of(self, customer_id) -> Optional[int]:
        if not self._lookup:
            self._lookup = {(c.item() if hasattr(c, "item") else c): j for j, c in enumerate(self.customer_ids)}
        key = customer_id
        if self.customer_ids.dtype.kind in "iu":
            try:
                key = int(customer_id)
            except (TypeError, ValueError):
                return None
        elif self.customer_ids.dtype.kind == "U":
            key = str(customer_id)
        return self._lookup.get(key)

    def history(self, customer_id) -> tuple[np.ndarray, np.ndarray]:
        j = self.index_of(customer_id) if customer_id is not None else None
        if j is None:
            return np.zeros(0, np.int64), np.zeros(0, np.int8)
        s = slice(self.indptr[j], self.indptr[j + 1])
        return self.items[s].astype(np.int64), self.kinds[s]

    def bought(self, customer_id) -> np.ndarray:
        j = self.index_of(customer_id) if customer_id is not None else None
        if j is None:
            return np.zeros(0, np.int64)
        return self.bought_items[self.bought_indptr[j]:self.bought_indptr[j + 1]].astype(np.int64)

    def arrays(self) -> dict:
        return {"customer_ids": self.customer_ids, "hist_indptr": self.indptr, "hist_items": self.items,
                "hist_kinds": self.kinds, "bought_indptr": self.bought_indptr, "bought_items": self.bought_items}

    @classmethod
    def from_arrays(cls, a) -> "CustomerHistories":
        return cls(a["customer_ids"], a["hist_indptr"], a["hist_items"], a["hist_kinds"], a["bought_indptr"],
                   a["bought_items"])


@dataclass
class RecommenderModel:
    hybrid: HybridModel
    catalogue: Catalogue
    duplicates: np.ndarray          # near-duplicate group id per item (content.duplicate_groups)
    customers: CustomerHistories
    meta: dict = field(default_factory=dict)
    # Per-process lookups built on first use (popularity-ordered category pools, ...).
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unsaved"))

    def with_duplicates(self, items: np.ndarray) -> np.ndarray:
        """``items`` plus every near-duplicate listing of them (sorted, unique).

        Excluding a product (bought, seen, shown on an earlier page) excludes its re-listings
        too: to the shopper they are the same product.
        """
        items = np.asarray(items, np.int64)
        if len(items) == 0:
            return items
        index = self.cache.get("duplicate_index")
        if index is None:
            order = np.argsort(self.duplicates, kind="stable")
            groups = self.duplicates[order]
            index = self.cache["duplicate_index"] = (order, groups)
        order, groups = index
        wanted = np.unique(self.duplicates[items])
        lo = np.searchsorted(groups, wanted, side="left")
        hi = np.searchsorted(groups, wanted, side="right")
        if np.all(hi - lo == 1):
            return np.unique(items)
        mates = np.concatenate([order[a:b] for a, b in zip(lo, hi)])
        return np.union1d(items, mates)
