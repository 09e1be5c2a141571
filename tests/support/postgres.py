"""Scratch PostgreSQL databases for tests (127.0.0.1:5432, trust auth, by default)."""
from __future__ import annotations

import contextlib
import os
import uuid
from typing import Iterator, List

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from tests.support.scaled import unavailable

POSTGRES_URL = os.environ.get("SHOP_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def scratch_databases(prefix: str, count: int = 1) -> Iterator[List[URL]]:
    """``count`` new empty databases named ``<prefix>_<random>``, dropped afterwards (skipped,
    or failed under SHOP_TEST_REQUIRE_POSTGRES=1, when the server is unreachable)."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True)
    names = [f"{prefix}_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    created = []
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
                created.append(name)
        yield [make_url(POSTGRES_URL).set(database=name) for name in names]
    except Exception as error:  # noqa: BLE001 - a failure to create means the server is not usable
        if len(created) == len(names):
            raise
        unavailable(f"PostgreSQL not reachable at {POSTGRES_URL}: {error}")
    finally:
        with contextlib.suppress(Exception), admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
