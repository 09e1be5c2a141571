"""A long conversation rolls over to a new Rasa session (shop_channels/rasa_sessions.py), over
HTTP with both servers: the shopper gets the same answers, the slots come along, the store's
current session is short, and every message stays readable (console transcript, improvement
loop: all sessions)."""
import asyncio
import uuid

import pytest

from shop.identity import conversation_id_for, issue_customer_token
from shop.seed.fixtures import MAIN_CUSTOMER_ID
from tests.support.stack import TEST_TOKEN_SECRET, stack_with_settings

pytestmark = pytest.mark.integration
MAX_TURNS = 3


@pytest.fixture(scope="module")
def short_session_stack(tmp_path_factory):
    yield from stack_with_settings(tmp_path_factory, "rollover-stack", {"SESSION_MAX_USER_TURNS": str(MAX_TURNS)})


def _store(stack):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    from shop.settings import REPO_ROOT

    return SQLTrackerStore(Domain.load(str(REPO_ROOT / "domain.yml")), db=str(stack.workdir / "tracker.db"))


def _variants():
    import yaml

    from shop.settings import REPO_ROOT

    responses = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    return {name: {r.get("text") for r in responses[name]} for name in ("utter_greet", "utter_thank")}


def _user_texts(tracker):
    return [e.text for e in tracker.events if e.type_name == "user"]


def test_a_long_conversation_goes_on_in_a_new_session_with_its_slots(short_session_stack):
    sender = f"rollover-{uuid.uuid4().hex[:10]}"
    me = {"customer_token": issue_customer_token(MAIN_CUSTOMER_ID, secret=TEST_TOKEN_SECRET)}
    said = ["我的快递到哪了", "谢谢", "你好", "你好", "谢谢"]
    replies = [short_session_stack.say(sender, text, metadata=me) for text in said]

    assert all(replies), replies
    # The same message gets the same kind of answer on either side of the roll-over (each
    # response has variants, picked at random).
    variants = _variants()
    for turn, response in ((1, "utter_thank"), (2, "utter_greet"), (3, "utter_greet"), (4, "utter_thank")):
        assert [r.get("text") for r in replies[turn]][0] in variants[response], (turn, replies[turn])

    store = _store(short_session_stack)
    conversation = conversation_id_for(sender, MAIN_CUSTOMER_ID)
    current = asyncio.run(store.retrieve(conversation))
    full = asyncio.run(store.retrieve_full_tracker(conversation))
    assert _user_texts(current) == said[MAX_TURNS:]          # the new session only
    assert _user_texts(full) == said                         # every session kept
    order_no = next(e.value for e in full.events if e.type_name == "slot" and e.key == "order_no" and e.value)
    assert current.get_slot("order_no") == order_no          # carried over
