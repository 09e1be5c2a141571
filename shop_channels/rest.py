"""The REST channel integrators call: ``POST /webhooks/rest/webhook``.

Same request and response format as Rasa's RestInput (see README, "REST API"), with:
- clean JSON 4xx errors for non-JSON bodies, missing or malformed ``sender``, oversized
  messages (see ``validation``), never a stack trace; a body over ``RASA_REQUEST_MAX_BYTES``
  (any route of the server) is refused from its ``Content-Length`` before it is read; an
  unknown path or a wrong method (any route) is a JSON ``404 not_found`` /
  ``405 method_not_allowed``, not Sanic's HTML page;
- a polite reply to a blank message without touching the conversation;
- ``input_channel`` fixed to ``rest`` (the stock channel lets callers choose it, and the
  development identity is tied to the command-line channel);
- the conversation keyed by sender *and* verified identity, the customer token verified
  and replaced by a conversation identity before Rasa records anything
  (``shop_channels.identity``); replies name the caller's own ``sender``;
- "/" messages other than the assistant's own button payloads answered politely and kept
  out of the conversation (``shop_channels.commands``);
- a conversation that sends too much (too many turns queued, too many a minute) is answered
  ``429 too_many_messages`` with ``Retry-After`` before anything runs
  (``shop_channels.sender_limits``, shared with the socket.io channel; polls of
  ``agent_messages`` have their own count), and so is a client address that sends too
  much over all its conversations (``shop_channels.client_limits``);
- a conversation or lock store that fails is a service's fault: ``503`` with an apology that
  says the turn may have run (``shop_channels.tracker_store_failures``);
- while a human agent has the conversation, messages go to the agent, not to Rasa
  (``shop_channels.handoff_gate``), and ``POST /webhooks/rest/agent_messages`` returns the
  agent's replies (docs/channels.md).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import MethodNotSupported, NotFound, PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from shop_channels.commands import COMMAND_REPLY, refused_command
from shop_channels.idempotency import once_per_message_id, requested_message_id
from shop_channels.handoff_gate import agent_messages, event_broker_of, held_reply, parse_poll_body
from shop_channels import open_sockets
from shop_channels.client_limits import log_address_refusal, server_client_limits
from shop_channels.identity import bind_conversation, client_address, untrusted_forwarding
from shop_channels.sender_limits import lock_store_redis, log_refusal, server_sender_limits
from shop_channels.settings import server_settings
from shop_channels.tracker_store_failures import STORE_FAILURE_REPLY, store_failure_in
from shop_channels.validation import InvalidRequest, body_too_large, no_such_route, parse_webhook_body, wrong_method

logger = logging.getLogger(__name__)

BLANK_MESSAGE_REPLY = "您好像还没有输入内容哦，请问有什么可以帮您？"
FAILURE_REPLY = "抱歉，系统暂时开了个小差，请稍后再试。"


class ShopRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("shop_rest_webhook", __name__)
        identity = server_settings().identity   # read at start-up, passed down
        limits = server_sender_limits()            # shared with the socket.io channel
        per_address = server_client_limits()       # shared with the socket.io channel
        max_bytes = server_settings().request_max_bytes

        @webhook.listener("before_server_start")
        async def bound_request_bodies(app: Any, *_: Any) -> None:
            # Sanic reads a body up to REQUEST_MAX_SIZE (100 MB by default) before any handler
            # sees it; each connection is read with the limit set here, and a larger
            # Content-Length is refused before its body is read.
            app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, max_bytes)
            app.error_handler.add(PayloadTooLarge, too_large)
            # A wrong path or method (a GET on the webhook, a typo in the path) got Sanic's
            # HTML page; integrators parse the same JSON error shape as every other refusal.
            app.error_handler.add(NotFound, not_found)
            app.error_handler.add(MethodNotSupported, not_allowed)

            # Connections that never send a request: closed after the idle timeout, and at most
            # so many per address and in all (shop_channels.open_sockets).
            open_sockets.bound_idle_connections(app, server_settings().idle_connection_timeout_s)
            open_sockets.install(server_settings().max_sockets_per_address, server_settings().max_open_sockets)
            open_sockets.bound_request_heads()

        async def not_found(request: Request, _: Exception) -> HTTPResponse:
            refused = no_such_route()
            return response.json(refused.as_json(), status=refused.status)

        async def not_allowed(request: Request, error: Exception) -> HTTPResponse:
            allowed = (getattr(error, "headers", None) or {}).get("Allow", "POST")
            refused = wrong_method(allowed)
            return response.json(refused.as_json(), status=refused.status, headers={"Allow": allowed})

        async def too_large(request: Request, _: Exception) -> HTTPResponse:
            logger.warning("request body over %d bytes refused (%s %s from %s)", max_bytes, request.method,
                           request.path, client_address(request))
            refused = body_too_large()
            return response.json(refused.as_json(), status=refused.status)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                incoming = parse_webhook_body(request.body)
                message_id = requested_message_id(request.body)
            except InvalidRequest as refused:
                logger.warning(
                    "rest webhook refused a request: %s (from %s)",
                    refused.code,
                    client_address(request),
                )
                return response.json(refused.as_json(), status=refused.status)

            if incoming.is_blank:
                logger.info("blank message from sender %s", incoming.sender)
                return response.json(
                    [{"recipient_id": incoming.sender, "text": BLANK_MESSAGE_REPLY}]
                )

            refusal = refused_command(incoming.text)
            if refusal:
                logger.info("refused a '/' command from sender %s: %s", incoming.sender, refusal)
                return response.json([{"recipient_id": incoming.sender, "text": COMMAND_REPLY}])

            address = client_address(request)
            crowd = per_address.message_refusal(address)
            if crowd is not None:     # too many from this address over all its conversations
                log_address_refusal("rest", address, crowd)
                return response.json(crowd.as_json(), status=429, headers={"Retry-After": str(crowd.retry_after)})
            conversation_id, metadata = bind_conversation(incoming.sender, incoming.metadata, identity, address,
                                                          untrusted_forwarding(request))
            async with limits.admitted(conversation_id, lock_store_redis(request.app)) as flood:
                if flood is not None:     # too many from this conversation: nothing below runs or writes
                    log_refusal("rest", conversation_id, flood, client_address(request))
                    return response.json(flood.as_json(), status=429,
                                         headers={"Retry-After": str(flood.retry_after)})
                collector = CollectingOutputChannel()
                try:
                    held = await held_reply(incoming.sender, conversation_id, incoming.text,
                                            event_broker_of(request.app))
                    if held is not None and held.request is None:  # a human agent has it: the assistant is silent
                        return response.json([{"recipient_id": incoming.sender, "text": t} for t in held])
                    # the shopper gave up waiting and asked something with it: the cancel's line, then the answer
                    collector.messages.extend({"text": t} for t in held or [])
                    await once_per_message_id(on_new_message, request, message_id)(
                        UserMessage(
                            held.request if held is not None else incoming.text,
                            collector,
                            conversation_id,
                            input_channel=self.name(),
                            metadata=metadata,
                            message_id=message_id,
                        )
                    )
                except InvalidRequest as refused:  # 409: the message_id belongs to another message
                    return response.json(refused.as_json(), status=refused.status)
                except Exception as error:  # noqa: BLE001 - the caller gets a clean error, the log the trace
                    if store_failure_in(error):
                        # A fault of a service, not of the request: 503, retry later (the same
                        # message_id); the store's own log line names the cause.
                        logger.warning("conversation or lock store unavailable for a message from %s: "
                                       "refused with 503 (%s: %s)", incoming.sender, type(error).__name__, error)
                        return response.json({"error": "conversation_store_unavailable",
                                              "message": STORE_FAILURE_REPLY, "status": 503}, status=503)
                    logger.exception("handling a message from %s failed", incoming.sender)
                    return response.json(
                        {"error": "internal_error", "message": FAILURE_REPLY, "status": 500},
                        status=500,
                    )
                return response.json(
                    [dict(message, recipient_id=incoming.sender) for message in collector.messages]
                )

        @webhook.route("/agent_messages", methods=["POST"])
        async def poll_agent_messages(request: Request) -> HTTPResponse:
            try:
                poll = parse_poll_body(request.body)
            except InvalidRequest as refused:
                logger.warning("agent_messages refused a request: %s", refused.code)
                return response.json(refused.as_json(), status=refused.status)
            # Polls spread over made-up senders from one address: a count of their own per
            # address (the widget polls every 2 s while a ticket is open).
            address = client_address(request)
            crowd = per_address.message_refusal(f"{address}~poll")
            if crowd is not None:
                log_address_refusal("agent_messages", address, crowd)
                return response.json(crowd.as_json(), status=429, headers={"Retry-After": str(crowd.retry_after)})
            # The same identity rule as the webhook: the token picks whose tickets are seen.
            conversation_id, _ = bind_conversation(poll["sender"], poll["metadata"], identity)
            # Polls have their own count (the widget polls every 2 s while a ticket is open):
            # a poll flood would otherwise fill the thread pool the hand-off gate reads on. "~"
            # is not allowed in a sender id, so no conversation's own key can be this one.
            async with limits.admitted(f"{conversation_id}~poll", lock_store_redis(request.app)) as flood:
                if flood is not None:
                    log_refusal("agent_messages", conversation_id, flood, client_address(request))
                    return response.json(flood.as_json(), status=429, headers={"Retry-After": str(flood.retry_after)})
                try:
                    return response.json(await agent_messages(poll["sender"], conversation_id, poll["after"]))
                except Exception:  # noqa: BLE001 - the caller gets a clean error, the log the trace
                    logger.exception("agent_messages failed for %s", poll["sender"])
                    return response.json({"error": "internal_error", "message": FAILURE_REPLY, "status": 500},
                                         status=500)

        return webhook
