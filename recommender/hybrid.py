"""The hybrid ranker: a weighted sum of component scores for one shopper's recent history.

Components (each fitted in its own module):

- ``seq``     sequential co-occurrence, item -> next items      (sequential.py)
- ``knn``     item-to-item cosine on shopper co-occurrence      (item_knn.py)
- ``content`` TF-IDF/categorical neighbours                     (content.py)
- ``factor``  truncated-SVD item factors, shopper folded in     (factor.py)
- ``pop``     recency-weighted popularity                       (popularity.py)

A shopper's history enters as item weights ``kind weight * decay ** position`` (0 = most
recent). Each component's raw score is divided by a fixed scale (the size of its typical
strongest signal) so blend weights mean the same thing on every data set; the weights and
``decay`` are chosen on a validation split (tuning.py).

Scoring is two-stage, identically in serving and in the offline evaluation: the sparse
components and popularity score every item (a gather + bincount), the ``candidates`` best
allowed items are kept, and only those get the dense factor score (a full item x factor
product per request would dominate latency at 100k products).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import scipy.sparse as sp

from recommender.data import KIND_WEIGHT
from recommender.neighbours import row_positions, score_history

ITEM_ITEM = ("seq", "knn", "content")
COMPONENTS = ITEM_ITEM + ("factor", "pop")


@dataclass
class Blend:
    decay: float = 0.5
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def to_json(self) -> dict:
        return {"decay": self.decay, "weights": dict(self.weights)}

    @classmethod
    def from_json(cls, doc: dict) -> "Blend":
        return cls(float(doc["decay"]), {k: float(v) for k, v in doc["weights"].items()})


# Used when there is too little validation data to tune (small shops, tests). Chosen as a
# middle ground over the validation splits of the public data sets (see bench/).
DEFAULT_WEIGHTS = {"seq": 1.0, "knn": 0.3, "content": 0.03, "factor": 0.1, "pop": 0.03}
POP_TIE_BREAK = 1e-4


def history_horizon(decay: float, max_history: int) -> int:
    """History steps that can still matter: beyond it ``decay ** pos`` < 1e-3 (a step that far
    back changes no ranking, but would cost a neighbour-row gather per request)."""
    if decay >= 1.0:
        return max_history
    return int(min(max_history, np.floor(np.log(1e-3) / np.log(decay)) + 1))


@dataclass
class HybridModel:
    matrices: dict                 # name -> csr item x item (seq, knn, content)
    factors: np.ndarray            # item x dim
    pop: np.ndarray                # item popularity
    scales: dict                   # name -> float
    blend: Blend = field(default_factory=Blend)
    max_history: int = 50
    candidates: int = 200
    _order: Optional[np.ndarray] = field(default=None, repr=False)

    @property
    def n_items(self) -> int:
        return len(self.pop)

    def coef(self, name: str) -> float:
        w = self.blend.weights.get(name, 0.0)
        if name == "pop" and not w:
            # A blend tuned to ignore popularity still needs it to order what nothing else
            # separates (a guest's whole list, items no neighbour reaches): a tie-breaker far
            # below any real signal.
            w = POP_TIE_BREAK
        scale = self.scales.get(name, 1.0)
        return float(w / scale) if w and scale > 0 else 0.0

    # --- one shopper -----------------------------------------------------------------------

    def history_weights(self, items: np.ndarray, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct recent items (oldest first) and their weights from a time-ordered history."""
        items = np.asarray(items, np.int64)
        if len(items) == 0:
            return items, np.zeros(0, np.float32)
        kinds = np.asarray(kinds, np.int64)
        # Last occurrence of each item: reverse, unique (first), back to time order.
        rev_items = items[::-1]
        _, first = np.unique(rev_items, return_index=True)
        first.sort()
        first = first[first < self.horizon()]
        pos = first.astype(np.float32)                        # steps back from the newest
        w = KIND_WEIGHT[kinds[::-1][first]] * np.power(np.float32(self.blend.decay), pos)
        return rev_items[first][::-1].copy(), w[::-1].astype(np.float32)

    def coefs(self) -> dict:
        return {c: self.coef(c) for c in COMPONENTS}

    def base_scores(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Popularity plus every item-item component, for all items (dense)."""
        out = self.pop * np.float32(self.coef("pop"))
        for name in ITEM_ITEM:
            c = self.coef(name)
            if c:
                score_history(self.matrices[name], items, weights * c, out)
        return out

    def sparse_scores(self, items: np.ndarray, weights: np.ndarray,
                      coefs: Optional[dict] = None) -> tuple[np.ndarray, np.ndarray]:
        """(items touched by any item-item component, their summed item-item score)."""
        coefs = coefs or self.coefs()
        idx_parts, val_parts = [], []
        for name in ITEM_ITEM:
            c = coefs.get(name, 0.0)
            m = self.matrices.get(name)
            if not c or m is None or len(items) == 0:
                continue
            pos, lens = row_positions(m, items)
            if len(pos) == 0:
                continue
            idx_parts.append(m.indices[pos])
            val_parts.append(m.data[pos] * np.repeat(np.asarray(weights, np.float32) * np.float32(c), lens))
        if not idx_parts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        idx = np.concatenate(idx_parts)
        touched, inverse = np.unique(idx, return_inverse=True)
        return touched.astype(np.int64), np.bincount(inverse, weights=np.concatenate(val_parts)).astype(np.float32)

    def popular_head(self, count: int, allowed: Optional[Callable[[np.ndarray], np.ndarray]],
                     pool: Optional[np.ndarray] = None) -> np.ndarray:
        """The ``count`` most popular allowed items, walking the popularity order in growing
        chunks. ``pool``: a smaller popularity-ordered list that holds every allowed item
        (a category's members), so narrow filters do not walk the whole catalogue."""
        order = self._pop_order() if pool is None else pool
        if allowed is None:
            return order[:count]
        found, start, chunk = [], 0, max(4 * count, 1024)
        have = 0
        while have < count and start < len(order):
            seg = order[start:start + chunk]
            ok = seg[allowed(seg)]
            found.append(ok)
            have += len(ok)
            start += chunk
            chunk *= 4
        return np.concatenate(found)[:count] if found else order[:0]

    def _pop_order(self) -> np.ndarray:
        if self._order is None or len(self._order) != len(self.pop):
            self._order = np.argsort(-self.pop, kind="stable").astype(np.int64)
        return self._order

    def pop_order_of(self, members: np.ndarray) -> np.ndarray:
        """``members`` sorted by popularity, most popular first (ties: lower index)."""
        members = np.asarray(members, np.int64)
        return members[np.lexsort((members, -self.pop[members]))]

    def factor_scores(self, items: np.ndarray, weights: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        if len(items) == 0:
            return np.zeros(len(candidates), np.float32)
        # einsum, not BLAS: for a 200 x 64 product, waking BLAS threads on a busy machine costs
        # milliseconds; a single-threaded loop costs microseconds.
        q = np.einsum("i,ij->j", np.asarray(weights, np.float32), self.factors[items])
        return np.einsum("ij,j->i", self.factors[candidates], q)

    def horizon(self) -> int:
        return history_horizon(self.blend.decay, self.max_history)

    def rank(self, items: np.ndarray, weights: np.ndarray,
             allowed: Optional[Callable[[np.ndarray], np.ndarray]] = None, n: Optional[int] = None,
             coefs: Optional[dict] = None, pool: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """Best allowed items, best first, with their blended scores (at most ``n``).

        ``allowed(idx) -> bool array`` filters candidates. Exact without scoring the whole
        catalogue: an item no item-item component touches scores ``pop`` only, so the top
        candidates lie in (touched items) + (the most popular allowed items).
        """
        coefs = coefs or self.coefs()
        n_cand = max(self.candidates, n or 0)
        touched, cf = self.sparse_scores(items, weights, coefs)
        if len(touched) and allowed is not None:
            keep = allowed(touched)
            touched, cf = touched[keep], cf[keep]
        head = self.popular_head(n_cand, allowed, pool)
        cand = np.union1d(touched, head)
        if len(cand) == 0:
            return cand, np.zeros(0, np.float32)
        scores = self.pop[cand] * np.float32(coefs.get("pop", 0.0))
        if len(touched):
            scores[np.searchsorted(cand, touched)] += cf
        if len(cand) > n_cand:
            top = np.argpartition(-scores, n_cand - 1)[:n_cand]
            cand, scores = cand[top], scores[top]
        fc = coefs.get("factor", 0.0)
        if fc:
            scores = scores + np.float32(fc) * self.factor_scores(items, weights, cand)
        order = np.lexsort((cand, -scores))
        if n is not None:
            order = order[:n]
        return cand[order], scores[order].astype(np.float32)

    # --- many shoppers (offline evaluation) ------------------------------------------------

    def batch_scores(self, weights: sp.csr_matrix, seen: Optional[sp.csr_matrix] = None) -> np.ndarray:
        """Dense users x items scores: the same two-stage ranking as ``rank``.

        Items outside a user's candidate set get ``-inf``; seen items (masked) too.
        """
        weights = sp.csr_matrix(weights, dtype=np.float32)
        out = np.tile(self.pop * np.float32(self.coef("pop")), (weights.shape[0], 1))
        for name in ITEM_ITEM:
            c = self.coef(name)
            if c:
                out += (weights @ self.matrices[name]).toarray() * np.float32(c)
        if seen is not None:
            r, col = seen.nonzero()
            out[r, col] = -np.inf
        fc = self.coef("factor")
        if self.candidates >= out.shape[1]:        # tiny catalogue: every item is a candidate
            if fc:
                out += fc * (np.asarray(weights @ self.factors) @ self.factors.T)
                if seen is not None:
                    out[r, col] = -np.inf
            return out
        cand = np.argpartition(-out, self.candidates - 1, axis=1)[:, :self.candidates]
        base = np.take_along_axis(out, cand, axis=1)
        if fc:
            q = np.asarray(weights @ self.factors)                     # users x dim
            base = base + fc * np.einsum("uk,uck->uc", q, self.factors[cand], optimize=True)
        final = np.full_like(out, -np.inf)
        np.put_along_axis(final, cand, base, axis=1)
        return final
