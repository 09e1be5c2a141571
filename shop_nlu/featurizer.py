"""Rasa component ``shop_nlu.featurizer.ShopVocabFeaturizer``: shop knowledge as features.

The intent classifier learns from about two thousand examples; the shop vocabulary
(``data/nlu/vocab/shop_vocab.yml``) and the catalogue know far more surface forms than the
examples show. This featurizer hands that knowledge to the intent classifier as sparse features, one column
per canonical value, so an unseen phrasing still lights up the right column:

- ``topic=<value>``, ``service_type=<value>``, ``reason=<value>``, ``reference=context``: the
  vocabulary matches (before the entity rules, e.g. reasons regardless of intent);
- ``cue=<value>``: intent cue words of the vocabulary's ``cue`` section (greetings, thanks,
  hand-off, recommendation, off-topic words ...), features only, never entities;
- ``has=<kind>``: an order number, phone suffix, product, brand, category, budget,
  quantity, size or colour in the message.

Sequence features mark the tokens a match covers; the sentence feature marks every match.
The feature columns are fixed by the vocabulary file, which is copied into the model (and
hashed into its fingerprint) like the dictionary and the catalogue.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

import numpy as np
import scipy.sparse

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

from shop_nlu import resources
from shop_nlu.pipeline import ShopEntityFinder
from shop_nlu.resource_component import ResourceBackedComponent

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class ShopVocabFeaturizer(ResourceBackedComponent, SparseFeaturizer, GraphComponent):
    """Sparse features from the shop vocabulary, the catalogue and the entity rules."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SparseFeaturizer.get_default_config(), **resources.DEFAULT_SOURCES}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, finder: ShopEntityFinder) -> None:
        super().__init__(execution_context.node_name, self._with_defaults(config))
        self._keep_storage(model_storage, resource)
        self.finder = finder
        self.names = finder.feature_names()
        self.index = {name: i for i, name in enumerate(self.names)}

    @classmethod
    def _from_sources(cls, config, model_storage, resource, execution_context, src):
        finder = ShopEntityFinder.from_files(
            dict_files=src["dict_files"], catalogue_path=src["catalogue"], vocab_path=src["vocab"])
        return cls(config, model_storage, resource, execution_context, finder)

    def _featurize(self, message: Message) -> None:
        text = message.get(TEXT)
        tokens = message.get(TOKENS_NAMES[TEXT], [])
        if not text or not tokens:
            return
        sequence = np.zeros((len(tokens), len(self.names)), dtype=np.float32)
        sentence = np.zeros((1, len(self.names)), dtype=np.float32)
        for name, start, end in self.finder.features(text):
            column = self.index.get(name)
            if column is None:
                continue
            sentence[0, column] = 1.0
            for row, token in enumerate(tokens):
                if token.start < end and start < token.end:
                    sequence[row, column] = 1.0
        self.add_features_to_message(
            scipy.sparse.coo_matrix(sequence), scipy.sparse.coo_matrix(sentence), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._featurize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages
