"""The console as staff use it and as probes attack it: signing out mid-conversation hands the
shopper back to the queue (told so), and bad input answers a clean 4xx in Chinese, never a
500 (dates out of range used to overflow the dashboard's day arithmetic)."""
from __future__ import annotations

import json
import re

import pytest

from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import active_ticket, agents_on_duty, shopper_view
from shop.domain.clock import utc_now
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD


def _signed_in_agent(console):
    c = console()
    assert c.sign_in("agent1", AGENT_PASSWORD)[0].status in (302, 303)
    return c, c.csrf("/handoff")


def test_signing_out_mid_conversation_hands_the_shopper_back_to_the_queue(console, console_engine):
    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-leave", None, "诉求：售后", utc_now())
    c, csrf = _signed_in_agent(console)
    with session_scope(console_engine) as s:
        assert agents_on_duty(s, utc_now()) == 1
    assert c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].status == 303
    assert c.request("POST", f"/handoff/{ticket.id}/reply", data={"csrf_token": csrf, "text": "您好"})[0].status == 303
    response, _ = c.request("POST", "/logout", data={"csrf_token": csrf})
    assert response.status == 303
    with session_scope(console_engine) as s:
        back = active_ticket(s, "desk-leave", None)
        assert back.status == "open" and back.assigned_to is None
        view = shopper_view(s, "desk-leave", None, 0, utc_now())
        assert view.position == 1 and "小王暂时离开" in view.messages[-1].text
        assert agents_on_duty(s, utc_now()) == 0
    # The next agent finds it in the queue and takes it.
    c2, csrf2 = _signed_in_agent(console)
    assert back.ticket_no in c2.request("GET", "/handoff")[1]
    assert c2.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf2})[0].headers["Location"] \
        == f"/handoff/{ticket.id}"


def test_a_ticket_held_by_an_agent_who_went_away_returns_to_the_queue(console, console_engine):
    """No sign-out (laptop closed): once that agent's console has been unused for the on-duty
    window, the next look at the queue by anyone puts the ticket back, and tells the shopper."""
    from datetime import timedelta

    from shop.db.console_accounts import create_account
    from shop.db.models import ConsoleSession
    from tests.support.console import ADMIN_PASSWORD

    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-away", None, "诉求：售后", utc_now())
        create_account(s, "agent2", "小李", "agent", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", utc_now())
    c, csrf = _signed_in_agent(console)
    assert c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].headers["Location"] \
        == f"/handoff/{ticket.id}"
    # A double click on 接入 lands on the conversation, not on "taken by someone else".
    assert c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].headers["Location"] \
        == f"/handoff/{ticket.id}"
    boss = console()
    boss.sign_in("boss", ADMIN_PASSWORD)
    assert boss.request("GET", "/api/handoff/queue")[1].count(ticket.ticket_no) == 0     # still held
    with session_scope(console_engine) as s:
        s.execute(ConsoleSession.__table__.update().where(ConsoleSession.user_id == 2)
                  .values(last_seen_at=utc_now() - timedelta(minutes=20)))
    queue = boss.request("GET", "/api/handoff/queue")[1]
    assert ticket.ticket_no in queue and '"status": "open"' in queue.replace('":"', '": "')
    with session_scope(console_engine) as s:
        assert "小王暂时离开" in shopper_view(s, "desk-away", None, 0, utc_now()).messages[-1].text


@pytest.mark.parametrize("query, words", [
    ("from=abc", "日期格式不对"), ("to=0001-01-01", "日期须在"), ("from=0001-01-01&to=0001-01-02", "日期须在"),
    ("to=9999-12-31", "日期须在"), ("from=2026-12-07&to=2026-12-01", "开始日期不能晚于结束日期"),
    ("from=2020-01-01&to=2026-12-01", "最多查看 366 天"), ("from=" + "9" * 3000, "日期格式不对"),
])
def test_a_bad_period_is_a_clean_400_in_chinese(console, query, words):
    c, _ = _signed_in_agent(console)
    response, body = c.request("GET", "/api/analytics?" + query)
    assert response.status == 400 and response.content_type == "application/json", body
    assert words in body and '"error": "invalid_' in body, body
    response, body = c.request("GET", "/analytics.csv?" + query)
    assert response.status == 400 and words in body, body
    # The page itself shows the form again (the default week) with what was wrong.
    response, body = c.request("GET", "/analytics?" + query)
    assert response.status == 400 and response.content_type == "text/html" and words in body
    assert 'name="from"' in body and "最近 7 天" in body


