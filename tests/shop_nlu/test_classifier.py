"""shop_nlu.classifier.ShopIntentClassifier: C and class_weight reach scikit-learn; rows can be unit
length."""
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix

from shop_nlu.classifier import ShopIntentClassifier


def make(tmp_path, **config):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return ShopIntentClassifier.create({**ShopIntentClassifier.get_default_config(), **config},
                                       storage, Resource("clf"), context), storage, context


def message(text, intent, counts):
    m = Message(data={"text": text, "intent": intent})
    m.add_features(Features(coo_matrix(np.array([counts], dtype=float)), "sentence", "text", "test"))
    return m


def test_c_reaches_scikit_learn(tmp_path):
    clf, _, _ = make(tmp_path, C=7.5)
    assert clf.clf.C == 7.5


def test_non_positive_c_is_refused():
    with pytest.raises(ValueError):
        ShopIntentClassifier.validate_config({"C": 0})


def test_class_weight_reaches_scikit_learn_and_defaults_to_rasas(tmp_path):
    assert make(tmp_path / "default")[0].clf.class_weight == "balanced"
    assert make(tmp_path / "none", class_weight=None)[0].clf.class_weight is None


def test_unbalanced_classes_follow_the_examples_shares(tmp_path):
    """Without balancing, an intent with few examples no longer wins the region where both
    intents' features mix (what class_weight null was measured for, config.yml)."""
    examples = [message(f"a{i}", "order_status", [1.0, 0.0]) for i in range(9)]
    examples += [message("b", "thank", [0.0, 1.0])]
    mixed = message("m", None, [1.0, 1.0])
    shares = {}
    for weighting in ("balanced", None):
        (tmp_path / str(weighting)).mkdir()
        clf, _, _ = make(tmp_path / str(weighting), class_weight=weighting)
        clf.train(TrainingData(examples))
        ranking = clf.process([mixed])[0].get("intent_ranking")
        shares[weighting] = {r["name"]: r["confidence"] for r in ranking}["order_status"]
    assert shares[None] > shares["balanced"]


def test_unknown_class_weight_is_refused():
    with pytest.raises(ValueError):
        ShopIntentClassifier.validate_config({"C": 1, "class_weight": "sqrt"})


def test_normalize_scales_rows_to_unit_length(tmp_path):
    clf, _, _ = make(tmp_path, normalize=True)
    X = clf._create_X([message("a", "greet", [3.0, 4.0]), message("b", "thank", [0.0, 2.0])])
    assert np.allclose(np.sqrt(X.multiply(X).sum(axis=1)).A.ravel(), [1.0, 1.0])
    raw, _, _ = make(tmp_path / "raw")
    assert raw._create_X([message("a", "greet", [3.0, 4.0])]).toarray().tolist() == [[3.0, 4.0]]


def test_trains_persists_and_loads_with_its_settings(tmp_path):
    clf, storage, context = make(tmp_path, C=10)
    examples = [message(f"g{i}", "greet", [5.0, 0.0, 1.0]) for i in range(5)] + \
               [message(f"t{i}", "thank", [0.0, 5.0, 1.0]) for i in range(5)]
    clf.train(TrainingData(training_examples=examples))
    loaded = ShopIntentClassifier.load({**ShopIntentClassifier.get_default_config(), "C": 10},
                                       storage, Resource("clf"), context)
    probe = message("x", None, [4.0, 0.0, 1.0])
    loaded.process([probe])
    assert probe.get("intent")["name"] == "greet" and loaded.clf.C == 10


def _mixed_message(rng, widths, dense_width):
    """Sparse sentence features of several featurizers (int and float), sequence features the
    classifier must ignore, a dense sentence feature, and features of another attribute."""
    m = Message(data={"text": "x"})
    for i, width in enumerate(widths):
        row = rng.integers(0, 3, size=(1, width)) * (rng.random((1, width)) < 0.3)
        m.add_features(Features(coo_matrix(row.astype(int if i % 2 else float)), "sentence", "text", f"f{i}"))
        m.add_features(Features(coo_matrix(rng.random((4, width))), "sequence", "text", f"f{i}"))
        m.add_features(Features(coo_matrix(rng.random((1, width))), "sentence", "intent", f"f{i}"))
    if dense_width:
        m.add_features(Features(rng.random((1, dense_width)), "sentence", "text", "dense"))
    return m


