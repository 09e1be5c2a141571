import numpy as np
import scipy.sparse as sp

from recommender.metrics import evaluate, target_ranks


def test_ties_count_against_the_model():
    scores = np.array([[0.0, 0.0, 0.0, 0.0, 1.0]])
    # The target (item 0) ties with three others: pessimistically it is 5th (rank 4).
    assert target_ranks(scores, np.array([0])).tolist() == [4]


def test_hr_and_ndcg_on_a_known_ranking():
    n = 20
    scores = np.tile(np.arange(n, 0, -1, dtype=np.float32), (3, 1))  # item 0 best, item 19 worst
    targets = np.array([0, 2, 15])                                   # ranks 0, 2 (one seen above), 15
    seen = sp.csr_matrix(([1.0], ([1], [1])), shape=(3, n))           # user 1 saw item 1: masked
    r = evaluate(lambda u: scores[u], np.arange(3), targets, seen, k=10)
    assert r.hr == 2 / 3
    assert np.isclose(r.ndcg, (1 / np.log2(2) + 1 / np.log2(3)) / 3)
