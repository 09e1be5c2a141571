"""The console's writer of the experiment file: one validated edit, written atomically,
comments kept, and nothing written when the edit or the file is invalid."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from growth import experiments_file
from growth.experiments import DEFAULT_PATH, ExperimentBook, ExperimentError
from growth.experiments_file import change_experiment, write_atomically


@pytest.fixture()
def path(tmp_path) -> Path:
    copy = tmp_path / "experiments.yml"
    shutil.copy(DEFAULT_PATH, copy)
    return copy


def _entry(path: Path, name: str) -> dict:
    return next(e for e in yaml.safe_load(path.read_text(encoding="utf-8"))["experiments"] if e["name"] == name)


def test_exclude_stop_ramp_include_are_what_the_action_server_reads(path):
    book = ExperimentBook(path)
    assert book.plan().get("rec_strategy").excluded == frozenset({"content"})
    change_experiment(path, "rec_strategy", "exclude", variant="popularity")
    assert _entry(path, "rec_strategy")["excluded"] == ["content", "popularity"]
    assert book.plan().get("rec_strategy").excluded == frozenset({"content", "popularity"})
    # With one live variant left, every unit gets it.
    assert {book.plan().get("rec_strategy").assign(f"c:{i}").name for i in range(50)} == {"hybrid"}

    change_experiment(path, "rec_strategy", "include", variant="content")
    change_experiment(path, "rec_strategy", "include", variant="popularity")
    assert "excluded" not in _entry(path, "rec_strategy")
    change_experiment(path, "rec_strategy", "ramp", ramp=25)
    change_experiment(path, "rec_strategy", "stop")
    experiment = book.plan().get("rec_strategy")
    assert (experiment.ramp, experiment.status, experiment.excluded) == (25.0, "stopped", frozenset())
    change_experiment(path, "winback_coupon", "start")
    assert book.plan().get("winback_coupon").running
    # The operators' comments and the other experiments are untouched.
    text = path.read_text(encoding="utf-8")
    assert "# Experiments on the conversation (growth.experiments)." in text
    assert "message: 好久不见！" in text
    assert [e.name for e in book.plan().experiments] == ["rec_strategy", "winback_coupon", "segment_cold_start"]


@pytest.mark.parametrize("name, action, kwargs, why", [
    ("rec_strategy", "exclude", {"variant": "nope"}, "no variant"),
    ("rec_strategy", "exclude", {"variant": "hybrid"}, None),   # fine alone; the next one is not
    ("nope", "stop", {}, "no experiment"),
    ("rec_strategy", "ramp", {"ramp": 101}, "ramp"),
    ("rec_strategy", "ramp", {"ramp": float("nan")}, "ramp"),
    ("rec_strategy", "delete", {}, "unknown action"),
])
def test_invalid_edits_write_nothing(path, name, action, kwargs, why):
    before = path.read_bytes()
    if why is None:
        change_experiment(path, name, action, **kwargs)
        before = path.read_bytes()
        with pytest.raises(ExperimentError, match="cannot exclude every variant"):
            change_experiment(path, name, "exclude", variant="popularity")
    else:
        with pytest.raises(ExperimentError, match=why):
            change_experiment(path, name, action, **kwargs)
    assert path.read_bytes() == before


def test_a_broken_file_is_refused_not_rewritten(path):
    path.write_text(path.read_text(encoding="utf-8").replace("strategy: popularity", "strategy: magic"),
                    encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(ExperimentError, match="strategy must be one of"):
        change_experiment(path, "winback_coupon", "start")
    assert path.read_bytes() == before
    path.write_text("experiments: [\n", encoding="utf-8")
    with pytest.raises(ExperimentError, match="not valid YAML"):
        change_experiment(path, "rec_strategy", "stop")


def test_the_write_is_atomic(path, monkeypatch):
    """A failure while writing leaves the old file whole and no temporary file behind."""
    before = path.read_bytes()
    real_fsync = os.fsync

    def failing_fsync(fd):
        real_fsync(fd)
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(experiments_file.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        change_experiment(path, "rec_strategy", "stop")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["experiments.yml"]
    monkeypatch.undo()
    # The replacement is one rename: the inode changes, the mode is kept.
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    write_atomically(path, "experiments: []\n")
    assert path.stat().st_ino != inode and path.stat().st_mode & 0o777 == 0o640
    assert path.read_text(encoding="utf-8") == "experiments: []\n"


def test_a_planned_sample_size_is_set_read_and_taken_away(path):
    """``plan`` writes ``planned_units`` (units per variant) where an operator would look, the
    parser reads it, a bad value writes nothing, and None removes it."""
    book = ExperimentBook(path)
    assert book.plan().get("rec_strategy").planned_units is None
    before = path.read_text(encoding="utf-8")
    for bad in (0, -5, 10_000_001, 2.5, True):
        with pytest.raises(ExperimentError, match="planned_units"):
            change_experiment(path, "rec_strategy", "plan", planned_units=bad)
        assert path.read_text(encoding="utf-8") == before
    change_experiment(path, "rec_strategy", "plan", planned_units=1200)
    entry = _entry(path, "rec_strategy")
    assert entry["planned_units"] == 1200 and list(entry).index("planned_units") == list(entry).index("ramp") + 1
    assert book.plan().get("rec_strategy").planned_units == 1200
    change_experiment(path, "segment_cold_start", "plan", planned_units=300)   # no ramp: after status
    assert list(_entry(path, "segment_cold_start"))[:3] == ["name", "description", "status"]
    assert _entry(path, "segment_cold_start")["planned_units"] == 300
    change_experiment(path, "rec_strategy", "plan", planned_units=None)
    assert "planned_units" not in _entry(path, "rec_strategy")
    assert book.plan().get("segment_cold_start").planned_units == 300
