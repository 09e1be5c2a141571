"""Conversations bound to the shopper who holds them.

A conversation id chosen by a client (REST ``sender``, socket.io ``session_id``) is not
proof of anything: anyone may send it. So the channels key Rasa's conversation by the
sender *and* the verified identity:

- a guest's conversation is the sender id itself;
- a signed-in customer's is ``<sender>~c<customer id>`` (``~`` is not allowed in a sender
  id, so no client can name it directly).

A message whose verified identity differs from the one that started a conversation so lands
in a different, fresh conversation: never the other shopper's slots, forms or tickets, and
the other shopper's conversation is left as it was. A guest conversation is only as private
as its sender id, which is why sender ids must be unguessable (docs/channels.md).

The customer token (a bearer credential) is verified here and removed from the metadata
before Rasa records the message; a conversation identity bound to this conversation id
(``shop.identity.issue_conversation_identity``) goes in its place for the actions.

The client's address is recorded only as a keyed tag (``CLIENT_METADATA_KEY``,
``shop.identity.client_tag``): the guest look-up limit per client (shop/db/orders.py) counts
on it, so a client cannot send its own (it is dropped like a smuggled identity) and gets the
same tag whichever conversation it opens. Behind a proxy the server is not told to trust
(``SANIC_PROXIES_COUNT`` unset), every client has the proxy's address: the tag then also
carries the forwarding headers (``untrusted_forwarding``), so clients behind the proxy are
counted apart, under a bound for the whole address (shop/db/orders.py), and the server logs
once that it should be told to trust the proxy.

socket.io session ids are issued by the server (``issue_session_id``): a random part and a
MAC over it, so a client can only resume a session it was given, never pick a guessable one.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import Any, Dict, Mapping, Optional, Tuple

from shop.identity import (
    CLIENT_METADATA_KEY,
    IDENTITY_METADATA_KEY,
    TOKEN_METADATA_KEY,
    IdentityConfigError,
    client_tag,
    IdentitySettings,
    conversation_id_for,
    customer_token_claims,
    derived_key,
    issue_conversation_identity,
    load_identity_settings,
)

logger = logging.getLogger(__name__)

_SESSION_ID = re.compile(r"^([0-9a-f]{32})\.([0-9a-f]{32})\Z")


# Tags made while no SHOP_TOKEN_SECRET is configured: per process (the limit then counts per
# server, never not at all).
_FALLBACK_CLIENT_KEY = secrets.token_bytes(32)


def bind_conversation(sender: str, metadata: Mapping[str, Any],
                      identity: Optional[IdentitySettings] = None,
                      client: Optional[str] = None, forwarded: Optional[str] = None) -> Tuple[str, Dict[str, Any]]:
    """(Rasa conversation id, metadata to record) for a message from ``sender``.

    ``identity``: the server's settings (``ChannelSettings.identity``); tools and tests that
    pass none get the environment's, read now. ``client``: the address the message came
    from (``client_address``), recorded as its tag, with ``forwarded``
    (``untrusted_forwarding``) when a proxy the server does not trust forwarded it.

    The metadata loses the customer token and anything posing as a conversation identity or
    a client tag; a valid token adds the conversation identity. An invalid, expired or
    unverifiable token makes the message a guest's (the actions never saw it any other way).
    """
    clean = {k: v for k, v in metadata.items()
             if k not in (TOKEN_METADATA_KEY, IDENTITY_METADATA_KEY, CLIENT_METADATA_KEY)}
    if client:
        try:
            key = derived_key("client-address", (identity or load_identity_settings()).secret())
        except IdentityConfigError:
            key = _FALLBACK_CLIENT_KEY
        clean[CLIENT_METADATA_KEY] = client_tag(client, key, forwarded)
    token = metadata.get(TOKEN_METADATA_KEY)
    if not token:
        return sender, clean
    try:
        secret = (identity or load_identity_settings()).secret()
        claims = customer_token_claims(token, secret)
    except IdentityConfigError:
        logger.error("SHOP_TOKEN_SECRET is not configured in the Rasa server; "
                     "every shopper is treated as a guest")
        return sender, clean
    if claims is None:
        return sender, clean
    customer_id, expires = claims
    conversation_id = conversation_id_for(sender, customer_id)
    clean[IDENTITY_METADATA_KEY] = issue_conversation_identity(customer_id, expires, conversation_id, secret)
    return conversation_id, clean


def _session_mac(random_part: str, identity: Optional[IdentitySettings]) -> str:
    key = derived_key("socketio-session", (identity or load_identity_settings()).secret())
    return hmac.new(key, random_part.encode(), hashlib.sha256).hexdigest()[:32]


def issue_session_id(identity: Optional[IdentitySettings] = None) -> str:
    """A new socket.io session id: 128 random bits and a MAC (falls back to random only
    when no secret is configured; such ids are then never accepted back)."""
    random_part = secrets.token_hex(16)
    try:
        return f"{random_part}.{_session_mac(random_part, identity)}"
    except IdentityConfigError:
        logger.error("SHOP_TOKEN_SECRET is not configured in the Rasa server; "
                     "socket.io sessions cannot be resumed")
        return random_part


def is_issued_session_id(value: Optional[Any], identity: Optional[IdentitySettings] = None) -> bool:
    """True for a session id this server (or one sharing its secret) issued."""
    if not isinstance(value, str):
        return False
    match = _SESSION_ID.match(value)
    if not match:
        return False
    try:
        return hmac.compare_digest(match.group(2), _session_mac(match.group(1), identity))
    except IdentityConfigError:
        return False


def client_address(request: Any) -> Optional[str]:
    """The address a Sanic request came from: the forwarded client when the server is told to
    trust its proxy (``SANIC_PROXIES_COUNT`` / ``SANIC_REAL_IP_HEADER``, set by the scale-out
    script behind nginx), else the peer. None when unknown."""
    if request is None:
        return None
    return getattr(request, "remote_addr", None) or getattr(request, "ip", None) or None


# Headers a proxy names the client in; a client can send them too, so they are only trusted
# when the server is told to (Sanic then fills ``request.remote_addr`` from them).
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
_MAX_FORWARDED_CHARS = 512
_warned_untrusted = False


def untrusted_forwarding(request: Any) -> Optional[str]:
    """The forwarding headers of a request that came through a proxy the server is not told
    to trust (``SANIC_PROXIES_COUNT`` unset): what tells its clients apart in the guest
    look-up limit (``bind_conversation``). None when there are none, or when Sanic trusted
    them (the address is then the forwarded client's). Logged once per process: behind such
    a proxy every per-address limit counts all clients as one."""
    global _warned_untrusted
    if request is None or getattr(request, "remote_addr", None):
        return None
    headers = getattr(request, "headers", None) or {}
    named = [(name, headers.get(name)) for name in FORWARDING_HEADERS if headers.get(name)]
    if not named:
        return None
    if not _warned_untrusted:
        _warned_untrusted = True
        logger.warning("requests from %s carry %s, but this server is not told to trust a proxy: every client "
                       "behind it has its address and shares its per-address limits. Behind a reverse proxy, set "
                       "SANIC_PROXIES_COUNT (README, 'Who is talking')", getattr(request, "ip", None),
                       "/".join(name for name, _ in named))
    return ";".join(f"{name}={value}" for name, value in named)[:_MAX_FORWARDED_CHARS]
