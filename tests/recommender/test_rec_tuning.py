import numpy as np

from recommender.data import leave_last_out
from recommender.hybrid import DEFAULT_WEIGHTS, Blend
from recommender.pipeline import FitParams, fit_components, prepare
from recommender.synthetic import generate
from recommender.tuning import _candidates, _coefs, _metric, _tables, tune_blend


def test_tuning_never_does_worse_than_the_default_on_validation(shop_data):
    seqs, _ = prepare(shop_data.products, shop_data.interaction_rows())
    split = leave_last_out(seqs, skip_last=0)
    model = fit_components(split.train, FitParams())
    result = tune_blend(model, split, decays=(0.5,))
    assert result is not None and result.users == len(split.users)
    names = list(result.blend.weights)
    idx = np.arange(len(split.users))
    ids = _candidates(model, split, idx, 0.5, 50, names)
    tabs, invalid = _tables(model, split, idx, 0.5, ids, names)
    default, _ = _metric(tabs, invalid, _coefs(model.scales, {c: DEFAULT_WEIGHTS[c] for c in names}))
    assert result.ndcg >= default
    assert result.ndcg > 0.05                       # far from random on this data


def test_too_few_users_keeps_the_default_blend():
    data = generate(n_products=120, n_customers=80, seed=3)
    seqs, _ = prepare(data.products, data.interaction_rows())
    split = leave_last_out(seqs, skip_last=0)
    assert tune_blend(fit_components(split.train, FitParams()), split) is None
    assert Blend().weights == DEFAULT_WEIGHTS
