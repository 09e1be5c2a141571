"""Writes the shopper waits on while the shop database refuses writes, over live HTTP with a
real lock (another connection holding SQLite's write lock, as a stuck writer would).

A change the shopper confirmed ("确认"): nothing is written, the shopper hears so, and once
the lock is gone the same "确认" makes the change exactly once.

Before, the confirming form had already closed when the write failed: the general apology
said "请稍后再试", and the next "确认" met no question ("好的～还有什么可以帮您的吗？"), so the
after-sales request or address change was silently lost; a cancellation answered
"目前没有等待您确认的取消操作".

A guest's look-up (each try is written down before the order is read): refused politely, and
the digits sent again once the lock is gone show the order (the conversation used to forget
the order number, so they met "没太看懂").
"""
from __future__ import annotations

import sqlite3
import uuid
from typing import Callable, List, Tuple

import pytest

from shop.identity import issue_customer_token
from tests.support.stack import TEST_TOKEN_SECRET

pytestmark = pytest.mark.integration

NOT_SAVED = "还没有提交成功"


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


class Shopper:
    def __init__(self, stack, customer_id: int):
        self.stack, self.sender = stack, f"locked-{uuid.uuid4().hex}"
        self.metadata = {"customer_token": issue_customer_token(customer_id, secret=TEST_TOKEN_SECRET)}

    def says(self, message: str) -> str:
        return text_of(self.stack.say(self.sender, message, metadata=self.metadata, timeout=60))


