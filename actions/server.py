"""The action server: ``python -m actions.server``.

rasa_sdk's own ``rasa run actions`` listens on every interface (it reads ``SANIC_HOST``,
not an option), accepts calls from anyone, and answers a malformed call with HTTP 500 and
the request body echoed back. This entry point serves the same executor with:

- the address from ``ACTION_HOST`` / ``ACTION_PORT`` (loopback by default);
- a shared secret: every call except ``GET /health`` must carry it in the
  ``X-Action-Secret`` header (Rasa sends it from ``endpoints.yml``, ``headers:``). Without
  ``ACTION_SERVER_SECRET`` (at least 32 characters) the server refuses to start;
- bounded input: a body over ``ACTION_MAX_BODY_BYTES``, nested deeper than
  ``MAX_JSON_DEPTH``, not JSON or not shaped like an action call gets a 4xx with a fixed
  message; nothing from the request is echoed, in errors or in the log.
"""
from __future__ import annotations

import hmac
import itertools
import logging
import os
import zlib
from typing import Any, Dict, Optional, Tuple

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.settings import DEFAULT_MAX_BODY_BYTES, ConfigError, load_settings
from shop.json_limits import json_depth_exceeds, parse_json

SECRET_HEADER = "X-Action-Secret"
# A long conversation's tracker (every event since the session started) is sent with
# each call; the default 8 MB (actions/settings.py) holds thousands of turns.
# Rasa's own call nests about ten levels (tracker → events → parse data → entities);
# channel metadata is limited to far less than this by shop_channels.validation.
MAX_JSON_DEPTH = 64

logger = logging.getLogger("actions.server")
# Sanic refuses two apps with one name in a process (tests build several).
_app_numbers = itertools.count(1)


class BadCall(ValueError):
    """A call the server refuses; ``code`` is a fixed string, never request content."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def parse_action_call(body: bytes, content_encoding: Optional[str], max_bytes: int) -> Dict[str, Any]:
    """The action call in ``body``, or BadCall."""
    if len(body) > max_bytes:
        raise BadCall(413, "body_too_large")
    if (content_encoding or "").lower() == "deflate":
        inflater = zlib.decompressobj()
        try:
            body = inflater.decompress(body, max_bytes + 1)
        except zlib.error:
            raise BadCall(400, "invalid_body") from None
        if len(body) > max_bytes or inflater.unconsumed_tail:
            raise BadCall(413, "body_too_large")
    try:
        call = parse_json(body)
    except ValueError:              # not JSON, not UTF-8, or nested too deep
        raise BadCall(400, "invalid_json") from None
    if json_depth_exceeds(call, MAX_JSON_DEPTH):
        raise BadCall(400, "too_deeply_nested")
    if not isinstance(call, dict):
        raise BadCall(400, "invalid_action_call")
    if not isinstance(call.get("next_action"), str) or not call["next_action"]:
        raise BadCall(400, "invalid_action_call")
    tracker = call.get("tracker")
    if not isinstance(tracker, dict) or not isinstance(tracker.get("sender_id"), str):
        raise BadCall(400, "invalid_action_call")
    for key, kind in (("slots", dict), ("latest_message", dict), ("events", list), ("active_loop", dict)):
        if tracker.get(key) is not None and not isinstance(tracker[key], kind):
            raise BadCall(400, "invalid_action_call")
    if any(not isinstance(event, dict) for event in tracker.get("events") or []):
        raise BadCall(400, "invalid_action_call")
    if call.get("domain") is not None and not isinstance(call["domain"], dict):
        raise BadCall(400, "invalid_action_call")
    return call


def secret_matches(given: Optional[str], secret: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), secret.encode())


def settings_from_environment(environ=os.environ) -> Tuple[str, int, str, int]:
    """(host, port, secret, max body bytes); ``ConfigError`` (a ValueError) with a message an
    operator can act on."""
    settings = load_settings(environ)
    return settings.host, settings.port, settings.secret, settings.max_body_bytes


def create_app(secret: str, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, package: str = "actions") -> Sanic:
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

    app = Sanic(f"shop_actions_{next(_app_numbers)}", configure_logging=False)
    # Sanic refuses bigger bodies itself (413) before reading them.
    app.config.REQUEST_MAX_SIZE = max_body_bytes
    executor = ActionExecutor()
    executor.register_package(package)

    @app.on_request
    async def require_secret(request: Request) -> Optional[HTTPResponse]:
        if request.path == "/health":
            return None
        if not secret_matches(request.headers.get(SECRET_HEADER), secret):
            logger.warning("refused a call to %s without the shared secret from %s",
                           request.path, request.ip)
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def actions(_: Request) -> HTTPResponse:
        return response.json([{"name": name} for name in executor.actions])

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        try:
            call = parse_action_call(
                request.body or b"", request.headers.get("Content-Encoding"), max_body_bytes
            )
        except BadCall as refused:
            logger.warning("refused a malformed action call: %s", refused.code)
            return response.json({"error": refused.code}, status=refused.status)
        try:
            result = await executor.run(call)
        except ActionNotFoundException:
            logger.warning("call for an unknown action")
            return response.json({"error": "unknown_action"}, status=404)
        except ActionExecutionRejection as rejected:
            # A form validation rejecting the slot it was asked for: Rasa's protocol.
            return response.json(
                {"error": rejected.message, "action_name": rejected.action_name}, status=400
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            # The tracker's inner parts (events, entities) were not what Rasa sends.
            logger.warning("action call %s with a malformed tracker", call["next_action"],
                           exc_info=True)
            return response.json({"error": "invalid_action_call"}, status=400)
        return response.json(result)

    @app.exception(Exception)
    async def unexpected(request: Request, exception: Exception) -> HTTPResponse:
        status = getattr(exception, "status_code", 500)
        if not isinstance(status, int) or not 400 <= status < 600:
            status = 500
        if status >= 500:
            logger.error("action server error on %s", request.path, exc_info=exception)
        return response.json({"error": "not_found" if status == 404 else "error"}, status=status)

    return app


def main() -> None:
    try:
        settings = load_settings()
    except ConfigError as problem:
        raise SystemExit(f"action server: {problem}") from None
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Start-up work, once: the database pool's size and lock wait, and jieba's dictionary for
    # product search (about a second, not in the first shopper's turn).
    from actions import support

    support.configure(settings)
    support.warm_up()
    app = create_app(settings.secret, settings.max_body_bytes)
    logger.info("action server listening on http://%s:%s", settings.host, settings.port)
    app.run(host=settings.host, port=settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
