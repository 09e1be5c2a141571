"""A page's notice after a redirect comes from a code in the link, never from its words:
``/accounts?error=<any text>`` showed that text (escaped, but a phishing line on the shop's own
console). Known codes show their fixed Chinese message; anything else shows nothing
(``console.notices``). The same for 实验's ``?done=``."""
from __future__ import annotations

from urllib.parse import quote

from tests.console.test_console_growth_pages import experiments_file  # noqa: F401 - fixture
from tests.support.console import ADMIN_PASSWORD

PHISH = "账号异常，请拨打 400-123-4567 或访问 evil.example 验证"


def _admin(console):
    c = console()
    assert c.sign_in("boss", ADMIN_PASSWORD)[0].status in (302, 303)
    return c


def test_accounts_shows_no_text_a_link_carries(console):
    c = _admin(console)
    response, html = c.request("GET", "/accounts?error=" + quote(PHISH))
    assert response.status == 200 and "400-123-4567" not in html and "evil.example" not in html
    assert 'class="error"' not in html
    _, html = c.request("GET", "/accounts?error=" + quote("<b>x</b>"))
    assert "&lt;b&gt;" not in html and 'class="error"' not in html


def test_accounts_errors_travel_as_codes_and_show_their_fixed_message(console):
    c = _admin(console)
    token = c.csrf("/accounts")
    response, _ = c.request("POST", "/accounts", data={"csrf_token": token, "username": "new_agent",
                                                       "display_name": "新人", "role": "agent", "password": "short"})
    location = response.headers["Location"]
    assert response.status == 303 and location == "/accounts?error=password_short", location
    _, html = c.request("GET", location)
    assert '<p class="error" role="alert">密码至少 10 个字符</p>' in html
    response, _ = c.request("POST", "/accounts", data={"csrf_token": token, "username": "有 空格",
                                                       "display_name": "x", "role": "agent",
                                                       "password": "long-enough-pass"})
    assert response.headers["Location"] == "/accounts?error=username"
    _, html = c.request("GET", "/accounts?error=username")
    assert "用户名只能用英文字母" in html
    response, _ = c.request("POST", "/accounts/active", data={"csrf_token": token, "account_id": "x", "active": "0"})
    assert response.headers["Location"] == "/accounts?error=no_account"
    _, html = c.request("GET", "/accounts?error=no_account")
    assert "没有这个账号" in html


def test_experiment_done_shows_only_known_actions(console, experiments_file):  # noqa: F811
    c = _admin(console)
    _, html = c.request("GET", "/experiments/rec_strategy?done=" + quote(PHISH))
    assert "400-123-4567" not in html and 'id="done"' not in html
    _, html = c.request("GET", "/experiments/rec_strategy?done=stop")
    assert 'id="done"' in html and "已保存（停止实验）" in html
