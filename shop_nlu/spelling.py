"""Catalogue words typed with one letter wrong: "ipone" for iphone, "huawie" for huawei.

The gazetteer matches catalogue spellings exactly, so "ipone15多少钱" found no model and the
shopper got whatever shared the number. This index maps a Latin word the catalogue does not
know to the one catalogue word (brand, series or model word) it is one edit away from: a
letter left out, added, changed, or two neighbours swapped (Damerau-Levenshtein distance 1).
The gazetteer matches with the corrected word while the message keeps what was typed (the
entity spans stay on the typed text, and the entity says what the shopper meant).

Only words of MIN_LETTERS letters or more are corrected (short words have too many
neighbours: "mate" / "male"), only when exactly one catalogue word is that close, and only with
the same first letter ("phone" stays "phone", not iPhone). Pure
Python, no Rasa: unit-tested in tests/shop_nlu/test_spelling.py.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, Iterable, Optional, Set

MIN_LETTERS = 5


def _deletions(word: str) -> Set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion, substitution or
    swap of two neighbouring letters."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class LatinSpelling:
    """Known Latin words by their one-letter deletions: ``corrected(word)`` → the catalogue
    word ``word`` is a one-edit slip of, or None (known already, too short, none, or several)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._known: Set[str] = {w for w in words if w.isascii() and w.isalpha()}
        self._by_key: Dict[str, Set[str]] = {}
        for word in self._known:
            if len(word) >= MIN_LETTERS - 1:
                for key in {word, *_deletions(word)}:
                    self._by_key.setdefault(key, set()).add(word)
        self.corrected = lru_cache(maxsize=4096)(self._corrected)

    def _corrected(self, word: str) -> Optional[str]:
        if len(word) < MIN_LETTERS or word in self._known or not (word.isascii() and word.isalpha()):
            return None
        candidates = {known for key in {word, *_deletions(word)} for known in self._by_key.get(key, ())}
        # The first letter must be the catalogue word's: slips fall inside a word, and a word
        # short of its first letter is often an English word of its own ("phone" is no iPhone).
        close = {known for known in candidates if known[0] == word[0] and within_one_edit(word, known)}
        return close.pop() if len(close) == 1 else None
