"""Item-to-item collaborative filtering on implicit feedback.

Similarity is the cosine of two items' shopper sets (binary co-occurrence over each shopper's
whole history, capped to their ``max_history`` most recent steps so one heavy browser cannot
dominate the fit time). Recency enters at scoring time: the caller weights the shopper's
history items by how recently they were touched (``decay ** position``).

With ``k=None`` and uniform history weights this is the classic item-kNN baseline the
evaluation compares against.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.sparse as sp

from recommender.data import Sequences
from recommender.neighbours import topk_per_row


@dataclass(frozen=True)
class ItemKNNParams:
    k: Optional[int] = 200
    max_history: Optional[int] = 100


def fit_item_knn(seqs: Sequences, params: ItemKNNParams = ItemKNNParams()) -> sp.csr_matrix:
    x = seqs.history_matrix(max_len=params.max_history, use_kind=False)
    x.data[:] = 1.0
    sim = sp.csr_matrix(x.T @ x, dtype=np.float32)
    support = np.asarray(x.sum(axis=0)).ravel().astype(np.float32)
    inv = 1.0 / np.sqrt(np.maximum(support, 1.0))
    # Cosine in place (two diagonal products would copy a matrix of ~10^8 entries twice).
    rows = np.repeat(np.arange(sim.shape[0], dtype=np.int64), np.diff(sim.indptr))
    sim.data *= inv[rows] * inv[sim.indices]
    sim.data[rows == sim.indices] = 0.0                 # no self-similarity
    del rows
    return topk_per_row(sim, params.k)
