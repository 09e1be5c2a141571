"""The satisfaction answer at the hand-off gate (``shop_channels.handoff_gate``): after the desk
closed a ticket, the shopper's typed or clicked answer is kept and thanked for without
reaching Rasa; a request in it is passed on; anything else drops the question and goes to
the assistant; another shopper's message never answers it. And the assistant's own question at
a goodbye (``actions.leave_form``): only after a conversation it saw through, once."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from actions.leave_form import ActionLeaveForm
from shop.db.engine import default_engine, dispose_default_engine, make_engine, session_scope
from shop.db.migrate import upgrade_to_head
from shop.db.handoff import create_handoff_request
from shop.db.handoff_desk import claim_ticket, close_ticket
from shop.db.console_accounts import create_account
from shop.db.models import SatisfactionSurvey
from shop.domain.clock import utc_now
from shop.domain.satisfaction import ASSISTANT_QUESTION, BUTTONS, SKIPPED, THANKS, THANKS_LOW
from shop_channels import handoff_gate
from tests.shop_channels.test_handoff_gate import FAKE_HASH, _reply, _separator
from tests.support.actions import run_action, tracker


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


def _rated_close(engine, sender, customer=None):
    now = utc_now()
    with session_scope(engine) as s:
        agent = create_account(s, f"a-{sender}", f"客服{sender}", "agent", FAKE_HASH, now - timedelta(minutes=1))
        ticket = create_handoff_request(s, sender, customer, "诉求：售后", now - timedelta(minutes=1))
        claim_ticket(s, ticket.id, agent.id, agent.display_name, now)
        close_ticket(s, ticket.id, agent.id, now, resolution="resolved")
    return ticket


def _surveys(engine):
    with session_scope(engine) as s:
        return s.execute(select(SatisfactionSurvey.sender_id, SatisfactionSurvey.status, SatisfactionSurvey.score,
                                SatisfactionSurvey.comment).order_by(SatisfactionSurvey.id)).all()


def test_typed_answers_after_a_close_are_kept_and_thanked(shop_db):
    for sender, text, reply, score in [("g-1", "满意", THANKS, 5), ("g-2", "4星", THANKS, 4),
                                       ("g-3", "差评，等太久了", THANKS_LOW, 1), ("g-4", "不评价", SKIPPED, None)]:
        _rated_close(shop_db, sender)
        answer = _reply(sender, text)
        assert list(answer) == [reply] and answer.request is None, (text, answer)
        assert _reply(sender, text) is None            # answered: the assistant has the next one
    assert [(s, st, sc) for s, st, sc, _ in _surveys(shop_db)] == [
        ("g-1", "rated", 5), ("g-2", "rated", 4), ("g-3", "rated", 1), ("g-4", "skipped", None)]
    assert _surveys(shop_db)[2].comment == "差评，等太久了"


def test_a_request_in_the_answer_is_passed_on_and_anything_else_drops_the_question(shop_db):
    _rated_close(shop_db, "g-req")
    answer = _reply("g-req", "不满意 我要投诉")
    assert list(answer) == [THANKS_LOW] and answer.request == "不满意 我要投诉"
    _rated_close(shop_db, "g-else")
    assert _reply("g-else", "我的快递到哪了") is None   # the assistant answers it
    assert _reply("g-else", "满意") is None             # the question is gone
    assert [(s, st) for s, st, _, _ in _surveys(shop_db)] == [("g-req", "rated"), ("g-else", "skipped")]


def test_another_shopper_on_the_same_client_id_never_answers_it(shop_db):
    _rated_close(shop_db, "web-shared", customer=None)
    signed_in = "web-shared" + _separator() + "7"
    assert _reply("web-shared", "满意", conversation_id=signed_in) is None
    assert _surveys(shop_db)[0].status == "asked"


def test_the_answer_not_kept_lets_the_assistant_answer_and_is_logged(shop_db, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    _rated_close(shop_db, "g-locked")

    def refuse(*args, **kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(handoff_gate, "answer_question", refuse)
    assert _reply("g-locked", "满意") is None
    assert "satisfaction answer not kept" in caplog.text


def _seen_through(sender_text="耳机推荐", intent="recommend_product", extra=()):
    events = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"},
              {"event": "user", "text": sender_text, "parse_data": {"intent": {"name": intent}}},
              {"event": "action", "name": "action_recommend"}, *extra]
    return tracker("再见", "goodbye", events=events)


def test_the_assistant_asks_at_a_goodbye_after_a_conversation_it_saw_through_once(shop_db):
    t = _seen_through()
    messages, _ = run_action(ActionLeaveForm(), t)
    assert messages[0].get("response") == "utter_goodbye"
    assert messages[1]["text"] == ASSISTANT_QUESTION and [b["payload"] for b in messages[1]["buttons"]] == list(BUTTONS)
    again, _ = run_action(ActionLeaveForm(), t)                     # the same conversation: once a day
    assert [m.get("response") for m in again] == ["utter_goodbye"]
    answer = _reply(t.sender_id, "一般")
    assert list(answer) == [THANKS_LOW]          # 3 is not satisfied (4 and 5 are)
    assert _surveys(shop_db)[-1][1:3] == ("rated", 3)


def test_no_question_after_a_hand_off_a_fallback_or_only_small_talk(shop_db):
    for t in [_seen_through(extra=[{"event": "action", "name": "action_handoff"}]),
              _seen_through(extra=[{"event": "action", "name": "action_default_fallback"}]),
              _seen_through("你好", "greet"),
              tracker("再见", "goodbye")]:
        messages, _ = run_action(ActionLeaveForm(), t)
        assert [m.get("response") for m in messages] == ["utter_goodbye"], t.events
    assert _surveys(shop_db) == []


def test_not_asked_in_rasa_shell_where_nothing_would_read_the_answer(shop_db):
    events = _seen_through().events[:-1]
    t = tracker("再见", "goodbye", events=events, channel="cmdline")
    messages, _ = run_action(ActionLeaveForm(), t)
    assert [m.get("response") for m in messages] == ["utter_goodbye"]
    assert _surveys(shop_db) == []


def test_the_assistant_question_is_not_asked_in_the_middle_of_a_look_up(shop_db):
    t = _seen_through()
    t.slots["pending_lookup"] = "phone_suffix"
    messages, _ = run_action(ActionLeaveForm(), t)
    assert [m.get("response") for m in messages] == ["utter_goodbye"]
    assert _surveys(shop_db) == []


def test_the_desk_question_reaches_the_widget_with_buttons(shop_db):
    _rated_close(shop_db, "g-view")
    view = asyncio.run(handoff_gate.agent_messages("g-view", "g-view", 0))
    last = view["messages"][-1]
    assert last["from"] == "system" and [b["payload"] for b in last["buttons"]] == list(BUTTONS)
    assert all("buttons" not in m for m in view["messages"][:-1])
