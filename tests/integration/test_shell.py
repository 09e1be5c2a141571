"""`rasa shell` (what `make shell` opens) in a real pseudo-terminal: Chinese in, Chinese out,
and order timelines printed as readable text rather than raw JSON."""
import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest
from sqlalchemy import select as sql_select

from shop.db.models import Order
from shop.seed.fixtures import MAIN_CUSTOMER_ID
from tests.support.stack import REPO_ROOT, VENV_BIN, _spawn, _wait_ready, free_ports, latest_model

pytestmark = pytest.mark.integration
PROMPT = "Your input"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    def __init__(self, args, env):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            args, cwd=REPO_ROOT, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )
        os.close(slave)
        self.screen = ""

    def read_until(self, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        start = len(self.screen)
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(self.master, 65536).decode("utf-8", errors="replace")
                except OSError:
                    break
                self.screen += ANSI.sub("", chunk)
                if needle in self.screen[start:]:
                    return self.screen[start:]
            elif self.process.poll() is not None:
                break
        raise AssertionError(f"{needle!r} not seen within {timeout}s; screen:\n{self.screen[-3000:]}")

    def type(self, text: str) -> None:
        os.write(self.master, (text + "\r").encode("utf-8"))

    def close(self) -> None:
        try:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, 9)
        os.close(self.master)


def test_shell_chats_in_chinese_and_prints_timelines_as_text(live_stack, shop_session):
    with shop_session() as session:
        # "我的快递到哪了" means the latest order that has logistics to show
        newest = session.execute(
            sql_select(Order.order_no).where(Order.customer_id == MAIN_CUSTOMER_ID, Order.shipped_at.is_not(None))
            .order_by(Order.created_at.desc(), Order.id.desc())
        ).scalars().first()
    shell_port, action_port = free_ports(2)
    # As `make shell` does: an action server that honours the development identity, which
    # only ever applies to the command-line channel.
    env = dict(live_stack.env, SHOP_ALLOW_DEV_IDENTITY="1", SHOP_DEV_CUSTOMER_ID=str(MAIN_CUSTOMER_ID),
               ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
               TERM="dumb", COLUMNS="200", LINES="50")
    env["ACTION_PORT"] = str(action_port)
    actions = _spawn("shell-action-server", [sys.executable, "-m", "actions.server"], env, live_stack.workdir)
    _wait_ready(f"http://127.0.0.1:{action_port}/health", actions, 120)
    shell = Terminal(
        [str(VENV_BIN / "rasa"), "shell", "--model", str(latest_model()), "--endpoints", "endpoints.yml",
         "--port", str(shell_port)],
        env,
    )
    try:
        shell.read_until(PROMPT, timeout=400)
        shell.type("你好")
        shell.read_until("您好", timeout=90)
        shell.type("我的快递到哪了")
        answer = shell.read_until("当前状态", timeout=90) + shell.read_until(PROMPT, timeout=30)
        assert newest in answer, answer
        # Timelines are text lines, not the JSON payload the web widget gets.
        assert "物流" in answer or "备货" in answer or "付款" in answer
        assert '"type"' not in shell.screen and "order_timeline" not in shell.screen
    finally:
        shell.close()
        actions.stop()
