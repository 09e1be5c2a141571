"""Make the configured shop database ready: migrate to the latest schema, seed it if empty.

    python -m shop.db.bootstrap [--profile default|small|medium|large] [--seed N]

Run on every start of the assistant: when the schema is current and the data is there it
only reads two small tables and exits (well under a second). It never deletes anything;
``python -m shop.seed --reset`` does that on request.
"""
from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator, Optional

from sqlalchemy import Integer, String, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.engine.url import make_url

from shop import settings
from shop.db.engine import make_engine
from shop.db.schema_version import SCHEMA_REVISION
from shop.db.types import UTCDateTime

# Demo fixtures are dated relative to the seed day; after this many days the "inside the
# 7-day return window" fixture has expired, so bootstrap says so.
FIXTURES_STALE_AFTER_DAYS = 4
# Any constant works; it only has to be the same for every bootstrap process.
_ADVISORY_LOCK_KEY = 7_428_113


@contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """Serialise concurrent bootstraps on PostgreSQL (SQLite's write lock already does)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK_KEY})
            connection.commit()


def _state(engine: Engine) -> tuple[Optional[str], Optional[tuple]]:
    """(schema revision, latest seed run) without importing the migration machinery."""
    with engine.connect() as connection:
        try:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):
            return None, None
    with engine.connect() as connection:
        try:
            # Plain text rather than the models: importing them costs more than the whole check.
            run = connection.execute(
                text("SELECT profile, seed, anchor_at FROM seed_runs ORDER BY id DESC LIMIT 1")
                .columns(profile=String(), seed=Integer(), anchor_at=UTCDateTime())
            ).first()
        except (OperationalError, ProgrammingError):
            run = None
    return revision, run


def bootstrap(url: Optional[str] = None, profile: str = "default", seed: int = 42) -> list[str]:
    """Bring the database at ``url`` to a usable state; returns what was done, line by line."""
    url = url or settings.database_url()
    done: list[str] = []
    engine = make_engine(url)
    try:
        revision, run = _state(engine)
        if revision == SCHEMA_REVISION and run is not None:
            done.append(f"shop database ready (schema {revision}, seeded: profile {run.profile!r}, "
                        f"seed {run.seed}, anchor {run.anchor_at:%Y-%m-%d})")
            age = (datetime.now(timezone.utc) - run.anchor_at).days
            if age > FIXTURES_STALE_AFTER_DAYS:
                done.append(f"note: the demo data is {age} days old, so date-dependent demo cases (e.g. the "
                            "order inside the 7-day return window) have aged; re-seed with "
                            "`python -m shop.seed --reset` to refresh them")
            return done
        with _exclusive(engine):
            from shop.db.migrate import upgrade_to_head
            from shop.seed.runner import database_is_empty, seed_database

            before, after = upgrade_to_head(engine)
            if before != after:
                done.append(f"migrated the shop database: {before or 'empty'} -> {after}")
            with engine.connect() as connection:
                empty = database_is_empty(connection)
            if empty:
                started = time.perf_counter()
                report = seed_database(engine, profile, seed, progress=sys.stderr.isatty())
                done.append(report.summary() + f" ({time.perf_counter() - started:.1f}s)")
            elif run is None:
                done.append("the shop database has data but no record of a seed run; left it as it is")
            else:
                from shop.seed.runner import top_up_services

                if top_up_services(engine):
                    done.append("added the demo service points and installation fees")
                done.append("shop database ready")
    finally:
        engine.dispose()
    return done


def _describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.db.bootstrap", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="default", help="seed profile when the database is empty")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    url = settings.database_url()
    try:
        for line in bootstrap(url, args.profile, args.seed):
            print(line)
    except OperationalError as error:
        print(f"error: cannot use the shop database at {_describe(url)}: {error.orig}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
