"""The console app in-process (aiohttp's test server) on a fresh, migrated SQLite database,
with one admin and one agent whose passwords the tests know."""
from __future__ import annotations

import asyncio
import re
from typing import Iterator, Optional

import pytest
from aiohttp.test_utils import TestClient, TestServer

from console import passwords
from console.app import create_app
from console.config import Settings, load_settings
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.migrate import upgrade_to_head
from shop.domain.clock import utc_now

ADMIN_PASSWORD = "admin-secret-91823"
AGENT_PASSWORD = "agent-secret-55120"


@pytest.fixture()
def console_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'console.db'}")
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        create_account(session, "boss", "老板", "admin", passwords.hash_password(ADMIN_PASSWORD), utc_now())
        create_account(session, "agent1", "小王", "agent", passwords.hash_password(AGENT_PASSWORD), utc_now())
    yield engine
    engine.dispose()


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


@pytest.fixture()
def console(console_engine, tmp_path) -> Iterator:
    loop = asyncio.new_event_loop()

    def make(settings: Optional[Settings] = None) -> Console:
        # Like `python -m console`: the settings are read from the environment at start-up.
        client = TestClient(TestServer(create_app(settings or load_settings(), console_engine)), loop=loop)
        loop.run_until_complete(client.start_server())
        clients.append(client)
        return Console(client, loop)

    clients = []
    yield make
    for client in clients:
        loop.run_until_complete(client.close())
    loop.close()