def test_a_hostile_account_id_is_refused_not_a_500(console):
    from tests.support.console import ADMIN_PASSWORD

    c = console()
    c.sign_in("boss", ADMIN_PASSWORD)
    csrf = c.csrf("/accounts")
    for value in ("9" * 40, "0", "-1", "abc"):
        response, _ = c.request("POST", "/accounts/active", data={"csrf_token": csrf, "account_id": value, "active": "0"})
        assert response.status == 303 and "error=" in response.headers["Location"], value


def test_disabling_an_agent_hands_their_conversations_back(console, console_engine):
    from tests.support.console import ADMIN_PASSWORD

    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-disabled", None, "诉求：售后", utc_now())
    c, csrf = _signed_in_agent(console)
    c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})
    boss = console()
    boss.sign_in("boss", ADMIN_PASSWORD)
    response, _ = boss.request("POST", "/accounts/active",
                               data={"csrf_token": boss.csrf("/accounts"), "account_id": "2", "active": "0"})
    assert response.status == 303 and "error" not in response.headers["Location"]
    with session_scope(console_engine) as s:
        assert active_ticket(s, "desk-disabled", None).status == "open"
    assert c.request("GET", "/api/handoff/queue")[0].status == 401          # signed out everywhere


def test_a_reply_that_cannot_be_sent_says_why(console, console_engine):
    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-long", None, "诉求：售后", utc_now())
    c, csrf = _signed_in_agent(console)
    c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})
    api = f"/api/handoff/{ticket.id}/reply"
    response, body = c.request("POST", api, json={"text": "好" * 2001}, headers={"X-CSRF-Token": csrf})
    assert response.status == 400 and '"too_long"' in body and "最多 2000 字" in body, body
    response, body = c.request("POST", api, json={"text": "   "}, headers={"X-CSRF-Token": csrf})
    assert response.status == 400 and "回复不能为空" in body, body
    response, body = c.request("POST", api, json={"text": ["x"]}, headers={"X-CSRF-Token": csrf})
    assert response.status == 400, body
    response, _ = c.request("POST", f"/handoff/{ticket.id}/reply", data={"csrf_token": csrf, "text": "好" * 2001})
    assert response.headers["Location"].endswith("?flash=too_long")
    assert "最多 2000 字" in c.request("GET", response.headers["Location"])[1]
    # Sent with exactly the limit: fine.
    response, body = c.request("POST", api, json={"text": "好" * 2000}, headers={"X-CSRF-Token": csrf})
    assert response.status == 200, body


def test_a_fresh_install_says_how_to_make_the_first_account(console, console_engine):
    from shop.db.models import ConsoleUser

    c = console()
    assert 'id="first-run"' not in c.request("GET", "/login")[1]         # accounts exist: nothing said
    with session_scope(console_engine) as s:
        s.query(ConsoleUser).delete()
    body = c.request("GET", "/login")[1]
    assert 'id="first-run"' in body and "python -m console.create_admin" in body


def test_the_improvement_loop_on_a_fresh_install_is_empty_not_an_error(console, tmp_path, monkeypatch):
    """No conversation store yet (nobody has talked to the assistant since install): the page
    says there is nothing to review; it used to answer 503 暂时无法读取会话记录."""
    from tests.support.console import ADMIN_PASSWORD

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:9/webhook")
    monkeypatch.setenv("TRACKER_DB_PATH", str(tmp_path / "not-yet" / "tracker.db"))
    monkeypatch.setenv("TRACKER_DB_URL", "")
    monkeypatch.setenv("ACTION_SERVER_SECRET", "s" * 40)   # the endpoints file names it
    c = console()
    c.sign_in("boss", ADMIN_PASSWORD)
    response, body = c.request("GET", "/api/improve/groups")
    assert response.status == 200 and '"groups": []' in body, body
    assert not (tmp_path / "not-yet" / "tracker.db").exists()        # reading created nothing


def test_a_ticket_the_shopper_cancelled_says_so_on_the_desk(console, console_engine):
    """"取消人工" closes the waiting ticket; an admin opening it reads why, not just 已结束
    (an agent sees closed tickets only when they held them)."""
    from shop.db.handoff_desk import cancel_waiting_ticket

    with session_scope(console_engine) as s:
        gave_up = create_handoff_request(s, "desk-gave-up", None, "诉求：售后", utc_now())
        assert cancel_waiting_ticket(s, gave_up.id, utc_now())
        finished = create_handoff_request(s, "desk-finished", None, "诉求：售后", utc_now())
    c = console()
    c.sign_in("boss", ADMIN_PASSWORD)
    _, html = c.request("GET", f"/handoff/{gave_up.id}")
    assert "顾客已取消" in html and "已结束" not in html
    csrf = c.csrf("/handoff")
    assert c.request("POST", f"/handoff/{finished.id}/claim", data={"csrf_token": csrf})[0].status == 303
    assert c.request("POST", f"/handoff/{finished.id}/close",
                     data={"csrf_token": csrf, "resolution": "resolved"})[0].status == 303
    _, html = c.request("GET", f"/handoff/{finished.id}")
    assert "已结束" in html and "顾客已取消" not in html


