"""A retried REST turn (same message_id) is answered from the conversation, never run twice
(shop_channels/idempotency.py). Real Rasa lock and tracker stores; the processor is a
stand-in that records a turn the way Rasa's does (user event, bot events, one save)."""
from __future__ import annotations

import asyncio
import json
import types

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from shop_channels import idempotency
from shop_channels.idempotency import (
    MessageIdConflict,
    earlier_replies,
    handle_once,
    requested_message_id,
    tracker_for_this_turn,
)
from shop_channels.validation import InvalidRequest


def body(**fields) -> bytes:
    return json.dumps({"sender": "u1", "message": "你好", **fields}).encode()


def test_message_id_is_optional_and_checked():
    assert requested_message_id(body()) is None
    assert requested_message_id(body(message_id="3f2a-01:retry@app_1.x")) == "3f2a-01:retry@app_1.x"
    for bad in ("", "a b", "x" * 129, 42, ["m1"], {"id": 1}, "订单", "m1\n"):
        with pytest.raises(InvalidRequest) as refused:
            requested_message_id(body(message_id=bad))
        assert (refused.value.status, refused.value.code) == (400, "invalid_message_id")


CONVERSATION = [
    ActionExecuted("action_listen"),
    UserUttered("查一下订单", message_id="m1", metadata={"shop_identity": "v1.7.1.ab", "model_id": "x"}),
    ActionExecuted("action_order_status"),
    BotUttered("为您查到最近一笔订单：", metadata={"utter_action": "x"}),
    BotUttered(None, data={"custom": {"type": "order_timeline", "order": {"order_no": "1"}}}),
    SlotSet("order_no", "1"),
    ActionExecuted("action_listen"),
    UserUttered("谢谢", message_id="m2"),
    BotUttered("不客气"),
    ActionExecuted("action_listen"),
]


def test_earlier_replies_are_the_bot_messages_of_that_turn_only():
    first = earlier_replies(CONVERSATION, "m1", "查一下订单", {"shop_identity": "v1.7.1.ab"})
    assert [m.get("text") for m in first] == ["为您查到最近一笔订单：", None]
    assert first[1]["custom"]["type"] == "order_timeline"
    assert [m["text"] for m in earlier_replies(CONVERSATION, "m2", "谢谢", {})] == ["不客气"]
    assert earlier_replies(CONVERSATION, "m3", "谢谢", {}) is None


def test_a_message_id_reused_for_another_message_is_refused():
    with pytest.raises(MessageIdConflict) as refused:
        earlier_replies(CONVERSATION, "m1", "查一下订单 2026", {"shop_identity": "v1.7.1.ab"})
    assert refused.value.status == 409
    with pytest.raises(MessageIdConflict):
        earlier_replies(CONVERSATION, "m1", "查一下订单", {"shop_identity": "v1.7.1.ab", "locale": "en"})


def test_a_retry_with_a_fresh_token_is_the_same_message():
    # The conversation identity carries the token's expiry; whose conversation it is, is
    # settled by the conversation id (shop_channels.identity), not here.
    replies = earlier_replies(CONVERSATION, "m1", "查一下订单", {"shop_identity": "v1.7.2.ef"})
    assert [m.get("text") for m in replies] == ["为您查到最近一笔订单：", None]


def test_a_retry_from_another_address_is_the_same_message():
    # The channel records the client's tag (shop_channels.identity); a phone that moved from
    # Wi-Fi to 4G between the first try and its retry sends the same message.
    replies = earlier_replies(CONVERSATION, "m1", "查一下订单", {"shop_identity": "v1.7.1.ab", "shop_client": "c" * 32})
    assert [m.get("text") for m in replies] == ["为您查到最近一笔订单：", None]


class CountingProcessor:
    """Records a turn as Rasa does: the user event and the replies, saved once at the end,
    after a pause (so a concurrent retry arrives while the turn is in flight)."""

    def __init__(self, tracker_store):
        self.tracker_store = tracker_store
        self.turns = 0

    async def handle_message(self, message: UserMessage):
        self.turns += 1
        tracker = await self.tracker_store.retrieve(message.sender_id) or DialogueStateTracker(
            message.sender_id, []
        )
        tracker.update(UserUttered(message.text, message_id=message.message_id, metadata=message.metadata))
        await asyncio.sleep(0.2)
        reply = BotUttered(f"第{self.turns}次处理：{message.text}")
        tracker.update(reply)
        await message.output_channel.send_response(message.sender_id, reply.message())
        await self.tracker_store.save(tracker)


class Agent:
    def __init__(self):
        self.lock_store = InMemoryLockStore()
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.processor = CountingProcessor(self.tracker_store)

    def is_ready(self):
        return True


def say(agent, text: str, message_id: str):
    collector = CollectingOutputChannel()
    message = UserMessage(text, collector, "u1", input_channel="rest", message_id=message_id)
    return handle_once(agent, message), collector


