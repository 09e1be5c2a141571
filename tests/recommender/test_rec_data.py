from datetime import datetime, timedelta, timezone

import numpy as np

from recommender.data import IdIndex, leave_last_out, sequences_from_lists, sequences_from_rows

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)


def rows(*events):
    return [(c, p, T0 + timedelta(minutes=m), k) for c, p, m, k in events]


def test_consecutive_events_on_one_item_are_one_step_with_the_strongest_kind():
    index = IdIndex()
    seqs = sequences_from_rows(rows(
        (1, 10, 0, "view"), (1, 10, 1, "cart"), (1, 10, 2, "purchase"), (1, 11, 3, "view"),
        (1, 10, 4, "view"),                      # a later re-visit is a new step
        (2, 11, 0, "view"), (2, 12, 1, "favourite"),  # unknown kinds are ignored
    ), index)
    assert seqs.n_users == 2
    assert [index.ids[i] for i in seqs.user_items(0)] == [10, 11, 10]
    assert seqs.user_kinds(0).tolist() == [2, 0, 0]
    assert [index.ids[i] for i in seqs.user_items(1)] == [11]


def test_events_are_ordered_by_time_not_by_arrival():
    index = IdIndex()
    seqs = sequences_from_rows(rows((1, 10, 5, "view"), (1, 11, 1, "view"), (1, 12, 3, "view")), index)
    assert [index.ids[i] for i in seqs.user_items(0)] == [11, 12, 10]


def test_leave_last_out_holds_out_last_item_and_validation_drops_it_too():
    seqs = sequences_from_lists([[0, 1, 2, 3], [4, 5], [6]], n_items=7)
    test = leave_last_out(seqs, skip_last=0)
    assert test.users.tolist() == [0, 1]
    assert test.targets.tolist() == [3, 5]
    assert test.train.user_items(0).tolist() == [0, 1, 2]
    assert test.train.user_items(2).tolist() == [6]          # not evaluated, history kept
    val = leave_last_out(seqs, skip_last=1)
    assert val.users.tolist() == [0]
    assert val.targets.tolist() == [2]
    assert val.train.user_items(0).tolist() == [0, 1]         # neither 2 nor 3 left
    assert 3 not in val.train.items.tolist()


def test_history_matrix_weights_recent_steps_more_and_counts_repeats_once():
    seqs = sequences_from_lists([[0, 1, 0, 2]], n_items=3)
    w = seqs.history_matrix(decay=0.5, use_kind=False).toarray()[0]
    # item 2 newest (0.5**0), item 0 at its latest step (0.5**1), item 1 (0.5**2)
    assert np.allclose(w, [0.5, 0.25, 1.0])
