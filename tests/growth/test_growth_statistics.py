"""The report's statistics against closed-form cases."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from growth.statistics import (
    compare, cuped_adjust, cuped_theta, holm_adjust, mean_interval, proportion_interval, sample_size_for_mean,
    sample_size_for_rate, srm_check,
)


def test_mean_interval_is_the_student_t_interval():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    est = mean_interval(values)
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)     # t(0.975, 4) * s / sqrt(n)
    assert est.mean == 3.0 and est.low == pytest.approx(3 - half) and est.high == pytest.approx(3 + half)


def test_proportion_interval_is_wilson():
    est = proportion_interval(10, 100)
    z = 1.959963984540054
    p, n = 0.1, 100
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert est.low == pytest.approx(centre - half) and est.high == pytest.approx(centre + half)


def test_compare_matches_welch_and_the_delta_method():
    control = [10.0, 12.0, 11.0, 13.0, 9.0, 10.0]
    treatment = [12.0, 14.0, 13.0, 15.0, 12.0, 14.0]
    cmp = compare(control, treatment)
    c, t = np.array(control), np.array(treatment)
    assert cmp.difference == pytest.approx(t.mean() - c.mean())
    assert cmp.p_value == pytest.approx(stats.ttest_ind(t, c, equal_var=False).pvalue)
    assert cmp.diff_low < cmp.difference < cmp.diff_high and cmp.significant()
    vc, vt = c.var(ddof=1) / 6, t.var(ddof=1) / 6
    se = math.sqrt(vt / c.mean() ** 2 + t.mean() ** 2 * vc / c.mean() ** 4)
    assert cmp.lift == pytest.approx(t.mean() / c.mean() - 1)
    assert cmp.lift_high - cmp.lift == pytest.approx(1.959963984540054 * se)


def test_identical_groups_differ_by_nothing():
    cmp = compare([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert cmp.difference == 0 and cmp.p_value == pytest.approx(1.0) and not cmp.significant()


def test_srm_flags_a_broken_split_and_passes_a_fair_one():
    assert not srm_check([5010, 4990], [1, 1]).mismatch
    broken = srm_check([5300, 4700], [1, 1])
    # chi2 = (300^2 + 300^2) / 5000 = 36
    assert broken.chi2 == pytest.approx(36.0) and broken.mismatch
    assert srm_check([2000, 8000], [1, 4]).p_value == pytest.approx(1.0)


def test_cuped_theta_is_the_regression_slope_and_removes_explained_variance():
    rng = np.random.default_rng(0)
    x = rng.normal(100, 20, 5000)
    y = 3.0 + 0.5 * x + rng.normal(0, 5, 5000)
    assert cuped_theta(y, x) == pytest.approx(0.5, abs=0.02)
    adjusted = cuped_adjust(y, x)
    assert adjusted.mean() == pytest.approx(y.mean())
    rho2 = np.corrcoef(x, y)[0, 1] ** 2
    assert adjusted.var() == pytest.approx(y.var() * (1 - rho2), rel=1e-6)


def test_sample_sizes_match_the_normal_approximation():
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    # mean 100, sd 50, +10 %: effect d = 0.2 -> n = 2 z^2 / d^2
    assert sample_size_for_mean(100, 50, 0.10) == math.ceil(2 * z * z / 0.04)
    h = abs(2 * math.asin(math.sqrt(0.11)) - 2 * math.asin(math.sqrt(0.10)))
    assert sample_size_for_rate(0.10, 0.10) == math.ceil(2 * z * z / h ** 2)
    with pytest.raises(ValueError):
        sample_size_for_rate(0.0, 0.1)


def test_an_excluded_variant_is_reported_but_not_part_of_the_ratio_check():
    from growth.analyse import build_report
    from shop.db.experiments import UnitOutcome

    def units(variant, n):
        return [UnitOutcome(unit=f"{variant}{i}", variant=variant, customer_id=None, first_shown_at=None,
                            exposures=1) for i in range(n)]
    outcomes = units("a", 500) + units("b", 500)
    weights = {"a": 1.0, "b": 1.0, "c": 1.0}
    # With "c" live, a 500/500/0 split is broken; excluded, it takes no units and a/b is fair.
    assert build_report("e", outcomes, weights)["srm"]["mismatch"]
    report = build_report("e", outcomes, weights, excluded=["c"])
    assert not report["srm"]["mismatch"] and report["srm"]["variants"] == ["a", "b"]
    assert [r["variant"] for r in report["variants"]] == ["a", "b", "c"]


def test_holm_adjusts_in_place_order_and_leaves_untested_cells_out():
    # Sorted 0.01 < 0.02 < 0.04 over 3 tests: 3 x 0.01, max(0.03, 2 x 0.02), max(0.04, 1 x 0.04).
    adjusted = holm_adjust([0.04, float("nan"), 0.01, 0.02])
    assert adjusted[0] == pytest.approx(0.04) and math.isnan(adjusted[1])
    assert adjusted[2] == pytest.approx(0.03) and adjusted[3] == pytest.approx(0.04)
    assert holm_adjust([]) == [] and all(math.isnan(a) for a in holm_adjust([float("nan")]))


def _clicking_units(variant, n, clicked):
    from shop.db.experiments import UnitOutcome

    return [UnitOutcome(unit=f"{variant}{i}", variant=variant, customer_id=None, first_shown_at=None,
                        exposures=1, clicks=int(i < clicked)) for i in range(n)]


def test_a_chance_difference_among_many_tests_is_not_called_significant():
    """Raw p = 0.02 on one cell of a report with three treatments x three hypotheses: not 显著
    once adjusted; a large effect stays significant after adjusting."""
    from growth.analyse import build_report, format_report

    outcomes = (_clicking_units("a", 200, 20) + _clicking_units("b", 200, 20)
                + _clicking_units("c", 200, 35) + _clicking_units("d", 200, 20))
    report = build_report("e", outcomes, {"a": 1, "b": 1, "c": 1, "d": 1})
    cell = next(c for c in report["comparisons"] if c["variant"] == "c")["click_through"]
    assert cell["p_value"] < 0.05 and cell["p_adjusted"] > 0.05 and not cell["significant"]
    # Conversion and GMV are all zero (p = 1): every variant x hypothesis with a p-value counts.
    assert report["multiple_testing"] == {"method": "holm", "tests": 9}
    assert cell["p_adjusted"] == pytest.approx(min(1.0, 9 * cell["p_value"]))
    text = format_report(report)
    assert "Holm p = " in text and not any(line.endswith("significant") for line in text.splitlines())

    strong = build_report("e", _clicking_units("a", 200, 20) + _clicking_units("b", 200, 80), {"a": 1, "b": 1})
    cell = strong["comparisons"][0]["click_through"]
    assert cell["p_adjusted"] < 0.05 and cell["significant"]


def test_gmv_and_its_cuped_estimate_are_one_hypothesis_in_holms_family():
    """GMV per unit and CUPED GMV per unit estimate the same difference: the family is
    treatments x (click-through, conversion, GMV), GMV tested by its CUPED estimate. The plain
    GMV cell keeps its raw p for reference and is never 显著 on its own; with one treatment
    whose only real difference is GMV, CUPED's p is multiplied by 3 (the smallest of 3 tests),
    not by 4 as when both counted."""
    from growth.analyse import build_report, format_report
    from shop.db.experiments import UnitOutcome

    rng = np.random.default_rng(7)

    def units(variant, n, lift):
        pre = rng.gamma(2.0, 100.0, n)
        spend = pre * 0.8 + rng.normal(50.0 + lift, 40.0, n)
        return [UnitOutcome(unit=f"{variant}{i}", variant=variant, customer_id=i, first_shown_at=None, exposures=1,
                            clicks=1, orders=1, gmv_cents=int(max(s, 0) * 100), pre_spend_cents=int(p * 100))
                for i, (s, p) in enumerate(zip(spend, pre))]

    report = build_report("e", units("a", 300, 0.0) + units("b", 300, 12.0), {"a": 1, "b": 1})
    comparison = report["comparisons"][0]
    assert report["multiple_testing"] == {"method": "holm", "tests": 3}
    cuped, plain = comparison["gmv_per_unit_cuped"], comparison["gmv_per_unit"]
    assert cuped["diff_high"] - cuped["diff_low"] < plain["diff_high"] - plain["diff_low"]     # CUPED narrows
    assert cuped["p_adjusted"] == pytest.approx(3 * cuped["p_value"]) and cuped["significant"]
    assert plain["p_adjusted"] is None and plain["significant"] is False
    text = format_report(report)
    assert "Holm p = —, reference" in text and "over the report's 3 tests" in text


def test_sales_by_day_buckets_by_the_shops_day_with_every_variant_a_series():
    """Paid at 17:30 UTC is the next day in Shanghai; a variant with no sales is a series of
    zeros (the chart shows it sold nothing), one the file no longer lists still shows."""
    from datetime import date, datetime, timezone
    from zoneinfo import ZoneInfo

    from growth.analyse import sales_by_day

    zone = ZoneInfo("Asia/Shanghai")
    rows = [("hybrid", datetime(2026, 12, 5, 17, 30, tzinfo=timezone.utc), 1999),
            ("hybrid", datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc), 1),
            ("popularity", datetime(2026, 12, 4, 16, 0, tzinfo=timezone.utc), 5000),
            ("gone", datetime(2026, 12, 6, 15, 59, tzinfo=timezone.utc), 100)]
    figures = sales_by_day(rows, ["hybrid", "popularity", "content"], date(2026, 12, 5), 2, zone)
    assert figures["days"] == ["2026-12-05", "2026-12-06"] and figures["timezone"] == "Asia/Shanghai"
    assert [(v["variant"], v["gmv_yuan"], v["total_yuan"]) for v in figures["variants"]] == [
        ("hybrid", [0, 20.0], 20.0), ("popularity", [50.0, 0], 50.0), ("content", [0, 0], 0),
        ("gone", [0, 1.0], 1.0)]


def test_a_significant_difference_is_a_result_only_with_the_planned_units_and_a_sound_split():
    """``verdict``: the console and the terminal call a difference significant only once the
    plan is reached and the split is as configured; before, the line says it is no result."""
    from types import SimpleNamespace

    from growth.analyse import build_report, format_report, progress, verdict

    report = build_report("e", _clicking_units("a", 200, 20) + _clicking_units("b", 200, 80), {"a": 1, "b": 1})
    assert report["comparisons"][0]["click_through"]["significant"]
    plan = SimpleNamespace(planned_units=None, variants=[SimpleNamespace(name="a"), SimpleNamespace(name="b")],
                           excluded=[])
    assert verdict({**report, "progress": progress(plan, report)}) == "no_plan"
    plan.planned_units = 400
    early = {**report, "progress": progress(plan, report)}
    assert verdict(early) == "too_early"
    early["verdict"] = verdict(early)
    text = format_report(early)
    assert "not a result yet" in text and not any(line.endswith("  significant") for line in text.splitlines())
    plan.planned_units = 200
    reached = {**report, "progress": progress(plan, report)}
    assert verdict(reached) == "conclusive"
    reached["verdict"] = verdict(reached)
    assert any(line.endswith("  significant") for line in format_report(reached).splitlines())
    assert verdict({**reached, "srm": {**reached["srm"], "mismatch": True}}) == "srm"
    assert verdict({**reached, "units": 0}) == "no_units"
