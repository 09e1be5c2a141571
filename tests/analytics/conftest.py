"""Fixtures of the analytics tests (helpers: tests/support/analytics.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from analytics import store
from shop.db.migrate import upgrade_to_head
from shop.db.engine import make_engine


@pytest.fixture()
def analytics_engine(tmp_path):
    """Empty analytics tables in a SQLite file of the test's own."""
    engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def shop(tmp_path):
    """The shop's database, migrated, in a SQLite file of the test's own (the desk and CSAT
    tables the analytics copy reads)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade_to_head(engine)
    yield engine
    engine.dispose()
