"""Rasa component ``shop_nlu.fallback.ShopFallbackClassifier``: Rasa's FallbackClassifier,
except that an unsure *out-of-scope* guess is answered as out of scope.

Why: the clarifying question ("您是想：查订单 / 咨询商品？") offers two shop meanings. When
the best guess is that the message is not about the shop at all, those buttons are two
wrong answers; the out-of-scope reply is already the safe one — it does nothing and lists
what the assistant can do — and ``action_out_of_scope`` adds the likeliest shop meaning as a
button when the model was unsure. Every other intent falls back exactly as in Rasa.
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ShopFallbackClassifier(FallbackClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**FallbackClassifier.get_default_config(), "answer_directly": ["out_of_scope"]}

    def _should_fallback(self, message: Message) -> bool:
        intent = (message.data.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if intent in set(self.component_config.get("answer_directly") or ()):
            return False
        return super()._should_fallback(message)
