"""The demo customer directory: who can be picked on the demo sign-in.

Reads the shop database through ``shop.db.customers``. SQLAlchemy is blocking, so every query
runs in a worker thread and never stalls the event loop (and the other requests on it).
Only masked names and phones leave this module: the demo endpoints need no authentication,
so they must not reveal more than the public list does.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

from sqlalchemy.engine import Engine

from shop.db.customers import get_customer, list_demo_customers
from shop.db.engine import make_engine, session_scope


@dataclass(frozen=True)
class DemoProfile:
    id: int
    name: str              # masked: 张**
    phone: str             # masked: 138****1234
    member_level: str
    order_count: int

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "phone": self.phone,
            "member_level": self.member_level,
            "order_count": self.order_count,
        }


class DemoDirectory:
    def __init__(self, engine: Optional[Engine] = None) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        # Created on first use so the site starts (and answers /healthz) before the database
        # is reachable; the error then surfaces on the request that needs the data.
        if self._engine is None:
            self._engine = make_engine()
        return self._engine

    async def list(self, limit: int) -> list[DemoProfile]:
        return await asyncio.to_thread(self._list, limit)

    async def find(self, customer_id: int) -> Optional[DemoProfile]:
        return await asyncio.to_thread(self._find, customer_id)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def _list(self, limit: int) -> list[DemoProfile]:
        with session_scope(self.engine) as session:
            return [
                DemoProfile(c.id, c.masked_name, c.masked_phone, c.member_level, c.order_count)
                for c in list_demo_customers(session, limit)
            ]

    def _find(self, customer_id: int) -> Optional[DemoProfile]:
        with session_scope(self.engine) as session:
            customer = get_customer(session, customer_id)
        if customer is None:
            return None
        # order_count is only shown in the list; the sign-in answer does not need it.
        return DemoProfile(customer.id, customer.masked_name, customer.masked_phone,
                           customer.member_level, order_count=0)
