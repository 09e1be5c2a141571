"""Action tests: real actions, real seeded databases (SQLite and PostgreSQL), no servers.

Each backend gets one database seeded once per session (``small`` profile, anchored at
"now" because the actions judge return windows against the real clock). Tests that write
(after-sales, hand-off) check what they wrote; they never depend on each other.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from recommender.service import RecommenderService
from shop.db.engine import dispose_default_engine, make_engine, session_scope
from shop.db.migrate import upgrade_to_head
from shop.seed.runner import seed_database
from tests.support.required import unavailable
from tests.support.actions import SECRET

POSTGRES_URL = os.environ.get("SHOP_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        seed_database(engine, "small", 11)
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def action_database(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('action-db') / 'shop.db'}"
        _seed(url)
        yield url
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True)
    name = f"shop_actions_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure means the server is not usable
        admin.dispose()
        unavailable(f"PostgreSQL not reachable at {POSTGRES_URL}: {error}")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        _seed(url)
        yield url
    finally:
        dispose_default_engine()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def recommender_dir(tmp_path_factory):
    """A recommender artifact trained on the seeded data (both backends hold the same rows)."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("recommender")
    url = f"sqlite:///{tmp_path_factory.mktemp('rec-db') / 'shop.db'}"
    _seed(url)
    subprocess.run([sys.executable, "-m", "assistant.recommender_training", "-q", "--database-url", url, "--out", str(root)],
                   check=True, capture_output=True)
    return root


@pytest.fixture
def shop_db(action_database, recommender_dir, monkeypatch):
    """Points the actions (their process-wide engine) at the seeded database."""
    monkeypatch.setenv("SHOP_DATABASE_URL", action_database)
    monkeypatch.setenv("SHOP_TOKEN_SECRET", SECRET)
    # What the action server's start-up does with RECOMMENDER_MODEL_DIR (support.configure).
    monkeypatch.setattr("recommender.service._default", RecommenderService(recommender_dir))
    engine = make_engine(action_database)
    yield lambda: session_scope(engine)
    engine.dispose()
