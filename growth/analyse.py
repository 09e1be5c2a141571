"""The experiment report: ``python -m growth.analyse NAME [--window-days N] [--json]``.

Per variant: units (shoppers, or guests' conversations), exposures, click-through (share of
units that pressed 我要买 on a card, and clicks per exposure), conversion (share of units with a
paid order within the attribution window after their first exposure), GMV per unit (yuan),
each with a 95 % interval; against the control (the first variant in the file): the
difference and relative lift with intervals and p-values, GMV also CUPED-adjusted with the
units' spend in the 90 days before their first exposure. A sample-ratio check compares the
units per variant with the configured weights. ``--plan-lift 0.05`` adds the units needed
per variant to detect that relative lift in GMV and conversion at the control's current level.
With ``planned_units`` in the file, the progress against that plan (``progress``: the same
figures the console's 实验 page shows).

``build_report`` is pure (outcomes in, report out); ``main`` reads the database.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import asdict
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Mapping, Optional, Sequence

import numpy as np

from growth import statistics as st

DEFAULT_WINDOW_DAYS = 7
# Every metric compared with the control (what the report shows).
COMPARED_METRICS = ("click_through", "conversion", "gmv_per_unit", "gmv_per_unit_cuped")
# The hypotheses tested, one estimate each: together with the treatments, the family whose
# p-values are Holm-adjusted (``adjust_for_many_tests``). GMV per unit and its CUPED-adjusted
# version are two estimates of one hypothesis (the same difference in means: CUPED subtracts
# a pre-period term whose expectation is equal in every arm), so only one of them is tested —
# CUPED's, the narrower; counting both made every test of the report stricter than the
# hypotheses ask. The plain GMV difference is still shown, for reference, with its raw p only.
TESTED_METRICS = ("click_through", "conversion", "gmv_per_unit_cuped")
MULTIPLE_TESTING = "holm"


def _estimate(e: st.Estimate) -> dict:
    return {"value": e.mean, "low": e.low, "high": e.high}


def _comparison(c: st.Comparison) -> dict:
    return asdict(c)


def build_report(name: str, outcomes: Sequence, weights: Mapping[str, float], control: Optional[str] = None,
                 alpha: float = 0.05, plan_lift: Optional[float] = None, excluded: Sequence[str] = ()) -> dict:
    """The report as plain data. ``outcomes``: UnitOutcome-like objects (variant, exposures,
    clicks, orders, gmv_cents, attributed_orders, pre_spend_cents). ``excluded`` variants
    are reported but left out of the sample-ratio check: they take no new units (their
    shoppers are re-assigned among the others by weight), so their count cannot fit a weight."""
    variants = list(weights) or sorted({o.variant for o in outcomes})
    for o in outcomes:
        if o.variant not in variants:
            variants.append(o.variant)
    control = control if control in variants else (variants[0] if variants else None)
    groups = {v: [o for o in outcomes if o.variant == v] for v in variants}

    def arrays(units):
        return {
            "clicked": np.array([1.0 if o.clicks else 0.0 for o in units]),
            "converted": np.array([1.0 if o.orders else 0.0 for o in units]),
            "gmv": np.array([o.gmv_cents / 100.0 for o in units]),
            "pre": np.array([o.pre_spend_cents / 100.0 for o in units]),
        }

    data = {v: arrays(u) for v, u in groups.items()}
    all_gmv = np.concatenate([d["gmv"] for d in data.values()]) if outcomes else np.zeros(0)
    all_pre = np.concatenate([d["pre"] for d in data.values()]) if outcomes else np.zeros(0)
    theta = st.cuped_theta(all_gmv, all_pre) if len(all_gmv) > 1 else 0.0
    pre_mean = float(all_pre.mean()) if len(all_pre) else 0.0
    for d in data.values():
        d["gmv_cuped"] = st.cuped_adjust(d["gmv"], d["pre"], theta, pre_mean)

    rows = []
    for v in variants:
        units, d = groups[v], data[v]
        exposures = sum(o.exposures for o in units)
        clicks = sum(o.clicks for o in units)
        rows.append({
            "variant": v, "units": len(units), "exposures": exposures, "clicks": clicks,
            "clicks_per_exposure": clicks / exposures if exposures else None,
            "orders": sum(o.orders for o in units), "attributed_orders": sum(o.attributed_orders for o in units),
            "gmv": float(d["gmv"].sum()),
            "click_through": _estimate(st.proportion_interval(int(d["clicked"].sum()), len(units), alpha)),
            "conversion": _estimate(st.proportion_interval(int(d["converted"].sum()), len(units), alpha)),
            "gmv_per_unit": _estimate(st.mean_interval(d["gmv"], alpha)),
        })

    comparisons = []
    for v in variants:
        if v == control:
            continue
        c, t = data[control], data[v]
        plain, cuped = st.compare(c["gmv"], t["gmv"], alpha), st.compare(c["gmv_cuped"], t["gmv_cuped"], alpha)
        width = plain.diff_high - plain.diff_low
        narrowing = (1 - (cuped.diff_high - cuped.diff_low) / width) if width and width == width else None
        comparisons.append({
            "variant": v, "against": control,
            "click_through": _comparison(st.compare(c["clicked"], t["clicked"], alpha)),
            "conversion": _comparison(st.compare(c["converted"], t["converted"], alpha)),
            "gmv_per_unit": _comparison(plain),
            "gmv_per_unit_cuped": _comparison(cuped),
            "cuped_interval_narrowing": narrowing,
        })

    adjust_for_many_tests(comparisons, alpha)

    checked = [v for v in variants if v not in excluded]
    srm = st.srm_check([len(groups[v]) for v in checked], [weights.get(v, 1.0) for v in checked])
    report = {
        "experiment": name, "control": control, "alpha": alpha, "units": len(outcomes),
        "variants": rows, "comparisons": comparisons,
        "srm": {"variants": checked, "observed": srm.observed, "expected": srm.expected, "chi2": srm.chi2,
                "p_value": srm.p_value, "mismatch": srm.mismatch},
        "cuped_theta": theta,
        "multiple_testing": {"method": MULTIPLE_TESTING,
                             "tests": sum(c[m]["p_value"] == c[m]["p_value"] for c in comparisons
                                          for m in TESTED_METRICS)},
    }
    if plan_lift and control is not None and groups[control]:
        c = data[control]
        plan = {"relative_lift": plan_lift}
        if c["gmv"].std(ddof=1) > 0 and c["gmv"].mean() > 0:
            plan["gmv_units_per_variant"] = st.sample_size_for_mean(c["gmv"].mean(), c["gmv"].std(ddof=1), plan_lift)
        rate = c["converted"].mean()
        if 0 < rate < 1 and rate * (1 + plan_lift) < 1:
            plan["conversion_units_per_variant"] = st.sample_size_for_rate(rate, plan_lift)
        report["plan"] = plan
    return report


def adjust_for_many_tests(comparisons: list, alpha: float) -> None:
    """Add ``p_adjusted`` (Holm, over every treatment x hypothesis of the report,
    ``TESTED_METRICS``) beside each raw ``p_value``; 显著 is decided on the adjusted one
    (``st.holm_adjust`` says why Holm). The plain GMV cell, shown for reference, is not a test
    of its own: ``p_adjusted`` None, never 显著."""
    cells = [c[m] for c in comparisons for m in TESTED_METRICS]
    for cell, adjusted in zip(cells, st.holm_adjust([cell["p_value"] for cell in cells], alpha)):
        cell["p_adjusted"] = adjusted
        cell["significant"] = bool(adjusted < alpha)
    for c in comparisons:
        for m in COMPARED_METRICS:
            if m not in TESTED_METRICS:
                c[m]["p_adjusted"], c[m]["significant"] = None, False


def progress(experiment, report: dict) -> Optional[dict]:
    """Whether the experiment has the units it was planned for: per live (not excluded)
    variant, units now against ``planned_units``; the smallest share decides. One rule for the
    console's 实验 page and the command line (``format_report``); None without a plan."""
    planned = experiment.planned_units
    if not planned:
        return None
    units = {r["variant"]: int(r["units"]) for r in report.get("variants", [])}
    live = [v.name for v in experiment.variants if v.name not in experiment.excluded]
    per_variant = {name: units.get(name, 0) for name in live}
    least = min(per_variant.values()) if per_variant else 0
    return {"planned": planned, "per_variant": per_variant, "least": least,
            "share": min(1.0, least / planned), "reached": least >= planned,
            "missing": max(0, planned - least) * len(live)}


