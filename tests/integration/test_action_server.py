"""The action server over live HTTP: where it listens, who it answers, what it echoes."""
import json
import subprocess
import sys

import requests

from tests.support.stack import REPO_ROOT, TEST_ACTION_SECRET, _spawn, _wait_ready, free_port

MARKUP = "<img src=x onerror=alert(1)>"


def listening_addresses(port: int) -> set:
    """Local addresses with a listening TCP socket on ``port`` (Linux /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_calls_without_the_shared_secret_are_refused(live_stack):
    webhook = f"{live_stack.action_url}/webhook"
    call = {"next_action": "action_order_status", "tracker": {"sender_id": "probe", "events": []}}
    for headers in ({}, {"X-Action-Secret": "wrong"}, {"X-Action-Secret": TEST_ACTION_SECRET[:-1]}):
        reply = requests.post(webhook, json=call, headers=headers, timeout=10)
        assert reply.status_code == 401, reply.text
        assert reply.json() == {"error": "unauthorized"}
    assert requests.get(f"{live_stack.action_url}/actions", timeout=10).status_code == 401
    # Health checks stay open (make run waits on them) and say nothing else.
    assert requests.get(f"{live_stack.action_url}/health", timeout=10).json() == {"status": "ok"}


def test_malformed_calls_get_a_4xx_that_echoes_nothing(live_stack):
    webhook = f"{live_stack.action_url}/webhook"
    headers = {"X-Action-Secret": TEST_ACTION_SECRET}
    bodies = [
        MARKUP,
        json.dumps({"next_action": "action_order_status", "tracker": MARKUP}),
        json.dumps({"next_action": MARKUP, "tracker": {"sender_id": MARKUP}}),
        json.dumps({"next_action": "action_order_status", "tracker": {"sender_id": "a", "events": [MARKUP]}}),
        "[" * 5000 + "]" * 5000,
        json.dumps({"next_action": "action_order_status",
                    "tracker": {"sender_id": "a", "latest_message": json.loads('{"m":' * 600 + "1" + "}" * 600)}}),
    ]
    for body in bodies:
        reply = requests.post(webhook, data=body.encode(), headers=headers, timeout=10)
        assert 400 <= reply.status_code < 500, (reply.status_code, reply.text[:200])
        assert "onerror" not in reply.text and "[[" not in reply.text and "request_body" not in reply.text
    log = (live_stack.workdir / "action-server.log").read_text(errors="replace")
    assert "onerror" not in log


def test_the_action_server_listens_on_loopback_by_default(live_stack, tmp_path):
    port = free_port()
    env = dict(live_stack.env, ACTION_PORT=str(port))
    env.pop("ACTION_HOST", None)
    server = _spawn("loopback-action-server", [sys.executable, "-m", "actions.server"], env, tmp_path)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/health", server, 90)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1 only
    finally:
        server.stop()


def test_the_action_server_will_not_start_without_a_secret(live_stack):
    env = dict(live_stack.env, ACTION_PORT=str(free_port()))
    env.pop("ACTION_SERVER_SECRET")
    finished = subprocess.run([sys.executable, "-m", "actions.server"], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert "ACTION_SERVER_SECRET" in finished.stderr
