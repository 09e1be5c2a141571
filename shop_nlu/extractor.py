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

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from shop_nlu import resources
from shop_nlu.pipeline import ShopEntityFinder

logger = logging.getLogger(__name__)

_DICT_SUBDIR = "jieba"
_CATALOGUE_FILE = "catalogue.json"
_VOCAB_FILE = "shop_vocab.yml"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ShopEntityExtractor(GraphComponent, EntityExtractorMixin):
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
    def supported_languages() -> Optional[List[Text]]:
        return ["zh"]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["jieba", "spacy"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        finder: ShopEntityFinder,
        sources: Dict[str, Any],
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.finder = finder
        self._sources = sources

    @classmethod
    def _sources(cls, config: Dict[Text, Any]) -> Dict[str, Any]:
        config = {**cls.get_default_config(), **config}
        dict_dir = resources.resolve(config.get("dictionary_path"), resources.JIEBA_DICT_DIR)
        return {
            "dict_files": resources.dictionary_files(dict_dir),
            "catalogue": resources.resolve(config.get("catalogue_path"), resources.CATALOGUE_PATH),
            "vocab": resources.resolve(config.get("vocab_path"), resources.VOCAB_PATH),
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        src = cls._sources(config)
        return resources.digest_paths(src["dict_files"] + [src["catalogue"], src["vocab"]])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ShopEntityExtractor":
        src = cls._sources(config)
        finder = ShopEntityFinder.from_files(
            dict_files=src["dict_files"],
            catalogue_path=src["catalogue"] if src["catalogue"].exists() else None,
            vocab_path=src["vocab"],
            reason_intents=config.get("reason_intents"),
        )
        return cls(config, model_storage, resource, finder, src)

    def train(self, training_data: TrainingData) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            directory = Path(directory)
            resources.copy_into(directory, self._sources["dict_files"], _DICT_SUBDIR)
            if self._sources["catalogue"].exists():
                shutil.copy2(self._sources["catalogue"], directory / _CATALOGUE_FILE)
            shutil.copy2(self._sources["vocab"], directory / _VOCAB_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "ShopEntityExtractor":
        try:
            with model_storage.read_from(resource) as directory:
                keep = Path(tempfile.mkdtemp(prefix="shop_nlu_extractor_"))
                for item in Path(directory).iterdir():
                    if item.is_dir():
                        shutil.copytree(item, keep / item.name)
                    else:
                        shutil.copy2(item, keep / item.name)
        except ValueError:
            logger.debug("No persisted resources for %s; using the working tree's.", cls.__name__)
            return cls.create(config, model_storage, resource, execution_context)
        catalogue = keep / _CATALOGUE_FILE
        finder = ShopEntityFinder.from_files(
            dict_files=resources.dictionary_files(keep / _DICT_SUBDIR),
            catalogue_path=catalogue if catalogue.exists() else None,
            vocab_path=keep / _VOCAB_FILE,
            reason_intents=config.get("reason_intents"),
        )
        return cls(config, model_storage, resource, finder, {})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            found = [e.as_dict() for e in self.finder.find(text, intent=intent)]
            for entity in found:
                entity["confidence_entity"] = 1.0
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