def verdict(report: dict) -> str:
    """Whether the report may be acted on, the one rule for the console and the terminal:
    ``no_units`` (nothing logged yet), ``srm`` (the split itself is off: no figure is to be
    trusted), ``no_plan`` (no planned sample size: looking until something is 显著 inflates
    false winners), ``too_early`` (the plan not reached yet: the same peeking), else
    ``conclusive`` — only then is an adjusted p < alpha a result rather than a hint."""
    if not report.get("units"):
        return "no_units"
    if report["srm"]["mismatch"]:
        return "srm"
    plan = report.get("progress")
    if not plan:
        return "no_plan"
    return "conclusive" if plan["reached"] else "too_early"


def progress_line(progress: dict, srm_mismatch: bool) -> str:
    """``progress`` in words for the terminal (the console's 实验 page says the same)."""
    counts = ", ".join(f"{name} {units}" for name, units in progress["per_variant"].items())
    head = f"plan: {progress['planned']} units per variant; now {counts}: "
    if progress["reached"]:
        return head + "plan reached" + ("  ⚠ but the sample ratio mismatches — do not trust this split"
                                        if srm_mismatch else "")
    return (head + f"smallest variant at {math.floor(progress['share'] * 100)}%, about {progress['missing']} "
            "units still missing — too early to conclude")


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{x * 100:+.1f}%"


