"""The action server's settings, read and checked once at start-up (like ``shop_site/config.py``).

ACTION_HOST / ACTION_PORT   where it listens (default 127.0.0.1:5055: it serves only Rasa).
ACTION_SERVER_SECRET        shared secret Rasa sends in ``X-Action-Secret`` (≥ 32 characters;
                            the server refuses to start without one).
ACTION_MAX_BODY_BYTES       largest action call accepted (default 8 MiB).
ACTION_DB_THREADS           worker threads for database work (default 8).
ACTION_DB_LOCK_WAIT_S       longest wait for another writer's lock on a write the shopper
                            waits on (default 2 s), then a polite reply.
ACTION_LOG_LEVEL            logging level (default INFO).
GUEST_LOOKUP_MAX_CLIENT_FAILURES
                            failed guest order look-ups one client (its address) may make in an
                            hour over every order number and conversation (default 20; 1 to 100000).
SHOP_FAQ_PATH               policy answers (default content/faq.yml; re-read when it changes).
SHOP_DESK_HOURS             the human desk's hours, China time (default 9:00-22:00): the
                            hand-off replies and the FAQ's {desk_hours} say them.
SHOP_EXPERIMENTS_PATH       experiments (default content/experiments.yml; re-read on change).
RECOMMENDER_MODEL_DIR       recommender artifacts (default models/recommender).
SHOP_TOKEN_SECRET, SHOP_ALLOW_DEV_IDENTITY, SHOP_DEV_CUSTOMER_ID   who is talking
                            (``shop.identity.load_identity_settings``).

A value that cannot be used is a ``ConfigError`` naming the variable, never a bare ``ValueError``
from deep inside the server.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from assistant.faq import DEFAULT_FAQ_PATH
from growth.experiments import DEFAULT_PATH as DEFAULT_EXPERIMENTS_PATH, experiments_path
from shop.identity import IdentityConfigError, IdentitySettings, load_identity_settings
from shop.domain.handoff_queue import DEFAULT_DESK_HOURS, DeskHours
from shop.domain.privacy import GUEST_LOOKUP_MAX_CLIENT_FAILURES
from shop.settings import (REPO_ROOT, ConfigError, bounded_int_setting, desk_hours_setting, recommender_model_dir,
                           seconds_setting)

MIN_SECRET_CHARS = 32
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ActionSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    secret: str = ""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    db_threads: int = 8
    lock_wait_s: float = 2.0
    log_level: str = "INFO"
    faq_path: Path = DEFAULT_FAQ_PATH
    experiments_path: Path = DEFAULT_EXPERIMENTS_PATH
    recommender_dir: Path = REPO_ROOT / "models" / "recommender"
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    desk_hours: DeskHours = DEFAULT_DESK_HOURS
    guest_lookup_max_client_failures: int = GUEST_LOOKUP_MAX_CLIENT_FAILURES


def load_settings(env: Mapping[str, str] = os.environ, require_secret: bool = True) -> ActionSettings:
    """The settings from ``env``; ``require_secret=False`` for in-process use (tests, tools)
    that never serve HTTP."""
    secret = env.get("ACTION_SERVER_SECRET") or ""
    if require_secret and len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"ACTION_SERVER_SECRET must be set (at least {MIN_SECRET_CHARS} characters); "
            "scripts/env.sh generates one into var/action_server_secret"
        )
    try:
        identity = load_identity_settings(env)
    except IdentityConfigError as error:
        raise ConfigError(str(error)) from None
    return ActionSettings(
        host=env.get("ACTION_HOST") or DEFAULT_HOST,
        port=bounded_int_setting(env, "ACTION_PORT", DEFAULT_PORT, 1, 65535),
        secret=secret,
        max_body_bytes=bounded_int_setting(env, "ACTION_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1, 2**31),
        db_threads=bounded_int_setting(env, "ACTION_DB_THREADS", 8, 1, 256),
        lock_wait_s=seconds_setting(env, "ACTION_DB_LOCK_WAIT_S", 2.0),
        log_level=(env.get("ACTION_LOG_LEVEL") or "INFO").strip().upper(),
        faq_path=Path((env.get("SHOP_FAQ_PATH") or "").strip() or DEFAULT_FAQ_PATH),
        experiments_path=experiments_path(env),
        recommender_dir=recommender_model_dir(env),
        identity=identity,
        desk_hours=desk_hours_setting(env),
        guest_lookup_max_client_failures=bounded_int_setting(
            env, "GUEST_LOOKUP_MAX_CLIENT_FAILURES", GUEST_LOOKUP_MAX_CLIENT_FAILURES, 1, 100_000),
    )
