"""Round 17 (typed17) through the actions, on both seeded databases: "不对 是上一个" at the
after-sales form's item question takes the order placed before the one taken, rather than
the question again."""
from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.after_sales_checks import qualifying_orders
from actions.after_sales_form import ValidateAfterSalesForm
from tests.support.actions import token, tracker
from shop.seed.fixtures import MAIN_CUSTOMER_ID


def at_item_question(text, order_no):
    return tracker(text, "deny", slots={"requested_slot": "order_item_id", "order_no": order_no},
                   metadata=token(MAIN_CUSTOMER_ID), events=[{"event": "active_loop", "name": "after_sales_form"}])


def test_the_order_before_is_taken_at_the_item_question(shop_db):
    orders = asyncio.run(qualifying_orders(MAIN_CUSTOMER_ID))
    assert len(orders) >= 2
    got = asyncio.run(ValidateAfterSalesForm().extract_order_no(
        CollectingDispatcher(), at_item_question("不对 是上一个", orders[0].order_no), {}))
    assert got == {"order_no": orders[1].order_no}


def test_the_oldest_order_or_no_correction_changes_nothing(shop_db):
    orders = asyncio.run(qualifying_orders(MAIN_CUSTOMER_ID))
    form = ValidateAfterSalesForm()
    said = CollectingDispatcher()
    oldest = asyncio.run(form.extract_order_no(said, at_item_question("不对 是上一个", orders[-1].order_no), {}))
    # Round 18: none is before the oldest — said so, and the order question (with its list)
    # asked again instead of the item question once more; nothing else changes.
    assert oldest == {"order_no": None, "order_item_id": None}
    assert any("最早的一笔订单" in (m.get("text") or "") for m in said.messages)
    # "上一个" alone at the item question corrects nothing (no "不对"/"不是").
    bare = asyncio.run(form.extract_order_no(CollectingDispatcher(), at_item_question("上一个", orders[0].order_no), {}))
    assert bare == {}
