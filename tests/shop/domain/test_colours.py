"""The one colour rule and the list the recommender receives from it."""
from __future__ import annotations

import pytest

from shop.domain.colours import COLOUR_FAMILIES, COLOUR_FAMILY_OF, same_colour, shades_answering

KNOWN = sorted(COLOUR_FAMILY_OF)


@pytest.mark.parametrize("wanted", sorted(COLOUR_FAMILIES) + ["曜石黑", "星光色", "天空蓝", "不存在的颜色"])
def test_the_shades_answering_a_request_are_exactly_those_same_colour_accepts(wanted):
    shades = shades_answering(wanted)
    assert shades[0] == wanted and len(set(shades)) == len(shades)
    for shade in KNOWN + ["天空蓝", "不存在的颜色", "黑"]:
        assert (shade in shades) == same_colour(wanted, shade), (wanted, shade)


def test_a_family_name_brings_its_marketing_shades_and_nothing_else():
    black = shades_answering("黑色")
    assert {"曜石黑", "黑色钛金属", "深空灰"} <= set(black)
    assert "白色" not in black and "黑" not in black
