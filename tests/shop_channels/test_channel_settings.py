"""The Rasa server's channel-side settings: read once at start-up, checked, passed down."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shop import identity
from shop.identity import IdentitySettings
from shop_channels.identity import bind_conversation, is_issued_session_id, issue_session_id
from shop_channels.settings import ConfigError, load_settings

SECRET = "channel-settings-secret-0123456789abcdef"


def test_the_defaults():
    settings = load_settings({})
    assert settings.action_call_timeout_s == 20.0 and settings.identity == IdentitySettings()
    assert load_settings({"ACTION_CALL_TIMEOUT_S": "2.5"}).action_call_timeout_s == 2.5


@pytest.mark.parametrize("name, value", [("ACTION_CALL_TIMEOUT_S", "soon"), ("ACTION_CALL_TIMEOUT_S", "0"),
                                         ("ACTION_CALL_TIMEOUT_S", "601"), ("SHOP_TOKEN_SECRET", "short")])
def test_a_bad_value_is_a_config_error_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_the_rasa_server_does_not_start_with_a_bad_value():
    """Rasa imports shop_channels for credentials.yml when it starts: that import fails, with
    the variable named, instead of the server running on a silently replaced default."""
    env = {"PATH": "/usr/bin:/bin", "ACTION_CALL_TIMEOUT_S": "twenty", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    run = subprocess.run([sys.executable, "-c", "import shop_channels"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode != 0 and "ACTION_CALL_TIMEOUT_S must be seconds" in run.stderr, run.stderr[-2000:]


def test_the_channels_use_the_identity_they_are_given_not_the_environment(monkeypatch):
    monkeypatch.delenv("SHOP_TOKEN_SECRET", raising=False)
    given = IdentitySettings(SECRET)
    token = identity.issue_customer_token(8, secret=SECRET)
    conversation, metadata = bind_conversation("web-1", {"customer_token": token}, given)
    assert conversation == "web-1~c8" and "customer_token" not in metadata
    assert identity.verify_conversation_identity(metadata["shop_identity"], conversation, SECRET) == 8
    issued = issue_session_id(given)
    assert is_issued_session_id(issued, given) and not is_issued_session_id(issued, IdentitySettings("x" * 40))
    # Without a secret a token makes nobody signed in (fail closed), as before.
    assert bind_conversation("web-1", {"customer_token": token}, IdentitySettings()) == ("web-1", {})


def test_the_request_body_limit_setting():
    assert load_settings({}).request_max_bytes == 1024 * 1024
    assert load_settings({"RASA_REQUEST_MAX_BYTES": "131072"}).request_max_bytes == 131072
    for bad in ("1000", "huge", "-1"):            # below 64 KiB the channels' own limits would not fit
        with pytest.raises(ConfigError, match="RASA_REQUEST_MAX_BYTES"):
            load_settings({"RASA_REQUEST_MAX_BYTES": bad})


def test_the_connection_settings():
    settings = load_settings({})
    assert settings.max_sockets_per_address == 400 and settings.idle_connection_timeout_s == 15.0
    given = load_settings({"RASA_MAX_SOCKETS_PER_ADDRESS": "0", "RASA_IDLE_CONNECTION_TIMEOUT_S": "5"})
    assert given.max_sockets_per_address == 0 and given.idle_connection_timeout_s == 5.0
    for name, bad in (("RASA_MAX_SOCKETS_PER_ADDRESS", "-1"), ("RASA_MAX_SOCKETS_PER_ADDRESS", "many"),
                      ("RASA_IDLE_CONNECTION_TIMEOUT_S", "0"), ("RASA_IDLE_CONNECTION_TIMEOUT_S", "forever")):
        with pytest.raises(ConfigError, match=name):
            load_settings({name: bad})
