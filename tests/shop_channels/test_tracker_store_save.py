"""The tracker store's save without the count query (rasa_speedups fix 5): turn after turn,
through ``retrieve`` as the Rasa server reads a conversation, on two stores sharing one
database (two Rasa servers of the scale-out setup), the patched store writes and publishes
exactly the rows stock Rasa writes — never an event twice, never one skipped — and counts
the stored events only when its note cannot be trusted. On SQLite and on PostgreSQL."""
import asyncio
import copy
import json
import re

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
import shop_channels  # noqa: F401  (installs the patches, as in the Rasa server)
from shop_channels import rasa_speedups
from tests.support.postgres import scratch_databases

SENDER = "shopper-1"
DOMAIN_YAML = "version: '3.1'\nslots:\n  order_no:\n    type: text\n    mappings: []\n"


class Broker:
    """Records what is published; refuses the first event whose text is ``fail_on``."""

    def __init__(self):
        self.published = []
        self.fail_on = None

    def publish(self, event):
        if self.fail_on is not None and event.get("text") == self.fail_on:
            self.fail_on = None
            raise ConnectionError("broker down")
        self.published.append(event)


def _user(text_, intent, at):
    return UserUttered(text_, {"name": intent, "confidence": 0.9}, timestamp=at)


def _session_start(at):
    return [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at + 0.01),
            ActionExecuted("action_listen", timestamp=at + 0.02)]


# Turns of one conversation: (server, how the tracker is obtained, saves: lists of events
# appended then saved). "retrieve": read as Rasa reads it; "new": created (first turn);
# "copy": a deep copy of the read tracker is saved first, then the read one; "elsewhere":
# built from the session's events (as the HTTP API's replace), not read by the store;
# "fail": the broker refuses the first save, which is then retried. A turn that starts a
# session saves once, as Rasa's turn does (see the last test for a second save).
TURNS = [
    (0, "new", [_session_start(1.0) + [_user("你好", "greet", 1.5), ActionExecuted("utter_greet", timestamp=1.6),
                                       ActionExecuted("action_listen", timestamp=1.7)]]),
    (1, "retrieve", [[_user("查订单", "order_status", 2.0), SlotSet("order_no", "202611201234567890", timestamp=2.1),
                      ActionExecuted("action_order_status", timestamp=2.2),
                      ActionExecuted("action_listen", timestamp=2.3)]]),
    (0, "retrieve", [[_user("到哪了", "where_is_it", 3.0), ActionExecuted("action_track", timestamp=3.1)],
                     [ActionExecuted("action_listen", timestamp=3.2)]]),
    (1, "retrieve", [_session_start(4.0) + [_user("谢谢", "thanks", 4.5), ActionExecuted("utter_welcome", timestamp=4.6),
                                            ActionExecuted("action_listen", timestamp=4.7)]]),
    (0, "copy", [[_user("还有吗", "more", 5.0), ActionExecuted("action_listen", timestamp=5.1)]]),
    (1, "fail", [[_user("退货", "return", 6.0), ActionExecuted("action_return", timestamp=6.1),
                  ActionExecuted("action_listen", timestamp=6.2)]]),
    (0, "elsewhere", [[_user("好的", "affirm", 7.0), ActionExecuted("action_listen", timestamp=7.1)]]),
    (1, "retrieve", [[_user("再见", "goodbye", 8.0), ActionExecuted("utter_goodbye", timestamp=8.1)],
                     [ActionExecuted("action_listen", timestamp=8.2)]]),
]
# Which saves of the patched store ask the database for the count: the copy's and then the
# original's (the copy's save made its note stale), the retry after the failure, the tracker
# built elsewhere. Not the created tracker's: the retrieve right before it read no row (fix 10).
EXPECTED_COUNTS = [False, False, False, False, False, True, True, False, True, True, False, False]


async def _talk(stores, broker, retrieve, save, counted):
    """Run TURNS against ``stores`` (one per server) with the given retrieve and save."""
    domain = stores[0].domain
    for server, how, saves in TURNS:
        store = stores[server]
        tracker = None if how == "new" else await retrieve(store, SENDER)
        if how == "new":
            assert await retrieve(store, SENDER) is None
            tracker = DialogueStateTracker(SENDER, domain.slots)
        elif how == "elsewhere":
            tracker = DialogueStateTracker.from_events(SENDER, list(tracker.events), domain.slots)
        for events in saves:
            for event in events:
                tracker.update(event)
            if how == "copy":
                await _save(store, copy.deepcopy(tracker), save, counted)
            if how == "fail":
                broker.fail_on = events[0].text
                with pytest.raises(ConnectionError):
                    await _save(store, tracker, save, counted)
            await _save(store, tracker, save, counted)


async def _save(store, tracker, save, counted):
    before = store.count_queries
    try:
        await save(store, tracker)
    finally:
        counted.append(store.count_queries > before)


def _spied(store):
    """Count the count queries (the save's ``_event_query(...).count()``; retrieve's reads
    call ``.all()``)."""
    store.count_queries = 0
    stock_query = store._event_query

    def event_query(*args, **kwargs):
        query = stock_query(*args, **kwargs)
        stock_count = query.count

        def count():
            store.count_queries += 1
            return stock_count()

        query.count = count
        return query

    store._event_query = event_query
    return store


