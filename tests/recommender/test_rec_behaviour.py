"""Behaviour of the served recommendations on a small real fitted model."""
from __future__ import annotations

import numpy as np
import pytest

from recommender.data import PURCHASE
from recommender.rules import REASONS, Filters
from recommender.serving import recommend, similar


def positions(model, recs):
    return [model.catalogue.position(r.product_id) for r in recs]


FILTER_CASES = [
    Filters(category="手机"),
    Filters(category="数码"),
    Filters(category="手机", min_price=1600, max_price=2400),
    Filters(max_price=100),
    Filters(brand="华为"),
    Filters(attributes={"颜色": "黑色"}),
    Filters(category="耳机", attributes={"颜色": "白色"}, max_price=500),
]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: repr(f))
def test_every_item_satisfies_the_filters_and_is_in_stock(fitted, known_customers, filters):
    cat = fitted.catalogue
    served = 0
    for customer in [None] + known_customers[:20]:
        for i in positions(fitted, recommend(fitted, customer, filters=filters, limit=10)):
            served += 1
            assert cat.available[i] and cat.stock[i] > 0
            if filters.category == "手机":
                assert cat.category_paths[i][-1] == "手机"
            if filters.category == "数码":
                assert cat.category_paths[i][0] == "数码"
            if filters.category == "耳机":
                assert cat.category_paths[i][-1] == "耳机"
            if filters.min_price is not None:
                assert cat.prices[i] >= filters.min_price
            if filters.max_price is not None:
                assert cat.prices[i] <= filters.max_price
            if filters.brand:
                assert cat.brands[i] == filters.brand
            for name, value in filters.attributes.items():
                assert any(value[0] in v for v in cat.attributes[i][name])
    assert served > 0, "the filter cases are chosen so that something matches"


def test_an_impossible_filter_returns_nothing_rather_than_breaking_it(fitted, known_customers):
    assert recommend(fitted, known_customers[0], filters=Filters(category="手机", max_price=1)) == []
    assert recommend(fitted, None, filters=Filters(category="不存在的类目")) == []


def test_out_of_stock_items_are_never_shown(fitted, known_customers):
    cat = fitted.catalogue
    assert (cat.stock == 0).sum() > 10          # the data has sold-out products to avoid
    for customer in known_customers[:30]:
        for i in positions(fitted, recommend(fitted, customer, limit=20)):
            assert cat.stock[i] > 0


def test_nothing_already_bought_unless_consumable(fitted, known_customers):
    cat = fitted.catalogue
    checked = 0
    for customer in known_customers:
        bought = set(fitted.customers.bought(customer).tolist())
        durable = {i for i in bought if not cat.consumable[i]}
        recs = set(positions(fitted, recommend(fitted, customer, limit=30)))
        assert not recs & durable
        checked += len(durable)
    assert checked > 0


def test_a_bought_consumable_can_come_back_but_a_bought_phone_cannot(fitted):
    cat = fitted.catalogue
    snack = next(i for i in range(cat.n_items) if cat.consumable[i] and cat.stock[i] > 0)
    phone = next(i for i in range(cat.n_items) if cat.category_paths[i][-1] == "手机" and cat.stock[i] > 0)
    ids = cat.product_ids
    recent = [(ids[snack], "purchase"), (ids[phone], "purchase")]
    snacks = recommend(fitted, None, recent=recent, filters=Filters(category=cat.category_paths[snack][-1]),
                       limit=50)
    phones = recommend(fitted, None, recent=recent, filters=Filters(category="手机"), limit=50)
    assert ids[snack] in [r.product_id for r in snacks]
    assert ids[phone] not in [r.product_id for r in phones]


def test_cold_start_returns_the_popular_in_stock_items(fitted):
    cat, pop = fitted.catalogue, fitted.hybrid.pop
    recs = recommend(fitted, None, limit=10)
    assert len(recs) == 10
    in_stock = np.flatnonzero(cat.available & (cat.stock > 0))
    top50 = set(in_stock[np.argsort(-pop[in_stock])[:50]].tolist())
    got = positions(fitted, recs)
    # Diversity may skip a few best sellers, but the list is drawn from the head of the chart.
    assert set(got) <= top50
    assert got[0] == in_stock[np.argmax(pop[in_stock])]
    assert {r.reason_code for r in recs} == {"hot"}
    unknown = recommend(fitted, 10 ** 9, limit=10)            # a customer the model never saw
    assert [r.product_id for r in unknown] == [r.product_id for r in recs]


