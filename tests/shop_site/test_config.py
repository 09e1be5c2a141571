"""The demo shop's settings: read once, checked, and a bad value is the one ConfigError
(``shop.settings``) naming the variable, as in every other process."""
from __future__ import annotations

import pytest

from shop.settings import ConfigError
from shop_site.config import load_settings

SECRET = {"SHOP_TOKEN_SECRET": "s" * 40}


@pytest.mark.parametrize("name, value", [("WEB_PORT", "eighty"), ("WEB_PORT", "0"), ("RASA_PORT", "70000"),
                                         ("SHOP_DEMO_TOKEN_TTL", "59"), ("SHOP_DEMO_TOKEN_TTL", "-1"),
                                         ("RASA_URL", "ftp://x")])
def test_a_bad_value_is_a_config_error_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({**SECRET, name: value})


def test_unset_or_blank_values_take_the_defaults():
    for env in (SECRET, {**SECRET, "WEB_PORT": "", "RASA_PORT": " ", "SHOP_DEMO_TOKEN_TTL": ""}):
        settings = load_settings(env)
        assert (settings.port, settings.rasa_port, settings.token_ttl_seconds) == (8000, 5005, 7200)
    chosen = load_settings({**SECRET, "WEB_PORT": "18000", "RASA_PORT": "15005", "SHOP_DEMO_TOKEN_TTL": "60"})
    assert (chosen.port, chosen.rasa_port, chosen.token_ttl_seconds) == (18000, 15005, 60)
