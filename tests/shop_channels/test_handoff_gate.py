"""The hand-off gate on a real SQLite shop database: a conversation without a ticket costs
one plain read (no write transaction, no lock-wait settings, nothing written) and goes to
the assistant; with a ticket the message goes to the desk exactly as before (queue answer
while open, silence while an agent has it, stored either way); closed tickets and another
shopper's tickets let the assistant answer; a read error lets it answer too, logged."""
import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from shop.db.console_accounts import create_account, start_session
from shop.db.engine import default_engine, dispose_default_engine, make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import active_ticket, claim_ticket, close_ticket, ticket_messages
from shop.db.migrate import upgrade_to_head
from shop.db.models import HandoffMessage
from shop.domain.clock import utc_now
from shop_channels import handoff_gate
from tests.support.another_writer import another_writer_commits_after_every_select

FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


@pytest.fixture()
def shop_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    monkeypatch.setenv("SHOP_DATABASE_URL", url)
    dispose_default_engine()
    yield default_engine()
    dispose_default_engine()


def _statements(engine):
    seen = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()).upper())

    return seen


def _stored_lines(engine):
    with session_scope(engine) as s:
        return s.execute(select(func.count(HandoffMessage.id)).where(HandoffMessage.author == "shopper")).scalar_one()


def _reply(sender, text, conversation_id=None):
    return asyncio.run(handoff_gate.held_reply(sender, conversation_id or sender, text))


def test_no_ticket_costs_one_plain_read_and_the_assistant_answers(shop_db):
    seen = _statements(shop_db)
    assert _reply("web-quiet", "你好") is None
    selects = [s for s in seen if s.startswith("SELECT")]
    assert len(selects) == 1 and "FROM HANDOFF_REQUESTS" in selects[0] and "JOIN" not in selects[0]
    assert not [s for s in seen if "PRAGMA" in s or s.startswith(("INSERT", "UPDATE", "COMMIT"))]
    assert _stored_lines(shop_db) == 0


def test_a_ticket_takes_the_desk_path_as_before(shop_db):
    now = utc_now()
    with session_scope(shop_db) as s:
        agent = create_account(s, "a1", "小王", "agent", FAKE_HASH, now - timedelta(minutes=1))
        start_session(s, agent.id, "t" * 43, "c" * 43, now, timedelta(hours=8))    # at the desk
        waiting = create_handoff_request(s, "web-wait", None, "诉求：订单查询", now - timedelta(minutes=1))
        held = create_handoff_request(s, "web-held", None, "诉求：售后", now - timedelta(minutes=1))
        claim_ticket(s, held.id, agent.id, "小王", now)
        done = create_handoff_request(s, "web-done", None, "诉求：发票", now - timedelta(minutes=1))
        claim_ticket(s, done.id, agent.id, "小王", now)
        close_ticket(s, done.id, agent.id, now)

    seen = _statements(shop_db)
    answer = _reply("web-wait", "人呢？")
    assert len(answer) == 1 and waiting.ticket_no in answer[0] and "排队" in answer[0]
    assert any("PRAGMA BUSY_TIMEOUT=2000" in s for s in seen)        # the write path's bounded wait
    assert _reply("web-held", "还在吗") == []                         # the agent answers
    assert _reply("web-done", "谢谢") is None                         # closed: the assistant again
    # The same client id signed in as a shopper is another conversation: not held.
    assert _reply("web-wait", "你好", conversation_id="web-wait" + _separator() + "7") is None
    assert _stored_lines(shop_db) == 2


def test_a_line_for_the_desk_is_kept_while_another_process_writes(shop_db):
    """The gate reads the ticket and then stores the line: on SQLite that unit of work takes
    the write lock up front, so a commit by another process (the console, the action server)
    in between no longer makes it fail ("database is locked" at once, the line not kept)."""
    now = utc_now()
    with session_scope(shop_db) as s:
        waiting = create_handoff_request(s, "web-busy", None, "诉求：订单查询", now - timedelta(minutes=1))
        s.execute(text("CREATE TABLE other_writes (n INTEGER)"))
    with another_writer_commits_after_every_select(shop_db) as outcomes:
        answer = _reply("web-busy", "人呢？")
    assert answer != [handoff_gate.LINE_NOT_KEPT]
    assert len(answer) == 1 and waiting.ticket_no in answer[0]
    assert "waited" in outcomes and _stored_lines(shop_db) == 1


