import time

import pytest

from shop import identity

SECRET = "unit-test-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def token_env(monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN_SECRET", SECRET)
    monkeypatch.delenv("SHOP_ALLOW_DEV_IDENTITY", raising=False)
    monkeypatch.delenv("SHOP_DEV_CUSTOMER_ID", raising=False)


def test_round_trip():
    token = identity.issue_customer_token(42)
    assert identity.verify_customer_token(token) == 42


def test_expired_token_is_rejected():
    token = identity.issue_customer_token(42, ttl_seconds=60, now=time.time() - 3600)
    assert identity.verify_customer_token(token) is None


def test_a_signer_whose_clock_runs_a_little_ahead_is_accepted():
    # The shop site's clock a few seconds ahead of the Rasa server's: the token was "issued in
    # the future" and PyJWT refused it (no leeway), so the signed-in shopper became a guest.
    for ahead in (1, 5, identity.CLOCK_SKEW_S - 5):
        token = identity.issue_customer_token(42, now=time.time() + ahead)
        assert identity.verify_customer_token(token) == 42, ahead


def test_a_token_issued_far_in_the_future_or_just_expired_is_still_rejected():
    assert identity.verify_customer_token(identity.issue_customer_token(42, now=time.time() + 3600)) is None
    # The expiry gets no leeway: a token past its exp by a second fails closed.
    just_expired = identity.issue_customer_token(42, ttl_seconds=60, now=time.time() - 61)
    assert identity.verify_customer_token(just_expired) is None


def test_token_signed_with_another_secret_is_rejected():
    forged = identity.issue_customer_token(42, secret="someone-elses-secret-0123456789abcdef")
    assert identity.verify_customer_token(forged) is None


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", None, 42, {"sub": "1"}, "x" * 5000])
def test_garbage_is_rejected(garbage):
    assert identity.verify_customer_token(garbage) is None


@pytest.mark.parametrize("customer_id", [0, -1, 10**18, 10**29])
def test_a_signed_token_with_an_impossible_customer_id_is_rejected(customer_id):
    # 10**29 used to pass, and the channel's first query overflowed (a 500 for the shopper).
    assert identity.verify_customer_token(identity.issue_customer_token(customer_id)) is None
    assert identity.verify_customer_token(identity.issue_customer_token(10**18 - 1)) == 10**18 - 1


def test_unsigned_token_is_rejected():
    import jwt

    unsigned = jwt.encode(
        {"sub": "1", "exp": time.time() + 60, "iat": time.time(), "iss": identity.ISSUER, "aud": identity.AUDIENCE},
        key=None,
        algorithm="none",
    )
    assert identity.verify_customer_token(unsigned) is None


def test_missing_secret_fails_closed(monkeypatch):
    monkeypatch.delenv("SHOP_TOKEN_SECRET")
    with pytest.raises(identity.IdentityConfigError):
        identity.issue_customer_token(1)


def test_resolve_uses_token_from_metadata():
    token = identity.issue_customer_token(7)
    assert identity.resolve_customer_id({"customer_token": token}, "rest") == 7
    assert identity.resolve_customer_id({}, "rest") is None
    assert identity.resolve_customer_id(None, "socketio") is None


def test_dev_identity_needs_explicit_opt_in_and_the_shell(monkeypatch):
    monkeypatch.setenv("SHOP_DEV_CUSTOMER_ID", "3")
    assert identity.resolve_customer_id({}, "cmdline") is None
    monkeypatch.setenv("SHOP_ALLOW_DEV_IDENTITY", "1")
    assert identity.resolve_customer_id({}, "cmdline") == 3
    # Never over the network channels, even when enabled.
    assert identity.resolve_customer_id({}, "rest") is None
    assert identity.resolve_customer_id({}, "socketio") is None


def test_identity_settings_are_read_once_and_passed_down():
    settings = identity.load_identity_settings({"SHOP_TOKEN_SECRET": SECRET, "SHOP_ALLOW_DEV_IDENTITY": "1",
                                                "SHOP_DEV_CUSTOMER_ID": "5"})
    token = identity.issue_customer_token(9, secret=settings.secret())
    # The given settings decide, whatever the environment says now.
    assert identity.resolve_customer_id({"customer_token": token}, "rest", identity=settings) == 9
    assert identity.resolve_customer_id({}, "cmdline", identity=settings) == 5
    assert identity.resolve_customer_id({}, "cmdline", identity=identity.IdentitySettings(SECRET)) is None


@pytest.mark.parametrize("env, named", [
    ({"SHOP_TOKEN_SECRET": "too-short"}, "SHOP_TOKEN_SECRET"),
    ({"SHOP_ALLOW_DEV_IDENTITY": "1", "SHOP_DEV_CUSTOMER_ID": "abc"}, "SHOP_DEV_CUSTOMER_ID"),
    ({"SHOP_ALLOW_DEV_IDENTITY": "1", "SHOP_DEV_CUSTOMER_ID": "0"}, "SHOP_DEV_CUSTOMER_ID"),
])
def test_a_bad_identity_setting_is_a_clear_error_at_start_up(env, named):
    with pytest.raises(identity.IdentityConfigError, match=named):
        identity.load_identity_settings(env)
