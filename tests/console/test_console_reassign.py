"""改派: an admin reassigns a conversation an agent holds — to a colleague on duty, to
themselves, or back to the queue — from the desk's pages, permission-checked (agents and
forged forms are refused, nothing changes), recorded and shown in the ticket's history, and
counted per agent on 数据分析; the shopper only hears who serves them now."""

from __future__ import annotations

import json

from sqlalchemy import text

from console import passwords
from shop.db.console_accounts import create_account
from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import add_shopper_message, desk_ticket, shopper_view, ticket_messages, ticket_transfers
from shop.domain.clock import utc_now
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD


def _signed_in(console, username, password):
    c = console()
    assert c.sign_in(username, password)[0].status in (302, 303)
    return c, c.csrf("/handoff")


def test_an_admin_reassigns_takes_over_and_agents_cannot(console, console_engine):
    with session_scope(console_engine) as s:
        li = create_account(s, "agent2", "小李", "agent", passwords.hash_password(AGENT_PASSWORD), utc_now()).id
        off = create_account(s, "agent3", "小赵", "agent", passwords.hash_password(AGENT_PASSWORD), utc_now()).id
        ticket = create_handoff_request(s, "desk-reassign", None, "诉求：退款", utc_now())
        add_shopper_message(s, ticket.id, "我的退款什么时候到", utc_now())
    wang, csrf_wang = _signed_in(console, "agent1", AGENT_PASSWORD)
    colleague, csrf_li = _signed_in(console, "agent2", AGENT_PASSWORD)
    boss, csrf_boss = _signed_in(console, "boss", ADMIN_PASSWORD)
    assert wang.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf_wang})[0].status == 303
    with session_scope(console_engine) as s:
        wang_id = desk_ticket(s, ticket.id).assigned_to
        before = [(m.author, m.text) for m in ticket_messages(s, ticket.id)]

    # An agent cannot reassign (not even their own colleague's form), nor see the admins' list.
    form = {"csrf_token": csrf_li, "from": str(wang_id), "to": str(li), "note": "我来"}
    assert colleague.request("POST", f"/handoff/{ticket.id}/reassign", data=form)[0].status == 403
    assert 'id="held"' not in colleague.request("GET", "/handoff")[1]
    # Without the CSRF token nothing happens either.
    assert (
        boss.request("POST", f"/handoff/{ticket.id}/reassign", data={"from": str(wang_id), "to": str(li), "note": "x"})[
            0
        ].status
        == 403
    )

    _, queue = boss.request("GET", "/handoff")
    assert f'data-held="{ticket.ticket_no}"' in queue and "小王" in queue
    _, page = boss.request("GET", f"/handoff/{ticket.id}")
    assert 'id="reassign-form"' in page and f'<option value="{li}">小李</option>' in page
    assert f'<option value="{off}">' not in page and f'<option value="{wang_id}">' not in page
    assert "我自己接手（老板）" in page and 'id="reply-form"' not in page

    here = f"/handoff/{ticket.id}"
    note = "小王要去开会，请小李接着处理退款"
    for bad, flash, words in (
        ({"to": str(li), "note": " "}, "no_note", "请写转接备注"),
        ({"to": "", "note": note}, "no_target", "请选择"),
        ({"to": "1; DROP TABLE x", "note": note}, "no_target", "请选择"),
        ({"to": str(wang_id), "note": note}, "same_holder", "正在接待该会话"),
        ({"to": str(off), "note": note}, "target_gone", "现在不在岗"),
        ({"to": str(li), "note": note, "from": str(off)}, "changed", "没有改派"),
        ({"to": str(li), "note": note, "from": "abc"}, "changed", "没有改派"),
    ):
        response, _ = boss.request(
            "POST", f"{here}/reassign", data={"csrf_token": csrf_boss, "from": str(wang_id), **bad}
        )
        assert response.headers["Location"] == f"{here}?flash={flash}", bad
        assert words in boss.request("GET", response.headers["Location"])[1]
    with session_scope(console_engine) as s:
        assert desk_ticket(s, ticket.id).assigned_to == wang_id and ticket_transfers(s, ticket.id) == []

    response, _ = boss.request(
        "POST", f"{here}/reassign", data={"csrf_token": csrf_boss, "from": str(wang_id), "to": str(li), "note": note}
    )
    assert response.headers["Location"] == "/handoff?flash=reassigned"
    assert "已改派，顾客已收到通知" in boss.request("GET", "/handoff?flash=reassigned")[1]
    assert wang.request("GET", here)[0].status == 404  # no longer 小王's
    assert (
        wang.request("POST", f"{here}/reply", data={"csrf_token": csrf_wang, "text": "在吗"})[0].headers["Location"]
        == f"{here}?flash=not_yours"
    )
    assert f"转接自 小王（老板 改派）：{note}" in colleague.request("GET", "/handoff")[1]
    _, page = colleague.request("GET", here)
    assert "我的退款什么时候到" in page and 'id="reply-form"' in page and "（老板 改派）" in page
    with session_scope(console_engine) as s:
        lines = [(m.author, m.text) for m in ticket_messages(s, ticket.id)]
        heard = [m.text for m in shopper_view(s, "desk-reassign", None, 0, utc_now()).messages]
    assert lines[: len(before)] == before
    assert heard[-1] == "已为您转接客服小李，接下来由TA为您服务（之前的对话都在）。"
    assert not any("开会" in line or "老板" in line or "改派" in line for line in heard)

    # The admin takes it over: the ticket is theirs, they reply; then close it.
    response, _ = boss.request(
        "POST", f"{here}/reassign", data={"csrf_token": csrf_boss, "from": str(li), "to": "me", "note": "我来"}
    )
    assert response.headers["Location"] == f"{here}?flash=no_target"
    with session_scope(console_engine) as s:
        boss_id = s.execute(text("SELECT id FROM console_users WHERE username = 'boss'")).scalar_one()
    response, _ = boss.request(
        "POST",
        f"{here}/reassign",
        data={"csrf_token": csrf_boss, "from": str(li), "to": str(boss_id), "note": "我来处理"},
    )
    assert response.headers["Location"] == here
    assert 'id="reply-form"' in boss.request("GET", here)[1]
    assert colleague.request("GET", here)[0].status == 404
    assert (
        boss.request("POST", f"{here}/reply", data={"csrf_token": csrf_boss, "text": "您好，我是店长"})[0].status == 303
    )
    assert (
        boss.request("POST", f"{here}/close", data={"csrf_token": csrf_boss, "resolution": "resolved"})[0].headers[
            "Location"
        ]
        == "/handoff?flash=closed"
    )

    agents = {r["name"]: r for r in json.loads(boss.request("GET", "/api/analytics")[1])["desk_agents"]}
    assert (agents["小王"]["reassigned_away"], agents["小李"]["received"], agents["小李"]["reassigned_away"]) == (
        1,
        1,
        1,
    )
    assert (agents["老板"]["closed"], agents["老板"]["resolved"], agents["老板"]["replies"]) == (1, 1, 1)
    # An agent sees their own row only; colleagues' figures are for admins.
    own = json.loads(colleague.request("GET", "/api/analytics")[1])["desk_agents"]
    assert [r["name"] for r in own] == ["小李"]
    assert "desk_agent,老板" not in colleague.request("GET", "/analytics.csv")[1]
    waits = json.loads(boss.request("GET", "/api/analytics")[1])["desk_waits"]
    assert waits["taken"] == 1 and waits["wait_p50_s"] is not None
    csv_text = boss.request("GET", "/analytics.csv")[1]
    assert "desk_agent,小王,reassigned_away,1" in csv_text and "desk_waits," in csv_text
