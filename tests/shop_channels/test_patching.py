"""``patch_pinned``: the version-pinned Rasa patches of shop_channels applied once, on the pinned Rasa only."""
import logging

import pytest
import rasa

from shop_channels.patching import is_patched, patch_pinned

logger = logging.getLogger("tests.patching")


def stock_method(self):
    return "stock"


def patched_method(self):
    return "patched"


def stock_static():
    return "stock"


def patched_static():
    return "patched"


@pytest.fixture
def target():
    class Target:
        method = stock_method
        static = staticmethod(stock_static)
    return Target


def patches(target):
    return [(target, "method", patched_method), (target, "static", staticmethod(patched_static))]


def test_patches_on_the_pinned_version(target):
    assert patch_pinned(patches(target), {rasa.__version__}, "stock target", logger=logger) is True
    assert target().method() == "patched"
    assert target.static() == "patched"
    assert is_patched(target, "method", patched_method)
    assert is_patched(target, "static", staticmethod(patched_static))


def test_a_second_call_changes_nothing_and_is_true_even_on_another_version(target, monkeypatch):
    assert patch_pinned(patches(target), {rasa.__version__}, "stock target", logger=logger)
    in_place = dict(vars(target))
    monkeypatch.setattr(rasa, "__version__", "0.0.0")
    assert patch_pinned(patches(target), {"3.6.21"}, "stock target", logger=logger) is True
    assert dict(vars(target)) == in_place


def test_a_partly_patched_target_is_completed(target):
    target.method = patched_method
    assert not is_patched(target, "static", patched_static)
    assert patch_pinned(patches(target), {rasa.__version__}, "stock target", logger=logger) is True
    assert target.static() == "patched"


def test_another_rasa_version_is_refused_and_logged(target, monkeypatch, caplog):
    monkeypatch.setattr(rasa, "__version__", "9.9.9")
    with caplog.at_level(logging.INFO, logger=logger.name):
        assert patch_pinned(patches(target), {"3.6.21", "3.6.20"}, "stock target", logger=logger,
                            level=logging.INFO) is False
    assert target().method() == "stock"
    assert target.static() == "stock"
    [record] = caplog.records
    assert record.levelno == logging.INFO and record.name == logger.name
    assert record.getMessage() == "Rasa 9.9.9: stock target (patch written for 3.6.20, 3.6.21)"


def test_the_refusal_is_a_warning_unless_told(target, monkeypatch, caplog):
    monkeypatch.setattr(rasa, "__version__", "9.9.9")
    with caplog.at_level(logging.WARNING, logger=logger.name):
        assert patch_pinned(patches(target), {"3.6.21"}, "stock target", logger=logger) is False
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_a_module_attribute_is_patched_too(monkeypatch):
    import types
    module = types.ModuleType("fake_rasa_module")
    module.Runner = object
    assert patch_pinned([(module, "Runner", dict)], {rasa.__version__}, "stock runner", logger=logger)
    assert module.Runner is dict


def test_every_shop_channels_patch_is_in_place_on_the_pinned_rasa():
    import shop_channels  # noqa: F401  (installs them, as in the Rasa server)
    from rasa.core.actions.action import RemoteAction
    from rasa.core.actions.forms import FormAction
    from rasa.core.processor import MessageProcessor

    from shop_channels import (graph_runner, idempotency, policy_states, rasa_failures, rasa_follow_ups,
                               rasa_keepalive, rasa_sessions, rasa_speedups, tracker_store_failures)
    for module in (graph_runner, idempotency, policy_states, rasa_follow_ups, rasa_keepalive, rasa_speedups,
                   tracker_store_failures):
        assert module.install() is True, module.__name__
    # (these two take the server's settings: checked without installing again)
    assert is_patched(RemoteAction, "run", rasa_failures.remote_run)
    assert is_patched(FormAction, "run", rasa_failures.form_run)
    assert is_patched(MessageProcessor, "_has_session_expired", rasa_sessions.has_session_expired)