class WriteLock:
    """Another connection holding the shop database's write lock (readers still read)."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.connection = sqlite3.connect(str(self.path), isolation_level=None, timeout=5)
        self.connection.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc):
        self.connection.execute("ROLLBACK")
        self.connection.close()


def rows(path, sql: str) -> List[Tuple]:
    with sqlite3.connect(str(path)) as connection:
        return connection.execute(sql).fetchall()


def counts(path) -> dict:
    tables = [name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {table: rows(path, f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in tables}


# Orders of ordinary seeded customers (not the fixture customers other tests talk as), newest last.
DELIVERED_ONE_ITEM = """
    SELECT o.customer_id, o.order_no FROM orders o
    WHERE o.status = 'delivered' AND o.customer_id > 100
      AND (SELECT COUNT(*) FROM order_items i WHERE i.order_id = o.id) = 1
      AND NOT EXISTS (SELECT 1 FROM after_sales_requests a WHERE a.order_id = o.id)
    ORDER BY o.delivered_at DESC LIMIT 8"""
AWAITING_SHIPMENT = """
    SELECT o.customer_id, o.order_no FROM orders o
    WHERE o.status = 'awaiting_shipment' AND o.customer_id > 100
      AND EXISTS (SELECT 1 FROM customer_addresses a WHERE a.customer_id = o.customer_id)
    ORDER BY o.id DESC LIMIT 8"""


def confirmed_under_lock(shop_db, shopper: Shopper, confirm: str, wrote: Callable[[dict, dict], bool]):
    before = counts(shop_db)
    with WriteLock(shop_db):
        refused = shopper.says(confirm)
    assert counts(shop_db) == before, "a refused write changed the shop database"
    again = shopper.says(confirm)
    after = counts(shop_db)
    assert wrote(before, after), (again, {k: (before[k], v) for k, v in after.items() if before[k] != v})
    return refused, again


def at_the_after_sales_summary(stack) -> Tuple[Shopper, str]:
    """A shopper of the seed asked "确认提交吗？" for one of their delivered orders, and its number."""
    for customer_id, order_no in rows(stack.workdir / "shop.db", DELIVERED_ONE_ITEM):
        shopper = Shopper(stack, customer_id)
        if "确认提交吗" in shopper.says(f"订单{order_no}有质量问题，我要退货"):
            return shopper, order_no
    pytest.fail("no delivered order of the seed reached the after-sales summary")


def at_the_address_confirmation(stack, nth: int) -> Tuple[Shopper, str]:
    """The shopper of the ``nth`` unshipped order asked to confirm a new, typed address for it
    (a saved one may be where the order already goes: that changes nothing), and its number."""
    customer_id, order_no = rows(stack.workdir / "shop.db", AWAITING_SHIPMENT)[nth]
    shopper = Shopper(stack, customer_id)
    assert "改到哪个地址" in shopper.says(f"订单{order_no}要改收货地址")
    assert "回复“确认”即修改" in shopper.says("改到杭州市西湖区文三路199号创业大厦")
    return shopper, order_no


def at_the_cancellation_question(stack, nth: int) -> Tuple[Shopper, str]:
    """The shopper of the ``nth`` unshipped order asked "确认要取消订单 X 吗？", and X."""
    customer_id, order_no = rows(stack.workdir / "shop.db", AWAITING_SHIPMENT)[nth]
    shopper = Shopper(stack, customer_id)
    assert "确认取消" in shopper.says(f"帮我取消订单{order_no}")
    return shopper, order_no


def test_an_after_sales_request_confirmed_while_the_database_is_locked_is_filed_on_the_next_confirm(live_stack):
    shop_db = live_stack.workdir / "shop.db"
    shopper, _ = at_the_after_sales_summary(live_stack)
    refused, again = confirmed_under_lock(
        shop_db, shopper, "确认",
        lambda before, after: after["after_sales_requests"] == before["after_sales_requests"] + 1)
    assert NOT_SAVED in refused and "确认提交吗" in refused, refused
    assert "已为您提交" in again, again
    # Filed once: a further "确认" files nothing more.
    filed = counts(shop_db)["after_sales_requests"]
    shopper.says("确认")
    assert counts(shop_db)["after_sales_requests"] == filed


def test_an_address_change_confirmed_while_the_database_is_locked_is_made_on_the_next_confirm(live_stack):
    shop_db = live_stack.workdir / "shop.db"
    shopper, order_no = at_the_address_confirmation(live_stack, 0)
    refused, again = confirmed_under_lock(
        shop_db, shopper, "确认",
        lambda before, after: after["order_address_changes"] == before["order_address_changes"] + 1)
    assert NOT_SAVED in refused and "回复“确认”即修改" in refused, refused
    assert "已将订单" in again and order_no in again, again


def test_a_cancellation_confirmed_while_the_database_is_locked_is_made_on_the_next_confirm(live_stack):
    shop_db = live_stack.workdir / "shop.db"
    shopper, order_no = at_the_cancellation_question(live_stack, 1)
    refused, again = confirmed_under_lock(
        shop_db, shopper, "确认取消",
        lambda before, after: after["order_status_history"] == before["order_status_history"] + 1)
    assert "还没有取消" in refused and order_no in refused, refused
    assert "已取消" in again, again
    status = rows(shop_db, f"SELECT status FROM orders WHERE order_no = '{order_no}'")[0][0]
    assert status in ("cancelled", "refunding"), status


def test_a_guests_digits_sent_again_after_the_database_was_locked_show_the_order(live_stack):
    shop_db = live_stack.workdir / "shop.db"
    order_no, phone = rows(shop_db, "SELECT order_no, recipient_phone FROM orders WHERE customer_id > 100 "
                                    "ORDER BY id DESC LIMIT 1 OFFSET 20")[0]
    guest = f"locked-guest-{uuid.uuid4().hex}"
    assert "订单号" in text_of(live_stack.say(guest, "查一下我的订单"))
    assert "后四位" in text_of(live_stack.say(guest, order_no))
    with WriteLock(shop_db):
        refused = text_of(live_stack.say(guest, phone[-4:], timeout=60))
    assert "暂时无法完成" in refused and order_no not in refused, refused
    shown = live_stack.say(guest, phone[-4:], timeout=60)
    assert order_no in text_of(shown) and any(r.get("custom") for r in shown), shown
