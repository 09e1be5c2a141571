"""Fixtures shared by the whole suite. Component-specific fixtures live beside their tests."""
from __future__ import annotations

import pytest

from tests.support.required import unavailable
from tests.support.stack import latest_model, start_stack


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory):
    """The real assistant, started once per test session (it takes about a minute)."""
    model = latest_model()
    if model is None:
        unavailable("no trained model in models/: run `make train` (make test does it)")
    stack = start_stack(tmp_path_factory.mktemp("live-stack"), model)
    yield stack
    stack.stop()