@pytest.mark.parametrize("widths,dense_width", [([5], 0), ([3, 7, 2], 0), ([4, 1, 9], 3), ([6], 2)])
def test_feature_matrix_is_rasas(widths, dense_width):
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from shop_nlu.classifier import sentence_feature_matrix
    rng = np.random.default_rng(sum(widths) + dense_width)
    messages = [_mixed_message(rng, widths, dense_width) for _ in range(6)]
    expected = LogisticRegressionClassifier._create_X(None, messages)
    got = sentence_feature_matrix(messages)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert (got != expected).nnz == 0


@pytest.mark.parametrize("columns,data", [
    ([4, 1, 7], [1.0, 2.0, 3.0]),          # unsorted
    ([3, 5, 3], [1.0, 4.0, 2.0]),          # a column twice: CSR sums it
    ([2, 6], [0.0, 5.0]),                  # an explicit zero: kept, as CSR keeps it
    ([], []),                              # nothing
    ([8], [2]),                            # one entry, integer counts
])
def test_feature_matrix_is_rasas_for_any_coo_layout(columns, data):
    """The COO entries are taken as they stand only when CSR would hold the same ones."""
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from shop_nlu.classifier import sentence_feature_matrix
    m = Message(data={"text": "x"})
    feature = coo_matrix((np.array(data), (np.zeros(len(columns), int), np.array(columns, int))), shape=(1, 10))
    m.add_features(Features(feature, "sentence", "text", "odd"))
    m.add_features(Features(coo_matrix(np.array([[0.0, 1.0, 2.0]])), "sentence", "text", "plain"))
    expected = LogisticRegressionClassifier._create_X(None, [m])
    got = sentence_feature_matrix([m])
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.array_equal(got.indices, expected.indices) and np.array_equal(got.data, expected.data)
    assert np.array_equal(got.indptr, expected.indptr)


def test_feature_matrix_of_the_trained_model_is_rasas(tmp_path):
    """On the real pipeline's features (every featurizer of config.yml), for real texts."""
    from pathlib import Path
    from rasa.core.channels.channel import UserMessage
    from rasa.engine import loader
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker
    from shop_nlu.classifier import sentence_feature_matrix
    from tests.support.stack import latest_model
    metadata, runner = loader.load_predict_graph_runner(tmp_path, Path(latest_model()), LocalModelStorage,
                                                       DaskGraphRunner)
    tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen")])
    texts = ["你好", "我的订单SO123456什么时候到", "推荐一款两千左右的手机", "iPhone 15 Pro Max 256GB 有货吗", "转人工"]
    parsed = [runner.run(inputs={"__message__": [UserMessage(t)], "__tracker__": tracker},
                         targets=[metadata.nlu_target])[metadata.nlu_target][0] for t in texts]
    expected = LogisticRegressionClassifier._create_X(None, parsed)
    got = sentence_feature_matrix(parsed)
    assert got.shape == expected.shape and got.shape[1] > 1000 and (got != expected).nnz == 0
    # The very same entries in the same order (the products sum in that order).
    assert np.array_equal(got.indices, expected.indices) and np.array_equal(got.data, expected.data)


def test_weights_kept_column_major_for_prediction_with_the_same_probabilities(tmp_path):
    clf, storage, context = make(tmp_path, C=3)
    rng = np.random.default_rng(7)
    examples = [message(f"m{i}", f"intent{i % 4}", list(rng.integers(0, 3, 50).astype(float))) for i in range(40)]
    clf.train(TrainingData(training_examples=examples))
    loaded = ShopIntentClassifier.load({**ShopIntentClassifier.get_default_config(), "C": 3},
                                       storage, Resource("clf"), context)
    probes = [message(f"p{i}", None, list(rng.integers(0, 3, 50).astype(float))) for i in range(5)]
    expected = loaded.clf.predict_proba(loaded._create_X(probes))     # row-major weights, as loaded
    assert not loaded.clf.coef_.flags.f_contiguous
    loaded.process(probes)
    assert loaded.clf.coef_.flags.f_contiguous
    assert np.array_equal(loaded.clf.predict_proba(loaded._create_X(probes)), expected)
    assert [p.get("intent")["confidence"] for p in probes] == [max(row) for row in expected]


