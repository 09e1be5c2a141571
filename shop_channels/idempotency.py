"""Idempotent REST turns: a client may retry a turn lost in flight without it being processed twice.

A turn can be lost between client and server — a Rasa server dies mid-turn behind the load
balancer (the client gets 502), a connection drops, the client's own timeout fires — and the
client cannot tell whether the server processed it. A client that sends its own
``message_id`` with each message (see docs/channels.md, "Retrying a turn") may send the same
body again: if the conversation already holds a user message with that id, the answer is
the bot messages that followed it, read back from the conversation store, and nothing runs
again (no second order look-up counted against the guest lock, no second after-sales
request). Otherwise the turn is processed as usual.

The check and the processing happen under the conversation's lock (the lock store Rasa uses
for every turn: Redis in the scale-out setup). A retry that reaches another server while
the first attempt is still running therefore waits for it, then finds its result; a turn
whose server died before saving finds nothing and runs once. A dead server's hold on the
lock expires after ``TICKET_LOCK_LIFETIME`` seconds (scripts/run_scaled.sh sets it).

A retry must repeat the message: the same ``message_id`` with other text or other metadata
is refused with 409 and answers nothing. Whose turn it is needs no check here: the channel
keys the conversation by sender *and* verified identity (``shop_channels.identity``), so
another shopper's retry lands in another conversation and never finds this one's replies.
The conversation identity the channel records is therefore left out of the comparison: it
carries the token's expiry, and a client may retry with a freshly issued token.

The tracker read for the check is the one Rasa's turn then works on: ``install()`` lets
``MessageProcessor.get_tracker`` take it (once, in this turn's task, under the same lock)
instead of reading and rebuilding the whole session from the conversation store a second
time — a cost in proportion to the session's length on every turn that carries a
``message_id`` (bench/TURN_COST.md).
"""
from __future__ import annotations

import contextlib
import json
import logging
import re
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Dict, Iterable, Iterator, List, Mapping, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from shop.identity import CLIENT_METADATA_KEY, IDENTITY_METADATA_KEY
from shop_channels.patching import patch_pinned
from shop_channels.validation import InvalidRequest

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})
_stock_get_tracker = MessageProcessor.get_tracker
# The tracker handle_once read, for this turn's get_tracker: a one-element list, emptied when
# taken (a context variable: only the task handling this message sees it).
_prefetched: ContextVar[Optional[List[DialogueStateTracker]]] = ContextVar("shop_prefetched_tracker", default=None)

# Client-chosen ids: printable ASCII without spaces (safe to log), a UUID fits.
MESSAGE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}\Z")
# Left out when comparing a retry with the recorded message: keys Rasa itself adds to a
# recorded user message's metadata, the conversation identity (see the module docstring), and
# the client's tag (a retry may come from another address: a phone between Wi-Fi and 4G).
NOT_COMPARED_METADATA_KEYS = frozenset({"model_id", "assistant_id", IDENTITY_METADATA_KEY, CLIENT_METADATA_KEY})


class MessageIdConflict(InvalidRequest):
    def __init__(self) -> None:
        super().__init__(
            409, "message_id_conflict", "这个 message_id 已用于另一条消息，请为新消息使用新的 message_id。"
        )


def requested_message_id(body: Optional[bytes]) -> Optional[str]:
    """The client's ``message_id`` in a webhook body already accepted by
    ``validation.parse_webhook_body`` (so a JSON object); None when there is none."""
    value = json.loads(body or b"{}").get("message_id")
    if value is None:
        return None
    if not isinstance(value, str) or not MESSAGE_ID_PATTERN.match(value):
        raise InvalidRequest(
            400, "invalid_message_id", "message_id 只能包含字母、数字和 _.:@-，长度 1 到 128。"
        )
    return value


def _as_sent(metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    return {k: v for k, v in (metadata or {}).items() if k not in NOT_COMPARED_METADATA_KEYS}


def earlier_replies(
    events: Iterable[Event], message_id: str, text: str, metadata: Optional[Mapping[str, Any]]
) -> Optional[List[Dict[str, Any]]]:
    """The bot messages that answered the user message ``message_id`` (in the form the
    output channel sends them), or None when the conversation has no such message.

    Raises MessageIdConflict when the recorded message differs from this one."""
    replies: Optional[List[Dict[str, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break  # the next turn began: the answer is complete
            if event.message_id == message_id:
                if event.text != text or _as_sent(event.metadata) != _as_sent(metadata):
                    raise MessageIdConflict()
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            replies.append(event.message())
    return replies


def once_per_message_id(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], request: Any, message_id: Optional[str]
) -> Callable[[UserMessage], Awaitable[Any]]:
    """What the REST handler calls with its message: Rasa's usual ``on_new_message`` when the
    client sent no ``message_id``, else ``handle_once`` with the server's agent."""
    if message_id is None:
        return on_new_message
    agent = getattr(request.app.ctx, "agent", None)
    return lambda message: handle_once(agent, message)


async def handle_once(agent: Any, message: UserMessage) -> None:
    """Does what Rasa's ``Agent.handle_message`` does for ``message`` (the channel's
    ``on_new_message``), unless the conversation already answered this ``message_id``: then
    the earlier answer goes to ``message.output_channel`` again."""
    if agent is None or not agent.is_ready():
        logger.info("Ignoring message as there is no agent to handle it.")
        return
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        replies = earlier_replies(
            tracker.events if tracker else [], message.message_id, message.text, message.metadata
        )
        if replies is None:
            with tracker_for_this_turn(tracker):
                await agent.processor.handle_message(message)
            return
        logger.info(
            "conversation %s already answered message %s: sending the %d earlier replies again",
            message.sender_id, message.message_id, len(replies),
        )
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, reply)


@contextlib.contextmanager
def tracker_for_this_turn(tracker: Optional[DialogueStateTracker]) -> Iterator[None]:
    """While the turn runs, its first ``get_tracker`` for ``tracker.sender_id`` returns
    ``tracker`` (just read from the store under the conversation's lock) instead of reading
    the store again. A conversation not stored yet (None) is created by Rasa as usual."""
    token = _prefetched.set([tracker] if tracker is not None else None)
    try:
        yield
    finally:
        _prefetched.reset(token)


async def get_tracker(self: MessageProcessor, conversation_id: str) -> DialogueStateTracker:
    """``MessageProcessor.get_tracker`` of Rasa 3.6.21, taking the tracker handle_once read."""
    waiting = _prefetched.get()
    if waiting and waiting[0].sender_id == (conversation_id or DEFAULT_SENDER_ID):
        tracker = waiting.pop()
        tracker.model_id = self.model_metadata.model_id
        if tracker.assistant_id is None:
            tracker.assistant_id = self.model_metadata.assistant_id
        return tracker
    return await _stock_get_tracker(self, conversation_id)


def install() -> bool:
    """Patch once; True when the turn reuses the tracker read for its message_id check."""
    return patch_pinned([(MessageProcessor, "get_tracker", get_tracker)], PATCHED_RASA_VERSIONS,
                        "a turn with a message_id reads its tracker twice", logger=logger)
