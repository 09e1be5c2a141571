"""Sparse item x item neighbour matrices: pruning and history scoring.

Every item-to-item model here (sequential, co-occurrence kNN, content) ends as a CSR matrix
whose row ``i`` holds the neighbours of item ``i``. Serving scores a shopper by summing the
rows of their recent items, so the row length bounds the request cost: rows are pruned to
the ``k`` strongest neighbours at fit time.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
import scipy.sparse as sp


def topk_per_row(m: sp.spmatrix, k: Optional[int]) -> sp.csr_matrix:
    """Keep the ``k`` largest entries of each row (among equal values: lower column first)."""
    m = sp.csr_matrix(m, dtype=np.float32)
    m.eliminate_zeros()
    if k is None or m.nnz == 0:
        return m
    m.sort_indices()
    counts = np.diff(m.indptr)
    heavy = counts > k
    if not heavy.any():
        return m
    rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), counts)
    sel = np.flatnonzero(heavy[rows])               # entries of rows that need pruning
    sel_rows = rows[sel]
    row_max = np.zeros(m.shape[0])
    nonempty = counts > 0
    row_max[nonempty] = np.maximum.reduceat(np.abs(m.data), m.indptr[:-1][nonempty])
    # One float sort instead of a 3-key lexsort (~10x faster on tens of millions of entries):
    # key = row - 0.5 * value / row max orders rows ascending and values descending within a
    # row; the stable sort keeps columns ascending among equal values.
    key = sel_rows - 0.5 * m.data[sel] / (row_max[sel_rows] * (1 + 1e-9) + 1e-30)
    order = sel[np.argsort(key, kind="stable")]
    group_start = np.cumsum(np.concatenate([[0], counts[heavy][:-1]]))
    rank = np.arange(len(order), dtype=np.int64) - np.repeat(group_start, counts[heavy])
    keep = np.ones(m.nnz, bool)
    keep[order[rank >= k]] = False
    indptr = np.concatenate([[0], np.cumsum(np.minimum(counts, k))]).astype(m.indptr.dtype)
    return sp.csr_matrix((m.data[keep], m.indices[keep], indptr), shape=m.shape)


def row_max_scale(m: sp.csr_matrix) -> float:
    """Mean of the non-empty rows' maxima: the size of a typical strongest neighbour."""
    if m.nnz == 0:
        return 1.0
    maxima = m.max(axis=1).toarray().ravel()
    maxima = maxima[maxima > 0]
    return float(maxima.mean()) if len(maxima) else 1.0


def row_positions(m: sp.csr_matrix, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions (into ``m.data``/``m.indices``) of the rows ``items``, and each row's length."""
    starts = m.indptr[items]
    lens = (m.indptr[np.asarray(items) + 1] - starts).astype(np.int64)
    total = int(lens.sum())
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return np.arange(total, dtype=np.int64) + offsets, lens


def score_history(m: sp.csr_matrix, items: np.ndarray, weights: np.ndarray, out: np.ndarray) -> None:
    """``out += sum_j weights[j] * m[items[j], :]`` without materialising a sparse product.

    A gather of at most (history length x k) entries and one ``bincount``: this is the whole
    per-request cost of an item-item model.
    """
    if len(items) == 0 or m.nnz == 0:
        return
    pos, lens = row_positions(m, items)
    if len(pos) == 0:
        return
    w = np.repeat(np.asarray(weights, np.float32), lens) * m.data[pos]
    out += np.bincount(m.indices[pos], weights=w, minlength=len(out)).astype(out.dtype, copy=False)


def contributions(m: sp.csr_matrix, items: np.ndarray, weights: np.ndarray, target: int) -> np.ndarray:
    """Per history item, how much it adds to ``target``'s score (for "because you bought X")."""
    out = np.zeros(len(items), np.float32)
    for j, (i, w) in enumerate(zip(items, weights)):
        row = slice(m.indptr[i], m.indptr[i + 1])
        hit = np.flatnonzero(m.indices[row] == target)
        if len(hit):
            out[j] = w * m.data[row][hit[0]]
    return out
