"""The shop's own data and rules: catalogue, customers, orders, after-sales.

- ``shop.settings``  where the database is (``SHOP_DATABASE_URL``).
- ``shop.domain``    pure rules: order and after-sales state machines, eligibility, numbers.
- ``shop.db``        engine, models, migrations runner and the query functions callers use.
- ``shop.seed``      deterministic, believable Chinese demo data.
"""
