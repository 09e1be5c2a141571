"""Deterministic, believable demo data for the shop (see ``fixtures`` for the demo cases).

    python -m shop.seed --profile default --seed 42 [--database-url URL] [--anchor 2024-06-01] [--reset]

``seed_database(engine, profile, seed, anchor)`` does the same from Python. The same
profile, seed and anchor always give identical rows.
"""
