"""The console app in-process (aiohttp's test server) on a fresh, migrated SQLite database,
with one admin and one agent whose passwords the tests know."""
from __future__ import annotations

import asyncio
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
from tests.support.console import ADMIN_PASSWORD, AGENT_PASSWORD, Console


@pytest.fixture()
def console_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'console.db'}")
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        create_account(session, "boss", "老板", "admin", passwords.hash_password(ADMIN_PASSWORD), utc_now())
        create_account(session, "agent1", "小王", "agent", passwords.hash_password(AGENT_PASSWORD), utc_now())
    yield engine
    engine.dispose()


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
