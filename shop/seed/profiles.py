"""How much data each seed profile makes."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    products: int
    customers: int
    orders: int
    # Browsing sessions (views without a purchase) per order placed.
    browse_sessions_per_order: float
    # Chance of a second product view before each purchase.
    second_view_rate: float = 0.5
    # Benchmark profiles keep the status history (an audit trail no query reads) only for
    # orders of the last 60 days, like their logistics detail, to keep seeding in minutes.
    full_history: bool = True
    # Bulk-load tricks worth it only for big loads (PostgreSQL: skip FK triggers while loading).
    fast_load: bool = False


PROFILES: dict[str, Profile] = {
    # Tests: a few hundred rows.
    "small": Profile("small", products=300, customers=60, orders=400, browse_sessions_per_order=0.8),
    # The demo: seeds in seconds.
    "default": Profile("default", products=2_000, customers=1_000, orders=10_000, browse_sessions_per_order=0.8),
    # Benchmarks on a busy machine where `large` takes too long.
    "medium": Profile("medium", products=20_000, customers=20_000, orders=200_000, browse_sessions_per_order=0.3,
                      second_view_rate=0.0, full_history=False, fast_load=True),
    # Benchmarks: 100k products, 100k customers, 1M orders, several million interactions.
    "large": Profile("large", products=100_000, customers=100_000, orders=1_000_000, browse_sessions_per_order=0.3,
                     second_view_rate=0.0, full_history=False, fast_load=True),
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown seed profile {name!r}; choose one of {', '.join(PROFILES)}") from None
