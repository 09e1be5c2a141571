"""Character n-grams of the whole (normalised) message, blind to where jieba cut it.

Rasa's ``CountVectorsFeaturizer`` only sees the tokens: ``char_wb`` n-grams stay inside a
token, and ``char`` n-grams run over the tokens joined by spaces, so "到 货" and "到货" are
different features depending on how the segmenter cut. Real shoppers' typos and fragments
("咋还木发货", "到货没") are cut unpredictably; the characters of the message itself are not
(issue 14, round 8: grouped CV of the real train split, ``bench/real_cv.py --raw-char-ngram 3``).
Pure module (no Rasa import): the pipeline component (``shop_nlu.char_featurizer``) and
``bench/real_cv.py`` build the same vectorizer from here.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional, Tuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer


class CharNgrams:
    """``CountVectorizer(analyzer="char")`` over the message text, counts optionally sublinear
    (1 + log count, as sklearn's ``sublinear_tf``: a repeated character adds little)."""

    def __init__(
        self,
        ngram_range: Tuple[int, int] = (1, 3),
        min_df: int = 1,
        sublinear_tf: bool = False,
        vocabulary: Optional[Dict[str, int]] = None,
    ) -> None:
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.min_df = int(min_df)
        self.sublinear_tf = bool(sublinear_tf)
        self.vocabulary: Dict[str, int] = dict(vocabulary or {})

    def _vectorizer(self, vocabulary: Optional[Dict[str, int]] = None) -> CountVectorizer:
        return CountVectorizer(
            analyzer="char",
            ngram_range=self.ngram_range,
            lowercase=True,
            min_df=self.min_df,
            vocabulary=vocabulary,
            dtype=np.float32,
        )

    def fit(self, texts: Iterable[str]) -> "CharNgrams":
        texts = [t for t in texts if t]
        if not texts:
            self.vocabulary = {}
            return self
        try:
            vectorizer = self._vectorizer().fit(texts)
        except ValueError:  # every n-gram under min_df: no columns rather than a failed training
            self.vocabulary = {}
            return self
        self.vocabulary = {gram: int(i) for gram, i in vectorizer.vocabulary_.items()}
        self._fitted = vectorizer
        return self

    @property
    def width(self) -> int:
        return len(self.vocabulary)

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        texts = list(texts)
        if not self.vocabulary:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)
        vectorizer = getattr(self, "_fitted", None)
        if vectorizer is None:
            # Loaded from a model: the stored vocabulary fixes the columns (n-grams it lacks,
            # e.g. characters never seen in training, are dropped).
            vectorizer = self._fitted = self._vectorizer(self.vocabulary)
        counts = vectorizer.transform(texts).tocsr()
        if self.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        return counts

    def fit_transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        texts = list(texts)
        return self.fit(texts).transform(texts)

    def to_dict(self) -> dict:
        return {
            "ngram_range": list(self.ngram_range),
            "min_df": self.min_df,
            "sublinear_tf": self.sublinear_tf,
            "vocabulary": self.vocabulary,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CharNgrams":
        return cls(tuple(data["ngram_range"]), data["min_df"], data["sublinear_tf"], data["vocabulary"])


def char_vectorizer(ngram_range: Tuple[int, int], min_df: int = 1, sublinear_tf: bool = False) -> CharNgrams:
    """The featurizer's vectorizer for these settings (``bench/real_cv.py`` reproduces it so)."""
    return CharNgrams(ngram_range, min_df, sublinear_tf)
