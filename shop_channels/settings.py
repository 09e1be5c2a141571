"""The Rasa server's settings on the channel side, read and checked once at start-up (Rasa
imports ``shop_channels`` for credentials.yml as the server starts; ``shop_channels/__init__``
loads them there) and passed down: the call timeout to the failure patch, the identity
settings to the channels. A value that cannot be used stops the server with a ``ConfigError``
naming the variable, like ``actions/settings.py``.

ACTION_CALL_TIMEOUT_S   how long a custom action may take before the shopper gets the
                        apology (seconds, above 0, at most 600; default 20).
SESSION_MAX_USER_TURNS  shopper messages after which a conversation goes on in a new Rasa
                        session (``shop_channels.rasa_sessions``; whole number, 0 = never;
                        default 40).
SHOP_TOKEN_SECRET       verifies customer tokens, MACs conversation identities and socket.io
                        session ids (``shop.identity.load_identity_settings``; unset: every
                        shopper is a guest and sessions cannot be resumed, logged).
SENDER_MAX_PENDING_TURNS
                        turns of one conversation queued or running on this server; one
                        more is refused politely (``shop_channels.sender_limits``; 0 = no
                        limit; default 4).
SENDER_MAX_MESSAGES_PER_MINUTE
                        messages of one conversation per clock minute, shared by the servers
                        when the lock store is Redis (0 = no limit; default 120).
SENDER_LIMIT_REDIS_TIMEOUT_S
                        the longest wait for that shared count in Redis before this server
                        counts in its memory instead (seconds, above 0; default 0.5).
RASA_REQUEST_MAX_BYTES  largest request body the Rasa server reads (bytes; default 1 MiB, at
                        least 64 KiB): Sanic's own default, 100 MB, let every connection make
                        the server hold that much before the channel refused it.
CLIENT_MAX_CONNECTIONS  socket.io connections one client address may hold open on this server
                        (``shop_channels.client_limits``; 0 = no limit; default 200).
CLIENT_MAX_MESSAGES_PER_MINUTE
                        messages of one client address per clock minute over every
                        conversation and both channels, on this server (0 = no limit;
                        default 1200).
RASA_MAX_SOCKETS_PER_ADDRESS
                        TCP connections one client address may hold open on this server,
                        requests or not (``shop_channels.open_sockets``; 0 = no cap; default
                        400; not counted behind a trusted proxy).
RASA_MAX_OPEN_SOCKETS   TCP connections open on this server over all addresses (0 = no cap;
                        default three quarters of the descriptor limit, ``ulimit -n``).
RASA_IDLE_CONNECTION_TIMEOUT_S
                        how long a connection may wait for its (next) request before it is
                        closed (Sanic's keep-alive timeout; seconds, default 15; Rasa's 120).
SHOP_DESK_HOURS         the human desk's hours, China time (default 9:00-22:00): what the
                        queue answer says to a shopper waiting outside them.
"""
from __future__ import annotations

import os
import resource
import threading
from dataclasses import dataclass, field
from typing import Mapping, Optional

from shop.identity import IdentityConfigError, IdentitySettings, load_identity_settings
from shop.domain.handoff_queue import DEFAULT_DESK_HOURS, DeskHours
from shop.settings import ConfigError, bounded_int_setting, desk_hours_setting, seconds_setting

DEFAULT_CALL_TIMEOUT_S = 20.0
DEFAULT_SESSION_MAX_USER_TURNS = 40
# One turn running and three typed behind it is more than a person types while waiting; a
# scripted client sending one message at a time may send two a second.
DEFAULT_SENDER_MAX_PENDING_TURNS = 4
DEFAULT_SENDER_MAX_MESSAGES_PER_MINUTE = 120
# Every message waits for the shared count: Redis on the servers' network answers in about a
# millisecond, so half a second means it is down or overloaded.
DEFAULT_SENDER_LIMIT_REDIS_TIMEOUT_S = 0.5
# Chat messages are a few KB (shop_channels.validation); the HTTP API's bodies (a parse, a
# tracker's events) stay far below this too.
DEFAULT_REQUEST_MAX_BYTES = 1024 * 1024
# nginx's per-address limits in the scale-out setup (deploy/nginx.conf.template): 200
# connections, 20 requests a second; sized for carrier NAT.
DEFAULT_CLIENT_MAX_CONNECTIONS = 200
DEFAULT_CLIENT_MAX_MESSAGES_PER_MINUTE = 1200
# Twice the socket.io connections an address may hold: each open widget holds one, and a
# page load or a REST caller briefly holds a few more.
DEFAULT_MAX_SOCKETS_PER_ADDRESS = 400
# The other quarter of the descriptor limit is for what the server opens itself: the model,
# the conversation store, the action server's and Redis's connections, its log.
OPEN_SOCKETS_SHARE_OF_DESCRIPTORS = 0.75
# A browser's keep-alive reuse comes within seconds; an idle connection costs a descriptor.
DEFAULT_IDLE_CONNECTION_TIMEOUT_S = 15.0


