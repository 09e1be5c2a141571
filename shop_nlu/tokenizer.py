"""Rasa component ``shop_nlu.tokenizer.ShopJiebaTokenizer``.

What it changes compared with Rasa's ``JiebaTokenizer``:

- no whitespace tokens ("iPhone 15 多少钱" → iPhone / 15 / 多少 / 钱);
- product models stay whole: every product mention the catalogue gazetteer finds becomes one
  token ("iPhone 15 Pro", "小米14", "Mate 60", "iphone15promax"), so featurizers see the model
  as one word and no entity span can cut it;
- the shop's jieba user dictionary (``dictionary_path``, a directory of ``*.txt`` files) is
  loaded into a private jieba instance, not into jieba's global one;
- the dictionary and the catalogue are copied into the model and hashed into its fingerprint
  (regenerating them retrains the model).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from shop_nlu import resources
from shop_nlu.resource_component import ResourceBackedComponent
from shop_nlu.gazetteer import Catalogue, Gazetteer, get_gazetteer
from shop_nlu.segment import Segmenter, get_segmenter

logger = logging.getLogger(__name__)


def merge_spans(tokens: List[Tuple[str, int, int]], spans: List[Tuple[int, int]], text: str
                ) -> List[Tuple[str, int, int]]:
    """Tokens with every span in ``spans`` turned into one token.

    A token that straddles a span boundary is cut at the boundary; whitespace-only pieces
    are dropped.
    """
    if not spans:
        return tokens
    out = [(text[s:e], s, e) for s, e in spans]
    for _word, start, end in tokens:
        pieces = [(start, end)]
        for s, e in spans:
            kept = []
            for ps, pe in pieces:
                if pe <= s or ps >= e:
                    kept.append((ps, pe))
                    continue
                if ps < s:
                    kept.append((ps, s))
                if pe > e:
                    kept.append((e, pe))
            pieces = kept
        out.extend((text[ps:pe], ps, pe) for ps, pe in pieces if text[ps:pe].strip())
    return sorted(out, key=lambda t: t[1])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class ShopJiebaTokenizer(ResourceBackedComponent, Tokenizer):
    """jieba tokenizer without whitespace tokens that keeps catalogue models whole."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # directory of jieba user dictionaries (every *.txt in it)
            "dictionary_path": "shop_nlu/dict/jieba",
            # gazetteer catalogue used to keep product models in one token
            "catalogue_path": "shop_nlu/dict/catalogue.json",
            "merge_products": True,
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["jieba", "spacy", "pypinyin"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 dict_files: List[Path], catalogue: Optional[Catalogue]) -> None:
        super().__init__(self._with_defaults(config))
        self._keep_storage(model_storage, resource)
        self._dict_files = dict_files
        self._catalogue = catalogue
        self.segmenter: Segmenter = get_segmenter(dict_files)
        self.gazetteer: Optional[Gazetteer] = None
        if catalogue is not None and self._config["merge_products"]:
            self.gazetteer = get_gazetteer(catalogue, self.segmenter)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Only the dictionary and the catalogue: a vocabulary edit need not re-tokenize."""
        src = resources.source_files(cls._with_defaults(config))
        return resources.digest_paths(src["dict_files"] + ([src["catalogue"]] if src["catalogue"] else []))

    @classmethod
    def _from_sources(cls, config, model_storage, resource, execution_context, src) -> "ShopJiebaTokenizer":
        catalogue = Catalogue.load(src["catalogue"]) if src.get("catalogue") else None
        return cls(config, model_storage, resource, src["dict_files"], catalogue)

    def _stored_sources(self) -> dict:
        """The dictionary and the catalogue (tokens do not depend on the vocabulary)."""
        return {**resources.source_files(self._config), "vocab": None}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        pieces = self.segmenter.tokens(text)
        if self.gazetteer is not None and attribute == TEXT:
            spans = self.gazetteer.product_spans(text)
            pieces = merge_spans(pieces, spans, text)
        tokens = [Token(word, start, end) for word, start, end in pieces]
        return self._apply_token_pattern(tokens)
