"""The operator-editable shop vocabulary (``data/nlu/vocab/shop_vocab.yml``) and its matcher.

The file maps canonical values of the rule-based entities (``topic``, ``service_type``,
``reason``, ``reference``) to the surface forms shoppers type; see the file's header for the
matching rules. This module has no Rasa dependency.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from shop_nlu.normalize import normalize_text

from shop.settings import REPO_ROOT  # noqa: E402 - the one definition
DEFAULT_VOCAB_PATH = REPO_ROOT / "data" / "nlu" / "vocab" / "shop_vocab.yml"

VOCAB_ENTITIES = ("topic", "service_type", "reason", "reference")
# `cue` words are features for the intent classifier only (never entities).
FEATURE_TABLES = VOCAB_ENTITIES + ("cue",)


@dataclass(frozen=True)
class VocabMatch:
    entity: str
    value: str
    start: int
    end: int


def lower_keep_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def prepare(text: str) -> str:
    """The form vocabulary matching runs on: normalised and lower case, same length."""
    return lower_keep_length(normalize_text(text))


def _is_latin_letter(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z"


def _inside_latin_word(text: str, start: int, end: int) -> bool:
    """Whether a surface that begins or ends with a Latin letter is cut out of a longer
    English word: "hi" in "shipping", "ai" in "email", "no" in "know". Chinese has no word
    boundaries to respect, English does; "ok了" and "退款refund" still match."""
    return ((_is_latin_letter(text[start]) and start > 0 and _is_latin_letter(text[start - 1]))
            or (_is_latin_letter(text[end - 1]) and end < len(text) and _is_latin_letter(text[end])))


class _Table:
    """Surface forms of one entity: literal look-up by length plus a few regexes."""

    def __init__(self, entity: str, spec: Mapping[str, Mapping]) -> None:
        self.entity = entity
        self.literals: Dict[str, str] = {}
        self.regexes: List[Tuple[re.Pattern, str]] = []
        self.blocks: List[Tuple[str, Optional[re.Pattern], str]] = []  # (value, regex, literal)
        for value, entry in (spec or {}).items():
            value = str(value)
            for surface in (entry or {}).get("surface", []) or []:
                self._add(str(surface), value)
            for blocked in (entry or {}).get("block", []) or []:
                blocked = str(blocked)
                if blocked.startswith("re:"):
                    self.blocks.append((value, re.compile(blocked[3:]), ""))
                else:
                    self.blocks.append((value, None, prepare(blocked)))
        self.lengths = sorted({len(s) for s in self.literals}, reverse=True)

    def _add(self, surface: str, value: str) -> None:
        if surface.startswith("re:"):
            self.regexes.append((re.compile(surface[3:]), value))
            return
        key = prepare(surface)
        if key:
            # First definition wins, so the file order resolves duplicates deterministically.
            self.literals.setdefault(key, value)

    def candidates(self, text: str) -> List[VocabMatch]:
        found = []
        n = len(text)
        for i in range(n):
            for length in self.lengths:
                if i + length > n:
                    continue
                value = self.literals.get(text[i:i + length])
                if value is not None and not _inside_latin_word(text, i, i + length):
                    found.append(VocabMatch(self.entity, value, i, i + length))
        for pattern, value in self.regexes:
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    found.append(VocabMatch(self.entity, value, match.start(), match.end()))
        return found

    def blocked_spans(self, text: str) -> List[Tuple[str, int, int]]:
        spans = []
        for value, pattern, literal in self.blocks:
            if pattern is not None:
                spans.extend((value, m.start(), m.end()) for m in pattern.finditer(text))
            else:
                start = text.find(literal)
                while start >= 0:
                    spans.append((value, start, start + len(literal)))
                    start = text.find(literal, start + 1)
        return spans

    def match(self, text: str, multiple: bool = True) -> List[VocabMatch]:
        candidates = self.candidates(text)
        if not candidates:
            return []
        blocked = self.blocked_spans(text)
        candidates.sort(key=lambda m: (-(m.end - m.start), m.start))
        chosen: List[VocabMatch] = []
        for cand in candidates:
            if any(cand.start < c.end and c.start < cand.end for c in chosen):
                continue
            if any(value == cand.value and cand.start < b_end and b_start < cand.end
                   and not (cand.start <= b_start and b_end <= cand.end
                            and (b_start, b_end) != (cand.start, cand.end))
                   for value, b_start, b_end in blocked):
                continue
            chosen.append(cand)
        chosen.sort(key=lambda m: m.start)
        if not multiple:
            return chosen
        return chosen


class ShopVocabulary:
    """All rule-based vocabulary tables, loaded from the YAML file."""

    def __init__(self, data: Mapping[str, Mapping]) -> None:
        self.data = data
        self.tables = {entity: _Table(entity, data.get(entity, {})) for entity in FEATURE_TABLES}

    @classmethod
    def load(cls, path: Optional[Path] = None) -> "ShopVocabulary":
        with open(path or DEFAULT_VOCAB_PATH, encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle) or {})

    @classmethod
    def from_text(cls, text: str) -> "ShopVocabulary":
        return cls(yaml.safe_load(text) or {})

    def values(self, entity: str) -> List[str]:
        return [str(v) for v in (self.data.get(entity) or {})]

    def topic_intent(self, topic: str) -> Optional[str]:
        """The intent a topic usually belongs to (its ``intent:`` in the file), if given."""
        entry = (self.data.get("topic") or {}).get(topic) or {}
        return entry.get("intent")

    def topic_intents(self) -> List[str]:
        return sorted({i for i in (self.topic_intent(t) for t in self.values("topic")) if i})

    def surfaces(self, entity: str) -> Iterable[str]:
        """Literal surface forms (for the jieba dictionary and lookup tables)."""
        for entry in (self.data.get(entity) or {}).values():
            for surface in (entry or {}).get("surface", []) or []:
                surface = str(surface)
                if not surface.startswith("re:"):
                    yield surface

    def matches(self, text: str, tables: Sequence[str] = FEATURE_TABLES) -> List[VocabMatch]:
        """Every match of the given tables, before entity rules (for features)."""
        prepared = prepare(text)
        return [m for table in tables for m in self.tables[table].match(prepared)]

    def find(self, text: str, entities: Sequence[str] = VOCAB_ENTITIES) -> List[VocabMatch]:
        """Matches of the given entities in ``text`` (raw or normalised; offsets agree)."""
        prepared = prepare(text)
        found: List[VocabMatch] = []
        for entity in entities:
            matches = self.tables[entity].match(prepared)
            if entity == "topic":
                # one entity per distinct topic value (first mention keeps the span)
                seen = set()
                matches = [m for m in matches if not (m.value in seen or seen.add(m.value))]
            elif entity in ("service_type", "reason"):
                seen = set()
                matches = [m for m in matches if not (m.value in seen or seen.add(m.value))]
            elif entity == "reference":
                matches = matches[:1]
            found.extend(matches)
        return found