def _blend_examples(rng):
    return [message(f"m{i}", f"intent{i % 3}", list((rng.integers(0, 3, 30) * (rng.random(30) < 0.4)).astype(float)))
            for i in range(45)]


def _with_tokens(m, count):
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.nlu.tokenizers.tokenizer import Token
    m.set(TOKENS_NAMES["text"], [Token(f"w{i}", i) for i in range(count)])
    return m


@pytest.mark.parametrize("tokens,share", [(8, 1.0), (6, 1.0), (3, 0.5), (0, 0.0)])
def test_blend_is_the_weighted_mean_of_regression_and_naive_bayes(tmp_path, tokens, share):
    """Naive Bayes gets its whole weight from nb_full_tokens tokens on, a share below."""
    from sklearn.naive_bayes import ComplementNB
    rng = np.random.default_rng(3)
    examples = _blend_examples(rng)
    clf, _, _ = make(tmp_path, C=3, nb_weight=0.3, nb_alpha=0.5, nb_full_tokens=6)
    clf.train(TrainingData(training_examples=examples))
    probes = [_with_tokens(message(f"p{i}", None, list(rng.integers(0, 3, 30).astype(float))), tokens)
              for i in range(6)]
    X = clf._create_X(probes)
    nb = ComplementNB(alpha=0.5).fit(*clf._create_training_matrix(TrainingData(training_examples=examples)))
    w = 0.3 * share
    expected = (1 - w) * clf.clf.predict_proba(X) + w * nb.predict_proba(X)
    clf.process(probes)
    for probe, row in zip(probes, expected):
        ranking = {r["name"]: r["confidence"] for r in probe.get("intent_ranking")}
        assert np.allclose([ranking[c] for c in clf.clf.classes_], row)
        assert probe.get("intent")["name"] == clf.clf.classes_[int(np.argmax(row))]
        assert np.isclose(sum(ranking.values()), 1.0)


def test_blend_persists_and_loads_with_the_same_probabilities(tmp_path):
    rng = np.random.default_rng(5)
    config = {**ShopIntentClassifier.get_default_config(), "C": 3, "nb_weight": 0.3}
    clf, storage, context = make(tmp_path, **config)
    clf.train(TrainingData(training_examples=_blend_examples(rng)))
    probes = [message(f"p{i}", None, list(rng.integers(0, 3, 30).astype(float))) for i in range(4)]
    expected = clf.predict_proba(clf._create_X(probes))
    loaded = ShopIntentClassifier.load(config, storage, Resource("clf"), context)
    assert loaded.nb is not None
    assert np.allclose(loaded.predict_proba(loaded._create_X(probes)), expected)


def test_naive_bayes_weights_kept_column_major_with_the_same_probabilities(tmp_path):
    """The loaded naive Bayes scores with column-major log probabilities after the first
    parse (no copy of the matrix per message), and its answers are the very same numbers."""
    rng = np.random.default_rng(11)
    config = {**ShopIntentClassifier.get_default_config(), "C": 3, "nb_weight": 0.3}
    clf, storage, context = make(tmp_path, **config)
    clf.train(TrainingData(training_examples=_blend_examples(rng)))
    loaded = ShopIntentClassifier.load(config, storage, Resource("clf"), context)
    probes = [_with_tokens(message(f"p{i}", None, list(rng.integers(0, 3, 30).astype(float))), 4 + i)
              for i in range(5)]
    X = loaded._create_X(probes)
    expected_nb = loaded.nb.predict_proba(X)            # row-major, as skops loads it
    assert not loaded.nb.feature_log_prob_.flags.f_contiguous
    expected = loaded.predict_proba(X, [4 + i for i in range(5)])
    assert loaded.nb.feature_log_prob_.flags.f_contiguous
    assert np.array_equal(loaded.nb.predict_proba(X), expected_nb)
    assert np.array_equal(loaded.predict_proba(X, [4 + i for i in range(5)]), expected)
    loaded.process(probes)
    assert [p.get("intent")["confidence"] for p in probes] == [max(row) for row in expected]


