"""Full-ranking metrics: HR@K, NDCG@K and catalogue coverage.

Every item is a candidate (no sampled negatives); the items already in the user's training
history are masked, as in the usual leave-last-out protocol. Ties are counted against the
model: an item scoring *equal* to the target ranks above it. Optimistic tie handling would
reward a model for scoring the target 0 alongside most of the catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class RankingResult:
    hr: float
    ndcg: float
    coverage: float
    users: int

    def as_dict(self) -> dict:
        return {"HR@10": self.hr, "NDCG@10": self.ndcg, "coverage": self.coverage, "users": self.users}


def target_ranks(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """0-based pessimistic rank of each row's target."""
    t = scores[np.arange(len(targets)), targets]
    ranks = (scores >= t[:, None]).sum(axis=1) - 1
    # A masked (-inf) target never counts as found.
    ranks[~np.isfinite(t)] = scores.shape[1]
    return ranks


def evaluate(score_batch: Callable[[np.ndarray], np.ndarray], users: np.ndarray, targets: np.ndarray,
             seen: sp.csr_matrix, k: int = 10, batch: int = 1024) -> RankingResult:
    """``score_batch(user_indices) -> dense scores``; ``seen`` (all users x items) is masked."""
    n_items = seen.shape[1]
    hits = 0
    gain = 0.0
    shown = np.zeros(n_items, bool)
    for s in range(0, len(users), batch):
        u = users[s:s + batch]
        scores = np.array(score_batch(u), dtype=np.float32, copy=True)
        rows, cols = seen[u].nonzero()
        scores[rows, cols] = -np.inf
        ranks = target_ranks(scores, targets[s:s + batch])
        hit = ranks < k
        hits += int(hit.sum())
        gain += float((1.0 / np.log2(ranks[hit] + 2.0)).sum())
        kk = min(k, n_items - 1)
        top = np.argpartition(-scores, kk, axis=1)[:, :k]
        finite = np.isfinite(np.take_along_axis(scores, top, axis=1))
        shown[top[finite]] = True
    n = max(len(users), 1)
    return RankingResult(hits / n, gain / n, float(shown.mean()), len(users))
