"""Where the shop database lives, and what every process's settings share.

One environment variable picks the database: ``SHOP_DATABASE_URL``, a SQLAlchemy URL, e.g.

- ``sqlite:////abs/path/shop.db`` (the default is ``var/shop.db`` in the repository), or
- ``postgresql+psycopg2://user:password@host:5432/shop`` for PostgreSQL.

Shared by every process's settings object (``actions/settings.py``,
``shop_channels/settings.py``, ``shop_site/config.py``, ``console/config.py``,
``analytics/settings.py``): ``REPO_ROOT`` (the one definition), ``ConfigError`` (the one
error a bad setting raises) and the parsers below.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from shop.domain.handoff_queue import DEFAULT_DESK_HOURS, DeskHours, parse_desk_hours

REPO_ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL_ENV = "SHOP_DATABASE_URL"


def var_dir() -> Path:
    """The git-ignored data folder; created on first use."""
    path = REPO_ROOT / "var"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    return f"sqlite:///{var_dir() / 'shop.db'}"


class ConfigError(ValueError):
    """A setting that cannot be used; the process refuses to start rather than guess."""


def seconds_setting(env: Mapping[str, str], name: str, default: float) -> float:
    """``env[name]`` as seconds above 0 and at most 600 (``default`` when unset)."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise ConfigError(f"{name} must be seconds (a number above 0, at most 600), got {raw!r}")
    return value


def bounded_int_setting(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """``env[name]`` as a whole number from ``low`` to ``high`` (``default`` when unset or blank):
    ports, limits, lifetimes."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


FLAG_OFF = ("0", "false", "no", "off")
FLAG_ON = ("1", "true", "yes", "on")


def flag_setting(env: Mapping[str, str], name: str, default: bool) -> bool:
    """``env[name]`` as on / off (``default`` when unset or blank). Anything else is an error,
    never a guess: a security switch with a typo ("ture") must not quietly mean off."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in FLAG_ON:
        return True
    if raw in FLAG_OFF:
        return False
    raise ConfigError(f"{name} must be one of {', '.join(FLAG_ON + FLAG_OFF)}, got {raw!r}")


def rasa_endpoints_path(env: Mapping[str, str]) -> Path:
    """``RASA_ENDPOINTS``: the endpoints file (tracker store, event broker) of the Rasa server;
    the console and the improvement loop read the same store. Relative: to the repository."""
    path = Path((env.get("RASA_ENDPOINTS") or "").strip() or "endpoints.yml")
    return path if path.is_absolute() else REPO_ROOT / path


def recommender_model_dir(env: Mapping[str, str]) -> Path:
    """``RECOMMENDER_MODEL_DIR``: where recommender artifacts are written and read."""
    return Path((env.get("RECOMMENDER_MODEL_DIR") or "").strip() or REPO_ROOT / "models" / "recommender")


def database_url() -> str:
    """The configured SQLAlchemy URL: ``$SHOP_DATABASE_URL`` or the SQLite file in ``var/``."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    return url or default_database_url()


def desk_hours_setting(env: Mapping[str, str]) -> DeskHours:
    """SHOP_DESK_HOURS: the human desk's hours, China time ("9:00-22:00", the default). The
    action server (replies, the FAQ's {desk_hours}) and the Rasa server (the queue answer)
    each read it once at start-up; one value for both."""
    raw = (env.get("SHOP_DESK_HOURS") or "").strip()
    if not raw:
        return DEFAULT_DESK_HOURS
    try:
        return parse_desk_hours(raw)
    except ValueError:
        raise ConfigError(f"SHOP_DESK_HOURS must be opening-closing China time, such as 9:00-22:00, "
                          f"20:00-2:00 (past midnight) or 0:00-24:00 (round the clock), got {raw!r}") from None
