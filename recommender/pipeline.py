"""Fit every component, tune the blend on a validation split, refit on all data."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Iterable, Optional

import numpy as np
import scipy.sparse as sp

from recommender.catalogue import Catalogue
from recommender.content import ContentParams, duplicate_groups, fit_content
from recommender.data import IdIndex, Sequences, leave_last_out, sequences_from_rows
from recommender.factor import FactorParams, fit_factors
from recommender.hybrid import Blend, HybridModel
from recommender.item_knn import ItemKNNParams, fit_item_knn
from recommender.model import CustomerHistories, RecommenderModel
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
        log.info("fitted %s%s in %.1fs", prefix, name, timings[prefix + name])
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
    log.info("fitted content in %.1fs", time.perf_counter() - t0)
    return vectors, neighbours


def fit_hybrid(seqs: Sequences, params: FitParams = FitParams(), content: Optional[sp.csr_matrix] = None,
               report: Optional[FitReport] = None, blend: Optional[Blend] = None) -> HybridModel:
    """Tune (if asked and there is enough data) on a validation split, then fit on everything.

    Validation holds out the last step of every user in ``seqs`` and fits on the rest. In the
    offline protocol ``seqs`` is already the test split's training part, so the validation
    target is each user's second-to-last item and the test item is never seen. A given
    ``blend`` (e.g. the previous artifact's) skips the search.
    """
    report = report if report is not None else FitReport()
    if blend is not None:
        report.tuning = {"reused": blend.to_json()}
    else:
        blend = Blend()
    if params.tune and report.tuning is None:
        t0 = time.perf_counter()
        split = leave_last_out(seqs, skip_last=0)
        val_model = fit_components(split.train, params, content, report, prefix="validation_")
        result = tune_blend(val_model, split, max_users=params.tune_users)
        report.seconds["tuning_total"] = round(time.perf_counter() - t0, 3)
        log.info("tuned the blend in %.1fs: %s", report.seconds["tuning_total"],
                 result.blend.to_json() if result else "skipped (too few users)")
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


def fit_model(seqs: Sequences, catalogue: Catalogue, params: FitParams = FitParams(),
              report: Optional[FitReport] = None, blend: Optional[Blend] = None) -> RecommenderModel:
    """Everything the service needs, from sequences and a catalogue sharing item indices."""
    report = report if report is not None else FitReport()
    t0 = time.perf_counter()
    if catalogue.n_items != seqs.n_items:
        raise ValueError(f"catalogue has {catalogue.n_items} items, sequences {seqs.n_items}: build both "
                         "with one IdIndex (see prepare())")
    _, content = fit_content_matrix(catalogue, params, report)
    hybrid = fit_hybrid(seqs, params, content, report, blend)
    customers = CustomerHistories.from_sequences(seqs, params.max_history)
    report.seconds["total"] = round(time.perf_counter() - t0, 3)
    meta = {"params": params.to_json(), "report": {"seconds": report.seconds, "tuning": report.tuning},
            "data": {"customers": seqs.n_users, "items": seqs.n_items, "steps": int(len(seqs.items)),
                     "available_items": int(catalogue.available.sum())}}
    return RecommenderModel(hybrid, catalogue, duplicate_groups(content), customers, meta)


def prepare(product_rows: Iterable, interaction_rows: Iterable) -> tuple[Sequences, Catalogue]:
    """Sequences and catalogue sharing one item numbering (products first, in row order)."""
    index = IdIndex()
    catalogue = Catalogue.from_rows(product_rows, index)
    seqs = sequences_from_rows(interaction_rows, index)
    catalogue.extend_to(index.ids)
    return seqs, catalogue