def _range(e: dict, scale: float = 1.0, fmt: str = "{:.3f}") -> str:
    if e["value"] != e["value"]:
        return "—"
    inner = "" if e["low"] != e["low"] else f" [{fmt.format(e['low'] * scale)}, {fmt.format(e['high'] * scale)}]"
    return fmt.format(e["value"] * scale) + inner


def format_report(report: dict) -> str:
    lines = [f"实验 {report['experiment']} — {report['units']} units, control = {report['control']}"]
    srm = report["srm"]
    lines.append(f"SRM: observed {list(srm['observed'])} vs expected {[round(e, 1) for e in srm['expected']]}, "
                 f"p = {srm['p_value']:.4g}" + ("  ⚠ SAMPLE RATIO MISMATCH — do not trust this split" if srm["mismatch"] else "  ok"))
    lines.append(f"{'variant':<12}{'units':>7}{'expos.':>8}{'clicks':>8}  {'click-through':<24}{'conversion':<24}GMV/unit (¥)")
    for r in report["variants"]:
        lines.append(f"{r['variant']:<12}{r['units']:>7}{r['exposures']:>8}{r['clicks']:>8}  "
                     f"{_range(r['click_through']):<24}{_range(r['conversion']):<24}"
                     f"{_range(r['gmv_per_unit'], fmt='{:.2f}')}")
    if report["comparisons"]:
        lines.append(f"p-values Holm-adjusted over the report's {report['multiple_testing']['tests']} tests "
                     f"(variants x click-through, conversion, GMV — GMV tested by its CUPED estimate; the plain "
                     f"GMV line is for reference); significant = adjusted p < {report['alpha']:g}")
    for c in report["comparisons"]:
        lines.append(f"{c['variant']} vs {c['against']}:")
        for key, label in zip(COMPARED_METRICS, ("click-through", "conversion", "GMV/unit", "GMV/unit (CUPED)")):
            m = c[key]
            lines.append(f"  {label:<18} lift {_pct(m['lift'])} [{_pct(m['lift_low'])}, {_pct(m['lift_high'])}]"
                         f"  diff {m['difference']:.4g} [{m['diff_low']:.4g}, {m['diff_high']:.4g}]"
                         f"  p = {m['p_value']:.3g}, "
                         + ("Holm p = —, reference" if m["p_adjusted"] is None else f"Holm p = {m['p_adjusted']:.3g}")
                         + (("  significant" if report.get("verdict", "conclusive") == "conclusive"
                             else "  adjusted p < alpha, not a result yet (see below)") if m["significant"] else ""))
        if c["cuped_interval_narrowing"] is not None:
            lines.append(f"  CUPED narrows the GMV interval by {c['cuped_interval_narrowing'] * 100:.1f}%")
    if report.get("progress"):
        lines.append(progress_line(report["progress"], report["srm"]["mismatch"]))
    if report.get("verdict") == "no_plan" and report["comparisons"]:
        lines.append("no planned_units: set the sample size the experiment was sized for before reading "
                     "'significant' as a result (looking until something is significant finds false winners)")
    if "plan" in report:
        lines.append(f"sample size for a {report['plan']['relative_lift'] * 100:.1f}% lift: " + ", ".join(
            f"{k} = {v}" for k, v in report["plan"].items() if k != "relative_lift"))
    return "\n".join(lines)


