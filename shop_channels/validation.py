"""Validation of REST webhook requests, kept free of Sanic so it can be tested on its own.

The stock Rasa REST channel accepts a body without ``sender`` (every such caller lands in
one shared conversation called ``default``), lets the caller pick ``input_channel``, and
answers malformed bodies with a 500. Integrators get precise 4xx errors instead.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

from shop.json_limits import json_depth_exceeds, parse_json

MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024
MAX_METADATA_BYTES = 8 * 1024
# Metadata is a flat bag of client facts (a token, a page, a locale); a few levels spare.
MAX_METADATA_DEPTH = 8
# Sender ids are chosen by integrators (a user id, a session id, a UUID); printable ASCII
# without spaces keeps them safe to log and to use as tracker keys. "\Z", not "$": "$" also
# matches before a final newline, which let "victim\n" through as a sender (and likewise a
# message_id, a socket.io session id, an order number: every such pattern ends in "\Z").
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}\Z")
# A decimal digit followed by combining marks (U+0300-036F, U+1AB0-1AFF, U+1DC0-1DFF,
# U+20D0-20FF, U+FE20-FE2F).
_MARKS_ON_DIGITS = re.compile(r"(\d)[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


class InvalidRequest(ValueError):
    """A request the webhook refuses, with the HTTP status and a message for the caller."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def as_json(self) -> Dict[str, Any]:
        return {"error": self.code, "message": self.message, "status": self.status}


@dataclass(frozen=True)
class WebhookRequest:
    sender: str
    text: str
    metadata: Dict[str, Any]

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


def body_too_large() -> InvalidRequest:
    """A body over a limit: this module's, or the server's own (``RASA_REQUEST_MAX_BYTES``)."""
    return InvalidRequest(413, "body_too_large", "请求内容过大。")


def no_such_route() -> InvalidRequest:
    """A path the server does not serve (Sanic's own answer is an HTML page)."""
    return InvalidRequest(404, "not_found", "没有这个接口。消息请 POST 到 /webhooks/rest/webhook。")


def wrong_method(allowed: str) -> InvalidRequest:
    """A route called with a method it does not take, e.g. ``GET /webhooks/rest/webhook``."""
    return InvalidRequest(405, "method_not_allowed", f"这个接口只接受 {allowed} 请求。")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value):
        raise ValueError(f"{number} is out of range")
    return value


def strict_json_loads(raw: Any) -> Any:
    """JSON as RFC 8259 has it: Python's ``json.loads`` also takes ``NaN``, ``Infinity`` and
    numbers too large for a float (``1e999``, read as infinity); kept in a message's metadata
    they were recorded as ``NaN`` / ``Infinity`` in the conversation store and the events
    Rasa publishes, which no strict JSON reader (a browser, a BI tool, PostgreSQL's ``json``)
    can parse. Raises ``ValueError`` for them."""
    return parse_json(raw, parse_constant=_no_constant, parse_float=_finite)


def _has_non_finite_number(value: Any) -> bool:
    """A NaN or infinity anywhere in an already-decoded value (socket.io's packets are read by
    python-socketio's own ``json``, which takes them). Depth is bounded by the caller."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite_number(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_non_finite_number(v) for v in value)
    return False


def json_object(body: Optional[bytes], max_bytes: int = MAX_BODY_BYTES) -> dict:
    """A request body that must be one JSON object of at most ``max_bytes``, or the clean 4xx."""
    if body is not None and len(body) > max_bytes:
        raise body_too_large()
    try:
        payload = strict_json_loads(body or b"")
    except ValueError:              # not JSON, not UTF-8, or nested too deep
        raise InvalidRequest(400, "invalid_json", "请求体必须是 JSON 对象。") from None
    if not isinstance(payload, dict):
        raise InvalidRequest(400, "invalid_json", "请求体必须是 JSON 对象。")
    return payload


def parse_webhook_body(body: Optional[bytes]) -> WebhookRequest:
    payload = json_object(body)

    sender = payload.get("sender")
    if sender is None or sender == "":
        raise InvalidRequest(400, "missing_sender", "缺少 sender（会话发送方标识）。")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        raise InvalidRequest(
            400,
            "invalid_sender",
            "sender 只能包含字母、数字和 _.:@-，长度 1 到 128。",
        )

    text = clean_message_text(payload.get("message"))
    metadata = clean_metadata(payload.get("metadata"))
    return WebhookRequest(sender=sender, text=text, metadata=metadata)


def clean_message_text(text: Any) -> str:
    """The chat text of a message, or InvalidRequest; shared by the REST and socket.io channels."""
    if not isinstance(text, str):
        raise InvalidRequest(400, "invalid_message", "message 必须是字符串。")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidRequest(
            413, "message_too_long", f"消息太长了，请控制在 {MAX_MESSAGE_CHARS} 字以内。"
        )
    # Control characters (other than ordinary whitespace) have no place in chat text; that
    # also drops zero-width and direction marks and lone surrogate halves, so "2026\u200b1206…"
    # is the order number it looks like. Other spaces (the ideographic space a Chinese input
    # method types in full-width mode, a no-break space) are spaces: dropped, they glued
    # "２０２６…１２０５　３９４９" into one 22-digit number, neither the order nor the phone.
    printable = "".join(ch if ch in "\n\t" or ch.isprintable() else " " if ch.isspace() else ""
                        for ch in text)
    # Likewise accents stacked on digits ("2\u03010\u0301…" shows as a number).
    return _MARKS_ON_DIGITS.sub(r"\1", printable)


def clean_metadata(metadata: Any) -> Dict[str, Any]:
    """Message metadata (a JSON object, possibly sent as a JSON string), or InvalidRequest."""
    if metadata is None or metadata == "":
        return {}
    if isinstance(metadata, str):
        try:
            metadata = strict_json_loads(metadata)
        except ValueError:
            raise InvalidRequest(400, "invalid_metadata", "metadata 必须是 JSON 对象。") from None
    if not isinstance(metadata, dict):
        raise InvalidRequest(400, "invalid_metadata", "metadata 必须是 JSON 对象。")
    if json_depth_exceeds(metadata, MAX_METADATA_DEPTH):
        raise InvalidRequest(400, "invalid_metadata", f"metadata 嵌套不能超过 {MAX_METADATA_DEPTH} 层。")
    if _has_non_finite_number(metadata):
        raise InvalidRequest(400, "invalid_metadata", "metadata 必须是标准 JSON：不能含 NaN 或 Infinity。")
    if len(json.dumps(metadata, ensure_ascii=False)) > MAX_METADATA_BYTES:
        raise InvalidRequest(413, "metadata_too_large", "metadata 过大。")
    return metadata
