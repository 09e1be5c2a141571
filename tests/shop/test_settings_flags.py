"""On / off settings (shop.settings.flag_setting): a value it does not know is an error."""
import pytest

from shop.settings import ConfigError, flag_setting


@pytest.mark.parametrize("raw, wanted", [("1", True), (" TRUE ", True), ("yes", True), ("on", True),
                                         ("0", False), ("false", False), ("No", False), ("off", False)])
def test_the_words_for_on_and_off(raw, wanted):
    assert flag_setting({"X": raw}, "X", not wanted) is wanted


def test_unset_or_blank_is_the_default_and_anything_else_stops_the_process():
    assert flag_setting({}, "X", True) is True and flag_setting({"X": " "}, "X", False) is False
    for raw in ("ture", "2", "enabled", "y"):
        with pytest.raises(ConfigError, match="X must be one of"):
            flag_setting({"X": raw}, "X", False)
