"""The operator console as its tests drive it: the passwords of the two accounts the
``console`` fixtures create (``tests/console/conftest.py``) and a browser-like client (a
plain module, so test files can import it; conftest modules are not imported by name)."""
from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

ADMIN_PASSWORD = "admin-secret-91823"
AGENT_PASSWORD = "agent-secret-55120"


class Console:
    """A browser of the console: a cookie jar and the last CSRF token seen."""

    def __init__(self, client: TestClient, loop) -> None:
        self.client, self.loop = client, loop

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def request(self, method: str, path: str, **kwargs):
        async def go():
            response = await self.client.request(method, path, allow_redirects=False, **kwargs)
            return response, await response.text()
        return self.run(go())

    def csrf(self, path: str = "/login") -> str:
        _, html = self.request("GET", path)
        return re.search(r'name="csrf-token" content="([^"]*)"', html).group(1) or \
            re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def sign_in(self, username: str, password: str):
        token = self.csrf("/login")
        return self.request("POST", "/login", data={"username": username, "password": password, "csrf_token": token})
