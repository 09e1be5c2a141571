"""The desk pusher: a new agent line becomes one content-free ``desk_update`` to the room of
its conversation; a database that cannot be read is retried, never fatal."""
from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError

from shop_channels import desk_push
from shop_channels.desk_push import DeskPush, room_of


class FakeSio:
    def __init__(self) -> None:
        self.emitted = []

    async def emit(self, event, data, room=None, namespace=None):
        self.emitted.append((event, data, room, namespace))


def test_new_lines_are_announced_once_per_conversation_to_its_room_only(monkeypatch):
    batches = [[(11, "web-a"), (12, "web-b"), (13, "web-a")], [], [(14, "web-b")]]
    asked = []

    def lines_after(after):
        asked.append(after)
        return batches.pop(0) if batches else []

    failures = [OperationalError("select", {}, Exception("database is locked"))]

    def last_id():
        if failures:
            raise failures.pop()
        return 10

    monkeypatch.setattr(desk_push, "_last_id", last_id)
    monkeypatch.setattr(desk_push, "_lines_after", lines_after)
    sio = FakeSio()

    async def run():
        push = DeskPush(sio, "/", interval_s=0.01)
        push.start()
        while len(asked) < 4:
            await asyncio.sleep(0.01)
        await push.stop()

    asyncio.run(run())
    assert sio.emitted[:3] == [("desk_update", {}, room_of("web-a"), "/"), ("desk_update", {}, room_of("web-b"), "/"),
                               ("desk_update", {}, room_of("web-b"), "/")]
    # It starts after the newest line at start-up, then after the last line it announced.
    assert asked[:4] == [10, 13, 13, 14]
