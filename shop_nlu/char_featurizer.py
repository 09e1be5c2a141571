"""Rasa component ``shop_nlu.char_featurizer.ShopCharNgramFeaturizer``: character n-grams of
the untokenised message as sparse sentence features.

Why a component of its own: Rasa's ``CountVectorsFeaturizer`` reads the tokens (``char_wb``
inside each token, ``char`` over the tokens joined by a space), so its character features
move with jieba's cut; this one reads ``message.text`` after ``ShopTextNormalizer`` (full- to
half-width, traditional to simplified, colloquial spellings standardised), so "到货没" gives the
same n-grams however it was segmented (``shop_nlu/char_ngrams.py``; measured in issue 14
rounds 8 and 12, see config.yml).

Only sentence features: the intent classifier (``shop_nlu.classifier``) reads sentence rows
alone, and nothing in the pipeline reads sequence features per token. A message with no tokens
(empty text) gets no row, as from Rasa's count vectors and ``ShopVocabFeaturizer``, so every
featurised message has the same width. The vocabulary (n-gram → column) is stored with the model
as JSON; n-grams never seen in training (new characters) are dropped at parse time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from shop_nlu.char_ngrams import CharNgrams

logger = logging.getLogger(__name__)

_FILE = "char_ngrams.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class ShopCharNgramFeaturizer(SparseFeaturizer, GraphComponent):
    """Character ``min_ngram``..``max_ngram``-grams of the message text (``min_df``: an n-gram
    must occur in that many training messages; ``sublinear_tf``: counts as 1 + log count)."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            "min_ngram": 1,
            "max_ngram": 3,
            "min_df": 1,
            "sublinear_tf": False,
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return None

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        low, high = int(config.get("min_ngram", 1)), int(config.get("max_ngram", 3))
        if not 1 <= low <= high:
            raise ValueError(f"ShopCharNgramFeaturizer: need 1 <= min_ngram <= max_ngram, got {low} / {high}")
        if int(config.get("min_df", 1)) < 1:
            raise ValueError(f"ShopCharNgramFeaturizer: min_df must be at least 1, got {config.get('min_df')}")

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # The features come from this code, not only from the config: a changed vectorizer
        # must retrain rather than reuse Rasa's cached component.
        digest = hashlib.sha256()
        for module in (Path(__file__), Path(__file__).with_name("char_ngrams.py")):
            digest.update(module.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        ngrams: Optional[CharNgrams] = None,
    ) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self.ngrams = ngrams or CharNgrams(
            (config["min_ngram"], config["max_ngram"]), config["min_df"], config["sublinear_tf"]
        )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ShopCharNgramFeaturizer":
        return cls(config, model_storage, resource, execution_context)

    @staticmethod
    def _text(message: Message) -> Optional[str]:
        """The text to featurise, or None when the message gets no row (no tokens)."""
        text = message.get(TEXT)
        if not isinstance(text, str) or not text or not message.get(TOKENS_NAMES[TEXT]):
            return None
        return text

    def train(self, training_data: TrainingData) -> Resource:
        self.ngrams.fit(t for t in map(self._text, training_data.training_examples) if t)
        self.persist()
        return self._resource

    def _featurize(self, messages: List[Message]) -> None:
        if not self.ngrams.width:
            return  # nothing learnt (no training text): no columns for any message
        chosen = [(m, t) for m, t in ((m, self._text(m)) for m in messages) if t]
        if not chosen:
            return
        rows = self.ngrams.transform([t for _, t in chosen])
        for k, (message, _) in enumerate(chosen):
            self.add_features_to_message(None, rows[k].tocoo(), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / _FILE).write_text(json.dumps(self.ngrams.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "ShopCharNgramFeaturizer":
        # Fail closed: a model whose vocabulary is missing or unreadable is an error, not a
        # featurizer that silently adds nothing (the classifier's columns would shift).
        with model_storage.read_from(resource) as model_dir:
            data = json.loads((model_dir / _FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, execution_context, CharNgrams.from_dict(data))