def _rows(store):
    with store.session_scope() as session:
        return [(r.id, r.sender_id, r.type_name, r.timestamp, r.intent_name, r.action_name, r.data)
                for r in session.query(store.SQLEvent).order_by(store.SQLEvent.id)]


def _run(store_kwargs, retrieve, save):
    domain = Domain.from_yaml(DOMAIN_YAML)
    broker = Broker()
    stores = [_spied(SQLTrackerStore(domain, event_broker=broker, **store_kwargs)) for _ in range(2)]
    counted = []
    try:
        asyncio.run(_talk(stores, broker, retrieve, save, counted))
        return _rows(stores[0]), broker.published, counted
    finally:
        for store in stores:
            store.engine.dispose()


async def _stock_retrieve(store, sender_id):
    return await rasa_speedups.STOCK_SQL_TRACKER_RETRIEVE(store, sender_id)


async def _patched_retrieve(store, sender_id):
    return await store.retrieve(sender_id)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def databases(request, tmp_path):
    """Store arguments for two empty databases (the stock run's and the patched run's)."""
    if request.param == "sqlite":
        yield [{"db": str(tmp_path / f"{name}.db")} for name in ("stock", "patched")]
        return
    with scratch_databases("tracker_save", 2) as urls:
        yield [{"dialect": "postgresql", "host": url.host, "port": url.port, "username": url.username,
                "password": url.password, "db": url.database} for url in urls]


def test_turns_through_two_servers_store_and_publish_what_stock_rasa_does(databases):
    assert SQLTrackerStore.save is rasa_speedups.save_sql_tracker
    assert SQLTrackerStore.retrieve is rasa_speedups.retrieve_sql_tracker
    stock_rows, stock_published, _ = _run(databases[0], _stock_retrieve, rasa_speedups.STOCK_SQL_TRACKER_SAVE)
    rows, published, counted = _run(databases[1], _patched_retrieve, rasa_speedups.save_sql_tracker)
    assert rows == stock_rows
    assert published == stock_published
    # Every event once, in order (ids ascending), none skipped.
    assert len(rows) == sum(len(events) for _, _, saves in TURNS for events in saves) == 29
    assert len({row[6] for row in rows}) == len(rows)
    assert counted == EXPECTED_COUNTS


def test_a_note_is_used_only_by_the_store_that_read_it(tmp_path):
    """Server B saving a tracker that server A read counts the stored events; after that
    save the tracker carries B's note."""
    domain = Domain.from_yaml(DOMAIN_YAML)
    path = str(tmp_path / "shared.db")
    reader, writer = (_spied(SQLTrackerStore(domain, db=path)) for _ in range(2))

    async def scenario():
        tracker = DialogueStateTracker(SENDER, domain.slots)
        for event in _session_start(1.0):
            tracker.update(event)
        await writer.save(tracker)
        read = await reader.retrieve(SENDER)
        read.update(_user("你好", "greet", 2.0))
        await writer.save(read)
        read.update(ActionExecuted("action_listen", timestamp=2.1))
        await writer.save(read)    # the writer's note from its own save
        return read

    asyncio.run(scenario())
    assert writer.count_queries == 2 and reader.count_queries == 0
    assert [row[2] for row in _rows(writer)] == ["action", "session_started", "action", "user", "action"]


def test_a_new_conversations_first_save_counts_only_where_its_empty_read_can_be_trusted(tmp_path):
    """Fix 10: the save right after a retrieve that read no row of that conversation, in the
    same task, by the same store, takes 0 as stored; anything else counts: a save in another
    task, another conversation, another store, a second save of another tracker object."""
    domain = Domain.from_yaml(DOMAIN_YAML)
    path = str(tmp_path / "shared.db")
    store, other = (_spied(SQLTrackerStore(domain, db=path)) for _ in range(2))

    def fresh(sender):
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(ActionExecuted("action_listen", timestamp=1.0))
        return tracker

    async def read(which, sender):
        assert await which.retrieve(sender) is None

    async def read_then_save(reader, saver, read_sender, saved):
        await read(reader, read_sender)
        await saver.save(saved)

    def counts(run):
        before = store.count_queries + other.count_queries
        asyncio.run(run)
        return store.count_queries + other.count_queries - before

    assert counts(read_then_save(store, store, "a", fresh("a"))) == 0          # Rasa's create_tracker
    asyncio.run(read(store, "b"))
    assert counts(store.save(fresh("b"))) == 1                                 # another task
    assert counts(read_then_save(store, store, "c", fresh("d"))) == 1          # another conversation
    assert counts(read_then_save(store, other, "e", fresh("e"))) == 1          # another store

    async def twice():
        await read(store, "f")
        await store.save(fresh("f"))
        await store.save(fresh("f"))           # a second tracker object: counts, writes nothing twice
    assert counts(twice()) == 1

    async def read_read_save():
        await read(store, "g")
        other_tracker = fresh("g")
        await other.save(other_tracker)        # (a second server, outside the lock: the claim is
        assert await store.retrieve("g") is not None    # dropped by the next read, which finds rows)
        await store.save(fresh("g"))
    assert counts(read_read_save()) == 2       # the other server's save and this one
    kinds = {sender: [row[2] for row in _rows(store) if row[1] == sender] for sender in "abcdefg"}
    assert kinds == {"a": ["action"], "b": ["action"], "c": [], "d": ["action"], "e": ["action"], "f": ["action"],
                     "g": ["action"]}


