"""ShopJiebaTokenizer: no whitespace tokens, mixed scripts, dictionary words, models whole."""
import pytest

pytest.importorskip("rasa")

from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from shop_nlu import resources  # noqa: E402
from shop_nlu.gazetteer import Catalogue  # noqa: E402
from shop_nlu.tokenizer import ShopJiebaTokenizer, merge_spans  # noqa: E402

CATALOGUE = Catalogue(
    brands={"Apple": ["Apple", "苹果"], "华为": ["华为", "HUAWEI"], "小米": ["小米", "Xiaomi"]},
    categories={"手机": ["手机"], "耳机耳麦": ["耳机"]},
    models=["iPhone 15 Pro", "iPhone 15 Pro Max", "Mate 60", "Mate 60 Pro", "小米14", "AirPods Pro 2"],
)


@pytest.fixture(scope="module")
def tokenizer():
    config = {**ShopJiebaTokenizer.get_default_config()}
    dict_files = resources.dictionary_files(resources.JIEBA_DICT_DIR)
    return ShopJiebaTokenizer(config, None, None, dict_files, CATALOGUE)


def words(tokenizer, text):
    return [t.text for t in tokenizer.tokenize(Message(data={"text": text}), "text")]


def test_no_whitespace_tokens(tokenizer):
    tokens = tokenizer.tokenize(Message(data={"text": "亲 在吗  我想问下  iPhone 15 多少钱"}), "text")
    assert all(t.text.strip() == t.text and t.text for t in tokens)
    assert "多少" in [t.text for t in tokens]


def test_offsets_point_into_the_text(tokenizer):
    text = "华为 Mate 60 Pro 有货吗？ 😊"
    for token in tokenizer.tokenize(Message(data={"text": text}), "text"):
        assert text[token.start:token.end] == token.text


@pytest.mark.parametrize("text,model", [
    ("iPhone 15 Pro多少钱", "iPhone 15 Pro"),
    ("我想买iphone15pro", "iphone15pro"),
    ("iphone 15 pro max 有货吗", "iphone 15 pro max"),
    ("小米14有白色的吗", "小米14"),
    ("Mate 60什么时候到货", "Mate 60"),
    ("mate60pro和小米14哪个好", "mate60pro"),
    ("airpods pro2能连安卓吗", "airpods pro2"),
])
def test_product_models_stay_whole(tokenizer, text, model):
    assert model in words(tokenizer, text)


def test_unknown_model_of_a_known_series_stays_whole(tokenizer):
    assert "iPhone 16" in words(tokenizer, "iPhone 16出了吗")


def test_mixed_scripts_split_from_chinese(tokenizer):
    toks = words(tokenizer, "我要256GB的黑色")
    assert "256GB" in toks and "黑色" in toks


@pytest.mark.parametrize("text,word", [
    ("七天无理由能退吗", "七天无理由"), ("有运费险吗", "运费险"), ("支持价保吗", "价保"),
    ("能以旧换新吗", "以旧换新"), ("可以用花呗吗", "花呗"), ("木有收到货", "木有"),
])
def test_shop_dictionary_words_are_one_token(tokenizer, text, word):
    assert word in words(tokenizer, text)


def test_merge_spans_cuts_tokens_at_span_boundaries():
    text = "买iphone15pro吧"
    tokens = [("买", 0, 1), ("iphone15pro吧", 1, 13)]
    assert merge_spans(tokens, [(1, 12)], text) == [("买", 0, 1), ("iphone15pro", 1, 12), ("吧", 12, 13)]


def test_private_jieba_does_not_touch_the_global_dictionary(tokenizer):
    import jieba

    words(tokenizer, "运费险")
    assert "运费险" not in jieba.dt.FREQ
