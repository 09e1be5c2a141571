"""Settings from the environment, read once at start-up.

WEB_HOST / WEB_PORT   where this site listens (default 0.0.0.0:8000).
RASA_URL              Rasa's base URL *as the browser sees it*. Unset: the page uses the
                      host it was loaded from and RASA_PORT (default 5005), so a page opened
                      as http://192.168.1.20:8000/ talks to http://192.168.1.20:5005.
SHOP_DEMO_LOGIN       "1" (default) enables the demo sign-in; set it to "0" in production,
                      where the shop's own login issues customer tokens.
SHOP_DEMO_TOKEN_TTL   lifetime of demo tokens in seconds (default 7200).
SHOP_TOKEN_SECRET     signs demo tokens and verifies the checkout's (``shop.identity``;
                      required while the demo sign-in is on).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import urlsplit

from shop.identity import IdentityConfigError, IdentitySettings, load_identity_settings
from shop.settings import REPO_ROOT, ConfigError, bounded_int_setting

WEB_ROOT = REPO_ROOT / "web"


@dataclass(frozen=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = 8000
    rasa_url: Optional[str] = None
    rasa_port: int = 5005
    demo_login: bool = True
    token_ttl_seconds: int = 7200
    web_root: Path = WEB_ROOT
    identity: IdentitySettings = field(default_factory=IdentitySettings)


def _rasa_url(raw: str) -> Optional[str]:
    raw = raw.strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"RASA_URL must be an http(s) URL, got {raw!r}")
    return raw


def _flag(raw: Optional[str], default: bool) -> bool:
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    token_ttl_seconds = bounded_int_setting(env, "SHOP_DEMO_TOKEN_TTL", 7200, 60, 7 * 24 * 3600)
    try:
        identity = load_identity_settings(env)
    except IdentityConfigError as error:
        raise ConfigError(str(error)) from None
    return Settings(
        host=env.get("WEB_HOST", "0.0.0.0").strip() or "0.0.0.0",
        port=bounded_int_setting(env, "WEB_PORT", 8000, 1, 65535),
        rasa_url=_rasa_url(env.get("RASA_URL", "")),
        rasa_port=bounded_int_setting(env, "RASA_PORT", 5005, 1, 65535),
        demo_login=_flag(env.get("SHOP_DEMO_LOGIN"), True),
        token_ttl_seconds=token_ttl_seconds,
        identity=identity,
    )
