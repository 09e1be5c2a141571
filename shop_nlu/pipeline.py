"""All deterministic entity extraction in one object, usable without Rasa.

>>> finder = ShopEntityFinder.from_files()            # the working tree's resources
>>> [(e.entity, e.value) for e in finder.find("订单号：２０２４０５０３１２３４５６７８９０到哪了")]
[('order_no', '202405031234567890'), ('topic', 'logistics')]

The Rasa component :class:`shop_nlu.extractor.ShopEntityExtractor` wraps it; the evaluation
command and the unit tests call it directly.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

from shop.domain.policies import POLICY_TOPICS
from shop_nlu import resources
from shop_nlu.gazetteer import Catalogue, Gazetteer, get_gazetteer
from shop_nlu.normalize import normalize_text
from shop_nlu.rules import ColourMatcher, Entity, find_all, overlaps
from shop_nlu.segment import Segmenter, get_segmenter
from shop_nlu.vocab import FEATURE_TABLES, ShopVocabulary

# Numbers inside these entities are not sizes, budgets or quantities.
_NUMERIC_OWNERS = ("order_no", "phone_suffix", "product")
_SHAPE_OF = {"order_no": "order_no", "phone_suffix": "phone_suffix", "product": "product",
             "brand": "brand", "category": "category", "budget_min": "budget",
             "budget_max": "budget", "quantity": "quantity", "size": "size", "color": "color"}
_SHAPE_FEATURES = sorted(set(_SHAPE_OF.values()))
# Topics that are a question about the shop's service before ordering (`purchase`) and about
# the shopper's own order after it (`order_status`): the labelling guide's "has the shopper
# already ordered?" line (self-pickup, when it arrives, where it ships, out of stock). With a
# placed-order cue (我的订单, 这单, 已下单 ...) or an order number in the message, such a topic
# points the classifier at `order_status` instead: word counts alone cannot say "pickup AND an
# order of mine" (issue 14 round 13).
ORDER_DEPENDENT_TOPICS = frozenset({"pickup", "delivery_time", "shipping_area", "stock"})
# Small talk and out-of-scope messages get no topic/service/reason/reference ("今天天气怎么样"
# is not a spec question). Facts (numbers, catalogue names) are kept.
_NO_VOCAB_INTENTS = {"out_of_scope", "greet", "goodbye", "thank", "bot_challenge"}


class ShopEntityFinder:
    def __init__(
        self,
        segmenter: Segmenter,
        vocabulary: ShopVocabulary,
        gazetteer: Optional[Gazetteer] = None,
        reason_intents: Optional[Iterable[str]] = None,
    ) -> None:
        self.segmenter = segmenter
        self.vocabulary = vocabulary
        self.gazetteer = gazetteer
        colours = gazetteer.catalogue.colours if gazetteer is not None else []
        self.colours = ColourMatcher(colours)
        self.reason_intents = set(reason_intents or ["after_sales", "inform"])
        # The tokenizer, the featurizer and the extractor all look at the same message:
        # analyse each text once.
        self._analyse = lru_cache(maxsize=1024)(self._analyse_uncached)
        self._vocab_entities = lru_cache(maxsize=1024)(
            lambda text: tuple(self.vocabulary.find(text)))

    @classmethod
    def from_files(
        cls,
        dict_files: Optional[Sequence[Path]] = None,
        catalogue_path: Optional[Path] = resources.CATALOGUE_PATH,
        vocab_path: Optional[Path] = None,
        reason_intents: Optional[Iterable[str]] = None,
    ) -> "ShopEntityFinder":
        if dict_files is None:
            dict_files = resources.dictionary_files(resources.JIEBA_DICT_DIR)
        segmenter = get_segmenter(list(dict_files))
        vocabulary = ShopVocabulary.load(vocab_path or resources.VOCAB_PATH)
        gazetteer = None
        if catalogue_path is not None and Path(catalogue_path).exists():
            gazetteer = get_gazetteer(Catalogue.load(catalogue_path), segmenter)
        return cls(segmenter, vocabulary, gazetteer, reason_intents)

    def feature_names(self) -> List[str]:
        """All features :meth:`features` can produce, in a fixed order."""
        names = [f"{table}={value}" for table in FEATURE_TABLES
                 for value in self.vocabulary.values(table)]
        # The intent a matched topic usually belongs to: a topic no training example mentions
        # (a service added to the vocabulary later) still points the classifier at its intent.
        names += [f"topic_intent={intent}" for intent in self.vocabulary.topic_intents()]
        names += [f"has={kind}" for kind in _SHAPE_FEATURES]
        names.append("shape=only_values")
        return names

    def features(self, text: str) -> List[Tuple[str, int, int]]:
        """(feature name, start, end) for a message: every vocabulary match (cue words
        included, before the entity rules), one "has=<entity>" per number or catalogue
        entity, and "shape=only_values" when such entities are nearly all the message says
        ("小米14 黑色", "两千左右": an answer to a question)."""
        facts, matches = self._analyse(normalize_text(text))
        # a shop word that starts inside a word of the world is no shop word ("空气质量怎么样":
        # 质量 is no spec;
        # issue 14 round 13, since a world word no longer vetoes the shop signals)
        world = [(m.start, m.end) for m in matches if (m.entity, m.value) == WORLD_CUE]
        matches = [m for m in matches if (m.entity, m.value) == WORLD_CUE
                   or not any(start <= m.start < end for start, end in world)]
        out = [(f"{m.entity}={m.value}", m.start, m.end) for m in matches]
        placed = (any(m.entity == "cue" and m.value == "placed" for m in matches)
                  or any(ent.entity == "order_no" for ent in facts))
        # beside another world's business (the off_topic cue: 商家入驻, 拼多多的订单) a topic word
        # points at no shop intent: the out-of-scope guard vetoes its signal (shop_nlu/scope.py),
        # and the pointer must not pull the classifier to the shop intent either ("我想入驻自营":
        # self_operated -> purchase; issue 14 round 16). The topic's own column stays.
        another_world = any((m.entity, m.value) == OFF_TOPIC_CUE for m in matches)
        for m in matches:
            intent = self.vocabulary.topic_intent(m.value) if m.entity == "topic" else None
            if another_world:
                intent = None
            if intent and placed and m.value in ORDER_DEPENDENT_TOPICS:
                intent = "order_status"
            if intent:
                out.append((f"topic_intent={intent}", m.start, m.end))
        covered = set()
        for ent in facts:
            kind = _SHAPE_OF.get(ent.entity)
            # likewise a catalogue name inside a world word ("打开空调": a command, not goods)
            if kind and ent.entity in ("product", "brand", "category") and any(
                    start <= ent.start < end for start, end in world):
                continue
            if kind:
                out.append((f"has={kind}", ent.start, ent.end))
                covered.update(range(ent.start, ent.end))
        content = [i for i, ch in enumerate(text) if ch.isalnum()]
        if content and sum(i in covered for i in content) >= 0.7 * len(content):
            out.append(("shape=only_values", 0, len(text)))
        return out

    def find(self, text: str, intent: Optional[str] = None) -> List[Entity]:
        """Entities of one message (raw or normalised text; offsets are the same)."""
        text = normalize_text(text)
        facts, _ = self._analyse(text)
        vocab = [Entity(m.entity, m.value, m.start, m.end) for m in self._vocab_entities(text)]
        # a vocabulary word inside a catalogue name is part of the name ("充电" in 充电器)
        names = [e for e in facts if e.entity in ("product", "brand", "category")]
        vocab = [v for v in vocab if not any(
            n.start <= v.start and v.end <= n.end and (n.start, n.end) != (v.start, v.end)
            for n in names)]
        if intent in _NO_VOCAB_INTENTS:
            vocab = []
            facts = [e for e in facts if e.entity != "quantity"]
        has_service = any(e.entity == "service_type" for e in vocab)
        if not (has_service or (intent in self.reason_intents)):
            vocab = [e for e in vocab if e.entity != "reason"]
        elif not has_service:
            # "七天无理由怎么算" asks about a policy; it gives no reason for a request
            policy = [e for e in vocab if e.entity == "topic" and e.value in POLICY_TOPICS]
            vocab = [e for e in vocab if e.entity != "reason"
                     or not any(p.start <= e.start and e.end <= p.end for p in policy)]
        return resolve_spans(list(facts) + vocab, text)

    def _analyse_uncached(self, text: str):
        """Numbers and catalogue names (intent-independent), and all vocabulary matches."""
        catalogue = self.gazetteer.find(text) if self.gazetteer is not None else []
        products = [e for e in catalogue if e.entity == "product"]
        shaped = find_all(text, self.colours)
        owners = [e for e in shaped if e.entity in ("order_no", "phone_suffix")] + products
        shaped = [
            e for e in shaped
            if e.entity in _NUMERIC_OWNERS or e.entity == "color"
            or not any(overlaps(e, o) for o in owners)
        ]
        # numbers inside a catalogue name are part of it ("四件套" is not a quantity)
        shaped = [e for e in shaped if e.entity in _NUMERIC_OWNERS or not any(
            c.start <= e.start and e.end <= c.end for c in catalogue if c.entity != "product")]
        # brands/categories never inside an order number
        catalogue = [e for e in catalogue if e.entity == "product"
                     or not any(overlaps(e, o) for o in owners if o.entity != "product")]
        # a colour word that is part of a product or brand name is not a colour
        names = [e for e in catalogue if e.entity in ("product", "brand")]
        shaped = [e for e in shaped if e.entity != "color" or not any(
            n.start <= e.start and e.end <= n.end for n in names)]
        matches = tuple(self.vocabulary.matches(text))
        # a name read from a slip is no name where an off-topic word stands ("给我写首诗": 诗 is
        # a poem, not the 饰 of 首饰)
        off_topic = [m for m in matches if (m.entity, m.value) in OFF_TOPIC_CUES]
        catalogue = [e for e in catalogue if not (e.guessed and any(
            m.start < e.end and e.start < m.end for m in off_topic))]
        return tuple(shaped + catalogue), matches


OFF_TOPIC_CUE = ("cue", "off_topic")
# another world's business, or the world around the shopper (shop_vocab.yml, issue 14 round 13)
WORLD_CUE = ("cue", "world")
OFF_TOPIC_CUES = {OFF_TOPIC_CUE, WORLD_CUE}
_VOCAB_ENTITIES = {"topic", "service_type", "reason", "reference"}
_PRIORITY = {name: rank for rank, name in enumerate((
    "order_no", "phone_suffix", "product", "brand", "category", "budget_min", "budget_max",
    "size", "quantity", "color", "service_type", "reason", "topic", "reference"))}


def resolve_spans(entities: List[Entity], text: Optional[str] = None) -> List[Entity]:
    """Make spans identical or disjoint, never nested or crossing.

    Rasa's training-data syntax (and `rasa test`) can only write entities whose spans are
    equal ("[坏了][{topic}, {reason}]") or apart. Higher-priority entities keep their span;
    a lower-priority one inside it takes the same span, one around it keeps the longer
    remaining side ("退款怎么还没到" with service_type 退款 → topic on 怎么还没到), and one
    crossing it keeps its part outside. Values never change.
    """
    placed: List[Entity] = []

    def order(e: Entity):
        # numbers and catalogue names by priority first; then vocabulary entities, the
        # longest (most specific) first, so "退款怎么还没到" (topic) carries 退款 (service)
        if e.entity in _VOCAB_ENTITIES:
            return (1, -(e.end - e.start), _PRIORITY.get(e.entity, 99), e.start)
        return (0, _PRIORITY.get(e.entity, 99), e.start, -e.end)

    for ent in sorted(entities, key=order):
        start, end = ent.start, ent.end
        if text is not None:
            while end > start and text[end - 1].isspace():
                end -= 1
            while end > start and text[start].isspace():
                start += 1
        for _ in range(len(placed) + 1):
            clash = next((p for p in placed if start < p.end and p.start < end
                          and (start, end) != (p.start, p.end)), None)
            if clash is None:
                break
            if clash.start <= start and end <= clash.end:          # inside: share the span
                start, end = clash.start, clash.end
            elif start <= clash.start and clash.end <= end:        # around: longer side
                left, right = clash.start - start, end - clash.end
                if max(left, right) < 2 or clash.entity in _VOCAB_ENTITIES:
                    start, end = clash.start, clash.end
                elif left >= right:
                    end = clash.start
                else:
                    start = clash.end
            elif start < clash.start:                              # crossing on the right
                end = clash.start
            else:                                                  # crossing on the left
                start = clash.end
        if text is not None:
            while end > start and text[end - 1].isspace():
                end -= 1
            while end > start and text[start].isspace():
                start += 1
        if end <= start or any((start, end) != (p.start, p.end) and start < p.end and p.start < end
                               for p in placed):
            continue  # could not be placed without crossing (never seen; drop rather than lie)
        if any(p.entity == ent.entity and p.value == ent.value and (p.start, p.end) == (start, end)
               for p in placed):
            continue
        placed.append(Entity(ent.entity, ent.value, start, end))
    return sorted(placed, key=lambda e: (e.start, _PRIORITY.get(e.entity, 99)))