def _customer_with_orders(s, phone: str, order_nos: list):
    from shop.db.models import Customer, Order

    now = utc_now()
    customer = Customer(name="顾客", phone=phone, registered_at=now)
    s.add(customer)
    s.flush()
    for number in order_nos:
        s.add(Order(order_no=number, customer_id=customer.id, status="awaiting_shipment", payment_status="paid",
                    goods_cents=12900, payable_cents=12900, recipient_name="张三", recipient_phone=phone,
                    province="浙江省", city="杭州市", district="西湖区", address_detail="文三路1号",
                    created_at=now, updated_at=now))
    return customer.id


def test_the_agent_sees_the_signed_in_shoppers_own_orders_and_no_one_elses(console, console_engine):
    """Taking over, the agent reads the shopper's latest orders beside the conversation: only
    the ticket's verified customer's; a guest's ticket shows none (the guest has proved nothing)."""
    with session_scope(console_engine) as s:
        shopper = _customer_with_orders(s, "19900000011", ["DESK-A-1", "DESK-A-2"])
        _customer_with_orders(s, "19900000012", ["DESK-B-1"])
        mine = create_handoff_request(s, "desk-orders", shopper, "诉求：物流", utc_now())
        guest = create_handoff_request(s, "desk-guest", None, "诉求：物流 订单 DESK-B-1", utc_now())
        nobody = create_handoff_request(s, "desk-new", _customer_with_orders(s, "19900000013", []), "诉求：咨询",
                                        utc_now())
    c, csrf = _signed_in_agent(console)
    _, page = c.request("GET", f"/handoff/{mine.id}")
    assert "顾客最近的订单" in page and "DESK-A-1" in page and "DESK-A-2" in page and "待发货" in page
    assert "DESK-B-1" not in page
    _, page = c.request("GET", f"/handoff/{guest.id}")
    assert "DESK-A-" not in page and 'data-order="DESK-B-1"' not in page and "游客未登录：不显示订单" in page
    _, page = c.request("GET", f"/handoff/{nobody.id}")
    assert "这位顾客还没有订单" in page and "DESK-" not in page
    # Held by another agent: not this agent's to read (404), orders included.
    assert c.request("POST", f"/handoff/{mine.id}/claim", data={"csrf_token": csrf})[0].status == 303
    other_agent = console()
    from shop.db.console_accounts import create_account
    with session_scope(console_engine) as s:
        create_account(s, "agent3", "小赵", "agent", _hash(), utc_now())
    assert other_agent.sign_in("agent3", "agent3-secret-774411")[0].status in (302, 303)
    response, page = other_agent.request("GET", f"/handoff/{mine.id}")
    assert response.status == 404 and "DESK-A-1" not in page


def _hash():
    from console.passwords import hash_password
    return hash_password("agent3-secret-774411")


