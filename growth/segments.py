"""Customer segments from RFM features and K-means, named in Chinese for operators.

``python -m growth.segments [--clusters 4] [--seed 0]`` recomputes every customer's segment
and stores it (``customer_segments``); it prints each segment's size and value.

Features per customer (paid orders up to now): recency (days since the last order), frequency
(orders), monetary (total paid) and tenure (days since sign-up); frequency and monetary on a
log scale, all standardised, so no single unit dominates the distances. Customers who never
paid are not clustered: they are 新客 by definition (no RFM to speak of). Clusters are named
from their centres, not by their arbitrary K-means number:
  at_risk   沉睡/流失风险  the longest since the last order
  loyal     高价值忠诚     the highest frequency and spend of the rest
  new       新客           the shortest tenure of the rest (and everyone who never paid)
  potential 潜力成长       the higher spend of what remains
  regular   一般维持       the rest
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import StandardScaler

from shop.db.segments import RfmRow, StoredSegment

LABELS = {
    "loyal": "高价值忠诚",
    "new": "新客",
    "at_risk": "沉睡/流失风险",
    "potential": "潜力成长",
    "regular": "一般维持",
}
NAMING_ORDER = ("at_risk", "loyal", "new", "potential", "regular")
DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class Segmentation:
    customer_ids: np.ndarray
    codes: list[str]                 # per customer
    features: np.ndarray             # standardised, buyers only (for silhouette)
    cluster_of_buyer: np.ndarray     # K-means label per buyer
    rows: list[StoredSegment]


def feature_matrix(rows: Sequence[RfmRow], now: datetime) -> tuple[np.ndarray, np.ndarray]:
    """(raw features [recency, frequency, monetary yuan, tenure], buyer mask)."""
    raw = np.zeros((len(rows), 4))
    buyer = np.zeros(len(rows), dtype=bool)
    for i, r in enumerate(rows):
        buyer[i] = r.frequency > 0
        raw[i, 0] = (now - r.last_paid_at).total_seconds() / DAY_SECONDS if r.last_paid_at else np.nan
        raw[i, 1] = r.frequency
        raw[i, 2] = r.monetary_cents / 100.0
        raw[i, 3] = max((now - r.registered_at).total_seconds() / DAY_SECONDS, 0.0)
    return raw, buyer


def name_clusters(centres: np.ndarray) -> dict[int, str]:
    """Segment code per cluster from the centres in raw units [recency, frequency, monetary, tenure]."""
    left = list(range(len(centres)))
    names: dict[int, str] = {}

    def take(index: int, code: str) -> None:
        names[index] = code
        left.remove(index)

    take(max(left, key=lambda c: centres[c, 0]), "at_risk")
    if left:
        z = (centres - centres.mean(axis=0)) / (centres.std(axis=0) + 1e-9)
        take(max(left, key=lambda c: z[c, 1] + z[c, 2]), "loyal")
    if left:
        take(min(left, key=lambda c: centres[c, 3]), "new")
    if left:
        take(max(left, key=lambda c: centres[c, 2]), "potential")
    for c in list(left):
        take(c, "regular")
    return names


def segment(rows: Sequence[RfmRow], now: datetime, clusters: int = 4, seed: int = 0) -> Segmentation:
    raw, buyer = feature_matrix(rows, now)
    ids = np.array([r.customer_id for r in rows], dtype=np.int64)
    codes = ["new"] * len(rows)
    features = np.empty((0, 4))
    labels = np.empty(0, dtype=np.int64)
    if buyer.sum() >= clusters:
        b = raw[buyer]
        transformed = np.column_stack([b[:, 0], np.log1p(b[:, 1]), np.log1p(b[:, 2]), b[:, 3]])
        features = StandardScaler().fit_transform(transformed)
        km = KMeans(n_clusters=clusters, n_init=10, random_state=seed).fit(features)
        labels = km.labels_
        centres = np.array([b[labels == c].mean(axis=0) for c in range(clusters)])
        names = name_clusters(centres)
        for i, label in zip(np.flatnonzero(buyer), labels):
            codes[i] = names[int(label)]
    stored = [
        StoredSegment(int(r.customer_id), codes[i], LABELS[codes[i]],
                      None if np.isnan(raw[i, 0]) else int(raw[i, 0]), r.frequency, r.monetary_cents)
        for i, r in enumerate(rows)
    ]
    return Segmentation(ids, codes, features, labels, stored)


def silhouette(result: Segmentation, sample: int = 10_000, seed: int = 0) -> Optional[float]:
    if len(result.cluster_of_buyer) < 3 or len(set(result.cluster_of_buyer.tolist())) < 2:
        return None
    n = min(sample, len(result.cluster_of_buyer))
    return float(silhouette_score(result.features, result.cluster_of_buyer, sample_size=n, random_state=seed))


def stability(rows: Sequence[RfmRow], now: datetime, clusters: int, seeds: Sequence[int]) -> list[float]:
    """Adjusted Rand index of each reseeded segmentation against the first (1.0 = identical)."""
    base = segment(rows, now, clusters, seeds[0]).codes
    return [float(adjusted_rand_score(base, segment(rows, now, clusters, s).codes)) for s in seeds[1:]]


def recompute(engine, now: Optional[datetime] = None, clusters: int = 4, seed: int = 0):
    """Read RFM inputs, segment, store; returns (Segmentation, seconds)."""
    from shop.db.engine import session_scope
    from shop.db.segments import replace_segments, rfm_rows
    from shop.domain.clock import utc_now

    now = now or utc_now()
    started = time.perf_counter()
    with session_scope(engine) as session:
        rows = list(rfm_rows(session, now))
    result = segment(rows, now, clusters, seed)
    with session_scope(engine) as session:
        replace_segments(session, result.rows, now)
    return result, time.perf_counter() - started


def main(argv: Optional[list[str]] = None) -> int:
    from shop.db.engine import make_engine, session_scope
    from shop.db.segments import segment_sizes

    parser = argparse.ArgumentParser(description="Recompute customer segments (RFM + K-means).")
    parser.add_argument("--clusters", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    engine = make_engine()
    try:
        result, seconds = recompute(engine, clusters=args.clusters, seed=args.seed)
        with session_scope(engine) as session:
            sizes = segment_sizes(session)
    finally:
        engine.dispose()
    score = silhouette(result)
    print(f"segmented {len(result.rows)} customers in {seconds:.1f} s"
          + (f"; silhouette {score:.3f}" if score is not None else ""))
    for s in sizes:
        avg = s.monetary_cents / 100 / s.customers if s.customers else 0
        print(f"  {s.label:<8} ({s.segment}): {s.customers:>7} customers, ¥{s.monetary_cents / 100:,.0f} paid, "
              f"¥{avg:,.0f} each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
