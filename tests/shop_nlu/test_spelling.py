"""Catalogue names typed with a slip (shop_nlu.spelling, the gazetteer's sound-alike brands)
and off-topic words that outweigh a guessed name."""

import pytest

from shop_nlu.pipeline import ShopEntityFinder
from shop_nlu.spelling import LatinSpelling, within_one_edit


def test_one_edit_is_a_letter_left_out_added_changed_or_two_swapped():
    assert within_one_edit("ipone", "iphone")
    assert within_one_edit("iphoen", "iphone")
    assert within_one_edit("huawie", "huawei")
    assert within_one_edit("samsong", "samsung")
    assert not within_one_edit("ipad", "iphone")
    assert not within_one_edit("hpone", "iphone")


def test_only_one_close_word_of_five_letters_or_more_is_corrected():
    spelling = LatinSpelling(["iphone", "huawei", "galaxy", "mate", "pixel", "pixes"])
    assert spelling.corrected("ipone") == "iphone"
    assert spelling.corrected("iphone") is None  # known already
    assert spelling.corrected("male") is None  # too short to guess
    assert spelling.corrected("pixez") is None  # two words as close: no guess
    assert spelling.corrected("hello") is None
    assert spelling.corrected("phone") is None  # an English word, not iphone short of its "i"


@pytest.fixture(scope="module")
def finder():
    return ShopEntityFinder.from_files()


def entities(finder, text):
    return {(e.entity, e.value) for e in finder.find(text)}


@pytest.mark.parametrize(
    "text, brand", [("有没有小咪的手机", "小米"), ("华伟手机推荐一下", "华为"), ("appel的耳机有吗", "Apple")]
)
def test_a_brand_typed_with_a_slip_beside_a_category_is_that_brand(finder, text, brand):
    assert ("brand", brand) in entities(finder, text)


def test_a_model_typed_with_a_slip_is_that_model(finder):
    assert ("product", "iPhone 15") in entities(finder, "ipone15多少钱")


def test_a_word_that_only_sounds_like_a_brand_with_no_category_is_no_brand(finder):
    assert not any(kind == "brand" for kind, _ in entities(finder, "小咪在吗"))


def test_an_off_topic_word_outweighs_a_sound_alike_category(finder):
    assert not any(kind == "category" for kind, _ in entities(finder, "给我写首诗"))
    assert ("category", "耳机耳麦") in entities(finder, "推荐个耳几")  # still read without one
