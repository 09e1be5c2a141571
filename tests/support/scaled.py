"""Running ``scripts/run_scaled.sh`` in tests, and the private servers its fault tests use.

A private Redis server (and, for the fault tests, a private PostgreSQL cluster) on free
ports: tests never flush or restart what the machine's own servers hold for someone else
(helpers, a `make run_scaled` beside the tests, another test run).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

from tests.support.required import unavailable  # noqa: F401 (re-exported for the scale-out tests)
from tests.support.stack import REPO_ROOT, free_ports, ports_listening

START_TIMEOUT_S = 420



def require_nginx() -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        unavailable("nginx is not installed (apt-get install nginx)")


def port_block_base() -> int:
    """A base port B with B+101 and B+102 free (run_scaled.sh puts instance i on B+100+i)."""
    for _ in range(200):
        # Below Linux's ephemeral range (32768-60999): a port there can be taken by any outgoing
        # connection between this check and the server's bind (seen once in CI: "address
        # already in use" for an action server at B+101).
        base = 20000 + (uuid.uuid4().int % 12000)
        sockets = []
        try:
            for offset in (101, 102):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free port block found")


class PrivateRedis:
    """A redis-server on a free port, without persistence (a restart loses every key)."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        if not self.binary:
            unavailable("redis-server not found")
        self.port = free_ports(1)[0]
        self.workdir = workdir
        self.process: Optional[subprocess.Popen] = None
        self.start()

    def start(self) -> None:
        import redis

        with open(self.workdir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.workdir)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def restart(self) -> None:
        """As an operator's `redis-cli shutdown nosave` followed by a start."""
        import redis

        try:
            redis.Redis(host="127.0.0.1", port=self.port).shutdown(nosave=True)
        except redis.ConnectionError:
            pass    # the server closes the connection as it goes
        self.process.wait(timeout=20)
        self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _postgres_bin(name: str) -> Optional[str]:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (trust auth on 127.0.0.1, free port) in a temporary
    directory; run as the ``postgres`` user when the tests run as root (initdb refuses root)."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
        self.user: Optional[str] = None
        owner: Optional[Tuple[int, int]] = None
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root and there is no 'postgres' user for initdb")
            self.user, owner = "postgres", (entry.pw_uid, entry.pw_gid)
        self.port = free_ports(1)[0]
        self.root = Path(tempfile.mkdtemp(prefix="shop-test-pg-"))
        if owner:
            os.chown(self.root, *owner)
        self.data = self.root / "data"
        try:
            self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--locale=C", "--no-sync")
            self.start()
        except Exception:
            self.destroy()
            raise

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=self.root)

    def start(self) -> None:
        # -l: the server's output goes to a file, not to our pipe (which would stay open).
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                        f"-c full_page_writes=off -c synchronous_commit=off", "start")

    def restart(self) -> None:
        """As an operator's `pg_ctl restart -m fast`: every open connection is cut."""
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
        self.start()

    def url(self, database: str, driver: str = "+psycopg2") -> str:
        return f"postgresql{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


class RunScaled:
    """``bash scripts/run_scaled.sh`` with ``settings`` over the environment, in its own
    session; ``start`` waits until it says it is up."""

    def __init__(self, var: Path, settings: Dict[str, str]) -> None:
        env = dict(os.environ)
        env.update({
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/sbin{os.pathsep}{env.get('PATH', '')}",
            "VENV": str(Path(sys.executable).parent.parent),
            "VAR_DIR": str(var),
            "RASA_PORT": str(port_block_base()), "ACTION_PORT": str(port_block_base()),
        })
        for name in ("TICKET_LOCK_LIFETIME", "ACTION_SERVER_SECRET", "RASA_URL"):
            env.pop(name, None)
        # The load tests send each shopper's turns back to back, as fast as the servers answer;
        # the per-conversation limit is tested on its own (tests/integration/test_flood.py).
        env["SENDER_MAX_MESSAGES_PER_MINUTE"] = "0"
        # Every test shopper comes from 127.0.0.1, so each Rasa server's per-address count
        # (shop_channels/client_limits.py, 1200 a minute) is all of theirs together: with one
        # server killed under load the survivor took every turn and refused some with 429. The
        # per-address limits are tested on their own (tests/integration/test_client_limits_live.py).
        env["CLIENT_MAX_MESSAGES_PER_MINUTE"] = "0"
        env.update(settings)
        self.env = env
        self.rasa_ports = [int(env["RASA_PORT"]) + 101, int(env["RASA_PORT"]) + 102]
        self.ports = [*self.rasa_ports, int(env["ACTION_PORT"]) + 101, int(env["ACTION_PORT"]) + 102,
                      *(int(env[name]) for name in ("LB_PORT", "ACTION_LB_PORT") if name in env)]
        self.access_log = var / "scaled" / "access.log"
        self.log = var / "run_scaled.log"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(["bash", "scripts/run_scaled.sh"], cwd=REPO_ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "==> Up:" not in self.output():
            if self.process.poll() is not None:
                pytest.fail(f"run_scaled.sh exited ({self.process.returncode}):\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"run_scaled.sh not up after {START_TIMEOUT_S} s:\n{self.output()[-4000:]}")
            time.sleep(1)

    def listening(self) -> list:
        """The ports of this setup (servers, load balancer) on which something still listens."""
        return ports_listening(self.ports)

    def stop(self) -> float:
        """SIGTERM to the script only (as a process manager would); returns how long it took
        to stop everything. Kills the whole session if it does not stop."""
        started = time.monotonic()
        try:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        return time.monotonic() - started


def delete_queue(name: str) -> None:
    """Remove a throw-away RabbitMQ queue of the analytics consumer (127.0.0.1:5672)."""
    import asyncio

    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(name)

    try:
        asyncio.run(delete())
    except Exception:   # the queue may never have been declared
        pass


class SilentRedis:
    """A port that takes connections and never answers: a hung or overloaded Redis.
    ``with SilentRedis() as port:``."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", free_ports(1)[0]))
        self.listener.listen(64)
        self.listener.settimeout(0.1)
        self.held: list = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                self.held.append(self.listener.accept()[0])
            except OSError:
                continue

    def __enter__(self) -> int:
        self.thread.start()
        return self.listener.getsockname()[1]

    def __exit__(self, *_) -> None:
        self.stopped.set()
        self.thread.join()
        for connection in self.held:
            connection.close()
        self.listener.close()
