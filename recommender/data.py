"""Interaction data: events -> per-customer item sequences, and the leave-last-out splits.

Everything downstream works on ``Sequences``: for each customer, the items they touched in
time order, with consecutive events on the same item merged into one *step* (view -> cart ->
purchase of one phone is one step whose kind is the strongest of the three). Merging matters
for evaluation as much as for modelling: holding out "the last interaction" must hold out the
last *item*, not the purchase of an item whose view is still in the history.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import scipy.sparse as sp

KINDS = ("view", "cart", "purchase")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
# A purchase says more about taste than a view; cart sits between. Fixed rather than tuned:
# three numbers per data set would overfit the validation split on small shops.
KIND_WEIGHT = np.array([1.0, 2.0, 3.0], dtype=np.float32)
PURCHASE = KIND_CODE["purchase"]


def _to_seconds(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


@dataclass
class Sequences:
    """Per-user step sequences in CSR layout (``indptr`` over users, steps in time order)."""

    user_ids: np.ndarray      # external customer id per user index
    n_items: int
    indptr: np.ndarray        # int64, len n_users + 1
    items: np.ndarray         # int32 item index per step
    kinds: np.ndarray         # int8 strongest kind code per step
    times: np.ndarray         # float64 seconds of the step's last event

    @property
    def n_users(self) -> int:
        return len(self.indptr) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    @property
    def weights(self) -> np.ndarray:
        return KIND_WEIGHT[self.kinds]

    def step_users(self) -> np.ndarray:
        """User index of every step."""
        return np.repeat(np.arange(self.n_users, dtype=np.int32), self.lengths)

    def positions_from_end(self) -> np.ndarray:
        """0 for each user's most recent step, 1 for the one before, ..."""
        ends = np.repeat(self.indptr[1:], self.lengths)
        return (ends - 1 - np.arange(len(self.items))).astype(np.int32)

    def user_items(self, u: int) -> np.ndarray:
        return self.items[self.indptr[u]:self.indptr[u + 1]]

    def user_kinds(self, u: int) -> np.ndarray:
        return self.kinds[self.indptr[u]:self.indptr[u + 1]]

    def select_steps(self, keep: np.ndarray) -> "Sequences":
        """A copy keeping only the steps where ``keep`` is true (order preserved)."""
        kept_before = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
        indptr = kept_before[self.indptr]
        return Sequences(self.user_ids, self.n_items, indptr, self.items[keep], self.kinds[keep], self.times[keep])

    def history_matrix(self, decay: float = 1.0, max_len: Optional[int] = None,
                       use_kind: bool = True) -> sp.csr_matrix:
        """users x items weights: ``kind weight * decay ** position_from_end``.

        An item seen several times counts once, at its most recent step (a re-visit moves it
        forward instead of counting it twice); ``HybridModel.history_weights`` does the same
        for one shopper.
        """
        pos = self.positions_from_end()
        keep = np.ones(len(pos), bool) if max_len is None else pos < max_len
        w = np.power(np.float32(decay), pos[keep]).astype(np.float32)
        if use_kind:
            w *= self.weights[keep]
        users = self.step_users()[keep].astype(np.int64)
        items = self.items[keep]
        # Steps are in time order, so the last occurrence of a (user, item) key is the newest.
        key = users * self.n_items + items
        _, first_rev = np.unique(key[::-1], return_index=True)
        last = len(key) - 1 - first_rev
        return sp.csr_matrix((w[last], (users[last], items[last])), shape=(self.n_users, self.n_items),
                             dtype=np.float32)

    def seen_matrix(self) -> sp.csr_matrix:
        """Binary users x items: what each user has interacted with."""
        m = sp.csr_matrix((np.ones(len(self.items), np.float32), (self.step_users(), self.items)),
                          shape=(self.n_users, self.n_items))
        m.sum_duplicates()
        m.data[:] = 1.0
        return m


