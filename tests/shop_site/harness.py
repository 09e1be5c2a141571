"""Starting the real shop site (``python -m shop_site``) on a free port against a real,
seeded SQLite database, for the HTTP tests here and the page tests in tests/browser."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

import requests

from tests.support.stack import REPO_ROOT, free_port

TOKEN_SECRET = "shop-site-tests-secret-0123456789abcdef"
# Where the site under test says Rasa is (nothing listens there; the HTTP tests need none).
TEST_RASA_URL = "http://127.0.0.1:5999"


def seed_database(workdir: Path, profile: str = "small") -> str:
    """A freshly migrated and seeded SQLite database; returns its SQLAlchemy URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir / 'shop.db'}"
    env = dict(os.environ, SHOP_DATABASE_URL=url)
    done = subprocess.run(
        # Migrates the empty database, then seeds it (the data layer's own command line).
        [sys.executable, "-m", "shop.seed", "--profile", profile, "--no-progress", "--database-url", url],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{done.stdout}\n{done.stderr}")
    return url


@dataclass
class Site:
    url: str
    popen: subprocess.Popen
    log: Path
    database_url: str

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)


def site_env(database_url: str, port: int, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    for name in ("RASA_URL", "RASA_PORT", "SHOP_DEMO_LOGIN", "SHOP_DEMO_TOKEN_TTL", "WEB_HOST"):
        env.pop(name, None)
    env.update(
        SHOP_DATABASE_URL=database_url,
        SHOP_TOKEN_SECRET=TOKEN_SECRET,
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
        # Off by default (fail closed): the tests and the browser tests sign in as demo customers.
        SHOP_DEMO_LOGIN="1",
    )
    env.update(extra or {})
    # None in ``extra``: the variable left unset.
    return {name: value for name, value in env.items() if value is not None}


def start_site(workdir: Path, database_url: str, extra_env: Optional[Dict[str, str]] = None,
               timeout: float = 30) -> Site:
    port = free_port()
    log = workdir / f"shop-site-{port}.log"
    handle = open(log, "ab")
    popen = subprocess.Popen(
        [sys.executable, "-m", "shop_site"], cwd=REPO_ROOT, env=site_env(database_url, port, extra_env),
        stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    site = Site(f"http://127.0.0.1:{port}", popen, log, database_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"shop site exited during start-up:\n{site.log_text()}")
        try:
            if requests.get(f"{site.url}/healthz", timeout=1).status_code == 200:
                return site
        except requests.RequestException:
            pass
        time.sleep(0.1)
    site.stop()
    raise RuntimeError(f"shop site not ready after {timeout}s:\n{site.log_text()}")
