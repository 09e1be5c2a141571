"""Agent lines pushed to the shopper's web widget over socket.io (live hand-off).

The console (another process) writes an agent's reply to ``handoff_messages``; the Rasa
server does not hear of it. So one task per Rasa server looks for new desk lines (one indexed
query a second, for all conversations together, off the event loop) and sends a
``desk_update`` event to the socket.io room of each conversation that has one. The event
carries nothing: the widget then fetches the lines through ``agent_messages`` with its own
identity, as it always did, so a push can never show one shopper another's lines, and a push
that is lost (a reconnect, a restart) is made good by the widget's slow fallback polling.
Every Rasa instance runs its own task and reaches the sockets connected to it.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from sqlalchemy.exc import SQLAlchemyError

from shop.db.engine import session_scope
from shop.db.handoff_desk import desk_lines_after, last_desk_line_id

logger = logging.getLogger(__name__)

PUSH_EVENT = "desk_update"
INTERVAL_S = 1.0
MAX_BACKOFF_S = 30.0


def room_of(session_id: str) -> str:
    """The room a conversation's connections join (the socket.io session id is the sender id
    tickets keep)."""
    return f"desk:{session_id}"


def _last_id() -> int:
    with session_scope() as session:
        return last_desk_line_id(session)


def _lines_after(after_id: int) -> list:
    with session_scope() as session:
        return desk_lines_after(session, after_id)


class DeskPush:
    def __init__(self, sio: Any, namespace: Optional[str], interval_s: float = INTERVAL_S) -> None:
        self.sio = sio
        self.namespace = namespace
        self.interval_s = interval_s
        self._task: Optional[asyncio.Task] = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="desk-push")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        after: Optional[int] = None
        delay = self.interval_s
        while True:
            try:
                if after is None:
                    after = await asyncio.to_thread(_last_id)   # lines from before start are fetched by polling
                lines = await asyncio.to_thread(_lines_after, after)
                delay = self.interval_s
            except SQLAlchemyError:
                logger.exception("desk push: the shop database is unreadable; retrying in %.0f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
                continue
            for sender in dict.fromkeys(sender for _, sender in lines):
                await self.sio.emit(PUSH_EVENT, {}, room=room_of(sender), namespace=self.namespace)
            if lines:
                after = lines[-1][0]
            await asyncio.sleep(self.interval_s)
