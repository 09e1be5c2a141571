"""满意度 over HTTP (console/satisfaction_pages.py) on a real console and database: the
assistant against the desk, per agent (an agent sees their own row and comments, an admin
everyone's), the shoppers' comments drawn as text, a bad period answered cleanly."""
from __future__ import annotations

import json
from datetime import timedelta

from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import claim_ticket, close_ticket
from shop.db.models import ConsoleUser
from shop.db.satisfaction import answer_question, ask, pending_question
from shop.domain.clock import utc_now
from shop.domain.satisfaction import ASSISTANT, read_answer
from sqlalchemy import select
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD


def _ratings(engine):
    now = utc_now()
    with session_scope(engine) as s:
        boss, agent = (s.execute(select(ConsoleUser).where(ConsoleUser.username == name)).scalar_one()
                       for name in ("boss", "agent1"))
        for sender, who, text in [("c-1", agent, "满意"), ("c-2", agent, "差评 <script>alert(1)</script>"),
                                  ("c-3", boss, "不满意，老板态度差")]:
            ticket = create_handoff_request(s, sender, None, "诉求：售后", now - timedelta(minutes=5))
            claim_ticket(s, ticket.id, who.id, who.display_name, now)
            close_ticket(s, ticket.id, who.id, now, resolution="resolved")
            answer_question(s, pending_question(s, sender, None, now), read_answer(text), now)
        answer_question(s, ask(s, "c-4", None, ASSISTANT, now), read_answer("5星"), now)
        answer_question(s, ask(s, "c-5", None, ASSISTANT, now), None, now)


def test_an_admin_sees_the_assistant_against_the_desk_every_agent_and_the_comments(console, console_engine):
    _ratings(console_engine)
    admin = console()
    admin.sign_in("boss", ADMIN_PASSWORD)
    response, html = admin.request("GET", "/satisfaction")
    assert response.status == 200 and 'href="/satisfaction"' in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "不满意，老板态度差" in html and 'data-agent="小王"' in html and 'data-agent="老板"' in html
    response, body = admin.request("GET", "/api/satisfaction")
    data = json.loads(body)
    subjects = {r["subject"]: r for r in data["by_subject"]}
    assert (subjects["desk"]["asked"], subjects["desk"]["rated"]) == (3, 3)
    assert subjects["desk"]["csat"] == 1 / 3
    assert (subjects["assistant"]["asked"], subjects["assistant"]["rated"], subjects["assistant"]["csat"]) == (2, 1, 1.0)
    assert {r["agent"]: (r["rated"], r["csat"]) for r in data["by_agent"]} == {"小王": (2, 0.5), "老板": (1, 0.0)}
    assert len(data["comments"]) == 2 and sum(d["desk"]["rated"] for d in data["by_day"]) == 3


def test_an_agent_sees_their_own_desk_figures_and_comments_only(console, console_engine):
    _ratings(console_engine)
    agent = console()
    agent.sign_in("agent1", AGENT_PASSWORD)
    _, body = agent.request("GET", "/api/satisfaction")
    data = json.loads(body)
    assert [r["agent"] for r in data["by_agent"]] == ["小王"]
    assert [c["comment"] for c in data["comments"]] == ["差评 <script>alert(1)</script>"]
    assert {r["subject"]: r["rated"] for r in data["by_subject"]} == {"desk": 2, "assistant": 1}
    _, html = agent.request("GET", "/satisfaction")
    assert "老板态度差" not in html and "只含您自己接待的会话" in html


def test_a_bad_period_gets_a_clean_answer_and_an_empty_one_says_so(console, console_engine):
    admin = console()
    admin.sign_in("boss", ADMIN_PASSWORD)
    response, html = admin.request("GET", "/satisfaction?from=2026-13-01")
    assert response.status == 400 and "日期格式不对" in html and "最近 7 天" in html
    response, body = admin.request("GET", "/api/satisfaction?from=2026-12-09&to=2026-12-01")
    assert response.status == 400 and json.loads(body)["error"] == "invalid_period"
    response, html = admin.request("GET", "/satisfaction?from=2020-01-01&to=2020-01-07")
    assert response.status == 200 and html.count("所选期间没有数据") == 3
    anonymous = console()
    response, _ = anonymous.request("GET", "/api/satisfaction")
    assert response.status in (302, 303, 401)


def test_the_csv_has_the_figures_and_the_comments_with_no_formula(console, console_engine):
    _ratings(console_engine)
    now = utc_now()
    with session_scope(console_engine) as s:
        answer_question(s, ask(s, "c-6", None, ASSISTANT, now), read_answer("=HYPERLINK(1) 差评"), now)
    admin = console()
    admin.sign_in("boss", ADMIN_PASSWORD)
    response, body = admin.request("GET", "/satisfaction.csv")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeffsection,key,metric,value,说明")
    lines = body.splitlines()
    assert "satisfaction,desk,csat,0.3333,满意率（0–1，4–5 星 / 评价）" in lines
    assert any(line.startswith("satisfaction_agent,小王,rated,2,") for line in lines)
    assert any(",comment,'=HYPERLINK(1) 差评," in line for line in lines)
    response, _ = admin.request("GET", "/satisfaction.csv?from=bad")
    assert response.status == 400


def test_the_closed_ticket_shows_the_shoppers_rating(console, console_engine):
    _ratings(console_engine)
    from shop.db.models import HandoffRequest

    with session_scope(console_engine) as s:
        ids = dict(s.execute(select(HandoffRequest.sender_id, HandoffRequest.id)).all())
    agent = console()
    agent.sign_in("agent1", AGENT_PASSWORD)
    response, html = agent.request("GET", f"/handoff/{ids['c-2']}")
    assert response.status == 200 and 'id="rating"' in html and "1 星（不满意）" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)</script>" not in html
    _, html = agent.request("GET", f"/handoff/{ids['c-1']}")
    assert "5 星（满意）" in html
