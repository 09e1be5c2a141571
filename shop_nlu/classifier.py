"""Rasa component ``shop_nlu.classifier.ShopIntentClassifier``: logistic regression with its
regularisation exposed.

Rasa's ``LogisticRegressionClassifier`` fixes scikit-learn's ``C=1.0`` and feeds the raw
feature counts. Both matter here: a message's count vectors (words, character n-grams, shop
cues) grow with its length, so long messages were scored with more confidence than short
ones, and ``C`` is the one knob that trades fitting the ~2.4k examples against generalising
to unseen phrasings. This subclass adds:

- ``C``: inverse regularisation strength (chosen by 5-fold cross-validation on the training
  data only, ``bench/nlu_eval.py --config``; never on the held-out file);
- ``normalize``: scale each message's feature row to unit L2 length before training and
  prediction (``sklearn.preprocessing.normalize``);
- ``class_weight``: Rasa fixes ``"balanced"`` (each intent weighed by the inverse of its
  share of the written examples); exposed so ``null`` can be measured against it. Balanced
  stays: without it the short dialogue acts ("确认取消", a guest's phone digits) lose to the
  big shop intents (issue 14, round 6: see config.yml).
- ``nb_weight`` / ``nb_alpha`` / ``nb_full_tokens``: blend the logistic regression's
  probabilities with those of a complement naive Bayes fitted on the same features
  (``(1 - w) * LR + w * NB``). Naive Bayes scores each word on its own, so a message whose
  phrasing the regression never saw still counts every shop word it knows; on topics left out
  of training the blend answered more real shoppers' questions right (issue 14, round 7: see
  config.yml). A message of a few words is a different matter: there the regression's phrase
  features (word pairs, character n-grams: "确认取消", "好的") decide, and naive Bayes, reading
  取消 alone, only blurs them; so ``w`` grows with the message's token count, reaching
  ``nb_weight`` at ``nb_full_tokens`` tokens. ``nb_weight`` 0 turns the blend off.
- ``svm_weight`` / ``svm_C`` / ``svm_intents``: a linear SVM (``LinearSVC``, hinge loss, balanced classes) with
  Platt-scaled probabilities (``CalibratedClassifierCV``, sigmoid, 3 folds) blended into the
  regression before the naive Bayes: ``(1 - s) * LR + s * SVM``, ``s`` = ``svm_weight`` scaled by
  the message's token count as the naive Bayes weight is (full at ``nb_full_tokens`` tokens), so
  the short dialogue acts stay the regression's; with ``svm_intents`` the SVM only shares out
  the probability the regression gives those intents between them (``blend_svm``). The margin loss fits fewer examples exactly than
  the regression and ranks the unseen topics' messages better (issue 14, round 21: config.yml).
  ``svm_weight`` 0 turns it off.

Everything else (training, persistence with skops, the intent ranking) is Rasa's; the naive
Bayes model and the calibrated SVM are persisted with skops beside the regression, in the same
resource.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix, isspmatrix_coo
from sklearn.calibration import CalibratedClassifierCV
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC
from sklearn.preprocessing import normalize as l2_normalize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ShopIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "normalize": False,
                "class_weight": "balanced", "nb_weight": 0.0, "nb_alpha": 0.3, "nb_full_tokens": 6,
                "svm_weight": 0.0, "svm_C": 0.1, "svm_intents": []}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]), class_weight=self.config["class_weight"])
        self.nb_weight = float(self.config["nb_weight"])
        # Fitted in train() (or loaded) when the blend is on; None otherwise.
        self.nb: Optional[ComplementNB] = None
        self.svm_weight = float(self.config["svm_weight"])
        # The same for the calibrated SVM (svm_weight > 0).
        self.svm: Optional[CalibratedClassifierCV] = None

    def train(self, training_data: TrainingData) -> Resource:
        X, y = self._create_training_matrix(training_data)
        if X.shape[0] == 0:
            return self._resource
        self.clf.fit(X, y)
        if self.nb_weight > 0:
            self.nb = ComplementNB(alpha=float(self.config["nb_alpha"])).fit(X, y)
        if self.svm_weight > 0:
            self.svm = calibrated_svm(float(self.config["svm_C"]), self.config["class_weight"]).fit(X, np.asarray(y))
        self.persist()
        return self._resource

    def predict_proba(self, X: csr_matrix, token_counts: Optional[Sequence[int]] = None) -> np.ndarray:
        """The intents' probabilities (columns in ``self.clf.classes_`` order); ``token_counts``
        (one per row) scale the naive Bayes weight, which is full without them."""
        coef = getattr(self.clf, "coef_", None)
        if coef is not None and not coef.flags.f_contiguous:
            # Column-major weights: the sparse product is several times faster per message.
            self.clf.coef_ = np.asfortranarray(coef)
        probas = self.clf.predict_proba(X)
        share = (np.ones(X.shape[0]) if token_counts is None
                 else blend_share(token_counts, int(self.config["nb_full_tokens"])))[:, None]
        if self.svm is not None:
            among = np.isin(self.clf.classes_, list(self.config["svm_intents"] or [])) if self.config["svm_intents"] else None
            probas = blend_svm(probas, self.svm.predict_proba(X), self.svm_weight * share, among)
        if self.nb is not None:
            log_prob = self.nb.feature_log_prob_
            if not log_prob.flags.f_contiguous:
                # The same for naive Bayes, which scores ``X @ feature_log_prob_.T``: with the
                # row-major array that fit and skops leave, scipy copied the whole classes x
                # features matrix on every parse (0.44 ms against 0.004 ms per message).
                self.nb.feature_log_prob_ = np.asfortranarray(log_prob)
            weight = self.nb_weight * share
            probas = (1.0 - weight) * probas + weight * self.nb.predict_proba(X)
        return probas

    def process(self, messages: List[Message]) -> List[Message]:
        if not hasattr(self.clf, "classes_"):
            return messages     # untrained (no intent examples): as Rasa, no intent set
        # An empty or blank text has no tokens, so the featurizers give it no features at all
        # and its row would have no columns: it gets Rasa's "no intent" (name None, confidence 0;
        # the guards and the fallback after this answer it) instead of an error that made
        # /model/parse answer 500.
        messages_read = [m for m in messages if _has_sentence_features(m)]
        for message in messages:
            if not _has_sentence_features(message):
                message.set("intent", {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
        if messages_read:
            self._classify(messages_read)
        return messages

    def _classify(self, messages: List[Message]) -> None:
        probas = self.predict_proba(self._create_X(messages), [len(m.get(TOKENS_NAMES[TEXT]) or []) for m in messages])
        for message, row in zip(messages, probas):
            ranking = sorted(({"name": name, "confidence": float(p)} for name, p in zip(self.clf.classes_, row)),
                             key=lambda entry: -entry["confidence"])
            message.set("intent", ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)

    def persist(self) -> None:
        super().persist()
        if self.nb is not None:
            import skops.io as sio

            with self._model_storage.write_to(self._resource) as model_dir:
                sio.dump(self.nb, model_dir / f"{self._resource.name}.nb.skops")
        if self.svm is not None:
            import skops.io as sio

            with self._model_storage.write_to(self._resource) as model_dir:
                sio.dump(self.svm, model_dir / f"{self._resource.name}.svm.skops")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ShopIntentClassifier":
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        settings = {**cls.get_default_config(), **config}
        if float(settings["svm_weight"]) > 0:
            component.svm = _load_skops(model_storage, resource, "svm", SVM_TYPES, "svm_weight",
                                        CalibratedClassifierCV)
        if float(settings["nb_weight"]) > 0:
            component.nb = _load_skops(model_storage, resource, "nb", [], "nb_weight", ComplementNB)
        return component

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        features = sentence_feature_matrix(messages)
        return l2_normalize(features, norm="l2") if self.config["normalize"] else features

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if float(config.get("C", 1.0)) <= 0:
            raise ValueError(f"ShopIntentClassifier: C must be positive, got {config.get('C')}")
        if config.get("class_weight", "balanced") not in ("balanced", None):
            raise ValueError("ShopIntentClassifier: class_weight must be \"balanced\" or null, got "
                             f"{config.get('class_weight')!r}")
        if not 0.0 <= float(config.get("nb_weight", 0.0)) < 1.0:
            raise ValueError(f"ShopIntentClassifier: nb_weight must be in [0, 1), got {config.get('nb_weight')}")
        if int(config.get("nb_full_tokens", 6)) < 1:
            raise ValueError(f"ShopIntentClassifier: nb_full_tokens must be at least 1, got {config.get('nb_full_tokens')}")
        if float(config.get("nb_alpha", 0.3)) <= 0:
            raise ValueError(f"ShopIntentClassifier: nb_alpha must be positive, got {config.get('nb_alpha')}")
        if not 0.0 <= float(config.get("svm_weight", 0.0)) <= 1.0:
            raise ValueError(f"ShopIntentClassifier: svm_weight must be in [0, 1], got {config.get('svm_weight')}")
        if float(config.get("svm_C", 0.1)) <= 0:
            raise ValueError(f"ShopIntentClassifier: svm_C must be positive, got {config.get('svm_C')}")


# What a persisted calibrated SVM is made of: scikit-learn's own classes, trusted by name when
# loading (anything else in the file is refused).
SVM_TYPES = ["sklearn.calibration.CalibratedClassifierCV", "sklearn.calibration._CalibratedClassifier",
             "sklearn.calibration._SigmoidCalibration", "sklearn.svm._classes.LinearSVC"]


def calibrated_svm(C: float, class_weight: Optional[str]) -> CalibratedClassifierCV:
    """A linear SVM with Platt-scaled probabilities (sigmoid, 3 folds, averaged)."""
    return CalibratedClassifierCV(LinearSVC(C=C, class_weight=class_weight, max_iter=5000, random_state=42),
                                  method="sigmoid", cv=3)


def _load_skops(model_storage: ModelStorage, resource: Resource, suffix: str, trusted: List[str], setting: str,
                kind: type):
    """Fail closed: a member configured but not found (or holding types not trusted, or not a
    ``kind``) is an error, not a silent fall-back to the regression alone."""
    import skops.io as sio

    with model_storage.read_from(resource) as model_dir:
        path = model_dir / f"{resource.name}.{suffix}.skops"
        if not path.exists():
            raise ValueError(f"{path.name} is missing: retrain the model ({setting} is set)")
        untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in trusted]
        if untrusted:
            raise ValueError(f"{path.name} holds untrusted types {untrusted}")
        loaded = sio.load(path, trusted=trusted or False)
    if not isinstance(loaded, kind):
        raise ValueError(f"{path.name} holds a {type(loaded).__name__}, not a {kind.__name__}")
    return loaded


def blend_svm(probas: np.ndarray, svm_probas: np.ndarray, weight: np.ndarray,
              among: Optional[np.ndarray] = None) -> np.ndarray:
    """``(1 - w) * probas + w * svm_probas`` (``weight``: one row per message). With ``among`` (a
    mask of the intents, ``svm_intents``), the SVM only shares out the probability those intents
    already have between them; every other intent keeps the regression's (the dialogue acts)."""
    if among is None or not among.any():
        return (1.0 - weight) * probas + weight * svm_probas
    mass = probas[:, among].sum(axis=1, keepdims=True)
    inside = svm_probas[:, among] / np.maximum(svm_probas[:, among].sum(axis=1, keepdims=True), 1e-12)
    out = probas.copy()
    out[:, among] = (1.0 - weight) * probas[:, among] + weight * mass * inside
    return out


