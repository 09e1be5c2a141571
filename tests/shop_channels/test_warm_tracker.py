"""The warm tracker (rasa_speedups fix 7): a conversation's next ``retrieve`` takes the tracker
its last save stored instead of rebuilding the session from the rows, only while nothing else
changed the conversation; what it returns is what stock Rasa's retrieve returns. On SQLite and
on PostgreSQL, with two stores on one database standing for two Rasa servers."""
import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.events import ActiveLoop

import shop_channels  # noqa: F401  (installs the patches, as in the Rasa server)
from shop_channels import rasa_speedups
from tests.support.postgres import scratch_databases

SENDER = "shopper-warm"
DOMAIN_YAML = "version: '3.1'\nslots:\n  order_no:\n    type: text\n    mappings: []\n"


def _turn(n, at):
    return [UserUttered(f"第{n}句", {"name": "order_status", "confidence": 0.9}, timestamp=at),
            SlotSet("order_no", f"20261120123456{n:04d}", timestamp=at + 0.1),
            ActionExecuted("action_order_status", timestamp=at + 0.2),
            ActionExecuted("action_listen", timestamp=at + 0.3)]


def _session_start(at):
    return [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at + 0.01),
            ActionExecuted("action_listen", timestamp=at + 0.02)]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_kwargs(request, tmp_path):
    if request.param == "sqlite":
        yield {"db": str(tmp_path / "warm.db")}
        return
    with scratch_databases("warm_tracker", 1) as urls:
        url = urls[0]
        yield {"dialect": "postgresql", "host": url.host, "port": url.port, "username": url.username,
               "password": url.password, "db": url.database}


@pytest.fixture
def stores(store_kwargs):
    domain = Domain.from_yaml(DOMAIN_YAML)
    made = [SQLTrackerStore(domain, **store_kwargs) for _ in range(2)]
    yield made
    for store in made:
        store.engine.dispose()


@pytest.fixture
def row_reads(monkeypatch):
    """How many times a retrieve read the session's rows."""
    reads = []
    stock = rasa_speedups.latest_session_data

    def spy(*args, **kwargs):
        reads.append(1)
        return stock(*args, **kwargs)

    monkeypatch.setattr(rasa_speedups, "latest_session_data", spy)
    return reads


def _same_as_stock(store, tracker):
    """``tracker`` holds what stock Rasa's retrieve rebuilds from the rows now."""
    stock = asyncio.run(rasa_speedups.STOCK_SQL_TRACKER_RETRIEVE(store, tracker.sender_id))
    assert [e.as_dict() for e in tracker.events] == [e.as_dict() for e in stock.events]
    assert tracker.current_state() == stock.current_state()
    assert tracker.past_states(store.domain) == stock.past_states(store.domain)


def _start(store):
    """A conversation started and read back once (the first read always rebuilds)."""
    tracker = DialogueStateTracker(SENDER, store.domain.slots)
    for event in _session_start(1.0) + _turn(0, 1.5):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(SENDER))


def _talk(store, tracker, n, at):
    for event in _turn(n, at):
        tracker.update(event)
    asyncio.run(store.save(tracker))


def test_the_next_turn_takes_the_saved_tracker_without_reading_rows(stores, row_reads):
    store = stores[0]
    tracker = _start(store)
    reads_after_start = len(row_reads)
    for n in range(1, 6):
        _talk(store, tracker, n, 2.0 + n)
        again = asyncio.run(store.retrieve(SENDER))
        assert again is tracker
        _same_as_stock(store, again)
    assert len(row_reads) == reads_after_start
    assert tracker.get_slot("order_no") == "202611201234560005"


def test_a_write_by_another_server_makes_the_next_read_rebuild(stores, row_reads):
    first, second = stores
    tracker = _start(first)
    _talk(first, tracker, 1, 3.0)
    elsewhere = asyncio.run(second.retrieve(SENDER))     # the other server's turn
    _talk(second, elsewhere, 2, 4.0)
    reads = len(row_reads)
    again = asyncio.run(first.retrieve(SENDER))
    assert again is not tracker and len(row_reads) == reads + 1
    assert again.get_slot("order_no") == "202611201234560002"
    _same_as_stock(first, again)


def test_the_tracker_is_given_to_one_reader_at_a_time(stores):
    store = stores[0]
    tracker = _start(store)
    _talk(store, tracker, 1, 3.0)
    taken = asyncio.run(store.retrieve(SENDER))
    other = asyncio.run(store.retrieve(SENDER))         # e.g. the HTTP API while a turn runs
    assert taken is tracker and other is not tracker
    other.update(UserUttered("别的", {"name": "greet", "confidence": 1.0}, timestamp=9.0))
    assert len(taken.events) == len(other.events) - 1


def test_a_new_session_and_a_failed_save_are_not_kept(stores, row_reads):
    store = stores[0]
    tracker = _start(store)
    for event in _session_start(5.0) + _turn(1, 5.5):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    reads = len(row_reads)
    rebuilt = asyncio.run(store.retrieve(SENDER))
    assert rebuilt is not tracker and len(row_reads) == reads + 1
    assert isinstance(rebuilt.events[0], SessionStarted)      # the latest session only
    _same_as_stock(store, rebuilt)

    def refuse(*args, **kwargs):
        raise ConnectionError("database down")

    _talk(store, rebuilt, 2, 6.0)
    rebuilt.update(ActiveLoop("after_sales_form", timestamp=7.0))
    stock_insert = rasa_speedups.insert_events
    rasa_speedups.insert_events = refuse
    try:
        with pytest.raises(ConnectionError):
            asyncio.run(store.save(rebuilt))
    finally:
        rasa_speedups.insert_events = stock_insert
    after_failure = asyncio.run(store.retrieve(SENDER))
    assert after_failure is not rebuilt and after_failure.active_loop_name is None
    _same_as_stock(store, after_failure)


def test_a_new_model_or_a_deleted_conversation_is_read_from_the_store(stores):
    store = stores[0]
    tracker = _start(store)
    _talk(store, tracker, 1, 3.0)
    store.domain = Domain.from_yaml(DOMAIN_YAML)          # a new model's domain
    assert asyncio.run(store.retrieve(SENDER)) is not tracker

    again = asyncio.run(store.retrieve(SENDER))
    _talk(store, again, 2, 4.0)
    with store.session_scope() as session:
        session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == SENDER).delete()
        session.commit()
    assert asyncio.run(store.retrieve(SENDER)) is None


def test_a_store_keeps_only_the_most_recently_saved_conversations(stores, monkeypatch):
    monkeypatch.setattr(rasa_speedups, "WARM_TRACKERS", 2)
    store = stores[0]
    trackers = {}
    for sender in ("a", "b", "c"):
        tracker = DialogueStateTracker(sender, store.domain.slots)
        for event in _session_start(1.0):
            tracker.update(event)
        asyncio.run(store.save(tracker))
        trackers[sender] = asyncio.run(store.retrieve(sender))
        _talk(store, trackers[sender], 1, 2.0)
    assert asyncio.run(store.retrieve("a")) is not trackers["a"]
    assert asyncio.run(store.retrieve("b")) is trackers["b"]
    assert asyncio.run(store.retrieve("c")) is trackers["c"]
