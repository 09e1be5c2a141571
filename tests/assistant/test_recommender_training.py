"""End to end on the shop's own data: seed ``small`` into a temp SQLite file, train with the
CLI entry point, serve through the service. Skipped when the shop package cannot seed."""
from __future__ import annotations

import json

import pytest

seed_main = pytest.importorskip("shop.seed.__main__").main

from assistant import recommender_training as train  # noqa: E402
from recommender import artifact  # noqa: E402
from recommender.rules import Filters  # noqa: E402
from recommender.service import RecommenderService  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("shop-rec")
    url = f"sqlite:///{root / 'shop.db'}"
    assert seed_main(["--profile", "small", "--database-url", url, "--no-progress"]) == 0
    assert train.main(["--database-url", url, "--out", str(root / "models"), "-q"]) == 0
    return url, root / "models"


def test_train_writes_a_loadable_artifact_and_latest(trained):
    _, models = trained
    path = artifact.latest_version(models)
    assert path is not None and path.name.startswith("rec-")
    meta = json.loads((path / "meta.json").read_text())
    assert meta["data"]["available_items"] > 100 and meta["data"]["customers"] > 10


def test_service_on_shop_data_respects_purchases_filters_and_categories(trained):
    _, models = trained
    svc = RecommenderService(models)
    model = svc.model
    cat = model.catalogue
    customers = [int(c) for c in model.customers.customer_ids[:30]]
    for customer in customers:
        bought = {cat.product_ids[i] for i in model.customers.bought(customer) if not cat.consumable[i]}
        recs = svc.recommend(customer, limit=10)
        assert recs and not bought & {r.product_id for r in recs}
        assert all(r.title and r.price and r.reason for r in recs)
    black = svc.recommend(customers[0], filters=Filters(attributes={"颜色": "黑色"}), limit=10)
    assert black
    for r in black:
        assert any("黑" in v for v in cat.attributes[cat.position(r.product_id)]["颜色"])
    phone = next(p for p, path in zip(cat.product_ids, cat.category_paths) if path and path[-1] == "手机")
    alike = svc.similar(phone, limit=5)
    assert alike and all(r.category[:-1] == cat.category_paths[cat.position(phone)][:-1] for r in alike)


def test_retraining_with_reuse_blend_keeps_the_blend_and_moves_latest(trained):
    url, models = trained
    first = artifact.latest_version(models)
    blend = json.loads((first / "meta.json").read_text())["blend"]
    assert train.main(["--database-url", url, "--out", str(models), "--reuse-blend", "-q"]) == 0
    second = artifact.latest_version(models)
    assert second != first
    meta = json.loads((second / "meta.json").read_text())
    assert meta["blend"] == blend and "reused" in meta["report"]["tuning"]


def test_no_page_shows_two_listings_of_the_same_product(trained):
    """The seeded catalogue re-lists products under near-identical titles."""
    _, models = trained
    model = RecommenderService(models).model
    cat = model.catalogue
    assert len(set(model.duplicates.tolist())) < cat.n_items      # the data has near-duplicates
    svc = RecommenderService(models)
    for customer in [None] + [int(c) for c in model.customers.customer_ids[:20]]:
        for f in (None, Filters(category=cat.category_paths[0][0])):
            page = svc.recommend(customer, filters=f, limit=10)
            groups = [int(model.duplicates[cat.position(r.product_id)]) for r in page]
            assert len(groups) == len(set(groups))
            assert len({r.title for r in page}) == len(page)


def test_next_page_shows_no_relisting_of_a_shown_product(trained):
    _, models = trained
    svc = RecommenderService(models)
    model = svc.model
    cat = model.catalogue
    shown: list = []
    groups_shown: set = set()
    for _ in range(5):
        page = svc.recommend(None, exclude_ids=shown, limit=10)
        groups = {int(model.duplicates[cat.position(r.product_id)]) for r in page}
        assert not groups & groups_shown
        groups_shown |= groups
        shown += [r.product_id for r in page]
