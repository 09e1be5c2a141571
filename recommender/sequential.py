"""Sequential co-occurrence: "after item a, shoppers went on to item b".

For every pair of steps ``p < q`` of one shopper at most ``window`` steps apart (5: on the
Amazon validation split 10 gained 0.6% HR@10 for twice the fit time), the
matrix gains ``gamma ** (q - p - 1)`` at ``[a, b]`` (forward) and ``backward`` times that at
``[b, a]``. ``gamma`` fades pairs that are further apart; ``backward < 1`` keeps the direction
of travel (phone -> case is more telling than case -> phone) without ignoring it.

Counts are kept raw rather than cosine-normalised: on next-item data the absolute number of
shoppers who made a move is the evidence (a 1-of-1 co-occurrence between two rare items
would otherwise outrank a move hundreds of shoppers made). Rows are pruned to ``k``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.sparse as sp

from recommender.data import Sequences
from recommender.neighbours import topk_per_row


@dataclass(frozen=True)
class SequentialParams:
    window: int = 5
    gamma: float = 0.8
    backward: float = 0.3
    k: Optional[int] = 200


def fit_sequential(seqs: Sequences, params: SequentialParams = SequentialParams()) -> sp.csr_matrix:
    n = seqs.n_items
    items = seqs.items.astype(np.int32)
    users = seqs.step_users()
    # The target's kind weight: a move that ended in a purchase counts more than one that
    # ended in a glance.
    w_step = seqs.weights
    rows, cols, vals = [], [], []
    for lag in range(1, params.window + 1):
        if lag >= len(items):
            break
        same = users[lag:] == users[:-lag]
        a = items[:-lag][same]
        b = items[lag:][same]
        keep = a != b
        a, b = a[keep], b[keep]
        fade = np.float32(params.gamma ** (lag - 1))
        rows.append(a)
        cols.append(b)
        vals.append(fade * w_step[lag:][same][keep])
        if params.backward:
            rows.append(b)
            cols.append(a)
            vals.append(np.float32(params.backward) * fade * w_step[:-lag][same][keep])
    if not rows:
        return sp.csr_matrix((n, n), dtype=np.float32)
    # One COO -> CSR conversion with one duplicate-summing pass: measured ~2x faster than
    # summing per-lag matrices, which re-sorts every partial sum.
    m = sp.csr_matrix((np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n, n))
    del rows, cols, vals
    m.sum_duplicates()
    return topk_per_row(m, params.k)
