"""Attribute filters match exact values: which shades answer "黑色" is the shop's rule,
handed in by the caller, never a rule of the recommender's own."""
from __future__ import annotations

from recommender.catalogue import Catalogue
from recommender.rules import Filters, allowed_mask

ROWS = [
    {"id": 1, "title": "A", "category_path": ("手机",), "price": 100, "stock": 5, "attributes": {"颜色": "黑色"}},
    {"id": 2, "title": "B", "category_path": ("手机",), "price": 100, "stock": 5, "attributes": {"颜色": "曜石黑"}},
    {"id": 3, "title": "C", "category_path": ("手机",), "price": 100, "stock": 5, "attributes": {"颜色": "黑白"}},
    {"id": 4, "title": "D", "category_path": ("手机",), "price": 100, "stock": 5, "attributes": {"颜色": "白色"}},
    {"id": 5, "title": "E", "category_path": ("手机",), "price": 100, "stock": 5,
     "attributes": {"颜色": ["星光色", "黑色钛金属"]}},
]


def ids(catalogue: Catalogue, mask) -> set:
    return {catalogue.product_ids[i] for i in mask.nonzero()[0]}


def test_a_single_value_is_matched_exactly_not_by_stem():
    catalogue = Catalogue.from_rows(ROWS)
    assert ids(catalogue, allowed_mask(catalogue, Filters(attributes={"颜色": "黑色"}))) == {1}
    assert ids(catalogue, allowed_mask(catalogue, Filters(attributes={"颜色": "黑"}))) == set()


def test_a_tuple_accepts_any_of_its_values():
    catalogue = Catalogue.from_rows(ROWS)
    wanted = Filters(attributes={"颜色": ("黑色", "曜石黑", "黑色钛金属")})
    assert ids(catalogue, allowed_mask(catalogue, wanted)) == {1, 2, 5}
    # cached masks are keyed by the whole tuple: another list is not served the first one's mask
    assert ids(catalogue, allowed_mask(catalogue, Filters(attributes={"颜色": ("白色",)}))) == {4}
