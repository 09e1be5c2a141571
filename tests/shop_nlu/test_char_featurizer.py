"""shop_nlu.char_featurizer.ShopCharNgramFeaturizer: character n-grams of the untokenised
message as sentence features (shapes, persistence, unseen characters, empty text), and
bench/real_cv.py reproducing it from config.yml."""

import json

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from shop_nlu.char_featurizer import ShopCharNgramFeaturizer
from shop_nlu.char_ngrams import CharNgrams, char_vectorizer
from shop_nlu.text_normalizer import ShopTextNormalizer
from shop_nlu.tokenizer import ShopJiebaTokenizer

TRAIN = ["我的快递到哪了", "到货没", "咋还没发货", "退款什么时候到账"]


@pytest.fixture(scope="module")
def tokenizer():
    context = ExecutionContext(GraphSchema({}), "tok")
    return ShopJiebaTokenizer.create({}, None, None, context)


def messages(tokenizer, texts):
    out = [Message(data={TEXT: t}) for t in texts]
    ShopTextNormalizer.create({}, None, None, None).process(out)
    tokenizer.process(out)
    return out


def make(tmp_path, **config):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "chars")
    featurizer = ShopCharNgramFeaturizer.create(config, storage, Resource("chars"), context)
    return featurizer, storage, context


def trained(tmp_path, tokenizer, **config):
    featurizer, storage, context = make(tmp_path, **config)
    featurizer.train(TrainingData(training_examples=messages(tokenizer, TRAIN)))
    return featurizer, storage, context


def sentence(message):
    seq, sent = message.get_sparse_features(TEXT)
    return seq, (sent.features.toarray() if sent is not None else None)


def test_one_sentence_row_as_wide_as_the_vocabulary(tmp_path, tokenizer):
    featurizer, _, _ = trained(tmp_path, tokenizer)
    [m] = featurizer.process(messages(tokenizer, ["到货没"]))
    seq, row = sentence(m)
    assert seq is None  # sentence features only: the classifier reads nothing else
    assert row.shape == (1, featurizer.ngrams.width)
    vocab = featurizer.ngrams.vocabulary
    # 1-3-grams of the whole text, whatever jieba cut: 到, 到货, 到货没 ...
    for gram in ("到", "货", "没", "到货", "货没", "到货没"):
        assert row[0, vocab[gram]] == 1.0
    assert row.sum() == 6


def test_ngrams_cross_token_boundaries(tmp_path, tokenizer):
    featurizer, _, _ = trained(tmp_path, tokenizer)
    [m] = featurizer.process(messages(tokenizer, ["快递到哪了"]))
    assert len(m.get("text_tokens")) > 1
    assert sentence(m)[1][0, featurizer.ngrams.vocabulary["递到哪"]] == 1.0


def test_reads_the_normalised_text(tmp_path, tokenizer):
    featurizer, _, _ = trained(tmp_path, tokenizer)
    [full, half] = featurizer.process(messages(tokenizer, ["到貨沒", "到货没"]))  # traditional -> simplified
    assert (sentence(full)[1] == sentence(half)[1]).all()


def test_unseen_characters_are_dropped_not_an_error(tmp_path, tokenizer):
    featurizer, _, _ = trained(tmp_path, tokenizer)
    unseen, partly = featurizer.process(messages(tokenizer, ["鑫淼犇", "鑫到货"]))
    assert sentence(unseen)[1].shape == (1, featurizer.ngrams.width)
    assert sentence(unseen)[1].sum() == 0
    row = sentence(partly)[1]
    assert row[0, featurizer.ngrams.vocabulary["到货"]] == 1.0 and row.sum() == 3


def test_empty_text_gets_no_row(tmp_path, tokenizer):
    featurizer, _, _ = trained(tmp_path, tokenizer)
    empty = Message(data={TEXT: ""})
    blank = messages(tokenizer, ["   "])[0]
    featurizer.process([empty, blank])
    assert empty.features == [] and blank.features == []


