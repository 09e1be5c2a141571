"""The typed-conversation suite: every conversation in tests/conversations/*.yml, typed as a
shopper types (no payloads, no buttons tapped), end to end over REST against the live servers
and the seeded database. See tests/support/typed_conversations.py for the file format."""
import pytest

from shop.db.engine import make_engine, session_scope
from shop.identity import issue_customer_token
from tests.support.required import unavailable
from tests.support.stack import TEST_TOKEN_SECRET, latest_model, start_stack
from tests.support.typed_conversations import (
    Facts, card_prices, check_cards, load_conversations, needs_counts, new_sender, reply_text, run_db_checks, snapshot_orders, take_marks,
    undo_writes,
)

pytestmark = pytest.mark.integration

CONVERSATIONS = load_conversations()


@pytest.fixture(scope="module")
def live_stack(tmp_path_factory):
    """A stack of the suite's own, on a freshly seeded database: the other live tests of the
    session file requests, open hand-off tickets and count guest misses on the same fixture
    orders, and a conversation here must meet the seeded shop, not what they left."""
    model = latest_model()
    if model is None:
        unavailable("no trained model in models/: run `make train` (make test does it)")
    stack = start_stack(tmp_path_factory.mktemp("typed-stack"), model)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def shop_session(live_stack):
    engine = make_engine(live_stack.database_url)

    def open_session():
        return session_scope(engine)

    yield open_session
    engine.dispose()


@pytest.fixture(scope="module")
def facts(shop_session):
    return Facts(shop_session)


def test_the_suite_is_typed_and_large_enough():
    assert CONVERSATIONS, "no conversations in tests/conversations/"
    assert all(not turn.say.startswith("/") for c in CONVERSATIONS for turn in c.turns)


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.name for c in CONVERSATIONS])
def test_typed_conversation(conversation, live_stack, shop_session, facts):
    sender = new_sender(conversation)
    metadata = None
    if conversation.customer_id is not None:
        metadata = {"customer_token": issue_customer_token(conversation.customer_id, secret=TEST_TOKEN_SECRET)}
    with shop_session() as session:
        marks, snapshot = take_marks(session, counts=needs_counts(conversation)), snapshot_orders(session)
    transcript = []
    shown_prices: list = []
    try:
        for turn in conversation.turns:
            said = facts.fill(turn.say)
            replies = live_stack.say(sender, said, metadata=metadata)
            reply = reply_text(replies)
            transcript.append(f"> {said}\n{reply}")
            where = "\n\n".join(transcript)
            for wanted in turn.expect:
                options = [facts.fill(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
                assert any(option in reply for option in options), f"missing {options} in reply to {said!r}:\n{where}"
            for unwanted in turn.reject:
                assert facts.fill(unwanted) not in reply, f"{unwanted!r} in reply to {said!r}:\n{where}"
            if turn.cards is not None:
                wrong = check_cards(turn.cards, replies, shown_prices)
                assert wrong is None, f"{wrong} in reply to {said!r}:\n{where}"
            shown_prices = card_prices(replies) or shown_prices
            if turn.shows_order:
                number = facts.order(turn.shows_order)["order_no"]
                assert number in reply, f"order {turn.shows_order} ({number}) not shown for {said!r}:\n{where}"
        with shop_session() as session:
            run_db_checks(conversation, session, facts, marks, sender)
    finally:
        with shop_session() as session:
            undo_writes(session, marks, snapshot)
