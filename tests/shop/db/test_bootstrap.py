"""`python -m shop.db.bootstrap`: migrate + seed when empty, a quick no-op afterwards."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select

from shop import settings
from shop.db import models as m
from shop.db.bootstrap import bootstrap
from shop.db.engine import make_engine


def test_bootstrap_seeds_once_then_does_nothing(empty_url):
    first = bootstrap(empty_url, profile="small", seed=3)
    assert any(line.startswith("migrated") for line in first) and any("seeded profile 'small'" in l for l in first)
    second = bootstrap(empty_url, profile="small", seed=3)   # does nothing: one seed run below
    assert len(second) >= 1 and second[0].startswith("shop database ready")
    engine = make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(m.SeedRun)).scalar_one() == 1
            assert connection.execute(select(func.count()).select_from(m.Order)).scalar_one() == 400
    finally:
        engine.dispose()


def test_bootstrap_command_line_uses_the_environment(tmp_path):
    env = dict(os.environ, **{settings.DATABASE_URL_ENV: f"sqlite:///{tmp_path / 'cli.db'}"})
    run = lambda: subprocess.run([sys.executable, "-m", "shop.db.bootstrap", "--profile", "small"],  # noqa: E731
                                 capture_output=True, text=True, env=env, timeout=120)
    first = run()
    assert first.returncode == 0, first.stderr
    assert "seeded profile 'small'" in first.stdout
    again = run()
    assert again.returncode == 0 and again.stdout.startswith("shop database ready")
    broken = subprocess.run([sys.executable, "-m", "shop.db.bootstrap"], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, **{settings.DATABASE_URL_ENV: "postgresql+psycopg2://nobody@127.0.0.1:1/x"}))
    assert broken.returncode == 1 and "cannot use the shop database" in broken.stderr
