"""Alembic from Python: bring a database to the latest schema revision."""
from __future__ import annotations

from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from shop import settings

ALEMBIC_INI = settings.REPO_ROOT / "alembic.ini"


def alembic_config(connection: Optional[Connection] = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    # Callers (bootstrap, tests) configure logging themselves.
    config.attributes["configure_logging"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> Optional[str]:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> tuple[Optional[str], str]:
    """Run every pending migration; returns (revision before, revision after)."""
    with engine.begin() as connection:
        before = current_revision(connection)
        command.upgrade(alembic_config(connection), "head")
        after = current_revision(connection)
    return before, after


def reset_database(engine: Engine) -> None:
    """Drop every shop table (Alembic downgrade to base); ``upgrade_to_head`` recreates them."""
    with engine.begin() as connection:
        if current_revision(connection) is not None:
            command.downgrade(alembic_config(connection), "base")
