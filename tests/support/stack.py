"""Starts the real assistant (action server + Rasa server [+ shop site]) for tests.

Each process runs in its own session on free ports with its own SQLite files, so tests
never touch the developer's var/ and can run beside a `make run`.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
TEST_TOKEN_SECRET = "test-secret-for-the-live-stack-0123456789"
TEST_ACTION_SECRET = "test-action-server-secret-0123456789abcdef"


# Ports above 1024 that Chromium refuses to open (ERR_UNSAFE_PORT): never handed to a server
# a browser test visits (6000, X11, is the first of 6000-6099).
BROWSER_UNSAFE_PORTS = frozenset({1719, 1720, 1723, 2049, 3659, 4045, 5060, 5061, 6000, 6566, 6665, 6666, 6667,
                                  6668, 6669, 6697, 10080})


def _port_range() -> Optional[range]:
    """``TEST_PORT_RANGE=6000-6099``: servers the tests start listen only in that range (on a
    machine shared by several runs, each keeps to its own ports); unset, any free port."""
    raw = os.environ.get("TEST_PORT_RANGE", "").strip()
    if not raw:
        return None
    low, _, high = raw.partition("-")
    return range(int(low), int(high or low) + 1)


def free_ports(count: int) -> List[int]:
    """Distinct free ports (all sockets are held until every port is chosen)."""
    sockets = []
    allowed = _port_range()
    # In random order: two calls before either port is bound (the load balancer's ports, then a
    # private Redis) got the same lowest free port of the range, and nginx could not bind it.
    usable = [p for p in allowed if p not in BROWSER_UNSAFE_PORTS] if allowed is not None else []
    candidates = iter(random.sample(usable, len(usable))) if allowed is not None else None
    try:
        while len(sockets) < count:
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", 0 if candidates is None else next(candidates)))
            except OSError:
                sock.close()            # taken: the next one of the range
                continue
            except StopIteration:
                sock.close()
                raise RuntimeError(f"no {count} free ports in TEST_PORT_RANGE={os.environ['TEST_PORT_RANGE']}") from None
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port() -> int:
    return free_ports(1)[0]


def ports_listening(ports) -> List[int]:
    """Those of ``ports`` on which something on this machine still accepts connections (what
    a stopped setup must not leave behind)."""
    busy = []
    for port in ports:
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                busy.append(port)
    return busy


def latest_model() -> Optional[Path]:
    models = sorted((REPO_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@dataclass
class Stack:
    workdir: Path
    env: Dict[str, str]
    rasa_url: str
    action_url: str
    web_url: Optional[str]
    database_url: str
    processes: List[Process] = field(default_factory=list)

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def say(self, sender: str, text: str, metadata: Optional[dict] = None, timeout: float = 30) -> list:
        body = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        reply = requests.post(self.webhook, json=body, timeout=timeout)
        reply.raise_for_status()
        return reply.json()

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def _wait_ready(url: str, process: Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited during start-up:\n{process.tail()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{process.name} not ready at {url} after {timeout}s:\n{process.tail()}")


def _spawn(name: str, args: List[str], env: Dict[str, str], workdir: Path, cwd: Optional[Path] = None) -> Process:
    log = workdir / f"{name}.log"
    handle = open(log, "ab")
    popen = subprocess.Popen(
        args,
        cwd=cwd or REPO_ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return Process(name, popen, log)


LIVE_EXPERIMENTS = Path(__file__).resolve().parent / "experiments_live.yml"


def start_stack(workdir: Path, model: Path, with_site: bool = True, seed_profile: str = "default",
                experiments: Path = LIVE_EXPERIMENTS, extra_env: Optional[Dict[str, str]] = None,
                rasa_code: Optional[Path] = None, action_code: Optional[Path] = None) -> Stack:
    """The assistant on free ports over a freshly seeded database in ``workdir``.

    ``rasa_code``: a checkout whose project code the Rasa server runs (as its working
    directory: ``rasa`` puts that first on ``sys.path``, ahead of PYTHONPATH), e.g. an older
    commit for a benchmark's "before" column; ``action_code`` the same for the action server
    (``python -m`` puts its working directory first too); by default both run this checkout."""
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'shop.db'}"
    rasa_port, action_port, web_port = free_ports(3)
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "SHOP_DATABASE_URL": database_url,
            "SHOP_TOKEN_SECRET": TEST_TOKEN_SECRET,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "ACTION_HOST": "127.0.0.1",
            "ACTION_SERVER_SECRET": TEST_ACTION_SECRET,
            "TRACKER_DB_URL": "",
            "TRACKER_DB_PATH": str(workdir / "tracker.db"),
            "ANALYTICS_EVENTS_DB_PATH": str(workdir / "events.db"),
            "ANALYTICS_DB_URL": f"sqlite:///{workdir / 'analytics.db'}",
            "ANALYTICS_SOURCE": "sql",
            "RASA_PORT": str(rasa_port),
            "ACTION_PORT": str(action_port),
            "WEB_PORT": str(web_port),
            # The site on loopback with its demo sign-in (off by default): the live tests and
            # the shopper simulator sign in as seeded customers.
            "WEB_HOST": "127.0.0.1",
            "SHOP_DEMO_LOGIN": "1",
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "RECOMMENDER_MODEL_DIR": str(workdir / "recommender"),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            # Never the repository's content/experiments.yml: tests say which experiments run.
            "SHOP_EXPERIMENTS_PATH": str(experiments),
            # Every test shopper comes from 127.0.0.1: one client's allowance of failed guest
            # look-ups would be the whole session's (the limit: tests/actions, tests/shop/db).
            "GUEST_LOOKUP_MAX_CLIENT_FAILURES": "100000",
            # The same for the messages one address may send a minute over all its
            # conversations (shop_channels/client_limits.py): a benchmark's shoppers are all
            # 127.0.0.1 (the limit: tests/integration/test_client_limits_live.py).
            "CLIENT_MAX_MESSAGES_PER_MINUTE": "100000",
        }
    )
    env.update(extra_env or {})
    env.pop("SHOP_ALLOW_DEV_IDENTITY", None)
    env.pop("SHOP_DEV_CUSTOMER_ID", None)

    subprocess.run(
        [sys.executable, "-m", "shop.db.bootstrap", "--profile", seed_profile],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True,
    )
    # The recommender learns from this very database, as `make run` does from var/shop.db.
    subprocess.run(
        [sys.executable, "-m", "assistant.recommender_training", "-q"],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True,
    )

    stack = Stack(
        workdir=workdir,
        env=env,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}",
        web_url=f"http://127.0.0.1:{web_port}" if with_site else None,
        database_url=database_url,
    )
    try:
        actions = _spawn(
            "action-server",
            [sys.executable, "-m", "actions.server"],
            env, workdir, cwd=action_code,
        )
        stack.processes.append(actions)
        rasa = _spawn(
            "rasa",
            [
                str(VENV_BIN / "rasa"), "run", "--model", str(model),
                "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                "--port", str(rasa_port), "--interface", "127.0.0.1", "--cors", "*",
            ],
            env, workdir, cwd=rasa_code,
        )
        stack.processes.append(rasa)
        site = None
        if with_site and (REPO_ROOT / "shop_site" / "__main__.py").exists():
            site = _spawn("shop-site", [sys.executable, "-m", "shop_site"], env, workdir)
            stack.processes.append(site)
        _wait_ready(f"{stack.action_url}/health", actions, 90)
        _wait_ready(f"{stack.rasa_url}/", rasa, 300)
        if site is not None:
            _wait_ready(f"{stack.web_url}/healthz", site, 60)
    except Exception:
        stack.stop()
        raise
    return stack


def stack_with_settings(tmp_path_factory, name: str, settings: Dict[str, str]):
    """A module's own live stack (no shop site) with some settings changed, e.g. a short
    ACTION_CALL_TIMEOUT_S; yields it and stops it (a fixture body: ``yield from``)."""
    from tests.support.required import unavailable

    model = latest_model()
    if model is None:
        unavailable("no trained model in models/: run `make train` (make test does it)")
    stack = start_stack(tmp_path_factory.mktemp(name), model, with_site=False, extra_env=settings)
    try:
        yield stack
    finally:
        stack.stop()