def blend_share(token_counts: Sequence[int], full_tokens: int) -> np.ndarray:
    """The share of the naive Bayes weight a message of each token count gets (0 to 1)."""
    return np.minimum(1.0, np.asarray(token_counts, dtype=float) / float(full_tokens))


def _has_sentence_features(message: Message) -> bool:
    return any(f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE for f in message.features)


def _sentence_row(message: Message):
    """Column indices, values and width of one message's row: its sparse sentence features
    in the order the featurizers added them, then its dense ones (Rasa's layout)."""
    columns, values, width = [], [], 0
    sentence = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    for part in [f.features for f in sentence if f.is_sparse()] + [f.features for f in sentence if f.is_dense()]:
        if part.shape[0] != 1:
            raise ValueError(f"a sentence feature has {part.shape[0]} rows, expected 1")
        indices, data = _row_entries(part)
        columns.append(indices.astype(np.int64) + width)
        values.append(data)
        width += part.shape[1]
    return columns, values, width


def _row_entries(part):
    """Column indices and values of a one-row feature, as ``csr_matrix(part)`` holds them.

    The featurizers hand over COO matrices whose columns are already in order; their entries
    are then CSR's as they stand (converting cost ~0.15 ms per featurizer and parse under load,
    bench/TURN_COST.md). Anything else (dense, unsorted or repeated columns, which CSR sorts and
    sums) goes through ``csr_matrix``."""
    if isspmatrix_coo(part):
        col = part.col
        if col.size < 2 or bool((col[1:] > col[:-1]).all()):
            return col, part.data
    part = csr_matrix(part)
    return part.indices, part.data


def sentence_feature_matrix(messages: List[Message]) -> csr_matrix:
    """One row per message, as ``LogisticRegressionClassifier._create_X`` builds it."""
    rows = [_sentence_row(message) for message in messages]
    widths = {width for _, _, width in rows}
    if len(widths) > 1:
        raise ValueError(f"messages have feature rows of different widths: {sorted(widths)}")
    columns = [np.concatenate(c) if c else np.zeros(0, np.int64) for c, _, _ in rows]
    values = [np.concatenate(v) if v else np.zeros(0) for _, v, _ in rows]
    indptr = np.concatenate([[0], np.cumsum([len(c) for c in columns])])
    width = widths.pop() if widths else 0
    return csr_matrix((np.concatenate(values) if values else np.zeros(0),
                       np.concatenate(columns) if columns else np.zeros(0, np.int64), indptr),
                      shape=(len(messages), width))