def _agent_at_desk(engine, now, last_seen):
    from shop.db.models import ConsoleSession

    with session_scope(engine) as s:
        agent = create_account(s, "a1", "小王", "agent", FAKE_HASH, now - timedelta(hours=1))
        start_session(s, agent.id, "t" * 43, "c" * 43, now - timedelta(hours=1), timedelta(hours=8))
        s.execute(ConsoleSession.__table__.update().values(last_seen_at=last_seen))
    return agent


def test_an_agent_who_left_hands_the_conversation_back_to_the_queue(shop_db):
    """The holder's console went quiet (laptop closed, no sign-out): the shopper's next
    message puts the ticket back in the queue and the shopper hears their place, not
    silence; a holder still at the desk keeps it."""
    now = utc_now()
    agent = _agent_at_desk(shop_db, now, now - timedelta(minutes=1))
    with session_scope(shop_db) as s:
        held = create_handoff_request(s, "web-left", None, "诉求：售后", now - timedelta(minutes=2))
        claim_ticket(s, held.id, agent.id, "小王", now)
    assert _reply("web-left", "在吗") == []                          # still at the desk
    with session_scope(shop_db) as s:
        from shop.db.models import ConsoleSession
        s.execute(ConsoleSession.__table__.update().values(last_seen_at=now - timedelta(minutes=20)))
    answer = _reply("web-left", "人呢？")
    assert len(answer) == 1 and held.ticket_no in answer[0] and "排队" in answer[0], answer
    assert "预计等待" not in answer[0]                                   # nobody is on duty now
    with session_scope(shop_db) as s:
        ticket = active_ticket(s, "web-left", None)
        assert ticket.status == "open" and ticket.assigned_to is None
        assert [m.author for m in ticket_messages(s, ticket.id)][-2:] == ["shopper", "system"]
        assert "暂时离开" in ticket_messages(s, ticket.id)[-1].text        # the notice the shopper gets


def test_a_waiting_shopper_can_cancel_and_gets_the_assistant_back(shop_db):
    now = utc_now()
    agent = _agent_at_desk(shop_db, now, now)
    with session_scope(shop_db) as s:
        waiting = create_handoff_request(s, "web-cancel", None, "诉求：订单查询", now - timedelta(minutes=1))
        held = create_handoff_request(s, "web-talking", None, "诉求：售后", now - timedelta(minutes=1))
        claim_ticket(s, held.id, agent.id, "小王", now)
    assert "排队" in _reply("web-cancel", "取消人工之后订单还在吗")[0]   # a question, not a cancel
    answer = _reply("web-cancel", "算了，取消人工！")
    assert len(answer) == 1 and "已取消人工服务" in answer[0] and waiting.ticket_no in answer[0], answer
    assert _reply("web-cancel", "我的订单到哪了") is None               # the assistant answers again
    assert _reply("web-talking", "取消人工") == []                     # an agent has it: the agent decides
    with session_scope(shop_db) as s:
        assert active_ticket(s, "web-talking", None).status == "assigned"


class _Broker:
    def __init__(self):
        self.published = []

    def publish(self, event):
        self.published.append(event)


