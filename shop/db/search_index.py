"""Keyword search over product titles: one tokenizer for indexing and for queries.

Design. ``product_search_terms`` is an inverted index (term -> product ids, with a weight)
filled when products are written (seed, ``shop.db.search_maintenance``). Terms come from
the title, the model, every spelling of the brand (华为 / HUAWEI, Apple / 苹果), the category
path and the variant values, cut by jieba's search mode (which also emits the shorter words
inside long ones: 精华液 -> 精华, 精华液). A query is cut in precise mode (whose words are all in the
index too) and matches products that contain *all* of its terms that exist in the index, ranked by the summed weights (the
brand and category a product *is* count more than words its title merely mentions), then
by sales. Filler words (推荐, 便宜点的) are dropped; unknown words are ignored as long as most
of the query is known (see ``shop.db.catalogue``). Both sides use a private ``jieba.Tokenizer`` with the stock dictionary and no HMM,
so what the NLU engineer loads into the global jieba cannot make index and query disagree.
This works the same on SQLite and PostgreSQL and is a B-tree lookup per term.

Latin text is lower-cased and NFKC-normalised (full-width ＩＰＨＯＮＥ -> iphone), and
letters and digits are split apart (iphone15pro -> iphone 15 pro, mate60 -> mate 60) so
"iPhone15Pro" finds "iPhone 15 Pro"; units stay attached to numbers (256gb, 5g, 500ml).
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Iterable

_tokenizer = None
_tokenizer_lock = threading.Lock()

# Words that carry no product meaning in a shopper's query.
QUERY_STOPWORDS = frozenset("""
的 了 吗 呢 吧 啊 么 有 没有 有没有 我 我要 我想 想 想要 要 买 购买 请 帮 帮我 找 找找 一下 一个 一款
个 款 推荐 什么 哪个 哪款 哪些 好 好的 好用 最好 便宜 便宜点 贵 多少 多少钱 钱 价格 看看 给 给我 和 或 与
还有 吗 点 点儿 一点 一些 些 这个 那个 这款 那款 比较 适合 的话 请问 你好 您好 求 你们 店 家 里
""".split())

_LETTERS_THEN_DIGITS = re.compile(r"([a-z]+)(\d+)")
# "15pro" -> 15 pro, but units stay attached to their number: 256gb, 5g, 4k, 500ml, 65w.
_DIGITS_THEN_WORD = re.compile(r"(\d)(?!(?:gb|tb|mb|g|kg|ml|l|mm|cm|m|w|mah|hz|k|p|mp|nm|v|h|d)\b)([a-z]{2,})")
_WORD = re.compile(r"[0-9a-z\u4e00-\u9fff]")


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def model_key(model: str) -> str:
    """Canonical form of a model name for exact matching: 'iPhone 15 Pro' -> 'iphone15pro'."""
    return re.sub(r"[\s\-_/·]+", "", normalise(model))


@lru_cache(maxsize=200_000)
def _chunk_tokens(chunk: str, precise: bool = False) -> tuple[str, ...]:
    found = []
    cut = _jieba().cut if precise else _jieba().cut_for_search
    for raw in cut(chunk, HMM=False):
        token = raw.strip()
        if not token or not _WORD.search(token):
            continue
        split = _DIGITS_THEN_WORD.sub(r"\1 \2", _LETTERS_THEN_DIGITS.sub(r"\1 \2", token))
        for part in split.split():
            if len(part) <= 64:
                found.append(part)
    return tuple(found)


def tokens(text: str, precise: bool = False) -> list[str]:
    """Search terms of ``text`` in order of appearance, without duplicates.

    jieba segments each whitespace-separated chunk independently, so chunks are cut (and
    cached) one by one: titles are made of a few thousand distinct chunks, which makes
    indexing 100k titles take seconds instead of minutes.
    """
    seen: dict[str, None] = {}
    for chunk in normalise(text).split():
        for token in _chunk_tokens(chunk, precise):
            seen.setdefault(token, None)
    return list(seen)


def warm_up() -> None:
    """Load jieba's dictionary now (about a second) rather than on the first search."""
    _jieba()


STRONG, WEAK = 2, 1


def product_terms(title: str, model: str, brand_names: Iterable[str | None], leaf_category: str,
                  other_texts: Iterable[str]) -> dict[str, int]:
    """Every term a product is findable by, with its weight: ``STRONG`` for what the product
    *is* (brand spellings, model, leaf category), ``WEAK`` for what its title merely mentions
    (selling points, variants, the top category)."""
    terms: dict[str, int] = {}
    for text in (title, *other_texts):
        for term in tokens(text):
            terms.setdefault(term, WEAK)
    for text in (model, *[b for b in brand_names if b], leaf_category):
        for term in tokens(text):
            terms[term] = STRONG
    return terms


def query_terms(keyword: str, precise: bool = True) -> list[str]:
    """Terms of a shopper's keyword, minus filler words.

    Queries are cut in jieba's precise mode (笔记本电脑 stays one word): the index holds
    every precise-mode word of each title too, so this is exact and needs fewer postings
    intersected. ``precise=False`` gives the search-mode words (笔记本电脑 -> 笔记, 电脑, 笔记本,
    笔记本电脑), which the search falls back to when the precise words match nothing.
    """
    return [t for t in tokens(keyword, precise) if t not in QUERY_STOPWORDS]


def essential_terms(terms: list[str]) -> list[str]:
    """Only the terms that contain no other term of the query (精华液, 精华 -> 精华).

    jieba's search mode emits a long word and the words inside it; if a title happened to be
    cut differently around the long word, the shorter words still match. The search uses
    this as a fallback when all terms together match nothing.
    """
    return [t for t in terms if not any(o != t and o in t for o in terms)]
