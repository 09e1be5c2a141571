"""The socket.io channel the web widget uses.

Rasa's SocketIOInput, with two changes:
- custom payloads (product cards, order timelines) are emitted as ``{"custom": {...}}``,
  the same shape the REST channel returns; the stock output passes them to ``emit(**json)``,
  which only works for dicts shaped like emit's keyword arguments;
- incoming messages are validated like REST ones (type, length, metadata), so a malformed
  event gets a polite reply instead of an exception in the server log and silence.

It also works around two incompatibilities of Rasa 3.6's pinned stack with Python 3.11:
- Sanic 21.12's websocket ``recv()`` hands bare coroutines to ``asyncio.wait``, which
  Python 3.11 refuses (sanic-org/sanic#2377, fixed in Sanic 22.3, which Rasa does not allow):
  the socket dropped right after the handshake;
- Rasa's ``session_request`` handler calls ``sio.enter_room`` without ``await`` (a coroutine
  in python-socketio 5.18), so a client never joined its session's room and never got replies.
"""
from __future__ import annotations

import asyncio
import logging
import re
import types
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from shop_channels.validation import InvalidRequest, clean_message_text, clean_metadata

from sanic.server.websockets import impl as _sanic_websockets

logger = logging.getLogger(__name__)


def _wait_with_tasks(awaitables, *args: Any, **kwargs: Any):
    return asyncio.wait([asyncio.ensure_future(a) for a in awaitables], *args, **kwargs)


# Sanic's websocket module gets an asyncio whose wait() wraps coroutines in tasks first;
# nothing else in the process sees the change.
_asyncio_for_sanic = types.ModuleType("asyncio")
_asyncio_for_sanic.__dict__.update(vars(asyncio))
_asyncio_for_sanic.wait = _wait_with_tasks
_sanic_websockets.asyncio = _asyncio_for_sanic

SESSION_ID = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")
BLANK_MESSAGE_REPLY = "您好像还没有输入内容哦，请问有什么可以帮您？"


class ShopSocketIOOutput(SocketIOOutput):
    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class ShopSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return ShopSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio

        # Registering an event again replaces the stock handler.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            output = ShopSocketIOOutput(sio, self.bot_message_evt)
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not isinstance(sender_id, str) or not SESSION_ID.match(sender_id):
                    logger.warning("socket.io message without a valid session_id from %s", sid)
                    return
            else:
                sender_id = sid

            try:
                text = clean_message_text(data.get("message"))
                metadata = clean_metadata(data.get(self.metadata_key))
            except InvalidRequest as refused:
                logger.warning("socket.io message refused: %s (sid %s)", refused.code, sid)
                await output.send_text_message(sender_id, refused.message)
                return
            if not text.strip():
                await output.send_text_message(sender_id, BLANK_MESSAGE_REPLY)
                return
            await on_new_message(
                UserMessage(
                    text, output, sender_id, input_channel=self.name(), metadata=metadata
                )
            )

        return socketio_webhook
