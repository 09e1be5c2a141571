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
from typing import Optional

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


_CHUNK = re.compile(r"[\s，。、,.;；:：!！?？()（）【】\[\]/|]+")
_chunk_cache: dict = {}
CHUNK_CACHE = 200_000


def _chunk_tokens(chunk: str) -> list[str]:
    words = _chunk_cache.get(chunk)
    if words is None:
        words = [w for w in (w.strip() for w in _tokenizer().lcut(chunk, HMM=False))
                 if w and _WORD.search(w) and not (len(w) == 1 and w.isascii())]
        if len(_chunk_cache) < CHUNK_CACHE:
            _chunk_cache[chunk] = words
    return words


def tokenize(text: str) -> list[str]:
    """jieba words, lower-cased; punctuation, spaces and 1-char latin/digits dropped.

    Text is split at spaces and punctuation first (jieba never joins across them) and each
    piece is segmented once per process: catalogue text repeats brand names, colours,
    specs and template sentences, so 100k products hold only a few thousand distinct pieces.
    """
    if not text:
        return []
    out: list[str] = []
    for chunk in _CHUNK.split(text.lower()):
        if chunk:
            out.extend(_chunk_tokens(chunk))
    return out


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
        used = np.unique(block.indices)
        block = block[:, used]
        # The block's own vocabulary is small: a dense right-hand side turns a sparse x sparse
        # product with a nearly dense result into a fast sparse x dense one.
        right = block.T.toarray() if len(members) * len(used) <= params.block_cells else block.T.tocsr()
        step = max(16, params.block_cells // len(members))
        for s in range(0, len(members), step):
            sims = block[s:s + step] @ right
            sims = sims.toarray() if sp.issparse(sims) else np.asarray(sims)
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


def duplicate_groups(neighbours: sp.csr_matrix, threshold: float = 0.92) -> np.ndarray:
    """A group id per item; items whose content cosine reaches ``threshold`` share one.

    Colour and storage variants listed as separate products, and re-listings, are
    near-duplicates: a page should show one of them. Computed once at fit time from the
    neighbour matrix (near-duplicates are each other's strongest neighbours), so serving
    compares integers instead of vectors.
    """
    from scipy.sparse.csgraph import connected_components

    n = neighbours.shape[0]
    close = sp.csr_matrix(neighbours >= threshold, dtype=np.int8)
    if close.nnz == 0:
        return np.arange(n, dtype=np.int64)
    _, labels = connected_components(close, directed=True, connection="weak")
    return labels.astype(np.int64)
