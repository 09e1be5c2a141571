"""Console settings from the environment, read once at start-up.

CONSOLE_HOST / CONSOLE_PORT     where it listens (default 127.0.0.1:8001: staff only, so
                                loopback unless a shop puts it behind its own proxy).
CONSOLE_SESSION_HOURS           absolute lifetime of a sign-in (default 8).
CONSOLE_IDLE_MINUTES            a sign-in unused this long expires (default 30).
CONSOLE_SECURE_COOKIE           "1": the session cookie is sent over HTTPS only (set it
                                behind TLS; default 0 for http://localhost).
CONSOLE_SIGNIN_MAX_FAILURES     failed sign-ins for one user name before it is locked
                                (default 5; ``console/sign_in_limits.py``).
CONSOLE_SIGNIN_MAX_FAILURES_PER_CLIENT  the same for one client address, any names (default 20).
CONSOLE_SIGNIN_LOCK_MINUTES     how long a lock lasts, and the period failures are counted
                                over (default 15).
SHOP_EXPERIMENTS_PATH           the experiments file the 实验 page shows and edits (default
                                content/experiments.yml; the action server reads the same).
CONSOLE_CANNED_REPLIES_PATH     the agents' canned replies (default content/canned_replies.yml;
                                ``console/canned_replies.py``).
RASA_ENDPOINTS                  the Rasa server's endpoints file: its conversation store is
                                where transcripts and the improvement loop read (default
                                endpoints.yml).
ANALYTICS_*                     where the dashboard's data lives (``analytics/settings.py``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Mapping

from analytics.settings import AnalyticsSettings, load_settings as load_analytics
from console.canned_replies import DEFAULT_PATH as DEFAULT_CANNED_REPLIES_PATH
from growth.experiments import DEFAULT_PATH as DEFAULT_EXPERIMENTS_PATH, experiments_path
from shop.settings import REPO_ROOT, bounded_int_setting, flag_setting, rasa_endpoints_path


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8001
    session_lifetime: timedelta = timedelta(hours=8)
    idle_timeout: timedelta = timedelta(minutes=30)
    secure_cookie: bool = False
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_client: int = 20
    sign_in_lock: timedelta = timedelta(minutes=15)
    experiments_path: Path = DEFAULT_EXPERIMENTS_PATH
    canned_replies_path: Path = DEFAULT_CANNED_REPLIES_PATH
    rasa_endpoints: Path = REPO_ROOT / "endpoints.yml"
    analytics: AnalyticsSettings = field(default_factory=AnalyticsSettings)


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    analytics = load_analytics(env)
    return Settings(
        host=env.get("CONSOLE_HOST", "127.0.0.1").strip() or "127.0.0.1",
        port=bounded_int_setting(env, "CONSOLE_PORT", 8001, 1, 65535),
        session_lifetime=timedelta(hours=bounded_int_setting(env, "CONSOLE_SESSION_HOURS", 8, 1, 24)),
        idle_timeout=timedelta(minutes=bounded_int_setting(env, "CONSOLE_IDLE_MINUTES", 30, 1, 24 * 60)),
        secure_cookie=flag_setting(env, "CONSOLE_SECURE_COOKIE", False),
        sign_in_failures_per_account=bounded_int_setting(env, "CONSOLE_SIGNIN_MAX_FAILURES", 5, 1, 100),
        sign_in_failures_per_client=bounded_int_setting(env, "CONSOLE_SIGNIN_MAX_FAILURES_PER_CLIENT", 20, 1, 10_000),
        sign_in_lock=timedelta(minutes=bounded_int_setting(env, "CONSOLE_SIGNIN_LOCK_MINUTES", 15, 1, 24 * 60)),
        experiments_path=experiments_path(env),
        canned_replies_path=Path((env.get("CONSOLE_CANNED_REPLIES_PATH") or "").strip() or DEFAULT_CANNED_REPLIES_PATH),
        rasa_endpoints=rasa_endpoints_path(env),
        analytics=analytics,
    )
