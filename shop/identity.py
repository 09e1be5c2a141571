"""Who is talking: signed customer tokens.

A shop's web site (or app backend) signs the logged-in customer's id into a short-lived
JWT (HS256) with a secret shared only with the action server (`SHOP_TOKEN_SECRET`). The
chat front end passes it in message metadata as ``customer_token``; actions verify it on
every use. Nothing a shopper types can produce a valid token, so user text can never change
who the shopper is.

The bearer token itself is never stored: the shop's input channels (``shop_channels``)
verify it, strip it from the metadata before Rasa records the message, and put a
*conversation identity* in its place (``IDENTITY_METADATA_KEY``): the customer id and the
token's expiry, MAC'd with a key derived from the same secret and bound to the conversation
id. It proves nothing anywhere else (not to the shop site, not in another conversation, not
once the original token would have expired).

For `rasa shell` and local trials there is a development identity, enabled only when
``SHOP_ALLOW_DEV_IDENTITY=1`` and ``SHOP_DEV_CUSTOMER_ID`` are both set, and honoured only
on the command-line channel (see ``resolve_customer_id``).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

import jwt

logger = logging.getLogger(__name__)

ALGORITHM = "HS256"
ISSUER = "shop-site"
AUDIENCE = "shop-assistant"
TOKEN_METADATA_KEY = "customer_token"
IDENTITY_METADATA_KEY = "shop_identity"
# The client a message came from, as the channel saw it: a keyed hash of its address
# (``client_tag``), never the address itself, and never what a client sent under this key.
CLIENT_METADATA_KEY = "shop_client"
# Customer ids a token may carry: 18 digits at most, what every database's 64-bit integer
# holds and what a conversation identity (below) records. A larger one, even correctly
# signed, made the channel's first query overflow (HTTP 500) instead of meaning "guest".
MAX_CUSTOMER_ID = 10**18 - 1
_IDENTITY_FORMAT = re.compile(r"^v1\.([1-9][0-9]{0,17})\.([0-9]{1,12})\.([0-9a-f]{64})\Z")
DEFAULT_TTL_SECONDS = 2 * 60 * 60
# rasa shell's input channel name; the only channel the development identity applies to.
DEV_IDENTITY_CHANNELS = frozenset({"cmdline"})


class IdentityConfigError(RuntimeError):
    """The token secret is missing: fail closed rather than sign or accept anything."""


MIN_SECRET_CHARS = 32


@dataclass(frozen=True)
class IdentitySettings:
    """Identity settings of one process, read once at start-up (``load_identity_settings``)
    by the Rasa server's channels, the action server and the shop site, and passed down.

    SHOP_TOKEN_SECRET        HS256 secret (at least 32 characters); empty = not configured
                             (signing and verifying then fail closed).
    SHOP_ALLOW_DEV_IDENTITY  "1" enables the development identity (rasa shell only)...
    SHOP_DEV_CUSTOMER_ID     ...as this customer id (a positive integer).
    """

    token_secret: str = field(default="", repr=False)     # never in a log line
    dev_customer_id: Optional[int] = None

    def secret(self) -> str:
        if len(self.token_secret) < MIN_SECRET_CHARS:
            raise IdentityConfigError(
                "SHOP_TOKEN_SECRET is not set (or shorter than 32 characters; HS256 wants a 256-bit key)"
            )
        return self.token_secret


def load_identity_settings(env: Mapping[str, str] = os.environ) -> IdentitySettings:
    """The one place these variables are read. A secret that is set but too short, or a
    development identity that is enabled with an unusable id, is an ``IdentityConfigError``
    (the process stops at start-up); an unset secret is allowed here and fails closed on use."""
    secret = env.get("SHOP_TOKEN_SECRET") or ""
    if secret and len(secret) < MIN_SECRET_CHARS:
        raise IdentityConfigError("SHOP_TOKEN_SECRET must be at least 32 characters (HS256 wants a 256-bit key)")
    dev_customer_id = None
    if (env.get("SHOP_ALLOW_DEV_IDENTITY") or "").strip() == "1":
        raw = (env.get("SHOP_DEV_CUSTOMER_ID") or "").strip()
        if raw:
            if not raw.isdigit() or int(raw) <= 0:
                raise IdentityConfigError(f"SHOP_DEV_CUSTOMER_ID must be a customer id (a positive integer), got {raw!r}")
            dev_customer_id = int(raw)
    return IdentitySettings(secret, dev_customer_id)


def token_secret() -> str:
    """The environment's secret, for tools and tests that pass none; the servers pass the
    one their settings read at start-up."""
    return load_identity_settings().secret()


def issue_customer_token(
    customer_id: int,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    secret: Optional[str] = None,
    now: Optional[float] = None,
) -> str:
    """Sign a customer id; what the shop site does after its own login."""
    issued_at = int(now if now is not None else time.time())
    claims = {
        "sub": str(int(customer_id)),
        "iat": issued_at,
        "exp": issued_at + int(ttl_seconds),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, secret or token_secret(), algorithm=ALGORITHM)


def verify_customer_token(
    token: Any, secret: Optional[str] = None, now: Optional[float] = None
) -> Optional[int]:
    """The customer id in a valid, unexpired token, else None (and the reason is logged)."""
    claims = customer_token_claims(token, secret, now)
    return claims[0] if claims else None


# How far ahead of this server's clock the signer's (the shop site's) may run: machines kept
# by NTP are within a second; a minute covers a host whose sync lags.
CLOCK_SKEW_S = 60


def customer_token_claims(
    token: Any, secret: Optional[str] = None, now: Optional[float] = None
) -> Optional[Tuple[int, int]]:
    """(customer id, expiry as a Unix time) of a valid, unexpired token, else None."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    options = {"require": ["sub", "exp", "iat", "iss", "aud"], "verify_exp": False}
    try:
        claims = jwt.decode(
            token,
            secret or token_secret(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options=options,
            # PyJWT refuses a token "issued in the future" (iat) with no leeway: a shop site
            # whose clock ran a second ahead of this server's made every signed-in shopper a
            # guest. The expiry below stays exact (fails closed).
            leeway=CLOCK_SKEW_S,
        )
        # Expiry is checked here rather than by PyJWT so tests can pass their own clock.
        if int(claims["exp"]) <= (now if now is not None else time.time()):
            raise jwt.ExpiredSignatureError("token expired")
        customer_id = int(claims["sub"])
        expires = int(claims["exp"])
    except IdentityConfigError:
        raise
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as error:
        logger.info("rejected customer token: %s", error.__class__.__name__)
        return None
    if not 0 < customer_id <= MAX_CUSTOMER_ID:
        logger.info("rejected customer token: customer id out of range")
        return None
    return customer_id, expires


# A signed-in customer's conversation is "<sender>~c<customer id>" ("~" is not allowed in a
# sender id, so no client can name it); a guest's is the sender id itself. See
# shop_channels/identity.py for why.
CUSTOMER_CONVERSATION_SEPARATOR = "~c"


def conversation_id_for(sender: str, customer_id: Optional[int]) -> str:
    return sender if customer_id is None else f"{sender}{CUSTOMER_CONVERSATION_SEPARATOR}{int(customer_id)}"


def sender_of(conversation_id: str) -> str:
    """The sender id the client used for ``conversation_id``."""
    return conversation_id.split(CUSTOMER_CONVERSATION_SEPARATOR, 1)[0]


def customer_of_conversation(conversation_id: str) -> Optional[int]:
    """The verified customer id bound into ``conversation_id`` (None: a guest's, or not a
    well-formed customer suffix)."""
    _, separator, customer = conversation_id.partition(CUSTOMER_CONVERSATION_SEPARATOR)
    return int(customer) if separator and customer.isascii() and customer.isdigit() else None


def derived_key(purpose: str, secret: Optional[str] = None) -> bytes:
    """A key for one ``purpose``, derived from SHOP_TOKEN_SECRET (one secret to manage; a
    value made for one purpose is worthless for another, and none of them is a token)."""
    return hmac.new((secret or token_secret()).encode(), f"shop-assistant/{purpose}".encode(),
                    hashlib.sha256).digest()


def client_tag(address: str, key: bytes, forwarded: Optional[str] = None) -> str:
    """What the conversation store and the guest look-up limit keep of a client's address:
    HMACs under ``key`` (``derived_key("client-address")``), so the same address gives the
    same tag on every server and the stored tag does not give the address back.

    Two halves of 16 hex digits: the address's (``client_tag_address``), and the client's —
    the address and ``forwarded``, the forwarding headers of a proxy the server is not told
    to trust (``shop_channels.identity.untrusted_forwarding``; None without one, the usual
    case, where the address is the client)."""
    def mac(text: str) -> str:
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:16]

    return mac(f"address|{address}") + mac(f"client|{address}|{forwarded or ''}")


