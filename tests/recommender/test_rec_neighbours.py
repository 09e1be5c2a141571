import numpy as np
import scipy.sparse as sp

from recommender.neighbours import contributions, score_history, topk_per_row


def test_topk_keeps_the_largest_entries_of_each_row():
    m = sp.csr_matrix(np.array([[0, 5, 1, 3], [2, 0, 0, 0], [4, 4, 9, 1]], np.float32))
    top = topk_per_row(m, 2).toarray()
    assert top.tolist() == [[0, 5, 0, 3], [2, 0, 0, 0], [4, 0, 9, 0]]


def test_score_history_equals_the_weighted_sum_of_rows():
    rng = np.random.default_rng(0)
    dense = (rng.random((30, 30)) < 0.2) * rng.random((30, 30))
    m = sp.csr_matrix(dense.astype(np.float32))
    items = np.array([3, 7, 7, 20])
    weights = np.array([1.0, 0.5, 0.25, 2.0], np.float32)
    out = np.zeros(30, np.float32)
    score_history(m, items, weights, out)
    assert np.allclose(out, weights @ dense[items], atol=1e-5)
    contrib = contributions(m, items, weights, target=11)
    assert np.allclose(contrib, weights * dense[items, 11], atol=1e-6)


def test_topk_matches_a_per_row_sort_on_random_data():
    rng = np.random.default_rng(1)
    dense = (rng.random((200, 300)) < 0.3) * rng.integers(1, 6, (200, 300)).astype(np.float32)
    top = topk_per_row(sp.csr_matrix(dense), 7).toarray()
    for row, got in zip(dense, top):
        nz = np.flatnonzero(row)
        want = nz[np.lexsort((nz, -row[nz]))][:7]       # ties: lower column first
        assert set(np.flatnonzero(got)) == set(want)
        assert np.allclose(got[want], row[want])