def analyse(engine, name: str, window_days: Optional[int] = None, plan_lift: Optional[float] = None,
            book=None) -> dict:
    """The report of experiment ``name`` from the database; ``book``: an ExperimentBook
    (default: the process's, ``growth.experiments.experiment_book``)."""
    from growth.experiments import experiment_book
    from shop.db.engine import session_scope
    from shop.db.experiments import unit_outcomes

    experiment = (book or experiment_book()).plan().get(name)
    weights = {v.name: v.weight for v in experiment.variants} if experiment else {}
    days = window_days or (experiment.attribution_days if experiment else DEFAULT_WINDOW_DAYS)
    with session_scope(engine) as session:
        outcomes = unit_outcomes(session, name, timedelta(days=days))
    report = build_report(name, outcomes, weights, plan_lift=plan_lift,
                          excluded=sorted(experiment.excluded) if experiment else ())
    report["attribution_days"] = days
    report["progress"] = progress(experiment, report) if experiment else None
    report["verdict"] = verdict(report)
    return report


SALES_DAYS = 30      # the experiment page's sales chart: the last 30 shop days


def sales_per_day(engine, name: str, variants: Sequence[str], last: date, zone: tzinfo,
                  days: int = SALES_DAYS) -> dict:
    """What the assistant sold under each variant, per shop day (``zone``), over ``days``
    days ending on ``last``: the subtotal (yuan) of paid order items bought from the
    experiment's cards, by the day they were paid (``shop.db.experiments.attributed_sales``).
    Every variant of the file is a series (zeros included), then any other the log holds."""
    from shop.db.engine import session_scope
    from shop.db.experiments import attributed_sales

    first = last - timedelta(days=days - 1)
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    with session_scope(engine) as session:
        rows = attributed_sales(session, name, start, end)
    return sales_by_day(rows, variants, first, days, zone)


def sales_by_day(rows: Sequence[tuple], variants: Sequence[str], first: date, days: int, zone: tzinfo) -> dict:
    """``sales_per_day``'s figures from (variant, paid_at, cents) rows paid within the days."""
    labels = [(first + timedelta(days=n)).isoformat() for n in range(days)]
    index = {day: n for n, day in enumerate(labels)}
    series = {v: [0] * days for v in variants}
    for variant, paid_at, cents in rows:
        day = paid_at.astimezone(zone).date().isoformat()
        series.setdefault(variant, [0] * days)[index[day]] += cents
    return {"days": labels, "timezone": str(zone),
            "variants": [{"variant": v, "gmv_yuan": [c / 100 for c in cents], "total_yuan": sum(cents) / 100}
                         for v, cents in series.items()]}


def main(argv: Optional[list[str]] = None) -> int:
    from shop.db.engine import make_engine

    parser = argparse.ArgumentParser(description="Report of one experiment, from the shop database.")
    parser.add_argument("name")
    parser.add_argument("--window-days", type=int, default=None, help="attribution window (default: the file's)")
    parser.add_argument("--plan-lift", type=float, default=None, help="also: units needed for this relative lift")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from growth.experiments import ExperimentBook, experiments_path

    book = ExperimentBook(experiments_path(os.environ))   # SHOP_EXPERIMENTS_PATH, read at start
    engine = make_engine()
    try:
        report = analyse(engine, args.name, args.window_days, args.plan_lift, book)
    finally:
        engine.dispose()
    if not report["units"]:
        print(f"no exposures logged for experiment {args.name!r}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False, indent=1, default=float) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
