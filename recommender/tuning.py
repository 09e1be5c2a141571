"""Choose the blend (component weights and history decay) on a validation split.

Never sees test targets: the caller fits the components on the training part of a
validation split (``pipeline.fit_hybrid`` holds out each user's last step of the data it is
given, which in the offline protocol is the second-to-last item overall).

To make a weight search cheap, each sampled user's candidates are fixed once: the union of
every component's top ``per_component`` items plus the target; for each decay, every
component's score at those candidates is tabulated once. A weight vector is then evaluated by a small dense blend over
that table. Items outside the union are assumed to rank below the target, so the search is a
slight approximation of full ranking; the benchmark reports the exact figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Optional, Sequence

import numpy as np
import scipy.sparse as sp

from recommender.data import Split
from recommender.neighbours import topk_per_row
from recommender.hybrid import (
    COMPONENTS, DEFAULT_WEIGHTS, ITEM_ITEM, POP_TIE_BREAK, Blend, HybridModel, history_horizon,
)

DECAYS = (0.3, 0.5, 0.7, 0.9)
GRID = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
# A change must beat the incumbent by this relative margin: with a few thousand validation
# users the metric is noisy, and the default is a sane prior.
MIN_GAIN = 0.005
MIN_USERS = 500


@dataclass
class TuningResult:
    blend: Blend
    ndcg: float
    hr: float
    users: int
    by_decay: dict


def _candidates(model: HybridModel, split: Split, users_idx: np.ndarray, decay: float, per_component: int,
                names: Sequence[str]) -> np.ndarray:
    """users x C item ids: column 0 the target, then the top ``per_component`` of popularity
    and of each item-item component (padding repeats the target and is masked later).

    The factor model only re-ranks candidates in serving (``HybridModel.rank``), so it
    proposes none here either. Chosen once (at a middle decay) and reused for every decay:
    the tops barely move with the decay, and selecting them is the expensive part.
    """
    train = split.train
    users = split.users[users_idx]
    targets = split.targets[users_idx]
    n = model.n_items
    k = min(per_component, n - 1)
    w_all = train.history_matrix(decay=decay, max_len=history_horizon(decay, model.max_history))[users]
    # Popularity is the same list for everyone: the global head, long enough to survive the
    # removal of a heavy user's seen items.
    pop_top = model.pop_order_of(np.arange(n))[: min(n, k + model.max_history)] if "pop" in names else None
    out = []
    for s in range(0, len(users), BATCH):
        w = w_all[s:s + BATCH]
        t = targets[s:s + BATCH]
        parts = [t[:, None]]
        for c in names:
            if c == "pop":
                parts.append(np.tile(pop_top, (w.shape[0], 1)))
            elif c in ITEM_ITEM:
                top = topk_per_row(w @ model.matrices[c], k)
                block = np.repeat(t[:, None], k, axis=1)
                counts = np.diff(top.indptr)
                rows = np.repeat(np.arange(w.shape[0]), counts)
                block[rows, np.arange(top.nnz) - top.indptr[rows]] = top.indices
                parts.append(block)
        out.append(np.concatenate(parts, axis=1))
    return np.concatenate(out)


BATCH = 1024


def _tables(model: HybridModel, split: Split, users_idx: np.ndarray, decay: float, ids: np.ndarray,
            names: Sequence[str]) -> tuple[dict, np.ndarray]:
    """Each component's raw score at the candidate ids; and the mask of invalid cells
    (duplicates of an earlier column, or items the user has seen)."""
    train = split.train
    users = split.users[users_idx]
    w_all = train.history_matrix(decay=decay, max_len=history_horizon(decay, model.max_history))[users]
    seen = train.seen_matrix()[users]
    # Duplicates (an item in several components' tops, padding) would be counted twice; keep
    # the first column of each id, which keeps the target in column 0.
    order = np.argsort(ids, axis=1, kind="stable")
    sorted_ids = np.take_along_axis(ids, order, axis=1)
    dup_sorted = np.zeros(sorted_ids.shape, dtype=bool)
    dup_sorted[:, 1:] = sorted_ids[:, 1:] == sorted_ids[:, :-1]
    invalid = np.zeros_like(dup_sorted)
    np.put_along_axis(invalid, order, dup_sorted, axis=1)
    tabs = {c: np.empty(ids.shape, np.float32) for c in names}
    for s in range(0, len(users), BATCH):
        w = w_all[s:s + BATCH]
        block = ids[s:s + BATCH]
        invalid[s:s + BATCH] |= _gather(seen[s:s + BATCH], block) > 0
        for c in names:
            if c == "pop":
                tabs[c][s:s + BATCH] = model.pop[block]
            elif c in ITEM_ITEM:
                tabs[c][s:s + BATCH] = _gather(w @ model.matrices[c], block)
            else:
                q = np.asarray(w @ model.factors, dtype=np.float32)
                tabs[c][s:s + BATCH] = np.einsum("uk,uck->uc", q, model.factors[block], optimize=True)
    return tabs, invalid


def _gather(m: sp.spmatrix, ids: np.ndarray) -> np.ndarray:
    """``m[r, ids[r, j]]`` for every cell, without densifying ``m`` (a sorted-key search)."""
    m = sp.csr_matrix(m)
    m.sum_duplicates()          # also sorts the indices
    n = m.shape[1]
    keys = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr)) * n + m.indices
    queries = np.arange(ids.shape[0], dtype=np.int64)[:, None] * n + ids
    pos = np.minimum(np.searchsorted(keys, queries), max(len(keys) - 1, 0))
    if len(keys) == 0:
        return np.zeros(ids.shape, np.float32)
    return np.where(keys[pos] == queries, m.data[pos], 0.0).astype(np.float32)


def _metric(tabs: dict, invalid: np.ndarray, coefs: dict, k: int = 10) -> tuple[float, float]:
    blended = np.zeros(invalid.shape, np.float32)
    for c, coef in coefs.items():
        if coef:
            blended += tabs[c] * np.float32(coef)
    blended[invalid] = -np.inf
    target = blended[:, 0]
    ranks = (blended[:, 1:] >= target[:, None]).sum(axis=1)
    ranks[~np.isfinite(target)] = 10 ** 9      # a seen target can never be found
    hit = ranks < k
    return float((1.0 / np.log2(ranks[hit] + 2.0)).sum() / len(ranks)), float(hit.mean())


def tune_blend(model: HybridModel, split: Split, max_users: int = 10_000, per_component: int = 50,
               decays: Sequence[float] = DECAYS, seed: int = 0) -> Optional[TuningResult]:
    """Best blend by validation NDCG@10, or ``None`` when there are too few users to trust."""
    if len(split.users) < MIN_USERS:
        return None
    rng = np.random.default_rng(seed)
    idx = np.arange(len(split.users))
    if len(idx) > max_users:
        idx = np.sort(rng.choice(idx, max_users, replace=False))
    names = [c for c in COMPONENTS if _present(model, c)]
    best: Optional[TuningResult] = None
    by_decay = {}
    ids = _candidates(model, split, idx, float(np.median(decays)), per_component, names)
    for decay in decays:
        tabs, invalid = _tables(model, split, idx, decay, ids, names)
        weights = {c: DEFAULT_WEIGHTS.get(c, 0.0) for c in names}
        coefs = partial(_coefs, model.scales)
        score, hr = _metric(tabs, invalid, coefs(weights))
        for _ in range(3):
            improved = False
            for c in names:
                for g in GRID:
                    if g == weights[c]:
                        continue
                    trial = dict(weights, **{c: g})
                    if not any(trial.values()):
                        continue
                    s, h = _metric(tabs, invalid, coefs(trial))
                    if s > score * (1 + MIN_GAIN):
                        weights, score, hr, improved = trial, s, h, True
            if not improved:
                break
        by_decay[decay] = {"ndcg": score, "hr": hr, "weights": dict(weights)}
        if best is None or score > best.ndcg:
            best = TuningResult(Blend(decay, weights), score, hr, len(idx), by_decay)
    if best is not None:
        best.by_decay = by_decay
    return best


def _coefs(scales: dict, weights: dict) -> dict:
    # As HybridModel.coef: popularity at weight 0 still breaks ties.
    return {c: (w or (POP_TIE_BREAK if c == "pop" else 0.0)) / scales[c] for c, w in weights.items()}


def _present(model: HybridModel, name: str) -> bool:
    if name in ITEM_ITEM:
        m = model.matrices.get(name)
        return m is not None and m.nnz > 0
    if name == "factor":
        return model.factors is not None and bool(np.any(model.factors))
    return bool(np.any(model.pop))
