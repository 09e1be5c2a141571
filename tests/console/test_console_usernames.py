"""Console usernames are checked when an account is created — on the admin's accounts page
and by ``python -m console.create_admin``: a name with spaces or markup gets a clear Chinese
answer and nothing is written."""
from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest

from console import create_admin
from shop.db.console_accounts import create_account, list_accounts
from shop.db.engine import session_scope
from shop.db.errors import InvalidRequest
from shop.domain.clock import utc_now
from shop.domain.usernames import username_problem
from tests.support.console import ADMIN_PASSWORD

BAD = ["li si", " li", "li ", "<script>alert(1)</script>", "a<b", "x", "a" * 33, "小王", "li\tsi", "-li", ""]
GOOD = ["li", "xiaowang", "agent-2", "wang.fang", "li_si", "A1"]


def usernames(engine) -> list[str]:
    with session_scope(engine) as session:
        return [a.username for a in list_accounts(session)]


def test_the_rule():
    for name in BAD:
        assert username_problem(name) is not None, name
    for name in GOOD:
        assert username_problem(name) is None, name
    assert "空格" in username_problem("li si") and "姓名" in username_problem("li si")


@pytest.mark.parametrize("name", ["li si", "<script>alert(1)</script>"])
def test_the_accounts_page_refuses_a_bad_username_and_writes_nothing(console, console_engine, name):
    before = usernames(console_engine)
    c = console()
    c.sign_in("boss", ADMIN_PASSWORD)
    response, _ = c.request("POST", "/accounts", data={"username": name, "display_name": "小李", "role": "agent",
                                                       "password": "li-password-2024", "csrf_token": c.csrf("/accounts")})
    assert response.status == 303
    error = parse_qs(urlsplit(response.headers["Location"]).query)["error"][0]
    assert error == "username", error            # a code, never the words (console.notices)
    _, page = c.request("GET", response.headers["Location"])
    assert "用户名只能用英文字母" in page and "空格" in page and "<script>alert" not in page
    assert usernames(console_engine) == before


def test_the_accounts_page_still_creates_a_good_one(console, console_engine):
    c = console()
    c.sign_in("boss", ADMIN_PASSWORD)
    response, _ = c.request("POST", "/accounts", data={"username": "wang.fang", "display_name": "王芳", "role": "agent",
                                                       "password": "wang-password-2024", "csrf_token": c.csrf("/accounts")})
    assert response.status == 303 and "done" in response.headers["Location"]
    assert "wang.fang" in usernames(console_engine)


def test_the_data_layer_refuses_it_too(console_engine):
    """Whatever the caller: the rule is checked where the row is written."""
    with session_scope(console_engine) as session:
        with pytest.raises(InvalidRequest, match="用户名只能用英文字母"):
            create_account(session, "li si", "李四", "agent", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                           utc_now())
    assert "li si" not in usernames(console_engine)


@pytest.mark.parametrize("name", ["li si", "<script>"])
def test_create_admin_refuses_a_bad_username_before_asking_the_password(console_engine, monkeypatch, capsys, name):
    before = usernames(console_engine)
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password-1\n"))
    monkeypatch.setattr(create_admin, "make_engine", lambda: console_engine)
    monkeypatch.setattr(console_engine, "dispose", lambda: None)
    assert create_admin.main([name, "--password-stdin"]) == 1
    err = capsys.readouterr().err
    assert "未创建" in err and "用户名只能用英文字母" in err, err
    assert usernames(console_engine) == before
    # The same command with a good name goes through.
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password-1\n"))
    assert create_admin.main(["li-si", "--password-stdin", "--name", "李四"]) == 0
    assert "li-si" in usernames(console_engine)