def test_an_admin_reads_an_unresolved_conversation_and_nothing_else(console, console_engine, tmp_path):
    """The dashboard's 未解决的对话 link opens the conversation for admins; an id the analytics
    never recorded is 404 (no reading arbitrary conversations), agents get 403."""
    from dataclasses import replace

    from sqlalchemy import create_engine

    from analytics import store
    from analytics.settings import AnalyticsSettings
    from shop.db.handoff_desk import add_shopper_message
    from console.config import load_settings
    from tests.support.analytics import known_events

    analytics = AnalyticsSettings(events_db_path=tmp_path / "events.db", db_url=f"sqlite:///{tmp_path / 'an.db'}")
    engine = create_engine(analytics.db_url, future=True)
    store.create_tables(engine)
    with engine.begin() as connection:
        for event in known_events():
            store.ingest(connection, event)
    engine.dispose()
    # A Rasa endpoints file whose conversation store is an empty SQLite file of this test.
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tmp_path / 'tracker.db'}\n",
                         encoding="utf-8")
    settings = replace(load_settings(), analytics=analytics, rasa_endpoints=endpoints)
    admin, agent = console(settings), console(settings)
    assert admin.sign_in("boss", ADMIN_PASSWORD)[0].status in (302, 303)
    assert agent.sign_in("agent1", AGENT_PASSWORD)[0].status in (302, 303)
    response, page = admin.request("GET", "/analytics/conversations/oos")
    assert response.status == 200 and "对话记录" in page and "oos" in page
    # A handed-off conversation shows the desk's part too (it never reached Rasa): the
    # guest's own ticket's lines, not those of a signed-in shopper on the same client.
    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "handed", None, "诉求：售后", utc_now())
        add_shopper_message(s, ticket.id, "我的快递三天没动了", utc_now())
        other = create_handoff_request(s, "handed", _customer_with_orders(s, "19900000021", []), "诉求：售后",
                                       utc_now())
        add_shopper_message(s, other.id, "另一位顾客的话", utc_now())
    _, page = admin.request("GET", "/analytics/conversations/handed")
    assert "我的快递三天没动了" in page and "另一位顾客的话" not in page
    assert admin.request("GET", "/analytics/conversations/not-recorded")[0].status == 404
    assert agent.request("GET", "/analytics/conversations/oos")[0].status == 403
    _, page = admin.request("GET", "/analytics")
    assert 'id="unresolved" data-links="1"' in page
    _, page = agent.request("GET", "/analytics")
    assert 'id="unresolved" data-links=""' in page


def test_one_agent_talks_to_two_shoppers_at_once_and_each_hears_only_their_own(console, console_engine):
    """Two waiting shoppers; one agent takes both, answers each, reads each one's reply on its
    own ticket, ends one: that shopper is back with the assistant, the other still with the agent."""
    from shop.db.handoff_desk import add_shopper_message

    with session_scope(console_engine) as s:
        first = create_handoff_request(s, "desk-two-1", None, "诉求：物流", utc_now())
        second = create_handoff_request(s, "desk-two-2", None, "诉求：售后", utc_now())
    c, csrf = _signed_in_agent(console)
    for ticket in (first, second):
        assert c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].status == 303
    _, body = c.request("GET", "/api/handoff/queue")
    queue = json.loads(body)
    assert queue["waiting"] == [] and {t["ticket_no"] for t in queue["mine"]} == {first.ticket_no, second.ticket_no}
    for ticket, text in ((first, "您的包裹明天到"), (second, "退货已为您登记")):
        response, _ = c.request("POST", f"/api/handoff/{ticket.id}/reply", json={"text": text},
                                headers={"X-CSRF-Token": csrf})
        assert response.status == 200
    with session_scope(console_engine) as s:
        heard = {sender: [m.text for m in shopper_view(s, sender, None, 0, utc_now()).messages if m.author == "agent"]
                 for sender in ("desk-two-1", "desk-two-2")}
        add_shopper_message(s, second.id, "好的谢谢", utc_now())
    assert heard == {"desk-two-1": ["您的包裹明天到"], "desk-two-2": ["退货已为您登记"]}
    lines = {ticket.id: [m["text"] for m in json.loads(c.request("GET", f"/api/handoff/{ticket.id}/messages")[1])
                         ["messages"] if m["from"] == "shopper"] for ticket in (first, second)}
    assert lines == {first.id: [], second.id: ["好的谢谢"]}
    assert c.request("POST", f"/handoff/{first.id}/close",
                     data={"csrf_token": csrf, "resolution": "follow_up"})[0].status == 303
    with session_scope(console_engine) as s:
        assert active_ticket(s, "desk-two-1", None) is None                  # the assistant answers again
        assert active_ticket(s, "desk-two-2", None).status == "assigned"


