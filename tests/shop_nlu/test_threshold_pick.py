"""The rule bench/real_cv.py --grid picks the fallback thresholds by (issue 14 round 10): the
setting config.yml carries has to be the one this rule gives on the saved CV grids."""
import importlib.util

from shop.settings import REPO_ROOT

_spec = importlib.util.spec_from_file_location("real_cv", REPO_ROOT / "bench" / "real_cv.py")
real_cv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(real_cv)


def row(strict, clarify, cost, shop_oos=0.005):
    return {"strict": strict, "clarify": clarify, "cost": cost, "shop_oos": shop_oos}


def test_the_cheapest_setting_within_the_ceilings_wins_and_near_ties_go_to_strict_accuracy():
    table = {(0.5, 0.2): row(0.82, 0.07, 0.068), (0.5, 0.0): row(0.84, 0.03, 0.0645),
             (0.45, 0.05): row(0.845, 0.03, 0.0655),   # within 0.002 of the cheapest, more accurate
             (0.3, 0.0): row(0.85, 0.01, 0.050, shop_oos=0.03),   # cheapest, but too many shop -> OOS
             (0.55, 0.25): row(0.80, 0.09, 0.049)}     # cheap, but asks back on 9 %
    assert real_cv.pick_setting(table) == (0.45, 0.05)


def test_the_common_pick_must_be_near_the_lowest_cost_on_every_grid():
    ok = lambda strict, cost: {"strict": strict, "cost": cost, "ok": True}
    full = {(0.5, 0.0): ok(0.876, 0.044), (0.45, 0.05): ok(0.876, 0.047), (0.5, 0.2): ok(0.863, 0.047)}
    leak_free = {(0.5, 0.0): ok(0.841, 0.064), (0.45, 0.05): ok(0.845, 0.065), (0.5, 0.2): ok(0.823, 0.068)}
    # (0.45, 0.05) is the leak-free grid's most accurate near tie, but 0.003 above the full grid's best
    assert real_cv.pick_common([full, leak_free]) == (0.5, 0.0)
    assert real_cv.pick_common([{(0.5, 0.2): {**ok(0.8, 0.05), "ok": False}}]) is None
