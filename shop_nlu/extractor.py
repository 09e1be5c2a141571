"""Rasa component ``shop_nlu.extractor.ShopEntityExtractor``: all entities, deterministically.

Runs after the intent classifier. For every message it produces entities with values
normalised for the actions (see :mod:`shop_nlu.rules`, :mod:`shop_nlu.numbers`,
:mod:`shop_nlu.vocab`, :mod:`shop_nlu.gazetteer` for the rules):

- fixed shapes: ``order_no``, ``phone_suffix``, ``quantity``, ``size``, ``color``,
  ``budget_min``/``budget_max``;
- catalogue gazetteer: ``product``, ``brand``, ``category``;
- vocabulary (``data/nlu/vocab/shop_vocab.yml``): ``topic``, ``service_type``, ``reason``,
  ``reference``.

``reason`` is only reported when the message is about after-sales (the classifier's intent
is ``after_sales`` or the message names a service type): "偏大" is a size question before
buying and a return reason after.

The catalogue, the jieba dictionary and the vocabulary file are copied into the model at
training time and hashed into the fingerprint.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from shop_nlu import scope
from shop_nlu.pipeline import ShopEntityFinder
from shop_nlu.resource_component import ResourceBackedComponent

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ShopEntityExtractor(ResourceBackedComponent, GraphComponent, EntityExtractorMixin):
    """Rule, vocabulary and catalogue-gazetteer entity extraction with normalised values."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "dictionary_path": "shop_nlu/dict/jieba",
            "catalogue_path": "shop_nlu/dict/catalogue.json",
            "vocab_path": "data/nlu/vocab/shop_vocab.yml",
            # intents for which `reason` is reported without a service type in the message
            "reason_intents": ["after_sales"],
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["jieba", "spacy", "pypinyin"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 finder: ShopEntityFinder) -> None:
        self._config = self._with_defaults(config)
        self._keep_storage(model_storage, resource)
        self.finder = finder

    @classmethod
    def _from_sources(cls, config, model_storage, resource, execution_context, src) -> "ShopEntityExtractor":
        config = {**cls.get_default_config(), **config}
        finder = ShopEntityFinder.from_files(
            dict_files=src["dict_files"], catalogue_path=src["catalogue"],
            vocab_path=src["vocab"], reason_intents=config.get("reason_intents"))
        return cls(config, model_storage, resource, finder)

    def _guard_scope(self, message: Message, text: str) -> Optional[str]:
        """The intent after the out-of-scope guard (shop_nlu.scope): the extractor is the
        component that already knows the message's shop signals, and it runs right after
        the classifier, so the entities below follow the corrected intent."""
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if intent != scope.OUT_OF_SCOPE:
            return intent
        signals = scope.shop_signals((name for name, _, _ in self.finder.features(text)), keep_vetoed=True)
        guarded = scope.guard_out_of_scope(message.get(INTENT_RANKING_KEY) or [], signals)
        if guarded is None:
            return intent
        new_intent, ranking = guarded
        logger.debug("Out-of-scope guess with shop signals %s → %s", signals, new_intent["name"])
        message.set(INTENT, new_intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return new_intent["name"]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            intent = self._guard_scope(message, text)
            found = [e.as_dict() for e in self.finder.find(text, intent=intent)]
            for entity in found:
                entity["confidence_entity"] = 1.0
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
