"""A TCP proxy in a process of its own, for outages of a shared server (RabbitMQ, which other
runs on this machine use) that a test may not stop: the test points its client at the proxy,
then kills the proxy (the client's connections reset, new ones refused, as when the server
goes down) and starts it again on the same port (the server is back).

    python -m tests.support.tcp_proxy LISTEN_PORT TARGET_PORT
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import socket
from typing import Optional

from tests.support.stack import REPO_ROOT


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except ConnectionError:
        pass
    finally:
        sink.close()


async def _serve(listen_port: int, target_port: int) -> None:
    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pump(reader, upstream_writer), _pump(upstream_reader, writer))

    server = await asyncio.start_server(accept, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


class ProxyProcess:
    def __init__(self, listen_port: int, target_port: int) -> None:
        self.listen_port, self.target_port = listen_port, target_port
        self.popen: Optional[subprocess.Popen] = None

    def start(self) -> "ProxyProcess":
        self.popen = subprocess.Popen([sys.executable, "-m", "tests.support.tcp_proxy", str(self.listen_port),
                                       str(self.target_port)], cwd=REPO_ROOT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.listen_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the proxy did not listen on {self.listen_port}")

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), int(sys.argv[2])))
