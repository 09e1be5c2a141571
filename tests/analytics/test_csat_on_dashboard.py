"""CSAT where operators already look: 数据分析's 按客服 rows carry each agent's ratings (count,
average, share of 4–5) and the assistant's own, read from ``analytics_satisfaction``; the CSV
has them as ``csat_agent`` / ``csat_assistant`` rows, names formula-guarded. SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from analytics import dashboard
from analytics.desk import sync_desk
from analytics.settings import DEFAULT_TIMEZONE
from shop.db.console_accounts import create_account
from shop.db.engine import session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import claim_ticket, close_ticket
from shop.db.satisfaction import answer_question, ask, pending_question
from shop.domain.clock import utc_now
from shop.domain.satisfaction import ASSISTANT, read_answer
from tests.support.analytics import analytics_database

FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def analytics(request, tmp_path):
    with analytics_database(request.param, tmp_path, "analytics_csat_dash") as engine:
        yield engine


def _desk_rating(s, agent, sender, words, now):
    ticket = create_handoff_request(s, sender, None, "诉求：退款", now - timedelta(minutes=3))
    claim_ticket(s, ticket.id, agent.id, agent.display_name, now - timedelta(minutes=2))
    close_ticket(s, ticket.id, agent.id, now - timedelta(minutes=1), resolution="resolved")
    s.flush()
    if words is not None:
        answer_question(s, pending_question(s, sender, None, now), read_answer(words), now)


def test_desk_rows_and_the_assistant_carry_csat_in_the_page_data_and_the_csv(analytics, shop):
    now = utc_now()
    with session_scope(shop) as s:
        wang = create_account(s, "a1", "小王", "agent", FAKE_HASH, now)
        evil = create_account(s, "a2", "=HYPERLINK(1)", "agent", FAKE_HASH, now)
        create_account(s, "a3", "小李", "agent", FAKE_HASH, now)
        _desk_rating(s, wang, "s1", "满意", now)
        _desk_rating(s, wang, "s2", "一般", now)
        _desk_rating(s, wang, "s3", None, now)                 # asked, never answered
        _desk_rating(s, evil, "s4", "2分", now)
        bot = ask(s, "s5", None, ASSISTANT, now)
        s.flush()
        answer_question(s, bot, read_answer("4星"), now)
        ask(s, "s6", None, ASSISTANT, now)
    factory = lambda: session_scope(shop)  # noqa: E731
    sync_desk(analytics, factory)
    day = now.astimezone(DEFAULT_TIMEZONE).date()
    data = dashboard.build(analytics, factory, day, day)
    by_name = {r["name"]: r["csat"] for r in data["desk_agents"]}
    assert by_name["小王"] == {"rated": 2, "average": 4.0, "csat": 0.5}
    assert by_name["=HYPERLINK(1)"] == {"rated": 1, "average": 2.0, "csat": 0.0}
    assert "小李" not in by_name                             # no desk work, no rating: no row
    assert data["csat_assistant"] == {"rated": 1, "average": 4.0, "csat": 1.0}

    rows = list(csv.reader(io.StringIO(dashboard.to_csv(data))))
    csat = {(r[0], r[1], r[2]): r[3] for r in rows if r[0].startswith("csat_")}
    assert csat[("csat_agent", "小王", "rated")] == "2" and csat[("csat_agent", "小王", "average")] == "4.0"
    assert csat[("csat_agent", "'=HYPERLINK(1)", "average")] == "2.0"      # formula-safe as the rest
    assert not any(r[1].startswith("=") for r in rows)
    assert [csat[("csat_assistant", f"{day}..{day}", m)] for m in ("rated", "average", "csat")] == ["1", "4.0", "1.0"]

    other = day - timedelta(days=3)                          # another period: nothing rated
    quiet = dashboard.build(analytics, factory, other, other)
    assert quiet["csat_assistant"] == {"rated": 0, "average": None, "csat": None}
    assert quiet["desk_agents"] == []


def test_an_agent_rated_without_other_desk_work_in_the_period_still_has_a_row():
    rows = [{"agent_id": 7, "name": "小王"}]
    dashboard.with_csat(rows, {"小王": {"rated": 1, "average": 5.0, "csat": 1.0},
                               "老张": {"rated": 2, "average": 3.0, "csat": 0.5}})
    assert rows[0]["csat"]["rated"] == 1
    assert rows[1]["agent_id"] is None and rows[1]["name"] == "老张" and rows[1]["csat"]["rated"] == 2
