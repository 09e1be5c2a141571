"""shop_nlu.classifier.ShopIntentClassifier: C reaches scikit-learn; rows can be unit length."""
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
