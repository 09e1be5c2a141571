"""Assignment of units to variants: deterministic, weighted, stable; the experiment file."""
from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from scipy import stats

from growth.assignment import in_ramp, pick_variant, unit_for
from growth.experiments import ExperimentBook, ExperimentError, parse_experiment, parse_plan

UNITS = [f"c:{i}" for i in range(20_000)]


def test_assignment_is_deterministic_and_depends_on_the_salt():
    variants = [("a", 1), ("b", 1)]
    first = [pick_variant("exp", u, variants) for u in UNITS[:500]]
    assert first == [pick_variant("exp", u, variants) for u in UNITS[:500]]
    other = [pick_variant("other", u, variants) for u in UNITS[:500]]
    assert first != other     # independent experiments split independently


def test_weights_are_respected():
    variants = [("a", 1), ("b", 2), ("c", 7)]
    counts = Counter(pick_variant("w", u, variants) for u in UNITS)
    expected = [len(UNITS) * w / 10 for _, w in variants]
    # A correct split passes a chi-square test (p > 0.001) against the weights.
    assert stats.chisquare([counts["a"], counts["b"], counts["c"]], expected).pvalue > 0.001
    assert abs(counts["c"] / len(UNITS) - 0.7) < 0.02


def test_adding_a_variant_only_moves_units_into_it():
    before = {u: pick_variant("s", u, [("a", 1), ("b", 1)]) for u in UNITS}
    after = {u: pick_variant("s", u, [("a", 1), ("b", 1), ("new", 1)]) for u in UNITS}
    moved = [u for u in UNITS if after[u] != before[u]]
    assert moved and all(after[u] == "new" for u in moved)
    assert abs(len(moved) / len(UNITS) - 1 / 3) < 0.02


def test_excluding_a_variant_reassigns_only_its_units():
    three = [("a", 1), ("b", 1), ("c", 1)]
    before = {u: pick_variant("x", u, three) for u in UNITS[:3000]}
    after = {u: pick_variant("x", u, three[:2]) for u in UNITS[:3000]}
    assert all(after[u] == before[u] for u in before if before[u] != "c")


def test_ramp_only_adds_units_when_raised():
    at10 = {u for u in UNITS if in_ramp("r", u, 10)}
    at50 = {u for u in UNITS if in_ramp("r", u, 50)}
    assert at10 < at50 and abs(len(at10) / len(UNITS) - 0.10) < 0.01


def test_units_are_customers_when_signed_in_else_conversations():
    assert unit_for(7, "web-abc") == "c:7" and unit_for(None, "web-abc") == "s:web-abc"


def _exp(**overrides):
    raw = {"name": "e", "status": "running", "variants": [{"name": "a", "strategy": "hybrid"},
                                                         {"name": "b", "strategy": "popularity", "cards": 3}]}
    raw.update(overrides)
    return parse_experiment(raw, {})


def test_stopped_excluded_and_segment_limited_experiments_assign_nobody_or_fewer():
    assert _exp(status="stopped").assign("c:1") is None
    excluded = _exp(excluded=["b"])
    assert {excluded.assign(u).name for u in UNITS[:200]} == {"a"}
    targeted = _exp(segments=["at_risk"])
    assert targeted.assign("c:1", segment="loyal") is None and targeted.assign("c:1", "at_risk") is not None
    assert _exp(ramp=0).assign("c:1") is None
    assert _exp().variant("b").params == {"strategy": "popularity", "cards": 3}


@pytest.mark.parametrize("bad", [
    {"variants": [{"name": "a"}]},                                   # one variant
    {"variants": [{"name": "a"}, {"name": "a"}]},                    # duplicate names
    {"variants": [{"name": "a", "strategy": "magic"}, {"name": "b"}]},
    {"variants": [{"name": "a", "cards": 50}, {"name": "b"}]},
    {"variants": [{"name": "a", "offer": "nope"}, {"name": "b"}]},
    {"status": "paused"},
    {"ramp": 150},
    {"excluded": ["zzz"]},
])
def test_invalid_definitions_are_refused(bad):
    with pytest.raises(ExperimentError):
        _exp(**bad)


def test_an_invalid_experiment_is_dropped_alone():
    plan = parse_plan({"experiments": [
        {"name": "bad", "status": "running", "variants": [{"name": "a"}]},
        {"name": "good", "status": "running", "variants": [{"name": "a"}, {"name": "b"}]},
    ]})
    assert [e.name for e in plan.experiments] == ["good"]


def test_the_file_is_reread_on_change_and_a_broken_edit_keeps_the_last_good_plan(tmp_path):
    path = tmp_path / "experiments.yml"
    path.write_text("experiments:\n  - {name: e, status: running, variants: [{name: a}, {name: b}]}\n", "utf-8")
    book = ExperimentBook(path)
    assert book.plan().get("e").running
    path.write_text("experiments:\n  - {name: e, status: stopped, variants: [{name: a}, {name: b}]}\n", "utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert not book.plan().get("e").running
    path.write_text("experiments: [ {name: e, status: running,", "utf-8")    # half-saved
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 20_000_000))
    assert not book.plan().get("e").running


def test_the_shipped_experiment_file_parses_completely():
    import yaml
    from growth.experiments import DEFAULT_PATH
    document = yaml.safe_load(DEFAULT_PATH.read_text("utf-8"))
    plan = parse_plan(document)
    assert len(plan.experiments) == len(document["experiments"]) and "winback" in plan.offers


def test_a_shopper_in_two_experiments_gets_both_variants_and_the_first_wins_a_conflict():
    from assistant.experiment_picks import treatment_for
    plan = parse_plan({
        "offers": {"w": {"coupon_code": "W1", "discount_yuan": 5}},
        "experiments": [
            {"name": "strategy", "status": "running", "variants": [{"name": "p", "strategy": "popularity", "cards": 3},
                                                                    {"name": "q", "strategy": "popularity", "cards": 3}]},
            {"name": "offer", "status": "running", "variants": [{"name": "o", "offer": "w", "cards": 8},
                                                                 {"name": "o2", "offer": "w", "cards": 8}]},
            {"name": "off", "status": "stopped", "variants": [{"name": "x"}, {"name": "y"}]},
        ]})
    treatment = treatment_for(plan, "c:42", None)
    assert [s.experiment for s in treatment.shown] == ["strategy", "offer"]
    assert treatment.strategy == "popularity" and treatment.cards == 3 and treatment.offer.coupon_code == "W1"
