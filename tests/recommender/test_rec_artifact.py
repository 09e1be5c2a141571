"""Persistence and hot reload: what ``python -m assistant.recommender_training`` writes, the service reads."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from recommender import artifact
from recommender.rules import Filters
from recommender.serving import recommend
from recommender.service import ModelUnavailable, RecommenderService


def test_round_trip_gives_the_same_recommendations(fitted, known_customers, tmp_path):
    path = artifact.save(fitted, tmp_path)
    loaded = artifact.load(path)
    assert loaded.version == path.name
    for customer in [None] + known_customers[:10]:
        for f in (None, Filters(category="数码", max_price=3000)):
            a = recommend(fitted, customer, filters=f, limit=10)
            b = recommend(loaded, customer, filters=f, limit=10)
            assert [(r.product_id, r.reason) for r in a] == [(r.product_id, r.reason) for r in b]
            assert np.allclose([r.score for r in a], [r.score for r in b], rtol=1e-5)


def test_latest_points_at_the_newest_version_and_old_ones_are_pruned(fitted, tmp_path):
    paths = [artifact.save(fitted, tmp_path, keep=2) for _ in range(3)]
    assert len({p.name for p in paths}) == 3
    assert (tmp_path / "latest").read_text().strip() == paths[-1].name
    assert artifact.latest_version(tmp_path) == paths[-1]
    remaining = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("rec-"))
    assert remaining == sorted(p.name for p in paths[1:])
    assert not list(tmp_path.glob(".writing-*")) and not list(tmp_path.glob(".latest-*"))


def test_service_without_artifact_says_how_to_get_one(tmp_path):
    svc = RecommenderService(tmp_path / "none")
    with pytest.raises(ModelUnavailable, match="assistant.recommender_training"):
        svc.recommend(None)


def test_service_picks_up_a_newer_artifact_without_restart(fitted, tmp_path):
    first = artifact.save(fitted, tmp_path)
    svc = RecommenderService(tmp_path, check_interval=0.0)
    assert svc.recommend(None, limit=3)
    assert svc.version == first.name
    second = artifact.save(fitted, tmp_path)
    assert svc.recommend(None, limit=3)
    assert svc.version == second.name


def test_checks_are_rate_limited(fitted, tmp_path):
    artifact.save(fitted, tmp_path)
    svc = RecommenderService(tmp_path, check_interval=3600)
    first = svc.model.version
    artifact.save(fitted, tmp_path)
    assert svc.model.version == first            # not checked again within the interval
    assert svc.reload_if_newer(force=True)
    assert svc.model.version != first


def test_a_broken_artifact_keeps_the_current_model(fitted, tmp_path):
    good = artifact.save(fitted, tmp_path)
    svc = RecommenderService(tmp_path, check_interval=0.0)
    assert svc.model.version == good.name
    bad = tmp_path / "rec-99999999T000000000Z-broken"
    bad.mkdir()
    (bad / "meta.json").write_text("{not json")
    (tmp_path / "latest").write_text(bad.name + "\n")
    os.utime(tmp_path / "latest", (time.time() + 5, time.time() + 5))
    assert svc.recommend(None, limit=3)
    assert svc.version == good.name


def test_an_artifact_of_another_format_is_refused_with_a_clear_message(fitted, tmp_path):
    path = artifact.save(fitted, tmp_path)
    meta = path / "meta.json"
    meta.write_text(meta.read_text().replace(f'"format": {artifact.FORMAT}', '"format": 1'))
    with pytest.raises(ValueError, match="format"):
        artifact.load(path)
    with pytest.raises(ModelUnavailable, match="could not load .*format"):
        RecommenderService(tmp_path).recommend(None)


def test_artifacts_are_readable_by_other_users(fitted, tmp_path):
    path = artifact.save(fitted, tmp_path)
    assert (tmp_path / "latest").stat().st_mode & 0o044 == 0o044
    assert path.stat().st_mode & 0o055 == 0o055
    assert all(f.stat().st_mode & 0o044 == 0o044 for f in path.iterdir())


@pytest.mark.parametrize("latest", [b"rec-20990101T000000000Z-gone\n", b"\xff\xfe\x00garbage"])
def test_a_corrupt_latest_is_reported_as_corrupt_not_as_missing(tmp_path, latest, caplog):
    (tmp_path / "latest").write_bytes(latest)
    svc = RecommenderService(tmp_path, check_interval=0.0)
    with pytest.raises(ModelUnavailable) as raised:
        svc.recommend(None)
    assert "no recommender artifact under" not in str(raised.value)
    assert "latest" in str(raised.value)
    assert any("unusable" in r.getMessage() for r in caplog.records), caplog.text