def test_blend_configured_but_missing_from_the_model_fails_closed(tmp_path):
    """A model trained without the blend, loaded with nb_weight set: an error, never the
    regression alone passed off as the configured model."""
    rng = np.random.default_rng(9)
    clf, storage, context = make(tmp_path, C=3)
    clf.train(TrainingData(training_examples=_blend_examples(rng)))
    with pytest.raises(ValueError, match="nb.skops"):
        ShopIntentClassifier.load({**ShopIntentClassifier.get_default_config(), "nb_weight": 0.3},
                                  storage, Resource("clf"), context)


def test_blend_off_by_default_trains_no_naive_bayes(tmp_path):
    clf, _, _ = make(tmp_path)
    clf.train(TrainingData(training_examples=_blend_examples(np.random.default_rng(1))))
    assert clf.nb is None and not list(tmp_path.glob("**/*.nb.skops"))


@pytest.mark.parametrize("setting", [{"nb_weight": 1.0}, {"nb_weight": -0.1}, {"nb_alpha": 0}, {"nb_full_tokens": 0}])
def test_bad_blend_settings_are_refused(setting):
    with pytest.raises(ValueError):
        ShopIntentClassifier.validate_config({"C": 1, **setting})


def test_a_message_without_features_gets_no_intent_instead_of_an_error(tmp_path):
    """An empty or blank text has no tokens, so no featurizer gives it a row; it used to raise
    (and /model/parse answered 500). It gets Rasa's "no intent", and the messages beside it in
    the same batch are still classified."""
    clf, _, _ = make(tmp_path)
    clf.train(TrainingData([message(f"g{i}", "greet", [5.0, 0.0]) for i in range(5)]
                           + [message(f"t{i}", "thank", [0.0, 5.0]) for i in range(5)]))
    empty, read = Message(data={"text": ""}), message("x", None, [4.0, 0.0])
    clf.process([empty, read])
    assert empty.get("intent") == {"name": None, "confidence": 0.0}
    assert empty.get("intent_ranking") == []
    assert read.get("intent")["name"] == "greet"


@pytest.mark.parametrize("tokens,share", [(8, 1.0), (3, 0.5), (0, 0.0)])
def test_svm_is_blended_into_the_regression_before_the_naive_bayes(tmp_path, tokens, share):
    """(1 - w_nb) * ((1 - w_svm) * LR + w_svm * SVM) + w_nb * NB, both weights scaled by the
    message's token count (full at nb_full_tokens), so a short dialogue act stays the regression's."""
    from sklearn.naive_bayes import ComplementNB

    from shop_nlu.classifier import calibrated_svm
    rng = np.random.default_rng(13)
    examples = _blend_examples(rng)
    clf, _, _ = make(tmp_path, C=3, nb_weight=0.3, nb_full_tokens=6, svm_weight=0.75, svm_C=0.05)
    clf.train(TrainingData(training_examples=examples))
    probes = [_with_tokens(message(f"p{i}", None, list(rng.integers(0, 3, 30).astype(float))), tokens)
              for i in range(6)]
    X = clf._create_X(probes)
    Xt, y = clf._create_training_matrix(TrainingData(training_examples=examples))
    nb = ComplementNB(alpha=0.3).fit(Xt, y)
    svm = calibrated_svm(0.05, "balanced").fit(Xt, np.asarray(y))
    s, w = 0.75 * share, 0.3 * share
    expected = (1 - w) * ((1 - s) * clf.clf.predict_proba(X) + s * svm.predict_proba(X)) + w * nb.predict_proba(X)
    clf.process(probes)
    for probe, row in zip(probes, expected):
        ranking = {r["name"]: r["confidence"] for r in probe.get("intent_ranking")}
        assert np.allclose([ranking[c] for c in clf.clf.classes_], row)
        assert np.isclose(sum(ranking.values()), 1.0)


