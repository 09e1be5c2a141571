"""The phone suffix's format, said once (shop/domain/numbers.py), for the guest look-up's
action and the data layer's argument check alike."""
import pytest

from shop.domain.numbers import is_phone_suffix


@pytest.mark.parametrize("text", ["3949", "0000"])
def test_four_ascii_digits(text):
    assert is_phone_suffix(text)


@pytest.mark.parametrize("text", ["394", "39490", "３９４９", "39a9", " 3949", "3949\n", "", None, 3949])
def test_anything_else(text):
    assert not is_phone_suffix(text)
