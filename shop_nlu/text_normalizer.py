"""Rasa component: normalises the message text before tokenization.

Place it first in the pipeline. It replaces ``message.text`` (and the text of training
examples) with :func:`shop_nlu.normalize.normalize_text` — full-width to half-width,
traditional to simplified, colloquial shop words respelt — which keeps every character at
its index, so entity spans stay valid for what the shopper typed. The text as typed is kept under ``text_as_typed``; the
tracker stores the channel's original text either way (``UserUttered(message.text, ...)``).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from shop_nlu.normalize import normalize_text

TEXT_AS_TYPED = "text_as_typed"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ShopTextNormalizer(GraphComponent):
    """Full-width → half-width and traditional → simplified, length-preserving."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["zh"]

    @staticmethod
    def required_packages() -> List[Text]:
        # opencc-python-reimplemented is imported as `opencc`; Rasa checks this list both as
        # module names (validation) and as distribution names (fingerprinting), which
        # differ here, so it is left out (a missing package fails at the first message).
        return []

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ShopTextNormalizer":
        return cls()

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        normalized = normalize_text(text)
        if normalized != text:
            message.set(TEXT_AS_TYPED, text)
            message.set(TEXT, normalized)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages
