"""The action server's own checks on what it is sent (actions/server.py), without a server."""
import json
import zlib

import pytest

from actions.server import BadCall, parse_action_call, secret_matches, settings_from_environment
from shop.json_limits import json_depth_exceeds

SECRET = "s" * 40
CALL = {"next_action": "action_order_status", "tracker": {"sender_id": "u1", "events": [], "slots": {}}}


def refused(body, encoding=None, max_bytes=10_000):
    with pytest.raises(BadCall) as caught:
        parse_action_call(body, encoding, max_bytes)
    return caught.value


def test_a_well_formed_call_is_parsed():
    assert parse_action_call(json.dumps(CALL).encode(), None, 10_000) == CALL


def test_a_compressed_call_is_parsed_and_a_compression_bomb_refused():
    assert parse_action_call(zlib.compress(json.dumps(CALL).encode()), "deflate", 10_000) == CALL
    bomb = zlib.compress(b" " * 1_000_000)
    assert refused(bomb, "deflate").status == 413
    assert refused(b"not deflate", "deflate").code == "invalid_body"


@pytest.mark.parametrize(
    "body",
    [
        b"<img src=x onerror=alert(1)>",
        b"[]",
        b'{"next_action": 1, "tracker": {"sender_id": "a"}}',
        b'{"next_action": "x", "tracker": "<b>"}',
        b'{"next_action": "x", "tracker": {"sender_id": "a", "events": [1]}}',
        b'{"next_action": "x", "tracker": {"sender_id": "a", "slots": []}}',
        b'{"next_action": "x", "tracker": {"sender_id": "a"}, "domain": "d"}',
        b"\xff\xfe",
    ],
)
def test_malformed_calls_are_refused_with_a_fixed_code(body):
    error = refused(body)
    assert error.status == 400
    assert error.code in {"invalid_json", "invalid_action_call"}


def test_deep_nesting_is_refused_without_recursion():
    deep = b"[" * 100_000 + b"]" * 100_000
    assert refused(deep, max_bytes=10**6).code in {"invalid_json", "too_deeply_nested"}
    nested = {"next_action": "x", "tracker": {"sender_id": "a", "latest_message": {}}}
    inner = nested["tracker"]["latest_message"]
    for _ in range(600):
        inner["m"] = {}
        inner = inner["m"]
    assert refused(json.dumps(nested).encode(), max_bytes=10**6).code == "too_deeply_nested"


def test_oversized_bodies_are_refused():
    assert refused(b" " * 10_001).status == 413


def test_depth_counts_containers():
    assert not json_depth_exceeds({"a": [1, {"b": 2}]}, 3)
    assert json_depth_exceeds({"a": [1, {"b": [3]}]}, 3)
    assert not json_depth_exceeds("text", 0)


def test_depth_is_the_deepest_container_on_any_path():
    import random

    def depth(value) -> int:        # the definition, recursively (test data is shallow)
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return 1 + max((depth(v) for v in value), default=0)
        return 0

    rng = random.Random(7)

    def build(level: int):
        roll = rng.random()
        if level > 9 or roll < 0.3:
            return rng.choice([1, "x", None, 2.5, True])
        if roll < 0.65:
            return [build(level + 1) for _ in range(rng.randint(0, 4))]
        return {f"k{i}": build(level + 1) for i in range(rng.randint(0, 4))}

    for _ in range(300):
        value = build(0)
        for limit in range(0, 12):
            assert json_depth_exceeds(value, limit) == (depth(value) > limit), (value, limit)


def test_the_secret_is_compared_exactly():
    assert secret_matches(SECRET, SECRET)
    assert not secret_matches(None, SECRET)
    assert not secret_matches(SECRET[:-1], SECRET)
    assert not secret_matches("", SECRET)


