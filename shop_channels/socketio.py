"""The socket.io channel the web widget uses.

Rasa's SocketIOInput, with two changes:
- custom payloads (product cards, order timelines) are emitted as ``{"custom": {...}}``,
  the same shape the REST channel returns; the stock output passes them to ``emit(**json)``,
  which only works for dicts shaped like emit's keyword arguments;
- incoming messages are validated like REST ones (type, length, metadata, "/" commands),
  so a malformed event gets a polite reply instead of an exception in the server log and
  silence;
- sessions are bound to their connection: the server issues session ids (a client may
  resume one it was given, never pick its own: ``shop_channels.identity``), remembers which
  one each connection holds, and sends replies to that connection only, never to a room
  another client could join. The conversation is keyed by session *and* verified identity,
  and the customer token is replaced by a conversation identity before Rasa records it;
- while a human agent has the conversation, messages go to the agent, not to Rasa
  (``shop_channels.handoff_gate``); the widget fetches the agent's lines over REST;
- a conversation that sends too much is answered with a polite line before anything runs
  (``shop_channels.sender_limits``, shared with the REST channel), and so is a client
  address that sends too much over all its conversations; an address holding too many
  connections is refused at the handshake (``shop_channels.client_limits``);
- a turn that fails (say the conversation store is down) is answered with the REST
  channel's apology, never with silence.

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
import types
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import exceptions as socketio_exceptions

from shop_channels.commands import COMMAND_REPLY, refused_command
from shop_channels.client_limits import log_address_refusal, server_client_limits
from shop_channels.desk_push import DeskPush, room_of
from shop_channels.handoff_gate import event_broker_of, held_reply
from shop_channels.identity import (bind_conversation, client_address, issue_session_id, is_issued_session_id,
                                   untrusted_forwarding)
from shop_channels.rest import BLANK_MESSAGE_REPLY, FAILURE_REPLY
from shop_channels.tracker_store_failures import STORE_FAILURE_REPLY, store_failure_in
from shop_channels.sender_limits import lock_store_redis, log_refusal, server_sender_limits
from shop_channels.settings import server_settings
from shop_channels.validation import InvalidRequest, clean_message_text, clean_metadata

from sanic.server.websockets import impl as _sanic_websockets

logger = logging.getLogger(__name__)

TOO_MANY_CONNECTIONS = "当前网络打开的聊天窗口太多啦，请关闭一些窗口后再试，谢谢～"
# WebSocket close code (4000-4999: the application's own) of a refused engine.io handshake;
# the widget (web/assets/js/socket.js) shows the close reason, this line.
REFUSED_CLOSE_CODE = 4429


async def _refuse_websocket_in_band(environ: Any) -> bool:
    """A refused engine.io handshake over WebSocket is completed and closed at once with
    ``REFUSED_CLOSE_CODE`` and the polite line as the reason: engine.io's refusal is an HTTP
    401, which a browser's WebSocket cannot read (the page saw a socket that failed, as if the
    server were down, and said nothing of why). The session is never opened, nor counted.
    False (nothing done) for a polling handshake: its 401 carries the line in its JSON."""
    request = (environ or {}).get("sanic.request")
    if request is None or str(environ.get("HTTP_UPGRADE", "")).lower() != "websocket":
        return False
    try:
        websocket = await request.transport.get_protocol().websocket_handshake(request)
        await websocket.close(code=REFUSED_CLOSE_CODE, reason=TOO_MANY_CONNECTIONS)
        # Nothing after the close frame: engine.io's 401 written on the upgraded stream made
        # the browser fail the socket ("Invalid frame header", code 1006, no reason).
        request.transport.close()
    except Exception as error:  # noqa: BLE001 - the client went away: refused all the same
        logger.debug("refused engine.io websocket not told in band (%s)", error.__class__.__name__)
    return True


def _wait_with_tasks(awaitables, *args: Any, **kwargs: Any):
    return asyncio.wait([asyncio.ensure_future(a) for a in awaitables], *args, **kwargs)


# Sanic's websocket module gets an asyncio whose wait() wraps coroutines in tasks first;
# nothing else in the process sees the change.
_asyncio_for_sanic = types.ModuleType("asyncio")
_asyncio_for_sanic.__dict__.update(vars(asyncio))
_asyncio_for_sanic.wait = _wait_with_tasks
_sanic_websockets.asyncio = _asyncio_for_sanic


class ShopSocketIOOutput(SocketIOOutput):
    """Sends to one connection (``sid``) when given, whatever recipient Rasa names."""

    def __init__(self, sio: Any, bot_message_evt: str, sid: Optional[str] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.sid = sid

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await self.sio.emit(self.bot_message_evt, response, room=self.sid or socket_id)

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
        identity = server_settings().identity   # read at start-up, passed down
        limits = server_sender_limits()            # shared with the REST channel
        per_address = server_client_limits()       # shared with the REST channel

        namespace = self.namespace

        # An agent's line is announced to the conversation's room (shop_channels.desk_push).
        push = DeskPush(sio, namespace)

        server = {}     # the Sanic app, known once the server runs: its agent's event broker

        @socketio_webhook.listener("after_server_start")
        async def start_desk_push(app: Any, *_: Any) -> None:
            server["app"] = app
            push.start()

        @socketio_webhook.listener("before_server_stop")
        async def stop_desk_push(*_: Any) -> None:
            await push.stop()

        async def bind_session(sid: str, session_id: str) -> None:
            previous = await bound_session(sid)
            if previous and previous != session_id:
                await sio.leave_room(sid, room_of(previous), namespace=namespace)
            await sio.save_session(sid, {"session_id": session_id}, namespace=namespace)
            await sio.enter_room(sid, room_of(session_id), namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def bound_session(sid: str) -> Optional[str]:
            try:
                return (await sio.get_session(sid, namespace=namespace)).get("session_id")
            except KeyError:  # the connection is gone
                return None

        # Registering an event again replaces the stock handler.
        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Any, auth: Any = None) -> bool:
            address = client_address((environ or {}).get("sanic.request"))
            if not per_address.open_connection(sid, address):
                logger.warning("socket.io connection refused: client address %s holds %d connections (sid %s)",
                               address, per_address.open_connections(address), sid)
                raise socketio_exceptions.ConnectionRefusedError("too_many_connections", {"text": TOO_MANY_CONNECTIONS})
            # Its engine.io session is now counted as this connection (below).
            per_address.close_session(sio.manager.eio_sid_from_sid(sid, namespace or "/") or "")
            return True

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str) -> None:
            address = per_address.connection_address(sid)
            per_address.close_connection(sid)
            eio_sid = sio.manager.eio_sid_from_sid(sid, namespace or "/")
            engine = sio.eio.sockets.get(eio_sid) if eio_sid else None
            if engine is not None and not (engine.closing or engine.closed):
                # DISCONNECT with the engine.io session kept: counted again as one without a
                # connection; over the cap, engine.io closes it.
                if not per_address.open_session(eio_sid, address):
                    logger.warning("engine.io session closed: client address %s holds %d sessions without "
                                   "a connection", address, per_address.open_sessions(address))
                    sio.start_background_task(sio.eio.disconnect, eio_sid)

        # engine.io sessions: opened by the polling / websocket handshake before (and without)
        # socket.io's CONNECT, so ``connect`` above never counts them; each is held until the
        # ping timeout. Counted per address from the engine.io handshake (returning False
        # refuses it: HTTP 401) until ``connect`` succeeds, and given back when engine.io drops
        # the session (after socket.io's own disconnect, which may have counted it again).
        stock_eio_connect = sio.eio.handlers["connect"]
        stock_eio_disconnect = sio.eio.handlers["disconnect"]

        async def engineio_connect(eio_sid: str, environ: Any) -> Any:
            address = client_address((environ or {}).get("sanic.request"))
            if not per_address.open_session(eio_sid, address):
                logger.warning("engine.io session refused: client address %s holds %d sessions", address,
                               per_address.open_sessions(address))
                await _refuse_websocket_in_band(environ)
                return {"error": "too_many_connections", "message": TOO_MANY_CONNECTIONS}
            return await stock_eio_connect(eio_sid, environ)

        async def engineio_disconnect(eio_sid: str, reason: Any) -> Any:
            try:
                return await stock_eio_disconnect(eio_sid, reason)
            finally:
                per_address.close_session(eio_sid)

        sio.eio.on("connect", engineio_connect)
        sio.eio.on("disconnect", engineio_disconnect)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            proposed = data.get("session_id")
            if self.session_persistence and is_issued_session_id(proposed, identity):
                session_id = proposed
            else:
                session_id = issue_session_id(identity)
            await bind_session(sid, session_id)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            output = ShopSocketIOOutput(sio, self.bot_message_evt, sid)
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                session_id = await bound_session(sid)
                proposed = data.get("session_id")
                if proposed != session_id:
                    # Another session this client was given, or (say after signing out) one
                    # it made up: the latter starts a new conversation, never joins one.
                    session_id = proposed if is_issued_session_id(proposed, identity) else issue_session_id(identity)
                    await bind_session(sid, session_id)
            else:
                session_id = sid

            try:
                text = clean_message_text(data.get("message"))
                metadata = clean_metadata(data.get(self.metadata_key))
            except InvalidRequest as refused:
                logger.warning("socket.io message refused: %s (sid %s)", refused.code, sid)
                await output.send_text_message(session_id, refused.message)
                return
            if not text.strip():
                await output.send_text_message(session_id, BLANK_MESSAGE_REPLY)
                return
            refusal = refused_command(text)
            if refusal:
                logger.info("refused a '/' command on socket.io (sid %s): %s", sid, refusal)
                await output.send_text_message(session_id, COMMAND_REPLY)
                return
            # The client's address: from the request that opened this socket.io connection.
            environ = sio.get_environ(sid, namespace=namespace) or {}
            opened_by = environ.get("sanic.request")
            address = client_address(opened_by)
            crowd = per_address.message_refusal(address)
            if crowd is not None:   # too many from this address over all its conversations
                log_address_refusal("socket.io", address, crowd)
                await output.send_text_message(session_id, crowd.message)
                return
            conversation_id, metadata = bind_conversation(session_id, metadata, identity, address,
                                                          untrusted_forwarding(opened_by))
            async with limits.admitted(conversation_id, lock_store_redis(server.get("app"))) as flood:
                if flood is not None:   # too many from this conversation: a polite line, nothing runs
                    log_refusal("socket.io", conversation_id, flood, sid)
                    await output.send_text_message(session_id, flood.message)
                    return
                try:
                    held = await held_reply(session_id, conversation_id, text, event_broker_of(server.get("app")))
                    for reply in held or []:  # a human agent has this conversation (shop_channels.handoff_gate)
                        await output.send_text_message(session_id, reply)
                    if held is not None and held.request is None:
                        return
                    await on_new_message(   # (with a request: the shopper gave up waiting and asked it)
                        UserMessage(
                            held.request if held is not None else text, output, conversation_id, input_channel=self.name(), metadata=metadata
                        )
                    )
                except Exception as error:  # noqa: BLE001 - the shopper gets the apology, the log the trace
                    # (the conversation store down: shop_channels.tracker_store_failures; anything
                    # else that stopped the turn). Stock socket.io would leave the widget silent.
                    logger.exception("handling a socket.io message failed (sid %s)", sid)
                    await output.send_text_message(
                        session_id, STORE_FAILURE_REPLY if store_failure_in(error) else FAILURE_REPLY)

        return socketio_webhook