def test_closing_asks_how_it_ended_and_the_dashboard_counts_it(console, console_engine):
    """结束会话 needs a resolution: without one (or an unknown one) nothing closes and the page
    says why; with one the shopper hears the usual notice, the ticket shows it, and 数据分析
    (its JSON and CSV) counts the desk's results and resolution rate."""
    from shop.db.handoff_desk import desk_ticket

    with session_scope(console_engine) as s:
        tickets = [create_handoff_request(s, f"desk-result-{i}", None, "诉求：售后", utc_now()) for i in range(3)]
    c, csrf = _signed_in_agent(console)
    for ticket in tickets:
        assert c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].status == 303
    first = tickets[0]
    for form in ({}, {"resolution": ""}, {"resolution": "<script>"}):
        response, _ = c.request("POST", f"/handoff/{first.id}/close", data={"csrf_token": csrf, **form})
        assert response.status == 303 and response.headers["Location"] == f"/handoff/{first.id}?flash=no_resolution"
    _, html = c.request("GET", f"/handoff/{first.id}?flash=no_resolution")
    assert "请选择处理结果" in html and '<select name="resolution" required>' in html and "<script>" not in html
    with session_scope(console_engine) as s:
        assert desk_ticket(s, first.id).status == "assigned"
    for ticket, resolution in zip(tickets, ("resolved", "resolved", "follow_up")):
        response, _ = c.request("POST", f"/handoff/{ticket.id}/close",
                                data={"csrf_token": csrf, "resolution": resolution})
        assert response.headers["Location"] == "/handoff?flash=closed"
    with session_scope(console_engine) as s:
        assert [desk_ticket(s, t.id).resolution for t in tickets] == ["resolved", "resolved", "follow_up"]
        closing = [m.text for m in shopper_view(s, "desk-result-2", None, 0, utc_now()).messages][-2:]
        # The closing notice, then the satisfaction question (asked after a close that served them).
        assert "客服已结束本次服务" in closing[0] and "满意吗" in closing[1]
    boss = console()
    boss.sign_in("boss", ADMIN_PASSWORD)
    assert '<span id="resolution">已登记，需后续跟进</span>' in boss.request("GET", f"/handoff/{tickets[2].id}")[1]
    desk = json.loads(boss.request("GET", "/api/analytics")[1])["desk"]
    assert (desk["closed"], desk["closed_with_resolution"], desk["resolution_rate"]) == (3, 3, round(2 / 3, 4))
    assert {r["resolution"]: r["tickets"] for r in desk["by_resolution"]} == {
        "resolved": 2, "follow_up": 1, "unresolved": 0, "no_reply": 0, "invalid": 0}
    csv_text = boss.request("GET", "/analytics.csv")[1]
    assert "desk_resolution,resolved,tickets,2" in csv_text and ",resolution_rate,0.6667" in csv_text