def test_a_retry_in_flight_waits_for_the_first_attempt_and_gets_its_answer():
    async def scenario():
        agent = Agent()
        (first, first_out), (retry, retry_out) = say(agent, "你好", "m1"), say(agent, "你好", "m1")
        await asyncio.gather(first, retry)
        later, later_out = say(agent, "你好", "m1")
        await later
        fresh, fresh_out = say(agent, "你好", "m2")
        await fresh
        return agent, first_out, retry_out, later_out, fresh_out

    agent, first_out, retry_out, later_out, fresh_out = asyncio.run(scenario())
    assert agent.processor.turns == 2          # m1 once, m2 once
    assert [m["text"] for m in first_out.messages] == ["第1次处理：你好"]
    assert retry_out.messages == first_out.messages == later_out.messages
    assert [m["text"] for m in fresh_out.messages] == ["第2次处理：你好"]
    tracker = asyncio.run(agent.tracker_store.retrieve("u1"))
    assert [e.message_id for e in tracker.events if isinstance(e, UserUttered)] == ["m1", "m2"]


# --- one read of the conversation per turn -----------------------------------------------

class CountingStore(InMemoryTrackerStore):
    def __init__(self, domain):
        super().__init__(domain)
        self.retrieved = 0

    async def retrieve(self, sender_id):
        self.retrieved += 1
        return await super().retrieve(sender_id)


class RasaLikeProcessor:
    """Gets its tracker through Rasa's own ``MessageProcessor.get_tracker`` (patched by
    shop_channels, as in the Rasa server), records the turn and saves it."""

    def __init__(self, tracker_store):
        self.tracker_store = tracker_store
        self.model_metadata = types.SimpleNamespace(model_id="model-1", assistant_id="shop-assistant-zh")
        self.seen = []

    async def handle_message(self, message: UserMessage):
        tracker = await MessageProcessor.get_tracker(self, message.sender_id)
        self.seen.append((len(tracker.events), tracker.model_id, tracker.assistant_id))
        tracker.update(UserUttered(message.text, message_id=message.message_id))
        reply = BotUttered(f"收到：{message.text}")
        tracker.update(reply)
        await message.output_channel.send_response(message.sender_id, reply.message())
        await self.tracker_store.save(tracker)


def test_a_turn_with_a_message_id_reads_the_conversation_once():
    assert idempotency.install()
    agent = Agent()
    agent.tracker_store = CountingStore(Domain.empty())
    agent.processor = RasaLikeProcessor(agent.tracker_store)

    async def scenario():
        outputs = []
        for text, message_id in (("你好", "m1"), ("查订单", "m2"), ("查订单", "m2"), ("谢谢", "m3")):
            before = agent.tracker_store.retrieved
            task, out = say(agent, text, message_id)
            await task
            outputs.append((agent.tracker_store.retrieved - before, [m["text"] for m in out.messages]))
        return outputs

    outputs = asyncio.run(scenario())
    # A new conversation: nothing to reuse, Rasa creates it (read again, as before).
    assert outputs[0] == (2, ["收到：你好"])
    # Then one read per turn: the check's tracker is the one the turn works on.
    assert outputs[1] == (1, ["收到：查订单"])
    assert outputs[2] == (1, ["收到：查订单"])     # the retry: answered from the store, not run
    assert outputs[3] == (1, ["收到：谢谢"])
    # The processor got the stored conversation, stamped with the model as stock Rasa does.
    assert agent.processor.seen == [(0, "model-1", "shop-assistant-zh"), (2, "model-1", "shop-assistant-zh"),
                                    (4, "model-1", "shop-assistant-zh")]
    tracker = asyncio.run(agent.tracker_store.retrieve("u1"))
    assert [e.message_id for e in tracker.events if isinstance(e, UserUttered)] == ["m1", "m2", "m3"]


def test_the_reused_tracker_is_taken_once_and_only_for_its_conversation():
    store = CountingStore(Domain.empty())
    asyncio.run(store.save(DialogueStateTracker.from_events("u1", [UserUttered("你好")])))
    asyncio.run(store.save(DialogueStateTracker.from_events("u2", [UserUttered("在吗")])))
    processor = RasaLikeProcessor(store)
    read = asyncio.run(store.retrieve("u1"))

    async def scenario():
        with tracker_for_this_turn(read):
            other = await MessageProcessor.get_tracker(processor, "u2")
            first = await MessageProcessor.get_tracker(processor, "u1")
            second = await MessageProcessor.get_tracker(processor, "u1")
        after = await MessageProcessor.get_tracker(processor, "u1")
        return other, first, second, after

    store.retrieved = 0
    other, first, second, after = asyncio.run(scenario())
    assert other.sender_id == "u2" and first is read
    assert second is not read and after is not read   # read from the store again
    assert store.retrieved == 3
    assert [e.text for e in second.events] == [e.text for e in read.events] == ["你好"]
