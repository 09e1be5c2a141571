"""Fixtures of the analytics tests (helpers: tests/support/analytics.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from analytics import store


@pytest.fixture()
def analytics_engine(tmp_path):
    """Empty analytics tables in a SQLite file of the test's own."""
    engine = create_engine(f"sqlite:///{tmp_path / 'analytics.db'}", future=True)
    store.create_tables(engine)
    yield engine
    engine.dispose()