def test_an_agent_passes_a_conversation_to_a_colleague_with_a_note_and_back_to_the_queue(console, console_engine):
    """转接: 小王 holds a conversation and passes it to 小李 (on duty) with a note; 小李 finds it
    among their own with the note, opens it (the note, the shopper's lines, the reply box),
    the shopper hears who serves them now and nothing of the note; 小王 no longer sees it.
    Bad forms (no note, nobody chosen, a colleague off duty) change nothing and say why.
    小李 passes it back to the queue, where the next agent sees the note; 数据分析 and its CSV
    count the transfers per ticket."""
    from console import passwords
    from shop.db.console_accounts import create_account
    from shop.db.handoff_desk import add_shopper_message, desk_ticket

    with session_scope(console_engine) as s:
        li = create_account(s, "agent2", "小李", "agent", passwords.hash_password(AGENT_PASSWORD), utc_now()).id
        off = create_account(s, "agent3", "小赵", "agent", passwords.hash_password(AGENT_PASSWORD), utc_now()).id
        ticket = create_handoff_request(s, "desk-transfer", None, "诉求：退款", utc_now())
        add_shopper_message(s, ticket.id, "我要退款，订单 2026120700001", utc_now())
    wang, csrf = _signed_in_agent(console)
    colleague = console()
    assert colleague.sign_in("agent2", AGENT_PASSWORD)[0].status in (302, 303)
    csrf_li = colleague.csrf("/handoff")
    assert wang.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].status == 303
    _, page = wang.request("GET", f"/handoff/{ticket.id}")
    assert 'id="transfer-form"' in page and f'<option value="{li}">小李</option>' in page
    assert f'<option value="{off}">' not in page and '<option value="queue">' in page

    note = "顾客要退款，订单号已核对，请处理"
    for form, flash, words in (({"to": str(li), "note": "  "}, "no_note", "请写转接备注"),
                               ({"to": "", "note": note}, "no_target", "请选择转给哪位"),
                               ({"to": "x' OR 1=1", "note": note}, "no_target", "请选择转给哪位"),
                               ({"to": str(off), "note": note}, "target_gone", "现在不在岗"),
                               ({"to": str(li), "note": "长" * 501}, "no_note", "最多 500 字")):
        response, _ = wang.request("POST", f"/handoff/{ticket.id}/transfer", data={"csrf_token": csrf, **form})
        assert response.headers["Location"] == f"/handoff/{ticket.id}?flash={flash}", form
        assert words in wang.request("GET", response.headers["Location"])[1]
    with session_scope(console_engine) as s:
        assert desk_ticket(s, ticket.id).assigned_to != li
    response, _ = wang.request("POST", f"/handoff/{ticket.id}/transfer",
                               data={"csrf_token": csrf, "to": str(li), "note": note})
    assert response.headers["Location"] == "/handoff?flash=transferred"
    assert "已转接，顾客已收到通知" in wang.request("GET", "/handoff?flash=transferred")[1]
    assert wang.request("GET", f"/handoff/{ticket.id}")[0].status == 404          # 小李's now
    assert wang.request("POST", f"/handoff/{ticket.id}/transfer",
                        data={"csrf_token": csrf, "to": "queue", "note": "再转"})[0].headers["Location"] \
        == f"/handoff/{ticket.id}?flash=not_yours"

    _, queue_page = colleague.request("GET", "/handoff")
    assert f'data-mine="{ticket.ticket_no}"' in queue_page and f"转接自 小王：{note}" in queue_page
    mine = json.loads(colleague.request("GET", "/api/handoff/queue")[1])["mine"]
    assert [(t["ticket_no"], t["transfer"]) for t in mine] == [
        (ticket.ticket_no, {"from": "小王", "note": note, "by": None})]
    _, page = colleague.request("GET", f"/handoff/{ticket.id}")
    assert f"小王 转给 小李：{note}" in page and "我要退款，订单 2026120700001" in page and 'id="reply-form"' in page
    with session_scope(console_engine) as s:
        heard = [m.text for m in shopper_view(s, "desk-transfer", None, 0, utc_now()).messages]
    assert heard[-1] == "已为您转接客服小李，接下来由TA为您服务（之前的对话都在）。"
    assert not any(note in line for line in heard)

    back = "需要仓库确认，请下一位跟进"
    assert colleague.request("POST", f"/handoff/{ticket.id}/transfer",
                             data={"csrf_token": csrf_li, "to": "queue", "note": back})[0].status == 303
    waiting = json.loads(wang.request("GET", "/api/handoff/queue")[1])["waiting"]
    assert [(t["ticket_no"], t["transfer"]) for t in waiting] == [
        (ticket.ticket_no, {"from": "小李", "note": back, "by": None})]
    assert f"转接自 小李：{back}" in wang.request("GET", "/handoff")[1]
    assert wang.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].status == 303
    assert wang.request("POST", f"/handoff/{ticket.id}/close",
                        data={"csrf_token": csrf, "resolution": "follow_up"})[0].status == 303

    boss = console()
    boss.sign_in("boss", ADMIN_PASSWORD)
    transfers = json.loads(boss.request("GET", "/api/analytics")[1])["desk_transfers"]
    assert (transfers["transfers"], transfers["to_agent"], transfers["to_queue"]) == (2, 1, 1)
    assert (transfers["closed"], transfers["transfers_per_ticket"]) == (1, 2.0)
    assert transfers["by_count"] == [{"transfers": 2, "tickets": 1}]
    csv_text = boss.request("GET", "/analytics.csv")[1]
    assert ",transfers_per_ticket,2.0" in csv_text and "desk_transfers_per_ticket,2,tickets,1" in csv_text


def test_the_agents_own_conversations_say_where_a_shopper_waits_for_an_answer(console, console_engine):
    """我正在接待: a conversation where the shopper wrote and nobody has answered yet says since
    when (the first unanswered line, kept while the ticket waited in the queue too); the
    agent's reply clears it, the shopper's next line sets it again. The page and its JSON agree."""
    from datetime import timedelta

    from shop.db.handoff_desk import add_shopper_message

    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-awaiting", None, "诉求：物流", utc_now())
        add_shopper_message(s, ticket.id, "人呢？", utc_now() - timedelta(minutes=3))
        quiet = create_handoff_request(s, "desk-quiet", None, "诉求：咨询", utc_now())
    c, csrf = _signed_in_agent(console)
    for t in (ticket, quiet):
        assert c.request("POST", f"/handoff/{t.id}/claim", data={"csrf_token": csrf})[0].status == 303

    def awaiting():
        mine = json.loads(c.request("GET", "/api/handoff/queue")[1])["mine"]
        return {t["ticket_no"]: t["awaiting_reply_since"] is not None for t in mine}

    _, page = c.request("GET", "/handoff")
    # (3 minutes ago when written; a slow machine may have crossed into the 4th since)
    assert f'data-mine="{ticket.ticket_no}" data-awaiting="1"' in page
    assert re.search(r'<td class="awaiting error"[^>]*>[34] 分钟</td>', page)
    assert f'data-mine="{quiet.ticket_no}" data-awaiting=""' in page
    assert awaiting() == {ticket.ticket_no: True, quiet.ticket_no: False}
    assert c.request("POST", f"/handoff/{ticket.id}/reply", data={"csrf_token": csrf, "text": "在的，帮您查"})[0] \
        .status == 303
    assert awaiting() == {ticket.ticket_no: False, quiet.ticket_no: False}
    with session_scope(console_engine) as s:
        add_shopper_message(s, ticket.id, "好的，谢谢", utc_now())
    assert awaiting() == {ticket.ticket_no: True, quiet.ticket_no: False}
    assert re.search(r'<td class="awaiting error"[^>]*>(刚刚|1 分钟)</td>', c.request("GET", "/handoff")[1])


