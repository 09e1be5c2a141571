"""Comparisons and bare questions about the products in view (assistant/product_questions.py)."""
import pytest

from assistant.product_questions import compared_name, compares_with_in_view, is_bare_question


@pytest.mark.parametrize("text, name", [
    ("跟荣耀X50比哪个好", "荣耀X50"), ("和小米14相比怎么样", "小米14"), ("跟这个比哪个好", None), ("这个怎么样", None),
])
def test_the_other_product_of_a_comparison(text, name):
    assert compared_name(text) == name


@pytest.mark.parametrize("text, topics, compares", [
    ("比一比", [], True), ("有什么区别", [], True), ("哪个更好", [], True), ("这个好用吗", ["compare"], True),
    ("这个好用吗", [], False), ("多少钱", ["price"], False),
])
def test_a_comparison_asked(text, topics, compares):
    assert compares_with_in_view(text, topics) is compares


@pytest.mark.parametrize("text, bare", [
    ("多少钱", True), ("能用多久呢？", True), ("多少钱啊！！", True), ("这个鞋子会不会磨脚", False), ("", True),
])
def test_a_bare_question(text, bare):
    assert is_bare_question(text) is bare
