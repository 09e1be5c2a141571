"""Offline evaluation of the recommender against popularity and item-kNN, plus fit/latency.

    .venv/bin/python bench/recommender_eval.py                      # all three data sets
    .venv/bin/python bench/recommender_eval.py --datasets amazon,ml100k
    .venv/bin/python bench/recommender_eval.py --perf               # + fit time, latency, memory

Protocol (per data set, one run, same splits for every method): each user's last step is the
test target, the one before is the validation target; full ranking over every item (no
sampled negatives), items in the user's training history masked, ties counted against the
model. Metrics: HR@10, NDCG@10, catalogue coverage (share of items in anyone's top 10).

Methods:
- popularity:   training counts;
- item-kNN:     cosine on user co-occurrence, all neighbours, whole history weighted equally
                (the classic baseline; reproduces the figure in the Amazon README);
- hybrid:       recommender.pipeline with the default blend (no tuning);
- hybrid-tuned: the same, blend chosen on the validation split only (what `train` does).

Prints a table and writes ``bench/out/recommender_eval.{json,png}``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from recommender.data import leave_last_out  # noqa: E402
from recommender.item_knn import ItemKNNParams, fit_item_knn  # noqa: E402
from recommender.metrics import evaluate  # noqa: E402
from recommender.pipeline import FitParams, FitReport, fit_content_matrix, fit_hybrid  # noqa: E402

import rec_datasets  # noqa: E402

OUT = REPO / "bench" / "out"
TARGET_VS_KNN = 1.15
TARGET_VS_POP = 4.0


def run_dataset(ds: rec_datasets.Dataset) -> list[dict]:
    test = leave_last_out(ds.seqs, skip_last=0)
    train = test.train
    seen = train.seen_matrix()
    rows = []

    def record(method, result, fit_s, extra=None):
        row = {"dataset": ds.name, "method": method, **result.as_dict(), "fit_s": round(fit_s, 1)}
        row.update(extra or {})
        rows.append(row)
        print(f"  {method:13s} HR@10 {result.hr:.4f}  NDCG@10 {result.ndcg:.4f}  coverage {result.coverage:.3f}"
              f"  fit {fit_s:.1f}s", flush=True)

    t0 = time.perf_counter()
    pop = np.bincount(train.items, minlength=train.n_items).astype(np.float32)
    fit_s = time.perf_counter() - t0
    record("popularity", evaluate(lambda u: np.tile(pop, (len(u), 1)), test.users, test.targets, seen), fit_s)

    t0 = time.perf_counter()
    knn = fit_item_knn(train, ItemKNNParams(k=None, max_history=None))
    x = seen  # binary history, every item counts the same
    fit_s = time.perf_counter() - t0
    record("item-kNN", evaluate(lambda u: (x[u] @ knn).toarray(), test.users, test.targets, seen), fit_s)
    knn = None  # free it before the next model (the lambda above has run)

    t0 = time.perf_counter()
    _, content = fit_content_matrix(ds.catalogue, FitParams())
    content_s = time.perf_counter() - t0

    for method, tune in (("hybrid", False), ("hybrid-tuned", True)):
        report = FitReport()
        t0 = time.perf_counter()
        model = fit_hybrid(train, replace(FitParams(), tune=tune), content, report)
        fit_s = time.perf_counter() - t0 + content_s
        w = train.history_matrix(decay=model.blend.decay, max_len=model.horizon())
        result = evaluate(lambda u, model=model, w=w: model.batch_scores(w[u], seen[u]), test.users, test.targets, seen)
        extra = {"blend": model.blend.to_json()}
        if report.tuning:
            extra["validation"] = {k: report.tuning.get(k) for k in ("validation_ndcg@10", "validation_hr@10", "users")}
        record(method, result, fit_s, extra)
        model = None  # free it before the next fit
    return rows


def print_table(rows: list[dict]) -> str:
    lines = [f"{'dataset':16s} {'method':13s} {'HR@10':>7s} {'NDCG@10':>8s} {'cover':>6s} {'fit s':>6s} "
             f"{'HR/kNN':>7s} {'NDCG/kNN':>8s} {'HR/pop':>7s} {'NDCG/pop':>8s}"]
    for ds in dict.fromkeys(r["dataset"] for r in rows):
        group = [r for r in rows if r["dataset"] == ds]
        knn = next(r for r in group if r["method"] == "item-kNN")
        pop = next(r for r in group if r["method"] == "popularity")
        for r in group:
            ratio = lambda a, b: f"{a / b:.2f}x" if b else "n/a"  # noqa: E731
            lines.append(f"{ds:16s} {r['method']:13s} {r['HR@10']:7.4f} {r['NDCG@10']:8.4f} {r['coverage']:6.3f} "
                         f"{r['fit_s']:6.1f} {ratio(r['HR@10'], knn['HR@10']):>7s} "
                         f"{ratio(r['NDCG@10'], knn['NDCG@10']):>8s} {ratio(r['HR@10'], pop['HR@10']):>7s} "
                         f"{ratio(r['NDCG@10'], pop['NDCG@10']):>8s}")
    text = "\n".join(lines)
    print(text)
    return text


def check_targets(rows: list[dict]) -> list[str]:
    notes = []
    for r in rows:
        if r["dataset"] != "amazon-sports" or r["method"] != "hybrid-tuned":
            continue
        knn = next(x for x in rows if x["dataset"] == r["dataset"] and x["method"] == "item-kNN")
        pop = next(x for x in rows if x["dataset"] == r["dataset"] and x["method"] == "popularity")
        for metric in ("HR@10", "NDCG@10"):
            ok_knn = r[metric] >= TARGET_VS_KNN * knn[metric]
            ok_pop = r[metric] >= TARGET_VS_POP * pop[metric]
            notes.append(f"amazon-sports {metric}: {r[metric]:.4f} vs kNN x{r[metric] / knn[metric]:.2f} "
                         f"({'meets' if ok_knn else 'MISSES'} +15%), vs pop x{r[metric] / pop[metric]:.1f} "
                         f"({'meets' if ok_pop else 'MISSES'} 4x)")
    for n in notes:
        print(n)
    return notes


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    width = 0.8 / len(methods)
    for ax, metric in zip(axes, ("HR@10", "NDCG@10")):
        for k, m in enumerate(methods):
            vals = [next((r[metric] for r in rows if r["dataset"] == d and r["method"] == m), 0) for d in datasets]
            bars = ax.bar(np.arange(len(datasets)) + (k - (len(methods) - 1) / 2) * width, vals, width, label=m)
            ax.bar_label(bars, fmt="%.3f", fontsize=7, rotation=90, padding=2)
        ax.set_xticks(np.arange(len(datasets)), datasets)
        ax.set_title(f"{metric} (full ranking, leave-last-out test)")
        ax.margins(y=0.2)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="amazon,ml100k,shop", help="comma list of amazon, ml100k, shop")
    parser.add_argument("--shop-profile", default="default", help="seed profile for the shop quality data set")
    parser.add_argument("--perf", action="store_true", help="also measure fit time, latency and memory")
    parser.add_argument("--perf-source", default="auto", choices=["auto", "large-db", "synthetic"])
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    rows, skipped = [], {}
    for key in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        t0 = time.perf_counter()
        try:
            ds = rec_datasets.shop_database(args.shop_profile) if key == "shop" else rec_datasets.LOADERS[key]()
        except Exception as error:  # report and go on: one missing data set must not hide the others
            skipped[key] = f"{type(error).__name__}: {error}"
            print(f"[{key}] skipped: {skipped[key]}", flush=True)
            continue
        print(f"[{ds.name}] {ds.note} (loaded in {time.perf_counter() - t0:.1f}s)", flush=True)
        rows += run_dataset(ds)
    result = {"rows": rows, "skipped": skipped, "load_average": os.getloadavg(), "cpus": os.cpu_count()}
    if rows:
        print()
        result["table"] = print_table(rows)
        result["targets"] = check_targets(rows)
        plot(rows, OUT / "recommender_eval.png")
    if args.perf:
        import rec_perf
        result["perf"] = rec_perf.run(args.perf_source)
    (OUT / "recommender_eval.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"\nwrote {OUT / 'recommender_eval.json'}" + (f" and {OUT / 'recommender_eval.png'}" if rows else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