def test_cold_start_with_a_category_says_同类热销(fitted):
    recs = recommend(fitted, None, filters=Filters(category="手机"), limit=5)
    assert recs and all(r.reason == "同类热销" for r in recs)


def test_personalised_lists_follow_the_history(fitted, known_customers):
    """Most of a shopper's list comes from the categories they browse (their tastes)."""
    cat = fitted.catalogue
    shares = []
    for customer in known_customers[:40]:
        items, _ = fitted.customers.history(customer)
        theirs = {cat.category_paths[i] for i in items}
        recs = positions(fitted, recommend(fitted, customer, limit=10))
        shares.append(np.mean([cat.category_paths[i] in theirs for i in recs]))
    cold = positions(fitted, recommend(fitted, None, limit=10))
    cold_shares = []
    for customer in known_customers[:40]:
        items, _ = fitted.customers.history(customer)
        theirs = {cat.category_paths[i] for i in items}
        cold_shares.append(np.mean([cat.category_paths[i] in theirs for i in cold]))
    assert np.mean(shares) > np.mean(cold_shares) + 0.2


def test_every_item_has_a_known_reason_and_anchors_are_real(fitted, known_customers):
    cat = fitted.catalogue
    for customer in known_customers[:30]:
        items, kinds = fitted.customers.history(customer)
        bought = {cat.product_ids[i] for i, k in zip(items, kinds) if k == PURCHASE}
        bought |= {cat.product_ids[i] for i in fitted.customers.bought(customer)}
        seen = {cat.product_ids[i] for i in items}
        for r in recommend(fitted, customer, limit=10):
            assert r.reason and r.reason_code in REASONS
            if r.reason_code in ("also_bought", "also_viewed", "similar_to"):
                anchor = r.reason.split("「")[1].split("」")[0].rstrip("…")
                sources = bought if r.reason_code == "also_bought" else seen
                assert any(cat.titles[cat.position(p)].startswith(anchor) for p in sources)


def test_similar_items_share_the_category_and_exclude_the_product(fitted):
    cat = fitted.catalogue
    checked = 0
    for i in range(0, cat.n_items, 17):
        if not cat.available[i]:
            continue
        recs = similar(fitted, cat.product_ids[i], limit=8)
        got = positions(fitted, recs)
        assert i not in got
        leaf = cat.category_paths[i]
        same_leaf = [j for j in got if cat.category_paths[j] == leaf]
        # The leaf first; only when it runs out, its parent category.
        assert got[:len(same_leaf)] == same_leaf
        assert all(cat.category_paths[j][:-1] == leaf[:-1] for j in got)
        assert all(r.reason for r in recs)
        checked += 1
    assert checked > 10
    assert similar(fitted, "no-such-product") == []


def test_similar_respects_budget_and_stock(fitted):
    cat = fitted.catalogue
    phone = next(i for i in range(cat.n_items) if cat.category_paths[i][-1] == "手机")
    recs = similar(fitted, cat.product_ids[phone], filters=Filters(max_price=float(cat.prices[phone])), limit=10)
    for j in positions(fitted, recs):
        assert cat.prices[j] <= cat.prices[phone] and cat.stock[j] > 0


@pytest.mark.parametrize("customer_index", [None, 0, 5])
def test_paging_never_repeats(fitted, known_customers, customer_index):
    customer = None if customer_index is None else known_customers[customer_index]
    filters = Filters(category="数码")
    shown: list = []
    for _ in range(6):
        page = recommend(fitted, customer, filters=filters, exclude_ids=shown, limit=5)
        ids = [r.product_id for r in page]
        assert len(set(ids)) == len(ids)
        assert not set(ids) & set(shown)
        shown += ids
    assert len(shown) == 30


