"""Fixtures of the data-layer tests: the same suite runs on SQLite and on PostgreSQL.

- ``backend`` is parametrised over both; PostgreSQL tests are skipped (with the reason) when
  the server is unreachable. Set ``SHOP_TEST_POSTGRES_URL`` to point elsewhere (default
  ``postgresql+psycopg2://postgres@127.0.0.1:5432/test``); ``SHOP_TEST_REQUIRE_POSTGRES=1``
  (CI) turns the skip into a failure.
- Each test session creates one throw-away PostgreSQL database ``shop_test_<random>`` (from
  the maintenance database, with AUTOCOMMIT) and drops it at the end, so parallel runs never
  collide; inside it every test database is a schema.
- ``seeded_engine``: a migrated database seeded once per session with the ``small`` profile,
  a fixed seed and a fixed anchor. Tests must not commit to it; ``session`` rolls back.
- ``writable_engine``: a private seeded database for tests that commit.
"""
from __future__ import annotations

import os
import shutil
import uuid
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from shop.db.engine import make_engine
from shop.db.migrate import upgrade_to_head
from shop.seed.runner import seed_database
from tests.support.required import unavailable
from tests.support.shop_db import ANCHOR, PROFILE, SEED

POSTGRES_URL = os.environ.get("SHOP_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
# `-m "not postgres"` runs the SQLite half only (the marker is declared in pytest.ini).
BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))


def _postgres_admin_engine() -> Engine:
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True, pool_pre_ping=True)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    engine = _postgres_admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any connection failure means "not reachable"
        engine.dispose()
        reason = f"PostgreSQL not reachable at {make_url(POSTGRES_URL).render_as_string(hide_password=True)}: {error}"
        unavailable(reason)
    yield engine
    engine.dispose()


def _migrated_and_seeded(url: str) -> str:
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        seed_database(engine, PROFILE, SEED, ANCHOR)
    finally:
        engine.dispose()
    return url


class SqliteBackend:
    """Databases are files; seeded copies are file copies of one seeded template."""

    name = "sqlite"

    def __init__(self, root) -> None:
        self.root = root
        self._template: str | None = None

    def new_database(self, label: str) -> str:
        return f"sqlite:///{self.root / (label + '-' + uuid.uuid4().hex[:8] + '.db')}"

    def seeded_database(self, label: str) -> str:
        if self._template is None:
            self._template = _migrated_and_seeded(self.new_database("template"))
        target = self.new_database(label)
        shutil.copyfile(make_url(self._template).database, make_url(target).database)
        return target

    def cleanup(self) -> None:
        pass


class PostgresBackend:
    """One throw-away database per test session; each test database is a schema in it
    (selected through ``search_path``), because creating and dropping schemas is instant
    while every DROP DATABASE forces a checkpoint."""

    name = "postgresql"

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.database = f"shop_test_{uuid.uuid4().hex[:12]}"
        self._schemas = 0
        quote = admin.dialect.identifier_preparer.quote
        # The name is generated here, never taken from input.
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {quote(self.database)}"))
        self.url = make_url(POSTGRES_URL).set(database=self.database)

    def new_database(self, label: str) -> str:
        self._schemas += 1
        schema = f"{label}_{self._schemas}"
        engine = create_engine(self.url, future=True)
        try:
            with engine.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {engine.dialect.identifier_preparer.quote(schema)}"))
        finally:
            engine.dispose()
        return self.url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)

    def seeded_database(self, label: str) -> str:
        return _migrated_and_seeded(self.new_database(label))

    def cleanup(self) -> None:
        quote = self.admin.dialect.identifier_preparer.quote
        with self.admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {quote(self.database)} WITH (FORCE)"))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory):
    if request.param == "sqlite":
        yield SqliteBackend(tmp_path_factory.mktemp("sqlite"))
        return
    made = PostgresBackend(request.getfixturevalue("postgres_admin"))
    try:
        yield made
    finally:
        made.cleanup()


@pytest.fixture(scope="session")
def seeded_engine(backend) -> Iterator[Engine]:
    """Seeded database shared by the session's tests; they must not commit to it."""
    engine = make_engine(backend.seeded_database("shared"))
    yield engine
    engine.dispose()


@pytest.fixture()
def session(seeded_engine: Engine) -> Iterator[Session]:
    """A session on the shared seeded database whose writes are always rolled back."""
    with Session(bind=seeded_engine, future=True, expire_on_commit=False) as s:
        try:
            yield s
        finally:
            s.rollback()


@pytest.fixture()
def writable_engine(backend) -> Iterator[Engine]:
    """A private seeded database, for tests that commit."""
    engine = make_engine(backend.seeded_database("rw"))
    yield engine
    engine.dispose()


@pytest.fixture()
def empty_url(backend) -> str:
    """URL of a new, empty database (no schema)."""
    return backend.new_database("empty")
