"""Recency-weighted popularity: the cold-start ranking and the blend's tie-breaker.

Each event counts ``kind weight * 0.5 ** (age / half_life)``, age measured from the newest
event in the data, so last month's best sellers outrank last year's.
"""
from __future__ import annotations

import numpy as np

from recommender.data import Sequences

DAY = 86_400.0


def fit_popularity(seqs: Sequences, half_life_days: float = 30.0) -> np.ndarray:
    if len(seqs.items) == 0:
        return np.zeros(seqs.n_items, np.float32)
    age = float(seqs.times.max()) - seqs.times
    decay = np.power(0.5, age / (half_life_days * DAY))
    w = seqs.weights * decay
    return np.bincount(seqs.items, weights=w, minlength=seqs.n_items).astype(np.float32)
