"""Rasa events with known figures, and a throw-away PostgreSQL database for the analytics
tables: shared by the analytics tests and the console's browser test (a plain module, so
test files can import it)."""
from __future__ import annotations

import contextlib
import os
import uuid
from datetime import date, datetime, timezone
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from analytics import store
from tests.support.required import unavailable  # noqa: F401 (re-exported for the analytics tests)

POSTGRES_SERVER = os.environ.get("SHOP_TEST_POSTGRES_SERVER", "postgresql+psycopg2://postgres@127.0.0.1:5432")
DAY = date(2026, 12, 1)
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc).timestamp()     # 10:00 China time



def user(sender, t, text, intent, confidence=0.9):
    return {"event": "user", "sender_id": sender, "timestamp": t, "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": confidence}}}


def action(sender, t, name):
    return {"event": "action", "sender_id": sender, "timestamp": t, "name": name}


def handed_off(sender, t):
    """A shopper message that got ``action_handoff`` (a ticket opened)."""
    return [user(sender, t, "转人工", "human_handoff"), action(sender, t + 0.05, "action_handoff"),
            action(sender, t + 0.1, "action_listen")]


def known_events():
    """Four conversations: resolved; handed off; a core fallback; out of scope then clarified."""
    return [
        action("resolved", T0, "action_session_start"),
        user("resolved", T0 + 1, "你好", "greet"), action("resolved", T0 + 1.01, "utter_greet"),
        action("resolved", T0 + 1.02, "action_listen"),
        user("handed", T0 + 2, "转人工", "human_handoff"), action("handed", T0 + 2.05, "action_handoff"),
        action("handed", T0 + 2.1, "action_listen"),
        user("fallback", T0 + 3, "嗯嗯那个", "chitchat", 0.3), action("fallback", T0 + 3.2, "utter_default"),
        action("fallback", T0 + 3.3, "action_listen"),
        user("oos", T0 + 4, "今天天气怎么样", "out_of_scope"), action("oos", T0 + 4.4, "action_out_of_scope"),
        action("oos", T0 + 4.5, "action_listen"),
        user("oos", T0 + 5, "那个啥", "nlu_fallback", 0.2), action("oos", T0 + 5.01, "action_clarify"),
        action("oos", T0 + 5.02, "action_listen"),
        user("oos", T0 + 6, "/order_status", "order_status", 1.0), action("oos", T0 + 6.01, "action_listen"),
    ]


@contextlib.contextmanager
def postgres_analytics_database(prefix: str) -> Iterator[Engine]:
    """A new PostgreSQL database named ``<prefix>_<random>`` with the analytics tables,
    dropped afterwards (skipped, or failed under SHOP_TEST_REQUIRE_POSTGRES=1, when the
    server is unreachable)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any connection failure means "not reachable"
        admin.dispose()
        unavailable(f"PostgreSQL not reachable: {error}")
    engine = create_engine(f"{POSTGRES_SERVER}/{name}", future=True)
    try:
        store.create_tables(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextlib.contextmanager
def analytics_database(backend: str, tmp_path, prefix: str) -> Iterator[Engine]:
    """The analytics tables on ``backend`` ("sqlite": a file under ``tmp_path``; "postgresql":
    a database of its own, as ``postgres_analytics_database``), for fixtures run on both."""
    if backend == "postgresql":
        with postgres_analytics_database(prefix) as engine:
            yield engine
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(engine)
    try:
        yield engine
    finally:
        engine.dispose()


# The analytics tables' two back-ends, for the tests run on both.
BACKENDS = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]


def backend_fixtures(prefix: str):
    """The fixtures ``backend`` and ``engine`` of a test module run on both back-ends: assign
    them at module level (``backend, engine = backend_fixtures("analytics_faults")``); the
    PostgreSQL databases are named after ``prefix``."""
    @pytest.fixture(params=BACKENDS)
    def backend(request):
        return request.param

    @pytest.fixture
    def engine(backend, tmp_path):
        with analytics_database(backend, tmp_path, prefix) as engine:
            yield engine

    return backend, engine