def test_svm_persists_and_loads_with_the_same_probabilities(tmp_path):
    rng = np.random.default_rng(17)
    config = {**ShopIntentClassifier.get_default_config(), "C": 3, "nb_weight": 0.3, "svm_weight": 0.75}
    clf, storage, context = make(tmp_path, **config)
    clf.train(TrainingData(training_examples=_blend_examples(rng)))
    probes = [message(f"p{i}", None, list(rng.integers(0, 3, 30).astype(float))) for i in range(4)]
    expected = clf.predict_proba(clf._create_X(probes))
    loaded = ShopIntentClassifier.load(config, storage, Resource("clf"), context)
    assert loaded.svm is not None and loaded.nb is not None
    assert np.allclose(loaded.predict_proba(loaded._create_X(probes)), expected)


def test_svm_configured_but_missing_from_the_model_fails_closed(tmp_path):
    clf, storage, context = make(tmp_path, C=3)
    clf.train(TrainingData(training_examples=_blend_examples(np.random.default_rng(19))))
    assert clf.svm is None and not list(tmp_path.glob("**/*.svm.skops"))
    with pytest.raises(ValueError, match="svm.skops"):
        ShopIntentClassifier.load({**ShopIntentClassifier.get_default_config(), "svm_weight": 0.5},
                                  storage, Resource("clf"), context)


def test_svm_file_with_other_types_is_refused(tmp_path):
    """The .svm.skops file must hold a calibrated SVM (skops trusts scikit-learn's estimators
    by default, so another model would load)."""
    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier
    rng = np.random.default_rng(23)
    config = {**ShopIntentClassifier.get_default_config(), "C": 3, "svm_weight": 0.5}
    clf, storage, context = make(tmp_path, **config)
    clf.train(TrainingData(training_examples=_blend_examples(rng)))
    path = next(tmp_path.glob("**/*.svm.skops"))
    sio.dump(RandomForestClassifier(n_estimators=2).fit(rng.random((10, 3)), [0, 1] * 5), path)
    with pytest.raises(ValueError, match="RandomForestClassifier"):
        ShopIntentClassifier.load(config, storage, Resource("clf"), context)


@pytest.mark.parametrize("setting", [{"svm_weight": 1.5}, {"svm_weight": -0.1}, {"svm_C": 0}])
def test_bad_svm_settings_are_refused(setting):
    with pytest.raises(ValueError):
        ShopIntentClassifier.validate_config({"C": 1, **setting})


def test_svm_among_some_intents_leaves_the_others_as_the_regression_gave_them():
    """svm_intents: the dialogue acts keep the regression's probability; the SVM only shares
    out the probability of the listed intents between them."""
    from shop_nlu.classifier import blend_svm
    probas = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])        # deny, purchase, after_sales
    svm = np.array([[0.1, 0.1, 0.8], [0.5, 0.4, 0.1]])
    among = np.array([False, True, True])
    out = blend_svm(probas, svm, np.array([[0.5], [1.0]]), among)
    assert np.allclose(out[:, 0], probas[:, 0])
    assert np.allclose(out.sum(axis=1), 1.0)
    assert np.allclose(out[0, 1:], 0.5 * probas[0, 1:] + 0.5 * 0.4 * np.array([1 / 9, 8 / 9]))
    assert np.allclose(out[1, 1:], 0.8 * np.array([0.8, 0.2]))
    assert np.allclose(blend_svm(probas, svm, np.array([[0.5], [0.5]])), 0.5 * probas + 0.5 * svm)


def test_svm_among_shop_intents_through_the_component(tmp_path):
    rng = np.random.default_rng(29)
    config = {**ShopIntentClassifier.get_default_config(), "C": 3, "svm_weight": 0.75, "svm_intents": ["intent1", "intent2"]}
    clf, _, _ = make(tmp_path, **config)
    clf.train(TrainingData(training_examples=_blend_examples(rng)))
    probes = [message(f"p{i}", None, list(rng.integers(0, 3, 30).astype(float))) for i in range(4)]
    X = clf._create_X(probes)
    got = clf.predict_proba(X)
    assert np.allclose(got[:, 0], clf.clf.predict_proba(X)[:, 0])
    assert np.allclose(got.sum(axis=1), 1.0)
