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
from typing import Optional

import numpy as np
import scipy.sparse as sp

from recommender.data import KIND_WEIGHT
from recommender.neighbours import score_history

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


@dataclass
class HybridModel:
    matrices: dict                 # name -> csr item x item (seq, knn, content)
    factors: np.ndarray            # item x dim
    pop: np.ndarray                # item popularity
    scales: dict                   # name -> float
    blend: Blend = field(default_factory=Blend)
    max_history: int = 50
    candidates: int = 200

    @property
    def n_items(self) -> int:
        return len(self.pop)

    def coef(self, name: str) -> float:
        w = self.blend.weights.get(name, 0.0)
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
        first = first[first < self.max_history]
        pos = first.astype(np.float32)                        # steps back from the newest
        w = KIND_WEIGHT[kinds[::-1][first]] * np.power(np.float32(self.blend.decay), pos)
        return rev_items[first][::-1].copy(), w[::-1].astype(np.float32)

    def base_scores(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Popularity plus every item-item component, for all items."""
        out = self.pop * np.float32(self.coef("pop"))
        for name in ITEM_ITEM:
            c = self.coef(name)
            if c:
                score_history(self.matrices[name], items, weights * c, out)
        return out

    def factor_scores(self, items: np.ndarray, weights: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        if len(items) == 0:
            return np.zeros(len(candidates), np.float32)
        q = weights @ self.factors[items]
        return self.factors[candidates] @ q

    def rank(self, items: np.ndarray, weights: np.ndarray, allowed: Optional[np.ndarray] = None,
             n: Optional[int] = None) -> tuple[np.ndarray, np.ndarray]:
        """Best allowed items, best first, with their blended scores (at most ``n``)."""
        scores = self.base_scores(items, weights)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        n_cand = min(max(self.candidates, n or 0), len(scores))
        finite = int(np.isfinite(scores).sum()) if allowed is not None else len(scores)
        n_cand = min(n_cand, finite)
        if n_cand == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        cand = np.argpartition(-scores, n_cand - 1)[:n_cand] if n_cand < len(scores) else np.arange(len(scores))
        cand_scores = scores[cand]
        fc = self.coef("factor")
        if fc:
            cand_scores = cand_scores + fc * self.factor_scores(items, weights, cand)
        order = np.lexsort((cand, -cand_scores))
        if n is not None:
            order = order[:n]
        return cand[order], cand_scores[order]

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
        n_cand = min(self.candidates, out.shape[1])
        if not fc or n_cand >= out.shape[1]:
            if fc:
                out += fc * np.asarray(weights @ self.factors) @ self.factors.T
                if seen is not None:
                    out[r, col] = -np.inf
            return self._cut_to_candidates(out, n_cand)
        cand = np.argpartition(-out, n_cand - 1, axis=1)[:, :n_cand]
        q = np.asarray(weights @ self.factors)                         # users x dim
        fs = np.einsum("uk,uck->uc", q, self.factors[cand], optimize=True)
        base = np.take_along_axis(out, cand, axis=1)
        final = np.full_like(out, -np.inf)
        np.put_along_axis(final, cand, base + fc * fs, axis=1)
        return final

    @staticmethod
    def _cut_to_candidates(out: np.ndarray, n_cand: int) -> np.ndarray:
        if n_cand >= out.shape[1]:
            return out
        cand = np.argpartition(-out, n_cand - 1, axis=1)[:, :n_cand]
        final = np.full_like(out, -np.inf)
        np.put_along_axis(final, cand, np.take_along_axis(out, cand, axis=1), axis=1)
        return final