def client_tag_address(tag: str) -> str:
    """The address's half of a client tag (every tag of one address starts with it)."""
    return tag[:16]


_CLIENT_TAG = re.compile(r"^[0-9a-f]{32}\Z")


def is_client_tag(value: Any) -> bool:
    return isinstance(value, str) and bool(_CLIENT_TAG.match(value))


def _identity_mac(customer_id: int, expires: int, conversation_id: str, secret: Optional[str]) -> str:
    message = f"v1|{customer_id}|{expires}|{conversation_id}".encode()
    return hmac.new(derived_key("conversation-identity", secret), message, hashlib.sha256).hexdigest()


def issue_conversation_identity(
    customer_id: int, expires: int, conversation_id: str, secret: Optional[str] = None
) -> str:
    """What the channel stores in place of the customer token (see the module docstring)."""
    customer_id, expires = int(customer_id), int(expires)
    return f"v1.{customer_id}.{expires}.{_identity_mac(customer_id, expires, conversation_id, secret)}"


def verify_conversation_identity(
    value: Any, conversation_id: Optional[str], secret: Optional[str] = None,
    now: Optional[float] = None,
) -> Optional[int]:
    """The customer id of a conversation identity made for ``conversation_id``, unexpired;
    else None."""
    if not isinstance(value, str) or not isinstance(conversation_id, str):
        return None
    match = _IDENTITY_FORMAT.match(value)
    if not match:
        logger.info("rejected conversation identity: malformed")
        return None
    customer_id, expires, mac = int(match.group(1)), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(mac, _identity_mac(customer_id, expires, conversation_id, secret)):
        logger.info("rejected conversation identity: not made for this conversation")
        return None
    if expires <= (now if now is not None else time.time()):
        logger.info("rejected conversation identity: expired")
        return None
    return customer_id


def resolve_customer_id(
    metadata: Optional[Mapping[str, Any]], input_channel: Optional[str],
    conversation_id: Optional[str] = None, identity: Optional[IdentitySettings] = None,
) -> Optional[int]:
    """The verified customer behind a message, or None for a guest: the conversation
    identity the shop's channels put in the metadata, or (other channels, tests) a customer
    token. ``identity``: the process's settings (default: read from the environment now)."""
    identity = identity or load_identity_settings()
    metadata = metadata if isinstance(metadata, Mapping) else {}
    if metadata.get(IDENTITY_METADATA_KEY):
        return verify_conversation_identity(metadata[IDENTITY_METADATA_KEY], conversation_id, identity.secret())
    token = metadata.get(TOKEN_METADATA_KEY)
    if token:
        return verify_customer_token(token, identity.secret())
    if input_channel in DEV_IDENTITY_CHANNELS:
        return identity.dev_customer_id
    return None
