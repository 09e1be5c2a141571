"""Where the shop database lives.

One environment variable picks the database: ``SHOP_DATABASE_URL``, a SQLAlchemy URL, e.g.

- ``sqlite:////abs/path/shop.db`` (the default is ``var/shop.db`` in the repository), or
- ``postgresql+psycopg2://user:password@host:5432/shop`` for PostgreSQL.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL_ENV = "SHOP_DATABASE_URL"


def var_dir() -> Path:
    """The git-ignored data folder; created on first use."""
    path = REPO_ROOT / "var"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    return f"sqlite:///{var_dir() / 'shop.db'}"


def database_url() -> str:
    """The configured SQLAlchemy URL: ``$SHOP_DATABASE_URL`` or the SQLite file in ``var/``."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    return url or default_database_url()
