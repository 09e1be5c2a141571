"""Fixtures shared by the whole suite. Component-specific fixtures live beside their tests."""
from __future__ import annotations

import os

import pytest

from tests.support.stack import latest_model, start_stack


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory):
    """The real assistant, started once per test session (it takes about a minute)."""
    model = latest_model()
    if model is None:
        reason = "no trained model in models/: run `make train` (make test does it)"
        # In CI nothing skips: .ci/run trains first, so a missing model is a failure.
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    stack = start_stack(tmp_path_factory.mktemp("live-stack"), model)
    yield stack
    stack.stop()
