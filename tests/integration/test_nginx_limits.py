"""nginx's per-address limits in the scale-out setup (deploy/nginx.conf.template, rendered by
scripts/nginx_conf.py as scripts/run_scaled.sh does): a real nginx in front of a stub Rasa
server. Requests beyond the rate and connections beyond the cap get 429 with the JSON body
the REST channel uses, and never reach a Rasa server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shop.settings import REPO_ROOT
from tests.support.scaled import require_nginx
from tests.support.stack import free_ports

WEBHOOK = "/webhooks/rest/webhook"


class StubRasa(BaseHTTPRequestHandler):
    """Answers every request like a Rasa turn; ``/slow`` waits until the test releases it."""

    received: list = []
    slow_arrived = threading.Semaphore(0)
    release = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        StubRasa.received.append(self.path)
        if self.path == "/slow":
            StubRasa.slow_arrived.release()
            StubRasa.release.wait(30)
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_) -> None:
        pass


def render(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/nginx_conf.py"],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


@pytest.fixture
def nginx_in_front(tmp_path):
    require_nginx()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    stub_port, lb_port, action_lb_port = free_ports(3)
    stub = ThreadingHTTPServer(("127.0.0.1", stub_port), StubRasa)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    StubRasa.received.clear()
    StubRasa.release.clear()
    upstream = f"server 127.0.0.1:{stub_port};"
    rendered = render(
        {
            "VAR": str(tmp_path),
            "RASA_UPSTREAMS": upstream,
            "ACTION_UPSTREAMS": upstream,
            "LB_PORT": str(lb_port),
            "ACTION_LB_PORT": str(action_lb_port),
            "LB_REQUESTS_PER_S": "1",
            "LB_REQUEST_BURST": "2",
            "LB_CONNECTIONS_PER_ADDRESS": "2",
        }
    )
    assert rendered.returncode == 0, rendered.stderr
    conf = tmp_path / "nginx.conf"
    conf.write_text(rendered.stdout, encoding="utf-8")
    checked = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(lb_port, process)
        yield f"http://127.0.0.1:{lb_port}", tmp_path
    finally:
        StubRasa.release.set()
        process.terminate()
        process.wait(20)
        stub.shutdown()
        stub.server_close()


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    import socket

    for _ in range(200):
        assert process.poll() is None, "nginx exited at start-up"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("nginx did not listen")


def post(url: str, path: str = WEBHOOK) -> tuple:
    request = urllib.request.Request(
        url + path,
        data=json.dumps({"sender": "s1", "message": "你好"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode("utf-8")
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read().decode("utf-8")


def assert_polite_429(status: int, headers: dict, body: str) -> None:
    assert status == 429
    assert headers.get("Content-Type", "").startswith("application/json") and headers.get("Retry-After") == "2"
    refusal = json.loads(body)
    assert refusal["error"] == "too_many_requests" and refusal["status"] == 429 and "稍等" in refusal["message"]


def test_a_flood_from_one_address_is_refused_with_json_before_any_rasa_server(nginx_in_front):
    url, var = nginx_in_front
    # One request a second with a burst of 2: twenty sent back to back cannot all pass (that
    # would need them spread over 17 s).
    outcomes = [post(url) for _ in range(20)]
    passed = [o for o in outcomes if o[0] == 200]
    refused = [o for o in outcomes if o[0] != 200]
    assert outcomes[0][0] == 200 and refused
    for status, headers, body in refused:
        assert_polite_429(status, headers, body)
    assert len(StubRasa.received) == len(passed)  # a refused request reached no server
    assert "limiting requests" in (var / "error.log").read_text(encoding="utf-8")  # logged


def test_connections_beyond_the_cap_are_refused(nginx_in_front):
    url, _ = nginx_in_front
    # Two requests held open by the server (two turns in progress), then a third connection.
    held = [threading.Thread(target=post, args=(url, "/slow")) for _ in range(2)]
    for thread in held:
        thread.start()
    for _ in held:
        assert StubRasa.slow_arrived.acquire(timeout=30)
    try:
        assert_polite_429(*post(url))
    finally:
        StubRasa.release.set()
        for thread in held:
            thread.join(30)


def test_bad_limit_values_stop_the_rendering_with_the_variables_name():
    for name, value in (("LB_REQUESTS_PER_S", "fast"), ("LB_REQUEST_BURST", "0"), ("LB_CONNECTIONS_PER_ADDRESS", "-5")):
        env = {"LB_REQUESTS_PER_S": "20", "LB_REQUEST_BURST": "100", "LB_CONNECTIONS_PER_ADDRESS": "200", name: value}
        rendered = render(env)
        assert rendered.returncode != 0 and name in rendered.stderr, (name, rendered.stderr)


def test_the_template_limits_every_path_to_the_rasa_servers():
    template = (REPO_ROOT / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")
    rasa_server = template[template.index("listen ${LB_PORT};") : template.index("listen ${ACTION_LB_PORT};")]
    # Server-wide, so REST, socket.io and the HTTP API (/model/parse, /conversations) all count.
    assert "limit_req zone=per_address" in rasa_server.split("location")[0]
    assert "limit_conn connections_per_address" in rasa_server.split("location")[0]
    assert Path(REPO_ROOT / "scripts" / "nginx_conf.py").exists()
