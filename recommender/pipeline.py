"""Fit every component, tune the blend on a validation split, refit on all data."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import scipy.sparse as sp

from recommender.catalogue import Catalogue
from recommender.content import ContentParams, fit_content
from recommender.data import Sequences, leave_last_out
from recommender.factor import FactorParams, fit_factors
from recommender.hybrid import Blend, HybridModel
from recommender.item_knn import ItemKNNParams, fit_item_knn
from recommender.neighbours import row_max_scale
from recommender.popularity import fit_popularity
from recommender.sequential import SequentialParams, fit_sequential
from recommender.tuning import tune_blend

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FitParams:
    sequential: SequentialParams = SequentialParams()
    knn: ItemKNNParams = ItemKNNParams()
    factor: FactorParams = FactorParams()
    content: ContentParams = ContentParams()
    half_life_days: float = 30.0
    max_history: int = 50
    candidates: int = 200
    tune: bool = True
    tune_users: int = 10_000

    def to_json(self) -> dict:
        from dataclasses import asdict
        return asdict(self)


@dataclass
class FitReport:
    seconds: dict = field(default_factory=dict)
    tuning: Optional[dict] = None


def factor_scale(factors: np.ndarray) -> float:
    """Typical self-similarity |v|^2 of items with factors: the size of a strong factor score."""
    norms = np.einsum("ij,ij->i", factors, factors)
    norms = norms[norms > 0]
    return float(norms.mean()) if len(norms) else 1.0


def fit_components(seqs: Sequences, params: FitParams, content: Optional[sp.csr_matrix] = None,
                   report: Optional[FitReport] = None, blend: Optional[Blend] = None,
                   prefix: str = "") -> HybridModel:
    timings = report.seconds if report is not None else {}

    def timed(name, fn):
        t0 = time.perf_counter()
        out = fn()
        timings[prefix + name] = round(time.perf_counter() - t0, 3)
        return out

    n = seqs.n_items
    seq = timed("sequential", lambda: fit_sequential(seqs, params.sequential))
    knn = timed("item_knn", lambda: fit_item_knn(seqs, params.knn))
    factors = timed("factor", lambda: fit_factors(seqs, params.factor))
    pop = timed("popularity", lambda: fit_popularity(seqs, params.half_life_days))
    content = content if content is not None else sp.csr_matrix((n, n), dtype=np.float32)
    matrices = {"seq": seq, "knn": knn, "content": content}
    scales = {name: row_max_scale(m) for name, m in matrices.items()}
    scales["factor"] = factor_scale(factors)
    scales["pop"] = float(pop.max()) if len(pop) and pop.max() > 0 else 1.0
    return HybridModel(matrices, factors, pop, scales, blend or Blend(), params.max_history, params.candidates)


def fit_content_matrix(catalogue: Catalogue, params: FitParams,
                       report: Optional[FitReport] = None) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    t0 = time.perf_counter()
    vectors, neighbours = fit_content(catalogue, params.content)
    if report is not None:
        report.seconds["content"] = round(time.perf_counter() - t0, 3)
    return vectors, neighbours


def fit_hybrid(seqs: Sequences, params: FitParams = FitParams(), content: Optional[sp.csr_matrix] = None,
               report: Optional[FitReport] = None) -> HybridModel:
    """Tune (if asked and there is enough data) on a validation split, then fit on everything.

    The validation split holds out each user's second-to-last step and drops the last one, so
    the tuned blend never saw the item a test would ask for.
    """
    report = report if report is not None else FitReport()
    blend = Blend()
    if params.tune:
        t0 = time.perf_counter()
        split = leave_last_out(seqs, skip_last=1)
        val_model = fit_components(split.train, params, content, report, prefix="validation_")
        result = tune_blend(val_model, split, max_users=params.tune_users)
        report.seconds["tuning_total"] = round(time.perf_counter() - t0, 3)
        if result is not None:
            blend = result.blend
            report.tuning = {"validation_ndcg@10": result.ndcg, "validation_hr@10": result.hr,
                             "users": result.users, "blend": blend.to_json(),
                             "by_decay": {str(k): v for k, v in result.by_decay.items()}}
        else:
            report.tuning = {"skipped": f"fewer than the minimum validation users ({len(split.users)})"}
        del val_model
    t0 = time.perf_counter()
    model = fit_components(seqs, params, content, report, blend=blend)
    report.seconds["fit_total"] = round(time.perf_counter() - t0, 3)
    return model
