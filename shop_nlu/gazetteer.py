"""Catalogue gazetteer: brands, categories and product models found in a message.

Built from ``shop_nlu/dict/catalogue.json`` (generated from the shop database by
``python -m shop_nlu.build_resources``), never from training-data lookup tables: the catalogue
may hold 100k+ products, and a 100k-entry lookup table would become one giant regex in
Rasa's RegexFeaturizer, slow to compile and to run on every message.

Why spaCy: matching runs on the *jieba tokens* (refined into atoms, see
:mod:`shop_nlu.segment`) with spaCy's ``PhraseMatcher``. It stores the phrases in a hash
trie implemented in Cython, so a message is matched in one pass whatever the number of
phrases (tens of microseconds at 100k models; a Python regex alternation of 100k models takes
seconds to compile and milliseconds per message). Matching token sequences rather than
characters gives word boundaries for free: the category 手机 is not found inside 手机壳,
"Mate 60" is not found inside "Mate 600", and spacing/case variants ("iphone15pro",
"iPhone 15 Pro") are one phrase. No spaCy *model* is needed (none exists for Chinese here):
only ``spacy.vocab.Vocab`` and ``Doc(vocab, words=...)``.

Entity semantics (what the actions receive):

- ``product``: a model mention. Value = the catalogue's model name when the mention is a
  catalogue model in any spelling ("iphone15pro" → "iPhone 15 Pro"); otherwise the text as
  typed, spaces collapsed ("Mate 70", "iPhone 16 Pro Max"), found from a known series word
  (iphone, mate, galaxy ...) or a brand followed by a model code.
- ``brand``: the canonical brand name when one of its spellings is typed outside a product
  mention (entities do not nest: "小米14" is the product 小米14 only; "小米的手机" is the
  brand 小米).
- ``category``: the canonical catalogue category name for a category word or alias
  ("笔记本电脑" → 笔记本); when none is written, also for a category word typed with a pinyin
  IME's wrong character ("耳几" → 耳机耳麦, :mod:`shop_nlu.homophones`).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from functools import lru_cache
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from shop_nlu.homophones import HomophoneIndex
from shop_nlu.normalize import match_key, normalize_text
from shop_nlu.rules import Entity
from shop_nlu.segment import Atom, Segmenter, split_suffixes
from shop_nlu.spelling import LatinSpelling

from shop.settings import REPO_ROOT  # noqa: E402 - the one definition
DEFAULT_CATALOGUE_PATH = REPO_ROOT / "shop_nlu" / "dict" / "catalogue.json"

# Words that continue a model name: "iPhone 15 Pro" + "Max".
MODEL_SUFFIXES = {
    "pro", "max", "plus", "ultra", "mini", "se", "lite", "air", "turbo", "note", "fold",
    "flip", "neo", "gt", "x", "s", "e", "t", "r", "5g", "4g", "青春版", "标准版", "至尊版",
    "典藏版", "尊享版", "旗舰版", "高配版", "低配版", "pura", "nova", "m",
}
_BOOK_TITLE_RE = re.compile(r"《([^》]+)》")
_ASCII_HEAD_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .+\-]*(?=\s*[\u4e00-\u9fff])")
_BRAND_CONTEXT = {"牌", "品牌", "旗舰店", "官方", "家", "家的", "官旗", "专卖店", "牌子", "的"}
_UNIT_START = set("码号元块寸个件双台部只瓶盒箱套斤岁天月年次升克米度")
_ASCII_ATOM_RE = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
_STORAGE_UNITS = {"g", "gb", "t", "tb", "mah", "w", "hz", "mm", "cm"}


@dataclass
class Catalogue:
    """What the gazetteer knows; the JSON file mirrors this structure."""

    brands: Dict[str, List[str]] = field(default_factory=dict)        # canonical -> spellings
    brand_blocks: Dict[str, List[str]] = field(default_factory=dict)  # spelling -> context words
    categories: Dict[str, List[str]] = field(default_factory=dict)    # canonical -> aliases
    category_parents: Dict[str, str] = field(default_factory=dict)
    models: List[str] = field(default_factory=list)
    colours: List[str] = field(default_factory=list)
    series: List[str] = field(default_factory=list)                   # extra series words
    not_series: List[str] = field(default_factory=list)               # first words that are not
    weak_brands: List[str] = field(default_factory=list)              # spellings needing context
    model_aliases: Dict[str, List[str]] = field(default_factory=dict) # model -> nicknames
    standalone_series: List[str] = field(default_factory=list)        # "ipad" alone = a product

    @classmethod
    def from_dict(cls, data: dict) -> "Catalogue":
        return cls(
            brands={k: list(v) for k, v in (data.get("brands") or {}).items()},
            brand_blocks={k: list(v) for k, v in (data.get("brand_blocks") or {}).items()},
            categories={k: list(v) for k, v in (data.get("categories") or {}).items()},
            category_parents=dict(data.get("category_parents") or {}),
            models=list(data.get("models") or []),
            colours=list(data.get("colours") or []),
            series=list(data.get("series") or []),
            not_series=list(data.get("not_series") or []),
            weak_brands=list(data.get("weak_brands") or []),
            model_aliases={k: list(v) for k, v in (data.get("model_aliases") or {}).items()},
            standalone_series=list(data.get("standalone_series") or []),
        )

    @classmethod
    def load(cls, path: Optional[Path] = None) -> "Catalogue":
        with open(path or DEFAULT_CATALOGUE_PATH, encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))

    def to_dict(self) -> dict:
        return {
            "brands": self.brands,
            "brand_blocks": self.brand_blocks,
            "categories": self.categories,
            "category_parents": self.category_parents,
            "models": self.models,
            "colours": self.colours,
            "series": self.series,
            "not_series": self.not_series,
            "weak_brands": self.weak_brands,
            "model_aliases": self.model_aliases,
            "standalone_series": self.standalone_series,
        }

    def digest(self) -> str:
        return hashlib.sha256(
            json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest()


@dataclass(frozen=True)
class _Hit:
    kind: str      # "B", "C" or "P"
    value: str
    start: int     # atom indices, end exclusive
    end: int
    guessed: bool = False   # read from a sound-alike, not written


class Gazetteer:
    """Finds catalogue brands, categories and products in a normalised message."""

    def __init__(self, catalogue: Catalogue, segmenter: Segmenter) -> None:
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc
        from spacy.vocab import Vocab

        self.catalogue = catalogue
        self.segmenter = segmenter
        self._vocab = Vocab()
        self._Doc = Doc
        self._matcher = PhraseMatcher(self._vocab, attr="ORTH")
        self._labels: Dict[int, Tuple[str, str]] = {}
        self._model_keys: Dict[str, str] = {}
        self._weak: set = {match_key(s) for s in catalogue.weak_brands}
        self._blocks: Dict[str, List[str]] = {
            match_key(k): [match_key(w) for w in v] for k, v in catalogue.brand_blocks.items()
        }
        self._brand_atoms: set = set()
        self._latin_words: set = set()   # every Latin word of a catalogue phrase
        self.series: set = {match_key(s) for s in catalogue.series}
        self.standalone: set = {match_key(s) for s in catalogue.standalone_series}
        self.series |= self.standalone
        not_series = {match_key(s) for s in catalogue.not_series}
        self._lock = threading.Lock()
        # the tokenizer and the entity finder ask about the same message
        self._find_cached = lru_cache(maxsize=1024)(lambda text: tuple(self._find(text)))

        # brand phrases indexed by their first atom, for stripping brands off model names
        self._brand_phrases: Dict[str, List[List[str]]] = {}
        for brand, spellings in catalogue.brands.items():
            for spelling in sorted({brand, *spellings}):
                phrase = self._phrase(spelling)
                if phrase:
                    self._add("B", brand, [phrase])
                    self._brand_phrases.setdefault(phrase[0], []).append(phrase)
                    if all(a[0].isdigit() for a in phrase):
                        self._weak.add("".join(phrase))  # "360": a number unless in context
                    if len(phrase) == 1:
                        self._brand_atoms.add(phrase[0])
        for category, aliases in catalogue.categories.items():
            phrases = [p for p in (self._phrase(a) for a in {category, *aliases}) if p]
            self._add("C", category, phrases)
        self._homophones = HomophoneIndex(catalogue.categories)
        self._brand_sounds = HomophoneIndex(catalogue.brands)
        for model in catalogue.models:
            phrase = self._phrase(model)
            if not phrase:
                continue
            phrases = [p for p in self._model_phrases(model, phrase) if p]
            phrases += [p for p in (self._phrase(a) for a in catalogue.model_aliases.get(model, ())) if p]
            self._add("P", model, phrases)
            self._model_keys.setdefault(match_key(model), model)
            if phrase[0].isalpha() and phrase[0].isascii() and len(phrase[0]) >= 3 \
                    and phrase[0] not in not_series:
                self.series.add(phrase[0])
        self._spelling = LatinSpelling(self._latin_words | self.series)

    # -- building ---------------------------------------------------------------------------

    def _phrase(self, text: str) -> List[str]:
        text = normalize_text(text)
        if text.isascii():
            # jieba only splits ASCII at spaces and punctuation: skip it (100k models load
            # in seconds instead of a minute)
            return [part for atom in _ASCII_ATOM_RE.findall(text.lower())
                    for part in (split_suffixes(atom) if atom[0].isalpha() else [atom])]
        return [atom.text for atom in self.segmenter.atoms(text)]

    def _model_phrases(self, model: str, phrase: List[str]) -> Iterable[List[str]]:
        yield phrase
        # "Osmo Pocket 3 口袋云台相机" is asked for as "Osmo Pocket 3" or "Pocket 3": the
        # Latin/number part before the Chinese description, with or without its first word
        head = _ASCII_HEAD_RE.match(model)
        if head and head.group(0).strip() != model.strip():
            short = self._phrase(head.group(0))
            if any(a[0].isdigit() for a in short) and len(short) >= 2:
                yield short
                rest = short[1:]
                if len(rest) >= 2 and rest[0].isalpha() and len(rest[0]) >= 3 \
                        and any(a[0].isdigit() for a in rest):
                    yield rest
        # books: the title in 《》 alone ("三体")
        title = _BOOK_TITLE_RE.search(model)
        if title:
            yield self._phrase(title.group(1))
        # "小米14" is also typed without the brand only when the rest is distinctive:
        # "HUAWEI Mate 60" -> "mate 60", but never "14" alone.
        for prefix in self._brand_phrases.get(phrase[0], ()) if phrase else ():
            if phrase[:len(prefix)] == prefix and len(phrase) > len(prefix):
                rest = phrase[len(prefix):]
                if not rest[0][0].isdigit():
                    yield rest

    def _add(self, kind: str, value: str, phrases: List[List[str]]) -> None:
        if not phrases:
            return
        key = f"{kind}|{value}"
        self._latin_words.update(atom for p in phrases for atom in p if atom.isascii() and atom.isalpha())
        docs = [self._Doc(self._vocab, words=p) for p in phrases]
        self._matcher.add(key, docs)
        self._labels[self._vocab.strings[key]] = (kind, value)

    # -- matching ---------------------------------------------------------------------------

    def find(self, text: str, atoms: Optional[List[Atom]] = None) -> List[Entity]:
        """Brand, category and product entities of a normalised text."""
        if atoms is None:
            return list(self._find_cached(text))
        return self._find(text, atoms)

    def _find(self, text: str, atoms: Optional[List[Atom]] = None) -> List[Entity]:
        if atoms is None:
            atoms = self.segmenter.atoms(text)
        if not atoms:
            return []
        atoms, respelt = self._respelt(atoms)
        doc = self._Doc(self._vocab, words=[a.text for a in atoms])
        with self._lock:
            raw = self._matcher(doc)
        hits = [_Hit(*self._labels[mid], s, e) for mid, s, e in raw]
        products = self._resolve_products([h for h in hits if h.kind == "P"], atoms, text)
        brands = self._non_overlapping([h for h in hits if h.kind == "B"])
        brands = [b for b in brands if not self._blocked(b, atoms, text)]
        brands = [b for b in brands if self._on_token_boundary(b, atoms)]
        categories = [c for c in self._non_overlapping([h for h in hits if h.kind == "C"])
                      if self._on_token_boundary(c, atoms)
                      and not any(c.start < p.end and p.start < c.end for p in products)]
        brands = [b for b in brands if self._strong_enough(b, atoms, products, categories)]
        # no nested entities: a brand inside a product mention ("小米14") is not repeated
        brands = [b for b in brands
                  if not any(p.start <= b.start and b.end <= p.end for p in products)]
        products += self._unknown_models(atoms, products, brands)
        products = self._absorb_brands(products, brands, atoms)
        brands = [b for b in brands
                  if not any(p.start <= b.start and b.end <= p.end for p in products)]
        if not categories:
            categories = self._misspelt_categories(atoms, text, products + brands)
        if not brands and not products and any(not c.guessed for c in categories):
            brands = self._misspelt_brands(atoms, text, categories)
        entities = []
        for hit in products:
            start, end = atoms[hit.start].start, atoms[hit.end - 1].end
            guessed = bool(respelt & set(range(hit.start, hit.end)))
            # a model read through a respelt word is named in the words corrected, not the slip
            typed = " ".join(a.text for a in atoms[hit.start:hit.end]) if guessed else " ".join(text[start:end].split())
            entities.append(Entity("product", hit.value or typed, start, end, guessed=guessed))
        for hit in brands:
            entities.append(Entity("brand", hit.value, atoms[hit.start].start, atoms[hit.end - 1].end,
                                   guessed=hit.guessed or bool(respelt & set(range(hit.start, hit.end)))))
        for hit in categories:
            entities.append(Entity("category", hit.value, atoms[hit.start].start, atoms[hit.end - 1].end,
                                   guessed=hit.guessed or bool(respelt & set(range(hit.start, hit.end)))))
        return sorted(entities, key=lambda e: (e.start, e.entity))

    def _misspelt_categories(self, atoms: List[Atom], text: str, taken: List[_Hit]) -> List[_Hit]:
        """"推荐个耳几": a category word typed with a homophone, where no name was written."""
        bounds = [(a.start, a.end) for a in atoms]
        spans = self._homophones.spans(bounds, text, self.segmenter.is_word, [(h.start, h.end) for h in taken])
        return [_Hit("C", category, first, last, guessed=True) for first, last, category in spans]

    def _misspelt_brands(self, atoms: List[Atom], text: str, categories: List[_Hit]) -> List[_Hit]:
        """"有没有小咪的手机", "华伟手机": a brand typed with a sound-alike character. Only beside a
        category written out (the shopper is naming a kind of goods), never alone: a word that
        merely sounds like a brand ("小蜜") is no brand without that."""
        bounds = [(a.start, a.end) for a in atoms]
        spans = self._brand_sounds.spans(bounds, text, self.segmenter.is_word, [(c.start, c.end) for c in categories])
        return [_Hit("B", brand, first, last, guessed=True) for first, last, brand in spans]

    def _respelt(self, atoms: List[Atom]) -> Tuple[List[Atom], set]:
        """The atoms with Latin words one letter off a catalogue word corrected ("ipone" →
        iphone, :mod:`shop_nlu.spelling`), and the indices of those corrected; offsets unchanged."""
        respelt = set()
        out = []
        for index, atom in enumerate(atoms):
            right = self._spelling.corrected(atom.text) if atom.is_latin else None
            if right:
                respelt.add(index)
                atom = replace(atom, text=right)
            out.append(atom)
        return out, respelt

    def product_spans(self, text: str, atoms: Optional[List[Atom]] = None) -> List[Tuple[int, int]]:
        return [(e.start, e.end) for e in self.find(text, atoms) if e.entity == "product"]

    @staticmethod
    def _absorb_brands(products: List[_Hit], brands: List[_Hit], atoms: List[Atom]) -> List[_Hit]:
        """"华为Mate 60 Pro", "戴森V12": a brand written right before a model belongs to the
        product mention (the value stays the catalogue model)."""
        out = []
        for p in products:
            start = p.start
            for b in brands:
                if b.end == p.start and atoms[p.start].start - atoms[b.end - 1].end <= 1:
                    start = b.start
            out.append(_Hit(p.kind, p.value, start, p.end))
        return out

    @staticmethod
    def _non_overlapping(hits: List[_Hit]) -> List[_Hit]:
        chosen: List[_Hit] = []
        for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
            if not any(hit.start < c.end and c.start < hit.end for c in chosen):
                chosen.append(hit)
        return sorted(chosen, key=lambda h: h.start)

    @staticmethod
    def _on_token_boundary(hit: _Hit, atoms: List[Atom]) -> bool:
        """A Latin brand/category must not start or end inside a Latin/digit run ("mi" in "xmi3")."""
        before = atoms[hit.start - 1] if hit.start > 0 else None
        after = atoms[hit.end] if hit.end < len(atoms) else None
        first, last = atoms[hit.start], atoms[hit.end - 1]
        if before is not None and before.token == first.token and not before.is_han and not first.is_han \
                and before.end == first.start:
            return False
        if after is not None and after.token == last.token and not after.is_han and not last.is_han \
                and last.end == after.start and after.is_latin and last.is_latin:
            return False
        return True

    def _strong_enough(self, hit: _Hit, atoms: List[Atom], products: List[_Hit],
                       categories: List[_Hit]) -> bool:
        """Weak spellings (美的, 好奇, mi ...) count only right before a model, a category or
        a brand word (牌/品牌/旗舰店), or inside a product mention."""
        spelling = "".join(a.text for a in atoms[hit.start:hit.end])
        if spelling not in self._weak:
            return True
        if any(p.start <= hit.start and hit.end <= p.end for p in products):
            return True
        if hit.end >= len(atoms):
            return len(atoms) == hit.end - hit.start  # the whole message is the brand
        nxt = atoms[hit.end]
        if nxt.start - atoms[hit.end - 1].end > 1:
            return False
        if any(c.start == hit.end for c in categories) or any(p.start == hit.end for p in products):
            return True
        if nxt.text in _BRAND_CONTEXT or (nxt.is_latin or nxt.is_digit) and spelling.isascii() is False:
            return True
        return False

    def _blocked(self, hit: _Hit, atoms: List[Atom], text: str) -> bool:
        spelling = "".join(a.text for a in atoms[hit.start:hit.end])
        blocks = self._blocks.get(spelling)
        if not blocks:
            return False
        key = match_key(text)
        return any(b and b in key for b in blocks)

    def _resolve_products(self, hits: List[_Hit], atoms: List[Atom], text: str) -> List[_Hit]:
        # several models can share one spelling ("Mate 60 Pro" / "Mate 60 Pro+"): prefer the
        # one written exactly as typed
        def exactness(hit: _Hit) -> int:
            end = atoms[hit.end - 1].end
            while end < len(text) and text[end] == "+":   # "Pro+" is its own model
                end += 1
            typed = match_key(text[atoms[hit.start].start:end])
            return 0 if match_key(hit.value) == typed else 1
        chosen = self._non_overlapping(sorted(hits, key=exactness))
        resolved = []
        for hit in chosen:
            start, end = hit.start, hit.end
            value = hit.value
            # the rest of a Latin/digit run the match stops inside, and suffix words
            # ("Pro", "Max") that follow: the shopper named a variant we may not list
            while end < len(atoms) and not atoms[end].is_han and self._continues_model(atoms, end):
                end += 1
            if end != hit.end:
                value = ""  # not a catalogue model as typed: keep the shopper's words
            resolved.append(_Hit("P", value, start, end))
        return resolved

    @staticmethod
    def _continues_model(atoms: List[Atom], index: int) -> bool:
        atom, prev = atoms[index], atoms[index - 1]
        gap = atom.start - prev.end
        if gap > 1:
            return False
        if atom.text in _STORAGE_UNITS:
            return False
        if atom.text in MODEL_SUFFIXES:
            return True
        # the same jieba token ("14pro") continues the model; a separate number does not
        # ("小米14 12+256" is a model and a storage size)
        if atom.token == prev.token and gap == 0:
            nxt = atoms[index + 1] if index + 1 < len(atoms) else None
            if atom.is_digit and nxt is not None and nxt.text in _STORAGE_UNITS and nxt.start == atom.end:
                return False
            return True
        return False

    def _unknown_models(self, atoms: List[Atom], products: List[_Hit], brands: List[_Hit]) -> List[_Hit]:
        """A series word or a brand followed by a model code, not a catalogue product:
        "iPhone 16", "Mate 70", "华为P70", "小米15", "vivo X200".

        The code must look like a model: a number that is not followed by a unit (42码,
        2000元, 3个), and after a brand either a Latin part or at most 3 digits written
        right after it (小米15, but not 小米 2000左右)."""
        taken = [(p.start, p.end) for p in products]
        brand_at = {b.start: b for b in brands}
        found = []
        i = 0
        while i < len(atoms):
            if any(s <= i < e for s, e in taken):
                i += 1
                continue
            if i in brand_at:
                head, code_start, from_brand = i, brand_at[i].end, True
            elif atoms[i].text in self.series:
                head, code_start, from_brand = i, i + 1, False
            else:
                i += 1
                continue
            j = code_start
            has_digit = has_latin = False
            while j < len(atoms) and not atoms[j].is_han and atoms[j].start - atoms[j - 1].end <= 1 \
                    and not any(s <= j < e for s, e in taken):
                atom = atoms[j]
                if atom.text in _STORAGE_UNITS:
                    break
                after = atoms[j + 1] if j + 1 < len(atoms) else None
                if atom.is_digit and after is not None and after.start == atom.end and (
                        after.text in _STORAGE_UNITS or after.text[0] in _UNIT_START):
                    break
                if atom.is_digit:
                    has_digit = True
                elif atom.text in MODEL_SUFFIXES or len(atom.text) <= 3 or atom.token == atoms[j - 1].token:
                    has_latin = True
                else:
                    break
                j += 1
            ok = has_digit and j > code_start
            if not ok and not from_brand and atoms[head].text in self.standalone:
                # "MacBook Air", "ipad": a strong series name is a product mention by itself
                ok = True
            if ok and from_brand and not has_latin:
                first = atoms[code_start]
                ok = (j - code_start == 1 and len(first.text) <= 3
                      and first.start == atoms[code_start - 1].end)
            if ok:
                found.append(_Hit("P", "", head, j))
                taken.append((head, j))
                i = j
            else:
                i = max(i + 1, code_start if from_brand else i + 1)
        return found

    def canonical_model(self, mention: str) -> Optional[str]:
        return self._model_keys.get(match_key(mention))


_GAZETTEERS: Dict[Tuple[str, int], Gazetteer] = {}
_GAZETTEERS_LOCK = threading.Lock()


def get_gazetteer(catalogue: Catalogue, segmenter: Segmenter) -> Gazetteer:
    """One Gazetteer per catalogue content and segmenter within the process (the tokenizer
    and the entity extractor share it)."""
    key = (catalogue.digest(), id(segmenter))
    with _GAZETTEERS_LOCK:
        gazetteer = _GAZETTEERS.get(key)
        if gazetteer is None:
            gazetteer = Gazetteer(catalogue, segmenter)
            _GAZETTEERS[key] = gazetteer
        return gazetteer
