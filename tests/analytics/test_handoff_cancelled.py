"""A hand-off the shopper cancelled while waiting ("取消人工") is not one an agent took: the
dashboard and its CSV count it apart (``handoff_cancelled``), from the shop database's
tickets, closed by the same function the channel's hand-off gate calls."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from analytics import dashboard, store
from console import passwords
from shop.db.console_accounts import create_account
from shop.db.analytics import cancelled_handoffs
from shop.db.engine import make_engine, session_scope
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import cancel_waiting_ticket, claim_ticket
from shop.db.migrate import upgrade_to_head
from shop.db.models import Customer
from shop.domain.clock import utc_now
from shop.identity import conversation_id_for
from tests.support.analytics import DAY, T0, action, known_events, user


def handed_off(sender, t):
    return [user(sender, t, "转人工", "human_handoff"), action(sender, t + 0.05, "action_handoff"),
            action(sender, t + 0.1, "action_listen")]


@pytest.fixture()
def shop_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def analytics_engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(engine)
    yield engine
    engine.dispose()


def test_a_cancelled_hand_off_is_counted_apart_from_the_ones_agents_took(shop_engine, analytics_engine):
    # known_events: 4 conversations, "handed" handed off (its ticket still waiting). Three more
    # hand-offs: one cancelled; one cancelled, then asked again and taken; one taken.
    events = known_events() + handed_off("gave-up", T0 + 10) + handed_off("retried", T0 + 11) \
        + handed_off("taken", T0 + 12)
    with analytics_engine.begin() as connection:
        for event in events:
            store.ingest(connection, event)
    now = utc_now()
    with session_scope(shop_engine) as session:
        agent = create_account(session, "agent1", "小王", "agent", passwords.hash_password("pw-123456789"), now)
        tickets = {sender: create_handoff_request(session, sender, None, "要人工", now)
                   for sender in ("handed", "gave-up", "retried", "taken")}
        assert cancel_waiting_ticket(session, tickets["gave-up"].id, now)
        assert cancel_waiting_ticket(session, tickets["retried"].id, now)
        again = create_handoff_request(session, "retried", None, "还是要人工", now)
        assert claim_ticket(session, again.id, agent.id, "小王", now)
        assert claim_ticket(session, tickets["taken"].id, agent.id, "小王", now)

    data = dashboard.build(analytics_engine, lambda: session_scope(shop_engine), DAY, DAY)
    assert data["conversations"] == 7
    assert (data["handed_off"], data["handoff_cancelled"], data["contained"]) == (3, 1, 3)
    assert data["handoff_rate"] == round(3 / 7, 4) and data["handoff_cancelled_rate"] == round(1 / 7, 4)
    assert data["per_day"] == [{"day": "2026-12-01", "conversations": 7, "handed_off": 3, "handoff_cancelled": 1}]
    csv_text = dashboard.to_csv(data)
    assert "summary,2026-12-01..2026-12-01,handed_off,3" in csv_text
    assert "summary,2026-12-01..2026-12-01,handoff_cancelled,1" in csv_text
    assert "per_day,2026-12-01,handoff_cancelled,1" in csv_text

    # Without the shop database nothing tells a cancel apart: every hand-off counts.
    alone = dashboard.build(analytics_engine, None, DAY, DAY)
    assert (alone["handed_off"], alone["handoff_cancelled"]) == (4, 0)


def test_a_signed_in_shoppers_cancel_is_matched_to_their_conversation(shop_engine):
    """Rasa keys a signed-in shopper's conversation as sender + "~c" + customer id; the ticket
    keeps the two apart. A guest on the same client sender is another conversation."""
    now = utc_now()
    with session_scope(shop_engine) as session:
        customer = Customer(name="顾客", phone="19900000001", registered_at=now)
        session.add(customer)
        session.flush()
        signed_in = create_handoff_request(session, "web-1", customer.id, "要人工", now)
        create_handoff_request(session, "web-1", None, "要人工", now)          # the guest's: waiting
        assert cancel_waiting_ticket(session, signed_in.id, now)
        conversation = conversation_id_for("web-1", customer.id)
        assert cancelled_handoffs(session, [conversation, "web-1", "no-ticket"]) == {conversation}
