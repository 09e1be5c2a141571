"""Choose the blend (component weights and history decay) on a validation split.

Never sees test targets: the caller fits the components on ``leave_last_out(seqs,
skip_last=1).train`` and passes that split; its targets are each user's second-to-last item.

To make a weight search cheap, each sampled user's candidates are fixed once per decay: the
union of every component's top ``per_component`` items plus the target, with every
component's score for each. A weight vector is then evaluated by a small dense blend over
that table. Items outside the union are assumed to rank below the target, so the search is a
slight approximation of full ranking; the benchmark reports the exact figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import scipy.sparse as sp

from recommender.data import Split
from recommender.hybrid import COMPONENTS, DEFAULT_WEIGHTS, ITEM_ITEM, Blend, HybridModel

DECAYS = (0.3, 0.5, 0.7, 0.9)
GRID = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
# A change must beat the incumbent by this relative margin: with a few thousand validation
# users the metric is noisy, and the default is a sane prior.
MIN_GAIN = 0.005
MIN_USERS = 200


@dataclass
class TuningResult:
    blend: Blend
    ndcg: float
    hr: float
    users: int
    by_decay: dict


def _tables(model: HybridModel, split: Split, users_idx: np.ndarray, decay: float,
            per_component: int, names: Sequence[str]) -> tuple[np.ndarray, dict]:
    """Candidate ids (users x C, column 0 = target) and each component's raw scores there."""
    train = split.train
    users = split.users[users_idx]
    targets = split.targets[users_idx]
    w_all = train.history_matrix(decay=decay, max_len=model.max_history)[users]
    seen = train.seen_matrix()[users]
    n = model.n_items
    batch = int(max(64, min(2048, 20_000_000 // max(n, 1))))
    ids_out, tabs = [], {c: [] for c in names}
    for s in range(0, len(users), batch):
        w = w_all[s:s + batch]
        rows, cols = seen[s:s + batch].nonzero()
        dense = {}
        for c in names:
            if c in ITEM_ITEM:
                d = (w @ model.matrices[c]).toarray()
            elif c == "factor":
                d = np.asarray(w @ model.factors) @ model.factors.T
            else:
                d = np.tile(model.pop, (w.shape[0], 1))
            d = d.astype(np.float32, copy=False)
            d[rows, cols] = -np.inf
            dense[c] = d
        t = targets[s:s + batch]
        parts = [t[:, None]]
        for c in names:
            k = min(per_component, n - 1)
            parts.append(np.argpartition(-dense[c], k, axis=1)[:, :k])
        ids = np.concatenate(parts, axis=1)
        # Duplicates (an item in several components' tops) would be counted twice; keep the
        # first column of each id, which keeps the target in column 0.
        order = np.argsort(ids, axis=1, kind="stable")
        sorted_ids = np.take_along_axis(ids, order, axis=1)
        dup_sorted = np.zeros_like(sorted_ids, dtype=bool)
        dup_sorted[:, 1:] = sorted_ids[:, 1:] == sorted_ids[:, :-1]
        dup = np.zeros_like(dup_sorted)
        np.put_along_axis(dup, order, dup_sorted, axis=1)
        for c in names:
            v = np.take_along_axis(dense[c], ids, axis=1)
            v[dup] = np.nan          # marks "not a candidate"
            tabs[c].append(v)
        ids_out.append(ids)
    return np.concatenate(ids_out), {c: np.concatenate(v) for c, v in tabs.items()}


def _metric(tabs: dict, coefs: dict, k: int = 10) -> tuple[float, float]:
    blended = None
    for c, coef in coefs.items():
        if coef:
            part = tabs[c] * np.float32(coef)
            blended = part if blended is None else blended + part
    any_tab = next(iter(tabs.values()))
    if blended is None:
        blended = np.zeros_like(any_tab)
    blended = np.where(np.isnan(any_tab), -np.inf, np.nan_to_num(blended, nan=-np.inf))
    target = blended[:, 0]
    ranks = (blended[:, 1:] >= target[:, None]).sum(axis=1)
    ranks[~np.isfinite(target)] = 10 ** 9
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
    for decay in decays:
        _, tabs = _tables(model, split, idx, decay, per_component, names)
        weights = {c: DEFAULT_WEIGHTS.get(c, 0.0) for c in names}
        coefs = lambda w: {c: (w[c] / model.scales[c]) if w[c] else 0.0 for c in names}  # noqa: E731
        score, hr = _metric(tabs, coefs(weights))
        for _ in range(3):
            improved = False
            for c in names:
                for g in GRID:
                    if g == weights[c]:
                        continue
                    trial = dict(weights, **{c: g})
                    if not any(trial.values()):
                        continue
                    s, h = _metric(tabs, coefs(trial))
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


def _present(model: HybridModel, name: str) -> bool:
    if name in ITEM_ITEM:
        m = model.matrices.get(name)
        return m is not None and m.nnz > 0
    if name == "factor":
        return model.factors is not None and bool(np.any(model.factors))
    return bool(np.any(model.pop))
