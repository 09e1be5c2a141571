"""Word segmentation shared by the tokenizer and the catalogue gazetteer.

- A private ``jieba.Tokenizer`` instance (Rasa's ``JiebaTokenizer`` loads user dictionaries
  into jieba's *global* tokenizer, which leaks between models in one process).
- Whitespace tokens are dropped (jieba keeps " " as tokens; in mixed text such as
  "iPhone 15 多少钱" they would pollute features and entity spans).
- "Atoms" refine tokens for matching: each token is split at script boundaries and Latin is
  lower-cased, so "iPhone15Pro", "iphone 15 pro" and "IPHONE 15PRO" all become
  ``iphone / 15 / pro``; Chinese words stay whole, as jieba cut them.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

logger = logging.getLogger(__name__)

_HAN_ONLY = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
_ATOM_RE = re.compile(r"[a-z]+|\d+(?:\.\d+)?|[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Atom:
    text: str      # lower-cased
    start: int
    end: int
    token: int     # index of the jieba token it comes from

    @property
    def is_han(self) -> bool:
        return "\u3400" <= self.text[0] <= "\u9fff" or "\uf900" <= self.text[0] <= "\ufaff"

    @property
    def is_digit(self) -> bool:
        return self.text[0].isdigit()

    @property
    def is_latin(self) -> bool:
        return "a" <= self.text[0] <= "z"


class Segmenter:
    """jieba with the shop's user dictionaries, minus whitespace tokens."""

    def __init__(self, user_dicts: Sequence[Path] = ()) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        self.known: set = set()
        for path in user_dicts:
            self._jieba.load_userdict(str(path))
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                word = line.rsplit(" ", 1)[0].strip() if " " in line else line.strip()
                if len(word) >= 2 and _HAN_ONLY.match(word):
                    self.known.add(word)

    def tokens(self, text: str) -> List[Tuple[str, int, int]]:
        """(word, start, end) for every non-whitespace jieba token."""
        if not text:
            return []
        with self._lock:  # jieba's lazy initialisation is not thread-safe
            pieces = list(self._jieba.tokenize(text))
        out = []
        for (w, s, e) in pieces:
            if not w.strip():
                continue
            parts = self._split_compound(w)
            for part in parts:
                out.append((part, s, s + len(part)))
                s += len(part)
        return out

    def _split_compound(self, word: str) -> List[str]:
        """jieba's own dictionary has compounds such as 格力空调 or 华为手机; when a word is
        made only of shop words (brand + category ...), split it so they can be found."""
        if len(word) < 4 or word in self.known or not self.known or not _HAN_ONLY.match(word):
            return [word]
        best = {0: []}
        for i in range(len(word)):
            if i not in best:
                continue
            for j in range(len(word), i + 1, -1):
                if word[i:j] in self.known and (j not in best or len(best[j]) > len(best[i]) + 1):
                    best[j] = best[i] + [word[i:j]]
        parts = best.get(len(word))
        return parts if parts and len(parts) >= 2 else [word]

    def atoms(self, text: str) -> List[Atom]:
        return atoms_of_tokens(self.tokens(text))

    def is_word(self, word: str) -> bool:
        """Whether ``word`` is in jieba's dictionary or the shop's (a word jieba's HMM made up
        for unknown characters, "手鸡", is not)."""
        if word in self.known:
            return True
        with self._lock:
            self._jieba.check_initialized()
        return self._jieba.FREQ.get(word, 0) > 0

    def add_word(self, word: str, freq: int = 50000) -> None:
        self._jieba.add_word(word, freq)


# Model suffixes typed together ("promax", "proplus") are split into words for matching.
SUFFIX_WORDS = ("pro", "max", "plus", "ultra", "mini", "lite", "air", "se", "note", "turbo", "neo")


def split_suffixes(word: str) -> List[str]:
    """["pro", "max"] for "promax"; [word] unless the whole word is suffix words."""
    if len(word) < 5 or word in SUFFIX_WORDS:
        return [word]
    best = {0: []}
    for i in range(len(word)):
        if i not in best:
            continue
        for suffix in SUFFIX_WORDS:
            if word.startswith(suffix, i) and i + len(suffix) not in best:
                best[i + len(suffix)] = best[i] + [suffix]
    return best.get(len(word), [word]) if len(best.get(len(word), [])) >= 2 else [word]


def atoms_of_tokens(tokens: Sequence[Tuple[str, int, int]]) -> List[Atom]:
    atoms: List[Atom] = []
    for index, (word, start, _end) in enumerate(tokens):
        lowered = word.lower()
        if len(lowered) != len(word):
            lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in word)
        for match in _ATOM_RE.finditer(lowered):
            text, pos = match.group(0), start + match.start()
            for part in split_suffixes(text) if text[0].isalpha() and text.isascii() else [text]:
                atoms.append(Atom(part, pos, pos + len(part), index))
                pos += len(part)
    return atoms


_SEGMENTERS: Dict[str, Segmenter] = {}
_SEGMENTERS_LOCK = threading.Lock()


def get_segmenter(user_dicts: Sequence[Path] = ()) -> Segmenter:
    """One Segmenter per distinct set of dictionary contents, shared within the process."""
    from shop_nlu.resources import digest_paths

    key = digest_paths(user_dicts) if user_dicts else "default"
    with _SEGMENTERS_LOCK:
        segmenter = _SEGMENTERS.get(key)
        if segmenter is None:
            segmenter = Segmenter(user_dicts)
            _SEGMENTERS[key] = segmenter
        return segmenter
