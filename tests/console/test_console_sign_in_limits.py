"""Failed sign-ins lock a user name, and a client address, for a while: a polite Chinese
answer, logged, and nothing that tells an attacker which accounts exist."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from console.config import Settings, load_settings
from console.sign_in_limits import SignInLimits
from shop.settings import ConfigError
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD

LOCKED = "登录失败次数过多"


def test_a_name_is_locked_after_its_failures_even_for_the_right_password(console, caplog):
    c = console(Settings(sign_in_failures_per_account=3, sign_in_failures_per_client=100))
    for _ in range(3):
        response, body = c.sign_in("boss", "wrong-password-1")
        assert response.status == 401 and "用户名或密码不正确" in body
    with caplog.at_level(logging.WARNING, logger="console.accounts"):
        response, body = c.sign_in("boss", ADMIN_PASSWORD)
    assert response.status == 429 and LOCKED in body and "分钟后再试" in body
    assert int(response.headers["Retry-After"]) > 0
    assert "console_session" not in {cookie.key for cookie in c.client.session.cookie_jar}
    assert any("locked" in r.getMessage() and "boss" in r.getMessage() for r in caplog.records)
    assert ADMIN_PASSWORD not in caplog.text
    # Another account from the same address is not locked by it.
    assert c.sign_in("agent1", AGENT_PASSWORD)[0].status == 303


def test_a_name_without_an_account_is_answered_exactly_like_one_with(console):
    c = console(Settings(sign_in_failures_per_account=2, sign_in_failures_per_client=100))
    answers = {}
    for name in ("boss", "nobody-here"):
        seen = [c.sign_in(name, "wrong-password-1") for _ in range(3)]
        answers[name] = [(response.status, body.replace(c.csrf("/login"), "")) for response, body in seen]
    assert [status for status, _ in answers["boss"]] == [401, 401, 429]
    assert [status for status, _ in answers["boss"]] == [status for status, _ in answers["nobody-here"]]
    for (_, a), (_, b) in zip(answers["boss"], answers["nobody-here"]):
        assert _errors(a) == _errors(b)


def _errors(body: str) -> list:
    return [line.strip() for line in body.splitlines() if 'class="error"' in line]


def test_guessing_many_names_from_one_address_locks_the_address(console):
    c = console(Settings(sign_in_failures_per_account=100, sign_in_failures_per_client=4))
    for name in ("a1", "a2", "a3", "a4"):
        assert c.sign_in(name, "wrong-password-1")[0].status == 401
    response, body = c.sign_in("agent1", AGENT_PASSWORD)
    assert response.status == 429 and LOCKED in body


def test_locks_expire_and_a_success_clears_the_names_count():
    limits = SignInLimits(per_account=3, per_client=10, lock_s=600)
    for t in (0, 1):
        limits.failed("Boss", "10.0.0.1", now=t)
    limits.succeeded("boss")
    limits.failed("boss", "10.0.0.1", now=2)
    assert limits.retry_after("boss", "10.0.0.2", now=3) == 0      # 1 failure since the success
    for t in (4, 5):
        limits.failed("boss", "10.0.0.1", now=t)
    assert limits.retry_after("BOSS", "10.0.0.9", now=6) == pytest.approx(599)   # names: any case
    assert limits.retry_after("boss", "10.0.0.9", now=606) == 0
    # Failures older than the period do not add up.
    limits.failed("li", "10.0.0.1", now=1000)
    limits.failed("li", "10.0.0.1", now=1700)
    limits.failed("li", "10.0.0.1", now=1701)
    assert limits.retry_after("li", "10.0.0.3", now=1702) == 0


def test_memory_is_bounded_against_a_flood_of_names():
    limits = SignInLimits(per_account=5, per_client=10**6, lock_s=60, max_keys=100)
    for i in range(1000):
        limits.failed(f"name{i}", "10.0.0.1", now=i / 1000)
    assert len(limits._entries) <= 100


@pytest.mark.parametrize("name, value", [("CONSOLE_SIGNIN_MAX_FAILURES", "0"),
                                         ("CONSOLE_SIGNIN_MAX_FAILURES_PER_CLIENT", "many"),
                                         ("CONSOLE_SIGNIN_LOCK_MINUTES", "-5")])
def test_a_bad_limit_stops_the_console_at_start_up_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_the_defaults():
    settings = load_settings({})
    assert (settings.sign_in_failures_per_account, settings.sign_in_failures_per_client,
            settings.sign_in_lock) == (5, 20, timedelta(minutes=15))


def test_the_secure_cookie_switch_fails_closed_on_a_typo():
    """CONSOLE_SECURE_COOKIE=ture once meant "off": an HTTP cookie where HTTPS was asked for."""
    assert load_settings({}).secure_cookie is False
    assert load_settings({"CONSOLE_SECURE_COOKIE": "1"}).secure_cookie is True
    assert load_settings({"CONSOLE_SECURE_COOKIE": "off"}).secure_cookie is False
    for typo in ("ture", "2", "enabled"):
        with pytest.raises(ConfigError, match="CONSOLE_SECURE_COOKIE"):
            load_settings({"CONSOLE_SECURE_COOKIE": typo})


def test_a_flood_of_made_up_names_cannot_push_a_locked_name_out():
    """The table forgot its oldest entries, locks included: 100 junk names after locking
    "boss" gave "boss" five fresh guesses."""
    limits = SignInLimits(per_account=5, per_client=10**6, lock_s=900, max_keys=100)
    for t in range(5):
        limits.failed("boss", "10.0.0.1", now=t)
    assert limits.retry_after("boss", "10.0.0.2", now=6) > 0
    for i in range(1000):
        limits.failed(f"junk{i}", f"10.1.{i // 250}.{i % 250}", now=10 + i / 1000)
    assert limits.retry_after("boss", "10.0.0.2", now=20) == pytest.approx(884)
    assert len(limits._entries) <= 101


def test_a_table_full_of_locks_refuses_names_it_cannot_count():
    limits = SignInLimits(per_account=1, per_client=10**6, lock_s=900, max_keys=10)
    for i in range(11):                           # every name locked at once: no room left
        limits.failed(f"name{i}", "10.0.0.1", now=i)
    assert len(limits._entries) <= 12
    assert limits.retry_after("never-seen", "10.9.9.9", now=20) > 0     # fails closed
    assert limits.retry_after("never-seen", "10.9.9.9", now=20 + 900) == 0   # locks over: open again


def test_an_ipv6_client_is_counted_by_its_network():
    limits = SignInLimits(per_account=10**6, per_client=3, lock_s=600)
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::abcd", "2001:db8:1:2:ffff::9"):
        limits.failed(f"user-{host}", host, now=1)
    assert limits.retry_after("someone", "2001:db8:1:2::77", now=2) > 0       # same /64
    assert limits.retry_after("someone", "2001:db8:1:3::1", now=2) == 0       # another network
    assert limits.retry_after("someone", "10.0.0.1", now=2) == 0