def test_an_agents_conversations_put_the_longest_unanswered_shopper_first(console, console_engine):
    """我正在接待 with several shoppers: those waiting for an answer come first, the one waiting
    longest on top; the rest follow in the order the agent took them. The page and the JSON
    its polling compares agree, so a new unanswered line moves the conversation up."""
    from datetime import timedelta

    from shop.db.handoff_desk import add_shopper_message

    now = utc_now()
    with session_scope(console_engine) as s:
        tickets = [create_handoff_request(s, f"desk-order-{i}", None, "诉求：物流", now) for i in range(4)]
    c, csrf = _signed_in_agent(console)
    for t in tickets:
        assert c.request("POST", f"/handoff/{t.id}/claim", data={"csrf_token": csrf})[0].status == 303
    for t in tickets:     # answered: nobody waits
        assert c.request("POST", f"/handoff/{t.id}/reply", data={"csrf_token": csrf, "text": "您好"})[0].status == 303
    numbers = [t.ticket_no for t in tickets]

    def order():
        api = [t["ticket_no"] for t in json.loads(c.request("GET", "/api/handoff/queue")[1])["mine"]]
        page = re.findall(r'data-mine="([^"]+)"', c.request("GET", "/handoff")[1])
        assert api == page
        return api
    assert order() == numbers
    with session_scope(console_engine) as s:
        add_shopper_message(s, tickets[2].id, "还在吗", utc_now())
        add_shopper_message(s, tickets[3].id, "人呢？", utc_now() - timedelta(minutes=2))
    assert order() == [numbers[3], numbers[2], numbers[0], numbers[1]]
    assert c.request("POST", f"/handoff/{tickets[3].id}/reply", data={"csrf_token": csrf, "text": "在的"})[0] \
        .status == 303
    assert order() == [numbers[2], numbers[0], numbers[1], numbers[3]]


def test_the_queue_says_why_each_shopper_sits_where_they_do(console, console_engine):
    """An angry shopper who asked later is listed (and counted in the JSON) before a calm one
    who asked a little earlier, with the reason and its head start beside the ticket, and the
    rule in words under the table."""
    from datetime import timedelta

    from shop.db.handoff_desk import add_shopper_message

    now = utc_now()
    with session_scope(console_engine) as s:
        calm = create_handoff_request(s, "queue-calm", None, "诉求：物流", now - timedelta(minutes=5))
        angry = create_handoff_request(s, "queue-angry", None, "诉求：物流", now - timedelta(minutes=1))
        add_shopper_message(s, angry.id, "等了半天没人理，太过分了", now)
    c, _ = _signed_in_agent(console)
    page = c.request("GET", "/handoff")[1]
    assert page.index(f'data-ticket="{angry.ticket_no}"') < page.index(f'data-ticket="{calm.ticket_no}"')
    assert "顾客情绪激动（提前 10 分钟）" in page and "按等待时间" in page
    assert "排队顺序：先按顾客已等的时间" in page and "不会排到比这等得更久的顾客前面" in page
    body = json.loads(c.request("GET", "/api/handoff/queue")[1])
    assert [(t["ticket_no"], t["position"]) for t in body["waiting"]] == [(angry.ticket_no, 1), (calm.ticket_no, 2)]
    assert body["waiting"][0]["priority"] == [{"reason": "angry", "label": "顾客情绪激动", "head_start_minutes": 10}]
    assert body["waiting"][1]["priority"] == []
    with session_scope(console_engine) as s:       # the shopper is told the same place
        assert shopper_view(s, "queue-calm", None, 0, now).position == 2


def test_a_sent_reply_comes_back_as_the_transcript_shows_it(console, console_engine):
    """The reply the page adds at once carries the shop's time and the agent's name, as the
    lines the page polls for do (it came back in UTC and nameless: 「客服  16:25」 under the
    shopper's 「顾客 00:25」)."""
    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-reply-time", None, "诉求：物流", utc_now())
    c, csrf = _signed_in_agent(console)
    c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})
    response, body = c.request("POST", f"/api/handoff/{ticket.id}/reply", json={"text": "您好，我来看看"},
                               headers={"X-CSRF-Token": csrf})
    assert response.status == 200, body
    sent = json.loads(body)
    polled = json.loads(c.request("GET", f"/api/handoff/{ticket.id}/messages?after=0")[1])["messages"]
    assert polled[-1]["id"] == sent["id"]
    assert sent == polled[-1]
    assert sent["agent"] and sent["at"] == polled[-1]["at"]


