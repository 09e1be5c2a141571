"""``make run`` (scripts/run.sh) for real: a crashed server is restarted with back-off and
the restart is logged with its count; SIGTERM or Ctrl-C — once everything is up, or at any
moment of the start-up — stops every process the script started, and frees their ports.

Each run uses its own VAR_DIR (SQLite shop and conversation files, logs) and free ports,
so it never touches the developer's var/ and can run beside a `make run`. A process
"belongs to" a run when its environment holds that run's VAR_DIR (scripts/env.sh exports
it to everything the script starts): that finds grandchildren too.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import requests

from tests.support.required import unavailable
from tests.support.stack import REPO_ROOT, free_ports, latest_model, ports_listening

pytestmark = pytest.mark.timeout(600)
UP_TIMEOUT_S = 300


class Run:
    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.api_token = uuid.uuid4().hex
        var_dir.mkdir(parents=True, exist_ok=True)
        self.rasa_port, self.action_port, self.web_port = free_ports(3)
        env = dict(os.environ)
        env.update({
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "VENV": str(Path(sys.executable).parent.parent),
            "VAR_DIR": str(var_dir),
            "RASA_HOST": "127.0.0.1", "ACTION_HOST": "127.0.0.1", "WEB_HOST": "127.0.0.1",
            "RASA_PORT": str(self.rasa_port), "ACTION_PORT": str(self.action_port),
            "WEB_PORT": str(self.web_port),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "SHOP_DATABASE_URL": f"sqlite:///{var_dir / 'shop.db'}",
            "TRACKER_DB_URL": "", "TRACKER_DB_PATH": str(var_dir / "tracker.db"),
            "RASA_API_TOKEN": self.api_token,
            "SHOP_TOKEN_SECRET": "test-secret-for-the-supervision-test-0123456789",
        })
        for name in ("RASA_URL", "SHOP_ALLOW_DEV_IDENTITY", "SHOP_DEV_CUSTOMER_ID", "ACTION_SERVER_SECRET"):
            env.pop(name, None)
        self.log = var_dir / "run.log"
        with open(self.log, "ab") as log:
            # Its own session, as `make run` in a terminal is its own foreground group.
            self.process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=REPO_ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)

    @property
    def ports(self) -> Tuple[int, int, int]:
        return self.rasa_port, self.action_port, self.web_port

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, self.output())
            if match:
                return match
            if self.process.poll() is not None:
                pytest.fail(f"run.sh exited ({self.process.returncode}) before {pattern!r}:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {pattern!r} after {timeout} s:\n{self.output()[-4000:]}")
            time.sleep(0.2)

    def belonging(self) -> Dict[int, str]:
        """Live processes started for this run (their environment holds its VAR_DIR)."""
        marker = f"VAR_DIR={self.var_dir}".encode() + b"\0"
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if marker not in (entry / "environ").read_bytes() + b"\0":
                    continue
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                    continue   # a zombie holds no port and is gone once reaped
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
        return found

    def listening(self) -> List[int]:
        return ports_listening(self.ports)

    def stop_and_check(self, how: str = "SIGTERM") -> None:
        if how == "SIGTERM":         # a process manager stopping the script
            self.process.send_signal(signal.SIGTERM)
            sent, expected = signal.SIGTERM, 143
        elif how == "Ctrl-C":        # SIGINT to the terminal's foreground group
            os.killpg(self.process.pid, signal.SIGINT)
            sent, expected = signal.SIGINT, 130
        else:                        # an impatient operator: Ctrl-C again and again while it stops
            sent, expected = signal.SIGINT, 130
            deadline = time.monotonic() + 40
            while self.process.poll() is None and time.monotonic() < deadline:
                try:
                    os.killpg(self.process.pid, signal.SIGINT)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            pytest.fail(f"run.sh still running 40 s after {how}:\n{self.output()[-3000:]}")
        # (killed by the signal itself only when it came before the script set its traps)
        assert self.process.returncode in (expected, -sent), self.output()[-3000:]
        left, busy = self.belonging(), self.listening()
        assert not left, f"processes left after {how}: {left}\n{self.output()[-3000:]}"
        assert not busy, f"ports still listening after {how}: {busy}"

    def kill_everything(self) -> None:
        """Clean-up after a failed check: nothing of this run may outlive the test."""
        for pid in [self.process.pid, *self.belonging()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


@pytest.fixture
def run(tmp_path):
    if latest_model() is None:
        unavailable("no trained model in models/: run `make train` (make test does it)")
    runs: List[Run] = []

    def start() -> Run:
        runs.append(Run(tmp_path / f"var-{len(runs)}"))
        return runs[-1]

    yield start
    for started in runs:
        started.kill_everything()


def pid_of(match: re.Match) -> int:
    return int(match.group(1))


def test_a_crashed_server_is_restarted_with_back_off_and_sigterm_stops_everything(run):
    stack = run()
    stack.wait_for_output(r"The assistant is up", UP_TIMEOUT_S)
    # make run's demo works on this machine: the site (on 127.0.0.1) has its demo sign-in on,
    # which is off unless asked for (shop_site/config.py).
    config = requests.get(f"http://127.0.0.1:{stack.web_port}/api/config", timeout=10).json()
    assert config["demo_login"] is True, config
    # The API token is a secret: no process of the run shows it on its command line (which
    # every user of the machine can read, `ps`), yet the API takes it and refuses without it.
    shown = {p: line for p, line in stack.belonging().items() if stack.api_token in line}
    assert not shown, f"the Rasa API token is on a command line: {shown}"
    status = f"http://127.0.0.1:{stack.rasa_port}/status"
    assert requests.get(status, params={"token": stack.api_token}, timeout=10).status_code == 200
    assert requests.get(status, timeout=10).status_code == 401
    first = pid_of(stack.wait_for_output(r"Started action-server \(pid (\d+)", 1))
    assert {first} <= set(stack.belonging())

    os.kill(first, signal.SIGKILL)
    stack.wait_for_output(r"action-server \(pid %d\) stopped with status 137; restart 1 in 1 s" % first, 10)
    second = pid_of(stack.wait_for_output(r"Restarted action-server \(pid (\d+); restart 1\)", 15))
    assert second != first
    # It answers again, and so does a turn that needs it.
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{stack.action_port}/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, stack.output()[-3000:]
        time.sleep(0.5)
    reply = requests.post(f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook",
                          json={"sender": f"sup-{uuid.uuid4().hex}", "message": "查一下订单"}, timeout=30)
    assert reply.status_code == 200
    assert "订单号" in " ".join(m.get("text") or "" for m in reply.json()), reply.text

    # A second crash soon after: the next restart waits longer, and the count goes on.
    os.kill(second, signal.SIGKILL)
    stack.wait_for_output(r"action-server \(pid %d\) stopped with status 137; restart 2 in 2 s" % second, 10)
    stack.wait_for_output(r"Restarted action-server \(pid (\d+); restart 2\)", 15)

    stack.stop_and_check("SIGTERM")


@pytest.mark.parametrize("moment, how", [
    ("preparing", "SIGTERM"),           # during install / database / model checks
    ("just started", "SIGTERM"),        # right after the first server was forked
    ("just started", "SIGTERM"),
    ("loading", "SIGTERM"),             # servers up or loading, waiting for them
    ("loading", "Ctrl-C"),
    ("loading", "Ctrl-C again and again"),   # used to kill the script while it stopped the servers
])
def test_a_signal_during_start_up_stops_every_child(run, moment, how):
    stack = run()
    if moment == "preparing":
        time.sleep(1.0)
    elif moment == "just started":
        stack.wait_for_output(r"Started action-server", 120)
    else:
        stack.wait_for_output(r"Started rasa", 120)
        time.sleep(3)
    stack.stop_and_check(how)
