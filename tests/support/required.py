"""What a test needs but the machine lacks: skipped on a developer's machine, failed in CI.

.ci/run sets ``SHOP_TEST_REQUIRE_POSTGRES=1`` (the name predates the other services): there
PostgreSQL, Redis, RabbitMQ, nginx, Chromium and a trained model are all set up, so a missing one
is a broken run, never a reason to pass.
"""
from __future__ import annotations

import os

import pytest

REQUIRED = os.environ.get("SHOP_TEST_REQUIRE_POSTGRES") == "1"


def unavailable(reason: str) -> None:
    """Skip, or fail where CI requires everything to run."""
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)
