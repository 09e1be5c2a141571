"""Fit time, request latency and memory of the recommender at shop scale.

Data: the data engineer's ``var/bench/shop-large.db`` (the ``large`` seed profile: 100k
products, 100k customers, several million interactions) when it exists and its seed run is
recorded as finished; otherwise a synthetic set of the same size (``recommender.synthetic``),
and the output says which.

Latency and memory are measured in a fresh process that only loads the artifact (what the
action server does): RSS before/after ``artifact.load``, then timed ``recommend``/``similar``
calls with a realistic mix of filters, after a warm-up.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from recommender import artifact  # noqa: E402
from recommender.pipeline import FitParams, FitReport, fit_model, prepare  # noqa: E402

CACHE = REPO / "var" / "bench" / "rec"
LARGE_DB = REPO / "var" / "bench" / "shop-large.db"


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def _large_db_ready() -> bool:
    if not LARGE_DB.exists():
        return False
    import sqlite3
    try:
        con = sqlite3.connect(f"file:{LARGE_DB}?mode=ro", uri=True, timeout=5)
        try:
            rows = con.execute("select profile, finished_at from seed_runs").fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return any(p == "large" and f for p, f in rows)


def load_source(source: str):
    if source == "large-db" or (source == "auto" and _large_db_ready()):
        from assistant.recommender_training import load_from_shop
        t0 = time.perf_counter()
        seqs, catalogue = load_from_shop(f"sqlite:///{LARGE_DB}")
        return seqs, catalogue, f"shop large profile ({LARGE_DB.name}), read in {time.perf_counter() - t0:.0f}s"
    from recommender.synthetic import generate
    t0 = time.perf_counter()
    data = generate(n_products=100_000, n_customers=100_000, sessions_per_customer=12.0, seed=1)
    seqs, catalogue = prepare(data.products, data.interaction_rows())
    return seqs, catalogue, (f"synthetic (recommender.synthetic, large-profile size; the large seed was not "
                             f"available), built in {time.perf_counter() - t0:.0f}s")


def run(source: str = "auto") -> dict:
    seqs, catalogue, label = load_source(source)
    events = int(len(seqs.items))
    print(f"[perf] {label}: {seqs.n_users} customers, {int(catalogue.available.sum())} products on sale, "
          f"{events} steps", flush=True)
    report = FitReport()
    t0 = time.perf_counter()
    model = fit_model(seqs, catalogue, FitParams(), report)
    wall = time.perf_counter() - t0
    root = CACHE / "perf-models"
    path = artifact.save(model, root, keep=1)
    size_mb = sum(f.stat().st_size for f in path.iterdir()) / 2 ** 20
    del model
    s = report.seconds
    fit = {"source": label, "customers": seqs.n_users, "products": int(catalogue.available.sum()),
           "steps": events, "seconds": s, "train_wall_s": round(wall, 1),
           "final_fit_s": s.get("fit_total"), "content_s": s.get("content"), "tuning_s": s.get("tuning_total"),
           "artifact_mb": round(size_mb, 1), "tuning": report.tuning}
    print(f"[perf] train {wall:.1f}s = content {s.get('content')}s + tuning {s.get('tuning_total')}s "
          f"+ final fit {s.get('fit_total')}s; artifact {size_mb:.0f} MB", flush=True)
    serves = {}
    for label, decay in (("tuned blend", 0.0), ("decay 0.9 (50-item history)", 0.9)):
        out = subprocess.run([sys.executable, __file__, "serve", str(path), str(decay)], capture_output=True,
                             text=True, check=True, cwd=REPO)
        serve = serves[label] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"[perf] latency, {label}: history horizon {serve['horizon']} steps, "
              f"load average {serve['load_average'][0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        for kind, st in serve["latency_ms"].items():
            print(f"[perf]   {kind:28s} n={st['n']:5d} p50 {st['p50']:.2f} ms  p95 {st['p95']:.2f} ms  "
                  f"p99 {st['p99']:.2f} ms  max {st['max']:.1f} ms", flush=True)
    serve = serves["tuned blend"]
    print(f"[perf] loaded model: RSS +{serve['rss_mb']:.0f} MB (arrays {serve['array_mb']:.0f} MB), "
          f"load {serve['load_s']:.1f}s", flush=True)
    return {"fit": fit, "serve": serves, "load_average": os.getloadavg()}


def _serve(path: str, n: int = 3000, seed: int = 0, decay: float = 0.0) -> dict:
    """Runs in a fresh process: load the artifact, time requests.

    ``decay`` > 0 overrides the tuned history decay: 0.9 makes every request read the
    neighbours of up to 50 history items (the slowest blend the tuning can pick).
    Wall time and CPU time are both recorded: on a shared machine the wall-clock tail is
    mostly time spent descheduled, which CPU time excludes.
    """
    from recommender.rules import Filters
    from recommender.serving import recommend, similar

    before = _rss_mb()
    t0 = time.perf_counter()
    model = artifact.load(path)
    load_s = time.perf_counter() - t0
    cat = model.catalogue
    cat.position(cat.product_ids[0]), cat.category_members("x"), cat.attribute_members("颜色", "黑色")
    cat.leaf_key(), cat.brand_members("x"), model.customers.index_of(model.customers.customer_ids[0])
    rss = _rss_mb() - before
    h = model.hybrid
    if decay:
        h.blend = type(h.blend)(decay, dict(h.blend.weights))
    array_mb = (sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in h.matrices.values())
                + h.factors.nbytes + h.pop.nbytes + sum(a.nbytes for a in model.customers.arrays().values())
                + model.duplicates.nbytes) / 2 ** 20
    rng = np.random.default_rng(seed)
    customers = model.customers.customer_ids
    leaves = [p[-1] for p in {p for p in cat.category_paths if p}]
    tops = sorted({p[0] for p in cat.category_paths if p})
    available = np.flatnonzero(cat.available)

    def request(kind):
        cust = customers[rng.integers(len(customers))].item()
        if kind == "guest, no filter":
            return lambda: recommend(model, None, limit=10)
        if kind == "customer, no filter":
            return lambda: recommend(model, cust, limit=10)
        if kind == "customer, category":
            f = Filters(category=leaves[rng.integers(len(leaves))])
            return lambda: recommend(model, cust, filters=f, limit=10)
        if kind == "customer, category+budget":
            leaf = leaves[rng.integers(len(leaves))]
            members = cat.category_members(leaf)
            price = float(np.nanmedian(cat.prices[members])) if len(members) else 100.0
            f = Filters.around(price, category=leaf)
            return lambda: recommend(model, cust, filters=f, limit=10)
        if kind == "customer, top cat+colour":
            f = Filters(category=tops[rng.integers(len(tops))], attributes={"颜色": "黑色"})
            return lambda: recommend(model, cust, filters=f, limit=10)
        if kind == "customer, page 2 (exclude)":
            first = [r.product_id for r in recommend(model, cust, limit=10)]
            return lambda: recommend(model, cust, exclude_ids=first, limit=10)
        pid = cat.product_ids[available[rng.integers(len(available))]]
        return lambda: similar(model, pid, limit=10)

    kinds = ["guest, no filter", "customer, no filter", "customer, category", "customer, category+budget",
             "customer, top cat+colour", "customer, page 2 (exclude)", "similar to product"]
    for _ in range(200):   # warm-up: caches, lazy indexes, page faults
        request(kinds[rng.integers(len(kinds))])()
    times: dict = {k: [] for k in kinds}
    cpu: list = []
    for _ in range(n):
        kind = kinds[rng.integers(len(kinds))]
        call = request(kind)
        c0 = time.process_time()
        t0 = time.perf_counter()
        call()
        times[kind].append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    allt = [t for v in times.values() for t in v]
    times["all requests"] = allt
    times["all requests, CPU time"] = cpu

    def stats(v):
        a = np.array(v)
        return {"n": len(a), "p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
                "p99": float(np.percentile(a, 99)), "max": float(a.max())}

    return {"latency_ms": {k: stats(v) for k, v in times.items()}, "rss_mb": rss, "array_mb": array_mb,
            "load_s": load_s, "items": int(h.n_items), "blend": h.blend.to_json(), "horizon": h.horizon(),
            "load_average": os.getloadavg()}


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        print(json.dumps(_serve(sys.argv[2], decay=float(sys.argv[3]) if len(sys.argv) > 3 else 0.0)))
    else:
        print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "auto"), indent=1, default=str))
