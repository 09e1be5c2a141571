"""The statistics of an experiment report — pure functions over numbers, no database.

Distributions and tests come from scipy and statsmodels, not hand-written formulas:
- a metric per variant: mean with a Student-t interval (``scipy.stats.t``); proportions get a
  Wilson interval (``statsmodels ... proportion_confint``);
- treatment vs control: Welch's t-test (``scipy.stats.ttest_ind``, unequal variances) for the
  absolute difference, and the relative lift with a delta-method interval;
- sample ratio mismatch: Pearson's chi-square of unit counts against the configured weights
  (``scipy.stats.chisquare``), flagged below ``SRM_ALPHA``;
- CUPED: the metric minus theta * (pre-experiment covariate - its mean), theta pooled over
  all units, which keeps the difference unbiased and shrinks its variance by 1 - rho^2;
- sample size: per-variant units for a relative lift at given alpha and power
  (``statsmodels.stats.power``);
- many comparisons: Holm's step-down adjustment (``statsmodels.stats.multitest``) of every
  p-value one report marks 显著, so the chance that *any* mark is a fluke stays at alpha.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize

# A split this unlikely is broken, not unlucky (the usual SRM threshold: p < 0.001).
SRM_ALPHA = 0.001


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class Comparison:
    """Treatment minus control on one metric."""

    difference: float
    diff_low: float
    diff_high: float
    lift: Optional[float]          # relative: treatment / control - 1 (None: control mean 0)
    lift_low: Optional[float]
    lift_high: Optional[float]
    p_value: float

    def significant(self, alpha: float = 0.05) -> bool:
        """This one test alone; a report of many decides on Holm-adjusted p (``holm_adjust``)."""
        return bool(self.p_value < alpha)


@dataclass(frozen=True)
class SrmResult:
    observed: tuple[int, ...]
    expected: tuple[float, ...]
    chi2: float
    p_value: float

    @property
    def mismatch(self) -> bool:
        return self.p_value < SRM_ALPHA


def mean_interval(values: Sequence[float], alpha: float = 0.05) -> Estimate:
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, float("nan"), float("nan"), n)
    half = stats.t.ppf(1 - alpha / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def proportion_interval(successes: int, n: int, alpha: float = 0.05) -> Estimate:
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    low, high = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return Estimate(successes / n, float(low), float(high), n)


def compare(control: Sequence[float], treatment: Sequence[float], alpha: float = 0.05) -> Comparison:
    """Welch's t-test and intervals for treatment - control, and for the relative lift."""
    c, t = np.asarray(control, dtype=float), np.asarray(treatment, dtype=float)
    if len(c) < 2 or len(t) < 2:
        nan = float("nan")
        return Comparison(nan, nan, nan, None, None, None, nan)
    mc, mt = c.mean(), t.mean()
    vc, vt = c.var(ddof=1) / len(c), t.var(ddof=1) / len(t)
    se = np.sqrt(vc + vt)
    if se == 0:
        p = 1.0 if mt == mc else 0.0
        return Comparison(float(mt - mc), float(mt - mc), float(mt - mc),
                          None if mc == 0 else float(mt / mc - 1), None, None, p)
    result = stats.ttest_ind(t, c, equal_var=False)
    # Welch-Satterthwaite degrees of freedom, for the interval that matches the test.
    df = (vc + vt) ** 2 / (vc ** 2 / (len(c) - 1) + vt ** 2 / (len(t) - 1))
    half = stats.t.ppf(1 - alpha / 2, df) * se
    lift = lift_low = lift_high = None
    if mc != 0:
        lift = mt / mc - 1
        # Delta method for the ratio of two independent means.
        se_lift = np.sqrt(vt / mc ** 2 + (mt ** 2) * vc / mc ** 4)
        z = stats.norm.ppf(1 - alpha / 2)
        lift_low, lift_high = float(lift - z * se_lift), float(lift + z * se_lift)
        lift = float(lift)
    return Comparison(float(mt - mc), float(mt - mc - half), float(mt - mc + half),
                      lift, lift_low, lift_high, float(result.pvalue))


def holm_adjust(p_values: Sequence[float], alpha: float = 0.05) -> list[float]:
    """Holm-adjusted p-values, in the given order. Holm rather than Benjamini-Hochberg: a
    report has a handful of tests (variants x metrics) and each 显著 is read as "ship it", so
    the family-wise error (any false mark) is what must stay at ``alpha``; Holm controls it
    with no assumption about how the tests depend on each other (the metrics share units)
    and is uniformly more powerful than Bonferroni. NaN (no data) stays NaN and is not
    counted in the family."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(len(p), np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = multipletests(p[tested], alpha=alpha, method="holm")[1]
    return [float(a) for a in adjusted]


def srm_check(observed: Sequence[int], weights: Sequence[float]) -> SrmResult:
    """Do the unit counts per variant fit the configured weights?"""
    obs = np.asarray(observed, dtype=float)
    w = np.asarray(weights, dtype=float)
    expected = obs.sum() * w / w.sum()
    if obs.sum() == 0:
        return SrmResult(tuple(int(o) for o in obs), tuple(expected), 0.0, 1.0)
    chi2, p = stats.chisquare(obs, expected)
    return SrmResult(tuple(int(o) for o in obs), tuple(float(e) for e in expected), float(chi2), float(p))


def cuped_theta(metric: Sequence[float], covariate: Sequence[float]) -> float:
    y, x = np.asarray(metric, dtype=float), np.asarray(covariate, dtype=float)
    var = x.var(ddof=1) if len(x) > 1 else 0.0
    return 0.0 if var == 0 else float(np.cov(x, y, ddof=1)[0, 1] / var)


def cuped_adjust(metric: Sequence[float], covariate: Sequence[float],
                 theta: Optional[float] = None, covariate_mean: Optional[float] = None) -> np.ndarray:
    """metric - theta * (covariate - mean). Compute theta and the mean over *all* variants'
    units together and pass them in, so every variant is adjusted the same way."""
    y, x = np.asarray(metric, dtype=float), np.asarray(covariate, dtype=float)
    theta = cuped_theta(y, x) if theta is None else theta
    mean = float(x.mean()) if covariate_mean is None else covariate_mean
    return y - theta * (x - mean)


def sample_size_for_mean(baseline_mean: float, baseline_sd: float, relative_lift: float,
                         alpha: float = 0.05, power: float = 0.8) -> int:
    """Units per variant to detect ``relative_lift`` on a mean (two-sided, equal split)."""
    if baseline_sd <= 0 or baseline_mean == 0 or relative_lift == 0:
        raise ValueError("need a positive standard deviation, a non-zero mean and a non-zero lift")
    effect = abs(baseline_mean * relative_lift) / baseline_sd
    return int(np.ceil(NormalIndPower().solve_power(effect_size=effect, alpha=alpha, power=power, ratio=1.0)))


def sample_size_for_rate(baseline_rate: float, relative_lift: float,
                         alpha: float = 0.05, power: float = 0.8) -> int:
    """Units per variant to detect ``relative_lift`` on a rate (Cohen's h, arcsine scale)."""
    target = baseline_rate * (1 + relative_lift)
    if not 0 < baseline_rate < 1 or not 0 < target < 1:
        raise ValueError("rates must lie strictly between 0 and 1")
    effect = abs(proportion_effectsize(target, baseline_rate))
    return int(np.ceil(NormalIndPower().solve_power(effect_size=effect, alpha=alpha, power=power, ratio=1.0)))


def counts_by_variant(assigned: Mapping[str, int], variants: Sequence[str]) -> list[int]:
    return [int(assigned.get(v, 0)) for v in variants]