def test_no_training_text_gives_no_columns(tmp_path, tokenizer):
    featurizer, storage, context = make(tmp_path)
    featurizer.train(TrainingData(training_examples=[Message(data={"action_name": "action_listen"})]))
    [m] = featurizer.process(messages(tokenizer, ["到货没"]))
    assert m.features == []
    loaded = ShopCharNgramFeaturizer.load({}, storage, Resource("chars"), context)
    assert loaded.ngrams.width == 0


def test_persists_and_loads_the_same_features(tmp_path, tokenizer):
    featurizer, storage, context = trained(tmp_path, tokenizer, max_ngram=4, sublinear_tf=True)
    loaded = ShopCharNgramFeaturizer.load({"max_ngram": 4, "sublinear_tf": True}, storage, Resource("chars"), context)
    assert loaded.ngrams.vocabulary == featurizer.ngrams.vocabulary
    assert loaded.ngrams.ngram_range == (1, 4) and loaded.ngrams.sublinear_tf
    texts = ["到货没到货没", "鑫淼 快递到哪了", "退款"]
    a = featurizer.process(messages(tokenizer, texts))
    b = loaded.process(messages(tokenizer, texts))
    for x, y in zip(a, b):
        assert np.allclose(sentence(x)[1], sentence(y)[1])
    # counts sublinear: 到货没 twice -> 1 + log 2
    assert np.isclose(sentence(b[0])[1][0, loaded.ngrams.vocabulary["到货没"]], 1 + np.log(2))


def test_missing_vocabulary_fails_closed(tmp_path, tokenizer):
    _, storage, context = make(tmp_path)
    with pytest.raises((FileNotFoundError, ValueError)):
        ShopCharNgramFeaturizer.load({}, storage, Resource("chars"), context)


def test_min_df_drops_rare_ngrams(tmp_path, tokenizer):
    featurizer, _, _ = trained(tmp_path, tokenizer, min_df=2)
    vocab = featurizer.ngrams.vocabulary
    assert "到" in vocab and "货" in vocab and "咋" not in vocab


@pytest.mark.parametrize("config", [{"min_ngram": 0}, {"min_ngram": 3, "max_ngram": 2}, {"min_df": 0}])
def test_bad_settings_are_refused(config):
    with pytest.raises(ValueError):
        ShopCharNgramFeaturizer.validate_config(config)


def test_vocabulary_is_plain_json():
    data = json.loads(json.dumps(CharNgrams((1, 2)).fit(["到货"]).to_dict()))
    assert CharNgrams.from_dict(data).transform(["到货"]).sum() == 3


def test_real_cv_reproduces_the_configured_featurizer():
    """bench/real_cv.py scores config.yml's pipeline: same n-grams, min_df and counts."""
    import yaml

    from bench import real_cv

    pipeline = yaml.safe_load(open(real_cv.ROOT / "config.yml", encoding="utf-8"))["pipeline"]
    found = [c for c in pipeline if c["name"] == "shop_nlu.char_featurizer.ShopCharNgramFeaturizer"]
    got = real_cv.raw_char_config()
    if not found:
        assert got is None
        return
    config = {**ShopCharNgramFeaturizer.get_default_config(), **found[0]}
    assert got == (config["min_ngram"], config["max_ngram"], config["min_df"], config["sublinear_tf"])
    ours = char_vectorizer(got[:2], got[2], got[3]).fit(TRAIN)
    theirs = CharNgrams((config["min_ngram"], config["max_ngram"]), config["min_df"], config["sublinear_tf"]).fit(TRAIN)
    assert ours.vocabulary == theirs.vocabulary


def test_classifier_reads_the_rows_as_rasa_does(tmp_path, tokenizer):
    """The rows reach shop_nlu.classifier's feature matrix as Rasa's own _create_X builds it."""
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    from shop_nlu.classifier import sentence_feature_matrix

    featurizer, _, _ = trained(tmp_path, tokenizer, sublinear_tf=True)
    parsed = featurizer.process(messages(tokenizer, ["到货没到货", "快递到哪了", "鑫淼犇"]))
    got = sentence_feature_matrix(parsed)
    expected = LogisticRegressionClassifier._create_X(None, parsed)
    assert got.shape == (3, featurizer.ngrams.width) and (got != expected).nnz == 0
