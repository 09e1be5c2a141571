"""A turn the conversation store cannot read or write is refused, not answered from nothing.

Rasa wraps the configured tracker store in ``FailSafeTrackerStore``. When the store fails
(the SQLite file locked past its busy timeout or read-only, PostgreSQL down), stock Rasa
3.6 logs the error and carries on:

- a failed ``retrieve`` returns None, so the turn runs on a brand-new conversation: a guest
  who was asked for the last four phone digits types them and hears "好的，收到～" (the
  question forgotten), a form in progress is lost, and a retried ``message_id`` is not
  recognised (``shop_channels.idempotency`` reads the store to find earlier answers), so
  the same message is handled twice;
- a failed ``save`` keeps the turn in an in-memory store that nothing ever reads again:
  the reply goes out but the conversation silently forgets it.

``install()`` makes those three methods fail closed on the pinned Rasa: the error is logged
and ``ConversationStoreUnavailable`` raised, so the turn stops before the assistant answers
from a conversation it does not have. The channels turn that into their polite failure
reply (REST: ``503 conversation_store_unavailable`` with ``STORE_FAILURE_REPLY``; socket.io:
the same text as a bot message); the shopper's next message, once the store is back, carries on from the last
turn that was stored.
"""
from __future__ import annotations

import logging
from typing import Optional

from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})


# What the shopper hears. The turn's actions may already have run (an after-sales request
# filed, an order cancelled or its address changed in the shop database before the store
# refused the turn), so it never claims nothing happened: it points at where to check instead.
# Sending the same confirmation again is safe too: the conversation is still at its question,
# and the actions check before they write (tests/integration/test_store_fails_after_filing.py).
STORE_FAILURE_REPLY = ("抱歉，系统暂时开了个小差，这条消息没能记下，请稍后再试。"
                       "如果刚才在提交售后申请、取消订单或修改地址，可能已经办好了："
                       "请稍后说“售后进度”或“查订单”查看，不必重新填写。")


class ConversationStoreUnavailable(RasaException):
    """The conversation store could not be read or written for this turn."""


def store_failure_in(error: BaseException) -> bool:
    """Whether ``error`` is, or was raised from, a failure of a store the turn needs (Rasa may
    wrap it): the conversation store, or the lock store that orders a conversation's turns —
    Redis in the scale-out setup, down or not answering (Rasa's ``LockError`` when a turn
    cannot take its lock; the Redis client's own errors when renewing or releasing it). Those
    are faults of a service, answered 503 with ``STORE_FAILURE_REPLY`` (the turn may have run
    before the lock's release failed), not 500s with a stack trace per message."""
    import redis
    from rasa.core.lock_store import LockError

    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, (ConversationStoreUnavailable, LockError, redis.ConnectionError, redis.TimeoutError)):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _refused(store: FailSafeTrackerStore, what: str, sender_id: str, error: Exception) -> ConversationStoreUnavailable:
    logger.error("conversation store %s failed to %s conversation %s: %s: %s",
                 store._tracker_store.__class__.__name__, what, sender_id, error.__class__.__name__, error)
    return ConversationStoreUnavailable(f"conversation store failed to {what} {sender_id}")


async def retrieve(self: FailSafeTrackerStore, sender_id: str) -> Optional[DialogueStateTracker]:
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception as error:  # noqa: BLE001 - any store failure stops the turn
        raise _refused(self, "read", sender_id, error) from error


async def retrieve_full_tracker(self: FailSafeTrackerStore, sender_id: str) -> Optional[DialogueStateTracker]:
    try:
        return await self._tracker_store.retrieve_full_tracker(sender_id)
    except Exception as error:  # noqa: BLE001
        raise _refused(self, "read", sender_id, error) from error


async def save(self: FailSafeTrackerStore, tracker: DialogueStateTracker) -> None:
    try:
        await self._tracker_store.save(tracker)
    except Exception as error:  # noqa: BLE001
        raise _refused(self, "write", tracker.sender_id, error) from error


def install() -> bool:
    """Patch once; True when the patches are in place."""
    return patch_pinned(
        [(FailSafeTrackerStore, "retrieve", retrieve),
         (FailSafeTrackerStore, "retrieve_full_tracker", retrieve_full_tracker),
         (FailSafeTrackerStore, "save", save)],
        PATCHED_RASA_VERSIONS,
        "a failing conversation store falls back to memory (stock)",
        logger=logger,
    )


__all__ = ["ConversationStoreUnavailable", "STORE_FAILURE_REPLY", "install", "store_failure_in"]
