"""Raw TCP connections that never send a request, on a single live Rasa server
(shop_channels/open_sockets.py). Before, they were counted nowhere (the socket.io cap
counts handshakes): one address could hold connections until the server ran out of file
descriptors and every other shopper's connect failed. Now one address holds at most
RASA_MAX_SOCKETS_PER_ADDRESS; the rest are closed as they are accepted, logged, and the
server keeps answering."""
from __future__ import annotations

import socket
import time

import pytest
import requests

from tests.support.stack import stack_with_settings

pytestmark = pytest.mark.integration

MAX_SOCKETS = 12
MAX_OPEN = 30
HEAD_DEADLINE_S = 2


@pytest.fixture(scope="module")
def capped_stack(tmp_path_factory):
    yield from stack_with_settings(tmp_path_factory, "idle-sockets", {
        "RASA_MAX_SOCKETS_PER_ADDRESS": str(MAX_SOCKETS),
        "RASA_MAX_OPEN_SOCKETS": str(MAX_OPEN),
        "SANIC_REQUEST_TIMEOUT": str(HEAD_DEADLINE_S),
    })


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server closed the connection (end of stream or reset) before sending
    anything; False when it is still open after a generous wait."""
    sock.settimeout(10)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def _served_again(url: str) -> bool:
    for _ in range(20):
        try:
            if requests.get(f"{url}/", timeout=20).status_code == 200:
                return True
        except requests.ConnectionError:
            time.sleep(0.5)
    return False


def test_one_address_cannot_hold_idle_connections_without_limit(capped_stack):
    host, port = capped_stack.rasa_url.removeprefix("http://").split(":")
    held = [socket.create_connection((host, int(port)), timeout=10) for _ in range(MAX_SOCKETS + 5)]
    try:
        # The first MAX_SOCKETS are kept (idle, within the keep-alive timeout); the ones above
        # the cap are closed without a byte read.
        extra = held[MAX_SOCKETS:]
        assert all(_closed_by_server(sock) for sock in extra)
        held[0].sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        held[0].settimeout(20)
        assert held[0].recv(64).startswith(b"HTTP/1.1 200")      # a counted one still served
    finally:
        for sock in held:
            sock.close()
    # Their places are given back (once the server has seen the closes): served again.
    assert _served_again(capped_stack.rasa_url)
    log = (capped_stack.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "TCP connection refused: client address 127.0.0.1" in log


def test_many_addresses_together_cannot_exhaust_the_servers_descriptors(capped_stack):
    """Each address below its own cap, all of them together above the server's: before, only
    the per-address cap existed, and many addresses (here 127.0.0.2-6, all loopback on Linux)
    could open connections until accept() and every file the server opens failed. Now the
    connections beyond RASA_MAX_OPEN_SOCKETS are closed as they are accepted, logged, the
    ones held are served, and the places are given back."""
    host, port = capped_stack.rasa_url.removeprefix("http://").split(":")
    per_address = MAX_SOCKETS - 4
    held = [socket.create_connection((host, int(port)), timeout=10, source_address=(f"127.0.0.{n}", 0))
            for n in range(2, 7) for _ in range(per_address)]
    assert len(held) > MAX_OPEN
    try:
        assert all(_closed_by_server(sock) for sock in held[MAX_OPEN:])
        held[0].sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        held[0].settimeout(20)
        assert held[0].recv(64).startswith(b"HTTP/1.1 200")      # a counted one still served
    finally:
        for sock in held:
            sock.close()
    assert _served_again(capped_stack.rasa_url)
    log = (capped_stack.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "(RASA_MAX_OPEN_SOCKETS;" in log


def test_a_request_head_trickled_a_byte_at_a_time_is_cut_off(capped_stack):
    """Sanic restarts its request clock on every byte: a head sent a byte every 0.3 s (each
    gap well inside the 2 s timeout) was read for as long as it lasted. Now the whole head must
    arrive within REQUEST_TIMEOUT of its first byte: 408 and closed, and the server serves on."""
    host, port = capped_stack.rasa_url.removeprefix("http://").split(":")
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
    sock = socket.create_connection((host, int(port)), timeout=10)
    sent, answer = 0, b""
    try:
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1
            time.sleep(0.3)
        sock.settimeout(10)
        try:
            answer = sock.recv(64)
        except (ConnectionResetError, socket.timeout):
            answer = b""
    finally:
        sock.close()
    assert sent < len(head) or not answer.startswith(b"HTTP/1.1 200")
    assert answer.startswith(b"HTTP/1.1 408") or answer == b""
    assert _served_again(capped_stack.rasa_url)
