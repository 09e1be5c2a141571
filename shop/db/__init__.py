"""The shop's data layer.

- ``engine``        ``make_engine``, ``session_scope``, ``default_engine``
- ``models``        SQLAlchemy models (schema); ``shop/migrations`` holds the Alembic history
- query functions, one topic module each (imported from there, the one way):
  ``catalogue``, ``orders``, ``after_sales``, ``customers``, ``handoff``, ``interactions``,
  ``services``, ``checkout``, ``experiments``, ``segments``
- ``search_plans``  the search planner behind ``catalogue.search_products`` (typed cache key)
- ``records``       the frozen dataclasses those functions return
- ``errors``        the exceptions they raise
- ``search_index``  the keyword-search tokenizer; ``search_maintenance`` rebuilds the index
- ``migrate``       Alembic from Python; ``schema_version`` the expected head revision
- ``bootstrap``     ``python -m shop.db.bootstrap``: migrate, seed if empty, fast no-op otherwise

Typical use::

    from shop.db.engine import session_scope
    from shop.db.orders import get_order

    with session_scope() as session:
        order = get_order(session, customer_id, "202405031234567890")
"""
