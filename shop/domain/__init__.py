"""Pure domain rules of the shop: no SQL, no I/O.

- ``state_machine``  the generic machine and the ``IllegalTransition`` error.
- ``orders``         order and payment statuses, the order life cycle, cancellation rules.
- ``after_sales``    service types, reasons, after-sales statuses and their life cycle.
- ``eligibility``    may this item get this after-sales service now? (7-day window, warranty...)
- ``policies``       per-category after-sales policy (warranty months, no-reason returns).
- ``numbers``        order / after-sales / hand-off number formats.
- ``privacy``        masking of phones, names and addresses.
- ``clock``          the shop's time zone and aware-datetime helpers.
- ``colours``        colour families (曜石黑 is a 黑色) for search filters.
"""
from shop.domain.state_machine import IllegalTransition, StateMachine

__all__ = ["IllegalTransition", "StateMachine"]
