"""Live hand-off over REST against the real assistant: while a ticket waits the shopper hears
their place in the queue; once an agent holds it the assistant is silent and the agent's lines
come from ``/webhooks/rest/agent_messages`` (only to that shopper); after closing, the
assistant answers again. The agent's side goes through the same data-layer calls the
console makes (the console's pages are driven in tests/browser/test_live_handoff.py)."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import requests

from shop.db.console_accounts import create_account, start_session
from shop.db.engine import make_engine, session_scope
from shop.db.handoff_desk import active_ticket, add_agent_message, claim_ticket, close_ticket, ticket_messages
from shop.domain.clock import utc_now
from shop.identity import issue_customer_token
from shop.seed.fixtures import MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID
from tests.support.desk import sign_out_every_agent
from tests.support.stack import TEST_TOKEN_SECRET

TICKET_NO = re.compile(r"RG\d{14}")
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


def text_of(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_rest_shopper_waits_talks_to_an_agent_and_gets_the_assistant_back(live_stack):
    talk = f"t-{uuid.uuid4().hex}"
    token = {"customer_token": issue_customer_token(MAIN_CUSTOMER_ID, 3600, secret=TEST_TOKEN_SECRET)}
    poll_url = live_stack.rasa_url + "/webhooks/rest/agent_messages"

    def poll(after=0, metadata=token):
        reply = requests.post(poll_url, json={"sender": talk, "after": after, "metadata": metadata}, timeout=30)
        reply.raise_for_status()
        return reply.json()

    assert poll()["status"] == "none"
    sign_out_every_agent(live_stack.database_url)      # whatever earlier tests left signed in
    ticket_no = TICKET_NO.search(text_of(live_stack.say(talk, "转人工", metadata=token))).group(0)
    waiting = text_of(live_stack.say(talk, "人呢？", metadata=token))
    # Nobody is at the desk yet: no wait is promised (wait_minutes null), the way back is named.
    assert ticket_no in waiting and "预计等待" not in waiting and "取消人工" in waiting, waiting
    assert "帮不上" not in waiting, waiting
    state = poll()
    assert state["status"] == "open" and state["queue"]["position"] >= 1 and state["queue"]["wait_minutes"] is None

    engine = make_engine(live_stack.database_url)
    try:
        now = utc_now()
        with session_scope(engine) as session:
            agent = create_account(session, f"agent-{talk[-6:]}", "小王", "agent", FAKE_HASH, now)
            start_session(session, agent.id, uuid.uuid4().hex * 2, "c" * 43, now, timedelta(hours=8))  # at the desk
        assert poll()["queue"]["wait_minutes"] >= 1          # now a wait can be estimated
        with session_scope(engine) as session:
            ticket = active_ticket(session, talk, MAIN_CUSTOMER_ID)
            assert ticket.ticket_no == ticket_no
            assert claim_ticket(session, ticket.id, agent.id, "小王", now)
            add_agent_message(session, ticket.id, agent.id, "您好，我是客服小王", now)
        state = poll()
        assert state["status"] == "assigned"
        assert [(m["from"], m["text"]) for m in state["messages"]][-1] == ("agent", "您好，我是客服小王")
        assert poll(after=state["messages"][-1]["id"])["messages"] == []
        # Nobody else sees it: another customer or a guest with the same sender id.
        other = {"customer_token": issue_customer_token(OTHER_CUSTOMER_ID, 3600, secret=TEST_TOKEN_SECRET)}
        assert poll(metadata=other) == {"status": "none", "ticket_no": None, "messages": []}
        assert poll(metadata={})["status"] == "none"

        # The assistant is silent; the words reach the agent.
        assert live_stack.say(talk, "我的快递到哪了", metadata=token) == []
        with session_scope(engine) as session:
            assert ticket_messages(session, ticket.id)[-1].text == "我的快递到哪了"
            assert close_ticket(session, ticket.id, agent.id, utc_now())
        assert poll()["status"] == "closed"
        assert "您好" in text_of(live_stack.say(talk, "你好", metadata=token))
    finally:
        engine.dispose()
        sign_out_every_agent(live_stack.database_url)     # the agent made here leaves the desk


def test_agent_messages_refuses_bad_requests(live_stack):
    url = live_stack.rasa_url + "/webhooks/rest/agent_messages"
    for body, code in ((b"nope", "invalid_json"), (b'{"sender": "a b"}', "invalid_sender"),
                       (b'{"sender": "ok", "after": -1}', "invalid_after"),
                       (b'{"sender": "ok", "metadata": 5}', "invalid_metadata")):
        reply = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert reply.status_code == 400 and reply.json()["error"] == code, (body, reply.text)
