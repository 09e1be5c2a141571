"""A latent-factor model: truncated SVD of the shopper x item matrix (PureSVD).

Items get ``dim``-dimensional factors; a shopper is folded in as the weighted sum of their
recent items' factors, and an item's score is its dot product with that sum. Folding in
(rather than storing user factors) means a shopper's newest clicks count without a refit and
guests with a session history are handled the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from recommender.data import Sequences


@dataclass(frozen=True)
class FactorParams:
    dim: int = 64
    n_iter: int = 4
    max_history: Optional[int] = 100
    seed: int = 0


def fit_factors(seqs: Sequences, params: FactorParams = FactorParams()) -> np.ndarray:
    """Item factors, ``n_items x dim`` float32 (zero rows for items nobody touched)."""
    x = seqs.history_matrix(max_len=params.max_history, use_kind=True)
    # Column scaling by support ** -0.5: without it the leading factors only describe what
    # is popular, which the popularity component already covers.
    support = np.asarray((x > 0).sum(axis=0)).ravel().astype(np.float32)
    x = sp.csr_matrix(x @ sp.diags(1.0 / np.sqrt(np.maximum(support, 1.0))), dtype=np.float32)
    dim = max(1, min(params.dim, min(x.shape) - 1))
    if x.nnz == 0 or min(x.shape) < 2:
        return np.zeros((seqs.n_items, 1), np.float32)
    svd = TruncatedSVD(n_components=dim, n_iter=params.n_iter, random_state=params.seed)
    svd.fit(x)
    return np.ascontiguousarray(svd.components_.T, dtype=np.float32)
