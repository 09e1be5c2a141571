"""Units of work that read and then write must wait for another writer, not fail.

SQLite in WAL mode: a transaction begun with a plain (deferred) BEGIN reads from a snapshot;
if another process commits before its first write, that write fails at once with "database
is locked" (SQLITE_BUSY_SNAPSHOT, no busy wait). Here "another process" (a second
connection) commits after every SELECT of the unit of work under test, on every try. Work
that writes begins with BEGIN IMMEDIATE (``session_scope(writes=True)``): the other writer
then waits for it instead. On PostgreSQL the same tests check that nothing changes there.
"""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from actions import support
from shop.db import models as m
from shop.db.after_sales import create_after_sales_request
from shop.db.engine import default_engine, dispose_default_engine, make_engine, session_scope
from shop.db.orders import cancel_order, get_order
from shop.seed.fixtures import MAIN_CUSTOMER_ID, fixture_order_number
from tests.support.another_writer import another_writer_commits_after_every_select
from tests.support.shop_db import ANCHOR

NOW = ANCHOR + timedelta(hours=10)
ME = MAIN_CUSTOMER_ID


def number(key: str) -> str:
    return fixture_order_number(key, int(ANCHOR.timestamp()))


@pytest.fixture()
def actions_engine(writable_engine, monkeypatch):
    """The actions' default engine on a private seeded database, with a table another
    writer appends to."""
    with writable_engine.begin() as connection:
        connection.execute(text("CREATE TABLE other_writes (n INTEGER)"))
    monkeypatch.setenv("SHOP_DATABASE_URL", writable_engine.url.render_as_string(hide_password=False))
    dispose_default_engine()
    monkeypatch.setattr(support, "CONFIRMED_WRITE_PAUSES_S", (0.01, 0.01, 0.01))
    try:
        yield default_engine()
    finally:
        dispose_default_engine()


def test_an_after_sales_request_is_filed_while_another_process_writes(actions_engine):
    with session_scope(actions_engine) as s:
        item = get_order(s, ME, number("DELIVERED_RETURNABLE")).items[0].id
    with another_writer_commits_after_every_select(actions_engine) as outcomes:
        created = asyncio.run(support.db_confirmed(
            create_after_sales_request, ME, number("DELIVERED_RETURNABLE"), item, "退货退款", "七天无理由", NOW))
    assert created.request_no.startswith("SH")
    assert outcomes      # the other writer did try, mid-transaction
    with session_scope(actions_engine) as s:
        assert s.execute(select(m.AfterSalesRequest.id)
                         .where(m.AfterSalesRequest.request_no == created.request_no)).scalar_one()


def test_an_order_is_cancelled_while_another_process_writes(actions_engine):
    with another_writer_commits_after_every_select(actions_engine) as outcomes:
        result = asyncio.run(support.db_confirmed(cancel_order, ME, number("PENDING_PAYMENT"), NOW, reason="不想要了"))
    assert result.status == "cancelled"
    assert outcomes
    with session_scope(actions_engine) as s:
        assert get_order(s, ME, number("PENDING_PAYMENT")).status == "cancelled"


def test_a_prompt_write_waits_for_the_lock_too(actions_engine):
    """``db_prompt`` (a hand-off, the cards' exposures, a guest's look-up) begins the same way."""
    with session_scope(actions_engine) as s:
        item = get_order(s, ME, number("DELIVERED_FRESH")).items[0].id
    with another_writer_commits_after_every_select(actions_engine) as outcomes:
        created = asyncio.run(support.db_prompt(
            create_after_sales_request, ME, number("DELIVERED_FRESH"), item, "refund_only", "damaged", NOW))
    assert created.request_no.startswith("SH") and outcomes


def test_read_only_work_keeps_a_deferred_begin(actions_engine):
    """A read never takes the write lock: the other writer commits while it reads."""
    with another_writer_commits_after_every_select(actions_engine) as outcomes:
        order = asyncio.run(support.db(get_order, ME, number("IN_TRANSIT")))
    assert order is not None
    assert outcomes and set(outcomes) == {"committed"}


def test_a_write_unit_of_work_waits_no_longer_than_its_bound(actions_engine):
    """A write waits for another writer's lock as long as ``lock_wait_s`` says, then fails; the
    default wait is restored after. SQLite: BEGIN IMMEDIATE is what waits, so the bound is set
    before the BEGIN, not after it. PostgreSQL: the statement waits for the table lock the
    other transaction holds (``lock_timeout``, local to the transaction)."""
    sqlite = actions_engine.dialect.name == "sqlite"
    holder = make_engine(actions_engine.url.render_as_string(hide_password=False))
    try:
        with session_scope(holder, writes=True) as held:
            if sqlite:
                held.execute(text("INSERT INTO other_writes (n) VALUES (2)"))
            else:
                held.execute(text("LOCK TABLE other_writes IN EXCLUSIVE MODE"))

            started = time.monotonic()
            with pytest.raises(OperationalError):
                with session_scope(actions_engine, lock_wait_s=0.2, writes=True) as waiting:
                    waiting.execute(text("INSERT INTO other_writes (n) VALUES (3)"))
            assert time.monotonic() - started < 2
        with session_scope(actions_engine) as s:
            if sqlite:
                assert s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
            else:
                assert s.connection().exec_driver_sql("SHOW lock_timeout").scalar() == "0"
    finally:
        holder.dispose()


def test_an_agents_reply_is_sent_while_another_process_writes(actions_engine):
    """The console's writes (claim, reply, close, transfer, accounts) go through ``db_write``."""
    from console.auth import db_write
    from shop.db.console_accounts import create_account
    from shop.db.handoff import create_handoff_request
    from shop.db.handoff_desk import add_agent_message, claim_ticket
    from shop.domain.clock import utc_now

    now = utc_now()
    with session_scope(actions_engine) as s:
        agent = create_account(s, "a1", "小王", "agent", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", now)
        ticket = create_handoff_request(s, "guest-1", None, "诉求：订单查询", now)
        assert claim_ticket(s, ticket.id, agent.id, "小王", now)

    class Request:
        app = {"engine": actions_engine}

    with another_writer_commits_after_every_select(actions_engine) as outcomes:
        sent = asyncio.run(db_write(Request(), add_agent_message, ticket.id, agent.id, "您好，我是小王", now))
    assert sent is not None and sent.text == "您好，我是小王"
    assert outcomes
