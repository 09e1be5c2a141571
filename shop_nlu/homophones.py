"""Category words typed with a pinyin IME's wrong character: "耳几" for 耳机, "手鸡" for 手机.

A pinyin input method offers every character of the syllables typed; picking the wrong one
gives a word that sounds like the catalogue's but is written with another character. The
gazetteer matches written words only, so "推荐个耳几" found no category and the shopper got
best sellers of anything. This index finds such words by sound and hands the gazetteer the
catalogue category they stand for; the text itself is never rewritten (the entity says what
the shopper meant, the message stays as typed).

A span counts as a slip only when everything says so, because a real word that happens to
sound like a category ("出具发票" ~ 厨具, "手记" ~ 手机) must stay what it is:

- it sounds like a category name or alias of two to four Chinese characters (toneless
  pinyin: the word read as a phrase, each typed character by its usual reading);
- it is written differently but keeps at least one of the word's characters in place (an
  IME slip changes a character, it does not retype the word);
- it holds no particle or adverb (的 吗 还 不 …: "钱还没退" is no 钱包);
- it is not itself a word of the segmenter's dictionaries (jieba's and the shop's), and it
  starts and ends on token boundaries (never half of a real word);
- nothing else (a product, brand or category written correctly) was found there.

Readings come from pypinyin's single-character table (requirements/lock.txt pins it).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
MIN_CHARS, MAX_CHARS = 2, 4
# Particles and adverbs that follow a noun in shop talk ("数码吗" typed as "数吗", "钱还没退"):
# a span holding one is that word, not a slip.
_GRAMMAR = set("的地得了吗呢吧啊呀嘛么哦又也还都就不没很太")


@lru_cache(maxsize=8192)
def typed_sound(span: str) -> Tuple[str, ...]:
    """Toneless pinyin of what was typed, each character by its most common reading: an IME
    shows a character for the syllable the shopper typed, and its usual reading is that one."""
    from pypinyin import Style, lazy_pinyin  # loaded on first use: about a second, once per process

    return tuple(syllable for ch in span for syllable in lazy_pinyin(ch, style=Style.NORMAL, errors="ignore"))


def word_sound(word: str) -> Tuple[str, ...]:
    """Toneless pinyin of a catalogue word, read as a phrase (多音字 by their context)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(word, style=Style.NORMAL, errors="ignore"))


class HomophoneIndex:
    """Category words by sound: ``sounds_like(span)`` → the canonical category, or None."""

    def __init__(self, words: Dict[str, Iterable[str]]) -> None:
        """``words``: canonical category -> its names and aliases (those of 2–4 Chinese
        characters are indexed; a sound two categories share matches neither)."""
        self._by_sound: Dict[Tuple[str, ...], List[Tuple[str, str]]] = {}
        self._written: set = set()
        for canonical, names in words.items():
            for name in {canonical, *names}:
                if not (MIN_CHARS <= len(name) <= MAX_CHARS and _HAN.match(name)):
                    continue
                self._written.add(name)
                sound = word_sound(name)
                if len(sound) == len(name):
                    self._by_sound.setdefault(sound, []).append((name, canonical))

    def __bool__(self) -> bool:
        return bool(self._by_sound)

    def sounds_like(self, span: str) -> Optional[str]:
        """The category ``span`` is a mistyped spelling of, by the rules of the module."""
        if span in self._written or not _HAN.match(span) or set(span) & _GRAMMAR:
            return None
        candidates = {canonical for name, canonical in self._by_sound.get(typed_sound(span), ())
                      if len(name) == len(span) and any(a == b for a, b in zip(name, span))}
        return candidates.pop() if len(candidates) == 1 else None

    def spans(self, bounds: Sequence[Tuple[int, int]], text: str, is_word,
              taken: Sequence[Tuple[int, int]] = ()) -> List[Tuple[int, int, str]]:
        """Mistyped category words among runs of consecutive tokens.

        ``bounds``: (start, end) character offsets of the message's tokens, in order;
        ``is_word(text)``: whether a span is a dictionary word (then it is no slip);
        ``taken``: token index ranges already holding an entity. Returns (first token, end
        token (exclusive), category), the longest span first where two overlap."""
        if not self:
            return []
        found: List[Tuple[int, int, str]] = []
        busy = [range(s, e) for s, e in taken]
        for width in range(MAX_CHARS, MIN_CHARS - 1, -1):
            for first in range(len(bounds)):
                last, chars = first, 0
                while last < len(bounds) and chars < width:
                    if last > first and bounds[last][0] != bounds[last - 1][1]:
                        break  # a space or punctuation between the tokens: no word
                    chars += bounds[last][1] - bounds[last][0]
                    last += 1
                if chars != width:
                    continue
                if any(i in r for r in busy for i in range(first, last)):
                    continue
                span = text[bounds[first][0]:bounds[last - 1][1]]
                if is_word(span):
                    continue
                category = self.sounds_like(span)
                if category is not None:
                    found.append((first, last, category))
                    busy.append(range(first, last))
        return sorted(found, key=lambda hit: hit[0])
