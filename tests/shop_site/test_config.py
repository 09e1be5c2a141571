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


# --- the demo sign-in fails closed ------------------------------------------------------

def test_the_demo_sign_in_is_off_unless_asked_for():
    for value in (None, "", " ", "0", "off", "false", "no"):
        env = {**SECRET, "WEB_HOST": "127.0.0.1"} | ({} if value is None else {"SHOP_DEMO_LOGIN": value})
        assert load_settings(env).demo_login is False, value
    assert load_settings(SECRET).demo_login is False


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_on_means_on_only_on_a_loopback_address(host):
    for value in ("1", "on", "true", "yes"):
        assert load_settings({**SECRET, "WEB_HOST": host, "SHOP_DEMO_LOGIN": value}).demo_login is True


@pytest.mark.parametrize("host", [None, "0.0.0.0", "::", "192.168.1.20", "shop.example.com"])
def test_on_with_an_address_others_can_reach_stops_the_site(host):
    env = {**SECRET, "SHOP_DEMO_LOGIN": "1"} | ({} if host is None else {"WEB_HOST": host})
    with pytest.raises(ConfigError, match="SHOP_DEMO_LOGIN.*WEB_HOST"):
        load_settings(env)


def test_public_is_the_explicit_way_to_expose_it_and_a_typo_stops_the_site():
    assert load_settings({**SECRET, "WEB_HOST": "0.0.0.0", "SHOP_DEMO_LOGIN": "public"}).demo_login is True
    for typo in ("ture", "2", "enabled", "pubic"):
        with pytest.raises(ConfigError, match="SHOP_DEMO_LOGIN"):
            load_settings({**SECRET, "WEB_HOST": "127.0.0.1", "SHOP_DEMO_LOGIN": typo})
