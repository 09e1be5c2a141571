"""The Alembic revision this code expects (``alembic heads``).

Kept as a constant so that ``shop.db.bootstrap`` can tell "schema up to date" without
importing Alembic (about half a second). A test fails if it differs from the migration head:
bump it with every new migration.
"""
SCHEMA_REVISION = "0020"
