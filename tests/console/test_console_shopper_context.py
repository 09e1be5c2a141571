"""What an agent sees of the shopper beside a conversation, on a seeded shop: the signed-in
shopper's own latest orders and after-sales requests (a refund asked about: where it is) —
never another shopper's, none for a guest — and, in the queue, how long each shopper has
been waiting."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console import passwords
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.migrate import upgrade_to_head
from shop.db.models import AfterSalesRequest
from shop.domain.clock import utc_now
from shop.seed.runner import seed_database
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD
from tests.support.shop_db import ANCHOR, PROFILE, SEED


@pytest.fixture()
def console_engine(tmp_path):
    """The console's database, seeded (customers with orders and after-sales requests)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'console.db'}")
    upgrade_to_head(engine)
    seed_database(engine, PROFILE, SEED, ANCHOR)
    with session_scope(engine) as session:
        create_account(session, "boss", "老板", "admin", passwords.hash_password(ADMIN_PASSWORD), utc_now())
        create_account(session, "agent1", "小王", "agent", passwords.hash_password(AGENT_PASSWORD), utc_now())
    yield engine
    engine.dispose()


def test_the_agent_sees_this_shoppers_after_sales_requests_only_and_how_long_each_waits(console, console_engine):
    with session_scope(console_engine) as s:
        shoppers = (
            s.execute(
                select(AfterSalesRequest.customer_id)
                .group_by(AfterSalesRequest.customer_id)
                .order_by(func.count().desc(), AfterSalesRequest.customer_id)
                .limit(2)
            )
            .scalars()
            .all()
        )
        requests = {
            c: s.execute(
                select(AfterSalesRequest.request_no)
                .where(AfterSalesRequest.customer_id == c)
                .order_by(AfterSalesRequest.created_at.desc(), AfterSalesRequest.id.desc())
            )
            .scalars()
            .all()
            for c in shoppers
        }
        mine = create_handoff_request(
            s, "desk-refund", shoppers[0], "诉求：退款进度", utc_now() - timedelta(minutes=12)
        )
        guest = create_handoff_request(
            s, "desk-guest", None, f"诉求：退款 {requests[shoppers[1]][0]}", utc_now() - timedelta(seconds=20)
        )
    agent = console()
    assert agent.sign_in("agent1", AGENT_PASSWORD)[0].status in (302, 303)
    _, page = agent.request("GET", f"/handoff/{mine.id}")
    assert "顾客的售后申请" in page
    shown = requests[shoppers[0]][:5]
    assert all(f'data-request="{number}"' in page for number in shown)
    assert not any(f'data-request="{number}"' in page for number in requests[shoppers[1]])
    _, page = agent.request("GET", f"/handoff/{guest.id}")
    assert "data-request=" not in page and "顾客的售后申请" not in page and "游客未登录" in page
    # The queue says how long each shopper has waited; a long wait stands out.
    _, queue = agent.request("GET", "/handoff")
    # (12 minutes and 20 seconds ago when opened; a slow machine may have crossed a minute since)
    assert re.search(r'<td class="waited error"[^>]*>1[23] 分钟</td>', queue)
    assert re.search(r'<td class="waited"[^>]*>(不到 1 分钟|1 分钟)</td>', queue)