def test_the_ticket_says_when_the_shopper_may_have_left(console, console_engine):
    """Nothing tells the desk a shopper closed the tab: 12 minutes without a line after the
    agent's answer, the ticket says the shopper may have left and how to close it; a line from
    the shopper takes the note away."""
    from datetime import timedelta

    from shop.db.handoff_desk import add_agent_message, add_shopper_message

    with session_scope(console_engine) as s:
        ticket = create_handoff_request(s, "desk-left", None, "诉求：物流", utc_now() - timedelta(minutes=20))
        add_shopper_message(s, ticket.id, "我的快递呢", utc_now() - timedelta(minutes=15))
    c, csrf = _signed_in_agent(console)
    assert c.request("POST", f"/handoff/{ticket.id}/claim", data={"csrf_token": csrf})[0].status == 303
    assert 'id="shopper-quiet"' not in c.request("GET", f"/handoff/{ticket.id}")[1]   # the agent owes an answer
    with session_scope(console_engine) as s:
        agent_id = active_ticket(s, "desk-left", None).assigned_to
        add_agent_message(s, ticket.id, agent_id, "请问订单号是多少？", utc_now() - timedelta(minutes=12))
    page = c.request("GET", f"/handoff/{ticket.id}")[1]
    said = re.search(r'<p class="error" id="shopper-quiet"[^>]*>(.*?)</p>', page).group(1)
    assert re.match(r"顾客已 1[23] 分钟没有回应您的回复，可能已经离开。", said) and "顾客未回复" in said
    with session_scope(console_engine) as s:
        add_shopper_message(s, ticket.id, "稍等我找一下", utc_now())
    assert 'id="shopper-quiet"' not in c.request("GET", f"/handoff/{ticket.id}")[1]


def test_my_conversations_list_says_which_shopper_may_have_left(console, console_engine):
    """An agent with several shoppers sees in 我正在接待 who went quiet after the agent's
    answer (the ticket's note, same rule), in the page and the JSON its polling compares; a
    shopper answered a moment ago, or one who wrote since, is not marked."""
    from datetime import timedelta

    from shop.db.handoff_desk import add_agent_message, add_shopper_message

    with session_scope(console_engine) as s:
        left = create_handoff_request(s, "desk-list-left", None, "诉求：物流", utc_now() - timedelta(minutes=20))
        live = create_handoff_request(s, "desk-list-live", None, "诉求：咨询", utc_now() - timedelta(minutes=20))
    c, csrf = _signed_in_agent(console)
    for t in (left, live):
        assert c.request("POST", f"/handoff/{t.id}/claim", data={"csrf_token": csrf})[0].status == 303
    with session_scope(console_engine) as s:
        agent_id = active_ticket(s, "desk-list-left", None).assigned_to
        add_shopper_message(s, left.id, "我的快递呢", utc_now() - timedelta(minutes=15))
        add_agent_message(s, left.id, agent_id, "请问订单号是多少？", utc_now() - timedelta(minutes=12))
        add_agent_message(s, live.id, agent_id, "您好，请问有什么可以帮您？", utc_now() - timedelta(minutes=2))

    def quiet():
        mine = json.loads(c.request("GET", "/api/handoff/queue")[1])["mine"]
        return {t["ticket_no"]: t["quiet_minutes"] for t in mine}

    page = c.request("GET", "/handoff")[1]
    assert f'data-mine="{left.ticket_no}" data-awaiting="" data-quiet="1"' in page
    assert f'data-mine="{live.ticket_no}" data-awaiting="" data-quiet=""' in page
    assert re.search(r'<td class="awaiting quiet error"[^>]*>顾客已 1[23] 分钟没有回应，可能已经离开</td>', page)
    assert page.count("可能已经离开") == 1
    assert quiet()[left.ticket_no] in (12, 13) and quiet()[live.ticket_no] is None
    with session_scope(console_engine) as s:
        add_shopper_message(s, left.id, "稍等我找一下", utc_now())
    assert quiet() == {left.ticket_no: None, live.ticket_no: None}
    assert "可能已经离开" not in c.request("GET", "/handoff")[1]
