"""``python -m growth.sample_size``: the planner before an experiment starts, as a command."""
from __future__ import annotations

import math

import pytest
from scipy import stats

from growth.sample_size import main


def test_it_prints_the_units_of_the_normal_approximation_for_a_rate_and_for_a_mean(capsys):
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    h = abs(2 * math.asin(math.sqrt(0.055)) - 2 * math.asin(math.sqrt(0.05)))
    assert main(["--lift", "0.10", "--rate", "0.05"]) == 0
    per_variant = math.ceil(2 * z * z / h ** 2)
    assert f"{per_variant} units per variant, {2 * per_variant} in all" in capsys.readouterr().out

    # GMV per shopper ¥300 with sd ¥1,500, +20 %: d = 60 / 1500 = 0.04; three variants share the traffic.
    assert main(["--lift", "0.2", "--mean", "300", "--sd", "1500", "--variants", "3"]) == 0
    per_variant = math.ceil(2 * z * z / 0.04 ** 2)
    assert f"{per_variant} units per variant, {3 * per_variant} in all (3 variants)" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["--lift", "0.1", "--mean", "300"],                 # no sd
    ["--lift", "0.1", "--rate", "1.5"],                 # not a rate
    ["--lift", "0", "--mean", "300", "--sd", "10"],     # no lift to detect
    ["--lift", "0.1", "--rate", "0.05", "--power", "1"],
])
def test_impossible_plans_are_refused_with_a_message(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and "error:" in capsys.readouterr().err
