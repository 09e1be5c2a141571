"""Resource generation: catalogue merge, jieba dictionary, lookups, committed files up to date."""
import yaml

from shop_nlu import build_resources
from shop_nlu.build_resources import build_catalogue, render_lookups, user_dictionary_words
from shop_nlu.segment import Segmenter

TERMS = {
    "brand_aliases": {"Apple": "Apple", "苹果": "Apple", "华为": "华为", "HUAWEI": "华为", "格力": "格力"},
    "categories": ["手机数码", "手机", "空调", "面部护肤"],
    "category_parents": {"手机": "手机数码"},
    "models": ["iPhone 15 Pro", "Mate 60 Pro", "小棕瓶精华液", "Osmo Pocket 3 口袋云台相机"],
    "colours": ["远峰蓝", "黑色"],
}
ALIASES = {
    "brand_spellings": {"华为": ["hw"], "不存在的牌子": ["x"]},
    "brand_blocks": {"苹果": ["水果"]},
    "weak_brand_spellings": ["hw"],
    "category_aliases": {"手机": ["智能手机"], "面部护肤": ["精华液", "面霜"], "没有这个类目": ["x"]},
    "model_aliases": {"小棕瓶精华液": ["小棕瓶"], "不存在的型号": ["y"]},
    "shop_terms": ["七天无理由", "运费险"],
}


def test_catalogue_merges_database_terms_and_aliases():
    cat = build_catalogue(TERMS, ALIASES)
    assert cat.brands["华为"] == ["HUAWEI", "hw", "华为"]
    assert "不存在的牌子" not in cat.brands                       # unknown canonical names are skipped
    assert cat.categories["手机"] == ["智能手机", "手机"] or set(cat.categories["手机"]) == {"手机", "智能手机"}
    assert "没有这个类目" not in cat.categories
    assert cat.model_aliases == {"小棕瓶精华液": ["小棕瓶"]}
    assert cat.category_parents == {"手机": "手机数码"}


def test_user_dictionary_has_chinese_shop_words_and_model_parts():
    cat = build_catalogue(TERMS, ALIASES)
    words = user_dictionary_words(cat, ALIASES["shop_terms"])
    for word in ["华为", "格力", "空调", "智能手机", "远峰蓝", "七天无理由", "运费险", "小棕瓶", "精华液"]:
        assert word in words
    assert "iPhone 15 Pro" not in words                     # models are the gazetteer's job
    assert "小棕瓶精华液" not in words                         # split into known words instead


def test_lookups_are_small_tables_without_models():
    cat = build_catalogue(TERMS, ALIASES)
    data = yaml.safe_load(render_lookups(cat, ALIASES["shop_terms"]))
    tables = {item["lookup"]: item["examples"] for item in data["nlu"]}
    assert set(tables) == {"brand", "category", "color", "shop_term"}
    assert "HUAWEI" in tables["brand"] and "hw" not in tables["brand"]   # weak spellings left out
    assert "iPhone 15 Pro" not in "".join(tables.values())


def test_committed_resources_match_their_inputs():
    # regenerating from the committed snapshot and aliases changes nothing
    changed, _ = build_resources.build(from_snapshot=True, check=True)
    assert changed == []


def test_compound_words_from_the_main_jieba_dictionary_are_split(tmp_path):
    user_dict = tmp_path / "user_dict.txt"
    user_dict.write_text("格力 2000\n空调 2000\n华为 2000\n手机 2000\n", encoding="utf-8")
    words = [w for w, _, _ in Segmenter([user_dict]).tokens("买两台格力空调 华为手机")]
    assert words[-4:] == ["格力", "空调", "华为", "手机"]