def build_sequences(users: np.ndarray, items: np.ndarray, times: np.ndarray, kinds: np.ndarray,
                    n_users: int, n_items: int, user_ids: np.ndarray) -> Sequences:
    """Sort events by (user, time, arrival order) and merge consecutive same-item events."""
    users = np.asarray(users, np.int64)
    order = np.lexsort((np.arange(len(users)), times, users))
    u, i, t, k = users[order], np.asarray(items)[order], np.asarray(times, np.float64)[order], \
        np.asarray(kinds, np.int8)[order]
    if len(u):
        starts = np.ones(len(u), bool)
        starts[1:] = (u[1:] != u[:-1]) | (i[1:] != i[:-1])
        idx = np.flatnonzero(starts)
        k = np.maximum.reduceat(k, idx).astype(np.int8)
        ends = np.append(idx[1:], len(u)) - 1
        u, i, t = u[idx], i[idx], t[ends]
    counts = np.bincount(u, minlength=n_users)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Sequences(np.asarray(user_ids), n_items, indptr, i.astype(np.int32), k, t)


class IdIndex:
    """External id <-> dense index, first-seen order."""

    def __init__(self, ids: Iterable = ()):
        self.ids: list = []
        self.index: dict = {}
        for x in ids:
            self.add(x)

    def add(self, x) -> int:
        j = self.index.get(x)
        if j is None:
            j = self.index[x] = len(self.ids)
            self.ids.append(x)
        return j

    def __len__(self) -> int:
        return len(self.ids)


def sequences_from_rows(rows: Iterable, item_index: IdIndex) -> Sequences:
    """Build sequences from interaction rows.

    ``rows`` yields objects with ``customer_id, product_id, timestamp, kind`` or tuples in that
    order. Products missing from ``item_index`` are added to it (they carry co-purchase signal
    even when no longer on sale; the catalogue marks them unavailable).
    """
    user_index = IdIndex()
    # Typed arrays, not lists: millions of rows would otherwise cost ~30 bytes per Python int.
    us, its, ts, ks = array("q"), array("q"), array("d"), array("b")
    for row in rows:
        if isinstance(row, tuple):
            c, p, t, k = row
        else:
            c, p, t, k = row.customer_id, row.product_id, row.timestamp, row.kind
        code = KIND_CODE.get(k)
        if code is None:
            continue  # an unknown kind is not evidence of taste
        us.append(user_index.add(c))
        its.append(item_index.add(p))
        ts.append(_to_seconds(t))
        ks.append(code)
    return build_sequences(np.frombuffer(us, np.int64), np.frombuffer(its, np.int64).astype(np.int32),
                           np.frombuffer(ts, np.float64), np.frombuffer(ks, np.int8), len(user_index), len(item_index),
                           np.array(user_index.ids, dtype=object))


def sequences_from_lists(lists: Sequence[Sequence[int]], n_items: int, user_ids=None) -> Sequences:
    """Sequences from ready item-index lists (data sets without times or kinds: all purchases)."""
    lengths = np.array([len(x) for x in lists], np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    items = np.fromiter((i for x in lists for i in x), np.int32, count=int(indptr[-1]))
    times = (np.arange(len(items)) - np.repeat(indptr[:-1], lengths)).astype(np.float64)
    ids = np.arange(len(lists)) if user_ids is None else np.asarray(user_ids)
    return Sequences(ids, n_items, indptr, items, np.full(len(items), PURCHASE, np.int8), times)


@dataclass
class Split:
    """Training sequences plus one held-out target item per evaluated user."""

    train: Sequences
    users: np.ndarray     # evaluated user indices
    targets: np.ndarray   # held-out item per evaluated user


def leave_last_out(seqs: Sequences, skip_last: int = 0, min_history: int = 1) -> Split:
    """Hold out step ``-(skip_last + 1)`` of every user with enough history.

    ``skip_last=0``: test (train on everything before the last step). ``skip_last=1``:
    validation (the last step is dropped entirely, the one before is the target). Users with
    fewer than ``min_history`` training steps are not evaluated but keep their steps.
    """
    lengths = seqs.lengths
    cut = skip_last + 1
    evaluated = np.flatnonzero(lengths >= cut + min_history)
    pos = seqs.positions_from_end()
    users_of_step = seqs.step_users()
    enough = np.zeros(seqs.n_users, bool)
    enough[evaluated] = True
    drop = enough[users_of_step] & (pos < cut)
    targets = seqs.items[seqs.indptr[evaluated + 1] - cut]
    return Split(seqs.select_steps(~drop), evaluated, targets.astype(np.int32))
