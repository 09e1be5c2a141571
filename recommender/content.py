"""Content-based similarity: TF-IDF over jieba tokens plus categorical features.

Each product becomes one L2-normalised sparse vector built from two blocks:

- text: jieba tokens of title (counted twice: titles are written to be descriptive) and
  description, TF-IDF weighted (sublinear tf), tokens in more than half the catalogue dropped;
- categorical: every prefix of the category path, brand, a log-price band and each
  ``attribute=value`` pair (one-hot, IDF weighted so rare attributes count for more).

Neighbours are computed within the same leaf category only: "类似这款的" must return the
same kind of product, and it keeps the cost linear in catalogue size (blocks, not n^2).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from recommender.catalogue import Catalogue
from recommender.neighbours import topk_per_row

_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_jieba = None


def _tokenizer():
    global _jieba
    if _jieba is None:
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def tokenize(text: str) -> list[str]:
    """jieba words, lower-cased; punctuation, spaces and 1-char latin/digits dropped."""
    if not text:
        return []
    words = _tokenizer().lcut(text.lower(), HMM=False)
    return [w for w in (w.strip() for w in words)
            if w and _WORD.search(w) and not (len(w) == 1 and w.isascii())]


def categorical_tokens(catalogue: Catalogue, i: int) -> list[str]:
    out = []
    path = catalogue.category_paths[i]
    for depth in range(1, len(path) + 1):
        out.append("cat:" + "/".join(path[:depth]))
    if catalogue.brands[i]:
        out.append("brand:" + catalogue.brands[i].lower())
    price = catalogue.prices[i]
    if price == price and price > 0:
        # Bands a factor ~1.6 wide: a 1999 phone and a 2299 phone share one, a 5999 one not.
        out.append(f"price:{int(math.log(price) / math.log(1.6))}")
    for name, values in catalogue.attributes[i].items():
        out.extend(f"attr:{name}={v.lower()}" for v in values)
    return out


@dataclass(frozen=True)
class ContentParams:
    k: int = 50
    text_weight: float = 1.0
    categorical_weight: float = 1.0
    # Work budget per dense block product (rows x block size), bounds peak memory (~80 MB).
    block_cells: int = 20_000_000


def _identity(x):
    return x


def item_vectors(catalogue: Catalogue, params: ContentParams = ContentParams()) -> sp.csr_matrix:
    n = catalogue.n_items
    descriptions = catalogue.descriptions or [""] * n
    docs = [tokenize(catalogue.titles[i]) * 2 + tokenize(descriptions[i]) if catalogue.available[i] else []
            for i in range(n)]
    blocks = []
    if sum(map(len, docs)):
        text = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, max_df=0.5, min_df=2 if n > 50 else 1,
                               dtype=np.float32)
        try:
            blocks.append(normalize(text.fit_transform(docs)) * params.text_weight)
        except ValueError:  # every token pruned (tiny catalogues)
            pass
    cats = [categorical_tokens(catalogue, i) if catalogue.available[i] else [] for i in range(n)]
    if sum(map(len, cats)):
        cat = TfidfVectorizer(analyzer=_identity, binary=True, min_df=1, dtype=np.float32)
        blocks.append(normalize(cat.fit_transform(cats)) * params.categorical_weight)
    if not blocks:
        return sp.csr_matrix((n, 1), dtype=np.float32)
    return sp.csr_matrix(normalize(sp.hstack(blocks).tocsr()), dtype=np.float32)


def content_neighbours(vectors: sp.csr_matrix, groups: Optional[np.ndarray],
                       params: ContentParams = ContentParams()) -> sp.csr_matrix:
    """Top-``k`` cosine neighbours of every item within its group (``None``: one group)."""
    n = vectors.shape[0]
    if groups is None:
        groups = np.zeros(n, np.int64)
    rows, cols, vals = [], [], []
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    for members in np.split(order, bounds):
        if len(members) < 2:
            continue
        block = vectors[members]
        block_t = block.T.tocsr()
        step = max(16, params.block_cells // len(members))
        for s in range(0, len(members), step):
            sims = (block[s:s + step] @ block_t).toarray()
            local = np.arange(s, min(s + step, len(members)))
            sims[local - s, local] = 0.0
            k = min(params.k, len(members) - 1)
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < sims.shape[1] else \
                np.tile(np.arange(sims.shape[1]), (len(local), 1))
            v = np.take_along_axis(sims, top, axis=1)
            keep = v > 0
            rows.append(np.repeat(members[local], keep.sum(axis=1)))
            cols.append(members[top[keep]])
            vals.append(v[keep])
    if not rows:
        return sp.csr_matrix((n, n), dtype=np.float32)
    m = sp.csr_matrix((np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n, n))
    return topk_per_row(m, params.k)


def fit_content(catalogue: Catalogue, params: ContentParams = ContentParams(),
                same_leaf: bool = True) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(item vectors, neighbour matrix)."""
    vectors = item_vectors(catalogue, params)
    has_paths = any(catalogue.category_paths)
    groups = catalogue.leaf_key() if same_leaf and has_paths else None
    return vectors, content_neighbours(vectors, groups, params)


def pairwise(vectors: sp.csr_matrix, items: Sequence[int]) -> np.ndarray:
    """Dense cosine matrix between a few items (diversity checks)."""
    sub = vectors[np.asarray(items, np.int64)]
    return (sub @ sub.T).toarray()