def test_a_cancel_is_published_to_the_event_broker_once(shop_db):
    """The analytics' one source: the cancel goes through Rasa's event broker, keyed by the
    Rasa conversation id as Rasa's own events are, and only a real cancel."""
    from analytics.events import HANDOFF_CANCELLED

    now = utc_now()
    conversation = "web-pub"
    with session_scope(shop_db) as s:
        waiting = create_handoff_request(s, "web-pub", None, "诉求：订单查询", now - timedelta(minutes=1))
    broker = _Broker()

    def reply(text):
        return asyncio.run(handoff_gate.held_reply("web-pub", conversation, text, broker))

    assert "排队" in reply("人呢")[0] and broker.published == []
    assert "已取消人工服务" in reply("取消人工")[0]
    assert reply("取消人工") is None                                  # no ticket now: the assistant answers
    assert len(broker.published) == 1
    event = broker.published[0]
    assert (event["event"], event["sender_id"], event["ticket_no"]) == (HANDOFF_CANCELLED, conversation,
                                                                      waiting.ticket_no)
    assert abs(event["timestamp"] - utc_now().timestamp()) < 60


def test_a_cancel_with_a_request_cancels_and_hands_the_request_on(shop_db):
    """"算了不转了 你帮我查下牛奶": the wait ends, its line is said, and the request goes on to
    the assistant (``request``); a plain cancel or a question while waiting hands nothing on."""
    now = utc_now()
    with session_scope(shop_db) as s:
        create_handoff_request(s, "web-ask", None, "诉求：订单查询", now - timedelta(minutes=1))
    waiting = _reply("web-ask", "人呢")
    assert "排队" in waiting[0] and waiting.request is None
    held = _reply("web-ask", "算了不转了 你帮我查下牛奶")
    assert "已取消人工服务" in held[0] and held.request == "你帮我查下牛奶"
    with session_scope(shop_db) as s:
        assert active_ticket(s, "web-ask", None) is None
    assert _reply("web-ask", "帮我查下牛奶") is None                 # the assistant answers from now on


def test_a_cancel_without_a_broker_still_cancels(shop_db, caplog):
    now = utc_now()
    with session_scope(shop_db) as s:
        create_handoff_request(s, "web-nobroker", None, "诉求：订单查询", now - timedelta(minutes=1))
    with caplog.at_level(logging.WARNING):
        assert "已取消人工服务" in _reply("web-nobroker", "取消人工")[0]
    assert "no event broker" in caplog.text
    with session_scope(shop_db) as s:
        assert active_ticket(s, "web-nobroker", None) is None


def _separator():
    from shop.identity import CUSTOMER_CONVERSATION_SEPARATOR

    return CUSTOMER_CONVERSATION_SEPARATOR


def test_a_read_error_lets_the_assistant_answer_and_is_logged(shop_db, monkeypatch, caplog):
    def unreadable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(handoff_gate, "gate_state", unreadable)
    with caplog.at_level(logging.ERROR, logger=handoff_gate.__name__):
        assert _reply("web-any", "你好") is None
    assert "hand-off state unreadable" in caplog.text


def test_a_line_the_database_will_not_keep_is_asked_again_not_answered_by_the_assistant(shop_db, caplog):
    """Seen live with the shop database write-locked: "还要等多久" while waiting for a person
    got the assistant's "我不太确定您的意思", and the line never reached the agent."""
    import sqlite3

    now = utc_now()
    with session_scope(shop_db) as s:
        ticket = create_handoff_request(s, "web-locked", None, "诉求：订单查询", now - timedelta(minutes=1))
    locker = sqlite3.connect(shop_db.url.database, isolation_level=None, timeout=5)
    locker.execute("BEGIN EXCLUSIVE")       # another writer stuck in a transaction
    try:
        with caplog.at_level(logging.ERROR, logger=handoff_gate.__name__):
            answer = _reply("web-locked", "还要等多久")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert answer == [handoff_gate.LINE_NOT_KEPT], answer
    assert "再发一次" in answer[0] and "不需要重新转人工" in answer[0]
    assert "hand-off line not kept" in caplog.text
    assert _stored_lines(shop_db) == 0
    # Once the database takes writes again, the line is kept and answered from the queue.
    again = _reply("web-locked", "还要等多久")
    assert len(again) == 1 and ticket.ticket_no in again[0]
    assert _stored_lines(shop_db) == 1
