"""Rasa component ``shop_nlu.readability_guard.ShopReadabilityGuard``: a message with no readable
Chinese content is answered as out of scope, with the verdict in the parse data.

Place it after the entity extractor (it needs the entities) and before the fallback
classifier (so "。" gets no clarifying question about two shop meanings it never had). The
rule is :func:`shop_nlu.readability.assess`; this component applies it:

- a verdict that replaces the intent (everything but ``digits``): intent ``out_of_scope`` with
  confidence 1, the classifier's ranking kept below it, the entities dropped (nothing from
  "SELECT * FROM orders WHERE 1=1" may fill a slot), and ``readability`` in the parse data
  (kind, language, the classifier's own intent), which ``action_out_of_scope`` answers;
- ``digits``: only the ``readability`` mark; the intent and entities stay.

Every verdict is logged (kind, language, length; never the text: it may be hostile or
personal), digits at debug level. Not trainable; nothing is stored with the model.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from shop_nlu.readability import PARSE_KEY, assess

logger = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ShopReadabilityGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["zh"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ShopReadabilityGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            guard_message(message)
        return messages


def guard_message(message: Message) -> None:
    text = message.get(TEXT)
    if not isinstance(text, str):
        return
    intent = message.get(INTENT) or {}
    name = intent.get(INTENT_NAME_KEY)
    entities = message.get(ENTITIES) or []
    verdict = assess(text, (e.get("entity") for e in entities), name,
                     float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
    if verdict is None:
        return
    # Digits are an everyday answer (phone digits, a pick), the rest is worth an operator's look.
    log = logger.debug if verdict.keeps_intent else logger.info
    log("No readable Chinese content (%s%s, %d characters; classifier said %s)",
        verdict.kind, f", {verdict.language}" if verdict.language else "", len(text), name)
    message.set(PARSE_KEY, verdict.as_dict(name), add_to_output=True)
    if verdict.keeps_intent:
        return
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != OUT_OF_SCOPE]
    replaced = {INTENT_NAME_KEY: OUT_OF_SCOPE, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, replaced, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(replaced)] + ranking, add_to_output=True)
    message.set(ENTITIES, [], add_to_output=True)
