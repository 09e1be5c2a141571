"""A small real fitted model, shared by the recommender behaviour tests.

Synthetic shop-like data (``recommender.synthetic``): 400 products in 12 categories, 600
shoppers with category and price tastes. Big enough that the validation tuning runs, small
enough that fitting takes a few seconds.
"""
from __future__ import annotations

import pytest

from recommender.pipeline import FitParams, fit_model, prepare
from recommender.synthetic import generate


@pytest.fixture(scope="session")
def shop_data():
    return generate(n_products=400, n_customers=600, seed=7)


@pytest.fixture(scope="session")
def fitted(shop_data):
    seqs, catalogue = prepare(shop_data.products, shop_data.interaction_rows())
    return fit_model(seqs, catalogue, FitParams())


@pytest.fixture(scope="session")
def known_customers(fitted):
    """Customer ids with at least 3 steps of history."""
    c = fitted.customers
    lengths = c.indptr[1:] - c.indptr[:-1]
    return [int(x) for x in c.customer_ids[lengths >= 3][:60]]
