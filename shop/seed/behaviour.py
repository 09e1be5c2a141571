"""Interaction events for the recommender: views, add-to-cart and purchases.

Purchase-side events come from the order generator; this module adds browsing sessions
(several views in one category, sometimes an add-to-cart, no purchase), then writes
everything in time order so that ``interactions.id`` order is time order. Events are kept
in compact typed arrays: the large profile has millions of them.
"""
from __future__ import annotations

import random
from array import array

from shop.db import models as m
from shop.seed.catalogue import Catalogue
from shop.seed.people import Shopper
from shop.seed.random_tools import between
from shop.seed.writer import BulkWriter

DAY = 86_400
KINDS = ("view", "cart", "purchase")
_KIND_CODE = {kind: i for i, kind in enumerate(KINDS)}


class InteractionLog:
    def __init__(self) -> None:
        self.customer = array("i")
        self.product = array("i")
        self.kind = array("b")
        self.ts = array("q")

    def __len__(self) -> int:
        return len(self.ts)

    def add(self, customer_id: int, product_id: int, kind: str, ts: int) -> None:
        self.customer.append(customer_id)
        self.product.append(product_id)
        self.kind.append(_KIND_CODE[kind])
        self.ts.append(ts)

    def write(self, writer: BulkWriter, anchor: int) -> int:
        """Write every event not after ``anchor``, oldest first (ties: in the order logged)."""
        import numpy as np

        ts = np.frombuffer(self.ts, dtype=np.int64)
        order = np.argsort(ts, kind="stable")
        order = order[ts[order] <= anchor]
        customers, products, kinds = (np.frombuffer(a, dtype=d) for a, d in
                                      ((self.customer, np.int32), (self.product, np.int32), (self.kind, np.int8)))
        rows = zip(range(1, len(order) + 1), customers[order].tolist(), products[order].tolist(),
                   (KINDS[k] for k in kinds[order].tolist()), ts[order].tolist())
        return writer.insert(m.Interaction.__table__, ("id", "customer_id", "product_id", "kind", "occurred_at"), rows)


def browser(catalogue: Catalogue, log: InteractionLog, anchor: int, sessions_per_order: float, history_days: int):
    """A function adding one shopper's browsing sessions to ``log`` (used by the order generator)."""

    def browse(shopper: Shopper, order_count: int, rng: random.Random) -> None:
        start = max(shopper.registered_at, anchor - history_days * DAY)
        sessions = int(sessions_per_order * (order_count + 1) * rng.uniform(0.5, 1.5) + rng.random())
        for _ in range(sessions):
            t = between(rng, start, anchor - 1)
            if rng.random() < 0.7:
                leaf = catalogue.leaves[rng.choice(shopper.leaves)]
            else:
                leaf = catalogue.sample_leaf(rng)
            product_id = 0
            for _ in range(between(rng, 2, 6)):
                product_id = leaf.sample(rng, shopper.price_level)
                log.add(shopper.id, product_id, "view", t)
                t += between(rng, 10, 300)
            if rng.random() < 0.15:
                log.add(shopper.id, product_id, "cart", t)

    return browse
