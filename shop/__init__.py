"""The shop's own data and rules: catalogue, customers, orders, after-sales.

- ``shop.domain``      pure rules: order and after-sales state machines, eligibility, numbers.
- ``shop.settings``    where the database is (``SHOP_DATABASE_URL``), ``REPO_ROOT``,
                       ``ConfigError`` and the setting parsers every settings object shares.
- ``shop.identity``    signed customer tokens and conversation identities.
- ``shop.json_limits`` limits on JSON from outside.
- ``shop.db``          engine, models, migrations runner and the query functions callers use
                       (the only SQL).
- ``shop.migrations``  Alembic migrations.
- ``shop.seed``        deterministic, believable Chinese demo data.
"""