def test_paging_runs_out_instead_of_repeating(fitted):
    cat = fitted.catalogue
    f = Filters(category="手机", max_price=1500)
    allowed = {cat.product_ids[i] for i in range(cat.n_items)
               if cat.category_paths[i][-1] == "手机" and cat.prices[i] <= 1500 and cat.stock[i] > 0}
    shown: list = []
    while True:
        page = recommend(fitted, None, filters=f, exclude_ids=shown, limit=4)
        if not page:
            break
        shown += [r.product_id for r in page]
    assert sorted(shown) == sorted(allowed)


def test_a_page_is_not_ten_of_the_same_brand(fitted):
    cat = fitted.catalogue
    recs = recommend(fitted, None, filters=Filters(category="数码"), limit=10)
    groups = {}
    for i in positions(fitted, recs):
        key = (cat.category_paths[i], cat.brands[i])
        groups[key] = groups.get(key, 0) + 1
    assert max(groups.values()) <= 3


def test_refinements_narrow_the_list(fitted):
    cat = fitted.catalogue
    base = Filters(category="手机")
    first = recommend(fitted, None, filters=base, limit=10)
    black = base.narrow(attributes={"颜色": "黑色"})
    for i in positions(fitted, recommend(fitted, None, filters=black, limit=10)):
        assert cat.category_paths[i][-1] == "手机" and any("黑" in v for v in cat.attributes[i]["颜色"])
    median = float(np.median([r.price for r in first]))
    cheaper = base.narrow(max_price=median)
    prices = [r.price for r in recommend(fitted, None, filters=cheaper, limit=10)]
    assert prices and max(prices) <= median
    # Narrowing never widens: a higher maximum than the current one is ignored.
    assert cheaper.narrow(max_price=median * 3).max_price == median


def test_budget_around_a_price():
    f = Filters.around(2000)
    assert (f.min_price, f.max_price) == (1600, 2400)


def test_limit_is_validated(fitted):
    with pytest.raises(ValueError):
        recommend(fitted, None, limit=0)


def test_a_blend_without_popularity_still_orders_guests_by_popularity(fitted):
    from dataclasses import replace

    from recommender.hybrid import Blend

    no_pop = replace(fitted, hybrid=replace(fitted.hybrid, blend=Blend(0.5, {"seq": 1.0, "knn": 0.3, "pop": 0.0})))
    cat, pop = fitted.catalogue, fitted.hybrid.pop
    got = positions(no_pop, recommend(no_pop, None, limit=5))
    in_stock = np.flatnonzero(cat.available & (cat.stock > 0))
    assert got[0] == in_stock[np.argmax(pop[in_stock])]
    assert list(pop[got]) == sorted(pop[got], reverse=True)


def test_a_guest_browsing_phones_gets_recommendations_from_that_session(fitted):
    cat = fitted.catalogue
    phones = [cat.product_ids[i] for i in range(cat.n_items) if cat.category_paths[i][-1] == "手机"][:3]
    recs = recommend(fitted, None, recent=phones, limit=10)
    assert not {r.product_id for r in recs} & set(phones)            # seen in this session
    assert any(r.reason_code in ("also_viewed", "similar_to", "for_you") for r in recs)
    assert [r.product_id for r in recs] != [r.product_id for r in recommend(fitted, None, limit=10)]


def test_under_a_category_filter_reasons_never_cite_another_department(fitted, known_customers):
    cat = fitted.catalogue
    cited = 0
    for customer in known_customers[:40]:
        items, _ = fitted.customers.history(customer)
        for r in recommend(fitted, customer, filters=Filters(category="数码"), limit=10):
            if r.reason_code in ("also_bought", "also_viewed", "similar_to"):
                anchor = r.reason.split("「")[1].split("」")[0].rstrip("…")
                sources = [i for i in items if cat.titles[i].startswith(anchor)]
                assert sources and all(cat.category_paths[i][0] == "数码" for i in sources)
                cited += 1
    assert cited > 0


def test_product_ids_given_as_text_are_understood(fitted):
    cat = fitted.catalogue
    pid = cat.product_ids[0]
    assert [r.product_id for r in similar(fitted, str(pid), limit=3)] == \
        [r.product_id for r in similar(fitted, pid, limit=3)]
    shown = [str(r.product_id) for r in recommend(fitted, None, limit=5)]
    assert not {str(r.product_id) for r in recommend(fitted, None, exclude_ids=shown, limit=5)} & set(shown)
