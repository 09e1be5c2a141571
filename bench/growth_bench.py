"""Growth benchmarks: are the experiment statistics trustworthy, how good are the segments,
and does the hybrid recommender sell more than best sellers in simulated conversations?

    python bench/growth_bench.py stats [--experiments 200] [--units 2000]
    python bench/growth_bench.py segments [--database-url URL] [--reseeds 5]
    python bench/growth_bench.py live [--shoppers 300] [--seconds 400] [--profile default]
    python bench/growth_bench.py large [--backend sqlite|postgresql|both] [--reseeds 3]

stats     synthetic experiments through the report's own code (growth.analyse.build_report):
          A/A false-positive rate at 5 %; the SRM check on a fair and a broken (52/48) split;
          A/B with a known +10 % GMV lift: coverage of the lift interval, power, and how much
          CUPED (pre-experiment spend) narrows the interval; experiments sized by the sample-size
          calculator for that lift: is the lift detected in about 80 % of them? Shopper GMV is
          zero-inflated and heavy-tailed and correlated with pre-experiment spend, like the
          seeded shop's.
segments  RFM + K-means on a seeded database (default: a fresh ``default`` profile in a temp
          dir): time, silhouette, segment sizes, and stability across K-means reseeds
          (adjusted Rand index against seed 0).
live      starts the real stack (tests/support/stack.py) with the experiment hybrid vs
          popularity, runs the shopper simulator against it and prints the report.
large     the segment command on the large profile (100k customers, 1M orders, synthetic),
          end to end, against RFM by a pandas groupby over exported rows (bench/growth_large.py).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from growth.analyse import build_report, format_report  # noqa: E402
from growth_large import add_arguments as add_large_arguments, bench_large, timed_segmentation  # noqa: E402


def synthetic_units(rng, n: int, variant: str, lift: float = 0.0):
    pre = rng.lognormal(5.0, 1.2, n) * (rng.random(n) < 0.7)              # spend in the last 90 days
    converts = rng.random(n) < (0.08 + 0.10 * (pre > 0))
    basket = rng.lognormal(5.0, 0.8, n) + 0.6 * pre
    gmv = converts * basket * (1 + lift)
    clicks = rng.random(n) < 0.2
    return [SimpleNamespace(unit=f"{variant}{i}", variant=variant, exposures=1, clicks=int(c), orders=int(g > 0),
                            gmv_cents=int(round(g * 100)), attributed_orders=0, pre_spend_cents=int(round(p * 100)))
            for i, (c, g, p) in enumerate(zip(clicks, gmv, pre))]


def bench_stats(args) -> None:
    rng = np.random.default_rng(args.seed)
    weights = {"a": 1.0, "b": 1.0}
    started = time.perf_counter()
    false_pos = {"click_through": 0, "conversion": 0, "gmv_per_unit": 0, "gmv_per_unit_cuped": 0}
    srm_flags = 0
    for _ in range(args.experiments):
        units = synthetic_units(rng, args.units, "a") + synthetic_units(rng, args.units, "b")
        report = build_report("aa", units, weights)
        cmp = report["comparisons"][0]
        for key in false_pos:
            false_pos[key] += cmp[key]["p_value"] < 0.05
        srm_flags += report["srm"]["mismatch"]
    print(f"A/A: {args.experiments} experiments x {2 * args.units} units ({time.perf_counter() - started:.1f} s)")
    for key, count in false_pos.items():
        print(f"  {key:<20} declared different at 5 %: {count}/{args.experiments} = {count / args.experiments:.1%}")
    print(f"  SRM flagged on a fair split: {srm_flags}/{args.experiments}")

    broken_flags = 0
    for _ in range(args.experiments):
        n = 2 * args.units
        a = int(rng.binomial(n, 0.52))   # a bug that sends 52 % to a
        units = synthetic_units(rng, a, "a") + synthetic_units(rng, n - a, "b")
        broken_flags += build_report("broken", units, weights)["srm"]["mismatch"]
    print(f"SRM on a broken 52/48 split of {2 * args.units} units: flagged {broken_flags}/{args.experiments}")
    from growth.statistics import srm_check
    for total, share in ((20_000, 0.52), (4_000, 0.55)):
        flags = sum(srm_check([a, total - a], [1, 1]).mismatch
                    for a in rng.binomial(total, share, args.experiments))
        print(f"SRM on a broken {share:.0%}/{1 - share:.0%} split of {total} units: flagged {flags}/{args.experiments}")

    covered = covered_cuped = significant = significant_cuped = 0
    narrowing, lifts = [], []
    for _ in range(args.experiments):
        units = synthetic_units(rng, args.units, "a") + synthetic_units(rng, args.units, "b", lift=args.lift)
        cmp = build_report("ab", units, weights)["comparisons"][0]
        plain, cuped = cmp["gmv_per_unit"], cmp["gmv_per_unit_cuped"]
        covered += plain["lift_low"] <= args.lift <= plain["lift_high"]
        covered_cuped += cuped["lift_low"] <= args.lift <= cuped["lift_high"]
        significant += plain["p_value"] < 0.05
        significant_cuped += cuped["p_value"] < 0.05
        narrowing.append(cmp["cuped_interval_narrowing"])
        lifts.append(plain["lift"])
    n = args.experiments
    print(f"A/B with a true +{args.lift:.0%} GMV lift, {args.units} units per variant, {n} experiments:")
    print(f"  mean estimated lift {np.mean(lifts):+.2%}; interval covers the truth {covered}/{n} "
          f"(CUPED {covered_cuped}/{n})")
    print(f"  detected at 5 %: {significant}/{n} plain, {significant_cuped}/{n} with CUPED")
    print(f"  CUPED narrows the GMV difference interval by {np.mean(narrowing):.1%} on average "
          f"(min {np.min(narrowing):.1%}, max {np.max(narrowing):.1%})")

    # Is the planner right? Size the experiment with the calculator (mean and sd of the control's
    # GMV from a large pilot sample), then count how often the true lift is detected.
    from growth.statistics import sample_size_for_mean
    pilot = np.array([u.gmv_cents / 100 for u in synthetic_units(rng, 200_000, "a")])
    planned = sample_size_for_mean(pilot.mean(), pilot.std(ddof=1), args.lift)
    detected = 0
    started = time.perf_counter()
    for _ in range(args.power_runs):
        units = synthetic_units(rng, planned, "a") + synthetic_units(rng, planned, "b", lift=args.lift)
        detected += build_report("planned", units, weights)["comparisons"][0]["gmv_per_unit"]["p_value"] < 0.05
    print(f"A/B sized by the calculator for +{args.lift:.0%} at 80 % power: {planned} units per variant; "
          f"detected {detected}/{args.power_runs} = {detected / args.power_runs:.0%} "
          f"({time.perf_counter() - started:.0f} s)")


def bench_segments(args) -> None:
    from growth.segments import silhouette, stability

    url = args.database_url
    if url is None:
        workdir = Path(tempfile.mkdtemp(prefix="growth-bench-"))
        url = f"sqlite:///{workdir / 'shop.db'}"
        subprocess.run([sys.executable, "-m", "shop.seed", "--profile", args.profile, "--no-progress",
                        "--database-url", url], cwd=REPO, check=True, capture_output=True)
    rows, result, now, read_s, kmeans_s, store_s = timed_segmentation(url, args.clusters)
    print(f"segments of {len(rows)} customers: read {read_s:.1f} s + K-means {kmeans_s:.1f} s "
          f"+ store {store_s:.1f} s = {read_s + kmeans_s + store_s:.1f} s")
    print(f"  silhouette (standardised RFM + tenure, {args.clusters} clusters): {silhouette(result):.3f}")
    codes, counts = np.unique(result.codes, return_counts=True)
    for code, count in zip(codes, counts):
        print(f"  {code:<10} {count:>7}")
    ari = stability(rows, now, args.clusters, list(range(args.reseeds)))
    print(f"  stability across {args.reseeds - 1} reseeds (adjusted Rand vs seed 0): "
          + ", ".join(f"{a:.3f}" for a in ari))


def bench_live(args) -> None:
    from growth.experiments import parse_plan
    from growth.simulator import Simulator, load_shoppers
    from shop.db.engine import make_engine, session_scope
    from shop.db.experiments import unit_outcomes
    from tests.support.stack import latest_model, start_stack
    from datetime import timedelta
    import yaml

    workdir = Path(tempfile.mkdtemp(prefix="growth-live-"))
    experiments = workdir / "experiments.yml"
    experiments.write_text(
        "experiments:\n  - name: hybrid_vs_popularity\n    status: running\n    variants:\n"
        "      - {name: popularity, weight: 1, strategy: popularity}\n"
        "      - {name: hybrid, weight: 1, strategy: hybrid}\n", "utf-8")
    started = time.perf_counter()
    stack = start_stack(workdir / "stack", latest_model(), experiments=experiments, seed_profile=args.profile)
    print(f"stack up in {time.perf_counter() - started:.0f} s")
    engine = make_engine(stack.database_url)
    try:
        sim = Simulator(stack.rasa_url, stack.web_url, engine, seed=args.seed, max_seconds=args.seconds,
                        max_requests=args.max_requests)
        result = sim.run(load_shoppers(engine, args.shoppers, offset=args.offset))
        print(f"simulated {result.shoppers} shoppers, {result.requests} requests in {result.seconds:.0f} s "
              f"(stopped by: {result.stopped_by or 'done'}); cards {result.cards}, matching "
              f"{result.matching_cards}, clicks {result.clicks}, orders {result.orders}")
        plan = parse_plan(yaml.safe_load(experiments.read_text("utf-8")))
        with session_scope(engine) as session:
            outcomes = unit_outcomes(session, "hybrid_vs_popularity", timedelta(days=7))
        weights = {v.name: v.weight for v in plan.get("hybrid_vs_popularity").variants}
        report = build_report("hybrid_vs_popularity", outcomes, weights, control="popularity")
        print(format_report(report))
        print_power(report, outcomes)
    finally:
        engine.dispose()
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)     # a medium-profile stack leaves 600 MB


def print_power(report: dict, outcomes) -> None:
    """Was the run large enough for its GMV lift? The calculator's units per variant at the
    control's observed mean and spread, for the lift this run estimated and for +20 %."""
    from growth.statistics import sample_size_for_mean

    cmp = report["comparisons"][0]
    gmv = np.array([o.gmv_cents / 100 for o in outcomes if o.variant == report["control"]])
    units = min(r["units"] for r in report["variants"])
    if len(gmv) < 2 or gmv.std(ddof=1) == 0:
        return
    mean, sd = gmv.mean(), gmv.std(ddof=1)
    lifts = [cmp["gmv_per_unit"]["lift"], 0.20]
    sizes = ", ".join(f"{lift:+.0%}: {sample_size_for_mean(mean, sd, lift)}" for lift in lifts if lift)
    print(f"power: control GMV/shopper ¥{mean:.2f}, sd ¥{sd:.2f}; units per variant for 80 % power at 5 % "
          f"({sizes}); this run had {units} per variant")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="which", required=True)
    s = sub.add_parser("stats")
    s.add_argument("--experiments", type=int, default=200)
    s.add_argument("--units", type=int, default=2000, help="per variant")
    s.add_argument("--lift", type=float, default=0.10)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--power-runs", type=int, default=100, help="experiments sized by the calculator")
    g = sub.add_parser("segments")
    g.add_argument("--database-url")
    g.add_argument("--profile", default="default")
    g.add_argument("--clusters", type=int, default=4)
    g.add_argument("--reseeds", type=int, default=5)
    live = sub.add_parser("live")
    live.add_argument("--shoppers", type=int, default=300)
    live.add_argument("--offset", type=int, default=100)
    live.add_argument("--seconds", type=float, default=400)
    live.add_argument("--max-requests", type=int, default=5000)
    live.add_argument("--seed", type=int, default=0)
    live.add_argument("--profile", default="default", help="seed profile of the stack's shop (shoppers come from it)")
    add_large_arguments(sub.add_parser("large"))
    args = parser.parse_args()
    {"stats": bench_stats, "segments": bench_segments, "live": bench_live, "large": bench_large}[args.which](args)


if __name__ == "__main__":
    main()
