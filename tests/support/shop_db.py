"""Constants shared by the data-layer tests and their fixtures (a plain module, so test
files can import it; conftest modules are not imported by name)."""
from __future__ import annotations

from datetime import date, datetime

from shop.seed.runner import anchor_for_day

# Fixed "now" of the seeded test data: fixture dates and eligibility are reproducible.
ANCHOR: datetime = anchor_for_day(date(2024, 6, 20))
SEED = 7
PROFILE = "small"
