"""Catalogue gazetteer (spaCy PhraseMatcher over jieba tokens)."""
import time

import pytest

from shop_nlu.gazetteer import Catalogue, Gazetteer
from shop_nlu.normalize import normalize_text
from shop_nlu.segment import Segmenter

CATALOGUE = Catalogue(
    brands={"Apple": ["Apple", "苹果"], "华为": ["华为", "HUAWEI"], "小米": ["小米", "Xiaomi", "mi"],
            "耐克": ["耐克", "Nike"], "美的": ["美的", "Midea"]},
    brand_blocks={"苹果": ["水果", "新鲜", "斤"]},
    weak_brands=["美的", "mi"],
    categories={"手机": ["手机", "智能手机"], "笔记本电脑": ["笔记本", "笔记本电脑"], "跑步鞋": ["跑鞋"],
                "空调": ["空调"]},
    models=["iPhone 15 Pro", "iPhone 15 Pro Max", "Mate 60 Pro", "Mate 60 Pro+", "HUAWEI Mate 60",
            "小米14", "小米14 Ultra", "小黑瓶精华肌底液"],
    model_aliases={"小黑瓶精华肌底液": ["小黑瓶"]},
)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(CATALOGUE, Segmenter())


def found(gazetteer, text):
    text = normalize_text(text)
    return [(e.entity, e.value) for e in gazetteer.find(text)]


@pytest.mark.parametrize("text,model", [
    ("iPhone 15 Pro多少钱", "iPhone 15 Pro"),
    ("iphone15pro有货吗", "iPhone 15 Pro"),
    ("ＩＰＨＯＮＥ１５ＰＲＯ", "iPhone 15 Pro"),
    ("iphone15promax", "iPhone 15 Pro Max"),
    ("mate 60 pro和小米14哪个好", "Mate 60 Pro"),
    ("Mate 60 Pro+ 有货吗", "Mate 60 Pro+"),
    ("小黑瓶多少钱", "小黑瓶精华肌底液"),
])
def test_catalogue_models_in_any_spelling(gazetteer, text, model):
    assert ("product", model) in found(gazetteer, text)


def test_brand_before_a_model_is_part_of_the_mention(gazetteer):
    assert found(gazetteer, "华为Mate60Pro什么时候到") == [("product", "Mate 60 Pro")]


def test_unknown_models_keep_the_shoppers_words(gazetteer):
    assert ("product", "iPhone 16") in found(gazetteer, "iPhone 16出了吗")
    assert ("product", "iPhone 15 Pro Max Plus") not in found(gazetteer, "iPhone 15 Pro多少钱")
    assert ("product", "小米15") in found(gazetteer, "小米15怎么样")


def test_model_number_is_not_a_size_or_budget(gazetteer):
    assert ("product", "小米14") in found(gazetteer, "小米14 12+256多少钱")
    assert not [e for e in found(gazetteer, "耐克42码") if e[0] == "product"]
    assert not [e for e in found(gazetteer, "小米 2000左右的手机") if e[0] == "product"]


def test_brands_and_categories_with_aliases(gazetteer):
    assert found(gazetteer, "苹果手机推荐") == [("brand", "Apple"), ("category", "手机")]
    assert found(gazetteer, "耐克跑鞋") == [("brand", "耐克"), ("category", "跑步鞋")]
    assert found(gazetteer, "笔记本电脑推荐") == [("category", "笔记本电脑")]


def test_word_boundaries(gazetteer):
    assert found(gazetteer, "新鲜苹果多少钱一斤") == []          # fruit, not the brand
    assert found(gazetteer, "这条裙子很美的") == []              # weak spelling without context
    assert ("brand", "美的") in found(gazetteer, "美的空调怎么样")


def test_scales_to_100k_models():
    models = [f"Model{i} Pro" for i in range(100_000)]
    started = time.perf_counter()
    big = Gazetteer(Catalogue(brands={"X": ["X牌"]}, models=models), Segmenter())
    build = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(200):
        big.find("我想买model99999 pro，还有Model5 Pro多少钱")
    per_message_ms = (time.perf_counter() - started) / 200 * 1000
    assert ("product", "Model99999 Pro") in [(e.entity, e.value) for e in big.find("model99999pro")]
    assert per_message_ms < 5, per_message_ms
    assert build < 120, build
