"""Fixtures for the shop site's HTTP tests: one seeded database and one running site."""
from __future__ import annotations

import pytest

from tests.shop_site.harness import TEST_RASA_URL, seed_database, start_site


@pytest.fixture(scope="session")
def site_database_url(tmp_path_factory) -> str:
    return seed_database(tmp_path_factory.mktemp("shop-site-db"))


@pytest.fixture(scope="module")
def site(tmp_path_factory, site_database_url):
    running = start_site(tmp_path_factory.mktemp("shop-site"), site_database_url, {"RASA_URL": TEST_RASA_URL})
    yield running
    running.stop()
