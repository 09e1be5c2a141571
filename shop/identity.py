"""Who is talking: signed customer tokens.

A shop's web site (or app backend) signs the logged-in customer's id into a short-lived
JWT (HS256) with a secret shared only with the action server (`SHOP_TOKEN_SECRET`). The
chat front end passes it in message metadata as ``customer_token``; actions verify it on
every use. Nothing a shopper types can produce a valid token, so user text can never change
who the shopper is.

For `rasa shell` and local trials there is a development identity, enabled only when
``SHOP_ALLOW_DEV_IDENTITY=1`` and ``SHOP_DEV_CUSTOMER_ID`` are both set, and honoured only
on the command-line channel (see ``resolve_customer_id``).
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any, Mapping, Optional

import jwt

logger = logging.getLogger(__name__)

ALGORITHM = "HS256"
ISSUER = "shop-site"
AUDIENCE = "shop-assistant"
TOKEN_METADATA_KEY = "customer_token"
DEFAULT_TTL_SECONDS = 2 * 60 * 60
# rasa shell's input channel name; the only channel the development identity applies to.
DEV_IDENTITY_CHANNELS = frozenset({"cmdline"})


class IdentityConfigError(RuntimeError):
    """The token secret is missing: fail closed rather than sign or accept anything."""


def token_secret() -> str:
    secret = os.environ.get("SHOP_TOKEN_SECRET", "")
    if len(secret) < 32:
        raise IdentityConfigError(
            "SHOP_TOKEN_SECRET is not set (or shorter than 32 characters; HS256 wants a 256-bit key)"
        )
    return secret


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
        )
        # Expiry is checked here rather than by PyJWT so tests can pass their own clock.
        if int(claims["exp"]) <= (now if now is not None else time.time()):
            raise jwt.ExpiredSignatureError("token expired")
        customer_id = int(claims["sub"])
    except IdentityConfigError:
        raise
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as error:
        logger.info("rejected customer token: %s", error.__class__.__name__)
        return None
    return customer_id if customer_id > 0 else None


def dev_customer_id() -> Optional[int]:
    if os.environ.get("SHOP_ALLOW_DEV_IDENTITY") != "1":
        return None
    raw = os.environ.get("SHOP_DEV_CUSTOMER_ID", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def resolve_customer_id(
    metadata: Optional[Mapping[str, Any]], input_channel: Optional[str]
) -> Optional[int]:
    """The verified customer behind a message, or None for a guest."""
    token = (metadata or {}).get(TOKEN_METADATA_KEY) if isinstance(metadata, Mapping) else None
    if token:
        return verify_customer_token(token)
    if input_channel in DEV_IDENTITY_CHANNELS:
        return dev_customer_id()
    return None
