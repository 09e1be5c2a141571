"""Settings from the environment, read once at start-up.

WEB_HOST / WEB_PORT   where this site listens (default 0.0.0.0:8000).
RASA_URL              Rasa's base URL *as the browser sees it*. Unset: the page uses the
                      host it was loaded from and RASA_PORT (default 5005), so a page opened
                      as http://192.168.1.20:8000/ talks to http://192.168.1.20:5005.
SHOP_DEMO_LOGIN       the demo sign-in, which hands a token for any seeded customer to
                      whoever asks. Off unless set (fail closed): "1" turns it on only
                      while WEB_HOST is a loopback address (127.0.0.1, ::1, localhost; the
                      site refuses to start otherwise); "public" turns it on whatever the
                      address (a demo on purpose for other machines); "0" or unset: off (a
                      real shop signs tokens behind its own login). `make run` sets "1" and
                      binds the site to 127.0.0.1.
SHOP_DEMO_TOKEN_TTL   lifetime of demo tokens in seconds (default 7200).
SHOP_TOKEN_SECRET     signs demo tokens and verifies the checkout's (``shop.identity``;
                      required while the demo sign-in is on).
SHOP_DESK_HOURS       the human desk's hours the page's 服务时间 card shows (through
                      /api/config; ``shop.settings.desk_hours_setting``, default 9:00-22:00).
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import urlsplit

from shop.identity import IdentityConfigError, IdentitySettings, load_identity_settings
from shop.domain.handoff_queue import DEFAULT_DESK_HOURS, DeskHours
from shop.settings import REPO_ROOT, ConfigError, bounded_int_setting, desk_hours_setting, flag_setting

WEB_ROOT = REPO_ROOT / "web"


@dataclass(frozen=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = 8000
    rasa_url: Optional[str] = None
    rasa_port: int = 5005
    demo_login: bool = False
    token_ttl_seconds: int = 7200
    web_root: Path = WEB_ROOT
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    desk_hours: DeskHours = DEFAULT_DESK_HOURS


def _rasa_url(raw: str) -> Optional[str]:
    raw = raw.strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"RASA_URL must be an http(s) URL, got {raw!r}")
    return raw


_PUBLIC = "public"
_LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the site on this machine (0.0.0.0 and :: do not)."""
    host = host.strip().strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _demo_login(env: Mapping[str, str], host: str) -> bool:
    """SHOP_DEMO_LOGIN read closed: off unless asked for, and "1" only on a loopback address.
    A value it does not know stops the site rather than guess either way."""
    raw = (env.get("SHOP_DEMO_LOGIN") or "").strip().lower()
    if raw == _PUBLIC:
        return True
    try:
        if not flag_setting(env, "SHOP_DEMO_LOGIN", False):
            return False
    except ConfigError:
        raise ConfigError(f"SHOP_DEMO_LOGIN must be 0, 1 or public, got {raw!r}") from None
    if not is_loopback(host):
        raise ConfigError(
            f"SHOP_DEMO_LOGIN=1 hands a token for any seeded customer to whoever can reach the site, so it "
            f"is only allowed while WEB_HOST is a loopback address, not {host!r}: set WEB_HOST=127.0.0.1, "
            "SHOP_DEMO_LOGIN=0, or SHOP_DEMO_LOGIN=public to expose the demo sign-in on purpose")
    return True


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    token_ttl_seconds = bounded_int_setting(env, "SHOP_DEMO_TOKEN_TTL", 7200, 60, 7 * 24 * 3600)
    try:
        identity = load_identity_settings(env)
    except IdentityConfigError as error:
        raise ConfigError(str(error)) from None
    host = env.get("WEB_HOST", "0.0.0.0").strip() or "0.0.0.0"
    return Settings(
        host=host,
        port=bounded_int_setting(env, "WEB_PORT", 8000, 1, 65535),
        rasa_url=_rasa_url(env.get("RASA_URL", "")),
        rasa_port=bounded_int_setting(env, "RASA_PORT", 5005, 1, 65535),
        demo_login=_demo_login(env, host),
        token_ttl_seconds=token_ttl_seconds,
        identity=identity,
        desk_hours=desk_hours_setting(env),
    )