def default_max_open_sockets() -> int:
    """``RASA_MAX_OPEN_SOCKETS`` when unset: a share of this process's descriptor limit; 0 (no
    cap) when that limit is unlimited."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 0
    return max(1, int(soft * OPEN_SOCKETS_SHARE_OF_DESCRIPTORS))


@dataclass(frozen=True)
class ChannelSettings:
    action_call_timeout_s: float = DEFAULT_CALL_TIMEOUT_S
    session_max_user_turns: int = DEFAULT_SESSION_MAX_USER_TURNS
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    desk_hours: DeskHours = DEFAULT_DESK_HOURS
    sender_max_pending_turns: int = DEFAULT_SENDER_MAX_PENDING_TURNS
    sender_max_messages_per_minute: int = DEFAULT_SENDER_MAX_MESSAGES_PER_MINUTE
    sender_limit_redis_timeout_s: float = DEFAULT_SENDER_LIMIT_REDIS_TIMEOUT_S
    request_max_bytes: int = DEFAULT_REQUEST_MAX_BYTES
    client_max_connections: int = DEFAULT_CLIENT_MAX_CONNECTIONS
    client_max_messages_per_minute: int = DEFAULT_CLIENT_MAX_MESSAGES_PER_MINUTE
    max_sockets_per_address: int = DEFAULT_MAX_SOCKETS_PER_ADDRESS
    max_open_sockets: int = field(default_factory=default_max_open_sockets)
    idle_connection_timeout_s: float = DEFAULT_IDLE_CONNECTION_TIMEOUT_S


def load_settings(env: Mapping[str, str] = os.environ) -> ChannelSettings:
    try:
        identity = load_identity_settings(env)
    except IdentityConfigError as error:
        raise ConfigError(str(error)) from None
    return ChannelSettings(action_call_timeout_s=seconds_setting(env, "ACTION_CALL_TIMEOUT_S", DEFAULT_CALL_TIMEOUT_S),
                           session_max_user_turns=bounded_int_setting(
                               env, "SESSION_MAX_USER_TURNS", DEFAULT_SESSION_MAX_USER_TURNS, 0, 100_000),
                           identity=identity, desk_hours=desk_hours_setting(env),
                           sender_max_pending_turns=bounded_int_setting(
                               env, "SENDER_MAX_PENDING_TURNS", DEFAULT_SENDER_MAX_PENDING_TURNS, 0, 1000),
                           sender_max_messages_per_minute=bounded_int_setting(
                               env, "SENDER_MAX_MESSAGES_PER_MINUTE", DEFAULT_SENDER_MAX_MESSAGES_PER_MINUTE,
                               0, 100_000),
                           sender_limit_redis_timeout_s=seconds_setting(
                               env, "SENDER_LIMIT_REDIS_TIMEOUT_S", DEFAULT_SENDER_LIMIT_REDIS_TIMEOUT_S),
                           request_max_bytes=bounded_int_setting(
                               env, "RASA_REQUEST_MAX_BYTES", DEFAULT_REQUEST_MAX_BYTES, 64 * 1024, 2**30),
                           client_max_connections=bounded_int_setting(
                               env, "CLIENT_MAX_CONNECTIONS", DEFAULT_CLIENT_MAX_CONNECTIONS, 0, 10_000_000),
                           client_max_messages_per_minute=bounded_int_setting(
                               env, "CLIENT_MAX_MESSAGES_PER_MINUTE", DEFAULT_CLIENT_MAX_MESSAGES_PER_MINUTE,
                               0, 10_000_000),
                           max_sockets_per_address=bounded_int_setting(
                               env, "RASA_MAX_SOCKETS_PER_ADDRESS", DEFAULT_MAX_SOCKETS_PER_ADDRESS, 0, 10_000_000),
                           max_open_sockets=bounded_int_setting(
                               env, "RASA_MAX_OPEN_SOCKETS", default_max_open_sockets(), 0, 10_000_000),
                           idle_connection_timeout_s=seconds_setting(
                               env, "RASA_IDLE_CONNECTION_TIMEOUT_S", DEFAULT_IDLE_CONNECTION_TIMEOUT_S))


_server: Optional[ChannelSettings] = None
_lock = threading.Lock()


def server_settings() -> ChannelSettings:
    """This Rasa server's settings: loaded on the first call (the package's import, at
    start-up), the same object afterwards."""
    global _server
    with _lock:
        if _server is None:
            _server = load_settings()
        return _server
