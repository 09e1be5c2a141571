"""快捷回复: the agents' canned replies come from content/canned_replies.yml (operators edit it;
re-read on change; a broken edit keeps the last good list), show on a conversation the agent
holds — escaped — and send like any reply when the page has no JavaScript."""
from __future__ import annotations

import os

import pytest
import yaml

from console.canned_replies import DEFAULT_PATH, CannedReplies, parse
from console.config import Settings
from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import shopper_view
from shop.domain.clock import utc_now
from tests.support.console import AGENT_PASSWORD


def test_the_shipped_file_parses():
    replies = parse(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")))
    assert len(replies) >= 5 and replies[0].title == "问候"


@pytest.mark.parametrize("document", [None, [], {"replies": "hi"}, {"replies": [{"title": "", "text": "x"}]},
                                      {"replies": [{"title": "t" * 21, "text": "x"}]},
                                      {"replies": [{"title": "t", "text": "x" * 2001}]},
                                      {"replies": [{"title": "t"}]}, {"replies": [{"title": "t", "text": "x"}] * 31}])
def test_unusable_files_are_refused_in_words(document):
    with pytest.raises(ValueError):
        parse(document)


def test_the_file_is_reread_on_change_and_a_broken_edit_keeps_the_last_good_list(tmp_path, caplog):
    path = tmp_path / "canned.yml"
    path.write_text("replies:\n  - {title: 问候, text: 您好}\n", encoding="utf-8")
    book = CannedReplies(path)
    assert [r.text for r in book.replies()] == ["您好"]
    path.write_text("replies:\n  - {title: 问候, text: 您好呀}\n  - {title: 稍等, text: 请稍等}\n", encoding="utf-8")
    os.utime(path, (1, 1))
    assert [r.text for r in book.replies()] == ["您好呀", "请稍等"]
    path.write_text("replies: [oops", encoding="utf-8")
    os.utime(path, (2, 2))
    assert [r.text for r in book.replies()] == ["您好呀", "请稍等"] and "not used" in caplog.text
    path.unlink()
    assert len(book.replies()) == 2
    assert CannedReplies(tmp_path / "missing.yml").replies() == []


def test_an_agent_holding_a_conversation_sees_them_escaped_and_can_send_one(console, console_engine, tmp_path):
    path = tmp_path / "canned.yml"
    path.write_text('replies:\n  - {title: "<b>问候</b>", text: "您好 <script>alert(1)</script>"}\n', encoding="utf-8")
    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-canned", None, "诉求：售后", utc_now())
    c = console(Settings(canned_replies_path=path))
    c.sign_in("agent1", AGENT_PASSWORD)
    _, html = c.request("GET", f"/handoff/{ticket.id}")
    assert 'id="canned-replies"' not in html                    # waiting: nothing to reply to yet
    csrf = c.csrf("/handoff")
    assert c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].status == 303
    _, html = c.request("GET", f"/handoff/{ticket.id}")
    assert 'id="canned-replies"' in html and "&lt;b&gt;问候&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html and "<b>问候" not in html
    # The button's form, as a browser without JavaScript sends it.
    response, _ = c.request("POST", f"/handoff/{ticket.id}/reply",
                            data={"csrf_token": csrf, "text": "您好 <script>alert(1)</script>"})
    assert response.status == 303
    with session_scope(console_engine) as s:
        said = [m.text for m in shopper_view(s, "desk-canned", None, 0, utc_now()).messages if m.author == "agent"]
    assert said == ["您好 <script>alert(1)</script>"]        # stored as typed; every page escapes it