def test_settings_come_from_the_environment_and_default_to_loopback():
    host, port, secret, _ = settings_from_environment({"ACTION_SERVER_SECRET": SECRET})
    assert (host, port, secret) == ("127.0.0.1", 5055, SECRET)
    host, port, _, limit = settings_from_environment(
        {"ACTION_SERVER_SECRET": SECRET, "ACTION_HOST": "10.0.0.5", "ACTION_PORT": "6000",
         "ACTION_MAX_BODY_BYTES": "1000"})
    assert (host, port, limit) == ("10.0.0.5", 6000, 1000)


@pytest.mark.parametrize("secret", [None, "", "short"])
def test_the_server_does_not_start_without_a_real_secret(secret):
    environ = {} if secret is None else {"ACTION_SERVER_SECRET": secret}
    with pytest.raises(ValueError, match="ACTION_SERVER_SECRET"):
        settings_from_environment(environ)


@pytest.mark.parametrize("name, value", [("ACTION_DB_THREADS", "eight"), ("ACTION_DB_THREADS", "0"),
                                         ("ACTION_DB_LOCK_WAIT_S", "soon"), ("ACTION_PORT", "70000"),
                                         ("SHOP_TOKEN_SECRET", "short"), ("SHOP_DEV_CUSTOMER_ID", "x"),
                                         ("GUEST_LOOKUP_MAX_CLIENT_FAILURES", "0"),
                                         ("GUEST_LOOKUP_MAX_CLIENT_FAILURES", "many")])
def test_a_bad_setting_is_a_config_error_naming_the_variable(name, value):
    from actions.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match=name):
        load_settings({"ACTION_SERVER_SECRET": SECRET, "SHOP_ALLOW_DEV_IDENTITY": "1", name: value})


def test_the_client_look_up_limit_defaults_to_the_domains_and_can_be_raised():
    from actions.settings import load_settings
    from shop.domain.privacy import GUEST_LOOKUP_MAX_CLIENT_FAILURES

    assert load_settings({"ACTION_SERVER_SECRET": SECRET}).guest_lookup_max_client_failures == GUEST_LOOKUP_MAX_CLIENT_FAILURES
    raised = load_settings({"ACTION_SERVER_SECRET": SECRET, "GUEST_LOOKUP_MAX_CLIENT_FAILURES": "200"})
    assert raised.guest_lookup_max_client_failures == 200


def test_start_up_passes_the_files_and_folders_down(tmp_path, monkeypatch):
    """The paths are read once, into the settings, and handed to the assistant's readers;
    the environment changing later changes nothing."""
    from actions import support
    from actions.settings import load_settings
    from assistant.faq import faq_book
    from growth.experiments import experiment_book
    from recommender.service import get_service

    env = {"ACTION_SERVER_SECRET": SECRET, "SHOP_FAQ_PATH": str(tmp_path / "faq.yml"),
           "SHOP_EXPERIMENTS_PATH": str(tmp_path / "experiments.yml"), "RECOMMENDER_MODEL_DIR": str(tmp_path / "rec"),
           "SHOP_TOKEN_SECRET": "t" * 40, "SHOP_ALLOW_DEV_IDENTITY": "1", "SHOP_DEV_CUSTOMER_ID": "4"}
    settings = load_settings(env)
    for name in ("assistant.faq._default_book", "growth.experiments._default_book", "recommender.service._default",
                 "actions.support._runtime"):
        monkeypatch.setattr(name, None)
    monkeypatch.setenv("SHOP_FAQ_PATH", "/elsewhere/faq.yml")
    support.configure(settings)
    try:
        assert faq_book().path == tmp_path / "faq.yml"
        assert experiment_book().path == tmp_path / "experiments.yml"
        assert get_service().root == tmp_path / "rec"
        assert settings.identity.dev_customer_id == 4 and settings.identity.token_secret == "t" * 40
    finally:
        support._runtime.pool.shutdown(wait=False)


def test_importing_the_actions_starts_no_threads():
    """Nothing expensive at import: the database pool is built at start-up (or first use)."""
    import subprocess
    import sys

    code = ("import threading, actions.after_sales, actions.after_sales_form, actions.recommend, actions.orders; "
            "print(sorted(t.name for t in threading.enumerate() if t.name.startswith('shop-db')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
