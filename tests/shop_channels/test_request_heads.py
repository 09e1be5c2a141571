"""A request head that trickles in one byte at a time (shop_channels/open_sockets.py).

Sanic restarts its request clock on every byte it reads, so before, a client that sent one
header byte every few seconds held its connection for as long as it liked (8 KiB of head at a
byte a minute: almost a week). Now the whole head must arrive within REQUEST_TIMEOUT of its
first byte; past it the server answers 408 and closes. A real Sanic server on a test port."""
from __future__ import annotations

import asyncio
import os

from sanic import Sanic, response

from shop_channels import open_sockets

PORT = int(os.environ.get("TEST_PORT_RANGE", "6300-6399").split("-")[0]) + 41
HEAD = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 60 + b"\r\n\r\n"


def _app(name: str) -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_TIMEOUT = 1.0        # the head's deadline
    app.config.KEEP_ALIVE_TIMEOUT = 1.0     # Sanic's check then runs every 0.5 s

    @app.get("/")
    async def root(_request):
        return response.text("served")

    return app


async def _trickle(head: bytes, gap_s: float) -> tuple[int, bytes]:
    """Sends ``head`` a byte at a time; returns how many bytes went out before the server
    ended the connection (all of them if it never did) and what it answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    sent = 0
    try:
        for byte in head:
            if reader.at_eof():
                break
            try:
                writer.write(bytes([byte]))
                await writer.drain()
            except (ConnectionResetError, BrokenPipeError):
                break
            sent += 1
            await asyncio.sleep(gap_s)
        try:
            answer = await asyncio.wait_for(reader.read(256), 10)
        except (ConnectionResetError, BrokenPipeError, asyncio.TimeoutError):
            answer = b""
    finally:
        writer.close()
    return sent, answer


async def _serve_and_send(app: Sanic) -> tuple[tuple[int, bytes], tuple[int, bytes]]:
    """One server (Sanic rewrites its classes as a server starts: once a process): a head
    trickled a byte every 0.1 s, then one sent at once."""
    server = await app.create_server(host="127.0.0.1", port=PORT, return_asyncio_server=True)
    await server.startup()
    await server.start_serving()
    try:
        return await _trickle(HEAD, 0.1), await _trickle(HEAD, 0)
    finally:
        server.close()
        await server.wait_closed()


def test_a_trickled_request_head_is_cut_off_and_a_prompt_one_is_served():
    assert open_sockets.bound_request_heads()
    trickled, prompt = asyncio.run(_serve_and_send(_app("request_heads")))
    # 92 bytes, one every 0.1 s (each gap well inside Sanic's 1 s per-read timeout): about 9 s
    # in all, far past the 1 s deadline on the whole head.
    sent, answer = trickled
    assert sent < len(HEAD)                          # the server ended it before the head was whole
    assert answer.startswith(b"HTTP/1.1 408") or answer == b""
    # A head sent at once is served as before.
    sent, answer = prompt
    assert sent == len(HEAD) and answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"served")