def test_rows_are_inserted_in_one_statement(tmp_path):
    """The new rows of a save go to the database as one executemany INSERT."""
    from sqlalchemy import event as sa_event

    domain = Domain.from_yaml(DOMAIN_YAML)
    store = SQLTrackerStore(domain, db=str(tmp_path / "one.db"))
    inserts = []

    @sa_event.listens_for(store.engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append((executemany, len(parameters) if executemany else 1))

    tracker = DialogueStateTracker(SENDER, domain.slots)
    for event in _session_start(1.0) + [_user("你好", "greet", 2.0)]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert inserts == [(True, 4)]


def test_a_tracker_saved_twice_after_a_new_session_writes_each_event_once(tmp_path):
    """The one deliberate difference from stock Rasa (rasa_speedups fix 5): stock counts the
    stored events of the latest session by timestamp, so on a second save of a tracker that
    started a session (``action_session_start`` is logged before ``session_started``, as in
    Rasa's processor) it writes again what the first save wrote. The patched save writes
    each event once, and the store reads back the session as stock Rasa does."""
    domain = Domain.from_yaml(DOMAIN_YAML)

    async def save_twice(save, path):
        store = SQLTrackerStore(domain, db=path)
        tracker = DialogueStateTracker(SENDER, domain.slots)
        for event in _session_start(1.0) + [_user("你好", "greet", 1.5)]:
            tracker.update(event)
        await save(store, tracker)
        tracker.update(ActionExecuted("action_listen", timestamp=1.6))
        await save(store, tracker)
        read = await store.retrieve(SENDER)
        store.engine.dispose()
        return tracker, read

    stock_path, patched_path = str(tmp_path / "stock.db"), str(tmp_path / "patched.db")
    tracker, read = asyncio.run(save_twice(SQLTrackerStore.save, patched_path))
    patched_rows = _rows(SQLTrackerStore(domain, db=patched_path))
    assert [row[6] for row in patched_rows] == [json.dumps(event.as_dict()) for event in tracker.events]
    assert list(read.events) == list(tracker.events)[1:]     # from session_started on, as stock reads it
    asyncio.run(save_twice(rasa_speedups.STOCK_SQL_TRACKER_SAVE, stock_path))
    stock_rows = _rows(SQLTrackerStore(domain, db=stock_path))
    assert len(stock_rows) == len(patched_rows) + 1          # stock wrote 你好 again


def test_retrieve_reads_what_rasas_query_reads(databases):
    """The patched retrieve (Rasa's query built once, plain rows) returns the trackers stock
    Rasa returns: several conversations, several sessions, one without any session_started,
    an unknown one; the same SQL text apart from the selected columns."""
    from shop.db.tracker_events import _latest_session_query

    domain = Domain.from_yaml(DOMAIN_YAML)
    store = SQLTrackerStore(domain, **databases[1])
    conversations = {
        "two-sessions": _session_start(1.0) + [_user("你好", "greet", 1.5)] + _session_start(2.0)
        + [_user("查订单", "order_status", 2.5), SlotSet("order_no", "202611201234567890", timestamp=2.6)],
        "one-session": _session_start(3.0) + [_user("退货", "return", 3.5)],
        "no-session": [ActionExecuted("action_listen", timestamp=4.0), _user("在吗", "greet", 4.1)],
    }

    async def scenario():
        for sender, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender, events, domain.slots))
        found = {}
        for sender in list(conversations) + ["unknown"]:
            stock = await rasa_speedups.STOCK_SQL_TRACKER_RETRIEVE(store, sender)
            ours = await store.retrieve(sender)
            found[sender] = (stock, ours)
        return found

    try:
        found = asyncio.run(scenario())
        with store.session_scope() as session:
            rasas_sql = str(store._event_query(session, "x", fetch_events_from_all_sessions=False)
                            .statement.compile(dialect=store.engine.dialect))
    finally:
        store.engine.dispose()
    assert found["unknown"] == (None, None)
    for sender in conversations:
        stock, ours = found[sender]
        assert list(ours.events) == list(stock.events) and ours.current_slot_values() == stock.current_slot_values()
    assert len(found["two-sessions"][1].events) == 4 and len(found["no-session"][1].events) == 2
    ours_sql = str(_latest_session_query(store.SQLEvent.__table__).compile(dialect=store.engine.dialect))

    def after_select(sql):          # bound parameters named alike (PostgreSQL names them)
        return re.sub(r"%\(\w+\)s", "%(p)s", sql.split("FROM", 1)[1])

    assert after_select(ours_sql) == after_select(rasas_sql)
