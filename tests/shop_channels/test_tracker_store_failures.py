"""A conversation store that fails stops the turn (shop_channels.tracker_store_failures):
stock Rasa's FailSafeTrackerStore answered a failed read with a brand-new conversation and
kept a failed write in memory that nothing reads, so the assistant answered from a
conversation it did not have and forgot the turn."""
import asyncio
import logging

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from sqlalchemy.exc import OperationalError

import shop_channels  # noqa: F401  (installs the patches, as in the Rasa server)
from shop_channels.tracker_store_failures import ConversationStoreUnavailable

DOMAIN = Domain.from_yaml("version: '3.1'\nslots:\n  order_no:\n    type: text\n    mappings: []\n")


class BrokenStore(InMemoryTrackerStore):
    """Fails reads and/or writes as a locked SQLite file or a stopped PostgreSQL does."""

    def __init__(self, reads: bool, writes: bool):
        super().__init__(DOMAIN)
        self.fail_reads, self.fail_writes = reads, writes

    @staticmethod
    def _error():
        return OperationalError("INSERT INTO events ...", {}, Exception("database is locked"))

    async def retrieve(self, sender_id):
        if self.fail_reads:
            raise self._error()
        return await super().retrieve(sender_id)

    async def retrieve_full_tracker(self, sender_id):
        if self.fail_reads:
            raise self._error()
        return await super().retrieve_full_tracker(sender_id)

    async def save(self, tracker):
        if self.fail_writes:
            raise self._error()
        await super().save(tracker)


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_working_store_is_used_as_before():
    primary = BrokenStore(reads=False, writes=False)
    store = FailSafeTrackerStore(primary)
    tracker = run(store.get_or_create_tracker("shopper-1"))
    tracker.update(SlotSet("order_no", "202401011234567890"))
    run(store.save(tracker))
    assert run(store.retrieve("shopper-1")).get_slot("order_no") == "202401011234567890"
    assert run(store.retrieve_full_tracker("shopper-1")).get_slot("order_no") == "202401011234567890"


def test_a_failed_read_stops_the_turn_instead_of_starting_an_empty_conversation(caplog):
    primary = BrokenStore(reads=False, writes=False)
    store = FailSafeTrackerStore(primary)
    tracker = run(store.get_or_create_tracker("shopper-1"))
    tracker.update(SlotSet("order_no", "202401011234567890"))
    run(store.save(tracker))

    primary.fail_reads = True
    with caplog.at_level(logging.ERROR):
        for read in (store.retrieve, store.retrieve_full_tracker, store.get_or_create_tracker):
            with pytest.raises(ConversationStoreUnavailable):
                run(read("shopper-1"))
    assert "database is locked" in caplog.text and "shopper-1" in caplog.text

    primary.fail_reads = False   # back: the conversation is where it was
    assert run(store.retrieve("shopper-1")).get_slot("order_no") == "202401011234567890"


def test_a_failed_write_stops_the_turn_instead_of_keeping_it_in_memory():
    primary = BrokenStore(reads=False, writes=True)
    store = FailSafeTrackerStore(primary)
    tracker = store.init_tracker("shopper-2")
    tracker.update(SlotSet("order_no", "202401011234567890"))
    with pytest.raises(ConversationStoreUnavailable):
        run(store.save(tracker))
    # Nothing pretends the turn was kept.
    assert run(store.fallback_tracker_store.retrieve("shopper-2")) is None


def test_a_lock_store_that_fails_is_a_store_failure_not_a_bug():
    # The scale-out lock store is Redis: down, a turn cannot take its lock (Rasa's LockError);
    # failing mid-turn, the client's own errors. Both are a service's fault: 503 and the
    # store-failure reply, not a 500 with a stack trace for every message.
    import redis
    from rasa.core.lock_store import LockError

    from shop_channels.tracker_store_failures import store_failure_in

    def raised_from(cause: BaseException) -> BaseException:
        try:
            try:
                raise cause
            except BaseException as error:
                raise RuntimeError("the turn failed") from error
        except RuntimeError as wrapper:
            return wrapper

    for failure in (LockError("Error while acquiring lock"), redis.ConnectionError("refused"),
                    redis.TimeoutError("Timeout reading from socket"), ConversationStoreUnavailable("x")):
        assert store_failure_in(failure) and store_failure_in(raised_from(failure)), failure
    assert not store_failure_in(ValueError("a bug")) and not store_failure_in(raised_from(KeyError("a bug")))
