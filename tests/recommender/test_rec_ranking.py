"""The served ranking (candidate-based) equals the full dense ranking the evaluation uses."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.rules import Filters, admission, allowed_mask


def dense_reference(hybrid, items, weights, mask, n):
    scores = hybrid.base_scores(items, weights)
    scores = np.where(mask, scores, -np.inf)
    c = min(hybrid.candidates, int(np.isfinite(scores).sum()))
    cand = np.argsort(-scores, kind="stable")[:c]
    final = scores[cand] + hybrid.coef("factor") * hybrid.factor_scores(items, weights, cand)
    order = np.lexsort((cand, -final))[:n]
    return cand[order], final[order]


def test_candidate_ranking_matches_dense_scoring(fitted, known_customers):
    hybrid, cat = fitted.hybrid, fitted.catalogue
    for customer in known_customers[:25]:
        items, kinds = fitted.customers.history(customer)
        h_items, h_w = hybrid.history_weights(items, kinds)
        for f in (None, Filters(category="数码"), Filters(max_price=300, attributes={"颜色": "黑色"})):
            excluded = np.unique(items)
            got, got_s = hybrid.rank(h_items, h_w, admission(cat, f, excluded), n=10)
            want, want_s = dense_reference(hybrid, h_items, h_w, allowed_mask(cat, f, excluded), 10)
            assert np.allclose(got_s, want_s, rtol=1e-4, atol=1e-6)
            assert set(got.tolist()) == set(want.tolist()) or np.unique(got_s).size < len(got_s)


def test_offline_batch_scores_rank_like_the_service(fitted, known_customers):
    """bench/recommender_eval.py scores with ``batch_scores``; it must agree with ``rank``."""
    hybrid, cat = fitted.hybrid, fitted.catalogue
    users = [fitted.customers.index_of(c) for c in known_customers[:25]]
    rows, cols, vals, seen_r, seen_c = [], [], [], [], []
    for r, customer in enumerate(known_customers[:25]):
        items, kinds = fitted.customers.history(customer)
        h_items, h_w = hybrid.history_weights(items, kinds)
        rows += [r] * len(h_items)
        cols += h_items.tolist()
        vals += h_w.tolist()
        seen_r += [r] * len(np.unique(items))
        seen_c += np.unique(items).tolist()
    n = cat.n_items
    w = sp.csr_matrix((vals, (rows, cols)), shape=(len(users), n), dtype=np.float32)
    seen = sp.csr_matrix((np.ones(len(seen_r)), (seen_r, seen_c)), shape=(len(users), n))
    dense = hybrid.batch_scores(w, seen)
    for r, customer in enumerate(known_customers[:25]):
        items, kinds = fitted.customers.history(customer)
        h_items, h_w = hybrid.history_weights(items, kinds)
        everything = lambda idx: np.ones(len(idx), bool)  # noqa: E731
        excluded = np.unique(items)
        allowed = lambda idx, excluded=excluded: everything(idx) & ~np.isin(idx, excluded)  # noqa: E731, B023
        got, got_s = hybrid.rank(h_items, h_w, allowed, n=10)
        top = np.sort(dense[r])[::-1][:10]
        assert np.allclose(got_s, top, rtol=1e-4, atol=1e-6)
