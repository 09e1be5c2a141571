"""Category words typed with a pinyin IME's wrong character ("耳几", "手鸡"): found by sound
in the gazetteer, never for a real word that sounds the same, and the text is left as typed."""
import pytest

from shop_nlu.gazetteer import Catalogue, Gazetteer
from shop_nlu.homophones import HomophoneIndex
from shop_nlu.normalize import normalize_text
from shop_nlu.segment import Segmenter

CATALOGUE = Catalogue(
    brands={"小米": ["小米"], "华为": ["华为"]},
    categories={"手机": ["手机"], "耳机耳麦": ["耳机", "耳麦"], "冰箱": ["冰箱"], "猫粮": ["猫粮"],
                "厨具": ["厨具"], "箱包": ["钱包", "包包"], "数码": ["数码"], "平板电脑": ["平板", "平板电脑"]},
    models=["小米14"],
)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(CATALOGUE, Segmenter())


def categories(gazetteer, text):
    text = normalize_text(text)
    return [(e.value, text[e.start:e.end]) for e in gazetteer.find(text) if e.entity == "category"]


@pytest.mark.parametrize("text, category, typed", [
    ("推荐个耳几", "耳机耳麦", "耳几"),
    ("手鸡推荐一下", "手机", "手鸡"),
    ("有没有冰相", "冰箱", "冰相"),
    ("猫凉推荐几款", "猫粮", "猫凉"),
    ("想买个平板点脑", "平板电脑", "平板"),   # 平板 is written right: the written word wins
])
def test_a_category_typed_with_a_homophone_is_that_category(gazetteer, text, category, typed):
    assert categories(gazetteer, text) == [(category, typed)]


@pytest.mark.parametrize("text", [
    "能出具发票吗",          # 出具 is a word (~ 厨具)
    "看看我的手记",          # 手记 is a word (~ 手机)
    "钱还没退回来",          # 还 is an adverb (~ 钱包 only by another reading)
    "包不包邮",              # 不: a particle, never part of a slip
    "白条分期之后能改期数吗",  # 数吗 ~ 数码, but 吗 is a particle
    "今天天气不错",
])
def test_a_real_word_that_sounds_like_a_category_stays_that_word(gazetteer, text):
    assert categories(gazetteer, text) == []


def test_a_written_category_beside_a_slip_is_the_only_category(gazetteer):
    # A message naming a category correctly is read by that name alone.
    assert categories(gazetteer, "手机和耳几") == [("手机", "手机")]


def test_a_slip_inside_a_product_or_brand_is_no_category(gazetteer):
    assert categories(gazetteer, "小米14怎么样") == []


def test_the_index_needs_one_written_character_in_place_and_one_category():
    index = HomophoneIndex({"手机": ["手机"], "首饰": ["首饰"]})
    assert index.sounds_like("手鸡") == "手机"
    assert index.sounds_like("手机") is None          # written right: not a slip
    assert index.sounds_like("首记") is None          # shou ji ~ 手机, but keeps none of its characters
    assert index.sounds_like("耳几") is None          # no such category
    # two categories that sound alike: a slip could be either, so it is neither
    both = HomophoneIndex({"手机": ["手机"], "首级": ["首级"]})
    assert both.sounds_like("手级") is None
